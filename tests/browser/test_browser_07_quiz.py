"""A quiz from the join QR code to the results, with two children on two devices in two
languages; their answer buttons are large and work from the keyboard."""

from __future__ import annotations

import io
import re
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

from parliament_app.devtools.screenshots import open_page, wait_idle
from tests.browser.helpers import choose

CHILDREN = {"sq": "Ylli", "mk": "Sonce"}


def _qr_link(page) -> str | None:
    """The link in the QR code on the host's screen (None where zxing-cpp is missing)."""
    try:
        import zxingcpp
        from PIL import Image
    except ImportError:
        return None
    source = page.locator("[data-testid=stMain] [data-testid=stImage] img").first.get_attribute(
        "src"
    )
    image = Image.open(io.BytesIO(page.request.get(source).body()))
    found = [result.text for result in zxingcpp.read_barcodes(image)]
    return found[0] if found else None


PHONE = {"width": 390, "height": 844}
# The frame around a question and the end screen, as the English source says it.
ENGLISH_FRAME = (
    "You play as",
    "Question 1 of",
    "Question 2 of",
    "Thank you! Your answer is saved.",
    "It is never your fault",
    "Leave the quiz",
)


def assert_no_english_frame(child, language: str) -> None:
    main = child.inner_text("[data-testid=stMain]")
    left = [text for text in ENGLISH_FRAME if text in main]
    assert not left, f"English on a {language} phone after the screen refreshed itself: {left}"


def click_host(page, key: str) -> None:
    page.locator(f".st-key-{key} button").click()
    wait_idle(page)


def answer(child) -> None:
    """Answer the open question with the first option, from the keyboard for single choices."""
    options = child.locator("[class*='st-key-quiz_join_answer_'] button")
    expect(options.first).to_be_visible(timeout=20_000)
    boxes = child.locator("[data-testid=stCheckbox] label")
    if boxes.count():  # a question with several right answers: tick one, send
        boxes.first.click()
        child.locator("[class*='st-key-quiz_join_answer_send_'] button").click()
    else:
        button = options.first
        box = button.bounding_box()
        assert box and box["height"] >= 44, "answer buttons are large enough for small fingers"
        button.focus()
        child.keyboard.press("Enter")
    expect(child.locator("[data-testid=stAlertContentSuccess]").first).to_be_visible(timeout=20_000)


def test_quiz_from_join_qr_to_results_with_two_children_in_two_languages(
    signed_in, new_page
) -> None:
    host = signed_in("facilitator", "en")
    open_page(host, "/quiz_host?lang=en")
    choose(host, "Age band", "Ages 11–14")
    form = host.locator("[data-testid=stForm]").filter(has=host.locator(".st-key-quiz_host_count"))
    form.locator(".st-key-quiz_host_count input").fill("2")
    phase = form.get_by_role("combobox", name="When", exact=True)
    phase.click()
    host.get_by_role("option", name="Before the workshop", exact=True).click()
    click_host(host, "quiz_host_start_submit")
    code = host.locator(".quiz-code").first.inner_text().strip()
    assert re.fullmatch(r"[2-9A-Z]{6}", code)

    link = _qr_link(host)
    if link is not None:
        parts = urlsplit(link)
        assert parts.path.endswith("/quiz_join")
        assert parse_qs(parts.query)["code"] == [code]
        join = f"{parts.path}?{parts.query}"
    else:
        join = f"/quiz_join?code={code}"

    players = {}
    for language, nickname in CHILDREN.items():
        child = new_page(locale={"sq": "sq-AL", "mk": "mk-MK"}[language], viewport=PHONE)
        open_page(child, f"{join}&lang={language}")
        # a child's screen: no staff menu, the code filled in from the QR link
        assert not child.locator("[data-testid=stSidebarNav]").count()
        assert child.locator(".st-key-quiz_join_code input").input_value() == code
        child.locator(".st-key-quiz_join_nickname input").fill(nickname)
        child.locator(".st-key-quiz_join_submit button").click()
        wait_idle(child)
        expect(child.locator(".st-key-quiz_join_nickname")).to_have_count(0)
        players[language] = child
    texts = {
        language: child.inner_text("[data-testid=stMain]") for language, child in players.items()
    }
    assert texts["sq"] != texts["mk"], "each child reads their own language"

    expect(host.get_by_text("Players")).to_be_visible()
    for _question in range(2):
        click_host(host, "quiz_host_next")
        questions = {}
        for language, child in players.items():
            # The question arrives by the screen's own refresh, which must keep the language.
            expect(child.locator("[class*='st-key-quiz_join_answer_'] button").first).to_be_visible(
                timeout=20_000
            )
            assert_no_english_frame(child, language)
            answer(child)
            questions[language] = child.locator("[data-testid=stMain] h3").first.inner_text()
        assert questions["sq"] != questions["mk"], "the question is shown in each child's language"
        click_host(host, "quiz_host_reveal")
    click_host(host, "quiz_host_finish")

    for language, child in players.items():
        nickname = CHILDREN[language]
        expect(child.locator("[data-testid=stMain] h3").filter(has_text=nickname)).to_be_visible(
            timeout=20_000
        )
        # helplines or whom to talk to are on the end screen
        assert "📞" in child.inner_text("[data-testid=stMain]") or child.get_by_role("link").count()
        assert_no_english_frame(child, language)

    expect(host.get_by_text("Results", exact=True)).to_be_visible(timeout=20_000)
    open_page(host, "/quiz_results?lang=en")
    main = host.inner_text("[data-testid=stMain]")
    assert "No quiz was played in this term yet" not in main
    expect(host.get_by_text("Questions", exact=True)).to_be_visible()


def test_child_can_ask_to_talk_from_the_join_page(new_page) -> None:
    child = new_page()
    open_page(child, "/quiz_join?lang=en")
    child.get_by_role("button", name=re.compile("I would like to talk to someone")).click()
    wait_idle(child)
    # without a running quiz the page still tells the child whom to turn to
    expect(child.locator("[data-testid=stAlert]").last).to_contain_text("talk")
