"""`sitrep export acled`: ACLED's columns (`acled.COLUMNS`), one row per incident, its event types
and precision codes worked out from sitrep's (exchange/acled.py). An imported event goes back as
ACLED coded it; its sources, notes and fatalities are the incident's, a withheld source named by
its public name only.
"""

from __future__ import annotations

from sitrep.exchange import acled
from sitrep.exchange.exporter import Exporter, Item, number_text
from sitrep.report.formatting import clean_text, format_amount
from sitrep.source import vocabulary as vocab
from sitrep.source.bulk import acled_event_id
from sitrep.source.schema import Amount, Incident

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


class AcledExporter(Exporter):
    """ACLED's rows of the incidents an export holds, in one edition."""

    def acled_rows(self, items: list[Item]) -> list[dict[str, str]]:
        incidents = [item.arrival.entry for item in items if isinstance(item.arrival.entry, Incident)]
        self.read_coding(items)  # an imported event goes back as ACLED coded it
        rows = [{**self.acled_row(incident), **self.coding.get(acled_event_id(incident) or "", {})}
                for incident in incidents]
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
        where = self.where(incident.place, incident)
        # ACLED's fatalities count every party: the civilians killed, else the deaths of uncoded status.
        killed = (incident.victims.killed or incident.victims.fatalities) if incident.victims else None
        tags = []
        if types is None:
            tags.append(f"sitrep_type={incident.type}; no ACLED equivalent")
        if killed is not None and (killed.value is None or killed.qualifier != "exact"):
            tags.append(f"sitrep_fatalities={format_amount(killed)}")  # fatalities holds the lowest number
        country = where.country  # the place's, found among its parents (config.yaml's region if none)
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


def _lowest(amount: Amount) -> float:
    """ACLED codes the most conservative number reported: a range's low end."""
    return amount.value if amount.value is not None else amount.low


def _imported_timestamp(incident: Incident) -> str:
    """ACLED's own timestamp of an imported row; empty for a curated one (never the clock)."""
    imported = getattr(incident, "imported", None)
    return str(imported.timestamp) if imported is not None and imported.timestamp is not None else ""
