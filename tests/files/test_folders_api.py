"""Folder contents, folder create and delete, through the API, on local disk and on S3."""

import pytest
import time_machine
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.roles import READ_ONLY
from files.models import LibraryEntry
from tests.accounts.factories import UserFactory
from tests.files.factories import PDF, PNG, LibraryFileFactory, LibraryFolderFactory
from tests.platform_api import assert_envelope, bearer, login

pytestmark = pytest.mark.django_db
CONTENTS = "/api/v1/files/folders/contents"
FOLDERS = "/api/v1/files/folders"
DELETE = "/api/v1/files"
CREATE_FAILED = ["Invalid folder input or parent path"]
DELETE_FAILED = ["Invalid path or target not deletable"]


def _client_for(user) -> APIClient:
    key = account_services.api_key_issue(user=user).secret
    return bearer(APIClient(), login(APIClient(), key)["token"])


def _entries(company) -> dict[str, LibraryEntry]:
    return {e.path: e for e in LibraryEntry.objects.for_company(company)}


# ---- contents -----------------------------------------------------------------------------------


def test_a_new_company_has_an_empty_home(authed_client, company):
    body = assert_envelope(authed_client.get(CONTENTS), 200, "Folder contents", errors=None)
    assert body["data"] == {"files": [], "folders": []}
    assert _entries(company)["Home"].kind == "folder"


def test_contents_shape_and_recursive_folder_sizes(authed_client, company, library_storage):
    # given
    with time_machine.travel("2026-02-26T10:12:00Z", tick=False):
        LibraryFileFactory(company=company, path="Home/Assets/brochure.pdf", content=PDF)
        LibraryFileFactory(company=company, path="Home/Assets/Archive/old.pdf", content=PDF * 2)
        LibraryFileFactory(company=company, path="Home/Assets/Archive/2025/older.png", content=PNG)

    # when
    body = assert_envelope(authed_client.get(CONTENTS, {"path": "Home/Assets", "sort": "name"}), 200)

    # then
    assert body["data"]["files"] == [
        {
            "fileName": "brochure.pdf",
            "relativePath": "Home/Assets/brochure.pdf",
            "extension": ".pdf",
            "sizeInBytes": len(PDF),
            "sizeInMB": len(PDF) / 1048576,
            "creationDate": "2026-02-26T10:12:00Z",
            "lastModified": "2026-02-26T10:12:00Z",
        }
    ]
    archive_size = len(PDF) * 2 + len(PNG)
    assert body["data"]["folders"] == [
        {
            "folderName": "Archive",
            "relativePath": "Home/Assets/Archive",
            "creationDate": "2026-02-26T10:12:00Z",
            "sizeInBytes": archive_size,
            "sizeInMB": archive_size / 1048576,
        }
    ]
    home = assert_envelope(authed_client.get(CONTENTS), 200)["data"]
    assert home["folders"][0]["sizeInBytes"] == archive_size + len(PDF)


def test_sort_by_name_or_date(authed_client, company):
    for day, name in ((1, "b.pdf"), (2, "A.pdf"), (3, "c.pdf")):
        with time_machine.travel(f"2026-03-0{day}T09:00:00Z", tick=False):
            LibraryFileFactory(company=company, path=f"Home/{name}")

    def names(sort):
        return [f["fileName"] for f in authed_client.get(CONTENTS, {"sort": sort}).json()["data"]["files"]]

    assert names("name") == ["A.pdf", "b.pdf", "c.pdf"]
    assert names("anything") == ["A.pdf", "b.pdf", "c.pdf"]
    assert names("date") == ["c.pdf", "A.pdf", "b.pdf"]


@pytest.mark.parametrize("path", ["Assets", "Home/Assets", "/Home/Assets", "home/Assets/", "  Home/Assets  "])
def test_contents_path_forms(authed_client, company, path):
    LibraryFileFactory(company=company, path="Home/Assets/a.pdf")
    body = assert_envelope(authed_client.get(CONTENTS, {"path": path}), 200, "Folder contents")
    assert [f["relativePath"] for f in body["data"]["files"]] == ["Home/Assets/a.pdf"]


