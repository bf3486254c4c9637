"""The language of an edition: its interface messages, its numbers and dates, its direction.

A report is built and rendered while its language is active (`speaking(language)`), as Django
and Flask-Babel activate a request's language: every heading, label and sentence sitrep writes
goes through `gettext` and the message catalogues in sitrep/locale/ (docs/languages.md, "Editions in
several languages"); every number and date through Babel's CLDR data for the edition's locale.
Outside `speaking()`, English is active: the command line's own messages are in English.

English is the catalogues' source language: its messages are the msgids themselves.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gettext as _gettext
import hashlib
import io
import re
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "sitrep"
DIGITS = ("latin", "native")  # config.yaml's `digits:` — 30,000 or ٣٠٬٠٠٠ in an Arabic edition
# The digits of CLDR's numbering systems that sitrep's languages use by default (CLDR's
# numberingSystems.xml); a locale whose own system is not here writes Latin digits.
NUMBERING_SYSTEM_DIGITS = {
    "latn": "0123456789",
    "arab": "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669",  # Arabic-Indic
    "arabext": "\u06F0\u06F1\u06F2\u06F3\u06F4\u06F5\u06F6\u06F7\u06F8\u06F9",  # Persian, Urdu
    "beng": "\u09E6\u09E7\u09E8\u09E9\u09EA\u09EB\u09EC\u09ED\u09EE\u09EF",
    "deva": "\u0966\u0967\u0968\u0969\u096A\u096B\u096C\u096D\u096E\u096F",
    "mymr": "\u1040\u1041\u1042\u1043\u1044\u1045\u1046\u1047\u1048\u1049",
}
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ku", "ps", "ur", "ckb", "yi", "dv", "sd", "ug"})


def N_(message: str) -> str:
    """Marks a message for the catalogues where it is defined (vocabulary labels); it is
    translated where it is printed, with gettext()."""
    return message


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """Marks a message with a plural (a unit: 'person', 'people') for the catalogues; printed
    with ngettext(singular, plural, n), which picks among Arabic's six forms."""
    return singular, plural


@dataclass(frozen=True)
class Language:
    """An edition's language: a tag as config.yaml writes it ('en', 'ar', 'fr', 'en-US'), the
    country whose date conventions it follows when CLDR has them ('IQ': Iraqi Arabic month
    names), and which digits its numbers are written in."""

    tag: str = "en"
    region: str | None = None
    digits: str = "latin"

    @property
    def code(self) -> str:
        """The language without its country: 'en' for 'en-US'."""
        return self.tag.split("-")[0]

    @property
    def rtl(self) -> bool:
        return self.code in RTL_LANGUAGES

    @property
    def direction(self) -> str:
        return "rtl" if self.rtl else "ltr"

    @functools.cached_property
    def locale(self) -> str:
        """The Babel locale: 'en' alone prints dates day first, as 'en_GB' does ('3 July 2016');
        with a region, the language as spoken there when CLDR knows it ('ar_IQ')."""
        return babel_locale(self.tag, self.region)

    @functools.cached_property
    def translations(self) -> _gettext.NullTranslations:
        return catalogue(self.code)

    @functools.cached_property
    def native_digits(self) -> str:
        """The ten digits of the locale's own numbering system: '٠١٢٣٤٥٦٧٨٩' for ar_IQ. (Babel
        gives a numbering system's separators, not its digits.)"""
        from babel import Locale

        return NUMBERING_SYSTEM_DIGITS.get(Locale.parse(self.locale).default_numbering_system, "0123456789")

    def with_digits(self, text: str) -> str:
        """Text whose Latin digits are written as the edition writes numbers."""
        if self.digits != "native" or self.native_digits == "0123456789":
            return text
        return text.translate(str.maketrans("0123456789", self.native_digits))


ENGLISH = Language()
_active: ContextVar[Language] = ContextVar("sitrep_language", default=ENGLISH)


@contextlib.contextmanager
def speaking(language: Language) -> Iterator[Language]:
    """Make `language` the active one for the code run inside (a report's build and render)."""
    token = _active.set(language)
    try:
        yield language
    finally:
        _active.reset(token)


def active() -> Language:
    return _active.get()


# --- Messages ---------------------------------------------------------------------------------

def available_catalogues() -> list[str]:
    """The languages sitrep's interface is translated into, besides English."""
    return sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


@functools.lru_cache(maxsize=None)
def catalogue(code: str) -> _gettext.NullTranslations:
    """The interface messages of a language, compiled from its .po file in memory (no compiled
    .mo files to keep in step); English, or a language without a catalogue, prints the msgids."""
    po = LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.is_file():
        return _gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    with po.open("rb") as f:
        messages = read_po(f, locale=code)
    compiled = io.BytesIO()
    write_mo(compiled, messages)  # fuzzy (unreviewed) translations are left out: the msgid prints
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def gettext(message: str) -> str:
    if not message:  # gettext('') is the catalogue's header, not an empty label
        return message
    return active().translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return active().translations.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return active().translations.pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return active().translations.npgettext(context, singular, plural, n)


