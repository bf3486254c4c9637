"""An edition's language, stage by stage: the message catalogues, numbers and dates in the
locale, text in several languages in the store, the choice of each edition's text, and Latin
runs isolated in right-to-left text (docs/languages.md, "Editions in several languages")."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from support import REPO
from sitrep.language import (LRI, PDI, Language, available_catalogues, fingerprint, format_decimal, gettext,
                             isolate_latin, ngettext, speaking)
from sitrep.render.bidi import isolate_text, shifted
from sitrep.report.formatting import format_amount, unit_word
from sitrep.report.passage import Passage
from sitrep.report.translation import Translator
from sitrep.source.dates import format_fuzzy, format_span, parse_fuzzy_date
from sitrep.source.schema import Amount, LocalText, _local_text

LOCALE = REPO / "sitrep" / "locale"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


# --- The catalogues ------------------------------------------------------------------------------

def extracted_messages() -> dict[str, tuple]:
    """Every message of the code and templates, as `make messages` extracts it (babel.cfg)."""
    with open(REPO / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    messages = {}
    for _, _, message, _, context in extract_from_dir(REPO, method_map, options_map, keywords={
            "_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "N_": None, "NP_": (1, 2),
            "npgettext": ((1, "c"), 2, 3)}):
        key = message if isinstance(message, str) else message[0]
        messages[key] = message if isinstance(message, tuple) else (message,)
    return messages


def catalogue(language: str):
    with open(LOCALE / language / "LC_MESSAGES" / "sitrep.po", "rb") as f:
        return read_po(f, locale=language)


def test_the_interface_ships_in_arabic_and_french():
    assert available_catalogues() == ["ar", "fr"]


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_every_message_is_translated_in_every_catalogue(language):
    """A message added to the code or a template and not yet translated fails here (run
    `make messages`, then translate it in sitrep/locale/<language>/LC_MESSAGES/sitrep.po)."""
    messages = extracted_messages()
    assert len(messages) > 200
    po = catalogue(language)
    problems = []
    for msgid, forms in messages.items():
        entry = po.get(msgid)
        if entry is None:
            problems.append(f"missing: {msgid!r}")
            continue
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if entry.fuzzy or not all(strings):
            problems.append(f"untranslated: {msgid!r}")
        wanted = set(PLACEHOLDER.findall(" ".join(forms)))
        for string in strings:
            if set(PLACEHOLDER.findall(string)) - wanted or (wanted - set(PLACEHOLDER.findall(string)) - {"num"}):
                problems.append(f"placeholders differ: {msgid!r} -> {string!r}")
    assert not problems, "\n".join(problems)


def test_the_committed_template_holds_every_message():
    with open(LOCALE / "sitrep.pot", "rb") as f:
        template = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    assert template == set(extracted_messages()), "run `make messages`"


def test_arabic_has_six_plural_forms_and_units_take_the_right_one():
    assert catalogue("ar").num_plurals == 6
    with speaking(Language("ar")):
        forms = {n: ngettext("person", "people", n) for n in (0, 1, 2, 3, 11, 100)}
        assert len(set(forms.values())) >= 4  # zero/one/hundred share a form in the example's translation
        assert forms[2] != forms[3] != forms[11]
        assert unit_word("people", Amount(value=30)) == forms[11]  # '30 شخصًا'
        assert unit_word("people") == forms[3]  # a unit in general: the plain plural, never the dual


def test_english_is_the_source_language_and_a_missing_catalogue_prints_it():
    assert gettext("Key figures") == "Key figures"
    with speaking(Language("fr")):
        assert gettext("Key figures") == "Chiffres clés"
        assert gettext("") == ""  # never the catalogue's header


# --- Numbers and dates ---------------------------------------------------------------------------

@pytest.mark.parametrize("language, number, date, span", [
    (Language("en"), "30,000", "3 July 2016", "30 May – 5 June 2016"),
    (Language("fr"), "30\u202f000", "3 juillet 2016", "30 mai – 5 juin 2016"),
    (Language("ar"), "30,000", "3 يوليو 2016", "30 مايو – 5 يونيو 2016"),
    (Language("ar", "IQ"), "30,000", "3 تموز 2016", "30 أيار – 5 حزيران 2016"),
    (Language("ar", "IQ", "native"), "٣٠٬٠٠٠", "٣ تموز ٢٠١٦", "٣٠ أيار – ٥ حزيران ٢٠١٦"),
    (Language("en", "IQ", "native"), "30,000", "3 July 2016", "30 May – 5 June 2016"),  # English has no digits of its own
])
def test_numbers_and_dates_read_in_the_locale(language, number, date, span):
    with speaking(language):
        assert format_decimal(30000) == number
        assert format_fuzzy(parse_fuzzy_date("2016-07-03")) == date
        assert format_span(dt.date(2016, 5, 30), dt.date(2016, 6, 5)) == span


def test_fuzzy_dates_and_amounts_read_naturally_in_each_language():
    week = parse_fuzzy_date("2016-W23")
    assert format_fuzzy(week) == "week 23 of 2016 (6–12 June 2016)"
    with speaking(Language("fr")):
        assert format_fuzzy(week) == "semaine 23 de 2016 (6–12 juin 2016)"
        assert format_fuzzy(parse_fuzzy_date("2016-06")) == "juin 2016"
        assert format_amount(Amount(low=30000, high=40000, qualifier="about"), "people") == "environ 30\u202f000–40\u202f000 personnes"
    with speaking(Language("ar", "IQ", "native")):
        assert format_fuzzy(parse_fuzzy_date("2016-06")) == "حزيران ٢٠١٦"
        assert format_amount(Amount(value=30, qualifier="at_least"), "people").startswith("ما لا يقل عن ٣٠ ")


# --- Store text in several languages -------------------------------------------------------------

def test_a_text_may_be_given_per_language_with_what_each_translation_was_made_from():
    original = "Families were held back."
    text = _local_text({"en": original, f"fr@{fingerprint(original)}": "Des familles ont été retenues.",
                        "ar": "مُنعت عائلات من المغادرة."})
    assert text == original and text.language == "en"
    assert text.translations == {"fr": ("Des familles ont été retenues.", fingerprint(original)),
                                 "ar": ("مُنعت عائلات من المغادرة.", None)}
    assert [where for where, _ in text.variants()] == [("en",), (f"fr@{fingerprint(original)}",), ("ar",)]
    # Re-wrapping the original (YAML folds lines) does not make its translations stale.
    assert fingerprint("Families were\n  held back.") == fingerprint(original)
    assert _local_text("plain text").translations == {}


@pytest.mark.parametrize("value, message", [
    ({"english": "x"}, "'english' is not a language"),
    ({"en@1a2b3c4d": "x"}, "is the original, which is not made from another"),
    ({"en": "x", "fr": "y", "fr@1a2b3c4d": "z"}, "'fr' is given twice"),
    ({"en": "x", "fr": 12}, "fr: found the number 12; expected text"),
    ({"en": "x", "fr": "  "}, "fr is blank"),
    ({}, "expected text, or a mapping of language to text"),
    (["x"], "found a list"),
])
def test_a_malformed_text_by_language_is_refused_in_words(value, message):
    with pytest.raises(ValueError) as refused:
        _local_text(value)
    assert message in str(refused.value)


def test_each_edition_prints_its_own_text_and_marks_what_is_missing_or_stale():
    original = "Families were held back."
    text = LocalText(original, "en", {"fr": ("Des familles ont été retenues.", fingerprint(original)),
                                      "ar": ("مُنعت عائلات.", "00000000")})
    english = Translator(Language("en"), "en")
    assert english.text(text) == original and not english.untranslated
    french = Translator(Language("fr"), "en")
    passage = french.text(text)
    assert passage == "Des familles ont été retenues." and not passage.stale and not passage.untranslated
    arabic = Translator(Language("ar"), "en")
    assert arabic.text(text).stale and arabic.stale  # made from an earlier original
    german = Translator(Language("de"), "en")
    fallback = german.text(text)
    assert fallback == original and fallback.untranslated and fallback.lang == "en" and german.untranslated == {"en"}
    # Names are not marked: a place's name in the edition's language, else as the store writes it.
    assert arabic.name("Fallujah", {"ar": "الفلوجة"}) == "الفلوجة"
    name = arabic.name("Fallujah", {})
    assert name == "Fallujah" and name.lang == "en" and name.direction == "ltr" and not name.untranslated


def test_a_passage_prints_escaped_and_marked_with_its_language():
    plain = Passage("<b>bold</b>")
    assert plain.__html__() == "&lt;b&gt;bold&lt;/b&gt;"
    fallback = Passage("<script>x</script>", "en", "ltr", untranslated=True)
    html = fallback.__html__()
    assert html.startswith("<span lang='en' dir='ltr'>&lt;script&gt;x&lt;/script&gt;</span>")
    assert "class='language-mark'" in html and ">EN</sup>" in html
    assert "stale-mark" in Passage("x", stale=True).__html__()
    assert str(Passage("x", "en")) == "x"  # in an attribute, `| string` prints the text alone


# --- Right to left ---------------------------------------------------------------------------------

def test_latin_runs_in_arabic_text_are_isolated():
    assert isolate_latin("التقرير (2016-W26) عن") == f"التقرير ({LRI}2016-W26{PDI}) عن"
    assert isolate_latin("قال Human Rights Watch (HRW) إن") == f"قال {LRI}Human Rights Watch (HRW){PDI} إن"
    assert isolate_latin("في 2016-06-03") == f"في {LRI}2016-06-03{PDI}"
    assert isolate_latin("نحو 30,000 شخص") == "نحو 30,000 شخص"  # a number alone is left to bidi
    assert isolate_latin("قال O&#39;Brien") == f"قال {LRI}O&#39;Brien{PDI}"  # never inside a character reference
    assert isolate_latin("&amp; و") == "&amp; و"


def test_only_the_documents_text_is_isolated_and_its_origins_still_point_home():
    html = ('<style>.a::after{content:"Page"}</style><p class="status-open" data-fact="route-1">'
            'الطريق (2016-W26) <a href="https://example.org/">NBC News</a></p><svg><text>Jun 2016</text></svg>')
    isolated, inserted = isolate_text(html)
    assert f"({LRI}2016-W26{PDI})" in isolated and f">{LRI}NBC News{PDI}</a>" in isolated
    assert 'class="status-open" data-fact="route-1"' in isolated and 'href="https://example.org/"' in isolated
    assert '<style>.a::after{content:"Page"}</style>' in isolated and "<text>Jun 2016</text>" in isolated
    at = html.index("</p>")
    assert isolated[shifted([at], inserted)[0]:].startswith("</p>")


def test_sitreps_words_beside_untranslated_store_text_keep_the_editions_language():
    """'٣٠ killed. <English description>': only the description is marked English."""
    from sitrep.report.passage import Joined

    description = Passage("Many of the dead were women.", "en", "ltr", untranslated=True)
    victims = Joined("مقتل ما لا يقل عن ٣٠. ", description, "")
    assert victims == "مقتل ما لا يقل عن ٣٠. Many of the dead were women."
    assert victims.__html__().startswith("مقتل ما لا يقل عن ٣٠. <span lang='en' dir='ltr'>Many of the dead")


def test_a_month_first_locale_writes_spans_as_cldr_does():
    with speaking(Language("en-US")):
        assert format_span(dt.date(2016, 6, 6), dt.date(2016, 6, 12)) == "Jun 6\u2009–\u200912, 2016"  # thin spaces
        assert format_fuzzy(parse_fuzzy_date("2016-07-03")) == "July 3, 2016"


def test_a_charts_axis_and_words_are_in_the_editions_language():
    from sitrep.render.charts import trend_svg
    from sitrep.report.facts import TrendPoint

    points = [TrendPoint("f", dt.date(2016, 6, 1), dt.date(2016, 6, 30), 30000, 40000, "حزيران ٢٠١٦")]
    with speaking(Language("ar", "IQ", "native")):
        svg = trend_svg(points, "المدنيون المحاصرون، الفلوجة")
    assert ">٠</text>" in svg and ">٤٠٬٠٠٠</text>" in svg and "حزيران ٢٠١٦</text>" in svg
    assert "<title>المدنيون المحاصرون، الفلوجة، كما أُبلغ عنها: حزيران ٢٠١٦: ٣٠٬٠٠٠–٤٠٬٠٠٠</title>" in svg


def test_plain_gives_the_words_of_a_translated_message_and_of_store_text():
    from markupsafe import Markup

    from sitrep.render.templates import plain_text

    assert plain_text(Markup("Tom &amp; Jerry")) == "Tom & Jerry"  # escaped once, by the attribute it lands in
    assert type(plain_text(Passage("Fallujah", "en", untranslated=True))) is str


def test_a_charts_arabic_ticks_are_set_in_an_arabic_face():
    from sitrep.render.charts import trend_svg
    from sitrep.report.facts import TrendPoint

    points = [TrendPoint("f", dt.date(2016, 6, 1), dt.date(2016, 6, 30), 30000, 40000, "June 2016")]
    with speaking(Language("ar", "IQ", "native")):
        svg = str(trend_svg(points, "x"))
    assert re.search(r'<text font-family="Noto Sans Arabic[^"]*"[^>]*>حزيران ٢٠١٦</text>', svg)
    assert 'font-family="Noto Sans, DejaVu Sans, sans-serif" font-size="7"' not in svg  # no Arabic in a Latin face