def test_contents_of_a_missing_folder_or_a_file(authed_client, company):
    LibraryFileFactory(company=company, path="Home/a.pdf")
    for path in ("Home/Nope", "Home/a.pdf"):
        assert_envelope(
            authed_client.get(CONTENTS, {"path": path}), 404, "Folder not found.", errors=["Not found"]
        )


def test_contents_refuses_bad_paths(authed_client):
    assert_envelope(
        authed_client.get(CONTENTS, {"path": "Home/../x"}),
        400,
        "Invalid path.",
        errors=["Invalid path input"],
    )
    assert_envelope(
        authed_client.get(CONTENTS, {"path": "/etc"}), 403, "Unauthorized access.", errors=["Forbidden"]
    )


def test_contents_needs_a_token(api_client):
    assert_envelope(
        api_client.get(CONTENTS), 401, "Missing or invalid authentication token", errors=["Unauthorized"]
    )


def test_role_without_file_rights_is_refused_everywhere(company):
    client = _client_for(UserFactory(company=company, roles=()))
    denied = "Unauthorized access."
    assert_envelope(client.get(CONTENTS), 403, denied, errors=["Forbidden"])
    assert_envelope(client.post(FOLDERS, {"name": "X"}, format="json"), 403, denied)
    assert_envelope(client.delete(f"{DELETE}?path=Home/x"), 403, denied)
    assert_envelope(client.get("/api/v1/files/content", {"path": "Home/a.pdf"}), 403, denied)
    assert_envelope(client.post("/api/v1/files/rename", {}, format="json"), 403, denied)
    assert_envelope(client.post("/api/v1/files/upload", {}), 403, denied)
    assert_envelope(
        client.get("/api/v1/files/search", {"q": "a"}),
        403,
        "Authenticated token is valid, but permission is denied",
    )


def test_read_only_role_reads_but_does_not_write(company):
    LibraryFileFactory(company=company, path="Home/a.pdf")
    client = _client_for(UserFactory(company=company, roles=(READ_ONLY,)))
    assert_envelope(client.get(CONTENTS), 200, "Folder contents")
    assert_envelope(client.get("/api/v1/files/search", {"q": "a"}), 200, "Search results")
    assert client.get("/api/v1/files/content", {"path": "Home/a.pdf"}).status_code == 200
    assert_envelope(client.post(FOLDERS, {"name": "X"}, format="json"), 403, "Unauthorized access.")
    assert_envelope(client.delete(f"{DELETE}?path=Home/a.pdf"), 403, "Unauthorized access.")


# ---- create -------------------------------------------------------------------------------------


def test_create_folder(authed_client, company):
    LibraryFolderFactory(company=company, path="Home/2026")
    body = assert_envelope(
        authed_client.post(FOLDERS, {"name": "Invoices", "parentPath": "Home/2026"}, format="json"),
        200,
        "Folder created",
        errors=None,
    )
    assert body["data"] == {"Path": "/Home/2026/Invoices", "Name": "Invoices"}
    entry = _entries(company)["Home/2026/Invoices"]
    assert entry.kind == "folder" and entry.folder == "Home/2026" and entry.size == 0


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"name": "A"}, "/Home/A"),
        ({"Name": "A", "ParentPath": ""}, "/Home/A"),
        ({"name": "A", "parentPath": None}, "/Home/A"),
        ({"name": " A ", "parentPath": "2026"}, "/Home/2026/A"),  # Home/ is prefixed
        ({"name": "Été 2026", "parentPath": "/Home/2026/"}, "/Home/2026/Été 2026"),
    ],
)
def test_create_folder_parent_forms(authed_client, company, body, path):
    LibraryFolderFactory(company=company, path="Home/2026")
    assert assert_envelope(authed_client.post(FOLDERS, body, format="json"), 200)["data"]["Path"] == path


@pytest.mark.parametrize(
    "name",
    ["", "   ", None, 7, "a/b", "a\\b", ".", "..", "a..b", "/abs", "C:", "a:b", "a*b", "a?b", 'a"b', "a<b", "a|b",
     "a\x00b", "a\tb", "x" * 256, "trailing.", "%2e%2e", "\u2025"],
)  # fmt: skip
def test_create_folder_refuses_bad_names(authed_client, company, name):
    response = authed_client.post(FOLDERS, {"name": name}, format="json")
    assert_envelope(response, 400, "Failed to create folder", errors=CREATE_FAILED)
    assert list(_entries(company)) == ["Home"]


