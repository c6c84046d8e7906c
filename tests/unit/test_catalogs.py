"""Catalog tooling tests on small temporary trees with hand-written .po files."""

from __future__ import annotations

import gettext
import shutil
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from click.testing import CliRunner

from parliament_app.cli.i18n import i18n
from parliament_app.devtools.catalogs import (
    LANGUAGES,
    REPO_ROOT,
    catalog_path,
    check_catalogs,
    check_glossary,
    extract_template,
    load_translations,
    sync_serbian_latin,
    template_path,
    update_catalogs,
)

SOURCE = """\
from parliament_app.core.i18n import N_, _, ngettext, pgettext

TITLE = N_("Children's Parliament")


def render(name: str, count: int) -> list[str]:
    return [
        _("Welcome, {name}").format(name=name),
        ngettext("{count} vote", "{count} votes", count).format(count=count),
        pgettext("menu", "Home"),
        _("Please read the rules before you vote"),
        _("Saved %(count)d proposals") % {"count": count},
        _("OK"),
    ]
"""

# The plural rules exactly as the project conventions state them.
SLAVIC_3 = (
    "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : "
    "n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"
)
PLURAL_FORMS = {
    "sr": SLAVIC_3,
    "sr_Latn": SLAVIC_3,
    "bs": SLAVIC_3,
    "sq": "nplurals=2; plural=(n != 1);",
    "mk": "nplurals=2; plural=(n % 10 == 1 && n % 100 != 11 ? 0 : 1);",
}


@dataclass(frozen=True)
class Entry:
    msgid: str
    msgstr: str | tuple[str, ...]
    plural: str | None = None
    context: str | None = None
    fuzzy: bool = False


def _entries(*msgstrs: str | tuple[str, ...]) -> list[Entry]:
    title, welcome, votes, home, rules, saved, ok = msgstrs
    return [
        Entry("Children's Parliament", title),
        Entry("Welcome, {name}", welcome),
        Entry("{count} vote", votes, plural="{count} votes"),
        Entry("Home", home, context="menu"),
        Entry("Please read the rules before you vote", rules),
        Entry("Saved %(count)d proposals", saved),
        Entry("OK", ok),
    ]


TRANSLATIONS: dict[str, list[Entry]] = {
    "sr": _entries(
        "Дечји парламент",
        "Добродошли, {name}",
        ("{count} глас", "{count} гласа", "{count} гласова"),
        "Почетна",
        "Прочитај правила пре гласања",
        "Сачувано предлога: %(count)d",
        "У реду",
    ),
    "sr_Latn": _entries(
        "Dečji parlament",
        "Dobrodošli, {name}",
        ("{count} glas", "{count} glasa", "{count} glasova"),
        "Početna",
        "Pročitaj pravila pre glasanja",
        "Sačuvano predloga: %(count)d",
        "U redu",
    ),
    "sq": _entries(
        "Parlamenti i Fëmijëve",
        "Mirë se vini, {name}",
        ("{count} votë", "{count} vota"),
        "Ballina",
        "Ju lutemi lexoni rregullat para se të votoni",
        "U ruajtën %(count)d propozime",
        "OK",  # short strings may legitimately stay English
    ),
    "mk": _entries(
        "Детски парламент",
        "Добредојдовте, {name}",
        ("{count} глас", "{count} гласа"),
        "Почетна",
        "Прочитајте ги правилата пред да гласате",
        "Зачувани се %(count)d предлози",
        "Во ред",
    ),
    "bs": _entries(
        "Dječiji parlament",
        "Dobro došli, {name}",
        ("{count} glas", "{count} glasa", "{count} glasova"),
        "Početna",
        "Pročitajte pravila prije glasanja",
        "Sačuvano prijedloga: %(count)d",
        "U redu",
    ),
}


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _entry_text(entry: Entry) -> str:
    lines = ["#, fuzzy"] if entry.fuzzy else []
    if entry.context is not None:
        lines.append(f"msgctxt {_quote(entry.context)}")
    lines.append(f"msgid {_quote(entry.msgid)}")
    if entry.plural is None:
        assert isinstance(entry.msgstr, str)
        lines.append(f"msgstr {_quote(entry.msgstr)}")
    else:
        lines.append(f"msgid_plural {_quote(entry.plural)}")
        lines += [f"msgstr[{i}] {_quote(form)}" for i, form in enumerate(entry.msgstr)]
    return "\n".join(lines)


