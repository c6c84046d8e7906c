"""Serbian Cyrillic to Latin (Gajica) transliteration for translation strings.

Only human-readable text is converted. Placeholders, markup and URLs are kept
byte-for-byte, because code formats or renders them and a transliterated
``{име}`` or ``<а href>`` would break at runtime.
"""

from __future__ import annotations

import re

__all__ = ["cyrillic_to_latin"]

_LOWER_TO_LATIN: dict[str, str] = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "ђ": "đ",
    "е": "e",
    "ж": "ž",
    "з": "z",
    "и": "i",
    "ј": "j",
    "к": "k",
    "л": "l",
    "љ": "lj",
    "м": "m",
    "н": "n",
    "њ": "nj",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "ћ": "ć",
    "у": "u",
    "ф": "f",
    "х": "h",
    "ц": "c",
    "ч": "č",
    "џ": "dž",
    "ш": "š",
}

# Segments that must survive unchanged. Order matters: URLs first so that a
# "{slug}" or "%20" inside a URL is kept as part of the URL.
_PROTECTED = re.compile(
    r"""
    (?:https?|ftp)://[^\s<>"']+         # URLs
    | www\.[^\s<>"']+
    | mailto:[^\s<>"']+
    | <!--.*?-->                        # HTML comments
    | </?[A-Za-z][^<>]*>                # HTML-ish tags (not "x < y")
    | &(?:[A-Za-z][A-Za-z0-9]*|\#[0-9]+|\#[xX][0-9A-Fa-f]+);  # entities
    | \{\{ | \}\}                       # escaped braces
    | \{[^{}]*\}                        # str.format fields
    | %(?:\([^)]*\))?[-#0+]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[a-zA-Z%]  # %-style
    """,
    re.VERBOSE | re.DOTALL,
)


def cyrillic_to_latin(text: str) -> str:
    """Transliterate Serbian Cyrillic ``text`` to Serbian Latin.

    Placeholders (``{name}``, ``%(x)s``, ``%d``), HTML tags and entities and
    URLs are left untouched; characters outside the Serbian Cyrillic alphabet
    pass through unchanged.
    """
    parts: list[str] = []
    position = 0
    for match in _PROTECTED.finditer(text):
        parts.append(_transliterate_plain(text[position : match.start()]))
        parts.append(match.group())
        position = match.end()
    parts.append(_transliterate_plain(text[position:]))
    return "".join(parts)


def _transliterate_plain(text: str) -> str:
    result: list[str] = []
    for index, char in enumerate(text):
        latin = _LOWER_TO_LATIN.get(char.lower())
        if latin is None:
            result.append(char)
        elif char.islower():
            result.append(latin)
        elif len(latin) > 1 and _in_uppercase_word(text, index):
            result.append(latin.upper())
        else:
            result.append(latin.capitalize())
    return "".join(result)


def _in_uppercase_word(text: str, index: int) -> bool:
    """Decide between "LJ" and "Lj" for an uppercase digraph letter.

    The next letter wins ("ЉУБАВ" -> "LJUBAV", "Љубав" -> "Ljubav"); at the
    end of a word the previous letter decides ("КОЊ" -> "KONJ").
    """
    following = text[index + 1] if index + 1 < len(text) else ""
    if following.isalpha():
        return following.isupper()
    preceding = text[index - 1] if index > 0 else ""
    return preceding.isalpha() and preceding.isupper()
