"""The register import page, as a school coordinator uses it."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from parliament_app.models import Child
from tests.factories import World
from tests.pages.app import PAGES, signed_in_app

REGISTER = (
    "Ime;Prezime;Datum rođenja;Pol;Razred;Roditelj;Omiljena boja\n"
    "Mila;Jovanović;15.03.2014.;Ž;5-2;Ivana Jovanović;plava\n"
    "Luka;Marković;2013-11-02;M;6-1;Petar Marković;zelena\n"
).encode("cp1250")


def children(db: Session) -> int:
    db.rollback()
    return db.scalar(select(func.count()).select_from(Child))


def open_import(db: Session, world: World):
    app = signed_in_app(db, world.coordinator)
    app.switch_page(PAGES.format("pupil_import")).run()
    app.file_uploader[0].upload("register.csv", REGISTER, "text/csv").run()
    assert not app.exception, app.exception
    return app


def test_unknown_column_is_mapped_then_pupils_previewed_and_imported(
    db: Session, app_world: World
) -> None:
    before = children(db)
    app = open_import(db, app_world)
    assert any(box.label == "Omiljena boja" for box in app.selectbox)  # the mapping step
    assert [metric.value for metric in app.metric][:2] == ["2", "0"]
    app.checkbox[0].check()
    app.button(key="FormSubmitter:commit_import-Import 2 pupils").click().run()
    assert not app.exception, app.exception
    assert any("2 pupils imported" in message.value for message in app.success)
    assert children(db) == before + 2


def test_without_consent_nothing_is_imported(db: Session, app_world: World) -> None:
    before = children(db)
    app = open_import(db, app_world)
    app.button(key="FormSubmitter:commit_import-Import 2 pupils").click().run()
    assert any("consent" in message.value.lower() for message in app.error)
    assert children(db) == before


def test_a_broken_row_blocks_the_import(db: Session, app_world: World) -> None:
    app = signed_in_app(db, app_world.coordinator)
    app.switch_page(PAGES.format("pupil_import")).run()
    broken = REGISTER + "Ana;Ilić;31.02.2014;Ž;5-1;Maja Ilić;crvena\n".encode("cp1250")
    app.file_uploader[0].upload("register.csv", broken, "text/csv").run()
    assert any("nothing has been imported" in message.value for message in app.error)
    assert not [button for button in app.button if "Import" in str(button.label)]
