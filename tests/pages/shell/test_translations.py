"""Every page opens for every role that has it and speaks the reader's language.

Each role-page is opened once per language in English and in two languages of different scripts
(Serbian Cyrillic, Albanian Latin): one run asserts it opens without an exception, shows a title
and leaves no English behind. The other languages are held to the same catalogs by
``parliament i18n check``, and their home page is smoke-tested here per role."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from parliament_app.models import Role
from tests.factories import World
from tests.pages.app import (
    PAGES,
    ROLE_PAGES,
    USER_FOR_ROLE,
    english_sources,
    signed_in_app,
    visible_strings,
)

PAGE_LANGUAGES = ["en", "sr", "sq"]  # English, Cyrillic, Latin
SHELL_LANGUAGES = ["sr_Latn", "mk", "bs"]
ROLE_PAGE_CASES = [(role, page) for role, pages in ROLE_PAGES.items() for page in pages]


def english_left(app: AppTest, world: World, language: str) -> set[str]:
    """The visible texts that are still the English source of a translated message."""
    sources = english_sources(language)
    # People's names are data, never translated ("Facilitator" is also a test user's name).
    names = {person.display_name for person in world.users().values()}
    # Labels may carry an icon or bold markers around the translated message.
    return {
        text
        for text in visible_strings(app)
        if re.sub(r"^[^\w{]+|\*+$", "", text) in sources.keys() - names
    }


@pytest.mark.parametrize("language", PAGE_LANGUAGES)
@pytest.mark.parametrize("role,page", ROLE_PAGE_CASES)
def test_every_page_opens_for_its_roles_in_their_language(
    db: Session, world: World, role: Role, page: str, language: str
) -> None:
    user = world.users()[USER_FOR_ROLE[role]]
    app = signed_in_app(db, user, language)
    app.switch_page(PAGES.format(page)).run()
    assert not app.exception, app.exception
    assert app.title, f"{page} shows a title"
    if language != "en":
        leftovers = english_left(app, world, language)
        assert not leftovers, f"untranslated on {page} in {language}: {sorted(leftovers)}"


@pytest.mark.parametrize("language", SHELL_LANGUAGES)
@pytest.mark.parametrize("role", list(ROLE_PAGES))
def test_the_home_page_speaks_every_other_language(
    db: Session, world: World, role: Role, language: str
) -> None:
    user = world.users()[USER_FOR_ROLE[role]]
    english = signed_in_app(db, user)
    translated = signed_in_app(db, user, language)
    assert not translated.exception
    assert english.title[0].value != translated.title[0].value
    assert [m.label for m in english.metric] != [m.label for m in translated.metric]
    leftovers = english_left(translated, world, language)
    assert not leftovers, f"untranslated on home in {language}: {sorted(leftovers)}"
