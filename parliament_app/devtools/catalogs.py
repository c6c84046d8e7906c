"""Gettext catalog tooling: extraction, catalog updates and checks (loading is in
``parliament_app.core.catalogs``, which the app uses).

Plain Python on top of babel so it can run from the CLI, from tests and from
the Streamlit app (which loads ``.po`` files directly, without a ``.mo`` build
step). English is the source language; ``sr_Latn`` is generated from ``sr``
by transliteration and never edited by hand.
"""

from __future__ import annotations

import gettext
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import PoFileError, read_po, unescape, write_po

from parliament_app.core.catalogs import (
    DOMAIN,
    LANGUAGES,
    LOCALES_DIR,
    REPO_ROOT,
    catalog_path,
    load_translations,
    read_catalog,
    template_path,
    translatable,
)
from parliament_app.core.transliteration import cyrillic_to_latin

__all__ = [
    "DOMAIN",
    "KEYWORDS",
    "LANGUAGES",
    "LOCALES_DIR",
    "REPO_ROOT",
    "catalog_path",
    "check_catalogs",
    "extract_template",
    "load_translations",
    "sync_serbian_latin",
    "template_path",
    "update_catalogs",
    "write_template",
]

PROJECT = "Children's Parliament"

KEYWORDS: dict[str, tuple[int | tuple[int, str], ...] | None] = {
    "_": None,
    "N_": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
}
SOURCE_DIRS = ("parliament_app", "sessions", "activities")
SOURCE_FILES = ("streamlit_app.py",)
SKIPPED_DIRS = frozenset({"tests", "migrations", "__pycache__", "node_modules"})
TRANSLATOR_COMMENT_TAGS = ("Translators:",)
# Messages with more words than this that equal their msgid are most likely
# untranslated; short ones ("OK", "Email") legitimately stay English.
UNTRANSLATED_MIN_WORDS = 3

_PERCENT_PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>\w+)\))?[-#0+]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?P<type>[diouxXeEfFgGcrs%])"
)
_BRACE_FIELD_NAME = re.compile(r"^[^.\[!:]*")


# --- extraction ------------------------------------------------------------


def extract_template(root: Path) -> Catalog:
    """Extract all marked strings below ``root`` into a template catalog."""
    root = Path(root).resolve()
    method_map = [(f"{name}/**.py", "python") for name in SOURCE_DIRS]
    method_map += [(name, "python") for name in SOURCE_FILES]
    template = Catalog(project=PROJECT, fuzzy=False)
    extracted = extract_from_dir(
        root,
        method_map=method_map,
        keywords=KEYWORDS,
        comment_tags=TRANSLATOR_COMMENT_TAGS,
        strip_comment_tags=True,
        directory_filter=lambda path: _is_source_dir(root, Path(path)),
    )
    for filename, lineno, message, comments, context in extracted:
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def write_template(root: Path) -> Catalog:
    """Extract messages and write ``locales/messages.pot``; return the template."""
    template = extract_template(root)
    _write_catalog(template_path(root), template)
    return template


def _is_source_dir(root: Path, path: Path) -> bool:
    # method_map already limits which files are read; this also keeps the walk
    # out of .venv, data and the like, and skips nested tests/ and migrations/.
    parts = path.relative_to(root).parts
    if parts[0] not in SOURCE_DIRS:
        return False
    return not any(part in SKIPPED_DIRS or part.startswith(".") for part in parts)


# --- catalog maintenance ---------------------------------------------------------


def update_catalogs(root: Path) -> Catalog:
    """Write the template, then create or update every language catalog.

    Existing translations are kept, removed messages become obsolete entries
    and no fuzzy matching is done (a guessed translation is worse than none
    for children reading the app). Returns the template.
    """
    template = write_template(root)
    for lang in LANGUAGES:
        path = catalog_path(root, lang)
        catalog = read_catalog(path) if path.exists() else _new_catalog(lang)
        catalog.update(template, no_fuzzy_matching=True)
        _write_catalog(path, catalog)
    return template


