"""The highlights a report writes itself when the analyst wrote none (docs/report.md, "The report").

Every number keeps what its source said: its qualifier ("less than 8,000"), its date, its
citation, and the attribution of a claim that rests on one weak source; concurrent reports of a
key figure are separate highlights, one source's report each, never merged into one range.
Only what is current reaches them: a route update of the week already replaced by a later one is
marked in the routes table, never here; a change names every report it is measured against, and
news concurrent with what held says so instead of claiming a change.
"""

from __future__ import annotations

from sitrep.report.context import Prose, ProsePart
from sitrep.report.facts import KeyFigure, RouteRow, Sourcing
from sitrep.language import N_, format_integer
from sitrep.language import gettext as _
from sitrep.report.formatting import amount_bounds, format_list
from sitrep.report.prose import plain
from sitrep.source import vocabulary as vocab
from sitrep.source.schema import Incident

MAX_AUTOMATIC_HIGHLIGHTS = 5


def automatic_highlights(builder, key_figures: list[KeyFigure], incidents: list[Incident],
                         routes: list[RouteRow], route_changes: list[RouteRow]) -> list[Prose]:
    """When the analyst wrote no highlights: this week's news among the key figures, the
    deadliest abuses and the routes (`builder`: report/builder.py's, for the store, the
    sourcing of a fact and its citation numbers). Each number keeps its qualifier and its citations, one
    source's report at a time; a weakly sourced one is attributed to its source."""
    highlights = [line for figure in key_figures for line in _new_reports_of(figure)]
    abuses = [i for i in incidents if vocab.INCIDENT_TYPES[i.type].category == "abuse"]
    abuses.sort(key=lambda i: -(amount_bounds(i.victims.killed)[1] if i.victims and i.victims.killed else 0))
    for incident in abuses[:2]:
        words = {"type": _(vocab.INCIDENT_TYPES[incident.type].label), "place": builder.place(incident.place).name,
                 "summary": builder.translator.text(incident.summary)}
        text = _("%(type)s (%(place)s): %(summary)s") % words
        highlights.append(plain(attributed(text, builder.sourcing(incident.cited)), builder.cite(incident.id, incident.cited)))
    highlights += [_status_changed(row) for row in route_changes]
    highlights += [_status_alongside(row) if row.alongside else _status_is(row) for row in routes
                   if row.current and row.is_new and row.status in ("closed", "unsafe") and not row.status_changed]
    return highlights[:MAX_AUTOMATIC_HIGHLIGHTS]


MOVED = ("up", "down", "changed")
SAID = (*MOVED, "concurrent")  # the changes a key figure's new report is said with


def _status_changed(row: RouteRow) -> Prose:
    text = _("Route %(route)s: now %(status)s (as of %(date)s); was %(before)s.") % {
        "route": row.name, "status": row.status_label.lower(), "date": row.as_of, "before": row.previous}
    return plain(attributed(text, row.sourcing), row.citations)


def _status_alongside(row: RouteRow) -> Prose:
    """A new update that overlaps in time what held before, and replaces none of it."""
    text = _("Route %(route)s: %(status)s (as of %(date)s), reported alongside %(before)s; "
             "neither is more recent.") % {
        "route": row.name, "status": row.status_label.lower(), "date": row.as_of, "before": row.alongside}
    return plain(attributed(text, row.sourcing), row.citations)


def _status_is(row: RouteRow) -> Prose:
    text = _("Route %(route)s is %(status)s (as of %(date)s).") % {
        "route": row.name, "status": row.status_label.lower(), "date": row.as_of}
    return plain(attributed(text, row.sourcing), row.citations)


def _new_reports_of(figure: KeyFigure, said: set[str] | frozenset = frozenset()) -> list[Prose]:
    """A line for each report of the key figure that is new in this report, one source's
    report each (concurrent reports are never merged into one range), attributed when weakly
    sourced; the figure's change is added when the report stands alone."""
    lines = []
    alone = sum(report.is_new for report in figure.reports) == 1
    for report in figure.reports:
        if report.is_new and report.id not in said:
            words = {"figure": figure.label, "place": figure.place.name, "number": report.text, "date": report.as_of}
            text = _("%(figure)s in %(place)s: %(number)s (as of %(date)s)") % words
            # The change is this week's news against what it replaced (or stands beside): it
            # describes this report when it is the only new one shown.
            if alone and figure.change and figure.change.direction in SAID:
                text = _("%(sentence)s; %(change)s") % {"sentence": text, "change": figure.change.text}
            lines.append(plain(attributed(_("%(sentence)s.") % {"sentence": text}, report.sourcing), report.citations))
    return lines


def attributed(text: str, sourcing: Sourcing) -> str:
    """The sentence as the report may state it: a weakly sourced claim is attributed to its
    one source ('Reported by X — one source, grade F: …'), never stated as fact."""
    return _("%(attribution)s: %(claim)s") % {"attribution": sourcing.attribution, "claim": text} if sourcing.weak else text