def write_catalog(
    root: Path,
    lang: str,
    entries: list[Entry] | None = None,
    *,
    plural_forms: str | None = None,
    extra: str = "",
) -> None:
    entries = TRANSLATIONS[lang] if entries is None else entries
    header = (
        'msgid ""\nmsgstr ""\n'
        f'"Language: {lang}\\n"\n'
        '"Content-Type: text/plain; charset=UTF-8\\n"\n'
        f'"Plural-Forms: {plural_forms or PLURAL_FORMS[lang]}\\n"\n'
    )
    path = catalog_path(root, lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "\n\n".join([header, *map(_entry_text, entries), extra])
    path.write_text(body + "\n", encoding="utf-8")


def changed(lang: str, msgid: str, **changes: object) -> list[Entry]:
    return [
        replace(entry, **changes) if entry.msgid == msgid else entry for entry in TRANSLATIONS[lang]
    ]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "parliament_app").mkdir()
    (tmp_path / "parliament_app" / "pages.py").write_text(SOURCE, encoding="utf-8")
    for lang in LANGUAGES:
        write_catalog(tmp_path, lang)
    return tmp_path


def problems_for(root: Path, lang: str) -> list[str]:
    return [p for p in check_catalogs(root) if p.startswith(f"{lang}:")]


# --- extraction ----------------------------------------------------------------


def test_extraction_covers_source_dirs_and_skips_tests_migrations_and_venv(
    tmp_path: Path,
) -> None:
    files = {
        "parliament_app/ui/page.py": '_("from app")',
        "sessions/views.py": 'ngettext("one session", "{count} sessions", n)',
        "activities/quiz.py": 'pgettext("quiz", "Start")',
        "streamlit_app.py": 'N_("from entry point")',
        "parliament_app/migrations/0001.py": '_("from migration")',
        "parliament_app/tests/test_x.py": '_("from nested tests")',
        "tests/test_y.py": '_("from tests")',
        ".venv/lib/site.py": '_("from venv")',
        "scripts/tool.py": '_("from elsewhere")',
        "parliament_app/other.py": 'gettext("wrong keyword")',
    }
    for name, code in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(code + "\n", encoding="utf-8")

    template = extract_template(tmp_path)

    assert {(m.context, m.id) for m in template if m.id} == {
        (None, "from app"),
        (None, ("one session", "{count} sessions")),
        ("quiz", "Start"),
        (None, "from entry point"),
    }
    assert template.get("from app").locations == [("parliament_app/ui/page.py", 1)]


def test_babel_plural_rules_match_project_conventions() -> None:
    for lang, plural_forms in PLURAL_FORMS.items():
        count, expr = plural_forms.removesuffix(";").split("; plural=")
        babel_rule = get_plural(Locale.parse(lang))
        assert babel_rule.num_plurals == int(count.removeprefix("nplurals="))
        convention, babel = gettext.c2py(expr), gettext.c2py(babel_rule.plural_expr)
        assert [convention(n) for n in range(1000)] == [babel(n) for n in range(1000)]


# --- check_catalogs ------------------------------------------------------------------


def test_correct_tree_has_no_problems(root: Path) -> None:
    assert check_catalogs(root) == []


def test_obsolete_entries_are_fine(root: Path) -> None:
    write_catalog(root, "sq", extra='#~ msgid "Old text"\n#~ msgstr ""')
    assert check_catalogs(root) == []


