"""`sitrep export`: what a report brings, as data other tools read (README, "sitrep export").

- **hxl**: HXL-tagged CSV (the Humanitarian Exchange Language, 1.1: a row of hashtags under the
  header), one table per kind: incidents, figures, routes (one row per route update) and
  movements. Dates are in forms libhxl and HDX read (a week is `2016W23`).
- **acled**: ACLED's columns (`acled.COLUMNS`), one row per incident, its event types and
  precision codes worked out from sitrep's (exchange/acled.py).
- **json**: one object per report: its metadata shaped as a ReliefWeb "report", then its facts
  with their citations and the sources list they point into (report.schema.json).

Selection goes through the series, as the report does, so that an export holds what its report
held, what was known by its date: `--week` exports the entries that report brings
(`Series.arrived_in`), `--all` those of every report of the series. Imported events (ACLED rows)
arrive there as ordinary incidents, so they are exported with the curated ones. Areas and the
narrative are not exported.

Editions: a public export is made from the public series (no restricted entry arrives in it),
and a citation of a withheld source shows only what the report shows of it (CitationIndex): its
public name and grades, never its id, name, URL, date or note.

Exports are deterministic: rows sorted by date then id, UTF-8 without a byte-order mark, `\\n`
line ends, keys in a fixed order, and nothing from the clock.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from sitrep.errors import OutputError, Problem, SitrepError, display_path
from sitrep.exchange import acled
from sitrep.language import Language
from sitrep.output import write_atomic
from sitrep.pipeline import Workspace
from sitrep.report.citations import CitationIndex
from sitrep.report.context import SourceEntry
from sitrep.report.formatting import clean_text, format_amount
from sitrep.report.timeline import Arrival
from sitrep.report.translation import Translator
from sitrep.source import vocabulary as vocab
from sitrep.source.bulk import acled_coding, acled_event_id
from sitrep.source.dates import FuzzyDate, IsoWeek, format_span
from sitrep.source.provenance import grade
from sitrep.source.schema import Amount, Citation, Figure, Incident, Movement, Place, Route
from sitrep.source.store import Store

FORMATS = ("hxl", "acled", "json")
KINDS = ("incidents", "figures", "routes", "movements")  # the HXL tables, in this order
EDITIONS = ("public", "internal")
REPORT_SCHEMA = Path(__file__).with_name("report.schema.json")  # the JSON export's schema (in the wheel)
SUFFIXES = {"hxl": ".csv", "acled": ".csv", "json": ".json"}
_MODELS = {"incidents": Incident, "figures": Figure, "routes": Route, "movements": Movement}


class ExportError(SitrepError):
    """An export asked for something that does not exist (a format, a kind, an edition)."""


@dataclass(frozen=True)
class Export:
    """What an export made: each table's bytes by name, in order ('incidents', 'acled', 'report')."""

    format: str
    edition: str
    tables: dict[str, bytes]

    def file_name(self, name: str) -> str:
        """The name a table gets in an output folder: incidents.csv; an internal edition's
        incidents-internal.csv, so that publishing a folder without *internal* publishes none."""
        return f"{name}{'-internal' if self.edition == 'internal' else ''}{SUFFIXES[self.format]}"


@dataclass(frozen=True)
class Item:
    """One entry an export holds (a route update counts as its own) and the report that brought it."""

    week: IsoWeek
    arrival: Arrival

    @property
    def order(self) -> tuple:
        return (self.arrival.date.start, self.arrival.date.end, self.arrival.key)


# --- The front door ------------------------------------------------------------------------------

