"""Figures of admin-area tables (IOM DTM's displacement counts, HDX HAPI's tables), as every
import of such a table merges them into the bulk store's entries.

Figures are few (areas times dates), so they are kept whole in the bulk store's entries.json,
and re-importing replaces a figure whose count changed: a figure's id is made of its dataset,
its area's P-code, its date (and its metric where a table gives several), so the same report
imported twice is one figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sitrep.exchange import places
from sitrep.exchange.matching import Matcher
from sitrep.source.schema import Figure


@dataclass
class AreaTable:
    """What the import of one admin-area table made (DTM's, HDX HAPI's), as
    importing.ImportReport counts it."""

    rows: int  # rows read
    figures: list[Figure]  # every figure after the merge
    counts: dict[str, int]  # added, updated, unchanged, missing or dropped
    format: str | None  # as the summary names it: "IOM DTM via HDX, admin 0–2, with HXL row"
    skipped: dict[str, int] = field(default_factory=dict)  # rows of a kind sitrep leaves out, by kind
    set_aside: dict[str, int] = field(default_factory=dict)  # reason -> rows
    assumptions: dict[str, int] = field(default_factory=dict)  # assumption -> rows


def area_place(matcher: Matcher, admin1: str | None, pcode1: str | None, admin2: str | None = None,
               pcode2: str | None = None, *, country: str | None = None) -> tuple[str, str]:
    """(the id of the store's place for an admin area, or of one proposed for it; the area's
    P-code, or a stand-in made of its region's P-code and its name where the file gives none).
    The area is its admin1 region (a governorate), or a district under it; `country`, the id of
    the country place holding it, is the region's parent when the region is proposed. A region
    named by its P-code only is proposed under that code as its name."""
    place = matcher.place(admin1 or pcode1, None, None, "governorate", country, pcode1, kinds=("governorate",))
    if not (admin2 or pcode2):
        return place, pcode1 or admin1
    place = matcher.place(admin2 or pcode2, None, None, "district", place, pcode2, kinds=("district",))
    return place, pcode2 or f"{pcode1 or admin1}-{admin2}"


def admin_place(matcher: Matcher, level: int, iso3: str | None, country_name: str | None, admin1: str | None = None,
                pcode1: str | None = None, admin2: str | None = None, pcode2: str | None = None) -> tuple[str, str]:
    """(place id, P-code) of an area of admin level 0 (the country itself), 1 or 2: its country
    matched by ISO 3166 alpha-3 code, name or alias (else proposed, with the code as its P-code)
    and made the parent of its admin 1 region."""
    country = matcher.place(country_name or country_named(iso3), None, None, "country", None, iso3,
                            kinds=("country",))
    if level == 0:
        return country, iso3 or country_name
    return area_place(matcher, admin1, pcode1, admin2 if level == 2 else None, pcode2 if level == 2 else None,
                      country=country)


def country_named(iso3: str | None) -> str:
    """A country's English name from its ISO 3166 alpha-3 code, for files that give the code
    only (HDX HAPI's tables); the code itself where CLDR has none."""
    country = places.country_named(iso3) if iso3 else None
    return country.name if country else iso3 or ""


def merge_figures(held: list[Figure], figures: dict[str, Figure], dataset: str, drop_missing: bool,
                  lowering: bool = False, table: str = "") -> tuple[list[Figure], dict[str, int]]:
    """(every figure after the merge, sorted by id; counts of what changed: added, updated,
    unchanged, and missing (kept) or dropped). `figures` are the file's, by id; `held` all the
    figures held, of every dataset: those of `dataset` that the file lacks are kept, or dropped
    with `drop_missing`. Sensitivity only rises unless `lowering` (--public): a figure held
    restricted stays restricted. `table`: the start of the ids of the file's table where a
    dataset has several (HDX HAPI's IDPs, `hapi-idps-`), so that a file of one table never
    counts another's figures as missing, nor drops them."""
    held_by_id = {f.id: f for f in held}
    figures = dict(figures)
    for figure_id, figure in figures.items():
        before = held_by_id.get(figure_id)
        if (not lowering and before is not None and before.sensitivity == "restricted"
                and figure.sensitivity != "restricted"):
            figures[figure_id] = figure.model_copy(update={"sensitivity": "restricted"})
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    merged = dict(held_by_id)
    for figure_id, figure in figures.items():
        before = held_by_id.get(figure_id)
        if before is None:
            counts["added"] += 1
        elif same_figure(before, figure):
            counts["unchanged"] += 1
            continue  # the figure as first imported, with its provenance
        else:
            counts["updated"] += 1
        merged[figure_id] = figure
    missing = [f for f in held if f.imported and f.imported.dataset == dataset and f.id.startswith(table)
               and f.id not in figures]
    if drop_missing:
        for figure in missing:
            del merged[figure.id]
        counts["dropped"] = len(missing)
    else:
        counts["missing"] = len(missing)
    return sorted(merged.values(), key=lambda f: f.id), counts


def same_figure(a: Figure, b: Figure) -> bool:
    """The same count, place, date and note, whatever file brought it (HDX HAPI's note holds
    ACLED's count of events, which a revision may change without changing the deaths)."""
    return ((a.value, a.place, a.as_of.text, a.sensitivity, a.note)
            == (b.value, b.place, b.as_of.text, b.sensitivity, b.note))
