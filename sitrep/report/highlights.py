"""The highlights a report writes itself when the analyst wrote none (README, "The report").

Every number keeps what its source said: its qualifier ("less than 8,000"), its date, its
citation, and the attribution of a claim that rests on one weak source; concurrent reports of a
key figure are separate highlights, one source's report each, never merged into one range.
"""

from __future__ import annotations

from sitrep.report.context import KeyFigure, Prose, RouteRow, Sourcing
from sitrep.report.formatting import amount_bounds, clean_text
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
                text = f"{figure.label} in {figure.place.name}: {report.text} (as of {report.as_of})"
                # The change is the key figure's: it describes this report only when it stands alone.
                if len(figure.reports) == 1 and figure.change and figure.change.direction in ("up", "down", "changed"):
                    text += f"; {figure.change.text}"
                highlights.append(plain(attributed(text + ".", report.sourcing), report.citations))
    abuses = [i for i in incidents if vocab.INCIDENT_TYPES[i.type].category == "abuse"]
    abuses.sort(key=lambda i: -(amount_bounds(i.victims.killed)[1] if i.victims and i.victims.killed else 0))
    for incident in abuses[:2]:
        label = vocab.INCIDENT_TYPES[incident.type].label
        text = f"{label} ({builder.store.places[incident.place].name}): {clean_text(incident.summary)}"
        highlights.append(plain(attributed(text, builder.sourcing(incident.cited)), builder.cite(incident.id, incident.cited)))
    for row in route_changes:
        text = (f"Route {row.name}: now {row.status_label.lower()} (as of {row.as_of}), "
                f"was {row.previous_status_label.lower()} (as of {row.previous_as_of}).")
        highlights.append(plain(attributed(text, row.sourcing), row.citations))
    for row in routes:
        if row.is_new and row.status in ("closed", "unsafe") and not row.status_changed:
            text = f"Route {row.name} is {row.status_label.lower()} (as of {row.as_of})."
            highlights.append(plain(attributed(text, row.sourcing), row.citations))
    return highlights[:MAX_AUTOMATIC_HIGHLIGHTS]


def attributed(text: str, sourcing: Sourcing) -> str:
    """The sentence as the report may state it: a weakly sourced claim is attributed to its
    one source ('Reported by X (single source, grade F): …'), never stated as fact."""
    return f"{sourcing.attribution}: {text}" if sourcing.weak else text
