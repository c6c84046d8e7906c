# Not split: the browser helpers and the screenshot command share one throw-away server and
#   one Chromium set-up.
"""Drive the real app in a real browser: a throw-away server, Debian's Chromium through Playwright,
and the ``parliament screenshots`` command that photographs every main page for every role.

The browser tests (``tests/browser``) use the same helpers, so the screenshots and the tests
exercise the app the same way a person does: the first-run page, the sign-in form, the menu.

Playwright is a test extra: it is imported only when a browser is started, so the rest of the
command line works without it. Chromium comes from Debian (``apt-get install chromium``); we never
download a browser build.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:  # pragma: no cover
    from playwright.sync_api import Browser, Page, Playwright

ROOT = Path(__file__).resolve().parents[2]
APP_SCRIPT = ROOT / "streamlit_app.py"
PAGES_DIR = ROOT / "parliament_app" / "ui" / "pages"
CHROMIUM = Path(os.environ.get("PARLIAMENT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
SECRET_KEY = "browser-test-secret-key-" * 3
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "Browser-admin-pass-1"
ADMIN_NAME = "Ana Admin"
ADMIN_EMAIL = "ana.admin@example.org"
VIEWPORT = {"width": 1280, "height": 900}


# --- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServerFailed(RuntimeError):
    pass


class AppServer:
    """``streamlit run streamlit_app.py`` on a free port with its own data directory.

    The server runs in a directory of its own (also its HOME), so a developer's
    ``.streamlit/secrets.toml`` never leaks in; ``secrets`` writes one there (for OpenID Connect).
    The database is the SQLite default under ``data_dir`` (PARLIAMENT_DATABASE_URL is dropped).
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        secrets: str | None = None,
        port: int | None = None,
        host: str = "localhost",
        log_path: Path | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.host = host
        self.secrets = secrets
        self.log_path = log_path or self.data_dir / "server.log"
        self.extra_env = extra_env or {}
        self.process: subprocess.Popen[bytes] | None = None
        self.home = self.data_dir / "home"

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.data_dir / 'parliament.db'}"

    @property
    def env(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if key != "PARLIAMENT_DATABASE_URL" and not key.startswith("STREAMLIT_")
        }
        env.update(
            PARLIAMENT_DATA_DIR=str(self.data_dir),
            PARLIAMENT_SECRET_KEY=SECRET_KEY,
            HOME=str(self.home),
            PYTHONUNBUFFERED="1",
        )
        env.update(self.extra_env)
        return env

    def cli(self, *args: str, input: str | None = None) -> str:
        """Run ``parliament ARGS`` against this server's database."""
        self.home.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            [sys.executable, "-m", "parliament_app.cli.main", *args],
            env=self.env,
            cwd=self.home,
            capture_output=True,
            text=True,
            input=input,
            timeout=300,
        )
        if result.returncode:
            raise ServerFailed(
                f"parliament {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
            )
        return result.stdout

    def start(self, timeout: float = 90) -> AppServer:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        streamlit_dir = self.home / ".streamlit"
        streamlit_dir.mkdir(parents=True, exist_ok=True)
        config = ROOT / ".streamlit" / "config.toml"
        if config.exists():
            shutil.copy(config, streamlit_dir / "config.toml")
        if self.secrets is not None:
            (streamlit_dir / "secrets.toml").write_text(self.secrets, encoding="utf-8")
        self.cli("db", "upgrade")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(APP_SCRIPT),
                "--server.headless",
                "true",
                "--server.port",
                str(self.port),
                "--server.fileWatcherType",
                "none",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=self.home,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() ends it and its children
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerFailed(f"the app server exited:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{self.port}/_stcore/health", timeout=2
                ) as response:
                    if response.read().strip() == b"ok":
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        self.stop()
        raise ServerFailed(f"the app server did not become healthy:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            pass

    def __enter__(self) -> AppServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --- the browser --------------------------------------------------------------------------------


def launch_browser(playwright: Playwright, executable: Path = CHROMIUM) -> Browser:
    return playwright.chromium.launch(
        executable_path=str(executable), headless=True, args=CHROMIUM_ARGS
    )


def wait_idle(page: Page, timeout: float = 30_000, settle: float = 150) -> None:
    """Wait until Streamlit has finished the current run: connected, script not running, no
    skeleton left. ``settle`` ms first, so a run just triggered by a click has started."""
    page.wait_for_timeout(settle)
    page.wait_for_selector(IDLE, state="attached", timeout=timeout)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=stSkeleton]')", timeout=timeout
    )
    page.wait_for_selector(IDLE, state="attached", timeout=timeout)


def open_page(page: Page, url: str, timeout: float = 30_000) -> None:
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("[data-testid=stApp]", state="attached", timeout=timeout)
    page.wait_for_selector("[data-testid=stMain]", state="attached", timeout=timeout)
    wait_idle(page, timeout, settle=400)