def sync_serbian_latin(root: Path) -> Catalog:
    """Regenerate ``sr_Latn`` from ``sr`` by transliterating every msgstr."""
    catalog = read_catalog(catalog_path(root, "sr"))
    catalog.locale = Locale.parse("sr_Latn")
    catalog.header_comment += (
        "\n# Generated from sr/LC_MESSAGES/messages.po by `i18n translit`;"
        "\n# edit the Cyrillic catalog instead of this file."
    )
    for message in translatable(catalog):
        message.string = _transliterate_string(message.string)
    for message in catalog.obsolete.values():
        message.string = _transliterate_string(message.string)
    _write_catalog(catalog_path(root, "sr_Latn"), catalog)
    return catalog


def _new_catalog(lang: str) -> Catalog:
    return Catalog(locale=lang, domain=DOMAIN, project=PROJECT, fuzzy=False)


def _transliterate_string(msgstr: str | tuple[str, ...] | None) -> str | tuple[str, ...]:
    if isinstance(msgstr, (list, tuple)):
        return tuple(cyrillic_to_latin(form) for form in msgstr)
    return cyrillic_to_latin(msgstr or "")


# --- checks ------------------------------------------------------------------

GLOSSARY = "locales/GLOSSARY.md"
CHILD_CONTEXT = "child"


@dataclass(frozen=True)
class GlossaryTerm:
    term: str
    language: str
    use: str
    avoid: tuple[str, ...]

    @property
    def child_facing(self) -> bool:
        return "child-facing" in self.term


def read_glossary(root: Path) -> list[GlossaryTerm]:
    """The rows of ``locales/GLOSSARY.md``'s table (none when the file is missing)."""
    path = root / GLOSSARY
    if not path.exists():
        return []
    terms = []
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 4 or cells[0] in ("term", "") or set(cells[0]) <= {"-"}:
            continue
        term, language, use, avoid = cells
        variants = tuple(variant.strip() for variant in avoid.split("·") if variant.strip())
        terms.append(GlossaryTerm(term, language, use, variants))
    return terms


def check_glossary(root: Path) -> list[str]:
    """Warnings, one per message that uses a variant the glossary says to avoid."""
    warnings = []
    glossary = read_glossary(root)
    for lang in LANGUAGES:
        rows = [row for row in glossary if row.language == lang and row.avoid]
        path = catalog_path(root, lang)
        if not rows or not path.exists():
            continue
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=lang)
        for message in catalog:
            if not message.id:
                continue
            text = " ".join(_forms(message.string))
            for row in rows:
                if row.child_facing and message.context != CHILD_CONTEXT:
                    continue
                for variant in row.avoid:
                    if variant in text:
                        warnings.append(
                            f"{lang}: glossary: {_label(message)} says {variant!r}; "
                            f"the glossary's term for {row.term} is {row.use!r}"
                        )
    return warnings


def check_catalogs(root: Path, template: Catalog | None = None) -> list[str]:
    """Return human-readable problems with the catalogs below ``root``.

    An empty list means every catalog is complete and consistent with the
    current source code. ``template`` defaults to a fresh extraction.
    """
    if template is None:
        template = extract_template(root)
    problems: list[str] = []
    catalogs: dict[str, Catalog] = {}
    for lang in LANGUAGES:
        catalog, catalog_problems = _load_for_check(root, lang)
        problems += catalog_problems
        if catalog is None:
            continue
        catalogs[lang] = catalog
        problems += _check_header(lang, catalog)
        problems += _check_against_template(lang, catalog, template)
        problems += _check_compiles(lang, catalog)
    if "sr" in catalogs and "sr_Latn" in catalogs:
        problems += _check_latin_matches_cyrillic(catalogs["sr"], catalogs["sr_Latn"])
    return problems


