"""Reading and driving pages in the browser tests.

The server, first-run and sign-in helpers live in ``parliament_app.devtools.screenshots``,
which the ``parliament screenshots`` command shares; what only the tests need is here."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

from parliament_app.devtools.screenshots import wait_idle


def main_text(page: Page) -> str:
    return page.inner_text("[data-testid=stMain]")


def title(page: Page) -> str:
    """The page's heading (the first h1 in the main area), without a leading emoji."""
    heading = page.locator("[data-testid=stMain] h1").first
    heading.wait_for(timeout=15_000)
    return heading.inner_text().strip()


def sign_out(page: Page) -> None:
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.locator("button.parliament-sign-out").click()
    wait_idle(page, settle=400)


def choose(page: Page, label: str, option: str, scope: Any = None) -> None:
    """Pick ``option`` in the select box labelled ``label`` (Streamlit's combobox)."""
    box = (scope or page).get_by_role("combobox", name=label, exact=True)
    box.click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page)
