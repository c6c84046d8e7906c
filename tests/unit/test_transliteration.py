import pytest

from parliament_app.core.transliteration import cyrillic_to_latin


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("абвгдђежзијклљмнњопрстћуфхцчџш", "abvgdđežzijklljmnnjoprstćufhcčdžš"),
        ("АБВГДЂЕЖЗИЈКЛМНОПРСТЋУФХЦЧШ", "ABVGDĐEŽZIJKLMNOPRSTĆUFHCČŠ"),
        ("Дечји парламент", "Dečji parlament"),
        ("Ђорђе Ћирић чита шах", "Đorđe Ćirić čita šah"),
    ],
)
def test_alphabet_and_words(cyrillic: str, latin: str) -> None:
    assert cyrillic_to_latin(cyrillic) == latin


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("Љубав", "Ljubav"),
        ("ЉУБАВ", "LJUBAV"),
        ("Његош", "Njegoš"),
        ("ЊЕГОШ", "NJEGOŠ"),
        ("Џеп", "Džep"),
        ("ЏЕП", "DŽEP"),
        ("КОЊ", "KONJ"),  # digraph at the end of an all-caps word
        ("Љ", "Lj"),
        ("ГЛАСАЈ: Џ", "GLASAJ: Dž"),
    ],
)
def test_digraph_capitalisation(cyrillic: str, latin: str) -> None:
    assert cyrillic_to_latin(cyrillic) == latin


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("Добродошли, {name}!", "Dobrodošli, {name}!"),
        ("{count} гласова", "{count} glasova"),
        ("Здраво {име}", "Zdravo {име}"),  # a field name is code, even in Cyrillic
        ("Вредност {value:>{width}}", "Vrednost {value:>{width}}"),
        ("{{ж}} и {ж}", "{{ž}} i {ж}"),
        ("Сачувано %(број)d предлога", "Sačuvano %(број)d predloga"),
        ("%s од %d", "%s od %d"),
        ("50% гласова", "50% glasova"),
        ("<b>Жути</b> картон", "<b>Žuti</b> karton"),
        ('<a href="/чланови">Чланови</a>', '<a href="/чланови">Članovi</a>'),
        ("Ја &amp; ти&nbsp;ми &#1078;", "Ja &amp; ti&nbsp;mi &#1078;"),
        ("x < 5 и y > 3", "x < 5 i y > 3"),
        (
            "Види https://sr.wikipedia.org/wiki/Србија и www.парламент.срб/о-нама",
            "Vidi https://sr.wikipedia.org/wiki/Србија i www.парламент.срб/о-нама",
        ),
        ("[Правила](https://example.org/правила)", "[Pravila](https://example.org/правила)"),
    ],
)
def test_protected_segments_are_untouched(cyrillic: str, latin: str) -> None:
    assert cyrillic_to_latin(cyrillic) == latin


def test_non_serbian_text_passes_through() -> None:
    text = "Parliament 2024 — Shqip: ë ç; Македонски ѓ ќ ѕ"
    assert cyrillic_to_latin(text) == "Parliament 2024 — Shqip: ë ç; Makedonski ѓ ќ ѕ"


def test_empty_string() -> None:
    assert cyrillic_to_latin("") == ""