def test_create_folder_refuses_missing_parent_existing_name_and_bad_bodies(authed_client, company):
    LibraryFolderFactory(company=company, path="Home/Taken")
    LibraryFileFactory(company=company, path="Home/file.pdf")
    for body in (
        {"name": "A", "parentPath": "Home/Missing"},
        {"name": "A", "parentPath": "Home/file.pdf"},
        {"name": "Taken"},
        {"name": "file.pdf"},
        {"name": "A", "parentPath": "Home/../x"},
    ):
        assert_envelope(
            authed_client.post(FOLDERS, body, format="json"),
            400,
            "Failed to create folder",
            errors=CREATE_FAILED,
        )
    assert_envelope(authed_client.post(FOLDERS, [1, 2], format="json"), 400, "Failed to create folder")
    assert_envelope(
        authed_client.post(FOLDERS, {"name": "A", "parentPath": "C:\\x"}, format="json"),
        403,
        "Unauthorized access.",
    )


# ---- delete -------------------------------------------------------------------------------------


def test_delete_a_file(authed_client, company, library_storage):
    keep = LibraryFileFactory(company=company, path="Home/2026/keep.pdf")
    gone = LibraryFileFactory(company=company, path="Home/2026/brochure.pdf")

    body = assert_envelope(
        authed_client.delete(f"{DELETE}?path=Home/2026/brochure.pdf"), 200, "Deleted", errors=None
    )

    assert body["data"] == {"Path": "/Home/2026/brochure.pdf"}
    entries = _entries(company)
    assert "Home/2026/brochure.pdf" not in entries
    assert entries["Home/2026"].size == keep.size and entries["Home"].size == keep.size
    assert library_storage.all_keys() == {keep.storage_key}
    assert gone.storage_key not in library_storage.all_keys()


def test_delete_a_folder_is_recursive(authed_client, company, library_storage):
    # given
    other = LibraryFileFactory(company=company, path="Home/Other/x.pdf")
    for path in ("Home/2026/a.pdf", "Home/2026/Invoices/b.pdf", "Home/2026/Invoices/Q1/c.png"):
        LibraryFileFactory(company=company, path=path, content=PNG if path.endswith("png") else PDF)
    LibraryFolderFactory(company=company, path="Home/2026/Empty")

    # when
    body = assert_envelope(authed_client.delete(f"{DELETE}?path=Home/2026"), 200, "Deleted")

    # then: the folder, everything below it, and its bytes are gone; the rest stays
    assert body["data"] == {"Path": "/Home/2026"}
    entries = _entries(company)
    assert sorted(entries) == ["Home", "Home/Other", "Home/Other/x.pdf"]
    assert entries["Home"].size == other.size
    assert library_storage.all_keys() == {other.storage_key}
    assert not any("Home/2026" in d for d in library_storage.dirs())


def test_delete_refuses_home_missing_targets_and_bad_paths(authed_client, company):
    LibraryFileFactory(company=company, path="Home/a.pdf")
    for query in (
        "?path=Home",
        "?path=/Home/",
        "?path=",
        "",
        "?path=Home/nope.pdf",
        "?path=Home/a.pdf/x",
        "?path=Home/../a.pdf",
    ):
        assert_envelope(authed_client.delete(f"{DELETE}{query}"), 400, "Delete failed", errors=DELETE_FAILED)
    assert_envelope(authed_client.delete(f"{DELETE}?path=/etc/passwd"), 403, "Unauthorized access.")
    assert sorted(_entries(company)) == ["Home", "Home/a.pdf"]


def test_delete_needs_home_first(authed_client, company):
    LibraryFileFactory(company=company, path="Home/a.pdf")
    assert_envelope(authed_client.delete(f"{DELETE}?path=a.pdf"), 400, "Delete failed")
    assert "Home/a.pdf" in _entries(company)
