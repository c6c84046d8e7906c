"""The fields a school's register may hold, the header words that name them in the region's
languages and scripts, and how headers are normalised before matching."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from parliament_app.core.i18n import N_, _
from parliament_app.models import (
    Gender,
)

FIELDS: tuple[str, ...] = (
    "given_name",
    "family_name",
    "birth_date",
    "gender",
    "school_class",
    "guardian_given_name",
    "guardian_family_name",
    "guardian_phone",
    "residence_area",
    "home_language",
)


# The guardian's name is required too: the participation consent that makes a registration
# lawful is a guardian's, and the platform records it against a named guardian (as
# register_child does). When only a first name is given, the child's family name is used.
REQUIRED_FIELDS: tuple[str, ...] = (
    "given_name",
    "family_name",
    "birth_date",
    "gender",
    "guardian_given_name",
)


IGNORE = "ignore"  # a mapping target: the column is read but not imported


FIELD_LABELS: dict[str, str] = {
    "given_name": N_("Given name"),
    "family_name": N_("Family name"),
    "birth_date": N_("Birth date"),
    "gender": N_("Gender"),
    "school_class": N_("Class"),
    "guardian_given_name": N_("Guardian's given name"),
    "guardian_family_name": N_("Guardian's family name"),
    "guardian_phone": N_("Guardian's phone"),
    "residence_area": N_("Place of residence"),
    "home_language": N_("Home language"),
}


# Column widths of the tables the values go to (parliament_app.models.children).
_MAX_LENGTHS = {
    "given_name": 80,
    "family_name": 80,
    "school_class": 20,
    "guardian_given_name": 80,
    "guardian_family_name": 80,
    "guardian_phone": 40,
    "residence_area": 120,
}


# --- header synonyms --------------------------------------------------------------------------
# As schools write them, by language: en, sr (Cyrillic and Latin), bs, hr, sq, mk. Matching is
# on normalised text (see normalise_header): case, diacritics, script (Cyrillic is transliterated),
# punctuation, bracketed hints and filler words such as "učenika" / "nxënësit" do not matter.
# fmt: off
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "given_name": (
        # en
        "First name", "Given name", "Name", "Forename",
        # sr, bs, hr
        "Ime", "Ime učenika", "Ime učenice", "Ime djeteta", "Ime deteta",
        "Име", "Име ученика", "Име детета",
        # sq
        "Emri", "Emër", "Emri i nxënësit", "Emri i fëmijës",
        # mk
        "Име на ученикот", "Име на детето",
    ),
    "family_name": (
        "Surname", "Family name", "Last name",
        "Prezime", "Prezime učenika", "Prezime djeteta", "Prezime deteta",
        "Презиме", "Презиме ученика",
        "Mbiemri", "Mbiemër", "Mbiemri i nxënësit",
        "Презиме на ученикот",
    ),
    "birth_date": (
        "Date of birth", "Birth date", "Birthdate", "Birthday", "DOB", "Born",
        "Datum rođenja", "Datum rodjenja", "Datum rodenja", "Dat. rođenja", "Datum rođ.",
        "Rođen", "Rođena", "Rođen/a", "Rođen(a)",
        "Датум рођења", "Датум рођ.", "Рођен", "Рођен/а",
        "Datëlindja", "Datelindja", "Data e lindjes", "Data e lindjës", "Lindur",
        "Датум на раѓање", "Роден", "Родена", "Роден/а",
    ),
    "gender": (
        "Gender", "Sex", "M/F",
        "Pol", "Spol", "M/Ž", "Пол", "М/Ж",
        "Gjinia", "Gjini", "M/F",
    ),
    "school_class": (
        "Class", "Grade", "Form",
        "Razred", "Odjeljenje", "Odeljenje", "Razred i odjeljenje", "Razred i odeljenje",
        "Razred/odjeljenje", "Razred/odeljenje", "Odjel", "Odj.", "Raz.",
        "Разред", "Одељење", "Разред и одељење", "Разред/одељење",
        "Klasa", "Paralelja", "Paralelka", "Klasa/paralelja",
        "Одделение", "Паралелка", "Клас",
    ),
    "guardian_given_name": (
        "Parent", "Guardian", "Parent/guardian", "Parent name", "Parent's name",
        "Guardian name", "Guardian's name", "Parent first name", "Guardian first name",
        "Roditelj", "Staratelj", "Roditelj/staratelj", "Roditelj/skrbnik", "Skrbnik",
        "Ime roditelja", "Ime staratelja", "Ime roditelja/staratelja", "Ime jednog roditelja",
        "Родитељ", "Старатељ", "Родитељ/старатељ", "Име родитеља", "Име једног родитеља",
        "Prindi", "Prind", "Kujdestari", "Prindi/kujdestari", "Emri i prindit",
        "Родител", "Старател", "Родител/старател", "Име на родителот",
    ),
    "guardian_family_name": (
        "Parent surname", "Parent's surname", "Parent last name", "Guardian surname",
        "Guardian's surname", "Guardian last name",
        "Prezime roditelja", "Prezime staratelja", "Prezime roditelja/staratelja",
        "Презиме родитеља", "Презиме старатеља",
        "Mbiemri i prindit", "Mbiemri i kujdestarit",
        "Презиме на родителот",
    ),
    "guardian_phone": (
        "Phone", "Telephone", "Mobile", "Phone number", "Contact", "Contact phone",
        "Parent phone", "Parent's phone", "Guardian phone",
        "Telefon", "Tel.", "Mob.", "Mobilni", "Mobitel", "Broj telefona", "Br. telefona",
        "Kontakt", "Kontakt telefon", "Telefon roditelja",
        "Телефон", "Тел.", "Моб.", "Мобилни", "Број телефона", "Контакт", "Телефон родитеља",
        "Telefoni", "Nr. i telefonit", "Numri i telefonit", "Kontakti", "Telefoni i prindit",
        "Телефонски број", "Телефон на родителот",
    ),
    "residence_area": (
        "Address", "Residence", "Place of residence", "Area", "Neighbourhood", "Neighborhood",
        "Adresa", "Prebivalište", "Boravište", "Mjesto stanovanja", "Mesto stanovanja",
        "Naselje", "Mjesto", "Mesto",
        "Адреса", "Пребивалиште", "Место становања", "Насеље", "Место",
        "Vendbanimi", "Adresa e banimit", "Lagjja", "Fshati",
        "Живеалиште", "Место на живеење", "Населба",
    ),
    "home_language": (
        "Home language", "Language", "Mother tongue", "Language at home",
        "Jezik", "Maternji jezik", "Jezik u kući", "Jezik kod kuće",
        "Језик", "Матерњи језик", "Језик у кући",
        "Gjuha", "Gjuha amtare", "Gjuha në shtëpi",
        "Мајчин јазик", "Јазик", "Јазик дома",
    ),
}


# Columns schools keep that are known and deliberately not imported: ordinal numbers, and
# national identity numbers, which the platform does not store.
_IGNORED_HEADERS: tuple[str, ...] = (
    "No", "Nr", "#", "Rb", "R.b.", "R. br.", "Rbr", "Redni broj", "Redni br.", "Br.",
    "Ред. бр.", "Р. бр.", "Редни број", "Реден број", "Рб", "Nr. rendor", "Numri rendor",
    "JMBG", "ЈМБГ", "EMBG", "ЕМБГ", "Matični broj", "Матични број", "Numri personal",
    "Nr. personal", "ID", "Personal number",
)


# Words that only say whose name or date it is ("učenika", "nxënësit", "of the pupil").
_FILLER_WORDS = frozenset({
    "i", "e", "na", "se", "te", "s", "of", "the", "child", "childs", "pupil", "pupils",
    "student", "students", "ucenika", "ucenice", "ucenik", "ucenica", "djeteta", "deteta",
    "djece", "dece", "nxenesit", "nxenesi", "nxenesja", "femijes", "femija", "ucenikot",
    "ucenicata", "deteto",
})


_GENDER_WORDS: dict[Gender, tuple[str, ...]] = {
    Gender.MALE: (
        "m", "male", "boy", "man", "muški", "muško", "muški pol", "dečak", "dječak", "mushko",
        "мушки", "мушко", "м", "дечак", "машки", "машко", "момче",
        "mashkull", "mashk", "djalë", "djali",
    ),
    Gender.FEMALE: (
        "f", "female", "girl", "woman", "ž", "z", "ženski", "žensko", "ženski pol",
        "djevojčica", "devojčica", "djevojka", "devojka", "zhenski",
        "ж", "женски", "женско", "девојчица", "девојче", "девојка",
        "femër", "femre", "fem", "vajzë", "vajza",
    ),
    Gender.OTHER: ("other", "drugo", "друго", "tjetër", "tjeter"),
}


# Names of languages, in the six languages, to the codes Child.home_languages holds.
_LANGUAGE_WORDS: dict[str, tuple[str, ...]] = {
    "sr": ("sr", "srpski", "српски", "serbian", "serbisht", "serbishte", "srb"),
    "sq": ("sq", "albanski", "албански", "albanian", "shqip", "shqipe", "shqiptare", "alb"),
    "mk": ("mk", "makedonski", "македонски", "macedonian", "maqedonisht", "maqedonase"),
    "bs": ("bs", "bosanski", "босански", "bosnian", "boshnjakisht", "boshnjake"),
    "hr": ("hr", "hrvatski", "хрватски", "croatian", "kroatisht", "kroate"),
    "rom": ("rom", "romski", "ромски", "romani", "romany", "romanes", "romisht", "rome"),
    "tr": ("tr", "turski", "турски", "turkish", "türkçe", "turqisht", "turke"),
    "en": ("en", "engleski", "енглески", "англиски", "english", "anglisht", "angleze"),
}


# fmt: on
_LANGUAGE_FILLERS = frozenset({"jezik", "gjuha", "language", "jazik"})


# The language guardians are written to, from the home language, else from the country.
_GUARDIAN_LANGUAGE_BY_HOME = {"sq": "sq", "mk": "mk", "bs": "bs", "hr": "bs", "sr": "sr"}


_GUARDIAN_LANGUAGE_BY_COUNTRY = {"RS": "sr", "XK": "sq", "MK": "mk", "BA": "bs"}


# Serbian and Macedonian Cyrillic to plain Latin (diacritics are dropped afterwards anyway), so
# "Датум рођења" and "Datum rođenja" normalise alike.
# fmt: off
_CYRILLIC = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ђ": "dj", "ѓ": "gj", "е": "e",
        "ё": "e", "ж": "z", "з": "z", "ѕ": "dz", "и": "i", "й": "j", "ј": "j", "к": "k",
        "л": "l", "љ": "lj", "м": "m", "н": "n", "њ": "nj", "о": "o", "п": "p", "р": "r",
        "с": "s", "т": "t", "ћ": "c", "ќ": "kj", "у": "u", "ф": "f", "х": "h", "ц": "c",
        "ч": "c", "џ": "dz", "ш": "s", "ы": "y", "э": "e", "ю": "ju", "я": "ja", "ь": "",
        "ъ": "", "щ": "sc", "і": "i", "ї": "i", "є": "e",
    }
)


# fmt: on
_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]")


_NON_WORD = re.compile(r"[\W_]+")


def _plain(text: str) -> str:
    """Lower case, Latin script, no diacritics, words separated by single spaces."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.translate(_CYRILLIC).replace("đ", "dj").replace("ß", "ss")
    text = "".join(
        char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char)
    )
    return " ".join(_NON_WORD.sub(" ", text).split())