def test_missing_catalog(root: Path) -> None:
    catalog_path(root, "mk").unlink()
    assert check_catalogs(root) == ["mk: catalog missing (locales/mk/LC_MESSAGES/messages.po)"]


def test_new_source_string_missing_from_catalogs(root: Path) -> None:
    with (root / "parliament_app" / "pages.py").open("a", encoding="utf-8") as file:
        file.write('\nLATER = _("Results are published")\n')
    problems = check_catalogs(root)
    assert len(problems) == len(LANGUAGES)
    assert all("missing msgid 'Results are published'" in p for p in problems)


def test_missing_msgid_with_context(root: Path) -> None:
    entries = [e for e in TRANSLATIONS["sq"] if e.msgid != "Home"]
    write_catalog(root, "sq", entries)
    assert problems_for(root, "sq") == [
        "sq: missing msgid 'Home' (context 'menu') (run i18n update)"
    ]


def test_empty_translation(root: Path) -> None:
    write_catalog(root, "bs", changed("bs", "Welcome, {name}", msgstr=""))
    assert problems_for(root, "bs") == ["bs: empty translation for 'Welcome, {name}'"]


def test_empty_plural_form(root: Path) -> None:
    forms = ("{count} glas", "", "{count} glasova")
    write_catalog(root, "bs", changed("bs", "{count} vote", msgstr=forms))
    assert problems_for(root, "bs") == ["bs: empty translation for '{count} vote'"]


def test_fuzzy_translation(root: Path) -> None:
    write_catalog(root, "mk", changed("mk", "Children's Parliament", fuzzy=True))
    assert problems_for(root, "mk") == ['mk: fuzzy translation for "Children\'s Parliament"']


@pytest.mark.parametrize(
    ("msgid", "msgstr", "expected"),
    [
        ("Welcome, {name}", "Mirë se vini, {emri}", "{name} missing"),
        ("Welcome, {name}", "Mirë se vini, {emri}", "unknown placeholder(s) {emri}"),
        ("Welcome, {name}", "Mirë se vini", "{name} missing"),
        ("Welcome, {name}", "Mirë se vini, {name", "invalid placeholder syntax"),
        ("Saved %(count)d proposals", "U ruajtën propozime", "%(count) missing"),
        ("Saved %(count)d proposals", "U ruajtën %(numri)d", "%(numri)"),
        ("Please read the rules before you vote", "Lexoni {rules}", "unknown placeholder"),
    ],
)
def test_placeholder_mismatch(root: Path, msgid: str, msgstr: str, expected: str) -> None:
    write_catalog(root, "sq", changed("sq", msgid, msgstr=msgstr))
    problems = problems_for(root, "sq")
    assert any(expected in p and repr(msgid) in p for p in problems), problems


def test_placeholder_missing_in_one_plural_form(root: Path) -> None:
    forms = ("{count} глас", "гласа", "{count} гласова")
    write_catalog(root, "sr", changed("sr", "{count} vote", msgstr=forms))
    write_catalog(
        root,
        "sr_Latn",
        changed("sr_Latn", "{count} vote", msgstr=("{count} glas", "glasa", "{count} glasova")),
    )
    assert problems_for(root, "sr") == [
        "sr: '{count} vote': placeholder(s) {count} missing in translation"
    ]


def test_babel_format_checker_runs(root: Path) -> None:
    msgstr = "U ruajtën %(count)s propozime"  # %s where the source has %d
    write_catalog(root, "sq", changed("sq", "Saved %(count)d proposals", msgstr=msgstr))
    problems = problems_for(root, "sq")
    assert len(problems) == 1
    assert "incompatible format for placeholder 'count'" in problems[0]


