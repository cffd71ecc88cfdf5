"""Print-ready output of approved campaigns (campaigns.printing): files and manifest in storage,
from the approval snapshot, once."""

import csv
import io
from datetime import timedelta

import pikepdf
import pypdfium2 as pdfium
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import F
from django.utils import timezone

from campaigns import printing, services
from campaigns import status as machine
from campaigns.errors import CampaignNotFound, CampaignNotPrintable, PdfInflatesTooMuch, PrintRunBusy
from campaigns.models import CampaignRecipient, PrintRun, Status
from campaigns.pdf import MANIFEST_HEADER
from campaigns.tasks import write_print_files
from recipients import services as recipient_services
from tests.campaigns.factories import CampaignFactory, campaign_input
from tests.recipients.factories import RecipientFactory, RecipientGroupFactory
from tests.templates.factories import PrintTemplateFactory, flate_bomb_pdf

pytestmark = pytest.mark.django_db

LEASE = 1800
PEOPLE = [
    ("Olivia", "Smith", "1 High Street", "SW1A 1AA"),
    ("Noah", "Jones", "2 Station Road", "LS1 4AB"),
    ("Amelia", "Brown", "3 Mill Lane", "M1 2CD"),
]


@pytest.fixture
def group(company):
    group = RecipientGroupFactory(company=company)
    for first, last, street, postcode in PEOPLE:
        RecipientFactory(
            company=company, group=group, first_name=first, last_name=last, address1=street, postcode=postcode
        )
    return group


def approved(company, group, **options):
    if options:
        template = PrintTemplateFactory(company=company)
        spec = campaign_input(group=group, **options)
        campaign = services.campaign_create(company=company, spec=spec, template_id=template.pk).campaign
    else:
        campaign = CampaignFactory(company=company, group=group)
    return services.campaign_approve(company=company, campaign_id=campaign.pk)


def dead_run(company, campaign, *, seconds_ago=LEASE + 1):
    """A run whose attempt 1 started `seconds_ago` and never finished."""
    return PrintRun.unscoped.create(
        company=company,
        campaign=campaign,
        attempt=1,
        status=PrintRun.Status.RUNNING,
        started_at=timezone.now() - timedelta(seconds=seconds_ago),
    )


def stored_keys(campaign) -> set[str]:
    keys = set()

    def walk(path):
        try:
            dirs, files = default_storage.listdir(path)
        except FileNotFoundError:
            return
        keys.update(f"{path}/{name}" for name in files)
        for name in dirs:
            walk(f"{path}/{name}")

    walk(printing.print_root(campaign))
    return keys


def manifest_rows(run) -> list[list[str]]:
    with default_storage.open(run.manifest, "rb") as fh:
        return list(csv.reader(io.StringIO(fh.read().decode("utf-8"))))


def page_texts(key) -> list[str]:
    with default_storage.open(key, "rb") as fh:
        doc = pdfium.PdfDocument(fh.read())
    try:
        return [" ".join(doc[i].get_textpage().get_text_range().split()) for i in range(len(doc))]
    finally:
        doc.close()


def page_count(key) -> int:
    with default_storage.open(key, "rb") as fh, pikepdf.open(io.BytesIO(fh.read())) as pdf:
        return len(pdf.pages)


