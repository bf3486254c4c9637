"""Figures of admin-area tables (IOM DTM's displacement counts, HDX HAPI's tables), as every
import of such a table merges them into the bulk store's entries.

Figures are few (areas times dates), so they are kept whole in the bulk store's entries.json,
and re-importing replaces a figure whose count changed: a figure's id is made of its dataset,
its area's P-code, its date (and its metric where a table gives several), so the same report
imported twice is one figure.
"""

from __future__ import annotations

from sitrep.exchange.matching import Matcher
from sitrep.source.schema import Figure


def area_place(matcher: Matcher, admin1: str, pcode1: str, admin2: str | None = None,
               pcode2: str | None = None) -> tuple[str, str]:
    """(the id of the store's place for an admin area, or of one proposed for it; the area's
    P-code, or a stand-in made of its region's P-code and its name where the file gives none).
    The area is its admin1 region (a governorate), or a district under it."""
    place = matcher.place(admin1, None, None, "governorate", None, pcode1, kinds=("governorate",))
    if not admin2:
        return place, pcode1
    place = matcher.place(admin2, None, None, "district", place, pcode2, kinds=("district",))
    return place, pcode2 or f"{pcode1}-{admin2}"


def merge_figures(held: list[Figure], figures: dict[str, Figure], dataset: str, drop_missing: bool,
                  lowering: bool = False) -> tuple[list[Figure], dict[str, int]]:
    """(every figure after the merge, sorted by id; counts of what changed: added, updated,
    unchanged, and missing (kept) or dropped). `figures` are the file's, by id; `held` all the
    figures held, of every dataset: those of `dataset` that the file lacks are kept, or dropped
    with `drop_missing`. Sensitivity only rises unless `lowering` (--public): a figure held
    restricted stays restricted."""
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
    missing = [f for f in held if f.imported and f.imported.dataset == dataset and f.id not in figures]
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
