"""Attendance: the roster marked in one go on the attendance page, a badge scan at the scanning
station, and a child checking in with the self check-in deep link on another device.

The sessions are scheduled "now" through the scheduling service (the page only schedules from
tomorrow on; the scheduling page itself is tested in test_browser_04)."""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from parliament_app.devtools.screenshots import (
    SECRET_KEY,
    database,
    open_page,
    schedule_now,
    wait_idle,
)

GROUPS = {
    "roster": "Music Club: Choir and Guitar",
    "badge": "Football for All",
    "self": "Workshops: Online Safety and Children's Rights",
}


@pytest.fixture(scope="module")
def today(app_server, demo) -> dict[str, str]:
    """One session going on now per flow; the topic names it in the session pickers."""
    topics = {}
    for flow, group in GROUPS.items():
        topics[flow] = f"Browser test: {flow}"
        schedule_now(app_server, "facilitator", group, topics[flow])
    return topics


def choose_session(page, topic: str) -> None:
    box = page.get_by_role("combobox", name="Session", exact=True)
    box.click()
    page.get_by_role("option").filter(has_text=topic).first.click()
    wait_idle(page)


def test_attendance_page_marks_everyone_present(signed_in, today) -> None:
    page = signed_in("facilitator", "en")
    open_page(page, "/attendance?lang=en")
    choose_session(page, today["roster"])
    main = page.locator("[data-testid=stMain]")
    expect(main).to_contain_text(re.compile(r"Not marked yet: [1-9]"))
    page.get_by_role("button", name="Mark all present").click()
    expect(page.get_by_text(re.compile(r"\d+ children were marked present\."))).to_be_visible()
    expect(main).to_contain_text("Not marked yet: 0")
    # statuses are words with an icon, never a colour alone
    expect(main).to_contain_text(re.compile(r"✅ Present: \d+"))


def _badge(app_server, group_name: str) -> tuple[str, str]:
    """A badge for the first active member of the group (as the badges page prints it)."""
    from parliament_app.models import Child, Enrolment, EnrolmentStatus, Group, User
    from sessions.checkin.badges import badge_for_child

    with database(app_server) as session:
        facilitator = session.scalar(select(User).where(User.username == "facilitator"))
        child = session.scalar(
            select(Child)
            .join(Enrolment, Enrolment.child_id == Child.id)
            .join(Group, Group.id == Enrolment.group_id)
            .where(Group.name == group_name, Enrolment.status == EnrolmentStatus.ACTIVE)
            .order_by(Child.id)
            .limit(1)
        )
        _badge_row, token = badge_for_child(session, facilitator, child.id, secret=SECRET_KEY)
        return token, child.given_name


def test_badge_scan_checks_a_child_in(signed_in, app_server, today) -> None:
    token, given_name = _badge(app_server, GROUPS["badge"])
    page = signed_in("facilitator", "en")
    open_page(page, "/scan?lang=en")
    choose_session(page, today["badge"])
    field = page.get_by_label("Badge code", exact=True)
    field.fill(token)
    field.press("Enter")  # what a keyboard-wedge scanner does
    wait_idle(page)
    result = page.locator("[class*='st-key-scan_result_']").first
    expect(result).to_contain_text(given_name)
    assert re.search(r"[✅🕒]", result.inner_text()), "the result has an icon, not only a colour"
    # the field is empty and focused again for the next badge
    expect(field).to_have_value("")
    field.fill(token)
    field.press("Enter")
    wait_idle(page)
    expect(page.locator("[class*='st-key-scan_result_']").first).to_contain_text("☑️")


def _self_check_in_link(page) -> str:
    """The link in the QR code of the self check-in tab (or the one written beside it)."""
    panel = page.locator("[data-testid=stMain]")
    code = page.locator(".st-key-scan_self_code").inner_text().strip()
    try:
        import zxingcpp
        from PIL import Image
    except ImportError:
        zxingcpp = None
    if zxingcpp is not None:
        image = panel.locator("[data-testid=stImage] img").last
        data = page.request.get(image.get_attribute("src")).body()
        found = [result.text for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(data)))]
        assert found and f"c={code}" in found[0]
        parts = urlsplit(found[0])
        return f"{parts.path}?{parts.query}"
    written = re.search(r"check_in\?o=\d+", panel.inner_text())
    assert written
    return f"/{written.group(0)}&c={code}"


def test_self_check_in_deep_link_on_a_second_device(signed_in, new_page, today) -> None:
    station = signed_in("facilitator", "en")
    open_page(station, "/scan?lang=en")
    choose_session(station, today["self"])
    station.get_by_role("tab", name=re.compile("Self check-in")).click()
    expect(station.locator(".st-key-scan_self_code")).to_be_visible(timeout=20_000)
    link = _self_check_in_link(station)

    child = new_page()  # the child's phone: nobody signed in
    open_page(child, link + "&lang=en")
    assert not child.locator("[data-testid=stSidebarNav]").count()
    names = child.get_by_role("button", name=re.compile(r"^I am "))
    expect(names.first).to_be_visible()
    button = names.first
    name = button.inner_text().removeprefix("I am ").strip()
    box = button.bounding_box()
    assert box and box["height"] >= 44, "name buttons are large enough to tap"
    button.focus()
    child.keyboard.press("Enter")  # usable from the keyboard too
    wait_idle(child)
    done = child.locator(".st-key-check_in_done")
    expect(done).to_contain_text("You are checked in!")
    expect(done).to_contain_text(name)

    # the station's live list shows it within a refresh or two
    expect(station.locator("[data-testid=stMain]")).to_contain_text(name, timeout=30_000)
