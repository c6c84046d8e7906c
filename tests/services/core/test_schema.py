"""The schema: Alembic migrations build exactly what the models describe, on every engine."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from parliament_app.core import migrate
from parliament_app.core.db import make_engine
from parliament_app.models import metadata
from tests.conftest import ENGINES


def test_migrations_reach_head(engine: Engine) -> None:
    assert migrate.is_up_to_date(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_models_and_migrations_do_not_drift(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_every_model_table_exists(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert set(metadata.tables) <= tables


def _fresh_url(kind: str, tmp_path):
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
    else:
        from tests.conftest import _postgresql_database

        yield from _postgresql_database()


@pytest.mark.parametrize("kind", ENGINES)
def test_upgrading_keeps_existing_enrolments_in_waiting_order(kind: str, tmp_path) -> None:
    for url in _fresh_url(kind, tmp_path):
        engine = make_engine(url)
        migrate.upgrade(engine, "0001_core")
        with engine.begin() as connection:
            for statement in (
                "INSERT INTO countries (code, name, enabled) VALUES ('RS', 'Serbia', true)",
                "INSERT INTO municipalities (id, country_code, name) VALUES (1, 'RS', 'M')",
                "INSERT INTO organisations (id, kind, name, municipality_id, active) "
                "VALUES (1, 'ngo', 'N', 1, true)",
                "INSERT INTO groups (id, kind, name, description, organisation_id, "
                "municipality_id, min_age, max_age, capacity, active, created_at) VALUES "
                "(1, 'parliament', 'P', '', 1, 1, 7, 18, 30, true, '2025-01-01 10:00:00+00')",
                "INSERT INTO children (id, given_name, family_name, birth_date, gender, "
                "school_class, municipality_id, home_languages, residence_area, "
                "socio_economic_band, care_situation, created_at) VALUES (1, 'A', 'B', "
                "'2014-01-01', 'female', '', 1, '[]', '', 'unknown', 'unknown', "
                "'2025-01-01 10:00:00+00')",
                "INSERT INTO enrolments (id, group_id, child_id, status, created_at) "
                "VALUES (1, 1, 1, 'waiting', '2025-02-03 08:00:00+00')",
            ):
                connection.execute(text(statement))
        migrate.upgrade(engine)
        with engine.connect() as connection:
            source, queued = connection.execute(
                text("SELECT source, queued_at FROM enrolments WHERE id = 1")
            ).one()
        assert source == "facilitator"
        assert str(queued).startswith("2025-02-03 08:00:00")
        engine.dispose()


@pytest.mark.parametrize("kind", ENGINES)
def test_upgrading_corrects_the_shipped_helplines(kind: str, tmp_path) -> None:
    """A deployment that loaded the old built-in lines: 112 goes where it does not work, the
    unconfirmed line is switched off, the rest are marked verified with their source."""
    for url in _fresh_url(kind, tmp_path):
        engine = make_engine(url)
        migrate.upgrade(engine, "0006_performance")
        old_112 = '{"en": "Single emergency number; check whether it works where you live."}'
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO countries (code, name, enabled) VALUES (:c, :c, true)"),
                [{"c": code} for code in ("RS", "XK", "MK", "BA")],
            )
            connection.execute(
                text(
                    "INSERT INTO helplines (country_code, number, names, descriptions, "
                    "confidence, sort_order, active) VALUES (:country, :number, "
                    "'{\"en\": \"Line\"}', :descriptions, 'uncertain', 10, true)"
                ),
                [
                    {"country": country, "number": number, "descriptions": old_112}
                    for country, number in [
                        ("RS", "112"),
                        ("BA", "112"),
                        ("XK", "112"),
                        ("MK", "116 111"),
                        ("BA", "080 05 03 05"),
                    ]
                ]
                + [{"country": "RS", "number": "0800 555 555", "descriptions": "{}"}],
            )
        migrate.upgrade(engine)
        with engine.connect() as connection:
            rows = {
                (row.country_code, row.number): row
                for row in connection.execute(text("SELECT * FROM helplines"))
            }
        engine.dispose()
        assert ("RS", "112") not in rows and ("BA", "112") not in rows
        assert not rows["MK", "116 111"].active and rows["MK", "116 111"].verified_on is None
        kosovo = rows["XK", "112"]
        assert kosovo.kind == "emergency" and kosovo.verified_on is not None
        assert "check whether" not in str(kosovo.descriptions)
        assert rows["BA", "080 05 03 05"].hours == "weekdays 09:00-22:00"
        assert rows["RS", "0800 555 555"].verified_on is None  # an administrator's own line


@pytest.mark.parametrize("kind", ENGINES)
def test_upgrading_corrects_the_shipped_quiz_texts_but_keeps_edits(kind: str, tmp_path) -> None:
    for url in _fresh_url(kind, tmp_path):
        engine = make_engine(url)
        migrate.upgrade(engine, "0007_helplines")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO quiz_questions (id, key, age_band, topic, type, correct, "
                    "option_count, created_at) VALUES (1, '15-18-reporting-03', '15-18', "
                    "'reporting', 'multiple', '[0]', 2, '2026-01-01 10:00:00+00'), (2, "
                    "'11-14-x', '11-14', 'lover_boy', 'single', '[0]', 2, "
                    "'2026-01-01 10:00:00+00')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO quiz_translations (question_id, language, text, options, "
                    "explanation, updated_at) VALUES (:id, :language, :text, :options, "
                    ":explanation, '2026-01-01 10:00:00+00')"
                ),
                [
                    {
                        "id": 2,
                        "language": "mk",
                        "text": "По сè што ти давам?",
                        "options": '["сè", "ништо"]',
                        "explanation": "Сè е во ред.",
                    },
                    {
                        "id": 1,
                        "language": "en",
                        "text": "Which information can help?",
                        "options": '["a", "b"]',
                        "explanation": "Clear facts and saved messages help professionals "
                        "act. Posting online can put the person in danger and hurt their "
                        "privacy.",
                    },
                    {
                        "id": 1,
                        "language": "sq",
                        "text": "Pyetje?",
                        "options": '["a", "b"]',
                        "explanation": "An administrator's own explanation.",
                    },
                ],
            )
        migrate.upgrade(engine)
        with engine.connect() as connection:
            rows = {
                row.language: row
                for row in connection.execute(text("SELECT * FROM quiz_translations"))
            }
        engine.dispose()
        assert rows["mk"].text == "По сѐ што ти давам?" and "è" not in str(rows["mk"].options)
        assert rows["mk"].explanation == "Сѐ е во ред."
        assert "intimate images of anyone under 18" in rows["en"].explanation
        assert rows["sq"].explanation == "An administrator's own explanation."