def _load_for_check(root: Path, lang: str) -> tuple[Catalog | None, list[str]]:
    path = catalog_path(root, lang)
    if not path.exists():
        return None, [f"{lang}: catalog missing ({path.relative_to(root)})"]
    text = path.read_text(encoding="utf-8")
    problems = _check_plural_form_counts(lang, text)
    try:
        catalog = read_po(text.splitlines(keepends=True), abort_invalid=True)
    except PoFileError as error:
        return None, [*problems, f"{lang}: cannot parse .po: {error}"]
    return catalog, problems


def _check_header(lang: str, catalog: Catalog) -> list[str]:
    problems = []
    if str(catalog.locale) != lang:
        problems.append(f"{lang}: header Language is {catalog.locale}, expected {lang}")
    expected_count, expected_expr = _expected_plural(lang)
    if catalog.num_plurals != expected_count:
        problems.append(
            f"{lang}: header has nplurals={catalog.num_plurals}, expected {expected_count}"
        )
    elif not _same_plural_rule(catalog.plural_expr, expected_expr):
        problems.append(f"{lang}: header plural rule differs from {expected_expr!r}")
    return problems


def _check_against_template(lang: str, catalog: Catalog, template: Catalog) -> list[str]:
    problems = []
    for expected in translatable(template):
        message = catalog.get(expected.id, expected.context)
        if message is None:
            problems.append(f"{lang}: missing msgid {_label(expected)} (run i18n update)")
        elif message.pluralizable != expected.pluralizable:
            problems.append(f"{lang}: plural/singular mismatch for {_label(expected)}")
        else:
            problems += _check_message(lang, message)
    return problems


def _check_message(lang: str, message: Message) -> list[str]:
    label = _label(message)
    forms = _forms(message.string)
    if message.fuzzy:
        return [f"{lang}: fuzzy translation for {label}"]
    if not all(forms):
        return [f"{lang}: empty translation for {label}"]
    problems = [f"{lang}: {label}: {issue}" for issue in _placeholder_issues(message)]
    if _looks_untranslated(message):
        problems.append(f"{lang}: translation identical to English for {label}")
    return problems


def _check_compiles(lang: str, catalog: Catalog) -> list[str]:
    _drop_incidental_python_format(catalog)
    problems = [
        f"{lang}: {_label(message)}: {error}"
        for message, errors in catalog.check()
        for error in errors
    ]
    try:
        write_mo(BytesIO(), catalog)
    except Exception as error:  # any compile failure is a finding, whatever its type
        problems.append(f"{lang}: compiling failed: {error}")
    return problems


def _check_latin_matches_cyrillic(cyrillic: Catalog, latin: Catalog) -> list[str]:
    problems = []
    for message in translatable(cyrillic):
        counterpart = latin.get(message.id, message.context)
        expected = _transliterate_string(message.string)
        if counterpart is None or _forms(counterpart.string) != _forms(expected):
            problems.append(
                f"sr_Latn: {_label(message)} is not the transliteration of sr (run i18n translit)"
            )
    return problems


def _check_plural_form_counts(lang: str, po_text: str) -> list[str]:
    # babel pads missing plural forms with "" and drops extra ones while
    # parsing, so the real msgstr[N] count must be taken from the raw text.
    expected, _ = _expected_plural(lang)
    return [
        f"{lang}: {msgid!r} has {count} plural forms, expected {expected}"
        for msgid, count in _raw_plural_form_counts(po_text)
        if count != expected
    ]


def _raw_plural_form_counts(po_text: str) -> Iterator[tuple[str, int]]:
    """Yield (msgid, number of msgstr[N] lines) for non-obsolete plural entries."""
    msgid: list[str] = []
    field = ""
    is_plural = False
    indices: set[str] = set()
    # The sentinel entry at the end flushes the last real entry.
    for raw_line in [*po_text.splitlines(), 'msgid ""']:
        line = raw_line.strip()
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgid", "msgctxt") and field == "msgstr":
            if is_plural:
                yield "".join(msgid), len(indices)
            msgid, is_plural, indices = [], False, set()
        if keyword == "msgid":
            msgid, field = [unescape(rest)], "msgid"
        elif keyword == "msgid_plural":
            is_plural, field = True, keyword
        elif keyword == "msgctxt":
            field = keyword
        elif keyword.startswith("msgstr"):
            indices.add(keyword)
            field = "msgstr"
        elif line.startswith('"') and field == "msgid":
            msgid.append(unescape(line))


