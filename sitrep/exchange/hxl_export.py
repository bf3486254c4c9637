"""`sitrep export hxl`: HXL-tagged CSV (the Humanitarian Exchange Language, 1.1: a row of
hashtags under the header), one table per kind: incidents, figures, routes (one row per route
update) and movements. Dates are in forms libhxl and HDX read (a week is `2016W23`). Sourcing
is as the report shows it: a withheld source by its public name and grades only.

Hashtags follow HDX's own files where they have one (docs/exports.md, "HXL"): an actor as
`#group` (HDX's ACLED files tag actor1 `#group+name+first`), admin P-codes as `#adm1+code` and
`#adm2+code`, a count of people displaced as `#affected+idps` (HDX's DTM files).
"""

from __future__ import annotations

from typing import Iterable

from sitrep.exchange.exporter import Exporter, Item, csv_bytes, number_text
from sitrep.exchange.places import Location
from sitrep.report.context import SourceEntry
from sitrep.report.formatting import clean_text
from sitrep.source import vocabulary as vocab
from sitrep.source.dates import FuzzyDate, IsoWeek
from sitrep.source.provenance import grade
from sitrep.source.schema import Amount, Citation, Figure, Incident, Movement, Route

_MODELS = {"incidents": Incident, "figures": Figure, "routes": Route, "movements": Movement}


def hxl_date(date: FuzzyDate) -> str:
    """A date in a form libhxl reads as the date it is: 2016-06-03, 2016W23 (HXL's week; it
    misreads 2016-W23), 2016-06, 2016. A span has none (its start and end columns give it)."""
    if date.precision == "week":
        return hxl_week(IsoWeek.containing(date.start))
    return "" if date.precision == "span" else date.text


def hxl_week(week: IsoWeek) -> str:
    return f"{week.year}W{week.week:02d}"


# --- The columns ---------------------------------------------------------------------------------

Column = tuple[str, str]  # header, HXL hashtag


def _amount_columns(name: str, tag: str, qualifier_tag: str) -> list[Column]:
    """A reported number in four columns: the value when one was reported (empty for a range);
    min and max always (equal for one value), so that a range is never dropped from a sum; how
    the source qualified it (exact, about, at_least...)."""
    return [(name, tag), (f"{name}_min", f"{tag}+min"), (f"{name}_max", f"{tag}+max"),
            (f"{name}_qualifier", qualifier_tag)]


def _date_columns(name: str, tag: str) -> list[Column]:
    return [(name, tag), (f"{name}_precision", "#meta+precision"), (f"{name}_start", "#date+start"),
            (f"{name}_end", "#date+end"), ("known_on", "#date+known")]


_COUNTRY: list[Column] = [("country_code", "#country+code"), ("country", "#country+name")]
# Admin areas by name and P-code, as HDX's DTM and HAPI files tag them (#adm1+code, #adm2+code).
_PLACE: list[Column] = [*_COUNTRY, ("admin1", "#adm1+name"), ("admin1_code", "#adm1+code"), ("admin2", "#adm2+name"),
                        ("admin2_code", "#adm2+code"), ("place", "#loc+name"), ("place_code", "#loc+code"),
                        ("latitude", "#geo+lat"), ("longitude", "#geo+lon")]


def _end_columns(role: str, attribute: str) -> list[Column]:
    """A route's or movement's origin or destination."""
    return [(role, f"#loc+name+{attribute}"), (f"{role}_code", f"#loc+code+{attribute}"),
            (f"{role}_latitude", f"#geo+lat+{attribute}"), (f"{role}_longitude", f"#geo+lon+{attribute}")]


_SOURCING: list[Column] = [("sources", "#meta+source"), ("urls", "#meta+url"), ("grade", "#meta+grade")]

