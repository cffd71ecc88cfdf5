"""The traversal corpus against every path-taking endpoint, on local disk and S3: every payload is
refused with 400/403 in the envelope, and nothing in storage (or on disk beside it) changes.
Another company's library is invisible."""

import hashlib
import os
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from files import paths
from files.errors import InvalidPath, PathOutsideHome
from files.models import LibraryEntry
from tests.files.factories import PDF, LibraryFileFactory, LibraryFolderFactory
from tests.platform_api import assert_envelope

pytestmark = pytest.mark.django_db

CORPUS = [
    "../", "..", ".", "../../etc/passwd", "..%2f..%2fetc%2fpasswd", "%2e%2e/%2e%2e/etc/passwd", "%2e%2e%2f",
    "%252e%252e%252f", "..%c0%af", "%c0%ae%c0%ae/", "....//....//etc/passwd", "..\\..\\windows\\win.ini",
    "Home\\..\\..\\x", "/etc/passwd", "/", "//server/share", "\\\\server\\share\\x", "C:\\", "C:/Windows/System32",
    "c:", "~/.ssh/id_rsa", "Home/../../x", "Home/2026/../../../etc", "Home/./x", "Home/x/..", "..;/",
    "Home/a\x00b.pdf", "\x00", "%00", "Home/a\nb", "Home/a\rb", "Home/\u2024\u2024/x", "Home/\uff0e\uff0e/x",
    "Home/\u2025/x", "Home/a\uff0fb", "Home/a\u2215..", "Home/" + "a" * 300, "Home/" + "/".join(["abc"] * 300),
    "Home/a<b>c", "Home/a:b", "Home/a|b", "Home/a?b*", "Home/\u202egnp.pdf", "Home//x", "file:///etc/passwd",
    "Home/x /y", "Home/x./y", "Home/\u200b../x",
]  # fmt: skip
assert len(CORPUS) >= 30

UPLOAD_FAILED = ("Upload failed", ["Invalid file, path, or duplicate upload"])
RENAME_INVALID = ["Invalid rename request"]


def _snapshot(root) -> dict:
    """Every file under `root` with a digest of its bytes."""
    out = {}
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            full = os.path.join(dirpath, name)
            with open(full, "rb") as f:
                out[full] = hashlib.sha256(f.read()).hexdigest()
    return out


@pytest.fixture
def victims(company, other_company, library_storage, tmp_path):
    """What a traversal would aim at: another company's library and a file beside the storage
    root. Returns a check that nothing changed."""
    (tmp_path / "secret.pdf").write_bytes(PDF)
    LibraryFileFactory(company=other_company, path="Home/Theirs/secret.pdf")
    LibraryFileFactory(company=company, path="Home/2026/mine.pdf")
    LibraryFolderFactory(company=company, path="Home/x")
    before_keys = {k: library_storage.read(k) for k in library_storage.all_keys()}
    before_disk = _snapshot(tmp_path)
    before_rows = sorted(LibraryEntry.unscoped.values_list("company_id", "path", "storage_key", "size"))

    def unchanged():
        assert {k: library_storage.read(k) for k in library_storage.all_keys()} == before_keys
        assert _snapshot(tmp_path) == before_disk
        assert (
            sorted(LibraryEntry.unscoped.values_list("company_id", "path", "storage_key", "size"))
            == before_rows
        )

    return unchanged


def _refused(response, message_400, errors_400=None):
    status = response.status_code
    assert status in (400, 403), (status, response.content[:300])
    if status == 400:
        assert_envelope(response, 400, message_400, **({"errors": errors_400} if errors_400 else {}))
    else:
        assert_envelope(response, 403, "Unauthorized access.", errors=["Forbidden"])


