"""The one path guard of the file library.

Every path or name a client sends goes through `library_path` or `entry_name` before anything
reads the database or touches storage. A clean path is relative, starts with `Home`, and each of
its segments is a plain file name: no `.`/`..` (also as look-alike or percent-encoded dots), no
separators other than `/`, no control or format characters, no characters invalid in file
names, not too long. Input that names something outside Home (an absolute path, a drive, a UNC
share, `~`) is refused as forbidden; any other malformed input as invalid.

Storage keys are built from clean paths only (`storage_key`), under the company's prefix.
"""

import re
import unicodedata

from files.errors import InvalidName, InvalidPath, PathOutsideHome, PathRequired

HOME = "Home"
# Each segment is one file name on disk (255 bytes on common file systems); S3 keys are at most
# 1024 bytes and the company prefix `companies/<uuid>/library/` takes 55 of them.
MAX_NAME_BYTES = 255
MAX_PATH_BYTES = 900
# Characters no file name may hold (Windows' list, which covers every other platform's).
INVALID_NAME_CHARS = frozenset('<>:"|?*\\/')
_BAD_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})
_DRIVE = re.compile(r"^[A-Za-z]:")
_ENCODED = re.compile(r"%[0-9A-Fa-f]{2}")


def has_bad_characters(text: str) -> bool:
    return any(unicodedata.category(ch) in _BAD_CATEGORIES for ch in text)


def _segment(raw: str, error: type[Exception]) -> str:
    """One path segment (a file or folder name), NFC-normalised, or `error`."""
    name = unicodedata.normalize("NFC", raw)
    if not name or len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise error()
    if has_bad_characters(name) or INVALID_NAME_CHARS.intersection(name) or _ENCODED.search(name):
        raise error()
    # Look-alikes: fullwidth dots and slashes, the one/two dot leaders ... fold to ASCII here.
    folded = unicodedata.normalize("NFKC", name)
    if folded in (".", "..") or ".." in folded or INVALID_NAME_CHARS.intersection(folded):
        raise error()
    if name != name.strip() or name.endswith("."):
        raise error()  # names Windows cannot hold, and easy to confuse with their trimmed form
    return name


def _is_outside(text: str) -> bool:
    """An absolute path, a drive, a UNC share or a home directory: never inside Home."""
    return text.startswith(("\\", "~")) or bool(_DRIVE.match(text))


def library_path(raw, *, required: bool = False, home_prefix: bool = True) -> str:
    """The clean library path (`Home` or `Home/...`) that `raw` names.

    Blank input means Home (PathRequired when `required`). Without a leading `Home` segment the
    path is taken as relative to Home when `home_prefix`, refused otherwise. A leading `/` is
    accepted before `Home` only (the API answers paths as `/Home/...`).
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            raise PathRequired()
        return HOME
    if not isinstance(raw, str):
        raise InvalidPath()
    text = raw.strip()
    if has_bad_characters(text):
        raise InvalidPath()
    if _is_outside(text):
        raise PathOutsideHome()
    if text.startswith("/"):
        text = text[1:]
        if text.split("/", 1)[0].lower() != HOME.lower():
            raise PathOutsideHome()
    if text.endswith("/"):
        text = text[:-1]
    if len(text.encode("utf-8")) > MAX_PATH_BYTES:
        raise InvalidPath()
    segments = [_segment(part, InvalidPath) for part in text.split("/")]
    if segments[0].lower() == HOME.lower():
        segments[0] = HOME
    elif home_prefix:
        segments.insert(0, HOME)
    else:
        raise InvalidPath()
    path = "/".join(segments)
    if len(path.encode("utf-8")) > MAX_PATH_BYTES:
        raise InvalidPath()
    return path


def entry_name(raw) -> str:
    """A single file or folder name (no separators, no `.`/`..`), surrounding spaces trimmed."""
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidName()
    return _segment(raw.strip(), InvalidName)


def join(folder: str, name: str) -> str:
    path = f"{folder}/{name}"
    if len(path.encode("utf-8")) > MAX_PATH_BYTES:
        raise InvalidPath()
    return path


def parent_of(path: str) -> str:
    return path.rpartition("/")[0]


def extension(name: str) -> str:
    """`.pdf` for `a.PDF`; empty when there is none."""
    stem, dot, ext = name.rpartition(".")
    return f".{ext.lower()}" if dot and stem else ""


def display(path: str) -> str:
    """Paths as the write endpoints answer them: `/Home/2026`."""
    return f"/{path}"


def company_prefix(company_id) -> str:
    return f"companies/{company_id}/library/"


def storage_key(company_id, path: str) -> str:
    """Where the bytes of the entry at `path` live. Only clean paths come here."""
    if path != HOME and not path.startswith(f"{HOME}/"):
        raise InvalidPath()
    return f"{company_prefix(company_id)}{path}"
