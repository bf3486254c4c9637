"""Names as the store and the datasets write them, folded so that spellings of one name compare
equal: what `sitrep import` matches (exchange/matching.py) and what the store's checks of
aliases compare (source/aliases.py), so that both agree on when two names are one.

Three levels, each looser than the last, and each used only where it cannot put a number on the
wrong entry:

- `folded`: case, Unicode form, accents and spaces ('AL-ANBAR ' = 'al-anbar', 'Ṣaqlāwiyah' =
  'saqlawiyah'). Every name and alias is compared so.
- `place_key`: for a place matched as one of some kinds, the generic word of those kinds
  ('governorate', 'qadaa') and the Arabic article ('al-', 'Al ', 'el-', 'ash-'...) dropped, and
  punctuation read as a space: 'Anbar governorate', 'Al-Anbar' and 'Anbar' are one governorate.
  The words of other kinds stay: 'Haditha district' is not the town 'Haditha'.
- `actor_key`: an actor's name without its parenthesised trailer ('Islamic State (Iraq)' ->
  'islamic state', trailer 'iraq'); two trailers that are both a country or a period, and differ,
  keep two actors apart ('(2014-2018)' is not '(2018-)': `trailers_agree`).

Anything looser (Karma and Karmah, one letter apart) is never matched: it is named as the
closest entry in the proposal's reason, for a person to decide (`closest`).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from functools import lru_cache

# The words a name may carry for what kind of place it is, in English and as Arabic names are
# transliterated, by sitrep's place kind. Sub-districts (nahiya) are areas: never a district.
GENERIC_WORDS: dict[str, frozenset[str]] = {
    "country": frozenset({"republic", "of"}),
    "governorate": frozenset({"governorate", "governorat", "province", "muhafazat", "muhafazah", "muhafaza",
                              "muhafadhat", "of"}),
    "district": frozenset({"district", "qadaa", "qada", "qadha", "caza", "kaza", "of"}),
    "city": frozenset({"city", "of"}),
    "town": frozenset({"town", "of"}),
    "village": frozenset({"village", "of"}),
    "neighbourhood": frozenset({"neighbourhood", "neighborhood", "hay", "hayy", "of"}),
    "area": frozenset({"area", "subdistrict", "nahiya", "nahiyah", "nahia", "of"}),
    "camp": frozenset({"camp", "of"}),
    "checkpoint": frozenset({"checkpoint", "of"}),
    "crossing": frozenset({"crossing", "of"}),
}
# An event's location may be any of these kinds: a place of one is matched to any of them (an
# ACLED location coded as a town may be the store's village); an admin area only to its level.
LOCATION_KINDS = ("city", "town", "village", "neighbourhood", "area", "camp", "checkpoint", "crossing")


def family(kind: str) -> tuple[str, ...]:
    """The kinds a place of this kind is matched among: a location's, or an admin area's level."""
    return LOCATION_KINDS if kind in LOCATION_KINDS else (kind,)


# The Arabic article as transliterations write it: 'al', and its forms before sun letters.
ARTICLES = frozenset({"al", "el", "ad", "adh", "an", "ar", "as", "ash", "at", "ath", "az"})
_APOSTROPHES = "'’‘ʼʻʿʾ`´"
_TRAILER = re.compile(r"^(.*?\S)\s*\(([^()]*)\)$")
_PERIOD = re.compile(r"^\d{4}\s*[-–]\s*(\d{4})?$")


def folded(name: str) -> str:
    """A name as matching compares it: case, Unicode form, accents and runs of spaces ignored."""
    decomposed = unicodedata.normalize("NFKD", str(name))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(unicodedata.normalize("NFKC", bare).casefold().split())


def generic_words(kinds) -> frozenset[str]:
    """The generic words of these place kinds, any of which a name of them may carry."""
    return frozenset().union(*(GENERIC_WORDS.get(kind, frozenset()) for kind in kinds))


@lru_cache(maxsize=65536)
def place_key(name: str, words: frozenset[str]) -> str:
    """A place's name without `words` (generic words of the kinds it is matched as) and the
    Arabic article, punctuation read as a space: 'Al-Anbar Governorate' -> 'anbar'. A name that
    would be left empty keeps its words ('Camp' stays 'camp')."""
    text = folded(name)
    for mark in _APOSTROPHES:
        text = text.replace(mark, "")
    text = re.sub(r"\bsub[\s-]+district\b", "subdistrict", text)
    tokens = re.sub(r"[\W_]+", " ", text).split()
    kept = [t for i, t in enumerate(tokens)
            if t not in words and not (t in ARTICLES and i + 1 < len(tokens))]
    return " ".join(kept or tokens)


def actor_key(name: str) -> tuple[str, str]:
    """(an actor's name folded without its parenthesised trailer, the trailer folded):
    'Islamic State (Iraq)' -> ('islamic state', 'iraq'); a name without one -> (name, '')."""
    text = folded(name)
    match = _TRAILER.match(text)
    return (match.group(1), match.group(2).strip()) if match else (text, "")


def trailers_agree(one: str, other: str, home: str | None = None) -> bool:
    """Whether a dataset's name with trailer `one` and an entry's of the same base with trailer
    `other` may be one actor: not when both qualify the name the way ACLED does (a country, a
    period of government) and differ, as the forces of one government are not those of the
    next, nor one country's unidentified group another's; and not when the dataset's names a
    country other than `home` (the workspace's) and the entry's none, as ACLED's 'Islamic State
    (Afghanistan)' is another branch than an Iraq desk's 'Islamic State'."""
    if one and other and one != other and _qualifier(one) and _qualifier(other):
        return False
    if one in _country_names() and one != other and not _qualifier(other):
        return one == home
    return True


def _qualifier(trailer: str) -> bool:
    return bool(_PERIOD.match(trailer)) or trailer in _country_names() or trailer == "international"


@lru_cache(maxsize=1)
def _country_names() -> frozenset[str]:
    """Every country's English name (CLDR, through Babel), folded."""
    from babel import Locale

    return frozenset(folded(name) for code, name in Locale("en").territories.items() if code.isalpha())


def closest(key: str, keyed: list[tuple[str, object]]):
    """(how alike, 0 to 1, the most alike of `keyed` (name, entry) pairs is to `key`; that
    entry), or (0, None) when none is at least CLOSE. difflib's ratio, only ever to name the
    closest entry in a proposal's reason, never to match; its cheap bounds first, as
    difflib.get_close_matches does, since a large import asks this of every proposal."""
    best, found = 0.0, None
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(key)
    for name, entry in keyed:
        matcher.set_seq1(name)
        if (matcher.real_quick_ratio() >= CLOSE and matcher.quick_ratio() >= CLOSE
                and (score := matcher.ratio()) >= CLOSE and score > best and _a_spelling(name, key, score)):
            best, found = score, entry
    return best, found


def _a_spelling(one: str, other: str, score: float) -> bool:
    """Whether two alike names differ as spellings of one name do: by a few letters, not by a
    word ('Military Forces of Ethiopia' is alike 'Military Forces of Iraq', and another actor),
    nor in a short word ('BBC News' is not 'NBC News')."""
    differing = (1 - score) * (len(one) + len(other))  # letters of either not matched in the other
    words = list(zip(one.split(), other.split()))
    if len(one.split()) == len(other.split()) and any(a != b and min(len(a), len(b)) <= 3 for a, b in words):
        return False  # a short word, an acronym, is another word when one letter differs: BBC, NBC
    return differing <= max(4, max(len(one), len(other)) / 4)


CLOSE = 0.75  # names at least this alike are named as the closest ('Karma'/'Karmah' 0.91)
ALL_GENERIC_WORDS = generic_words(GENERIC_WORDS)
