"""A facilitator schedules a session; it is in the calendar."""

from playwright.sync_api import expect

from parliament_app.devtools.screenshots import open_page, wait_idle


def test_facilitator_schedules_a_session_and_finds_it_in_the_calendar(signed_in) -> None:
    page = signed_in("facilitator", "en")
    open_page(page, "/sessions?lang=en")
    topic = "Browser test: our rights at school"
    form = page.locator("[data-testid=stForm]").filter(
        has=page.get_by_role("button", name="Check for clashes")
    )
    form.get_by_label("Topic", exact=True).fill(topic)
    form.get_by_role("button", name="Check for clashes").click()
    wait_idle(page)
    form.get_by_label("Topic", exact=True).fill(topic)
    form.get_by_role("button", name="Schedule", exact=True).click()
    expect(page.get_by_text("1 session was scheduled.")).to_be_visible(timeout=30_000)
    wait_idle(page)

    open_page(page, "/calendar?lang=en")
    entry = page.locator("[data-testid=stMain]").get_by_text(topic)
    if not entry.count():  # tomorrow may be in next week
        page.get_by_role("button", name="Next week →").click()
        wait_idle(page)
    expect(entry.first).to_be_visible()