_ = gettext


def language_name(tag: str) -> str:
    """A language's name in itself, as a link to its edition says it: 'English', 'العربية', 'Français'."""
    from babel import Locale

    name = Locale.parse(tag, sep="-").get_display_name(tag.replace("-", "_")) or tag
    return name[:1].upper() + name[1:]


# --- Numbers and dates -------------------------------------------------------------------------

def babel_locale(tag: str, region: str | None = None) -> str:
    from babel.localedata import exists

    language = tag.replace("-", "_")
    if region and "_" not in language and exists(f"{language}_{region}"):
        return f"{language}_{region}"
    return "en_GB" if language == "en" else language


def format_decimal(number: float | int) -> str:
    """30000 -> '30,000' (en), '30 000' (fr, a narrow no-break space), '30,000' or '٣٠٬٠٠٠'
    (ar, as config.yaml's `digits:` says); at most two decimals."""
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    return _decimal(active(), number)


@functools.lru_cache(maxsize=8192)
def _decimal(language: Language, number: float | int) -> str:
    from babel.numbers import format_decimal as babel_decimal

    system = "default" if language.digits == "native" else "latn"  # the separators of the locale's own digits
    return language.with_digits(babel_decimal(number, format="#,##0.##", locale=language.locale, numbering_system=system))


def format_integer(number: int) -> str:
    """A count or an ordinal number in a sentence ('report 4'), in the edition's digits."""
    return active().with_digits(str(number))


def date_pattern(day: dt.date, skeleton: str) -> str:
    """A date by a CLDR skeleton in the active locale: 'yMMMMd' -> '3 July 2016', '3 تموز 2016'."""
    return _date_pattern(active(), day, skeleton)


def date_interval(first: dt.date, last: dt.date) -> str:
    """Two days as CLDR writes a span in the active locale: 'Jun 6 – 12, 2016' (en-US)."""
    from babel.dates import format_interval

    language = active()
    return language.with_digits(format_interval(first, last, "yMMMMd", locale=language.locale))


def month_name(day: dt.date) -> str:
    """The name of the day's month standing alone, as a span's first end prints it: 'January',
    'janvier', 'كانون الثاني' (ar_IQ). (The skeleton 'MMMM' is abbreviated in some locales.)"""
    from babel.dates import format_date

    return format_date(day, "LLLL", locale=active().locale)


@functools.lru_cache(maxsize=8192)  # a big store prints the same few hundred dates many times
def _date_pattern(language: Language, day: dt.date, skeleton: str) -> str:
    from babel.dates import format_skeleton

    return language.with_digits(format_skeleton(skeleton, day, locale=language.locale))


# --- Store text in several languages -----------------------------------------------------------

def fingerprint(text: str) -> str:
    """What a translation records of the original it was made from (docs/languages.md, "Translations"):
    the first 8 hex digits of the SHA-256 of the original, its spaces normalised, so that
    re-wrapping a paragraph does not make its translations stale."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:8]


# Latin-script runs inside right-to-left text: names, ISO dates and weeks, codes, URLs. Each is
# wrapped in U+2066 LEFT-TO-RIGHT ISOLATE ... U+2069 POP DIRECTIONAL ISOLATE so that '(2016-W26)'
# does not read '(W26-2016)'; WeasyPrint honours these characters, not <bdi> or
# `unicode-bidi: isolate` (docs/languages.md, "Right to left"). A run starts with a Latin letter or digit
# (never inside an HTML character reference such as &#39;) and ends with one, or with ')', '%',
# '/' or the ';' of a character reference.
_LATIN_RUN = re.compile(
    r"(?<![&#A-Za-z0-9\u00C0-\u024F])[A-Za-z0-9\u00C0-\u024F]"
    r"[A-Za-z0-9\u00C0-\u024F.,:;/@#&%+_'’\-–()=?~\u00A0\u202F ]*"
    r"(?<=[A-Za-z0-9\u00C0-\u024F)%/;])")
_LATIN_LETTER_OR_CODE = re.compile(r"[A-Za-z\u00C0-\u024F]|\d[-/:]\d")
LRI, PDI = "\u2066", "\u2069"


def latin_runs(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each run of Latin letters and digits in `text` (with the punctuation and
    spaces inside it) that needs isolating in right-to-left text; a number alone is left to
    bidi, which orders it right, and so is the bracket that closes the text around a run."""
    for match in _LATIN_RUN.finditer(text):
        start, end = match.span()
        run = text[start:end]
        while run.endswith(")") and run.count(")") > run.count("("):
            run = run[:-1].rstrip()
        if _LATIN_LETTER_OR_CODE.search(run):
            yield start, start + len(run)


def isolate_latin(text: str) -> str:
    """`text` with each Latin run isolated left to right (LRI ... PDI)."""
    pieces, position = [], 0
    for start, end in latin_runs(text):
        pieces += [text[position:start], LRI, text[start:end], PDI]
        position = end
    return "".join(pieces) + text[position:]
