import pytest

from tests.files.factories import LibraryFileFactory

pytestmark = pytest.mark.django_db


def test_staff_browse_a_companys_library(admin_client, company, other_company):
    entry = LibraryFileFactory(company=company, path="Home/2026/brochure.pdf")
    LibraryFileFactory(company=other_company, path="Home/theirs.pdf")

    listing = admin_client.get("/admin/files/libraryentry/", {"q": company.name})
    assert listing.status_code == 200
    assert b"Home/2026/brochure.pdf" in listing.content and b"theirs.pdf" not in listing.content

    detail = admin_client.get(f"/admin/files/libraryentry/{entry.pk}/change/")
    assert detail.status_code == 200 and entry.storage_key.encode() in detail.content
    assert admin_client.get("/admin/files/libraryentry/add/").status_code == 403
