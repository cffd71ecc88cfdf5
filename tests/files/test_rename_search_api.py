"""Rename (files and folders with their descendants) and search, through the API."""

import pytest
import time_machine

from files.models import LibraryEntry
from tests.files.factories import JPEG, PDF, PNG, LibraryFileFactory, LibraryFolderFactory
from tests.platform_api import assert_envelope

pytestmark = pytest.mark.django_db
RENAME = "/api/v1/files/rename"
SEARCH = "/api/v1/files/search"
INVALID = ["Invalid rename request"]


def rename(client, old, new, folder=None):
    body = {"oldFileName": old, "newFileName": new}
    if folder is not None:
        body["relativePath"] = folder
    return client.post(RENAME, body, format="json")


def _entries(company) -> dict[str, LibraryEntry]:
    return {e.path: e for e in LibraryEntry.objects.for_company(company)}


# ---- rename -------------------------------------------------------------------------------------


def test_rename_a_file_moves_its_bytes(authed_client, company, library_storage):
    old = LibraryFileFactory(company=company, path="Home/2026/brochure.pdf", content=PDF)

    body = assert_envelope(
        rename(authed_client, "brochure.pdf", "brochure-final.pdf", "Home/2026"), 200, "Renamed", errors=None
    )

    assert body["data"] == {
        "RelativePath": "/Home/2026",
        "OldName": "brochure.pdf",
        "NewName": "brochure-final.pdf",
    }
    entry = _entries(company)["Home/2026/brochure-final.pdf"]
    assert entry.pk == old.pk and entry.name == "brochure-final.pdf" and entry.folder == "Home/2026"
    assert entry.storage_key == f"companies/{company.pk}/library/Home/2026/brochure-final.pdf"
    assert library_storage.all_keys() == {entry.storage_key}
    assert library_storage.read(entry.storage_key) == PDF
    assert "Home/2026/brochure.pdf" not in _entries(company)


def test_rename_a_folder_moves_everything_below_it(authed_client, company, library_storage):
    # given
    files = {"Home/2026/a.pdf": PDF, "Home/2026/Invoices/b.png": PNG, "Home/2026/Invoices/Q1/c.jpg": JPEG,
             "Home/2026x/keep.pdf": PDF}  # fmt: skip
    for path, content in files.items():
        LibraryFileFactory(company=company, path=path, content=content)
    LibraryFolderFactory(company=company, path="Home/2026/Empty")

    # when
    assert_envelope(rename(authed_client, "2026", "Archive 2026"), 200, "Renamed")

    # then: paths, folders and storage keys agree, and every file reads back through its new path
    entries = _entries(company)
    assert sorted(entries) == [
        "Home", "Home/2026x", "Home/2026x/keep.pdf", "Home/Archive 2026", "Home/Archive 2026/Empty",
        "Home/Archive 2026/Invoices", "Home/Archive 2026/Invoices/Q1", "Home/Archive 2026/Invoices/Q1/c.jpg",
        "Home/Archive 2026/Invoices/b.png", "Home/Archive 2026/a.pdf",
    ]  # fmt: skip
    for path, entry in entries.items():
        assert entry.folder == path.rpartition("/")[0] and entry.name == path.rpartition("/")[2]
        if entry.kind == "file":
            assert entry.storage_key == f"companies/{company.pk}/library/{path}"
    assert library_storage.all_keys() == {e.storage_key for e in entries.values() if e.kind == "file"}
    for old_path, content in files.items():
        new_path = old_path.replace("Home/2026/", "Home/Archive 2026/")
        response = authed_client.get("/api/v1/files/content", {"path": new_path})
        assert b"".join(response.streaming_content) == content
    assert entries["Home/Archive 2026"].size == len(PDF) + len(PNG) + len(JPEG)
    assert not any(d.endswith("Home/2026") for d in library_storage.dirs())


def test_rename_to_an_existing_name_is_409(authed_client, company, library_storage):
    LibraryFileFactory(company=company, path="Home/a.pdf")
    LibraryFileFactory(company=company, path="Home/b.pdf")
    LibraryFolderFactory(company=company, path="Home/F")
    for old, new in (("a.pdf", "b.pdf"), ("F", "a.pdf"), ("a.pdf", "F")):
        assert_envelope(
            rename(authed_client, old, new), 409, "A file with this name already exists.", errors=["Conflict"]
        )
    assert len(library_storage.all_keys()) == 2


def test_rename_missing_item_is_404(authed_client, company):
    LibraryFileFactory(company=company, path="Home/a.pdf")
    for old, folder in (("nope.pdf", None), ("a.pdf", "Home/Missing"), ("a.pdf", "Home/a.pdf")):
        assert_envelope(
            rename(authed_client, old, "x.pdf", folder), 404, "Item not found.", errors=["Not found"]
        )


