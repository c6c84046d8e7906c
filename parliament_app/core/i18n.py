"""The language layer: one translation catalog per language, chosen per user session.

Never ``gettext.install()``: one process serves many users at once. The current language lives in
a context variable that the UI sets at the start of every script run (Streamlit runs each session's
script in its own thread), and ``_()`` looks the message up in that language's catalog.
Module-level strings are marked with ``N_()`` and translated where they are shown.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import lru_cache

from babel import Locale, UnknownLocaleError, dates, numbers

from parliament_app.core.catalogs import load_translations

SOURCE_LANGUAGE = "en"
# Display names are each language's own name for itself, so they are never translated.
LANGUAGE_NAMES: dict[str, str] = {
    "sr": "Српски",
    "sr_Latn": "Srpski (latinica)",
    "sq": "Shqip",
    "mk": "Македонски",
    "bs": "Bosanski",
    "en": "English",
}
SUPPORTED_LANGUAGES: tuple[str, ...] = tuple(LANGUAGE_NAMES)
BABEL_LOCALES = {"sr": "sr_Cyrl", "sr_Latn": "sr_Latn", "sq": "sq", "mk": "mk", "bs": "bs"}

_current: ContextVar[str] = ContextVar("parliament_language", default=SOURCE_LANGUAGE)


@lru_cache(maxsize=len(LANGUAGE_NAMES))
def translations(language: str) -> gettext.NullTranslations:
    if language == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    return load_translations(language)


def set_language(language: str) -> None:
    _current.set(language if language in LANGUAGE_NAMES else SOURCE_LANGUAGE)


def current_language() -> str:
    return _current.get()


def _(message: str) -> str:
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return translations(_current.get()).pgettext(context, message)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (translate it where shown)."""
    return message


def language_from_tag(tag: str | None) -> str | None:
    """Map a browser or URL language tag (``sr-Latn-RS``, ``sq_XK``, ``mk``) to a supported one."""
    if not tag:
        return None
    tag = tag.strip().replace("-", "_")
    if tag in LANGUAGE_NAMES:
        return tag
    try:
        locale = Locale.parse(tag)
    except (ValueError, UnknownLocaleError):
        return None
    if locale.language == "sr":
        return "sr_Latn" if locale.script == "Latn" else "sr"
    if locale.language == "hr":  # Croatian readers are closest to the Bosnian catalog
        return "bs"
    return locale.language if locale.language in LANGUAGE_NAMES else None


def negotiate(
    chosen: str | None = None,
    url_param: str | None = None,
    user_preference: str | None = None,
    browser: str | None = None,
) -> str:
    """Pick the session's language: explicit choice, ?lang=, the user's preference, the browser."""
    for candidate in (chosen, url_param, user_preference, browser):
        language = language_from_tag(candidate)
        if language:
            return language
    return SOURCE_LANGUAGE


def babel_locale(language: str | None = None) -> str:
    language = language or _current.get()
    return BABEL_LOCALES.get(language, "en_GB")


def format_date(value: date, format: str = "medium") -> str:
    return dates.format_date(value, format=format, locale=babel_locale())


def format_datetime(value: datetime, format: str = "medium", tz: str = "Europe/Belgrade") -> str:
    return dates.format_datetime(
        value, format=format, tzinfo=dates.get_timezone(tz), locale=babel_locale()
    )


def format_number(value: int | float) -> str:
    return numbers.format_decimal(value, locale=babel_locale())


def format_decimal(value: float, digits: int = 2) -> str:
    return numbers.format_decimal(
        round(value, digits), format=f"0.{'0' * digits}", locale=babel_locale()
    )


def format_percent(value: float) -> str:
    return numbers.format_percent(value, locale=babel_locale())


@contextmanager
def using_language(language: str) -> Iterator[None]:
    """Translate in another language for a while (a guardian's form, a calendar for a reader)."""
    token = _current.set(language if language in LANGUAGE_NAMES else SOURCE_LANGUAGE)
    try:
        yield
    finally:
        _current.reset(token)
