"""Local accounts: sign in and out, a reload keeps the sign-in, a wrong password is refused in the
visitor's language."""

import re

from playwright.sync_api import expect

from parliament_app.devtools.screenshots import open_page, sign_in, wait_idle
from tests.browser.helpers import sign_out, title

HELLO = re.compile(r"^Hello, ")


def heading(page):
    return page.locator("[data-testid=stMain] h1").first


def test_sign_in_and_out_with_a_local_account(page, accounts) -> None:
    account = accounts["school"]
    sign_in(page, account.username, account.password, "en")
    expect(heading(page)).to_have_text(HELLO)
    assert "School coordinator" in page.inner_text("[data-testid=stSidebar]")
    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    assert cookies["parliament_session"]["httpOnly"]
    sign_out(page)
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    expect(page.locator("form.parliament-sign-in")).to_be_visible()
    # the staff pages are gone with the sign-in
    open_page(page, "/children?lang=en")
    expect(page.locator("form.parliament-sign-in")).to_be_visible()
    assert "parliament_session" not in {cookie["name"] for cookie in page.context.cookies()}


def test_sign_in_survives_a_reload_and_a_new_tab(page, accounts) -> None:
    account = accounts["facilitator"]
    sign_in(page, account.username, account.password, "en")
    expect(heading(page)).to_have_text(HELLO)
    page.reload()
    wait_idle(page)
    expect(heading(page)).to_have_text(HELLO)
    other = page.context.new_page()
    open_page(other, "/calendar?lang=en")
    expect(heading(other)).to_have_text("Calendar")
    other.close()


def test_wrong_password_is_refused_and_says_so(page, accounts) -> None:
    open_page(page, "/?lang=en")
    page.locator("#username").fill(accounts["socialworker"].username)
    page.locator("#password").fill("not-the-password")
    with page.expect_navigation():
        page.locator("form.parliament-sign-in button[type=submit]").click()
    wait_idle(page)
    expect(page.get_by_text("Wrong username or password.")).to_be_visible()
    expect(page.locator("form.parliament-sign-in")).to_be_visible()
    assert "parliament_session" not in {cookie["name"] for cookie in page.context.cookies()}


def test_wrong_password_message_in_the_visitors_language(page) -> None:
    open_page(page, "/?lang=sq")
    page.locator("#username").fill("nobody-here")
    page.locator("#password").fill("not-the-password")
    with page.expect_navigation():
        page.locator("form.parliament-sign-in button[type=submit]").click()
    wait_idle(page)
    assert "lang=sq" in page.url
    alert = page.locator("[data-testid=stAlertContentError]").first
    expect(alert).to_be_visible()
    assert "Wrong username or password" not in alert.inner_text()
    assert title(page) != "🏛️ Children's Parliament"


def test_signed_in_user_keeps_the_language_chosen_before_signing_in(page, accounts) -> None:
    account = accounts["school"]
    sign_in(page, account.username, account.password, "mk")
    assert "lang=mk" in page.url
    assert not HELLO.match(title(page))