def test_literal_percent_is_not_a_placeholder(root: Path) -> None:
    (root / "activities").mkdir()
    (root / "activities" / "poll.py").write_text('_("Half of the votes: 50% of all")\n')
    for lang, text in [
        ("sr", "Половина гласова: 50% свих"),
        ("sr_Latn", "Polovina glasova: 50% svih"),
        ("sq", "Gjysma e votave: 50% e të gjithave"),
        ("mk", "Половина од гласовите: 50% од сите"),
        ("bs", "Polovina glasova: 50% svih"),
    ]:
        entries = [*TRANSLATIONS[lang], Entry("Half of the votes: 50% of all", text)]
        write_catalog(root, lang, entries)
    assert check_catalogs(root) == []


def test_too_few_plural_forms(root: Path) -> None:
    forms = ("{count} glas", "{count} glasa")
    write_catalog(root, "bs", changed("bs", "{count} vote", msgstr=forms))
    assert "bs: '{count} vote' has 2 plural forms, expected 3" in problems_for(root, "bs")


def test_too_many_plural_forms(root: Path) -> None:
    forms = ("{count} votë", "{count} vota", "{count} vota")
    write_catalog(root, "sq", changed("sq", "{count} vote", msgstr=forms))
    problems = problems_for(root, "sq")
    assert "sq: '{count} vote' has 3 plural forms, expected 2" in problems


def test_wrong_plural_header(root: Path) -> None:
    write_catalog(root, "mk", plural_forms=PLURAL_FORMS["sr"])
    problems = problems_for(root, "mk")
    assert "mk: header has nplurals=3, expected 2" in problems


def test_wrong_plural_rule_with_right_count(root: Path) -> None:
    write_catalog(root, "mk", plural_forms=PLURAL_FORMS["sq"])
    assert len(problems_for(root, "mk")) == 1
    assert "mk: header plural rule differs" in problems_for(root, "mk")[0]


def test_sr_latn_drift(root: Path) -> None:
    write_catalog(root, "sr", changed("sr", "Home", msgstr="Почетак"))
    assert check_catalogs(root) == [
        "sr_Latn: 'Home' (context 'menu') is not the transliteration of sr (run i18n translit)"
    ]


def test_sr_latn_plural_drift(root: Path) -> None:
    forms = ("{count} glas", "{count} glasa", "{count} glasovi")
    write_catalog(root, "sr_Latn", changed("sr_Latn", "{count} vote", msgstr=forms))
    assert check_catalogs(root) == [
        "sr_Latn: '{count} vote' is not the transliteration of sr (run i18n translit)"
    ]


def test_translation_identical_to_english(root: Path) -> None:
    msgid = "Please read the rules before you vote"
    write_catalog(root, "mk", changed("mk", msgid, msgstr=msgid))
    assert problems_for(root, "mk") == [f"mk: translation identical to English for {msgid!r}"]


def test_unparsable_catalog(root: Path) -> None:
    catalog_path(root, "sq").write_text('msgid "x"\nbogus line\n', encoding="utf-8")
    problems = problems_for(root, "sq")
    assert len(problems) == 1
    assert problems[0].startswith("sq: cannot parse .po")


# --- update / translit ------------------------------------------------------------


def test_update_creates_and_updates_catalogs_then_translit(tmp_path: Path) -> None:
    (tmp_path / "sessions").mkdir()
    source = tmp_path / "sessions" / "page.py"
    source.write_text('_("Vote now")\n_("Old text")\n', encoding="utf-8")
    update_catalogs(tmp_path)
    assert template_path(tmp_path).exists()
    for lang in LANGUAGES:
        assert catalog_path(tmp_path, lang).exists()

    write_catalog(
        tmp_path,
        "sr",
        [Entry("Vote now", "Гласај сада"), Entry("Old text", "Стари текст")],
    )
    source.write_text('_("Vote now")\n_("Vote later")\n', encoding="utf-8")
    update_catalogs(tmp_path)
    sync_serbian_latin(tmp_path)

    with catalog_path(tmp_path, "sr").open("rb") as file:
        serbian = read_po(file)
    assert serbian.get("Vote now").string == "Гласај сада"
    assert serbian.get("Vote later").string == ""
    assert "Old text" in serbian.obsolete
    assert len(serbian) == 2

    with catalog_path(tmp_path, "sr_Latn").open("rb") as file:
        latin = read_po(file)
    assert str(latin.locale) == "sr_Latn"
    assert latin.num_plurals == 3
    assert latin.get("Vote now").string == "Glasaj sada"
    assert "Language: sr_Latn" in catalog_path(tmp_path, "sr_Latn").read_text()

    problems = check_catalogs(tmp_path)
    assert not any("sr_Latn: 'Vote" in p and "transliteration" in p for p in problems)
    assert "sr: empty translation for 'Vote later'" in problems