HXL_COLUMNS: dict[str, list[Column]] = {
    "incidents": [
        ("id", "#event+id"), ("report_week", "#date+report"), *_date_columns("date", "#date+occurred"),
        ("type_code", "#event+type+code"), ("type", "#event+type"), ("category", "#event+category"),
        ("status", "#status"), *_PLACE,
        # An armed actor as HDX's ACLED files tag actor1 (#group+name+first; sitrep's ACLED export
        # puts the perpetrator there), +perp saying its role: a tool asking for either finds it.
        ("perpetrator", "#group+name+first+perp"), ("perpetrator_kind", "#group+type+perp"),
        *_amount_columns("killed", "#affected+killed", "#meta+qualifier+killed"),
        *_amount_columns("injured", "#affected+injured", "#meta+qualifier+injured"),
        # Deaths of any party whose civilian status the dataset did not code (an imported ACLED
        # event): never added to the civilians killed, never left out.
        *_amount_columns("fatalities", "#affected+killed+status_uncoded", "#meta+qualifier+fatalities"),
        ("summary", "#description"), *_SOURCING,
    ],
    "figures": [
        ("id", "#meta+id"), ("report_week", "#date+report"), *_date_columns("as_of", "#date+reported"),
        ("metric", "#indicator+code"), ("metric_label", "#indicator+name"), *_PLACE,
        *_amount_columns("value", "#indicator+num", "#meta+qualifier"),
        # People displaced, as HDX's DTM files tag them; every figure keeps #indicator+num.
        ("idps", "#affected+idps"), ("unit", "#indicator+unit"),
        ("note", "#description"), *_SOURCING,
    ],
    "routes": [
        ("id", "#meta+id"), ("update", "#meta+update"), ("report_week", "#date+report"), ("name", "#meta+name"),
        *_date_columns("as_of", "#date+reported"), *_COUNTRY,
        *_end_columns("origin", "origin"), ("via", "#loc+name+via"), *_end_columns("destination", "dest"),
        # Who holds the road: armed actors, tagged as the incidents' perpetrators are (#group).
        ("status", "#access+status"), ("hazards", "#access+hazard"), ("controlled_by", "#group+name+control"),
        ("summary", "#description"), *_SOURCING,
    ],
    "movements": [
        ("id", "#meta+id"), ("report_week", "#date+report"), *_date_columns("period", "#date+occurred"),
        *_COUNTRY, *_end_columns("origin", "origin"),
        *_end_columns("destination", "dest"), ("route", "#meta+route"),
        *_amount_columns("count", "#affected+displaced", "#meta+qualifier"), ("unit", "#meta+unit"),
        ("summary", "#description"), *_SOURCING,
    ],
}


