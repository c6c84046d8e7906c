"""Every language in the browser: the home page and its menu in all six, the other main pages in
English and two scripts; the texts change, and no English text that the catalogs
translate (or that the source marks for translation but a catalog leaves empty) remains."""

from __future__ import annotations

import re
from functools import cache

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import expect

from parliament_app.core.i18n import LANGUAGE_NAMES
from parliament_app.devtools.catalogs import catalog_path, extract_template
from parliament_app.devtools.screenshots import ROOT, VIEWPORT, open_page, sign_in, wait_idle
from tests.browser.helpers import choose, title

LANGUAGES = list(LANGUAGE_NAMES)  # sr, sr_Latn, sq, mk, bs, en
# page -> (url, the English msgid of its heading)
PAGES = {
    "home": ("/", "Hello, {name}"),
    "children": ("/children", "Children"),
    "calendar": ("/calendar", "Calendar"),
}
LEADING_SYMBOLS = re.compile(r"^[^\w(]+")


@cache
def source_messages() -> frozenset[str]:
    """Every message the code marks for translation (singular and plural forms)."""
    messages = set()
    for message in extract_template(ROOT):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        messages.update(text for text in ids if text)
    return frozenset(messages)


@cache
def catalog(language: str):
    with catalog_path(ROOT, language).open("rb") as po:
        return read_po(po, locale=language)


def translate(language: str, msgid: str) -> str:
    if language == "en":
        return msgid
    message = catalog(language).get(msgid)
    return message.string if message is not None and message.string else msgid


@cache
def english_left(language: str) -> frozenset[str]:
    """English texts that must not appear on a page in ``language``: translated differently,
    or marked in the code but missing or empty in the catalog."""
    left = set()
    for msgid in source_messages():
        message = catalog(language).get(msgid)
        string = message.string if message is not None else None
        if isinstance(string, tuple):
            string = string[0]
        if string != msgid and "{" not in msgid and len(msgid) > 2:
            left.add(msgid)
    return frozenset(left)


def visible_lines(page, area: str) -> list[str]:
    text = page.inner_text(f"[data-testid={area}]")
    lines = []
    for line in text.splitlines():
        line = line.strip()
        if line:
            lines.append(line)
            stripped = LEADING_SYMBOLS.sub("", line).strip()
            if stripped and stripped != line:
                lines.append(stripped)
    return lines


@pytest.fixture(scope="module")
def facilitator_context(browser, app_server, accounts):
    context = browser.new_context(base_url=app_server.base_url, viewport=VIEWPORT, locale="en-GB")
    page = context.new_page()
    sign_in(page, accounts["facilitator"].username, accounts["facilitator"].password, "en")
    display_name = title(page).removeprefix("Hello, ")
    page.close()
    yield context, display_name
    context.close()


# The menu and the home page in every language; the other pages in English and two scripts
# (the page layer's AppTest runs hold every page to the catalogs in those languages).
CASES = [("home", language) for language in LANGUAGES] + [
    (name, language) for name in ("children", "calendar") for language in ("en", "sr", "sq")
]


@pytest.mark.parametrize("name,language", CASES)
def test_main_page_in_every_language(facilitator_context, request, name, language) -> None:
    context, display_name = facilitator_context
    page = context.new_page()
    request.node.browser_pages = [page]
    url, heading = PAGES[name]
    open_page(page, f"{url}?lang={language}")
    expected = translate(language, heading).format(name=display_name)
    assert LEADING_SYMBOLS.sub("", title(page)) == expected
    if language != "en":
        assert expected != heading.format(name=display_name), "the heading is translated"
        for area, where in (("stMain", "page"), ("stSidebar", "menu and sidebar")):
            found = visible_lines(page, area)
            left = sorted({line for line in found if line in english_left(language)})
            assert not left, f"English left in the {where} of {name} in {language}: {left}"
    page.close()


def test_language_picker_switches_the_page_and_the_link(page, accounts) -> None:
    account = accounts["facilitator"]
    sign_in(page, account.username, account.password, "en")
    open_page(page, "/calendar?lang=en")
    choose(page, "🌐 Language", "Shqip", scope=page.locator("[data-testid=stSidebar]"))
    expect(page.locator("[data-testid=stMain] h1").first).to_have_text(translate("sq", "Calendar"))
    assert "lang=sq" in page.url
    # the choice holds while moving through the menu
    page.locator("[data-testid=stSidebarNav] a").filter(
        has_text=translate("sq", "Children")
    ).first.click()
    wait_idle(page)
    expect(page.locator("[data-testid=stMain] h1").first).to_have_text(translate("sq", "Children"))
