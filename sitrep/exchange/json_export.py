"""`sitrep export json`: one object per report: its metadata shaped as a ReliefWeb "report", then
its facts with their citations and the sources list they point into (report.schema.json, beside
this module). Citations are numbered as the report numbers them, and a withheld source's line
shows only what the report shows of it: its public name and grades, never its id, name, URL,
date or note.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from sitrep.exchange.exporter import Exporter, Item
from sitrep.exchange.places import Country
from sitrep.report.citations import CitationIndex
from sitrep.report.context import SourceEntry
from sitrep.report.formatting import clean_text
from sitrep.report.translation import Translator
from sitrep.source import vocabulary as vocab
from sitrep.source.dates import IsoWeek, format_span
from sitrep.source.entries import Store
from sitrep.source.provenance import grade
from sitrep.source.schema import Amount, Citation, Figure, Incident, Movement, Route

REPORT_SCHEMA = Path(__file__).with_name("report.schema.json")  # the JSON export's schema (in the wheel)


class JsonExporter(Exporter):
    """The JSON objects of the reports an export holds, in one edition."""

    def report(self, week: IsoWeek, number: int, items: list[Item]) -> dict:
        """One report as an object: ReliefWeb's fields, sitrep's, the facts and the sources list."""
        index = _Numbered(self.store, self.edition, self.translator)  # numbered in this report's order
        config = self.config
        items = sorted(items, key=lambda i: i.order)
        self.read_coding(items)
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
        countries = self.countries(facts)
        if countries:
            reliefweb |= {"country": countries, "primary_country": countries[0]}
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

    def countries(self, facts: dict[str, list[dict]]) -> list[dict]:
        """ReliefWeb's countries of the report: config.yaml's region first (its primary country),
        then those of the facts' places, in the order the facts first name them."""
        found = [_country_object(self.country)] if self.country else []
        for kind in facts.values():
            for fact in kind:
                for place in (fact.get("place"), fact.get("origin"), fact.get("destination")):
                    if place and place["country"]:
                        found.append({"name": place["country"]["name"], "iso3": (place["country"]["iso3"] or "").lower()})
        # One entry a country, its first: ACLED may name a country otherwise than CLDR does.
        first: dict[str, dict] = {}
        for country in found:
            first.setdefault(country["iso3"] or country["name"], country)
        return list(first.values())

    def place_object(self, place_id: str, entry: object = None) -> dict:
        """A place, its country (ISO 3166 alpha-3 in capitals, as HXL and ACLED write it), its admin
        areas with their P-codes, and its coordinates."""
        where = self.where(place_id, entry)
        country = where.country
        return {"id": where.place.id, "name": where.place.name, "kind": where.place.kind, "pcode": where.place.pcode,
                "country": {"name": country.name, "iso3": country.iso3 or None} if country else None,
                "admin1": where.admin1 or None, "admin1_pcode": where.admin1_code or None,
                "admin2": where.admin2 or None, "admin2_pcode": where.admin2_code or None,
                "lat": where.lat, "lon": where.lon}

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
            "status": incident.status, "place": self.place_object(incident.place, incident),
            "perpetrator": self.actor_object(incident.perpetrator) if incident.perpetrator else None,
            "victims": {"killed": _amount_object(victims.killed if victims else None),
                        "injured": _amount_object(victims.injured if victims else None),
                        "affected": _amount_object(victims.affected if victims else None),
                        "fatalities": _amount_object(victims.fatalities if victims else None),
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


def _amount_object(amount: Amount | None) -> dict | None:
    if amount is None:
        return None
    return {"value": amount.value, "low": amount.low, "high": amount.high, "qualifier": amount.qualifier}


def _english_name(tag: str) -> str:
    from babel import Locale

    return Locale.parse(tag, sep="-").get_language_name("en") or tag


def _country_object(country: Country) -> dict:
    return {"name": country.name, "iso3": country.iso3.lower()}  # ReliefWeb writes iso3 in lower case