@pytest.mark.parametrize(
    "body",
    [{}, {"oldFileName": "a.pdf"}, {"newFileName": "b.pdf"}, {"oldFileName": " ", "newFileName": "b.pdf"},
     {"oldFileName": "a.pdf", "newFileName": None}, {"oldFileName": 1, "newFileName": "b.pdf"}, []],
)  # fmt: skip
def test_rename_needs_both_names(authed_client, company, body):
    LibraryFileFactory(company=company, path="Home/a.pdf")
    assert_envelope(
        authed_client.post(RENAME, body, format="json"),
        400,
        "Old and new names are required.",
        errors=INVALID,
    )


def test_rename_keeps_the_extension_rules(authed_client, company, library_storage):
    LibraryFileFactory(company=company, path="Home/a.pdf")
    LibraryFileFactory(company=company, path="Home/p.jpg", content=JPEG)
    for old, new in (("a.pdf", "a.exe"), ("a.pdf", "a"), ("a.pdf", "a.png"), ("p.jpg", "p.pdf")):
        assert_envelope(rename(authed_client, old, new), 400, "Unsupported file type.", errors=INVALID)
    assert_envelope(rename(authed_client, "p.jpg", "p.JPEG"), 200, "Renamed")  # the same type
    assert_envelope(rename(authed_client, "a.pdf", "../a.pdf"), 400, "Invalid name.", errors=INVALID)
    assert_envelope(rename(authed_client, "a.pdf", "b.pdf", "Home/.."), 400, "Invalid path.", errors=INVALID)
    assert_envelope(rename(authed_client, "a.pdf", "b.pdf", "/etc"), 403, "Unauthorized access.")
    assert sorted(_entries(company)) == ["Home", "Home/a.pdf", "Home/p.JPEG"]


def test_rename_to_the_same_name_changes_nothing(authed_client, company, library_storage):
    entry = LibraryFileFactory(company=company, path="Home/a.pdf")
    assert_envelope(rename(authed_client, "a.pdf", "a.pdf", ""), 200, "Renamed")
    assert library_storage.all_keys() == {entry.storage_key}


# ---- search -------------------------------------------------------------------------------------


def test_search_finds_files_by_name(authed_client, company, other_company):
    with time_machine.travel("2026-02-27T10:12:00Z", tick=False):
        LibraryFileFactory(company=company, path="Home/2026/brochure.pdf")
    with time_machine.travel("2026-02-27T22:05:09Z", tick=False):
        LibraryFileFactory(company=company, path="Home/Old Brochure v1.pdf")
    LibraryFolderFactory(company=company, path="Home/Brochures")  # folders are not results
    LibraryFileFactory(company=company, path="Home/flyer.pdf")
    LibraryFileFactory(company=other_company, path="Home/brochure-theirs.pdf")

    body = assert_envelope(authed_client.get(SEARCH, {"q": "BROCHURE"}), 200, "Search results", errors=None)

    assert body["data"] == [
        {"FileName": "Old Brochure v1.pdf", "FullPath": "Home", "CreationTime": "2/27/2026 10:05:09 PM",
         "LastWriteTime": "2/27/2026 10:05:09 PM"},
        {"FileName": "brochure.pdf", "FullPath": "Home/2026", "CreationTime": "2/27/2026 10:12:00 AM",
         "LastWriteTime": "2/27/2026 10:12:00 AM"},
    ]  # fmt: skip


def test_search_takes_wildcards_literally_and_may_find_nothing(authed_client, company):
    LibraryFileFactory(company=company, path="Home/a_b.pdf")
    LibraryFileFactory(company=company, path="Home/axb.pdf")
    assert [r["FileName"] for r in authed_client.get(SEARCH, {"q": "a_b"}).json()["data"]] == ["a_b.pdf"]
    assert assert_envelope(authed_client.get(SEARCH, {"q": "%"}), 200, "Search results")["data"] == []


def test_search_needs_a_query(authed_client):
    for params in ({}, {"q": ""}, {"q": "   "}):
        assert_envelope(
            authed_client.get(SEARCH, params), 400, "Query required.", errors=["Missing query parameter q"]
        )
    for q in ("a\x00b", "x" * 300):
        assert_envelope(
            authed_client.get(SEARCH, {"q": q}), 400, "Invalid query.", errors=["Invalid query parameter q"]
        )


def test_search_results_are_capped(authed_client, company, settings):
    settings.FILES_SEARCH_MAX_RESULTS = 3
    for i in range(5):
        LibraryFileFactory(company=company, path=f"Home/r{i}.pdf")
    assert [r["FileName"] for r in authed_client.get(SEARCH, {"q": "r"}).json()["data"]] == [
        "r0.pdf",
        "r1.pdf",
        "r2.pdf",
    ]
