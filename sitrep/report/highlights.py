"""The highlights a report writes itself when the analyst wrote none (README, "The report").

Every number keeps what its source said: its qualifier ("less than 8,000"), its date, its
citation, and the attribution of a claim that rests on one weak source; concurrent reports of a
key figure are separate highlights, one source's report each, never merged into one range.
"""

from __future__ import annotations

from sitrep.report.context import KeyFigure, Prose, RouteRow, Sourcing
from sitrep.language import gettext as _
from sitrep.report.formatting import amount_bounds
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
    highlights = []
    for figure in key_figures:
        for report in figure.reports:
            if report.is_new:
                words = {"figure": figure.label, "place": figure.place.name, "number": report.text, "date": report.as_of}
                text = _("%(figure)s in %(place)s: %(number)s (as of %(date)s)") % words
                # The change is the key figure's: it describes this report only when it stands alone.
                if len(figure.reports) == 1 and figure.change and figure.change.direction in ("up", "down", "changed"):
                    text = _("%(sentence)s; %(change)s") % {"sentence": text, "change": figure.change.text}
                highlights.append(plain(attributed(_("%(sentence)s.") % {"sentence": text}, report.sourcing),
                                        report.citations))
    abuses = [i for i in incidents if vocab.INCIDENT_TYPES[i.type].category == "abuse"]
    abuses.sort(key=lambda i: -(amount_bounds(i.victims.killed)[1] if i.victims and i.victims.killed else 0))
    for incident in abuses[:2]:
        words = {"type": _(vocab.INCIDENT_TYPES[incident.type].label), "place": builder.place(incident.place).name,
                 "summary": builder.translator.text(incident.summary)}
        text = _("%(type)s (%(place)s): %(summary)s") % words
        highlights.append(plain(attributed(text, builder.sourcing(incident.cited)), builder.cite(incident.id, incident.cited)))
    for row in route_changes:
        text = _("Route %(route)s: now %(status)s (as of %(date)s), was %(before)s (as of %(before_date)s).") % {
            "route": row.name, "status": row.status_label.lower(), "date": row.as_of,
            "before": row.previous_status_label.lower(), "before_date": row.previous_as_of}
        highlights.append(plain(attributed(text, row.sourcing), row.citations))
    for row in routes:
        if row.is_new and row.status in ("closed", "unsafe") and not row.status_changed:
            text = _("Route %(route)s is %(status)s (as of %(date)s).") % {
                "route": row.name, "status": row.status_label.lower(), "date": row.as_of}
            highlights.append(plain(attributed(text, row.sourcing), row.citations))
    return highlights[:MAX_AUTOMATIC_HIGHLIGHTS]


def attributed(text: str, sourcing: Sourcing) -> str:
    """The sentence as the report may state it: a weakly sourced claim is attributed to its
    one source ('Reported by X (single source, grade F): …'), never stated as fact."""
    return _("%(attribution)s: %(claim)s") % {"attribution": sourcing.attribution, "claim": text} if sourcing.weak else text