ENDPOINTS = {
    "contents path": lambda c, p: c.get("/api/v1/files/folders/contents", {"path": p}),
    "folder create parentPath": lambda c, p: c.post("/api/v1/files/folders", {"name": "New", "parentPath": p}, format="json"),
    "folder create name": lambda c, p: c.post("/api/v1/files/folders", {"name": p, "parentPath": "Home"}, format="json"),
    "delete path": lambda c, p: c.delete(f"/api/v1/files?{urlencode({'path': p})}"),
    "upload FolderPath": lambda c, p: c.post(
        "/api/v1/files/upload", {"File": SimpleUploadedFile("up.pdf", PDF), "FolderPath": p}, format="multipart"
    ),
    "content path": lambda c, p: c.get("/api/v1/files/content", {"path": p}),
    "rename relativePath": lambda c, p: c.post(
        "/api/v1/files/rename", {"relativePath": p, "oldFileName": "mine.pdf", "newFileName": "new.pdf"}, format="json"
    ),
    "rename oldFileName": lambda c, p: c.post(
        "/api/v1/files/rename", {"relativePath": "Home/2026", "oldFileName": p, "newFileName": "new.pdf"}, format="json"
    ),
    "rename newFileName": lambda c, p: c.post(
        "/api/v1/files/rename", {"relativePath": "Home/2026", "oldFileName": "mine.pdf", "newFileName": p}, format="json"
    ),
}  # fmt: skip
MESSAGES = {
    "contents path": ("Invalid path.", ["Invalid path input"]),
    "folder create parentPath": ("Failed to create folder", ["Invalid folder input or parent path"]),
    "folder create name": ("Failed to create folder", ["Invalid folder input or parent path"]),
    "delete path": ("Delete failed", ["Invalid path or target not deletable"]),
    "upload FolderPath": UPLOAD_FAILED,
    "content path": None,  # "Path is required." for blank, "Invalid path." otherwise
    "rename relativePath": ("Invalid path.", RENAME_INVALID),
    "rename oldFileName": ("Invalid name.", RENAME_INVALID),
    "rename newFileName": ("Invalid name.", RENAME_INVALID),
}


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_every_payload_is_refused_and_nothing_is_touched(endpoint, authed_client, victims):
    call = ENDPOINTS[endpoint]
    for payload in CORPUS:
        response = call(authed_client, payload)
        expected = MESSAGES[endpoint]
        if expected is None:
            message = "Path is required." if not payload.strip() else "Invalid path."
            _refused(response, message, ["Invalid path"])
        else:
            _refused(response, *expected)
    victims()


@pytest.mark.parametrize("payload", CORPUS)
def test_the_guard_refuses_every_payload(payload):
    with pytest.raises((InvalidPath, PathOutsideHome)):
        paths.library_path(payload)
    with pytest.raises(Exception):  # noqa: B017 (InvalidName or one of the above)
        paths.entry_name(payload)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (None, "Home"), ("", "Home"), ("  ", "Home"), ("Home", "Home"), ("home", "Home"), ("/Home/", "Home"),
        ("Home/2026/", "Home/2026"), ("2026/Invoices", "Home/2026/Invoices"), ("HOME/a.pdf", "Home/a.pdf"),
        ("Home/Cafe\u0301.pdf", "Home/Caf\u00e9.pdf"), ("Home/50% off.pdf", "Home/50% off.pdf"),
        ("Home/a b/c-d_e (1).pdf", "Home/a b/c-d_e (1).pdf"),
    ],
)  # fmt: skip
def test_the_guard_normalises(raw, clean):
    assert paths.library_path(raw) == clean


def test_paths_outside_home_are_forbidden_and_others_invalid():
    for raw in ("/etc/passwd", "C:\\x", "c:", "\\\\srv\\x", "~/x", "//x"):
        with pytest.raises(PathOutsideHome):
            paths.library_path(raw)
    for raw in ("../x", "Home/\x00", "2026"):
        with pytest.raises(InvalidPath):
            paths.library_path(raw, home_prefix=raw != "2026")


def test_storage_keys_stay_under_the_company_prefix(company):
    assert paths.storage_key(company.pk, "Home/a.pdf") == f"companies/{company.pk}/library/Home/a.pdf"
    with pytest.raises(InvalidPath):
        paths.storage_key(company.pk, "../x")


# ---- another company's library ------------------------------------------------------------------


def test_another_companys_paths_are_invisible(authed_client, other_company, library_storage):
    theirs = LibraryFileFactory(company=other_company, path="Home/Theirs/secret.pdf")
    path = "Home/Theirs/secret.pdf"

    assert_envelope(authed_client.get("/api/v1/files/content", {"path": path}), 404, "File not found.")
    assert_envelope(
        authed_client.get("/api/v1/files/folders/contents", {"path": "Home/Theirs"}), 404, "Folder not found."
    )
    assert_envelope(authed_client.delete(f"/api/v1/files?path={path}"), 400, "Delete failed")
    assert_envelope(authed_client.delete("/api/v1/files?path=Home/Theirs"), 400, "Delete failed")
    assert_envelope(
        authed_client.post("/api/v1/files/rename", {"relativePath": "Home/Theirs", "oldFileName": "secret.pdf", "newFileName": "x.pdf"}, format="json"),
        404, "Item not found.",
    )  # fmt: skip
    assert_envelope(
        authed_client.post("/api/v1/files/upload", {"File": SimpleUploadedFile("x.pdf", PDF), "FolderPath": "Home/Theirs"}, format="multipart"),
        400, "Upload failed",
    )  # fmt: skip
    assert_envelope(
        authed_client.post("/api/v1/files/folders", {"name": "x", "parentPath": "Home/Theirs"}, format="json"),
        400, "Failed to create folder",
    )  # fmt: skip
    assert assert_envelope(authed_client.get("/api/v1/files/search", {"q": "secret"}), 200)["data"] == []
    assert library_storage.all_keys() == {theirs.storage_key}
    assert library_storage.read(theirs.storage_key) == PDF