def export(config_path: Path | str, format: str, *, week: str | None = None, all_weeks: bool = False,
           edition: str | None = None, kinds: Iterable[str] | None = None) -> Export:
    """Export one report's entries (`week`, default the latest) or, with `all_weeks`, those of
    every report of the series, as `format` (hxl, acled or json). `kinds` chooses the HXL tables
    (default: all four). Raises SitrepError for a broken store, an unknown week and the like."""
    _check_choice("format", format, FORMATS)
    if week is not None and all_weeks:
        raise ExportError(Problem("--week", 0, "--week and --all do not go together", expected="one of them"))
    kinds = list(dict.fromkeys(kinds or KINDS))
    for kind in kinds:
        _check_choice("kind", kind, KINDS)
    if edition is not None:
        _check_choice("edition", edition, EDITIONS)
    workspace = Workspace.load(config_path)
    edition = workspace.edition(edition)  # config.yaml's, checked as it was loaded
    series = workspace.series(edition)
    latest = workspace.resolve(None if all_weeks else week, edition)  # refuses a store with no report too
    weeks = series.reports if all_weeks else [latest]
    reports = [(w, [Item(w, a) for a in series.arrived_in(w)]) for w in weeks]
    exporter = _Exporter(workspace, edition)
    if format == "json":
        objects = [exporter.report(w, series.number(w), items) for w, items in reports]
        return Export(format, edition, {"report": _json_bytes(objects if all_weeks else objects[0])})
    items = sorted((item for _, week_items in reports for item in week_items), key=lambda i: i.order)
    if format == "acled":
        return Export(format, edition, {"acled": _csv_bytes(acled.COLUMNS, None, exporter.acled_rows(items))})
    return Export(format, edition, {kind: exporter.hxl_table(kind, items) for kind in kinds})


def standard_output(result: Export) -> bytes:
    """The one table an export made, for standard output; several tables need a folder."""
    if len(result.tables) > 1:
        raise OutputError(Problem("--output", 0, f"{len(result.tables)} tables ({', '.join(result.tables)}) cannot "
                                                 "all go to standard output",
                                  expected="-o FOLDER for several tables, or one --kind",
                                  hint=f"sitrep export {result.format} -o exports writes "
                                       f"exports/{result.file_name(next(iter(result.tables)))} and the others"))
    return next(iter(result.tables.values()))


def destinations(result: Export, output: Path) -> dict[Path, bytes]:
    """Where each table goes: one table to `output` (a file), several into the folder `output`
    (created if missing) by their file names."""
    if len(result.tables) > 1:
        if output.exists() and not output.is_dir():
            raise OutputError(Problem(display_path(output), 0, "is a file, and several tables need a folder",
                                      expected="a folder (created if missing), or one --kind to write one file"))
        return {output / result.file_name(name): data for name, data in result.tables.items()}
    (name, data), = result.tables.items()
    if output.is_dir():
        raise OutputError(Problem(display_path(output), 0, "is a folder, and one table is written to a file",
                                  expected=f"a file name, such as {display_path(output / result.file_name(name))}"))
    return {output: data}


def write_export(result: Export, output: Path) -> list[Path]:
    """Write the export under `output` (see `destinations`), each file atomically; an internal
    edition's files readable by their owner only, as the build writes them."""
    files = destinations(result, output)
    for path, data in files.items():
        write_atomic(path, data, private=result.edition == "internal")
    return list(files)


