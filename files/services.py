"""Every write to the file library: Home for a new company, folders, uploads, renames, deletes.

Paths arrive raw and go through the one guard (files.paths) first. The database is the index of
the library; storage holds the bytes. Writes lock the chain of folders from Home down to the
entry (in path order, so writers never deadlock), which keeps folder sizes exact and stops an
upload landing in a folder that is being deleted or renamed. Bytes are written before the
database commits and removed if it does not; bytes a commit made obsolete are removed after it.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from files import content, paths, storage
from files.errors import (
    AlreadyExists,
    FileRequired,
    FolderMissing,
    ItemNotFound,
    NameTaken,
    NotDeletable,
    RenameNamesRequired,
    UnsupportedFileType,
    UploadTooLarge,
)
from files.models import LibraryEntry

Kind = LibraryEntry.Kind
RENAME_BATCH = 1000


def library_setup_company(*, company) -> LibraryEntry:
    """Every company has its Home folder from the start."""
    return LibraryEntry.objects.for_company(company).create(
        company=company, kind=Kind.FOLDER, name=paths.HOME, path=paths.HOME, folder=""
    )


def _chain(path: str) -> list[str]:
    """`Home/a/b` -> [`Home`, `Home/a`, `Home/a/b`]."""
    parts = path.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]


def _lock_chain(company, path: str) -> dict[str, LibraryEntry]:
    """The entries from Home down to `path` that exist, locked, by path."""
    rows = (
        LibraryEntry.objects.for_company(company)
        .select_for_update()
        .filter(path__in=_chain(path))
        .order_by("path")
    )
    return {entry.path: entry for entry in rows}


def _add_size(company, folders: list[str], delta: int) -> None:
    if delta:
        LibraryEntry.objects.for_company(company).filter(path__in=folders).update(size=F("size") + delta)


def _is_folder(entry: LibraryEntry | None) -> bool:
    return entry is not None and entry.kind == Kind.FOLDER


# ---- folders ------------------------------------------------------------------------------------


@transaction.atomic
def folder_create(*, company, parent_path, name) -> LibraryEntry:
    parent = paths.library_path(parent_path)
    name = paths.entry_name(name)
    path = paths.join(parent, name)
    chain = _lock_chain(company, path)
    if not _is_folder(chain.get(parent)):
        raise FolderMissing()
    if path in chain:
        raise AlreadyExists()
    try:
        with transaction.atomic():
            return LibraryEntry.objects.for_company(company).create(
                company=company, kind=Kind.FOLDER, name=name, path=path, folder=parent
            )
    except IntegrityError as exc:
        raise AlreadyExists() from exc


# ---- files --------------------------------------------------------------------------------------


def file_upload(*, company, folder_path, file) -> LibraryEntry:
    """Store an uploaded file (a Django File with a name) in the folder at `folder_path`."""
    if file is None:
        raise FileRequired()
    folder = paths.library_path(folder_path, home_prefix=False)
    name = paths.entry_name(file.name)
    path = paths.join(folder, name)
    if file.size > settings.FILES_MAX_UPLOAD_BYTES:
        raise UploadTooLarge()
    file.seek(0)
    kind = content.check_content(name, file.read(content.HEAD_BYTES))
    file.seek(0)
    # Fail fast, before any byte is stored; checked again under the locks below.
    existing = {e.path: e for e in LibraryEntry.objects.for_company(company).filter(path__in=[folder, path])}
    if not _is_folder(existing.get(folder)):
        raise FolderMissing()
    if path in existing:
        raise AlreadyExists()

    key = storage.save(paths.storage_key(company.pk, path), file)
    try:
        with transaction.atomic():
            chain = _lock_chain(company, path)
            if not _is_folder(chain.get(folder)):
                raise FolderMissing()
            if path in chain:
                raise AlreadyExists()
            entry = LibraryEntry.objects.for_company(company).create(
                company=company,
                kind=Kind.FILE,
                name=name,
                path=path,
                folder=folder,
                size=file.size,
                content_type=kind.content_type,
                storage_key=key,
            )
            _add_size(company, _chain(folder), file.size)
    except BaseException:
        storage.delete_many([key])
        raise
    return entry


# ---- delete -------------------------------------------------------------------------------------


def entry_never_deletable(entry: LibraryEntry) -> NotDeletable | None:
    """Home, the root of every company's library, is never deleted."""
    return NotDeletable() if entry.path == paths.HOME else None


