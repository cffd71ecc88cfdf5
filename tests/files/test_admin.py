import pytest
from django.core.files.storage import default_storage

from files.models import LibraryEntry
from tests.admin_support import messages_of
from tests.files.factories import LibraryFileFactory, make_file

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


def test_staff_delete_a_folder_through_the_service(admin_client, company):
    kept = make_file(company, "Home/keep.pdf")
    doomed = make_file(company, "Home/2026/brochure.pdf")
    folder = LibraryEntry.objects.for_company(company).get(path="Home/2026")

    response = admin_client.post(
        "/admin/files/libraryentry/",
        {"action": "delete_selected", "_selected_action": [folder.pk], "post": "yes"},
    )

    assert messages_of(response) == ["Deleted 1 library entry."]
    paths = set(LibraryEntry.objects.for_company(company).values_list("path", flat=True))
    assert paths == {"Home", "Home/keep.pdf"}
    assert not default_storage.exists(doomed.storage_key) and default_storage.exists(kept.storage_key)
    home = LibraryEntry.objects.for_company(company).get(path="Home")
    assert home.size == kept.size  # the service kept the folder sizes in step


def test_home_offers_no_delete_and_says_why(admin_client, company):
    home = LibraryEntry.objects.for_company(company).get(path="Home")

    page = admin_client.get(f"/admin/files/libraryentry/{home.pk}/change/")
    bulk = admin_client.post(
        "/admin/files/libraryentry/",
        {"action": "delete_selected", "_selected_action": [home.pk], "post": "yes"},
    )

    assert "deletelink" not in page.text
    assert (
        "This library entry cannot be deleted: Delete failed Invalid path or target not deletable"
        in page.text
    )
    assert messages_of(bulk) == ["Home: Delete failed Invalid path or target not deletable"]
    assert LibraryEntry.objects.for_company(company).filter(path="Home").exists()
