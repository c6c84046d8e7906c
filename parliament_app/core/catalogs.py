"""Loading the gettext catalogs the app speaks: ``.po`` files compiled in memory, no ``.mo``
build step. English is the source language; the tooling that writes these files is
``parliament_app.devtools.catalogs``."""

from __future__ import annotations

import gettext
from collections.abc import Iterable
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES = ("sr", "sr_Latn", "sq", "mk", "bs")
DOMAIN = "messages"
REPO_ROOT = Path(__file__).resolve().parents[2]
LOCALES_DIR = REPO_ROOT / "locales"


def template_path(root: Path) -> Path:
    return root / "locales" / f"{DOMAIN}.pot"


def catalog_path(root: Path, lang: str) -> Path:
    return root / "locales" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def load_translations(lang: str, root: Path = REPO_ROOT) -> gettext.GNUTranslations:
    """Compile ``lang``'s .po catalog in memory and return it for the app.

    Fuzzy and partially translated plural messages are left out so gettext
    falls back to English instead of showing a guess or mixing languages
    (babel would fill only the empty plural forms with English).
    Raises ``FileNotFoundError`` if the catalog does not exist, rather than
    silently falling back to another language.
    """
    if lang not in LANGUAGES:
        raise ValueError(
            f"Unknown language {lang!r}; expected one of {', '.join(LANGUAGES)} "
            "(English is the source language and needs no catalog)"
        )
    path = catalog_path(root, lang)
    if not path.exists():
        raise FileNotFoundError(
            f"No translation catalog for {lang!r} at {path}; "
            "run the `i18n update` command (and `i18n translit` for sr_Latn)"
        )
    stat = path.stat()
    # A fresh object per call: callers may add_fallback() to it.
    return gettext.GNUTranslations(BytesIO(_compile_catalog(path, stat.st_mtime_ns, stat.st_size)))


@lru_cache(maxsize=len(LANGUAGES) * 2)
def _compile_catalog(path: Path, mtime_ns: int, size: int) -> bytes:
    """Return .mo bytes; mtime and size are in the cache key so edits reload."""
    catalog = read_catalog(path)
    for message in list(translatable(catalog)):
        if isinstance(message.string, tuple) and not all(message.string):
            catalog.delete(message.id, message.context)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as file:
        return read_po(file, domain=DOMAIN)


def translatable(catalog: Catalog) -> Iterable[Message]:
    """Messages without the header entry (msgid "")."""
    return (message for message in catalog if message.id)