def entry_delete(*, company, path) -> str:
    """Delete the file or folder at `path`; a folder with everything below it. The clean path."""
    path = paths.library_path(path, required=True, home_prefix=False)
    if path == paths.HOME:
        raise entry_never_deletable(LibraryEntry(path=path))
    with transaction.atomic():
        chain = _lock_chain(company, path)
        entry = chain.get(path)
        if entry is None:
            raise NotDeletable()
        entries = LibraryEntry.objects.for_company(company)
        keys = [entry.storage_key] if entry.storage_key else []
        if _is_folder(entry):
            below = entries.filter(path__startswith=f"{path}/")
            keys += [k for k in below.values_list("storage_key", flat=True) if k]
            below.delete()
        entry.delete()
        _add_size(company, _chain(paths.parent_of(path)), -entry.size)
    storage.delete_many(keys)
    if _is_folder(entry):
        storage.prune_empty_folders(paths.storage_key(company.pk, path))
    return path


# ---- rename -------------------------------------------------------------------------------------


def entry_rename(*, company, folder_path, old_name, new_name) -> tuple[str, str, str]:
    """Rename the file or folder `old_name` in the folder at `folder_path` to `new_name`; a
    folder moves with everything below it (paths and storage keys). (folder, old, new) clean."""
    if not all(isinstance(n, str) and n.strip() for n in (old_name, new_name)):
        raise RenameNamesRequired()
    folder = paths.library_path(folder_path)
    old_name, new_name = paths.entry_name(old_name), paths.entry_name(new_name)
    source, target = paths.join(folder, old_name), paths.join(folder, new_name)

    copied: list[str] = []
    try:
        with transaction.atomic():
            chain = _lock_chain(company, source)
            entry = chain.get(source)
            if entry is None or not _is_folder(chain.get(folder)):
                raise ItemNotFound()
            if source == target:
                return folder, old_name, new_name
            entries = LibraryEntry.objects.for_company(company)
            if entries.filter(path=target).exists():
                raise NameTaken()
            if entry.kind == Kind.FILE:
                new_type = content.file_type(new_name)
                if new_type.content_type != entry.content_type:
                    raise UnsupportedFileType()
            old_keys = _move(company, entry, target, copied)
    except BaseException:
        storage.delete_many(copied)
        raise
    storage.delete_many(old_keys)
    if entry.kind == Kind.FOLDER:
        storage.prune_empty_folders(paths.storage_key(company.pk, source))
    return folder, old_name, new_name


def _move(company, entry: LibraryEntry, target: str, copied: list[str]) -> list[str]:
    """Point `entry` and everything below it at `target`, copying their bytes to keys under the
    new path (recorded in `copied` as they are made). The keys that are no longer used."""
    source = entry.path
    old_keys = []

    def moved(item: LibraryEntry, path: str) -> None:
        item.path = path
        item.folder = paths.parent_of(path)
        if item.storage_key:
            old_keys.append(item.storage_key)
            item.storage_key = storage.copy(item.storage_key, paths.storage_key(company.pk, path))
            copied.append(item.storage_key)

    below = list(LibraryEntry.objects.for_company(company).filter(path__startswith=f"{source}/"))
    for item in below:
        moved(item, target + item.path[len(source) :])
    LibraryEntry.objects.for_company(company).bulk_update(
        below, ["path", "folder", "storage_key"], batch_size=RENAME_BATCH
    )
    moved(entry, target)
    entry.name = target.rpartition("/")[2]
    entry.modified_at = timezone.now()
    entry.save(update_fields=["name", "path", "folder", "storage_key", "modified_at"])
    return old_keys
