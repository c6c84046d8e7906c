"""First run: the administrator is created through the set-up page, with the demo municipality,
and the demo accounts are shown once (the session fixture ``demo`` does it through the UI)."""

from playwright.sync_api import expect

from parliament_app.devtools.screenshots import open_page, sign_in
from tests.browser.helpers import title


def test_mismatched_passwords_are_refused_with_what_to_do(demo) -> None:
    assert "The two passwords are not the same." in demo.mismatch_error


def test_first_run_creates_the_administrator_and_shows_the_demo_accounts_once(demo) -> None:
    roles = {account.username: account.role for account in demo.accounts.values()}
    assert roles == {
        "admin": "Administrator",
        "facilitator": "Facilitator",
        "school": "School coordinator",
        "socialworker": "Social worker",
    }
    assert all(len(account.password) >= 12 for account in demo.accounts.values())
    # long work shows progress, and it ends with a clear next step
    assert "Done." in demo.final_text
    assert "shown only once" in demo.final_text
    assert "Go to sign-in" in demo.final_text


def test_after_the_first_run_the_app_asks_to_sign_in(page, demo) -> None:
    open_page(page, "/?lang=en")
    assert title(page).endswith("Children's Parliament")
    expect(page.locator("form.parliament-sign-in")).to_be_visible()
    assert "Let us set up" not in page.inner_text("body")


def test_every_demo_account_signs_in(new_page, demo) -> None:
    for account in demo.accounts.values():
        page = new_page()
        sign_in(page, account.username, account.password, "en")
        expect(page.locator("[data-testid=stMain] h1").first).to_contain_text("Hello")
        page.context.close()
