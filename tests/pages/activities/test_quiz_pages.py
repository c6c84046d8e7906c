"""The quiz pages (AppTest): the facilitator starts a run and sees its code, children join in
their own languages and answer, the talk button confirms privately, and the kiosk starts over
for the next child.

The pages are run directly from their files (they work the same once the shell registers them);
the shell deep-link tests skip until it does. The test's own database session commits after each
step: on SQLite an open transaction would hold the write lock the app needs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from activities.quizzes import play
from parliament_app.core.i18n import _, using_language
from parliament_app.models.quizzes import QuizAnswer, QuizPlayer, QuizRun, RunStatus, TalkRequest
from tests.factories import World
from tests.factories.quizzes import Bank, make_bank
from tests.pages.app import ENTRY, signed_in_app, texts

ROOT = Path(__file__).resolve().parents[3]


def page_file(name: str) -> str:
    return str(ROOT / "parliament_app" / "ui" / "pages" / f"{name}.py")


@pytest.fixture
def bank(db: Session, world: World) -> Bank:
    bank = make_bank(db)
    db.commit()
    return bank


def start(db: Session, world: World, mode: str = "live") -> QuizRun:
    """A one-question run (the true/false question: option 0 is right)."""
    run = play.start_run(
        db,
        world.facilitator,
        group_id=world.group.id,
        age_band="11-14",
        topics=["lover_boy"],
        question_count=1,
        mode=mode,
        phase="practice",
    )
    db.commit()
    return run


def count(db: Session, model) -> int:
    value = db.scalar(select(func.count()).select_from(model))
    db.commit()  # release SQLite's write lock for the app
    return value


def in_language(language: str, message: str) -> str:
    with using_language(language):
        return _(message)


def host_app(user_id: int, url: str | None = None) -> AppTest:
    app = AppTest.from_file(page_file("quiz_host"), default_timeout=30)
    app.session_state["current_user_id"] = user_id
    if url:
        app.context = {"url": url}
    return app.run()


def child_app(page: str, **params: str) -> AppTest:
    app = AppTest.from_file(page_file(page), default_timeout=30)
    for name, value in params.items():
        app.query_params[name] = value
    return app.run()


def html(app: AppTest) -> str:
    return "\n".join(element.proto.body for element in app.get("html"))


def join(code: str, nickname: str, language: str) -> AppTest:
    app = child_app("quiz_join", code=code, lang=language)
    assert not app.exception, app.exception
    assert app.text_input(key="quiz_join_code").value == code
    assert app.selectbox(key="quiz_join_language").value == language
    app.text_input(key="quiz_join_nickname").input(nickname)
    app.button(key="quiz_join_submit").click().run()
    assert not app.exception, app.exception
    return app


# --- the facilitator ------------------------------------------------------------------------------


def test_host_starts_a_run_and_sees_the_code(db: Session, world: World, bank: Bank) -> None:
    app = host_app(world.facilitator.id, url="http://192.168.1.20:8501/quiz_host")
    assert not app.exception, app.exception
    assert app.title[0].value.endswith("Run a quiz")
    assert "no questions for this age band" in texts(app)  # the first band, 7-10, has none
    app.selectbox(key="quiz_host_band").set_value("11-14").run()
    assert not [box for box in app.checkbox if box.key == "quiz_host_speed"]  # not below 15
    app.number_input(key="quiz_host_count").set_value(2)
    app.button(key="quiz_host_start_submit").click().run()
    assert not app.exception, app.exception
    run = db.scalars(select(QuizRun)).one()
    db.commit()
    assert run.status == RunStatus.LOBBY and len(run.question_ids) == 2
    assert f'<div class="quiz-code">{run.join_code}</div>' in html(app)
    assert run.join_code in texts(app)  # the success message and the join link name it too
    assert f"http://192.168.1.20:8501/quiz_join?code={run.join_code}" in texts(app)
    assert len(app.get("image")) == 1  # the QR code of that link

    app.button(key="quiz_host_next").click().run()
    assert not app.exception, app.exception
    db.expire_all()
    assert db.get(QuizRun, run.id).status == RunStatus.QUESTION
    db.commit()
    assert any(text.value.startswith("[en]") for text in app.subheader)
    app.button(key="quiz_host_reveal").click().run()
    assert not app.exception, app.exception
    assert app.get("arrow_vega_lite_chart") or app.get("vega_lite_chart")
    assert "[en] because" in texts(app)


def test_speed_bonus_is_offered_only_for_older_groups(
    db: Session, world: World, bank: Bank
) -> None:
    app = host_app(world.facilitator.id)
    app.selectbox(key="quiz_host_band").set_value("15-18").run()
    assert [box.key for box in app.checkbox] == ["quiz_host_speed"]


def test_host_page_for_someone_leading_no_group(db: Session, world: World, bank: Bank) -> None:
    app = host_app(world.other_facilitator.id)
    assert not app.exception
    assert "a group you lead" in texts(app)
    assert '<div class="quiz-code">' not in html(app)


def test_host_sees_a_talk_request_without_a_name_until_asked(
    db: Session, world: World, bank: Bank
) -> None:
    run = start(db, world)
    _player, token = play.join(db, run.join_code, "Whisper", "en")
    play.talk_request(db, token)
    db.commit()
    app = host_app(world.facilitator.id)
    assert not app.exception, app.exception
    alert = " ".join(warning.value for warning in app.warning)
    assert "Someone would like to talk to you" in alert
    assert "Whisper" not in texts(app)
    app.toggle(key="quiz_host_show_talk").set_value(True).run()
    assert "Whisper" in texts(app)
    seen = [button for button in app.button if button.key.startswith("quiz_host_seen_")]
    seen[0].click().run()
    assert not app.exception, app.exception
    assert "would like to talk" not in " ".join(warning.value for warning in app.warning)
    assert play.open_talk_requests(db, world.facilitator, run.id) == []
    db.commit()


# --- children -------------------------------------------------------------------------------------


def test_children_play_in_their_own_languages(db: Session, world: World, bank: Bank) -> None:
    run = start(db, world)
    albanian = join(run.join_code, "Drita", "sq")
    serbian = join(run.join_code, "Milica", "sr")
    players = {p.nickname: p.language for p in db.scalars(select(QuizPlayer))}
    db.commit()
    assert players == {"Drita": "sq", "Milica": "sr"}
    assert in_language("sq", "Wait a moment: your facilitator will start the first question.") in (
        texts(albanian)
    )

    play.open_next_question(db, world.facilitator, run.id)
    db.commit()
    albanian.run()
    serbian.run()
    assert not albanian.exception and not serbian.exception
    assert [s.value for s in albanian.subheader] == ["[sq] 11-14-lover-01?"]
    assert [s.value for s in serbian.subheader] == ["[sr] 11-14-lover-01?"]
    question_id = bank.true_false.id
    options = [b.label for b in albanian.button if b.key.startswith("quiz_join_answer_")]
    assert options == ["A. [sq] option 0", "B. [sq] option 1"]

    albanian.button(key=f"quiz_join_answer_{question_id}_0").click().run()
    assert not albanian.exception, albanian.exception
    assert in_language("sq", "Thank you! Your answer is saved.") in texts(albanian)
    assert not [b for b in albanian.button if b.key.startswith("quiz_join_answer_")]
    assert count(db, QuizAnswer) == 1
    serbian.run()
    assert [b for b in serbian.button if b.key.startswith("quiz_join_answer_")]  # still open

    play.reveal(db, world.facilitator, run.id)
    db.commit()
    albanian.run()
    serbian.run()
    assert "[sq] because" in texts(albanian)
    assert "[sr] because" in texts(serbian)
    assert in_language("sq", "You got it right!") in texts(albanian)
    assert "Drita" not in texts(serbian)  # nobody else's name or result

    play.finish(db, world.facilitator, run.id)
    db.commit()
    albanian.run()
    assert not albanian.exception, albanian.exception
    assert in_language("sq", "Great work! You know a lot about staying safe.") in texts(albanian)


def test_join_refuses_a_bad_code_kindly(db: Session, world: World, bank: Bank) -> None:
    app = child_app("quiz_join", code="ZZZZZZ")
    app.text_input(key="quiz_join_nickname").input("Drita")
    app.button(key="quiz_join_submit").click().run()
    assert not app.exception
    assert "This code is not valid. Check it with your facilitator." in texts(app)
    assert count(db, QuizPlayer) == 0


def test_talk_button_confirms_privately(db: Session, world: World, bank: Bank) -> None:
    run = start(db, world)
    app = join(run.join_code, "Drita", "sq")
    app.button(key="quiz_join_talk_button").click().run()
    assert not app.exception, app.exception
    confirmation = in_language("sq", "Thank you for telling us. Your facilitator will come to you.")
    assert confirmation in [message.value for message in app.success]
    app.button(key="quiz_join_talk_button").click().run()  # pressing again: still one request
    assert count(db, TalkRequest) == 1
    requests = play.open_talk_requests(db, world.facilitator, run.id)
    db.commit()
    assert [request.nickname for request in requests] == ["Drita"]


def test_talk_button_works_before_joining(db: Session, world: World, bank: Bank) -> None:
    run = start(db, world)
    app = child_app("quiz_join", code=run.join_code)
    app.button(key="quiz_join_talk_button").click().run()
    assert "Your facilitator will come to you" in texts(app)
    assert count(db, TalkRequest) == 1


def test_child_pages_never_use_a_staff_sign_in(db: Session, world: World, bank: Bank) -> None:
    run = start(db, world)
    for page in ("quiz_join", "quiz_kiosk"):
        app = AppTest.from_file(page_file(page), default_timeout=30)
        app.session_state["current_user_id"] = world.facilitator.id
        app.query_params["code"] = run.join_code
        app.run()
        assert not app.exception, app.exception
        assert world.facilitator.display_name not in texts(app)
        assert "Please sign in" not in texts(app)
    source = Path(page_file("quiz_join")).read_text() + Path(page_file("quiz_kiosk")).read_text()
    assert "page_user" not in source and "current_user_id" not in source


# --- the kiosk ------------------------------------------------------------------------------------


def test_kiosk_turn_and_next_child(db: Session, world: World, bank: Bank) -> None:
    run = start(db, world, mode="kiosk")
    app = child_app("quiz_kiosk", code=run.join_code)
    assert not app.exception, app.exception
    starts = [b.key for b in app.button if b.key.startswith("quiz_kiosk_start_")]
    assert len(starts) == 6
    app.button(key="quiz_kiosk_start_sq").click().run()
    assert not app.exception, app.exception
    assert [s.value for s in app.subheader] == ["[sq] 11-14-lover-01?"]
    question_id = bank.true_false.id
    app.button(key=f"quiz_kiosk_w0_answer_{question_id}_0").click().run()
    assert in_language("sq", "That is right!") in texts(app)
    assert "[sq] because" in texts(app)

    app.button(key="quiz_kiosk_w0_talk").click().run()
    assert in_language(
        "sq", "Thank you for telling us. Your facilitator will come to you."
    ) in texts(app)
    assert count(db, TalkRequest) == 1
    app.button(key="quiz_kiosk_w0_next").click().run()
    assert in_language("sq", "Great work! You know a lot about staying safe.") in texts(app)
    app.button(key="quiz_kiosk_w0_done").click().run()
    assert not app.exception, app.exception

    # Back at the start: nothing of the last child is left.
    assert [b.key for b in app.button if b.key.startswith("quiz_kiosk_start_")] == starts
    for key in ("token", "feedback", "talk", "active_at"):
        assert f"quiz_kiosk_turn_{key}" not in app.session_state
    assert "language" not in app.session_state
    assert "Your facilitator will come to you" not in texts(app)

    app.button(key="quiz_kiosk_start_sr").click().run()
    assert [s.value for s in app.subheader] == ["[sr] 11-14-lover-01?"]  # from the first question
    nicknames = sorted(p.nickname for p in db.scalars(select(QuizPlayer)))
    db.commit()
    assert nicknames == ["Tablet 1", "Tablet 2"]


def test_kiosk_without_a_code_asks_for_one(db: Session, world: World, bank: Bank) -> None:
    run = start(db, world, mode="kiosk")
    app = child_app("quiz_kiosk")
    assert not app.exception
    app.text_input(key="quiz_kiosk_code_input").input(run.join_code.lower())
    app.button[0].click().run()
    assert not app.exception, app.exception
    assert [b for b in app.button if b.key == "quiz_kiosk_start_en"]
    live = start(db, world)
    refused = child_app("quiz_kiosk", code=live.join_code)
    assert "Open the join page instead" in texts(refused)


# --- through the shell, once the pages are registered ---------------------------------------------


def test_join_page_deep_link_through_the_shell(db: Session, world: World, bank: Bank) -> None:
    run = start(db, world)
    app = AppTest.from_file(ENTRY, default_timeout=30)
    app.query_params["code"] = run.join_code
    app.run()
    try:
        app.switch_page("parliament_app/ui/pages/quiz_join.py").run()
    except ValueError:
        pytest.skip("quiz_join is not registered in the shell yet")
    assert not app.exception, app.exception
    assert app.text_input(key="quiz_join_code") is not None


def test_host_page_through_the_shell(db: Session, world: World, bank: Bank) -> None:
    app = signed_in_app(db, world.facilitator)
    try:
        app.switch_page("parliament_app/ui/pages/quiz_host.py").run()
    except ValueError:
        pytest.skip("quiz_host is not registered in the shell yet")
    assert not app.exception, app.exception
    assert app.title[0].value.endswith(_("Run a quiz"))