def test_an_approved_campaign_is_written_to_storage_with_its_manifest(company, group):
    # given
    campaign = approved(company, group)

    # when
    run = printing.print_files_write(campaign_id=campaign.pk)

    # then
    prefix = f"companies/{company.pk}/campaigns/{campaign.pk}/print/1"
    assert (run.status, run.company_id, run.letters, run.pages) == (PrintRun.Status.DONE, company.pk, 3, 3)
    assert run.files == [
        {"key": f"{prefix}/print-0001.pdf", "name": "print-0001.pdf", "letters": 3, "pages": 3}
    ]
    assert run.manifest == f"{prefix}/manifest.csv"
    assert run.finished_at is not None and run.approved_at == campaign.approved_at
    assert stored_keys(campaign) == {f"{prefix}/print-0001.pdf", f"{prefix}/manifest.csv"}
    assert page_count(run.files[0]["key"]) == 3
    texts = page_texts(run.files[0]["key"])
    for text, (first, last, street, postcode) in zip(texts, PEOPLE, strict=True):
        assert f"{first} {last}" in text and street in text and postcode in text
    snapshot = list(CampaignRecipient.objects.filter(campaign=campaign).order_by("sequence"))
    assert manifest_rows(run) == [
        list(MANIFEST_HEADER),
        *(
            [
                str(row.sequence),
                str(row.recipient_id),
                f"{first} {last}",
                postcode,
                "print-0001.pdf",
                str(page),
            ]
            for row, (first, last, _, postcode), page in zip(snapshot, PEOPLE, [1, 2, 3], strict=True)
        ),
    ]


def test_the_output_comes_from_the_snapshot_not_the_live_recipients(company, group):
    # given an approved campaign whose recipients are edited afterwards
    campaign = approved(company, group)
    olivia = CampaignRecipient.objects.get(campaign=campaign, sequence=1).recipient_id
    recipient_services.recipient_update(
        company=company,
        recipient_id=olivia,
        values={"first_name": "Changed", "address1": "99 New Road", "postcode": "ZZ9 9ZZ"},
    )
    RecipientFactory(company=company, group=group, first_name="Late", last_name="Comer")

    # when
    run = printing.print_files_write(campaign_id=campaign.pk)

    # then
    assert run.letters == 3
    first_page = page_texts(run.files[0]["key"])[0]
    assert "Olivia Smith" in first_page and "1 High Street" in first_page and "SW1A 1AA" in first_page
    assert "99 New Road" not in first_page
    assert [row[2] for row in manifest_rows(run)[1:]] == ["Olivia Smith", "Noah Jones", "Amelia Brown"]


def test_a_second_call_returns_the_finished_run_and_writes_nothing(company, group, monkeypatch):
    # given
    campaign = approved(company, group)
    first = printing.print_files_write(campaign_id=campaign.pk)
    keys = stored_keys(campaign)
    manifest = manifest_rows(first)

    def must_not_write(**kwargs):
        raise AssertionError("wrote print files again")

    monkeypatch.setattr(printing, "write_print_files", must_not_write)

    # when
    second = printing.print_files_write(campaign_id=str(campaign.pk))

    # then
    assert second.pk == first.pk and second.attempt == first.attempt == 1
    assert (second.files, second.manifest, second.finished_at) == (
        first.files,
        first.manifest,
        first.finished_at,
    )
    assert stored_keys(campaign) == keys and manifest_rows(second) == manifest
    assert PrintRun.unscoped.filter(campaign=campaign).count() == 1


@pytest.mark.parametrize("recipients", [False, True], ids=["draft", "preview"])
def test_a_campaign_before_approval_is_refused(company, group, recipients):
    campaign = CampaignFactory(company=company, group=group if recipients else None)
    assert campaign.status == (Status.PREVIEW if recipients else Status.DRAFT)

    with pytest.raises(CampaignNotPrintable):
        printing.print_files_write(campaign_id=campaign.pk)

    assert not PrintRun.unscoped.exists()
    assert stored_keys(campaign) == set()


def test_a_cancelled_campaign_and_an_unknown_one_are_refused(company, group):
    campaign = approved(company, group)
    machine.transition(campaign, Status.CANCELLED)

    with pytest.raises(CampaignNotPrintable):
        printing.print_files_write(campaign_id=campaign.pk)
    with pytest.raises(CampaignNotFound):
        printing.print_files_write(campaign_id="00000000-0000-0000-0000-000000000000")
    with pytest.raises(CampaignNotFound):
        printing.print_files_write(campaign_id="not-a-uuid")