def sign_in(
    page: Page, username: str, password: str, language: str | None = None, base_url: str = ""
) -> None:
    """Sign in with the sign-in page's form and wait for the signed-in app (``base_url`` may be
    left out when the browser context has one)."""
    open_page(page, base_url + "/" + (f"?lang={language}" if language else ""))
    form = page.locator("form.parliament-sign-in")
    form.locator("#username").fill(username)
    form.locator("#password").fill(password)
    with page.expect_navigation(wait_until="domcontentloaded"):
        form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=stApp]", state="attached")
    wait_idle(page, settle=400)


@dataclass(frozen=True)
class Account:
    username: str
    role: str  # as shown in the table (English when the first run was in English)
    password: str


def first_run(
    page: Page,
    base_url: str,
    *,
    demo: bool = True,
    username: str = ADMIN_USERNAME,
    password: str = ADMIN_PASSWORD,
    timeout: float = 240_000,
) -> list[Account]:
    """Create the administrator on the first-run page (English) and, with ``demo``, load the demo
    municipality; return the demo accounts shown once (the administrator first)."""
    open_page(page, base_url + "/?lang=en")
    page.get_by_label("Your name", exact=True).fill(ADMIN_NAME)
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label(
        "Email (optional, for signing in with your organisation's account)", exact=True
    ).fill(ADMIN_EMAIL)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Repeat the password", exact=True).fill(password)
    if demo:
        page.locator("[data-testid=stCheckbox]").filter(has_text="demo municipality").locator(
            "label"
        ).click()
    page.get_by_role("button", name="Create the administrator").click()
    page.get_by_text("The administrator is ready. You can now sign in.").wait_for(timeout=timeout)
    wait_idle(page, timeout)
    accounts = [Account(username, "Administrator", password)]
    if demo:
        page.locator("[data-testid=stTable] table").wait_for(timeout=30_000)
        accounts += read_accounts(page)
    return accounts


def read_accounts(page: Page) -> list[Account]:
    rows = page.locator("[data-testid=stTable] table tbody tr")
    accounts = []
    for index in range(rows.count()):
        cells = [text.strip() for text in rows.nth(index).locator("td").all_inner_texts()]
        cells = cells[-3:]  # a row header (the index) may come first
        accounts.append(Account(cells[0], cells[1], cells[2]))
    return accounts


# --- seeding what the UI cannot make in the past or "right now" --------------------------------


