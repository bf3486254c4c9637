"""The series: which weeks have a report in an edition, their numbers, and the week a command
asks for. Computed from the store alone, so every command agrees on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sitrep.errors import PeriodError, Problem, display_path
from sitrep.source.dates import IsoWeek, format_span
from sitrep.source.store import Store


def available_weeks(store: Store, edition: str = "public") -> list[IsoWeek]:
    """The weeks an edition has reports for. A public series counts only weeks with public
    facts, so its numbering never reveals that a restricted-only week exists."""
    return store.weeks_with_facts(public_only=edition != "internal")


def resolve_week(store: Store, week: str | None, edition: str = "public") -> IsoWeek:
    """The requested week, or the latest week that has facts this edition may show."""
    weeks = available_weeks(store, edition)
    shown = display_path(store.root)
    if not weeks:
        raise PeriodError(Problem(shown, 0, "the store holds no dated facts",
                                  expected="figures, incidents, routes or movements with dates"))
    if week is None:
        return weeks[-1]
    try:
        wanted = IsoWeek.parse(week)
    except ValueError as exc:
        raise PeriodError(Problem("--week", 0, str(exc))) from None
    if wanted not in weeks:
        raise PeriodError(Problem(shown, 0, f"no facts in week {wanted} ({format_span(wanted.start, wanted.end)})",
                                  expected=f"a week with facts: {_describe_weeks(weeks)}"))
    return wanted


@dataclass
class WeekSummary:
    week: str
    number: int
    period: str
    counts: dict[str, int]  # kind -> facts of that kind dated in the week


def week_summaries(store: Store) -> list[WeekSummary]:
    """Every week with facts: its report number and how many facts of each kind it holds."""
    summaries = []
    for number, week in enumerate(available_weeks(store), start=1):
        counts = {"figures": 0, "incidents": 0, "routes": 0, "movements": 0}
        for fact, date in store.dated_facts():
            if date.overlaps(week.start, week.end):
                kind = type(fact).__name__.lower() + "s"
                counts[kind] += 1
        summaries.append(WeekSummary(str(week), number, format_span(week.start, week.end), counts))
    return summaries


def _describe_weeks(weeks: list[IsoWeek]) -> str:
    if len(weeks) <= 6:
        return ", ".join(map(str, weeks))
    return f"{', '.join(map(str, weeks[:3]))}, ... {', '.join(map(str, weeks[-3:]))} ({len(weeks)} weeks)"
