"""What still holds at a report's end: each key figure's and each route's latest reports.

State carries forward (docs/report.md, "When a fact enters the series"): a report shows every key
figure and every route as last reported by its end, however long ago that was, with the date
of that report; "no new report since …" when this week brought nothing. Only after config's
`series: stale_after_weeks:` without a new report is it "no longer reported", said once in the
first report after it went stale, then left out. Staleness is measured from the last day the
holding reports speak of by the time they were known (report/timeline.latest_day), so a figure
dated "2016" goes stale during 2016 like any other. Change is measured against the last known
value before this week's news, not against the previous report, so a gap in the series never
turns an old value into a "new" one; and only against the reports the news is strictly later
than (`against`): news concurrent with what held is shown beside it, not as a change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, Hashable

from sitrep.report.series import Series
from sitrep.report.timeline import Arrival, by_recency, current, latest_day, most_recent, superseded_by
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
        """The most recent report that holds (report/timeline.most_recent): the date it names."""
        return most_recent(self.holding)

    @property
    def news_holding(self) -> list[Arrival]:
        """This week's reports that still hold: what a change describes."""
        return [a for a in self.holding if a in self.news]

    @property
    def against(self) -> list[Arrival]:
        """What this week's news is measured against: every report that held before it and
        that a report of the news still holding is strictly later than, most recent first.
        Empty when the news only stands beside what held (concurrent) or nothing held."""
        return superseded_by(self.news_holding, self.before)

    @property
    def alongside(self) -> list[Arrival]:
        """The reports that held before this week's news and hold beside it still: concurrent
        with the news, neither newer. Most recent first."""
        return by_recency(a for a in self.before if a in self.holding)


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
        stale = _stale(week, holding, bool(news), stale_after)
        # Said once: in the first report in which it is stale (and in the first report of all
        # for something already stale when the series began).
        was_stale = key in known_at_previous and _stale(
            previous, current(known_at_previous[key])[0],
            any(series.week_of(a) == previous for a in known_at_previous[key]), stale_after)
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


def _stale(week: IsoWeek, holding: list[Arrival], has_news: bool, stale_after: dt.timedelta) -> bool:
    """No new report for `stale_after` by the week's end, counted from the last day the holding
    reports speak of. This week's news is shown, however old its date (possible only for what
    was known before the series' first report, or reported long after): only a state with
    nothing new can be stale."""
    return not has_news and week.end - latest_day(holding) > stale_after


def _grouped(arrivals: list[Arrival], key_of) -> dict[Hashable, list[Arrival]]:
    groups: dict[Hashable, list[Arrival]] = {}
    for arrival in arrivals:
        key = key_of(arrival)
        if key is not None:
            groups.setdefault(key, []).append(arrival)
    return groups