def _check_choice(what: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ExportError(Problem(f"--{what}", 0, f"sitrep exports no {what} '{value}'",
                                  expected="one of: " + ", ".join(choices)))


# --- Places, countries, numbers ------------------------------------------------------------------

@dataclass(frozen=True)
class Location:
    """Where a place is, as the exports say it: its admin areas and coordinates from its chain
    of parents (a neighbourhood without coordinates is placed at its city's, less precisely)."""

    place: Place
    admin1: str  # the governorate holding it (or being it)
    admin2: str  # the district
    lat: float | None
    lon: float | None
    geo_precision: int | None  # ACLED's code: 1 the place itself ... 3 only the region


def locate(store: Store, place_id: str) -> Location:
    """The place's admin areas and coordinates: its own, or its nearest parent's that has them."""
    chain = _chain(store, place_id)
    named = {kind: next((p.name for p in chain if p.kind == kind), "") for kind in ("governorate", "district")}
    placed = next((p for p in chain if p.lat is not None and p.lon is not None), None)
    if placed is None:
        return Location(chain[0], named["governorate"], named["district"], None, None, None)
    precision = acled.GEO_PRECISION_OF_PLACE_KIND[placed.kind]
    if placed is not chain[0]:  # coordinates of an enclosing place: near it at best
        precision = max(2, precision)
    return Location(chain[0], named["governorate"], named["district"], placed.lat, placed.lon, precision)


def _chain(store: Store, place_id: str) -> list[Place]:
    """The place, then its parent, its parent's parent... (a cycle stops where it repeats)."""
    chain: list[Place] = []
    while place_id is not None and place_id in store.places and all(p.id != place_id for p in chain):
        chain.append(store.places[place_id])
        place_id = store.places[place_id].parent
    return chain


@dataclass(frozen=True)
class Country:
    name: str  # in English, as CLDR names it: 'Iraq'
    iso3: str  # 'IRQ'
    numeric: str  # ISO 3166 numeric, as ACLED's `iso` column: '368'


# CLDR keeps a country's former codes among its aliases too (Zaire's ZAR, East Germany's 278):
# where several lead to one country, its current code.
_CURRENT_ALPHA3 = {"CD": "COD", "DE": "DEU", "FR": "FRA", "MM": "MMR", "TL": "TLS", "YE": "YEM"}
_CURRENT_NUMERIC = {"DE": "276", "ET": "231", "FR": "250", "SD": "729", "YE": "887"}


def country_of(region: str | None) -> Country | None:
    """config.yaml's `region` as a country: its English name and ISO 3166 alpha-3 and numeric
    codes, from Babel's CLDR data (its territory aliases map both kinds of code to alpha-2)."""
    if region is None:
        return None
    from babel import Locale
    from babel.core import get_global

    codes = [code for code, targets in get_global("territory_aliases").items() if targets == [region]]
    alpha3 = [c for c in codes if len(c) == 3 and c.isalpha()]
    numeric = [c for c in codes if len(c) == 3 and c.isdigit()]
    return Country(Locale("en").territories.get(region, region),
                   _CURRENT_ALPHA3.get(region, alpha3[0] if len(alpha3) == 1 else ""),
                   _CURRENT_NUMERIC.get(region, numeric[0] if len(numeric) == 1 else ""))


def number_text(number: float | int | None) -> str:
    """A number as data: 30000, 2.5 (never 30000.0, never '30,000')."""
    if number is None:
        return ""
    if float(number).is_integer():
        return str(int(number))
    return repr(float(number))


def hxl_date(date: FuzzyDate) -> str:
    """A date in a form libhxl reads as the date it is: 2016-06-03, 2016W23 (HXL's week; it
    misreads 2016-W23), 2016-06, 2016. A span has none (its start and end columns give it)."""
    if date.precision == "week":
        return hxl_week(IsoWeek.containing(date.start))
    return "" if date.precision == "span" else date.text


def hxl_week(week: IsoWeek) -> str:
    return f"{week.year}W{week.week:02d}"


# --- The tables ----------------------------------------------------------------------------------

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


_PLACE: list[Column] = [("country_code", "#country+code"), ("country", "#country+name"), ("admin1", "#adm1+name"),
                        ("admin2", "#adm2+name"), ("place", "#loc+name"), ("place_code", "#loc+code"),
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
        ("status", "#status"), *_PLACE, ("perpetrator", "#org+name"), ("perpetrator_kind", "#org+type"),
        *_amount_columns("killed", "#affected+killed", "#meta+qualifier+killed"),
        *_amount_columns("injured", "#affected+injured", "#meta+qualifier+injured"),
        ("summary", "#description"), *_SOURCING,
    ],
    "figures": [
        ("id", "#meta+id"), ("report_week", "#date+report"), *_date_columns("as_of", "#date+reported"),
        ("metric", "#indicator+code"), ("metric_label", "#indicator+name"), *_PLACE,
        *_amount_columns("value", "#indicator+num", "#meta+qualifier"), ("unit", "#indicator+unit"),
        ("note", "#description"), *_SOURCING,
    ],
    "routes": [
        ("id", "#meta+id"), ("update", "#meta+update"), ("report_week", "#date+report"), ("name", "#meta+name"),
        *_date_columns("as_of", "#date+reported"), ("country_code", "#country+code"), ("country", "#country+name"),
        *_end_columns("origin", "origin"), ("via", "#loc+name+via"), *_end_columns("destination", "dest"),
        ("status", "#access+status"), ("hazards", "#access+hazard"), ("controlled_by", "#org+name"),
        ("summary", "#description"), *_SOURCING,
    ],
    "movements": [
        ("id", "#meta+id"), ("report_week", "#date+report"), *_date_columns("period", "#date+occurred"),
        ("country_code", "#country+code"), ("country", "#country+name"), *_end_columns("origin", "origin"),
        *_end_columns("destination", "dest"), ("route", "#meta+route"),
        *_amount_columns("count", "#affected+displaced", "#meta+qualifier"), ("unit", "#meta+unit"),
        ("summary", "#description"), *_SOURCING,
    ],
}

