"""What still holds at a report's end: each key figure's and each route's latest reports.

State carries forward (docs/report.md, "When a fact enters the series"): a report shows every key
figure and every route as last reported by its end, however long ago that was, with the date
of that report; "no new report since …" when this week brought nothing. Only after config's
`series: stale_after_weeks:` without a new report is it "no longer reported", said once in the
first report after it went stale, then left out. Change is measured against the last known
value before this week's news, not against the previous report, so a gap in the series never
turns an old value into a "new" one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, Hashable

from sitrep.report.series import Series
from sitrep.report.timeline import Arrival, current, latest_day
from sitrep.source.dates import IsoWeek


@dataclass
class State:
    """One key figure (metric and place) or one route at a report's end."""

    key: Hashable
    holding: list[Arrival]  # the reports that still hold, oldest first (concurrent ones side by side)
    superseded: dict[Arrival, Arrival]  # report -> the strictly later one that replaced it
    news: list[Arrival]  # its reports that entered the series in this report
    before: list[Arrival]  # what held just before this report's news: the last known value(s)
    stale: bool  # no new report for the staleness the config sets
    newly_stale: bool  # stale now, and was not in the previous report: say "no longer reported" once

    @property
    def latest(self) -> Arrival:
        return max(self.holding, key=lambda a: (a.date.end, a.date.start, a.key))


def states(series: Series, week: IsoWeek, key_of: Callable[[Arrival], Hashable | None]) -> list[State]:
    """The state of everything `key_of` groups (a key per arrival, None to ignore it), at the
    end of the week's report, in the order the groups were first reported."""
    known = _grouped(series.known_by(week), key_of)
    before = _grouped(series.known_before(week), key_of)
    previous = series.previous(week)
    known_at_previous = _grouped(series.known_by(previous), key_of) if previous else {}
    stale_after = dt.timedelta(weeks=series.stale_after_weeks)
    news_keys = {a.key for a in series.arrived_in(week)}
    result = []
    for key, reports in known.items():
        holding, superseded = current(reports)
        news = [a for a in reports if a.key in news_keys]
        # This week's news is shown, however old its date (possible only for what was known
        # before the series' first report): only a state with nothing new can be stale.
        stale = not news and week.end - latest_day(holding) > stale_after
        # Said once: in the first report in which it is stale (and in the first report of all
        # for something already stale when the series began).
        was_stale = key in known_at_previous and (
            previous.end - latest_day(current(known_at_previous[key])[0]) > stale_after)
        result.append(State(
            key=key,
            holding=holding,
            superseded=superseded,
            news=news,
            before=current(before[key])[0] if key in before else [],
            stale=stale,
            newly_stale=stale and not was_stale,
        ))
    return result


def _grouped(arrivals: list[Arrival], key_of) -> dict[Hashable, list[Arrival]]:
    groups: dict[Hashable, list[Arrival]] = {}
    for arrival in arrivals:
        key = key_of(arrival)
        if key is not None:
            groups.setdefault(key, []).append(arrival)
    return groups
