"""The column sets ACLED's exports have had since 2015, told apart by the header (never the file's
name), each mapped to today's columns, with what each cannot give (docs/imports.md, "ACLED's formats").

- current (2022 onwards): `disorder_type`, `civilian_targeting` and `tags` beside the rest;
- 2019–2021: a `sub_event_type`, but no `civilian_targeting` (nor, mostly, `disorder_type`, `tags`);
  some have `data_id`, `event_id_no_cnty` and `iso3`;
- before 2019: no `sub_event_type`, the old event types (`Battle-No change of territory`,
  `Remote violence`, `Riots/Protests`...), `ally_actor_1` for today's `assoc_actor_1`, upper-case
  headers with `GWNO` in ACLED's Version 7 files and its realtime files of 2015–2017, and no
  `timestamp` in those.

Each can be dyadic (one row per event, actor1 and actor2 on it: ACLED's default) or monadic (one
row per actor, so an event with two actors is on two rows; no actor2 columns): the import merges
the two rows of a monadic event (acled_import.merge_monadic).
"""

from __future__ import annotations

from dataclasses import dataclass

from sitrep.errors import Problem
from sitrep.exchange.importfile import ImportFile, ImportRefused

# Every format has these (lower-cased, as importfile.read_csv gives the header).
BASE = ("event_id_cnty", "event_date", "time_precision", "event_type", "actor1", "inter1", "country", "admin1",
        "location", "latitude", "longitude", "source", "notes", "fatalities")
# Older names of today's columns.
RENAMED = {"ally_actor_1": "assoc_actor_1", "ally_actor_2": "assoc_actor_2"}
# What a format may lack, in the words of the summary, in the order they are named.
GIVES = {"sub_event_type": "sub-event type", "disorder_type": "disorder type",
         "civilian_targeting": "civilian targeting", "tags": "tags", "timestamp": "timestamp"}
# Where ACLED's export tool and API choose between the two layouts (its API's `export_type`).
DYADIC_SETTING = ("export it again as dyadic (one row per event): the export type 'dyadic' of ACLED's export "
                  "tool, `export_type=dyadic` in its API (the default)")


@dataclass(frozen=True)
class Format:
    key: str  # "current", "2019", "pre2019"
    label: str  # as the summary names it
    required: tuple[str, ...]
    monadic: bool = False
    lacks: tuple[str, ...] = ()  # of GIVES, the columns this file does not have

    @property
    def name(self) -> str:
        """'ACLED export, 2019–2021 columns (no disorder type, civilian targeting or tags), dyadic'."""
        lacking = f" (no {_words([GIVES[c] for c in self.lacks])})" if self.lacks else ""
        return f"{self.label}{lacking}, {'monadic' if self.monadic else 'dyadic'}"

    def lacks_text(self) -> str | None:
        """The assumption every row of such a file carries: what its format cannot give."""
        return f"the file gives no {_words([GIVES[c] for c in self.lacks])} ({self.label})" if self.lacks else None


FORMATS = {
    "current": ("ACLED export, current columns (2022 onwards)", (*BASE, "sub_event_type", "civilian_targeting",
                                                                 "timestamp")),
    "2019": ("ACLED export, 2019–2021 columns", (*BASE, "sub_event_type", "timestamp")),
    "pre2019": ("ACLED export, columns before 2019", BASE),
}


def detect(source: ImportFile, columns: list[str]) -> Format:
    """The file's format from its header; refused with ONE message naming the closest format and
    the columns it lacks. The distinguishing columns decide: no `sub_event_type`, before 2019; a
    `civilian_targeting`, current; else 2019–2021. No actor2 (nor inter2): monadic."""
    present = {RENAMED.get(c, c) for c in columns}
    if "sub_event_type" not in present and ("event_type" in present or "gwno" in present):
        key = "pre2019"
    elif "civilian_targeting" in present:
        key = "current"
    else:
        key = "2019"
    label, required = FORMATS[key]
    missing = [c for c in required if c not in present]
    if missing:
        shown = ", ".join(missing)
        raise ImportRefused(Problem(source.shown, 1, f"the header lacks {shown}: the closest known format is "
                                    f"the {label}, which has them",
                                    expected=f"the columns of an ACLED export: {', '.join(required)}"))
    monadic = "actor2" not in present and "inter2" not in present
    lacks = tuple(c for c in GIVES if c not in present)
    return Format(key, label, required, monadic, lacks)


def _words(items: list[str]) -> str:
    """'a', 'a or b', 'a, b or c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


# The event types of ACLED before 2019 (no sub-event types then), compared regardless of case (its
# files wrote 'Battle-No Change of Territory' too) -> sitrep's incident type, None where sitrep
# documents none (the row is counted and left out, as today's protests are).
OLD_EVENT_TYPES: dict[str, str | None] = {
    "battle-no change of territory": "military_operation",
    "battle-government regains territory": "change_of_control",
    "battle-non-state actor overtakes territory": "change_of_control",
    "battle-non-state actors overtake territory": "change_of_control",
    "non-violent transfer of territory": "change_of_control",
    "remote violence": "military_operation",
    "violence against civilians": "attack_on_civilians",
    "riots/protests": None,
    "strategic development": None,
    "headquarters or base established": None,
}
# ACLED's definition: violence against civilians is violence deliberately inflicted on unarmed
# non-combatants. Where a file has no civilian_targeting column, that event type says it.
TARGETS_CIVILIANS = "violence against civilians"


def country_codes(name: str, iso: str | None, iso3: str | None) -> tuple[str, str]:
    """(ISO 3166 alpha-3, alpha-2) of a row's country, from its `iso3`, its `iso` (ACLED's ISO
    numeric code: 368), or its English name, by Babel's CLDR data; ('', '') when none says."""
    from sitrep.exchange.places import country_named

    for text in (iso3, iso, name):
        country = country_named(text) if text and text.strip() else None
        if country and country.iso3:
            return country.iso3, country.alpha2
    return "", ""
