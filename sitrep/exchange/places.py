"""Where a place is, as the exports say it: its admin areas and coordinates from its chain of
parents, with ACLED's geo precision; and config.yaml's `region` as a country (its English name
and ISO 3166 codes, from Babel's CLDR data)."""

from __future__ import annotations

from dataclasses import dataclass

from sitrep.exchange import acled
from sitrep.source.entries import Store
from sitrep.source.schema import Place


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


def country_named(alpha3: str) -> tuple[str, str] | None:
    """(ISO 3166 alpha-2, English name) of the country with this alpha-3 code ('AFG' ->
    ('AF', 'Afghanistan')), from Babel's CLDR data; None for a code CLDR does not know."""
    from babel import Locale
    from babel.core import get_global

    alpha2 = get_global("territory_aliases").get(alpha3.upper(), [])
    if len(alpha2) != 1 or alpha2[0] == "ZZ" or alpha2[0] not in Locale("en").territories:  # ZZ: "Unknown Region"
        return None
    return alpha2[0], Locale("en").territories[alpha2[0]]
