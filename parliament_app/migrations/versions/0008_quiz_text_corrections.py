# ruff: noqa: E501 -- the shipped and corrected quiz texts, kept whole
"""quiz texts corrected after a native-speaker review

Revision ID: 0008_quiz_text_corrections
Revises: 0007_helplines
Create Date: 2026-12-07 16:20:00

The built-in quiz content is copied into the database once and never overwritten, so the
corrections made to the content files reach existing deployments here: Macedonian "сè" written
with a Latin "è" (the Cyrillic letter is "ѐ"), three Albanian wordings, and a sentence added to
15-18-reporting-03: intimate images of anyone under 18 are never saved or forwarded, not even to
report them. Only texts still as shipped are changed; an administrator's own edit is kept.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_quiz_text_corrections"
down_revision: str | None = "0007_helplines"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REPLACEMENTS = {
    "mk": [("сè", "сѐ"), ("Сè", "Сѐ")],
    "sq": [
        ("Lena njohu në", "Lena u njoh në"),
        ("Mila (17 vjeç)", "Mila (17 vjeçe)"),
        ("Asnjë i rritur nuk guxon ta detyrojë", "Asnjë i rritur nuk ka të drejtë ta detyrojë"),
    ],
}
REPORTING_KEY = "15-18-reporting-03"
REPORTING_EXPLANATIONS = {
    "en": (
        "Clear facts and saved messages help professionals act. Posting online can put the person in danger and hurt their privacy.",
        "Clear facts and saved messages help professionals act. Posting online can put the person in danger and hurt their privacy. Never save or forward intimate images of anyone under 18, not even to report them: tell the police or the helpline where they are.",
    ),
    "sr": (
        "Јасне чињенице и сачуване поруке помажу стручњацима да реагују. Објављивање на интернету може да угрози особу и њену приватност.",
        "Јасне чињенице и сачуване поруке помажу стручњацима да реагују. Објављивање на интернету може да угрози особу и њену приватност. Интимне слике било кога млађег од 18 година никада не чувај и не прослеђуј, чак ни ради пријаве: реци полицији или линији за помоћ где се налазе.",
    ),
    "sr_Latn": (
        "Jasne činjenice i sačuvane poruke pomažu stručnjacima da reaguju. Objavljivanje na internetu može da ugrozi osobu i njenu privatnost.",
        "Jasne činjenice i sačuvane poruke pomažu stručnjacima da reaguju. Objavljivanje na internetu može da ugrozi osobu i njenu privatnost. Intimne slike bilo koga mlađeg od 18 godina nikada ne čuvaj i ne prosleđuj, čak ni radi prijave: reci policiji ili liniji za pomoć gde se nalaze.",
    ),
    "sq": (
        "Faktet e qarta dhe mesazhet e ruajtura i ndihmojnë profesionistët të veprojnë. Publikimi në internet mund ta rrezikojë personin dhe privatësinë e tij.",
        "Faktet e qarta dhe mesazhet e ruajtura i ndihmojnë profesionistët të veprojnë. Publikimi në internet mund ta rrezikojë personin dhe privatësinë e tij. Mos ruaj dhe mos përcill kurrë imazhe intime të dikujt nën 18 vjeç, as për t'i raportuar: thuaji policisë ose linjës së ndihmës ku ndodhen.",
    ),
    "mk": (
        "Јасните факти и зачуваните пораки им помагаат на стручните лица да реагираат. Објавувањето на интернет може да ја загрози личноста и нејзината приватност.",
        "Јасните факти и зачуваните пораки им помагаат на стручните лица да реагираат. Објавувањето на интернет може да ја загрози личноста и нејзината приватност. Никогаш не чувај и не препраќај интимни слики од некој помлад од 18 години, дури ни за да ги пријавиш: кажи им на полицијата или на линијата за помош каде се наоѓаат.",
    ),
    "bs": (
        "Jasne činjenice i sačuvane poruke pomažu stručnjacima da reaguju. Objavljivanje na internetu može ugroziti osobu i njenu privatnost.",
        "Jasne činjenice i sačuvane poruke pomažu stručnjacima da reaguju. Objavljivanje na internetu može ugroziti osobu i njenu privatnost. Nikada ne čuvaj i ne prosljeđuj intimne slike bilo koga mlađeg od 18 godina, čak ni radi prijave: reci policiji ili liniji za pomoć gdje se nalaze.",
    ),
}

translations = sa.table(
    "quiz_translations",
    sa.column("question_id", sa.Integer),
    sa.column("language", sa.String),
    sa.column("text", sa.Text),
    sa.column("options", sa.JSON),
    sa.column("explanation", sa.Text),
)
questions = sa.table("quiz_questions", sa.column("id", sa.Integer), sa.column("key", sa.String))


def _replaced(value: str, pairs: list[tuple[str, str]]) -> str:
    for old, new in pairs:
        value = value.replace(old, new)
    return value


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(
            translations.c.question_id,
            translations.c.language,
            translations.c.text,
            translations.c.options,
            translations.c.explanation,
            questions.c.key,
        )
        .join(questions, questions.c.id == translations.c.question_id)
        .where(
            sa.or_(
                translations.c.language.in_(list(REPLACEMENTS)),
                questions.c.key == REPORTING_KEY,
            )
        )
    ).all()
    for row in rows:
        pairs = REPLACEMENTS.get(row.language, [])
        text = _replaced(row.text, pairs)
        options = [_replaced(option, pairs) for option in row.options or []]
        explanation = _replaced(row.explanation, pairs)
        if row.key == REPORTING_KEY and row.language in REPORTING_EXPLANATIONS:
            shipped, corrected = REPORTING_EXPLANATIONS[row.language]
            if explanation == _replaced(shipped, pairs):
                explanation = _replaced(corrected, pairs)
        if (text, options, explanation) != (row.text, row.options, row.explanation):
            connection.execute(
                translations.update()
                .where(
                    translations.c.question_id == row.question_id,
                    translations.c.language == row.language,
                )
                .values(text=text, options=options, explanation=explanation)
            )


def downgrade() -> None:
    """Nothing to undo: the corrected texts are the right ones on an older schema too."""
