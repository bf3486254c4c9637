"""Which rows of a DTM file make an area's count on a date: the rule that keeps one report of
the same thing from being added to another (docs/imports.md, "From IOM DTM").

DTM reports an area and date more than once: once per assessment type (a baseline assessment,
BA, counts the whole area's IDPs; a site assessment, SA, only those living in sites, so the
same people again or fewer of them), and at times once per round. Per operation, the import
keeps the baseline over a site assessment (over any other type), then the latest round, and
sets the other rows aside, saying why. It adds up only what is a genuine split of one report:
the rows of one assessment and round by displacement reason or area of origin, and the
operations (different crises: an earthquake's and a hurricane's IDPs) of one area and date.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from sitrep.exchange.area_figures import country_named
from sitrep.exchange.matching import folded

# Assessment types in the order they are preferred: DTM's baseline (the whole area) first.
PREFERRED = {"BA": 0, "SA": 1}
NAMED = {"BA": "a baseline assessment (BA)", "SA": "a site assessment (SA)"}
LISTED = 5  # the parts of a sum named on the figure; more are counted


@dataclass(frozen=True)
class Report:
    """One row of the file, as the import reads it (dtm_import._reports)."""

    row: int
    level: int
    iso3: str | None
    country: str | None
    admin1: str | None
    pcode1: str | None
    admin2: str | None
    pcode2: str | None
    day: dt.date
    people: int
    operation: str | None
    assessment: str | None
    round: int | None
    reason: str | None
    origin: str | None
    id: str | None
    period_start: dt.date | None = None  # HDX HAPI's reference period (its end is `day`)
    warning: str | None = None  # HDX HAPI's own warning and error on the row
    error: str | None = None

    @property
    def area(self) -> tuple:
        """The area and date it reports on: P-codes where given, else names."""
        parts = [self.level, self.iso3 or folded(self.country or "")]
        if self.level >= 1:
            parts.append(self.pcode1 or folded(self.admin1 or ""))
        if self.level == 2:
            parts.append(self.pcode2 or folded(self.admin2 or ""))
        return (*parts, self.day)

    @property
    def label(self) -> str:
        """'SA, round 1' (what a person reads to tell the reports apart)."""
        return ", ".join(filter(None, [self.assessment, f"round {self.round}" if self.round is not None else None])) \
            or "the row"


@dataclass
class Area:
    """One figure: the rows counted (in the file's order), what the import assumed of them and
    the rows it set aside, in words."""

    kept: list[Report]
    assumptions: list[str] = field(default_factory=list)
    set_aside: list[str] = field(default_factory=list)

    @property
    def people(self) -> int:
        return sum(r.people for r in self.kept)


def areas_of(reports: list[Report], home_iso3: str | None, region: str | None
             ) -> tuple[list[Area], dict[str, int], dict[str, int]]:
    """(one Area per area and date, in the file's order; rows set aside by reason; rows by
    assumption). `home_iso3`: the workspace region's country, whose rows need no word."""
    set_aside, assumed = Counter(), Counter()
    grouped: dict[tuple, list[Report]] = {}
    for report in reports:
        grouped.setdefault(report.area, []).append(report)
    areas = []
    for rows in grouped.values():
        errors = [r for r in rows if r.error]
        if errors:
            set_aside["a row HDX HAPI marks with an error"] += len(errors)
        rows = [r for r in rows if not r.error]
        if not rows:
            continue
        area = Area([])
        by_operation: dict[str, list[Report]] = {}
        for report in rows:
            by_operation.setdefault(report.operation or "", []).append(report)
        parts = []
        for operation_rows in by_operation.values():
            kept = _one_report(operation_rows, area, set_aside, assumed)
            area.kept += kept
            parts.append((kept[0].operation, sum(r.people for r in kept)))
        if len(parts) > 1:
            area.assumptions.append(f"IDPs of {len(parts)} operations added up: " + _parts(parts))
            assumed["IDPs of two or more operations (crises) in one area and date, added up"] += len(area.kept)
        for text, key in _row_assumptions(area.kept, home_iso3, region):
            area.assumptions.append(text)
            assumed[key] += len(area.kept)
        areas.append(area)
    return areas, dict(set_aside), dict(assumed)


def _one_report(rows: list[Report], area: Area, set_aside: Counter, assumed: Counter) -> list[Report]:
    """The rows of one operation's report of an area and date: the preferred assessment, its
    latest round, each disaggregation once. The others are set aside, on `area` and counted."""
    reports: dict[tuple, list[Report]] = {}
    for report in rows:
        reports.setdefault((report.assessment, report.round), []).append(report)
    order = sorted(reports, key=lambda k: (PREFERRED.get(k[0] or "", len(PREFERRED)), k[0] or "",
                                           -(k[1] if k[1] is not None else -1)))
    kept_key, kept = order[0], []
    total = sum(r.people for r in reports[kept_key])
    for report in reports[kept_key]:
        same = next((k for k in kept if (k.reason, k.origin) == (report.reason, report.origin)), None)
        if same is None:
            kept.append(report)
            continue
        set_aside["a repeat of another row (the same area, date, assessment, round, reason and origin)"] += 1
        area.set_aside.append(f"row {report.row}: {report.people:,}, a repeat of row {same.row}")
    for key in order[1:]:
        others = reports[key]
        set_aside[_why(key, kept_key)] += len(others)
        area.set_aside.append(_set_aside_line(others, kept[0].label, total))
    if len(kept) > 1:
        area.assumptions.append(f"{len(kept)} rows of {kept[0].label} by displacement reason or origin added up: "
                                + _parts([(r.reason or r.origin or f"row {r.row}", r.people) for r in kept]))
        assumed["rows of one assessment and round, split by displacement reason or origin, added up"] += len(kept)
    return kept


def _why(key: tuple, kept_key: tuple) -> str:
    """The reason a report was set aside, as the summary counts it."""
    (assessment, round_), (kept_assessment, _) = key, kept_key
    if assessment != kept_assessment:
        why = " (a baseline counts the whole area's IDPs)" if kept_assessment == "BA" else ""
        return f"{_named(assessment)} of an area and date that {_named(kept_assessment)} reports{why}"
    return "an earlier round of an area and date that a later round reports" if round_ is not None \
        else "a row without a round number, of an area and date that a numbered round reports"


def _named(assessment: str | None) -> str:
    return NAMED.get(assessment or "", f"an assessment of type '{assessment}'" if assessment else "a row of no type")


def _set_aside_line(rows: list[Report], kept_label: str, kept_total: int) -> str:
    """'SA, round 1, row 14: 61,828, the same count' (the figure's record of what it left out)."""
    total = sum(r.people for r in rows)
    numbers = ", ".join(str(r.row) for r in rows)
    which = f"{rows[0].label}, {'rows' if len(rows) > 1 else 'row'} {numbers}"
    counted = f"{total:,} in all" if len(rows) > 1 else f"{total:,}"
    compared = "the same count" if total == kept_total else f"where {kept_label} counts {kept_total:,}"
    return f"{which}: {counted}, {compared}"


def _row_assumptions(kept: list[Report], home_iso3: str | None, region: str | None) -> list[tuple[str, str]]:
    """(what a figure carries, what the summary counts) for what the import assumed of its rows."""
    first, said = kept[0], []
    if home_iso3 and first.iso3 and first.iso3 != home_iso3:
        text = f"country outside the workspace's region {region}: {first.country or country_named(first.iso3)}"
        said.append((text, text))
    if first.level >= 1 and not first.pcode1 or first.level == 2 and not first.pcode2:
        said.append(("an area without a P-code, matched to the store by its name",
                     "an area without a P-code, matched to the store by its name"))
    for warning in sorted({r.warning for r in kept if r.warning}):
        said.append((f"HDX HAPI's warning on the row, kept as HAPI gives it: {warning}",
                     "a row HDX HAPI flags with a warning (such as a P-code it corrected), kept as HAPI gives it"))
    if first.period_start and first.period_start != first.day:
        said.append((f"the end of the reference period {first.period_start} – {first.day} taken as the count's date",
                     "the end of HDX HAPI's reference period taken as the count's date"))
    return said


def _parts(parts: list[tuple[str | None, int]]) -> str:
    shown = "; ".join(f"{name or 'unnamed'}: {people:,}" for name, people in parts[:LISTED])
    return shown + (f"; and {len(parts) - LISTED} more" if len(parts) > LISTED else "")