def test_later_statuses_still_print(company, group):
    campaign = approved(company, group)
    for to in (Status.SCHEDULED, Status.PRINTING):
        machine.transition(campaign, to)

    assert printing.print_files_write(campaign_id=campaign.pk).letters == 3


def test_duplex_adds_a_blank_back_to_each_one_page_letter(company, group):
    # given a one-page letter printed duplex
    campaign = approved(company, group, is_duplex=True)
    assert campaign.print_options.is_duplex

    # when
    run = printing.print_files_write(campaign_id=campaign.pk)

    # then
    assert (run.letters, run.pages) == (3, 6)
    assert [row[5] for row in manifest_rows(run)[1:]] == ["1", "3", "5"]
    texts = page_texts(run.files[0]["key"])
    assert "Olivia Smith" in texts[0] and "Noah Jones" in texts[2]
    assert texts[1] == texts[3] == texts[5] == ""


def test_files_hold_at_most_the_chunk_size(company, group, settings):
    # given
    settings.CAMPAIGN_PRINT_CHUNK_LETTERS = 2
    campaign = approved(company, group)

    # when
    run = printing.print_files_write(campaign_id=campaign.pk)

    # then
    assert [(f["name"], f["letters"], f["pages"]) for f in run.files] == [
        ("print-0001.pdf", 2, 2),
        ("print-0002.pdf", 1, 1),
    ]
    assert [page_count(f["key"]) for f in run.files] == [2, 1]
    assert [(row[0], row[4], row[5]) for row in manifest_rows(run)[1:]] == [
        ("1", "print-0001.pdf", "1"),
        ("2", "print-0001.pdf", "2"),
        ("3", "print-0002.pdf", "1"),
    ]
    assert "Amelia Brown" in page_texts(run.files[1]["key"])[0]


def test_the_snapshot_is_read_in_batches(company, group, monkeypatch):
    monkeypatch.setattr(printing, "SNAPSHOT_BATCH", 2)
    campaign = approved(company, group)

    run = printing.print_files_write(campaign_id=campaign.pk)

    assert [row[0] for row in manifest_rows(run)[1:]] == ["1", "2", "3"]


def test_spreadsheet_formulas_in_the_manifest_are_neutralised(company):
    # given recipients whose name or postcode a spreadsheet would run as a formula
    group = RecipientGroupFactory(company=company)
    RecipientFactory(company=company, group=group, first_name='=HYPERLINK("http://x")', last_name="A")
    RecipientFactory(
        company=company, group=group, title="@SUM(1)", first_name="B", last_name="C", postcode="+44 1"
    )
    RecipientFactory(company=company, group=group, first_name="Plain", last_name="Name", postcode="-1+1")
    campaign = approved(company, group)

    # when
    run = printing.print_files_write(campaign_id=campaign.pk)

    # then
    rows = manifest_rows(run)[1:]
    assert [(row[2], row[3]) for row in rows] == [
        ('\'=HYPERLINK("http://x") A', rows[0][3]),
        ("'@SUM(1) B C", "'+44 1"),
        ("Plain Name", "'-1+1"),
    ]
    assert "=HYPERLINK" in page_texts(run.files[0]["key"])[0]  # the letter itself prints the name as is


def test_an_interrupted_run_is_redone_cleanly(company, group):
    # given a run whose worker died midway through attempt 1, leaving a partial object
    campaign = approved(company, group)
    root = printing.print_root(campaign)
    dead_run(company, campaign)
    default_storage.save(f"{root}/1/print-0001.pdf", ContentFile(b"%PDF-1.7 half written"))

    # when
    run = printing.print_files_write(campaign_id=campaign.pk)

    # then
    assert (run.status, run.attempt, run.letters) == (PrintRun.Status.DONE, 2, 3)
    assert stored_keys(campaign) == {f"{root}/2/print-0001.pdf", f"{root}/2/manifest.csv"}
    assert page_count(run.files[0]["key"]) == 3


