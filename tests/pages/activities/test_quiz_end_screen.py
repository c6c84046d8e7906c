"""The children's end screen shows only helplines someone verified, each with its hours and
cost in the child's language; where no children's line could be verified it says whom to tell."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from activities.quizzes import play
from activities.quizzes.bank import ensure_question_bank
from parliament_app.core.actors import OPERATOR
from parliament_app.core.i18n import _, using_language
from tests.factories import World
from tests.factories.quizzes import make_bank
from tests.pages.app import texts

KIOSK = str(Path(__file__).resolve().parents[3] / "parliament_app/ui/pages/quiz_kiosk.py")


def end_screen(db: Session, world: World, country: str, language: str) -> AppTest:
    """One child's kiosk turn in ``language``, played to the end, in a run held in ``country``."""
    ensure_question_bank(db, actor=OPERATOR)  # the shipped helplines
    make_bank(db)
    run = play.start_run(
        db,
        world.facilitator,
        group_id=world.group.id,
        age_band="11-14",
        topics=["lover_boy"],
        question_count=1,
        mode="kiosk",
        phase="practice",
        country_code=country,
    )
    db.commit()
    app = AppTest.from_file(KIOSK, default_timeout=30)
    app.query_params["code"] = run.join_code
    app.run()
    app.button(key=f"quiz_kiosk_start_{language}").click().run()
    answers = [b for b in app.button if (b.key or "").startswith("quiz_kiosk_w0_answer_")]
    answers[0].click().run()
    app.button(key="quiz_kiosk_w0_next").click().run()
    assert not app.exception, app.exception
    return app


def said(language: str, message: str) -> str:
    with using_language(language):
        return _(message)


@pytest.mark.parametrize("language", ["bs", "en"])
def test_bosnia_shows_no_112_and_every_line_with_hours_and_cost(
    db: Session, world: World, language: str
) -> None:
    app = end_screen(db, world, "BA", language)
    lines = [m.value for m in app.markdown if m.value.startswith("📞")]
    assert [line.split("]")[0] for line in lines] == [
        "📞 [080 05 03 05",
        "📞 [1264",
        "📞 [1265",
        "📞 [122",
    ]
    assert not any("[112]" in line for line in lines)
    captions = [c.value for c in app.caption]
    with using_language(language):
        blue_phone = f"{_('Monday to Friday {opens}–{closes}')} · {_('free call')}".format(
            opens="09:00", closes="22:00"
        )
    assert blue_phone in captions
    assert len([c for c in captions if " · " in c]) == len(lines)


def test_kosovo_says_whom_to_tell_instead_of_a_childrens_line(db: Session, world: World) -> None:
    app = end_screen(db, world, "XK", "sq")
    page = texts(app)
    assert (
        said(
            "sq",
            "We could not confirm a helpline for children in your country. Tell your "
            "facilitator, a teacher or another adult you trust.",
        )
        in page
    )
    lines = [m.value for m in app.markdown if m.value.startswith("📞")]
    assert [line.split("]")[0] for line in lines] == ["📞 [192", "📞 [112"]
    assert "0800 11112" not in page  # no source newer than about 2012