# --- placeholders ------------------------------------------------------------


def _placeholder_issues(message: Message) -> list[str]:
    """Compare placeholders of each msgstr with the msgid(s) it translates.

    For plurals, form 0 must keep the singular's placeholders and the other
    forms the plural's; any form may use placeholders of either msgid (e.g.
    a Serbian form 0 also covers 21 and needs ``{count}``).
    """
    msgids = _forms(message.id)
    try:
        wanted = [_placeholders(msgid) for msgid in msgids]
    except ValueError:
        return []  # msgid is not a format string (literal braces), nothing to compare
    allowed = set().union(*wanted)
    issues = []
    for index, form in enumerate(_forms(message.string)):
        try:
            found = _placeholders(form)
        except ValueError as error:
            issues.append(f"invalid placeholder syntax ({error})")
            continue
        required = wanted[min(index, len(wanted) - 1)]
        if missing := sorted(required - found):
            issues.append(f"placeholder(s) {', '.join(missing)} missing in translation")
        if unexpected := sorted(found - allowed):
            issues.append(f"unknown placeholder(s) {', '.join(unexpected)} in translation")
    return issues


def _placeholders(text: str) -> set[str]:
    """Return ``{name}`` fields and %-style placeholders; ValueError if malformed."""
    percent = {
        f"%({match['name']})" if match["name"] else f"%{match['type']}"
        for match in _PERCENT_PLACEHOLDER.finditer(text)
        if match["type"] != "%"
    }
    return percent | {f"{{{name}}}" for name in _brace_fields(text)}


def _brace_fields(text: str) -> set[str]:
    fields = set()
    for _, field, _, _ in string.Formatter().parse(text):
        if field is not None:
            match = _BRACE_FIELD_NAME.match(field)
            fields.add(match.group() if match else field)
    return fields


# --- helpers -----------------------------------------------------------------


def _write_catalog(path: Path, catalog: Catalog) -> None:
    _drop_incidental_python_format(catalog)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        write_po(file, catalog)


def _drop_incidental_python_format(catalog: Catalog) -> None:
    """babel flags "95% of" as python-format ("% o" parses as a conversion), and msgfmt -c then
    rejects every translation of it. Our messages use ``str.format``; keep the flag only where
    the stricter pattern finds a real %-placeholder."""
    for message in translatable(catalog):
        if not any(_PERCENT_PLACEHOLDER.search(msgid) for msgid in _forms(message.id)):
            message.flags.discard("python-format")


def _forms(value: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    if isinstance(value, (list, tuple)):
        return tuple(form or "" for form in value)
    return (value or "",)


def _label(message: Message) -> str:
    label = repr(_forms(message.id)[0])
    return f"{label} (context {message.context!r})" if message.context else label


def _looks_untranslated(message: Message) -> bool:
    english = set(_forms(message.id))
    return any(
        form in english and len(form.split()) > UNTRANSLATED_MIN_WORDS
        for form in _forms(message.string)
    )


def _expected_plural(lang: str) -> tuple[int, str]:
    plural = get_plural(Locale.parse(lang))
    return plural.num_plurals, plural.plural_expr


def _same_plural_rule(actual: str, expected: str, sample: int = 1000) -> bool:
    """Compare two C plural expressions by evaluating them, not textually."""
    try:
        actual_rule = gettext.c2py(actual)
    except (ValueError, SyntaxError):
        return False
    expected_rule = gettext.c2py(expected)
    return all(actual_rule(n) == expected_rule(n) for n in range(sample))