# ACLED's actor type (inter1, inter2) of each kind of sitrep actor: the import's table, inverted.
INTER_OF_ACTOR_KIND = {kind: inter for inter, kind in acled.ACTOR_KIND_OF_TYPE.items()}
_INTER_CODE = {words: code for code, words in acled.ACTOR_TYPES.items()}


def interaction(inter1: str, inter2: str) -> str:
    """ACLED's interaction: the two actor types in the order of their codes ('Rebel group-Civilians',
    'Civilians-External/Other forces'), or one type 'only'."""
    if not inter1:
        return ""
    if not inter2:
        return f"{inter1} only"
    return "-".join(sorted((inter1, inter2), key=lambda words: _INTER_CODE[words]))


class _Exporter:
    """Turns the entries an export holds into rows and objects, in one edition."""

    def __init__(self, workspace: Workspace, edition: str):
        self.store = workspace.store
        self.config = workspace.config
        self.edition = edition
        self.country = country_of(self.config.region)
        # The store's own words: a translator "into" the store's language prints every original.
        self.translator = Translator(Language(self.config.store_language), self.config.store_language)
        self.citations = CitationIndex(self.store, edition, self.translator)  # for the CSVs' names and URLs

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

    def place_columns(self, place_id: str) -> dict[str, str]:
        where = locate(self.store, place_id)
        return {**self.country_columns(), "admin1": where.admin1, "admin2": where.admin2, "place": where.place.name,
                "place_code": where.place.pcode or "", "latitude": number_text(where.lat),
                "longitude": number_text(where.lon)}

    def end_columns(self, role: str, place_id: str) -> dict[str, str]:
        where = locate(self.store, place_id)
        return {role: where.place.name, f"{role}_code": where.place.pcode or "",
                f"{role}_latitude": number_text(where.lat), f"{role}_longitude": number_text(where.lon)}

    def country_columns(self) -> dict[str, str]:
        return {"country_code": self.country.iso3 if self.country else "",
                "country": self.country.name if self.country else ""}

    # HXL -----------------------------------------------------------------------------------------

    def hxl_table(self, kind: str, items: list[Item]) -> bytes:
        row_of = {"incidents": self.incident_row, "figures": self.figure_row, "routes": self.route_row,
                  "movements": self.movement_row}[kind]
        rows = [row_of(item) for item in items if isinstance(item.arrival.entry, _MODELS[kind])]
        return _csv_bytes([header for header, _ in HXL_COLUMNS[kind]], [tag for _, tag in HXL_COLUMNS[kind]], rows)

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
            **self.place_columns(incident.place),
            "perpetrator": perpetrator.name if perpetrator else "",
            "perpetrator_kind": perpetrator.kind if perpetrator else "",
            **_amount_cells("killed", victims.killed if victims else None),
            **_amount_cells("injured", victims.injured if victims else None),
            "summary": clean_text(incident.summary), **self.sourcing(incident.cited),
        }

    def figure_row(self, item: Item) -> dict[str, str]:
        figure: Figure = item.arrival.entry
        return {
            "id": figure.id, **self.dated("as_of", item), "metric": figure.metric,
            "metric_label": vocab.METRICS[figure.metric].label, **self.place_columns(figure.place),
            **_amount_cells("value", figure), "unit": figure.unit, "note": clean_text(figure.note) or "",
            **self.sourcing(figure.cited),
        }

    def route_row(self, item: Item) -> dict[str, str]:
        route: Route = item.arrival.entry
        update = item.arrival.update
        return {
            "id": route.id, "update": str(item.arrival.update_index + 1), **self.dated("as_of", item),
            "name": clean_text(route.name) or "", **self.country_columns(), **self.end_columns("origin", route.origin),
            "via": "; ".join(self.store.places[p].name for p in route.via),
            **self.end_columns("destination", route.destination), "status": update.status,
            "hazards": "; ".join(update.hazards), "controlled_by": "; ".join(map(self.actor_name, update.controlled_by)),
            "summary": clean_text(update.summary) or "", **self.sourcing(update.cited),
        }

    def movement_row(self, item: Item) -> dict[str, str]:
        movement: Movement = item.arrival.entry
        return {
            "id": movement.id, **self.dated("period", item), **self.country_columns(),
            **self.end_columns("origin", movement.origin), **self.end_columns("destination", movement.destination),
            "route": self.visible_route(movement) or "", **_amount_cells("count", movement.count), "unit": movement.unit,
            "summary": clean_text(movement.summary), **self.sourcing(movement.cited),
        }

    def visible_route(self, movement: Movement) -> str | None:
        """The movement's route, unless the edition leaves it out (as the report does)."""
        if movement.route is None:
            return None
        route = self.store.routes[movement.route]
        return route.id if self.edition == "internal" or route.sensitivity == "public" else None

    # ACLED ---------------------------------------------------------------------------------------

    def acled_rows(self, items: list[Item]) -> list[dict[str, str]]:
        incidents = [item.arrival.entry for item in items if isinstance(item.arrival.entry, Incident)]
        # An imported event goes back as ACLED coded it (bulk.acled_coding), read in one query.
        coding = acled_coding(self.store.bulk, [r for r in map(acled_event_id, incidents) if r])
        rows = [{**self.acled_row(incident), **coding.get(acled_event_id(incident) or "", {})} for incident in incidents]
        for row in rows:
            row["year"] = row["event_date"][:4]
        return rows

    def acled_row(self, incident: Incident) -> dict[str, str]:
        precision, event_date = acled.time_precision_and_date(incident.date)
        perpetrator = self.store.actors[incident.perpetrator] if incident.perpetrator else None
        kind = perpetrator.kind if perpetrator else None
        types = acled.acled_type(incident.type, kind)
        abuse = vocab.INCIDENT_TYPES[incident.type].category == "abuse"
        inter1 = INTER_OF_ACTOR_KIND.get(kind, "")
        inter2 = "Civilians" if abuse else ""
        where = locate(self.store, incident.place)
        killed = incident.victims.killed if incident.victims else None
        tags = []
        if types is None:
            tags.append(f"sitrep_type={incident.type}; no ACLED equivalent")
        if killed is not None and (killed.value is None or killed.qualifier != "exact"):
            tags.append(f"sitrep_fatalities={format_amount(killed)}")  # fatalities holds the lowest number
        country = self.country
        return {
            "event_id_cnty": acled_event_id(incident) or f"SITREP-{incident.id}",
            "event_date": event_date.isoformat(), "year": str(event_date.year), "time_precision": str(precision),
            "disorder_type": acled.DISORDER_TYPE_OF_EVENT[types[0]] if types else "",
            "event_type": types[0] if types else "", "sub_event_type": types[1] if types else "",
            "actor1": perpetrator.name if perpetrator else "", "assoc_actor_1": "", "inter1": inter1,
            "actor2": (f"Civilians ({country.name})" if country else "Civilians") if abuse else "", "assoc_actor_2": "",
            "inter2": inter2, "interaction": interaction(inter1, inter2),
            "civilian_targeting": acled.CIVILIAN_TARGETING if abuse else "",
            "iso": str(int(country.numeric)) if country and country.numeric else "",  # a number: 4, not 004
            "region": "", "country": country.name if country else "",
            "admin1": where.admin1, "admin2": where.admin2, "admin3": "", "location": where.place.name,
            "latitude": f"{where.lat:.4f}" if where.lat is not None else "",
            "longitude": f"{where.lon:.4f}" if where.lon is not None else "",
            "geo_precision": str(where.geo_precision or ""),
            "source": "; ".join(dict.fromkeys(str(self.citations.source_name(c.source)) for c in incident.cited)),
            "source_scale": "", "notes": clean_text(incident.summary),
            "fatalities": number_text(_lowest(killed)) if killed else "0",
            "tags": "; ".join(tags), "timestamp": _imported_timestamp(incident),
        }

    # JSON ----------------------------------------------------------------------------------------

    def report(self, week: IsoWeek, number: int, items: list[Item]) -> dict:
        """One report as an object: ReliefWeb's fields, sitrep's, the facts and the sources list."""
        index = _Numbered(self.store, self.edition, self.translator)  # numbered in this report's order
        config, country = self.config, self.country
        items = sorted(items, key=lambda i: i.order)
        facts = {
            "figures": [self.figure_object(i, index) for i in items if isinstance(i.arrival.entry, Figure)],
            "incidents": [self.incident_object(i, index) for i in items if isinstance(i.arrival.entry, Incident)],
            "routes": [self.route_object(i, index) for i in items if isinstance(i.arrival.entry, Route)],
            "movements": [self.movement_object(i, index) for i in items if isinstance(i.arrival.entry, Movement)],
        }
        source = {"name": str(config.organisation.name)}
        if config.organisation.url:
            source["homepage"] = config.organisation.url
        reliefweb = {"title": f"{config.title} No. {number}, {format_span(week.start, week.end)}",
                     "date": {"original": f"{week.end.isoformat()}T00:00:00+00:00"},
                     "source": [source]}
        if country:
            place = {"name": country.name, "iso3": country.iso3.lower()}  # ReliefWeb writes iso3 in lower case
            reliefweb |= {"country": [place], "primary_country": place}
        reliefweb |= {"format": [{"name": "Situation Report"}],
                      "language": [{"name": _english_name(config.store_language), "code": config.store_language}]}
        return {
            "report": reliefweb,
            "sitrep": {"title": str(config.title), "crisis": str(config.crisis), "week": str(week), "number": number,
                       "period": {"start": week.start.isoformat(), "end": week.end.isoformat()},
                       "edition": self.edition},
            "facts": facts,
            "sources": [self.source_object(row, index) for row in index.entries()],
        }

    def fact_object(self, item: Item, cited: Iterable[Citation], index: CitationIndex) -> dict:
        """What every fact has: when, how well sourced, and its citations."""
        cited = list(cited)
        graded = grade(cited, self.store.sources)
        date = item.arrival.date
        return {
            "date": {"text": date.text, "precision": date.precision, "start": date.start.isoformat(),
                     "end": date.end.isoformat()},
            "known_on": item.arrival.known_on.isoformat(),
            "grade": {"code": graded.code, "independent_sources": graded.independent_sources, "weak": graded.weak},
            "citations": [{"source": index.number(c), "credibility": c.credibility} for c in cited],
        }

    def place_object(self, place_id: str) -> dict:
        where = locate(self.store, place_id)
        return {"id": where.place.id, "name": where.place.name, "kind": where.place.kind, "pcode": where.place.pcode,
                "admin1": where.admin1 or None, "admin2": where.admin2 or None, "lat": where.lat, "lon": where.lon}

    def actor_object(self, actor_id: str) -> dict:
        actor = self.store.actors[actor_id]
        return {"id": actor.id, "name": actor.name, "kind": actor.kind}

    def figure_object(self, item: Item, index: CitationIndex) -> dict:
        figure: Figure = item.arrival.entry
        return {"id": figure.id, "metric": figure.metric, "metric_label": vocab.METRICS[figure.metric].label,
                "place": self.place_object(figure.place), "amount": _amount_object(figure), "unit": figure.unit,
                "note": clean_text(figure.note), **self.fact_object(item, figure.cited, index)}

    def incident_object(self, item: Item, index: CitationIndex) -> dict:
        incident: Incident = item.arrival.entry
        victims = incident.victims
        kind = vocab.INCIDENT_TYPES[incident.type]
        return {
            "id": incident.id, "type": incident.type, "type_label": kind.label, "category": kind.category,
            "status": incident.status, "place": self.place_object(incident.place),
            "perpetrator": self.actor_object(incident.perpetrator) if incident.perpetrator else None,
            "victims": {"killed": _amount_object(victims.killed if victims else None),
                        "injured": _amount_object(victims.injured if victims else None),
                        "affected": _amount_object(victims.affected if victims else None),
                        "description": clean_text(victims.description) if victims else None},
            "summary": clean_text(incident.summary), **self.fact_object(item, incident.cited, index),
        }

    def route_object(self, item: Item, index: CitationIndex) -> dict:
        route: Route = item.arrival.entry
        update = item.arrival.update
        return {
            "id": route.id, "update": item.arrival.update_index + 1, "name": clean_text(route.name),
            "origin": self.place_object(route.origin), "via": [self.place_object(p) for p in route.via],
            "destination": self.place_object(route.destination), "status": update.status,
            "hazards": list(update.hazards), "controlled_by": [self.actor_object(a) for a in update.controlled_by],
            "summary": clean_text(update.summary), **self.fact_object(item, update.cited, index),
        }

    def movement_object(self, item: Item, index: CitationIndex) -> dict:
        movement: Movement = item.arrival.entry
        return {
            "id": movement.id, "origin": self.place_object(movement.origin),
            "destination": self.place_object(movement.destination), "route": self.visible_route(movement),
            "count": _amount_object(movement.count), "unit": movement.unit, "summary": clean_text(movement.summary),
            **self.fact_object(item, movement.cited, index),
        }

    def source_object(self, row: SourceEntry, index: _Numbered) -> dict:
        """A line of the sources list as the report prints it, its date as written (a withheld
        line: its public name and grades, nothing else)."""
        citation = index.first[row.number]
        return {"number": row.number, "id": row.source_id, "name": str(row.name), "withheld": row.withheld,
                "kind": self.store.sources[row.source_id].kind if row.kind is not None else None,
                "reliability": row.reliability, "via": str(row.via) if row.via else None,
                "date": citation.date.text if row.date is not None else None, "url": row.url,
                "note": clean_text(citation.note) if row.note is not None else None,
                "credibility": list(row.credibility)}


