"""Where a place is, as the exports say it: its country, admin areas (with their P-codes) and
coordinates from its chain of parents, with ACLED's geo precision; and a country named by
config.yaml's `region`, an ISO 3166 code or its English name (CLDR's data, through Babel)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from sitrep.exchange import acled
from sitrep.source.names import folded
from sitrep.source.entries import Store
from sitrep.source.schema import Place


@dataclass(frozen=True)
class Country:
    name: str  # in English, as CLDR names it ('Iraq'), or as the store or a dataset does
    iso3: str  # 'IRQ'; empty for a country no ISO code was found for
    numeric: str  # ISO 3166 numeric, as ACLED's `iso` column: '368'
    alpha2: str = field(default="", compare=False)  # 'IQ', as config.yaml's `region` writes it


@dataclass(frozen=True)
class Location:
    """Where a place is, as the exports say it: its country, admin areas and coordinates from
    its chain of parents (a neighbourhood without coordinates is placed at its city's, less
    precisely)."""

    place: Place
    country: Country | None  # the country among its parents (or config.yaml's region)
    admin1: str  # the governorate holding it (or being it)
    admin1_code: str  # its P-code
    admin2: str  # the district
    admin2_code: str
    lat: float | None
    lon: float | None
    geo_precision: int | None  # ACLED's code: 1 the place itself ... 3 only the region


def locate(store: Store, place_id: str, region: Country | None = None) -> Location:
    """The place's country, admin areas and coordinates: its own, or its nearest parent's that
    has them. The country is the first place of kind `country` in the chain (place_country);
    `region` (config.yaml's) only where the chain has none."""
    chain = _chain(store, place_id)
    area = {kind: next((p for p in chain if p.kind == kind), None) for kind in ("governorate", "district")}
    country = next((place_country(p) for p in chain if p.kind == "country"), region)
    named = {"admin1": _name(area["governorate"]), "admin1_code": _code(area["governorate"]),
             "admin2": _name(area["district"]), "admin2_code": _code(area["district"])}
    placed = next((p for p in chain if p.lat is not None and p.lon is not None), None)
    if placed is None:
        return Location(chain[0], country, **named, lat=None, lon=None, geo_precision=None)
    precision = acled.GEO_PRECISION_OF_PLACE_KIND[placed.kind]
    if placed is not chain[0]:  # coordinates of an enclosing place: near it at best
        precision = max(2, precision)
    return Location(chain[0], country, **named, lat=placed.lat, lon=placed.lon, geo_precision=precision)


def _name(place: Place | None) -> str:
    return place.name if place else ""


def _code(place: Place | None) -> str:
    return (place.pcode or "") if place else ""


def _chain(store: Store, place_id: str) -> list[Place]:
    """The place, then its parent, its parent's parent... (a cycle stops where it repeats)."""
    chain: list[Place] = []
    while place_id is not None and place_id in store.places and all(p.id != place_id for p in chain):
        chain.append(store.places[place_id])
        place_id = store.places[place_id].parent
    return chain


def place_country(place: Place) -> Country:
    """A place of kind `country` as a country: by its P-code (an import proposes a country with
    its ISO 3166 alpha-3 code), else its name, else one of its aliases, read as CLDR names
    countries; a country CLDR does not know keeps the store's name, without codes."""
    for text in (place.pcode, place.name, *place.aliases):
        if text and (country := country_named(text)):
            return country
    return Country(place.name, "", "")


def country_named(text: str) -> Country | None:
    """The country an ISO 3166 code of any kind names ('IQ', 'IRQ', '368', ACLED's '4' for
    004), or its English name as CLDR writes it ('Iraq'); None for anything else."""
    text = text.strip()
    code = text.zfill(3) if text.isdigit() else text.upper()
    alpha2 = code if code in _english_names() else _alpha2_of_code().get(code) or _alpha2_of_name().get(folded(text))
    return country_of(alpha2)


# CLDR keeps a country's former codes among its aliases too (Zaire's ZAR, East Germany's 278):
# where several lead to one country, its current code.
_CURRENT_ALPHA3 = {"CD": "COD", "DE": "DEU", "FR": "FRA", "MM": "MMR", "TL": "TLS", "YE": "YEM"}
_CURRENT_NUMERIC = {"DE": "276", "ET": "231", "FR": "250", "SD": "729", "YE": "887"}


def country_of(region: str | None) -> Country | None:
    """config.yaml's `region` (ISO 3166 alpha-2) as a country: its English name and ISO 3166
    alpha-3 and numeric codes, from Babel's CLDR data (its territory aliases map both kinds of
    code to alpha-2)."""
    if region is None:
        return None
    codes = _codes_of_alpha2().get(region, [])
    alpha3 = [c for c in codes if c.isalpha()]
    numeric = [c for c in codes if c.isdigit()]
    return Country(_english_names().get(region, region),
                   _CURRENT_ALPHA3.get(region, alpha3[0] if len(alpha3) == 1 else ""),
                   _CURRENT_NUMERIC.get(region, numeric[0] if len(numeric) == 1 else ""), region)


@cache
def _english_names() -> dict[str, str]:
    """Each country's English name by its alpha-2 code (CLDR's territories, less its regions
    such as 001 World)."""
    from babel import Locale

    return {code: name for code, name in Locale("en").territories.items() if len(code) == 2 and code.isalpha()}


@cache
def _codes_of_alpha2() -> dict[str, list[str]]:
    """Each country's three-letter and numeric codes by its alpha-2 code."""
    from babel.core import get_global

    codes: dict[str, list[str]] = {}
    for code, targets in get_global("territory_aliases").items():
        if len(targets) == 1 and len(code) == 3 and (code.isalpha() or code.isdigit()):
            codes.setdefault(targets[0], []).append(code)
    return codes


@cache
def _alpha2_of_code() -> dict[str, str]:
    """An alpha-3 or numeric code's country (alpha-2): its current code where CLDR keeps several."""
    found = {code: alpha2 for alpha2, codes in _codes_of_alpha2().items() for code in codes}
    found |= {code: alpha2 for alpha2, code in (_CURRENT_ALPHA3 | _CURRENT_NUMERIC).items()}
    return found


@cache
def _alpha2_of_name() -> dict[str, str]:
    return {folded(name): code for code, name in _english_names().items()}


def coded_country(code: str, name: str) -> Country | None:
    """The country a dataset coded for a row (ACLED's `iso` and `country`): the code's, under the
    dataset's own name for it; else the name's; else the name alone, without codes."""
    found = (country_named(code) if code else None) or (country_named(name) if name else None)
    if found is None:
        return Country(name, "", "") if name else None
    return Country(name or found.name, found.iso3, found.numeric, found.alpha2)