def test_a_run_being_written_is_not_taken_over_within_its_lease(company, group, settings):
    # given attempt 1 started 10 minutes ago and is still within its lease
    settings.CAMPAIGN_PRINT_LEASE_SECONDS = LEASE
    campaign = approved(company, group)
    dead_run(company, campaign, seconds_ago=600)
    partial = default_storage.save(f"{printing.print_root(campaign)}/1/print-0001.pdf", ContentFile(b"%PDF-"))

    # when
    with pytest.raises(PrintRunBusy) as busy:
        printing.print_files_write(campaign_id=campaign.pk)

    # then
    assert LEASE - 600 - 5 < busy.value.retry_after <= LEASE - 600
    assert stored_keys(campaign) == {partial}
    assert PrintRun.unscoped.get(campaign=campaign).attempt == 1


def test_an_attempt_that_lost_the_run_removes_its_files(company, group, monkeypatch):
    # given a second attempt takes the run over while the first is writing (its lease ran out)
    campaign = approved(company, group)
    real_write = printing._write_and_store

    def overtaken(campaign, prefix):
        written = real_write(campaign, prefix)
        PrintRun.unscoped.filter(campaign=campaign).update(
            attempt=F("attempt") + 1, started_at=timezone.now()
        )
        return written

    monkeypatch.setattr(printing, "_write_and_store", overtaken)

    # when
    with pytest.raises(PrintRunBusy):
        printing.print_files_write(campaign_id=campaign.pk)

    # then
    assert stored_keys(campaign) == set()
    assert PrintRun.unscoped.get(campaign=campaign).status == PrintRun.Status.RUNNING


def test_a_failed_attempt_leaves_nothing_and_the_next_one_succeeds(company, group, monkeypatch):
    # given storage that fails after the first print file is saved
    campaign = approved(company, group)
    real_store, calls = printing._store, []

    def failing_store(key, path):
        calls.append(key)
        if len(calls) == 2:
            raise OSError("storage unavailable")
        return real_store(key, path)

    monkeypatch.setattr(printing, "_store", failing_store)

    # when
    with pytest.raises(OSError, match="storage unavailable"):
        printing.print_files_write(campaign_id=campaign.pk)

    # then
    failed = PrintRun.unscoped.get(campaign=campaign)
    assert (failed.status, failed.error, failed.files) == (PrintRun.Status.FAILED, "storage unavailable", [])
    assert stored_keys(campaign) == set()

    # and a retry writes it all
    monkeypatch.setattr(printing, "_store", real_store)
    run = printing.print_files_write(campaign_id=campaign.pk)
    assert (run.pk, run.status, run.attempt, run.letters) == (failed.pk, PrintRun.Status.DONE, 2, 3)


def test_a_re_approved_campaign_is_printed_anew(company, group):
    # given a printed campaign sent back to Preview, edited and approved again
    campaign = approved(company, group)
    first = printing.print_files_write(campaign_id=campaign.pk)
    machine.transition(campaign, Status.PREVIEW)
    RecipientFactory(company=company, group=group, first_name="Late", last_name="Comer")
    campaign = services.campaign_approve(company=company, campaign_id=campaign.pk)

    # when
    run = printing.print_files_write(campaign_id=campaign.pk)

    # then
    assert (run.pk, run.attempt, run.letters) == (first.pk, 2, 4)
    assert stored_keys(campaign) == {f["key"] for f in run.files} | {run.manifest}


def test_the_task_calls_the_service(company, group):
    campaign = approved(company, group)

    run_id = write_print_files.delay(str(campaign.pk)).get()

    assert run_id == str(PrintRun.unscoped.get(campaign=campaign, status=PrintRun.Status.DONE).pk)
    assert write_print_files.delay(str(campaign.pk)).get() == run_id


