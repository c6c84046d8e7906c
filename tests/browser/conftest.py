"""Browser tests: Playwright drives Debian's Chromium against ``streamlit run streamlit_app.py``.

One app server for the whole run (its own data directory, the SQLite default), set up once
through the first-run page with the demo municipality; each test gets a fresh browser context
(no cookies), so every test signs in itself. A failed test leaves a screenshot of each of its
pages in ``test-artifacts/browser/``, and the server's log beside them.

Shared helpers (the server, ``sign_in``, ``open_page``, ``wait_idle``) are in
``parliament_app.devtools.screenshots``, which the ``parliament screenshots`` command uses too;
what only these tests need is in ``tests/browser/helpers.py``."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from parliament_app.devtools.screenshots import (
    CHROMIUM,
    ROOT,
    VIEWPORT,
    Account,
    AppServer,
    first_run,
    launch_browser,
    open_page,
    sign_in,
)
from tests.browser.helpers import main_text

HERE = Path(__file__).parent
ARTIFACTS = ROOT / "test-artifacts" / "browser"

try:
    import playwright.sync_api  # noqa: F401
except ImportError:  # pragma: no cover - the test extra is missing
    MISSING = "the Python package playwright is not installed (pip install -e '.[test]')"
else:
    MISSING = "" if CHROMIUM.exists() else f"{CHROMIUM} is missing: apt-get install chromium"


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the group marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test in this directory is a browser test; without Chromium they are all skipped."""
    for item in items:
        if HERE not in Path(item.fspath).parents:
            continue
        item.add_marker(pytest.mark.browser)
        # One worker runs them all: they share one app server and its first run.
        item.add_marker(pytest.mark.xdist_group("browser"))
        if MISSING:
            item.add_marker(pytest.mark.skip(reason=f"browser tests need Chromium: {MISSING}"))


# --- the server, the browser, the demo data ----------------------------------------------------


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory, artifacts: Path) -> Iterator[AppServer]:
    """The app on a free port, SQLite under a fresh PARLIAMENT_DATA_DIR, migrated."""
    if MISSING:
        pytest.skip(MISSING)
    server = AppServer(
        tmp_path_factory.mktemp("parliament-data"), log_path=artifacts / "server.log"
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def base_url(app_server: AppServer) -> str:
    return app_server.base_url


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[object]:
    if MISSING:
        pytest.skip(MISSING)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver):
    browser = launch_browser(playwright_driver)
    try:
        yield browser
    finally:
        browser.close()


@dataclass(frozen=True)
class FirstRun:
    accounts: dict[str, Account]  # by username
    mismatch_error: str  # what the page said to different passwords
    final_text: str  # the page after creating the administrator and the demo data

    def role(self, username: str) -> Account:
        return self.accounts[username]


@pytest.fixture(scope="session")
def demo(browser, app_server: AppServer, artifacts: Path) -> FirstRun:
    """The first run, done once through the UI: mismatched passwords are refused, then the
    administrator is created with the demo municipality and the accounts table is read."""
    context = browser.new_context(base_url=app_server.base_url, viewport=VIEWPORT)
    page = context.new_page()
    try:
        open_page(page, "/?lang=en")
        page.get_by_label("Your name", exact=True).fill("Ana Admin")
        page.get_by_label("Username", exact=True).fill("admin")
        page.get_by_label("Password", exact=True).fill("one-password-1")
        page.get_by_label("Repeat the password", exact=True).fill("another-password-2")
        page.get_by_role("button", name="Create the administrator").click()
        error = page.locator("[data-testid=stAlertContentError]").first
        error.wait_for(timeout=30_000)
        mismatch = error.inner_text()
        accounts = first_run(page, app_server.base_url, demo=True)
        text = main_text(page)
    except Exception:
        page.screenshot(path=str(artifacts / "first-run-fixture.png"), full_page=True)
        raise
    finally:
        context.close()
    return FirstRun({account.username: account for account in accounts}, mismatch, text)


@pytest.fixture(scope="session")
def accounts(demo: FirstRun) -> dict[str, Account]:
    return demo.accounts


# --- pages and contexts per test; a screenshot when a test fails -------------------------------


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if report.when not in ("setup", "call") or not report.failed:
        return
    pages = [page for page in getattr(item, "browser_pages", []) if not page.is_closed()]
    if not pages:
        return
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", item.name).strip("_")
    for index, page in enumerate(pages):
        suffix = f"-{index + 1}" if len(pages) > 1 else ""
        path = ARTIFACTS / f"{name}{suffix}.png"
        try:
            page.screenshot(path=str(path), full_page=True, timeout=10_000)
        except Exception as error:  # a crashed page must not hide the test's own failure
            report.sections.append(("browser screenshot", f"{path}: {error}"))
        else:
            report.sections.append(("browser screenshot", str(path)))
    server_log = ARTIFACTS / "server.log"
    if server_log.exists():
        shutil.copy(server_log, ARTIFACTS / f"{name}-server.log")


@pytest.fixture
def new_page(
    browser, app_server: AppServer, demo: FirstRun, request: pytest.FixtureRequest
) -> Iterator[Callable]:
    """``new_page(**context_options)``: a page in a fresh browser context (another device), on
    the app past its first run."""
    contexts = []
    request.node.browser_pages = []

    def make(**options):
        options.setdefault("viewport", VIEWPORT)
        options.setdefault("base_url", app_server.base_url)
        options.setdefault("locale", "en-GB")
        context = browser.new_context(**options)
        context.set_default_timeout(20_000)
        contexts.append(context)
        page = context.new_page()
        request.node.browser_pages.append(page)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def signed_in(new_page, accounts: dict[str, Account]) -> Callable:
    """``signed_in("facilitator", language=None)``: a fresh device signed in as that account."""

    def make(username: str, language: str | None = None, **options):
        page = new_page(**options)
        account = accounts[username]
        sign_in(page, account.username, account.password, language)
        return page

    return make
