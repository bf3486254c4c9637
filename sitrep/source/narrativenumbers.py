"""Numbers in the analyst's narrative: which state a claim, whether each is cited, and the mark
for one that is not a claim (docs/store.md, "Numbers in your own words").

A number in narrative text is a claim, and a claim needs its source: it is cited when it is a
[[figure-id]] reference (the report prints the figure and its citation) or when its sentence
carries an [[entry-id]] reference (the report prints that entry's citations there). Not every
number is a claim: a year (2016), a day of a month ('3 June', '3 juin', '3 حزيران', in any of
the month names CLDR knows for the text's language and sitrep's), and whatever the analyst puts
between backticks ('`24` hours', 'Route `10`', '`UN resolution 2139`'), which the report prints
without them. Digits are any script's: Arabic-Indic '٤٢٬٠٠٠' is a number as '42,000' is.

`sitrep check` warns about an uncited number (source/contentwarnings.py); a public edition
refuses to print one (report/prose.py).
"""

from __future__ import annotations

import functools
import re

from sitrep.language import available_catalogues
from sitrep.source.schema import LANGUAGE_KEY, NARRATIVE_REFERENCE, NOT_A_CLAIM

# A number as narrative writes it: digits of any script, with thousands separators (',', the
# Arabic '٬', a space or no-break space before a group of three) and a decimal part; never the
# tail of a word or code ('W26', 'F3', 'A1') nor of another number.
_NUMBER = re.compile(r"(?<![A-Za-z\u00C0-\u024F\d_.,\u066B\u066C])\d+"
                     r"(?:(?:[.,\u066B\u066C]|[ \u00A0\u202F](?=\d{3}(?!\d)))\d+)*")
# Two numbers joined as a range: '2015–2016', '3-5'.
_RANGE = re.compile(r"\s*[-–—]\s*$")
# Where a sentence ends: after its full stop, question or exclamation mark (Arabic's too), and at
# a blank line (a paragraph or bullet that ends without one).
_SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+|\n\s*\n")
_SPACE = "[\\s\u00A0\u202F]"
_ORDINAL = r"(?:st|nd|rd|th|er|e|ᵉʳ)?"  # '3rd June', '1er juin'
YEARS = range(1800, 2200)  # as source/dates.py accepts them


CITE_IT = "[[figure-id]] in its place prints a figure with its citation, or an [[entry-id]] in its sentence cites it"
NOT_A_CLAIM_HINT = ("a number that is not a claim goes between backticks, as in `24` hours or Route `10` "
                    "(docs/store.md, \"Numbers in your own words\")")


def uncited_message(numbers: list[str], language: str | None) -> str:
    """"the narrative states the numbers '42,000' and '8,000' with no source"; "the narrative (fr) ..."."""
    quoted = [f"'{number}'" for number in numbers]
    listed = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"
    return (f"the narrative{f' ({language})' if language else ''} states the number{'s' if len(numbers) > 1 else ''} "
            f"{listed} with no source")


def unmarked(text: str) -> str:
    """Narrative text as the report prints it: each `...` mark's words without the backticks."""
    return NOT_A_CLAIM.sub(lambda match: match[1], text)


def language_of(fields: tuple) -> str | None:
    """The language of a narrative text variant, from its path (checks.narrative_texts): 'fr'
    for ('text', 'fr@1a2b3c4d'); None for text in the store's language, untagged."""
    last = fields[-1] if fields else None
    match = LANGUAGE_KEY.match(last) if isinstance(last, str) else None
    return match[1] if match else None


def uncited_numbers(text: str, language: str | None = None) -> list[str]:
    """Each number in narrative text (in `language`, when known) that states a claim and cites
    nothing, as written: not a year, not a day of a month, not marked with backticks, and in a
    sentence with no [[id]] reference. Each once, in the order written."""
    months = _month_names(language)
    found: dict[str, None] = {}
    for sentence in _SENTENCE_END.split(NOT_A_CLAIM.sub(" ", text)):
        if not sentence or NARRATIVE_REFERENCE.search(sentence):
            continue  # the sentence cites what it reports
        numbers = list(_NUMBER.finditer(sentence))
        ranged = {i for i in range(1, len(numbers))  # '2015–2016': judged as one
                  if _RANGE.fullmatch(sentence[numbers[i - 1].end():numbers[i].start()])}
        groups: list[list[re.Match]] = []
        for i, match in enumerate(numbers):
            if i in ranged:
                groups[-1].append(match)
            else:
                groups.append([match])
        for group in groups:
            if not (all(_is_year(m[0]) for m in group) or _is_day(sentence, group, months)):
                found.setdefault(sentence[group[0].start():group[-1].end()], None)
    return list(found)


def _is_year(number: str) -> bool:
    return number.isdecimal() and len(number) == 4 and int(number) in YEARS


def _is_day(sentence: str, group: list[re.Match], months: re.Pattern) -> bool:
    """Whether the numbers are days of a month written beside it: '3 June', '3–5 June', 'June 3'."""
    if not all(m[0].isdecimal() and 1 <= int(m[0]) <= 31 for m in group):
        return False
    after, before = sentence[group[-1].end():], sentence[:group[0].start()]
    return bool(re.match(rf"{_ORDINAL}{_SPACE}*(?:(?:of|de){_SPACE}+)?(?:{months.pattern})", after, re.I)
                or re.search(rf"(?:{months.pattern}){_SPACE}+$", before, re.I))


@functools.lru_cache(maxsize=None)
def _month_names(language: str | None) -> re.Pattern:
    """The month names, wide and abbreviated, of every locale CLDR has for the languages sitrep
    speaks and `language`: 'June', 'juin', 'juin', 'حزيران', 'يونيو', 'Jun', 'févr.'."""
    from babel.dates import get_month_names
    from babel.localedata import locale_identifiers

    languages = {"en", *available_catalogues(), *([language.split("-")[0]] if language else [])}
    names: set[str] = set()
    for locale in locale_identifiers():
        if locale.split("_")[0] in languages:
            for width in ("wide", "abbreviated"):
                for context in ("format", "stand-alone"):
                    names.update(name for name in get_month_names(width, context, locale=locale).values())
    alternatives = "|".join(re.escape(name).replace("\\ ", _SPACE + "+")
                            for name in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?:{alternatives})(?![^\W\d_])")
