"""Requests/s of a file search (GET /api/v1/files/search?q=...) in a library of 100,000 entries vs
the bare DRF endpoint, same server, same run. Target: >= 30% of bare."""

from tests.benchmarks.support import (
    Row,
    Server,
    against_bare,
    bench_env,
    call,
    demo_company,
    drop_var_dir,
    login,
    manage,
    rows_against_bare,
)

TARGET = 0.30
FOLDERS, FILES_PER_FOLDER = 100, 999  # with the folders: 100,000 entries
QUERY = "invoice-0042"  # matches a handful of names, as a typed search does
PATH = f"/api/v1/files/search?q={QUERY}"

# Entries straight into the table (bytes are not needed to search): 100 folders under Home, each
# with 999 files named <word>-<number>.pdf.
FILL = """
from accounts.models import Company
from files.models import LibraryEntry
company = Company.objects.get(pk="{company}")
words = ["invoice", "brochure", "letterhead", "flyer", "logo", "menu", "poster", "report", "statement", "card"]
rows, n = [], 0
for f in range({folders}):
    folder = f"Home/Folder {{f:03d}}"
    rows.append(LibraryEntry(company=company, kind="folder", name=folder[5:], path=folder, folder="Home"))
    for i in range({files}):
        n += 1
        name = f"{{words[n % len(words)]}}-{{n:06d}}.pdf"
        rows.append(LibraryEntry(company=company, kind="file", name=name, path=f"{{folder}}/{{name}}",
                                 folder=folder, size=1000, content_type="application/pdf",
                                 storage_key=f"companies/{{company.pk}}/library/{{folder}}/{{name}}"))
LibraryEntry.unscoped.bulk_create(rows, batch_size=5000)
print(LibraryEntry.objects.for_company(company).count())
"""
ANALYZE = """
from django.db import connection
if connection.vendor == "postgresql":
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE files_libraryentry")  # as autovacuum would: GIN pending list merged
"""
CLEAN = """
from files.models import LibraryEntry
LibraryEntry.unscoped.filter(company_id="{company}").exclude(path="Home").delete()
"""


def run(seconds: float = 15.0) -> list[Row]:
    env = bench_env()
    demo = demo_company(env)
    company = demo["company_id"]
    try:
        manage(env, "shell", "-c", ANALYZE)  # no dead rows of an earlier run in the index
        count = int(
            manage(
                env, "shell", "-c", FILL.format(company=company, folders=FOLDERS, files=FILES_PER_FOLDER)
            ).split()[-1]
        )
        assert count == FOLDERS * (FILES_PER_FOLDER + 1) + 1, count
        manage(env, "shell", "-c", ANALYZE)
        bare_result, search_result, hits = measure(env, demo["api_key"], seconds)
    finally:
        manage(env, "shell", "-c", CLEAN.format(company=company))
        manage(env, "shell", "-c", ANALYZE)
        drop_var_dir(env)
    name = f"GET {PATH} (100k entries, {hits} hits)"
    return rows_against_bare(name, bare_result, search_result, TARGET)


def measure(env: dict, api_key: str, seconds: float):
    with Server(env) as server:
        token = login(server.port, api_key)
        status, reply = call(server.port, "GET", PATH, token=token)
        assert status == 200 and reply["data"], (status, reply)
        assert all(QUERY in r["FileName"] for r in reply["data"]), reply
        return (*against_bare(server.port, "GET", PATH, token, seconds), len(reply["data"]))
