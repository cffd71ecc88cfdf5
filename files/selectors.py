"""Reads of the file library, always scoped to a company. Listing and search read the database,
never a storage listing."""

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from django.conf import settings
from django.db import connection

from config.db import fetch_all
from files import paths
from files.errors import FileNotFound, FolderNotFound, InvalidQuery, QueryRequired
from files.models import LibraryEntry

SORT_NAME, SORT_DATE = "name", "date"


@dataclass(frozen=True)
class FolderContents:
    files: list[LibraryEntry]
    folders: list[LibraryEntry]


def get_entry(*, company, path: str) -> LibraryEntry | None:
    return LibraryEntry.objects.for_company(company).filter(path=path).first()


def folder_contents(*, company, path, sort=SORT_NAME) -> FolderContents:
    """The files and folders directly in the folder at `path` (blank: Home; relative paths are
    taken from Home). Sort `date`: newest first (files by last change, folders by creation);
    anything else: by name."""
    path = paths.library_path(path)
    entries = list(LibraryEntry.objects.for_company(company).filter(folder=path))
    if not entries and not _is_folder(company, path):
        raise FolderNotFound()
    files = [e for e in entries if e.kind == LibraryEntry.Kind.FILE]
    folders = [e for e in entries if e.kind == LibraryEntry.Kind.FOLDER]
    by_name = lambda e: (e.name.casefold(), e.name)  # noqa: E731
    files.sort(key=by_name)
    folders.sort(key=by_name)
    if sort == SORT_DATE:
        files.sort(key=lambda e: e.modified_at, reverse=True)
        folders.sort(key=lambda e: e.created_at, reverse=True)
    return FolderContents(files=files, folders=folders)


def _is_folder(company, path: str) -> bool:
    return LibraryEntry.objects.for_company(company).filter(path=path, kind=LibraryEntry.Kind.FOLDER).exists()


def file_at(*, company, path) -> LibraryEntry:
    """The file at `path` (from Home); FileNotFound for a folder or nothing there."""
    path = paths.library_path(path, required=True, home_prefix=False)
    entry = LibraryEntry.objects.for_company(company).filter(path=path, kind=LibraryEntry.Kind.FILE).first()
    if entry is None:
        raise FileNotFound()
    return entry


def search_files(*, company, query) -> list[dict]:
    """Files whose name contains `query` (any case), by name: at most FILES_SEARCH_MAX_RESULTS.
    The query is written out, as the ORM would write it (the same LIKE, so PostgreSQL's trigram
    index on UPPER(name) serves it): building it with the ORM costs ten times more than running it."""
    if not isinstance(query, str) or not query.strip():
        raise QueryRequired()
    query = query.strip()
    if len(query.encode("utf-8")) > paths.MAX_NAME_BYTES or paths.has_bad_characters(query):
        raise InvalidQuery()
    company_key = LibraryEntry._meta.get_field("company").target_field.get_db_prep_value(
        company.pk, connection
    )
    pattern = f"%{connection.ops.prep_for_like_query(query)}%"
    rows = fetch_all(_search_sql(), [company_key, pattern, settings.FILES_SEARCH_MAX_RESULTS])
    return [
        {"name": name, "folder": folder, "created_at": _aware(created), "modified_at": _aware(modified)}
        for name, folder, created, modified in rows
    ]


@lru_cache(maxsize=1)
def _search_sql() -> str:
    if connection.vendor == "postgresql":
        name_contains = "UPPER(name::text) LIKE UPPER(%s)"
    else:  # SQLite, whose LIKE ignores ASCII case
        name_contains = "name LIKE %s ESCAPE '\\'"
    return (
        f"SELECT name, folder, created_at, modified_at FROM {LibraryEntry._meta.db_table} "  # noqa: S608
        f"WHERE company_id = %s AND kind = '{LibraryEntry.Kind.FILE}' AND {name_contains} "
        "ORDER BY name, path LIMIT %s"
    )


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive UTC datetimes from a raw query."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
