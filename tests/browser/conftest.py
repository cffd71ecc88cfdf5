"""Staff jobs in a real browser: Playwright (pytest-playwright) drives Debian's chromium package
against pytest-django's live server (a thread of the test process, on the test database).

Playwright never downloads a browser here: it launches the system's chromium
(`PLAYWRIGHT_CHROMIUM`, /usr/bin/chromium by default; `.ci/run` installs the package), and the
tests skip, saying why, where there is none. A failing job leaves a screenshot of the page in
`TEST_ARTIFACTS_DIR` (var/test-artifacts/ by default), CI's artifact folder."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("PLAYWRIGHT_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS_DIR", ROOT / "var" / "test-artifacts"))

os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

needs_chromium = pytest.mark.skipif(
    not os.access(CHROMIUM, os.X_OK),
    reason=f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium; .ci/run does)",
)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's launch arguments, with the system's chromium instead of a download."""
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM)}


# pytest-playwright keeps Playwright for the whole session. Its sync API runs an asyncio loop in
# the test's thread for as long as it lives, where Django refuses ORM calls (and any later
# asyncio.run would fail), so these overrides keep Playwright, and that loop, to the browser
# test module; while it runs, the test's own (synchronous) ORM calls are allowed.
@pytest.fixture(scope="module", autouse=True)
def _sync_orm_beside_playwright():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def playwright(_sync_orm_beside_playwright):
    with sync_playwright() as started:
        yield started


@pytest.fixture(scope="module")
def browser_type(playwright, browser_name):
    return getattr(playwright, browser_name)


@pytest.fixture(scope="module")
def launch_browser(browser_type_launch_args, browser_type):
    return lambda **kwargs: browser_type.launch(**{**browser_type_launch_args, **kwargs})


@pytest.fixture(scope="module")
def browser(launch_browser):
    browser = launch_browser()
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def browser_context_args(playwright, live_server):
    """Every page of a test starts at the live server: page.goto("/admin/")."""
    return {"base_url": live_server.url, "viewport": {"width": 1400, "height": 1000}}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing job's page as a screenshot, named after the test, for CI's artifacts."""
    report = yield
    page = item.funcargs.get("page") if hasattr(item, "funcargs") else None
    if report.when == "call" and report.failed and page is not None and not page.is_closed():
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', item.nodeid)}.png"
        try:
            page.screenshot(path=str(path), full_page=True)
            report.sections.append(("screenshot", str(path)))
        except Exception as exc:  # the failure is what matters: say why there is no picture
            report.sections.append(("screenshot", f"none: {exc}"))
    return report