def test_translit_transliterates_plurals_and_keeps_placeholders(root: Path) -> None:
    catalog_path(root, "sr_Latn").unlink()
    sync_serbian_latin(root)
    assert check_catalogs(root) == []
    translations = load_translations("sr_Latn", root)
    assert translations.ngettext("{count} vote", "{count} votes", 3) == "{count} glasa"


# --- load_translations -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "{count} глас"),
        (3, "{count} гласа"),
        (5, "{count} гласова"),
        (11, "{count} гласова"),
        (21, "{count} глас"),
        (22, "{count} гласа"),
        (112, "{count} гласова"),
    ],
)
def test_load_translations_serbian_plurals(root: Path, n: int, expected: str) -> None:
    translations = load_translations("sr", root)
    assert translations.ngettext("{count} vote", "{count} votes", n) == expected


def test_load_translations_round_trip(root: Path) -> None:
    translations = load_translations("mk", root)
    assert translations.gettext("Welcome, {name}").format(name="Ана") == "Добредојдовте, Ана"
    assert translations.pgettext("menu", "Home") == "Почетна"
    assert translations.gettext("Not in catalog") == "Not in catalog"
    assert translations.ngettext("{count} vote", "{count} votes", 21) == "{count} глас"
    assert translations.ngettext("{count} vote", "{count} votes", 11) == "{count} гласа"
    assert load_translations("sq", root).ngettext("{count} vote", "{count} votes", 1) == (
        "{count} votë"
    )


def test_load_translations_skips_fuzzy_and_incomplete_plurals(root: Path) -> None:
    entries = changed("sr", "Home", fuzzy=True)
    entries = [replace(e, msgstr=("{count} глас", "", "")) if e.plural else e for e in entries]
    write_catalog(root, "sr", entries)
    translations = load_translations("sr", root)
    assert translations.pgettext("menu", "Home") == "Home"
    assert translations.ngettext("{count} vote", "{count} votes", 1) == "{count} vote"
    assert translations.ngettext("{count} vote", "{count} votes", 5) == "{count} votes"
    assert translations.gettext("OK") == "У реду"


def test_load_translations_sees_edits(root: Path) -> None:
    assert load_translations("bs", root).gettext("OK") == "U redu"
    write_catalog(root, "bs", changed("bs", "OK", msgstr="Uredu je"))
    assert load_translations("bs", root).gettext("OK") == "Uredu je"


def test_load_translations_missing_catalog_does_not_fall_back(root: Path) -> None:
    catalog_path(root, "sr_Latn").unlink()
    with pytest.raises(FileNotFoundError, match="sr_Latn"):
        load_translations("sr_Latn", root)


def test_load_translations_unknown_language(root: Path) -> None:
    with pytest.raises(ValueError, match="Unknown language"):
        load_translations("de", root)


# --- CLI ---------------------------------------------------------------------------------


def test_cli_check_passes_on_correct_tree(root: Path) -> None:
    result = CliRunner().invoke(i18n, ["check", "--root", str(root)])
    assert result.exit_code == 0, result.output
    assert result.output == "i18n check: 5 catalogs, 7 messages, 0 problems\n"