class HxlExporter(Exporter):
    """The HXL tables of the entries an export holds, in one edition."""

    # Sourcing, as the report shows it -------------------------------------------------------------

    def shown(self, citation: Citation) -> SourceEntry:
        """The sources-list line the report prints for a citation (a withheld one: its public
        name and grades only)."""
        return self.citations.rows[self.citations.number(citation) - 1]

    def credits(self, cited: Iterable[Citation]) -> str:
        """Who reported it, as the report credits each citation: 'Capt. X (via Fox News); ...'."""
        return "; ".join(dict.fromkeys(str(self.citations.credit(c)) for c in cited))

    def sourcing(self, cited: Iterable[Citation]) -> dict[str, str]:
        cited = list(cited)
        return {
            "sources": self.credits(cited),
            "urls": " ".join(dict.fromkeys(url for c in cited if (url := self.shown(c).url))),
            "grade": grade(cited, self.store.sources).code,
        }

    def actor_name(self, actor_id: str | None) -> str:
        return self.store.actors[actor_id].name if actor_id else ""

    def place_columns(self, place_id: str, entry: object = None) -> dict[str, str]:
        where = self.where(place_id, entry)
        return {**_country_cells(where), "admin1": where.admin1, "admin1_code": where.admin1_code,
                "admin2": where.admin2, "admin2_code": where.admin2_code, "place": where.place.name,
                "place_code": where.place.pcode or "", "latitude": number_text(where.lat),
                "longitude": number_text(where.lon)}

    def end_columns(self, role: str, place_id: str) -> dict[str, str]:
        where = self.where(place_id)
        return {role: where.place.name, f"{role}_code": where.place.pcode or "",
                f"{role}_latitude": number_text(where.lat), f"{role}_longitude": number_text(where.lon)}

    def origin_country(self, place_id: str) -> dict[str, str]:
        """A route's or movement's country: its origin's."""
        return _country_cells(self.where(place_id))

    # The rows -------------------------------------------------------------------------------------

    def hxl_table(self, kind: str, items: list[Item], *, raw_cells: bool = False) -> bytes:
        """The table of one kind; its cells safe to open in a spreadsheet unless `raw_cells`."""
        row_of = {"incidents": self.incident_row, "figures": self.figure_row, "routes": self.route_row,
                  "movements": self.movement_row}[kind]
        self.read_coding(items)
        rows = [row_of(item) for item in items if isinstance(item.arrival.entry, _MODELS[kind])]
        return csv_bytes([header for header, _ in HXL_COLUMNS[kind]], [tag for _, tag in HXL_COLUMNS[kind]], rows,
                         raw_cells=raw_cells)

    def dated(self, name: str, item: Item) -> dict[str, str]:
        date = item.arrival.date
        return {"report_week": hxl_week(item.week), name: hxl_date(date), f"{name}_precision": date.precision,
                f"{name}_start": date.start.isoformat(), f"{name}_end": date.end.isoformat(),
                "known_on": item.arrival.known_on.isoformat()}

    def incident_row(self, item: Item) -> dict[str, str]:
        incident: Incident = item.arrival.entry
        victims = incident.victims
        perpetrator = self.store.actors[incident.perpetrator] if incident.perpetrator else None
        return {
            "id": incident.id, **self.dated("date", item),
            "type_code": incident.type, "type": vocab.INCIDENT_TYPES[incident.type].label,
            "category": vocab.INCIDENT_TYPES[incident.type].category, "status": incident.status,
            **self.place_columns(incident.place, incident),
            "perpetrator": perpetrator.name if perpetrator else "",
            "perpetrator_kind": perpetrator.kind if perpetrator else "",
            **_amount_cells("killed", victims.killed if victims else None),
            **_amount_cells("injured", victims.injured if victims else None),
            **_amount_cells("fatalities", victims.fatalities if victims else None),
            "summary": clean_text(incident.summary), **self.sourcing(incident.cited),
        }

    def figure_row(self, item: Item) -> dict[str, str]:
        figure: Figure = item.arrival.entry
        return {
            "id": figure.id, **self.dated("as_of", item), "metric": figure.metric,
            "metric_label": vocab.METRICS[figure.metric].label, **self.place_columns(figure.place),
            **_amount_cells("value", figure), "idps": _idps(figure), "unit": figure.unit, "note": clean_text(figure.note) or "",
            **self.sourcing(figure.cited),
        }

    def route_row(self, item: Item) -> dict[str, str]:
        route: Route = item.arrival.entry
        update = item.arrival.update
        return {
            "id": route.id, "update": str(item.arrival.update_index + 1), **self.dated("as_of", item),
            "name": clean_text(route.name) or "", **self.origin_country(route.origin),
            **self.end_columns("origin", route.origin),
            "via": "; ".join(self.store.places[p].name for p in route.via),
            **self.end_columns("destination", route.destination), "status": update.status,
            "hazards": "; ".join(update.hazards), "controlled_by": "; ".join(map(self.actor_name, update.controlled_by)),
            "summary": clean_text(update.summary) or "", **self.sourcing(update.cited),
        }

    def movement_row(self, item: Item) -> dict[str, str]:
        movement: Movement = item.arrival.entry
        return {
            "id": movement.id, **self.dated("period", item), **self.origin_country(movement.origin),
            **self.end_columns("origin", movement.origin), **self.end_columns("destination", movement.destination),
            "route": self.visible_route(movement) or "", **_amount_cells("count", movement.count), "unit": movement.unit,
            "summary": clean_text(movement.summary), **self.sourcing(movement.cited),
        }


def _amount_cells(name: str, amount: Amount | None) -> dict[str, str]:
    if amount is None:
        return {name: "", f"{name}_min": "", f"{name}_max": "", f"{name}_qualifier": ""}
    low, high = (amount.value, amount.value) if amount.value is not None else (amount.low, amount.high)
    return {name: number_text(amount.value), f"{name}_min": number_text(low), f"{name}_max": number_text(high),
            f"{name}_qualifier": amount.qualifier}


def _country_cells(where: Location) -> dict[str, str]:
    country = where.country
    return {"country_code": country.iso3 if country else "", "country": country.name if country else ""}


def _idps(figure: Figure) -> str:
    """A count of people displaced, for #affected+idps (HDX's DTM files): the figure's value, as
    its `value` cell has it (empty for a range, whose ends are in value_min and value_max)."""
    return number_text(figure.value) if figure.metric == "people_displaced" and figure.unit == "people" else ""