@contextmanager
def database(server: AppServer) -> Iterator[Any]:
    """A SQLAlchemy session on the server's database, committed at the end (for seeding)."""
    import parliament_app.models  # noqa: F401  (registers every table)
    from parliament_app.core.config import get_settings
    from parliament_app.core.db import make_engine, session_factory, unit_of_work

    # Services that read the settings (secrets, late-after minutes) see the server's.
    wanted = {
        "PARLIAMENT_DATA_DIR": str(server.data_dir),
        "PARLIAMENT_DATABASE_URL": server.database_url,
        "PARLIAMENT_SECRET_KEY": SECRET_KEY,
    }
    saved = {key: os.environ.get(key) for key in wanted}
    os.environ.update(wanted)
    get_settings.cache_clear()
    engine = make_engine(server.database_url)
    try:
        with unit_of_work(session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        get_settings.cache_clear()


def schedule_now(
    server: AppServer, username: str, group_name: str, topic: str, minutes: int = 120
) -> int:
    """A session of ``group_name`` going on right now (check-in open), scheduled by
    ``username``; its occurrence id. The service refuses a start in the past, so it is scheduled
    for tomorrow and then moved to a few minutes ago, as if it had been planned long before."""
    from datetime import UTC, datetime, time, timedelta

    from sqlalchemy import select

    from parliament_app.models import Group, User
    from parliament_app.models.meetings import SessionKind
    from sessions.scheduling import NewSeries, create_series
    from sessions.times import local

    now = datetime.now(UTC).replace(second=0, microsecond=0)
    since_midnight = now - local(now).replace(hour=0, minute=0).astimezone(UTC)
    starts = now - min(timedelta(minutes=5), since_midnight)
    with database(server) as session:
        user = session.scalar(select(User).where(User.username == username))
        group = session.scalar(select(Group).where(Group.name == group_name))
        created, _conflicts = create_series(
            session,
            user,
            NewSeries(
                group_id=group.id,
                kind=SessionKind.PARLIAMENT_SITTING,
                topic=topic,
                first_date=local(now).date() + timedelta(days=1),
                start_time=time(12, 0),
                duration_minutes=minutes,
                facilitator_ids=(user.id,),
            ),
        )
        occurrence = created[0]
        occurrence.starts_at = starts
        session.flush()
        return occurrence.id


# --- pages that exist now (others are still being built) ---------------------------------------


# --- screenshots --------------------------------------------------------------------------------

ROLE_NAMES = {
    "administrator": "admin",
    "facilitator": "facilitator",
    "school_coordinator": "school",
    "social_worker": "socialworker",
}


def role_pages() -> dict[str, list[str]]:
    """Each role's main pages in menu order (from the shell's page table)."""
    from parliament_app.ui.shell import PAGE_TABLE

    pages: dict[str, list[str]] = {}
    for role_value in ROLE_NAMES:
        pages[role_value] = [
            file.removesuffix(".py")
            for _section, file, _title, _icon, roles in PAGE_TABLE
            if any(role.value == role_value for role in roles)
        ]
    return pages


def page_url(base_url: str, page_name: str, language: str = "en") -> str:
    return f"{base_url}/{'' if page_name == 'home' else page_name}?lang={language}"


def shrink_png(path: Path) -> None:
    """Store the screenshot with a 256-colour palette: a third of the size, same look."""
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover
        return
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def snap(page: Page, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(300)  # charts and images finish drawing
    page.screenshot(path=str(path), full_page=False, animations="disabled")
    shrink_png(path)


def take_screenshots(
    out: Path, language: str = "en", echo: Any = print, executable: Path = CHROMIUM
) -> tuple[list[Path], list[str]]:
    """Photograph every page; the files written and the pages that showed an error."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    broken: list[str] = []

    def shot(page: Page, name: str) -> None:
        path = out / f"{name}.png"
        snap(page, path)
        written.append(path)
        failed = page.locator("[data-testid=stException]").count() > 0
        if failed:
            broken.append(name)
        echo(f"  {path}" + ("  (the page shows an error)" if failed else ""))

    with tempfile.TemporaryDirectory(prefix="parliament-screens-") as tmp:
        server = AppServer(Path(tmp) / "data")
        echo(f"starting the app on {server.base_url} (fresh data directory)")
        with server, sync_playwright() as playwright:
            browser = launch_browser(playwright, executable)
            try:
                context = browser.new_context(viewport=VIEWPORT, locale="en-GB")
                page = context.new_page()
                open_page(page, f"{server.base_url}/?lang={language}")
                shot(page, "first-run")
                echo("creating the administrator and loading the demo municipality")
                accounts = {
                    account.username: account for account in first_run(page, server.base_url)
                }
                context.close()
                _demo_activity(server)

                anonymous = browser.new_context(viewport=VIEWPORT, locale="en-GB")
                page = anonymous.new_page()
                open_page(page, f"{server.base_url}/?lang={language}")
                shot(page, "sign-in")
                code = _quiz_code(server)
                open_page(page, f"{server.base_url}/quiz_join?code={code}&lang={language}")
                shot(page, "child-quiz-join")
                anonymous.close()

                for role_value, pages in role_pages().items():
                    username = ROLE_NAMES[role_value]
                    account = accounts.get(username)
                    if account is None:
                        continue
                    context = browser.new_context(viewport=VIEWPORT, locale="en-GB")
                    page = context.new_page()
                    sign_in(page, account.username, account.password, language, server.base_url)
                    for name in pages:
                        open_page(page, page_url(server.base_url, name, language), 60_000)
                        shot(page, f"{ROLE_NAMES[role_value]}-{name}")
                    context.close()
            finally:
                browser.close()
    return written, broken


def _demo_activity(server: AppServer) -> None:
    """A session going on now and a quiz waiting for children, so the calendar, attendance and
    quiz pages show something."""
    schedule_now(
        server, "facilitator", "Children's Parliament of Demo Municipality", "Our rights at school"
    )


def _quiz_code(server: AppServer) -> str:
    """Start a live quiz for the facilitator's parliament (as the facilitator would)."""
    from sqlalchemy import select

    from activities.quizzes import play
    from parliament_app.models import Group, User
    from parliament_app.models.quizzes import RunMode, RunPhase

    with database(server) as session:
        user = session.scalar(select(User).where(User.username == "facilitator"))
        group = session.scalar(
            select(Group).where(Group.name == "Children's Parliament of Demo Municipality")
        )
        run = play.start_run(
            session,
            user,
            group_id=group.id,
            age_band=play.AGE_BANDS[-1],
            topics=[],
            question_count=5,
            mode=RunMode.LIVE,
            phase=RunPhase.PRE,
            speed_bonus=False,
        )
        session.flush()
        return run.join_code


@click.command("screenshots")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=ROOT / "docs" / "screenshots",
    show_default=True,
    help="Where the PNG files go.",
)
@click.option("--language", default="en", show_default=True, help="The pages' language.")
@click.option(
    "--chromium",
    type=click.Path(dir_okay=False, path_type=Path),
    default=CHROMIUM,
    show_default=True,
    help="Chromium to drive (Debian's package).",
)
def screenshots_command(out: Path, language: str, chromium: Path) -> None:
    """Regenerate the screenshots of every main page per role (fresh demo data, 1280×900)."""
    if not chromium.exists():
        raise click.ClickException(f"{chromium} not found: apt-get install chromium")
    try:
        import playwright  # noqa: F401
    except ImportError as missing:
        raise click.ClickException(
            "the Python package playwright is needed: pip install -e '.[test]'"
        ) from missing
    written, broken = take_screenshots(out, language, echo=click.echo, executable=chromium)
    click.echo(f"{len(written)} screenshots in {out}")
    if broken:
        raise click.ClickException("these pages show an error: " + ", ".join(broken))


if __name__ == "__main__":  # python -m parliament_app.devtools.screenshots
    screenshots_command()