def test_the_admin_shows_the_print_run_with_download_links(admin_client, company, group):
    # given
    campaign = approved(company, group)
    page = admin_client.get(f"/admin/campaigns/campaign/{campaign.pk}/change/")
    assert b"not written yet" in page.content
    printing.print_files_write(campaign_id=campaign.pk)

    # when
    page = admin_client.get(f"/admin/campaigns/campaign/{campaign.pk}/change/")

    # then
    assert page.status_code == 200
    assert b"3 letters, 3 pages in 1 file(s)" in page.content
    link = f"/admin/campaigns/campaign/{campaign.pk}/print/"
    assert f"{link}print-0001.pdf".encode() in page.content and f"{link}manifest.csv".encode() in page.content
    pdf = admin_client.get(f"{link}print-0001.pdf")
    assert pdf["Content-Type"] == "application/pdf" and b"".join(pdf.streaming_content).startswith(b"%PDF-")
    manifest = admin_client.get(f"{link}manifest.csv")
    assert b"".join(manifest.streaming_content).startswith(b"sequence,recipient_id")
    assert admin_client.get(f"{link}..%2Fsecret.pdf").status_code == 404
    assert admin_client.get(f"{link}print-0002.pdf").status_code == 404


def test_on_local_disk_and_s3_an_interrupted_run_leaves_only_the_final_files(company, group, library_storage):
    # given attempt 1 died after saving a file
    campaign = approved(company, group)
    root = printing.print_root(campaign)
    dead_run(company, campaign)
    default_storage.save(f"{root}/1/print-0001.pdf", ContentFile(b"%PDF-1.7 half written"))
    default_storage.save(f"{root}/1/sub/stray.bin", ContentFile(b"x"))

    # when
    run = printing.print_files_write(campaign_id=campaign.pk)

    # then
    printed = {key for key in library_storage.all_keys() if key.startswith(f"{root}/")}
    assert (
        printed
        == {f"{root}/2/print-0001.pdf", f"{root}/2/manifest.csv"}
        == {run.files[0]["key"], run.manifest}
    )
    assert library_storage.read(run.files[0]["key"]).startswith(b"%PDF-")
    assert printing.print_files_write(campaign_id=campaign.pk).attempt == 2


def test_deleting_an_approved_campaign_removes_its_print_files(
    company, group, django_capture_on_commit_callbacks
):
    campaign = approved(company, group)
    printing.print_files_write(campaign_id=campaign.pk)
    keys = stored_keys(campaign)
    assert keys

    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_delete(company=company, campaign_id=campaign.pk)

    assert not any(default_storage.exists(key) for key in keys)
    assert not PrintRun.unscoped.exists()


def test_a_template_over_lowered_inflate_limits_writes_no_print_files(company, group, settings):
    # given a campaign approved on a template stored when the limits allowed it
    template = PrintTemplateFactory(company=company, pdf=flate_bomb_pdf(8 * 1024 * 1024))
    spec = campaign_input(group=group)
    campaign = services.campaign_create(company=company, spec=spec, template_id=template.pk).campaign
    services.campaign_approve(company=company, campaign_id=campaign.pk)
    settings.CAMPAIGN_PDF_MAX_STREAM_INFLATED_BYTES = 4 * 1024 * 1024

    # when
    with pytest.raises(PdfInflatesTooMuch):
        printing.print_files_write(campaign_id=campaign.pk)

    # then
    failed = PrintRun.unscoped.get(campaign=campaign)
    assert failed.status == PrintRun.Status.FAILED and failed.error.startswith("pdf_stream_inflates_too_much")
    assert stored_keys(campaign) == set()


def test_print_files_of_a_template_that_inflates_far_stay_compressed(company, group):
    template = PrintTemplateFactory(company=company, pdf=flate_bomb_pdf(16 * 1024 * 1024))
    spec = campaign_input(group=group)
    campaign = services.campaign_create(company=company, spec=spec, template_id=template.pk).campaign
    services.campaign_approve(company=company, campaign_id=campaign.pk)

    run = printing.print_files_write(campaign_id=campaign.pk)

    assert run.status == PrintRun.Status.DONE and run.pages == 3
    assert default_storage.size(run.files[0]["key"]) < 64 * 1024  # 16 MiB of page content, compressed