MAX_SINCE_LAST = 6  # the box on page one: three to six lines


def since_last_lines(builder, written: list[Prose], key_figures: list[KeyFigure], routes: list[RouteRow],
                     route_changes: list[RouteRow], incidents: list[Incident], said: set[str] = frozenset()
                     ) -> list[Prose]:
    """"Since the last report": the analyst's own lines first (the week's highlights), then what
    moved: the new reports of each key figure whose number changed (one line each, as the
    automatic highlights give them), each route whose status changed, and the new
    incidents counted by type (abuses, then other events). Every number keeps its qualifier,
    date and citations, and a weakly sourced one is attributed, as the tables do. At most six
    lines; when nothing moved and the analyst wrote nothing, one line says so."""
    # What the analyst's lines already say ([[id]] references, `said`) is not said again; a
    # concurrent report of the same figure that they do not name still is.
    figure_lines = [line for figure in key_figures
                    if figure.change is None or figure.change.direction in (*SAID, "new")
                    for line in _new_reports_of(figure, said)]
    route_lines: list[Prose] = []
    changed = [row for row in route_changes if row.id not in said]
    # this week's current updates that changed no status: beside what held, or nothing held
    # (a route reported for the first time); an update already replaced is not current
    other = [row for row in routes if row.current and row.is_new and not row.previous_ids and row.id not in said]
    if len(changed) + len(other) <= 2:
        route_lines += [_status_changed(row) for row in changed]
        route_lines += [_status_alongside(row) if row.alongside else _status_is(row) for row in other]
    else:  # many: one line, so that the box keeps room for the incidents; a weak report still attributed
        parts = [_("%(route)s now %(status)s (was %(before)s)") % {
                     "route": row.name, "status": row.status_label.lower(),
                     "before": format_list([label.lower() for label in dict.fromkeys(row.previous_status_labels)])}
                 for row in changed]
        parts += [(_("%(route)s %(status)s (alongside %(before)s)") if row.alongside else _("%(route)s %(status)s"))
                  % {"route": row.name, "status": row.status_label.lower(), "before": row.alongside} for row in other]
        parts = [part + (_(" (unconfirmed, one source, %(grade)s)") % {"grade": row.sourcing.grade}
                         if row.sourcing.weak else "")
                 for part, row in zip(parts, [*changed, *other])]
        route_lines.append(plain(_("Routes: %(routes)s.") % {"routes": _("; ").join(parts)},
                           sorted({n for row in [*changed, *other] for n in row.citations})))
    count_lines = []
    for category, sentence in (("abuse", N_("New reports of abuses: %(counts)s.")),
                               ("event", N_("Other new events: %(counts)s."))):
        counted = _counted_by_type([i for i in incidents if vocab.INCIDENT_TYPES[i.type].category == category])
        if counted:
            counts = _(", ").join(f"{_(vocab.INCIDENT_TYPES[code].label).lower()} ({format_integer(len(found))})"
                                  for code, found in counted)
            citations = sorted({n for _code, found in counted for i in found for n in builder.cite(i.id, i.cited)})
            count_lines.append(plain(_(sentence) % {"counts": counts}, citations))
    return _fitted(list(written), figure_lines, route_lines, count_lines)


def _fitted(written: list[Prose], figures: list[Prose], routes: list[Prose], counts: list[Prose]) -> list[Prose]:
    """At most six lines, the analyst's first. When there are more, what the rest of page one
    shows anyway goes first: the key figures' lines (the key figures follow the box), then the
    routes' (the routes at a glance); the counts of new incidents, which page one shows nowhere
    else, go last, joined into one line if need be."""
    while len(written) + len(figures) + len(routes) + len(counts) > MAX_SINCE_LAST and (figures or routes):
        (figures or routes).pop()
    if len(written) + len(counts) > MAX_SINCE_LAST and len(counts) > 1:
        first, *rest = counts
        counts = [Prose(first.parts + [ProsePart(" " + line.parts[0].text, line.parts[0].citations) for line in rest])]
    lines = written[:max(MAX_SINCE_LAST - len(counts), 0)] + figures + routes + counts
    if not lines:
        lines.append(plain(_("No key figure or route status changed, and no new incident was reported, "
                             "since the last report.")))
    return lines[:MAX_SINCE_LAST]


def _counted_by_type(incidents: list[Incident]) -> list[tuple[str, list[Incident]]]:
    """The incidents grouped by type, most numerous first (then in the vocabulary's order)."""
    groups: dict[str, list[Incident]] = {}
    for incident in incidents:
        groups.setdefault(incident.type, []).append(incident)
    order = list(vocab.INCIDENT_TYPES)
    return sorted(groups.items(), key=lambda item: (-len(item[1]), order.index(item[0])))
