"""Accessibility and comfort across pages: every input has a label, empty states say what to do
next, errors say what to do in the reader's language. (Large, keyboard-usable quiz and check-in
buttons, icons beside colours and progress for long work are checked in the flows' own tests.)"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from parliament_app.devtools.screenshots import open_page, role_pages, wait_idle

UNLABELLED = """
() => {
  const named = (el) => {
    if ((el.getAttribute('aria-label') || '').trim()) return true;
    const by = el.getAttribute('aria-labelledby');
    const text = (id) => (document.getElementById(id)?.textContent || '').trim();
    if (by && by.split(/\\s+/).some(text)) return true;
    if (el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`)?.textContent.trim())
      return true;
    return !!el.closest('label')?.textContent.trim();
  };
  const fields = document.querySelectorAll(
    '[data-testid=stMain] input:not([type=hidden]):not([type=file]), ' +
    '[data-testid=stMain] textarea, [data-testid=stMain] select, ' +
    '[data-testid=stMain] [role=combobox], [data-testid=stMain] [role=slider], ' +
    '[data-testid=stMain] [role=spinbutton]');
  return [...fields]
    // Streamlit's hidden native twins of its date fields are neither seen nor reachable
    .filter((el) => !(el.tabIndex < 0 && !['checkbox', 'radio'].includes(el.type)))
    .filter((el) => !el.closest('[data-testid=stDataFrame], [data-testid=stDataEditor]'))
    .filter((el) => !named(el))
    .map((el) => el.outerHTML.slice(0, 160));
}
"""
ANONYMOUS = ["/?lang=en", "/quiz_join?lang=en", "/quiz_kiosk?lang=en", "/check_in?lang=en"]
# Every staff page once: the administrator has all but the social worker's caseload.
STAFF = {"admin": "administrator", "socialworker": "social_worker"}


def unlabelled(page) -> list[str]:
    return page.evaluate(UNLABELLED)


def test_every_input_is_labelled_on_the_anonymous_pages(page) -> None:
    for url in ANONYMOUS:
        open_page(page, url)
        assert not unlabelled(page), f"{url}: {unlabelled(page)}"


@pytest.mark.parametrize("username", list(STAFF))
def test_every_input_is_labelled_on_each_roles_pages(signed_in, username) -> None:
    page = signed_in(username, "en")
    problems = {}
    pages = role_pages()
    seen = set(pages["administrator"]) if username != "admin" else set()
    for name in [name for name in pages[STAFF[username]] if name not in seen]:
        open_page(page, f"/{'' if name == 'home' else name}?lang=en", 60_000)
        found = unlabelled(page)
        if found:
            problems[name] = found
    assert not problems, problems


def test_empty_states_say_what_to_do_next(signed_in, new_page) -> None:
    page = signed_in("socialworker", "en")
    open_page(page, "/calendar?lang=en")
    page.get_by_role("button", name="Next month →").count()  # week view by default
    for _week in range(2):  # a week with nothing for the groups this centre's children attend
        info = page.locator("[data-testid=stAlertContentInfo]")
        if info.count():
            break
        page.get_by_role("button", name="← Previous week").click()
        wait_idle(page)
    expect(page.locator("[data-testid=stAlertContentInfo]").first).to_contain_text(
        "Go to another week or month"
    )

    child = new_page()
    open_page(child, "/check_in?lang=en")
    expect(child.locator("[data-testid=stAlert]").first).to_contain_text(
        "scan the QR code on the facilitator's screen"
    )


def _join_error(page, language: str) -> str:
    open_page(page, f"/quiz_join?lang={language}")
    page.locator(".st-key-quiz_join_code input").fill("ZZZZZZ")
    page.locator(".st-key-quiz_join_nickname input").fill("Zvezda")
    page.locator(".st-key-quiz_join_submit button").click()
    wait_idle(page)
    alert = page.locator("[data-testid=stAlert]").first
    expect(alert).to_be_visible()
    return alert.inner_text().strip()


def test_errors_say_what_to_do_in_the_readers_language(new_page) -> None:
    english = _join_error(new_page(), "en")
    albanian = _join_error(new_page(locale="sq-AL"), "sq")
    assert english and albanian and english != albanian
    assert "code" in english.lower()  # it names what to check