class _Numbered(CitationIndex):
    """A report's citation numbers, remembering a citation of each numbered line: the citations
    a line stands for share what it prints (its outlet, date, URL and note)."""

    def __init__(self, store: Store, edition: str, translator: Translator):
        super().__init__(store, edition, translator)
        self.first: dict[int, Citation] = {}

    def number(self, citation: Citation) -> int:
        number = super().number(citation)
        self.first.setdefault(number, citation)
        return number


def _amount_cells(name: str, amount: Amount | None) -> dict[str, str]:
    if amount is None:
        return {name: "", f"{name}_min": "", f"{name}_max": "", f"{name}_qualifier": ""}
    low, high = (amount.value, amount.value) if amount.value is not None else (amount.low, amount.high)
    return {name: number_text(amount.value), f"{name}_min": number_text(low), f"{name}_max": number_text(high),
            f"{name}_qualifier": amount.qualifier}


def _amount_object(amount: Amount | None) -> dict | None:
    if amount is None:
        return None
    return {"value": amount.value, "low": amount.low, "high": amount.high, "qualifier": amount.qualifier}


def _lowest(amount: Amount) -> float:
    """ACLED codes the most conservative number reported: a range's low end."""
    return amount.value if amount.value is not None else amount.low


def _imported_timestamp(incident: Incident) -> str:
    """ACLED's own timestamp of an imported row; empty for a curated one (never the clock)."""
    imported = getattr(incident, "imported", None)
    return str(imported.timestamp) if imported is not None and imported.timestamp is not None else ""


def _english_name(tag: str) -> str:
    from babel import Locale

    return Locale.parse(tag, sep="-").get_language_name("en") or tag


# --- Writing -------------------------------------------------------------------------------------

def _csv_bytes(headers: Iterable[str], hashtags: Iterable[str] | None, rows: list[dict[str, str]]) -> bytes:
    """A CSV as UTF-8 (no byte-order mark), '\\n' line ends: the header row, HXL's hashtag row
    when given, then the rows."""
    headers = list(headers)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    if hashtags is not None:
        writer.writerow(hashtags)
    for row in rows:
        assert set(row) == set(headers), sorted(set(row) ^ set(headers))  # a column left out or misnamed is a bug
        writer.writerow([row[h] for h in headers])
    return buffer.getvalue().encode("utf-8")


def _json_bytes(value: object) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