def normalise_header(text: str) -> str:
    """The key a header is matched on: "Datum rođenja (dd.mm.gggg)*" -> "datum rodjenja".

    Case, diacritics, Cyrillic or Latin script, punctuation (". : * / -"), bracketed hints and
    filler words ("učenika", "nxënësit") do not matter.
    """
    plain = _plain(_BRACKETED.sub(" ", str(text)))
    words = [word for word in plain.split() if word not in _FILLER_WORDS]
    return " ".join(words) or plain


def _name_key(text: str) -> str:
    """How names are compared for duplicates: "Đorđe Petrović" = "ĐORĐE PETROVIC" = "Ђорђе"."""
    return _plain(text)


def _table(words: dict[Any, tuple[str, ...]], key=_plain) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for value, spellings in words.items():
        for spelling in spellings:
            normalised = key(spelling)
            if table.setdefault(normalised, value) != value:
                raise RuntimeError(f"{spelling!r} means both {table[normalised]} and {value}")
    return table


_HEADER_FIELDS: dict[str, str] = _table(_SYNONYMS, normalise_header)


_IGNORED_KEYS = frozenset(normalise_header(header) for header in _IGNORED_HEADERS) - {""}


_GENDERS: dict[str, Gender] = _table(_GENDER_WORDS)


_LANGUAGES: dict[str, str] = _table(_LANGUAGE_WORDS)


if clash := _IGNORED_KEYS & set(_HEADER_FIELDS):
    raise RuntimeError(f"headers both ignored and imported: {sorted(clash)}")


def field_choices() -> list[tuple[str, str]]:
    """(field, translated label) for the mapping step, plus "ignore"."""
    return [(name, _(FIELD_LABELS[name])) for name in FIELDS] + [(IGNORE, _("Do not import"))]