def test_cli_check_fails_and_lists_problems(root: Path) -> None:
    write_catalog(root, "bs", changed("bs", "OK", msgstr=""))
    result = CliRunner().invoke(i18n, ["check", "--root", str(root)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "bs: empty translation for 'OK'",
        "i18n check: 5 catalogs, 7 messages, 1 problems",
    ]


def test_cli_extract_update_translit(tmp_path: Path) -> None:
    (tmp_path / "activities").mkdir()
    (tmp_path / "activities" / "game.py").write_text('_("Play")\n', encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(i18n, ["translit", "--root", str(tmp_path)]).exit_code == 1
    assert runner.invoke(i18n, ["extract", "--root", str(tmp_path)]).exit_code == 0
    assert 'msgid "Play"' in template_path(tmp_path).read_text(encoding="utf-8")
    assert runner.invoke(i18n, ["update", "--root", str(tmp_path)]).exit_code == 0
    write_catalog(tmp_path, "sr", [Entry("Play", "Играј")])
    assert runner.invoke(i18n, ["translit", "--root", str(tmp_path)]).exit_code == 0
    assert load_translations("sr_Latn", tmp_path).gettext("Play") == "Igraj"


def test_written_catalogs_flag_only_real_percent_placeholders(tmp_path: Path) -> None:
    """ "95% of" is not a %-placeholder: a python-format flag on it makes msgfmt -c (and the
    translators' tools) reject every translation, so the files must not carry it."""
    (tmp_path / "sessions").mkdir()
    (tmp_path / "sessions" / "page.py").write_text(
        '_("About {n} (95% of draws stay below {p})")\n_("%(count)d children")\n',
        encoding="utf-8",
    )
    update_catalogs(tmp_path)
    sync_serbian_latin(tmp_path)
    for path in [template_path(tmp_path), *(catalog_path(tmp_path, lang) for lang in LANGUAGES)]:
        entries = path.read_text(encoding="utf-8").split("\n\n")
        brace = next(entry for entry in entries if 'msgid "About {n}' in entry)
        percent = next(entry for entry in entries if 'msgid "%(count)d' in entry)
        assert "python-format" not in brace.replace("python-brace-format", ""), path
        assert "python-format" in percent.replace("python-brace-format", ""), path


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext's msgfmt is not installed")
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_real_catalogs_pass_msgfmt(lang: str) -> None:
    """What translators' tools check: every format string of every translation matches."""
    path = catalog_path(REPO_ROOT, lang)
    result = subprocess.run(
        ["msgfmt", "-c", "-o", "/dev/null", str(path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


# --- glossary ------------------------------------------------------------------


def test_the_glossary_warns_about_a_variant_and_only_where_it_applies(root: Path) -> None:
    (root / "locales" / "GLOSSARY.md").write_text(
        "| term | language | use | avoid |\n|---|---|---|---|\n"
        "| Children's Parliament | sr | Дечји парламент | Дечији парламент |\n"
        "| facilitator (child-facing) | sr | водитељ | фасилитатор |\n",
        encoding="utf-8",
    )
    assert check_glossary(root) == []
    entries = [
        replace(entry, msgstr="Дечији парламент")
        if entry.msgid == "Children's Parliament"
        else entry
        for entry in TRANSLATIONS["sr"]
    ]
    staff = Entry("Ask the facilitator", "Питај фасилитатора")
    child = Entry("Ask the facilitator", "Питај фасилитатора", context="child")
    write_catalog(root, "sr", [*entries, staff, child])
    warnings = check_glossary(root)
    assert len(warnings) == 2  # the staff message may say "фасилитатор"; a child's may not
    assert "'Дечији парламент'" in warnings[0] and "'Дечји парламент'" in warnings[0]
    assert "context 'child'" in warnings[1]


def test_the_shipped_catalogs_follow_the_glossary() -> None:
    assert check_glossary(REPO_ROOT) == []
