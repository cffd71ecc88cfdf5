"""The bytes of library files, in Django's default storage (local disk or S3).

Everything goes through Django's storage API, with two faster paths where the backend allows:
local disk (hard links for renames, the open file for sendfile downloads, empty directories
pruned after deletes) and S3 (server-side copies, ranged GETs streamed in chunks, batch
deletes). Keys come from files.paths.storage_key only.
"""

import contextlib
import os
import shutil
from collections.abc import Iterable, Iterator

from botocore.exceptions import ClientError
from django.core.files.storage import FileSystemStorage, default_storage
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

from files.errors import FileNotFound

CHUNK_BYTES = 256 * 1024
S3_DELETE_BATCH = 1000


def _is_local(storage) -> bool:
    return isinstance(storage, FileSystemStorage)  # default_storage is a proxy: isinstance sees through


def _s3(storage) -> S3Storage | None:
    return storage if isinstance(storage, S3Storage) else None


def _s3_key(s3: S3Storage, key: str) -> str:
    return s3._normalize_name(clean_name(key))


def save(key: str, content) -> str:
    """Store `content` (a Django File) at `key`, or at a free variant of it; the key used."""
    return default_storage.save(key, content)


def copy(source: str, target: str) -> str:
    """A copy of `source` at `target` (or a free variant of it); the key used. On local disk a
    hard link, on S3 a server-side copy: no bytes pass through this process."""
    storage = default_storage
    target = storage.get_available_name(target)
    s3 = _s3(storage)
    if _is_local(storage):
        source_path, target_path = storage.path(source), storage.path(target)
        os.makedirs(os.path.dirname(target_path), exist_ok=True)
        try:
            os.link(source_path, target_path)
        except FileNotFoundError as exc:
            raise FileNotFound() from exc
        except OSError:  # a file system without hard links
            shutil.copyfile(source_path, target_path)
    elif s3 is not None:
        s3.bucket.Object(_s3_key(s3, target)).copy({"Bucket": s3.bucket_name, "Key": _s3_key(s3, source)})
    else:
        with storage.open(source, "rb") as stream:
            target = storage.save(target, stream)
    return target


def delete_many(keys: Iterable[str]) -> None:
    keys = list(keys)
    s3 = _s3(default_storage)
    if s3 is not None:
        for i in range(0, len(keys), S3_DELETE_BATCH):
            batch = [{"Key": _s3_key(s3, key)} for key in keys[i : i + S3_DELETE_BATCH]]
            s3.bucket.delete_objects(Delete={"Objects": batch, "Quiet": True})
        return
    for key in keys:
        default_storage.delete(key)


def prune_empty_folders(key: str) -> None:
    """On local disk, remove the directory at `key` and the empty directories below it (a
    deleted or renamed folder leaves them behind). Object stores have no directories."""
    if not _is_local(default_storage):
        return
    top = default_storage.path(key)
    if not os.path.isdir(top):
        return
    for dirpath, _dirs, _files in os.walk(top, topdown=False):
        with contextlib.suppress(OSError):
            os.rmdir(dirpath)


def local_file(key: str):
    """The open file at `key` when storage is local disk (for sendfile), else None."""
    if not _is_local(default_storage):
        return None
    try:
        return open(default_storage.path(key), "rb")
    except FileNotFoundError as exc:
        raise FileNotFound() from exc


def stream(key: str, start: int, length: int) -> Iterator[bytes]:
    """`length` bytes of the object at `key` from `start`, in chunks, never all in memory. The
    object is opened before this returns, so a missing one raises FileNotFound here."""
    if length <= 0:
        return iter(())
    s3 = _s3(default_storage)
    if s3 is not None:
        try:
            body = s3.bucket.Object(_s3_key(s3, key)).get(Range=f"bytes={start}-{start + length - 1}")["Body"]
        except ClientError as exc:
            if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                raise FileNotFound() from exc
            raise
        return _closing(body.iter_chunks(CHUNK_BYTES), body)
    try:
        handle = default_storage.open(key, "rb")
    except FileNotFoundError as exc:
        raise FileNotFound() from exc
    handle.seek(start)
    return _closing(_read(handle, length), handle)


def _read(handle, length: int) -> Iterator[bytes]:
    remaining = length
    while remaining > 0:
        chunk = handle.read(min(CHUNK_BYTES, remaining))
        if not chunk:
            return
        remaining -= len(chunk)
        yield chunk


def _closing(chunks: Iterator[bytes], resource) -> Iterator[bytes]:
    try:
        yield from chunks
    finally:
        resource.close()
