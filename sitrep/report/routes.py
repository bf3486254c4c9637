"""Routes out: each route as last reported by a report's end — one row per update that still
holds, this week's updates already replaced, and what each new update is measured against —
and the date of the last route report when none is current. Functions of report/builder.py's
builder.

A new update's status is measured against every update that held before it and that it is
strictly later than (report/timeline.strictly_before): "now closed; was restricted (as of 23
September) and open (as of September)". One that only overlaps in time what held is shown
beside it ('alongside'), never as a change.
"""

from __future__ import annotations

from sitrep.language import gettext as _
from sitrep.report.facts import RouteRow
from sitrep.report.formatting import dated, format_list
from sitrep.report.state import State
from sitrep.report import timeline
from sitrep.report.timeline import Arrival, most_recent
from sitrep.source import vocabulary as vocab
from sitrep.source.dates import format_fuzzy


def rows_of_route(builder, state: State) -> list[RouteRow]:
    """A route as last reported: one row per update that still holds (concurrent updates
    side by side), then this week's updates that a strictly later one already replaced."""
    concurrent = len(state.holding) > 1
    rows = [route_row(builder, a, concurrent, state) for a in state.holding]
    rows += [route_row(builder, a, False, state, superseded_by=by)
             for a, by in state.superseded.items() if a in state.news]
    return rows


def route_row(builder, arrival: Arrival, concurrent: bool, state: State,
              superseded_by: Arrival | None = None) -> RouteRow:
    route, update = arrival.entry, arrival.update
    current_news = arrival in state.news and superseded_by is None
    # What this update replaced: the updates that held before this week and that it is strictly
    # later than; if none, those it stands beside (overlapping in time, neither newer).
    before = timeline.superseded_by([arrival], state.before) if current_news else []
    alongside = [a for a in state.alongside if not before] if current_news else []
    latest = before[0] if before else None
    return RouteRow(
        id=route.id,
        name=builder.route_name(route),
        origin=builder.place(route.origin),
        destination=builder.place(route.destination),
        via=[builder.place(p) for p in route.via],
        status=update.status,
        status_label=_(vocab.ROUTE_STATUSES[update.status]),
        hazards=[_(vocab.HAZARDS[h]) for h in update.hazards],
        controlled_by=[builder.actor(a) for a in update.controlled_by],
        as_of=format_fuzzy(update.as_of),
        summary=builder.translator.text(update.summary),
        citations=builder.cite(route.id, update.cited),
        sourcing=builder.sourcing(update.cited),
        is_new=arrival in builder.news,
        previous_status=latest.update.status if latest else None,
        previous_status_label=_(vocab.ROUTE_STATUSES[latest.update.status]) if latest else None,
        previous_as_of=format_fuzzy(latest.date) if latest else None,
        since=None if state.news else _("no new report since %(date)s") % {"date": format_fuzzy(state.latest.date)},
        concurrent=concurrent,
        superseded_by=_("an update as of %(date)s") % {"date": format_fuzzy(superseded_by.date)}
        if superseded_by else None,
        previous_ids=[a.key for a in before],
        previous_statuses=[a.update.status for a in before],
        previous_status_labels=[_(vocab.ROUTE_STATUSES[a.update.status]) for a in before],
        previous=statuses(before) if before else None,
        alongside_ids=[a.key for a in alongside],
        alongside=statuses(alongside) if alongside else None,
    )


def statuses(updates: list[Arrival]) -> str:
    """'restricted (as of 23 September 2016) and open (as of September 2016)'."""
    return format_list([dated(_(vocab.ROUTE_STATUSES[a.update.status]).lower(), format_fuzzy(a.date)) for a in updates])


def last_reported(route_states: list[State]) -> str | None:
    """The date of the most recent report of any route, when every route has gone stale."""
    if not route_states:
        return None
    return format_fuzzy(most_recent(a for state in route_states for a in state.holding).date)
