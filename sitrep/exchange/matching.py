"""A dataset's names matched to the store's entries (`sitrep import`): a location to a place of
the same P-code, name or spot; an actor or a source to one of the same name; and, for the rest,
entries proposed with ids of their own, for a person to curate (bulk/proposed.yaml; why each
matched no entry of the store is proposals.py's).

Names are compared as source/names.py folds them: every name, name in another language and
alias of an entry; for a place matched as one of some kinds, without the generic word of those
kinds and the Arabic article; for an actor, without a parenthesised trailer. The store's own
(curated) entries are tried first, then those earlier imports proposed, so that an alias added
to the store wins over a proposal of the same name.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from sitrep.source.names import actor_key, folded, generic_words, place_key, trailers_agree
from sitrep.source.schema import Actor, Place, Source

KINDS = ("places", "actors", "sources")


def slug(text: str) -> str:
    """An id's part for a name: 'Al-Karmah' -> 'al-karmah', 'Ṣaqlāwiyah' -> 'saqlawiyah';
    a name with no Latin letters gets a short digest instead."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    made = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")
    return made or hashlib.sha256(text.encode()).hexdigest()[:10]


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


NAME_MATCH_KM = 25.0  # a place of the same name within this distance is the same place
SAME_SPOT_KM = 1.0  # a place this close is the same place, whatever it is called (spellings differ)


def entry_names(entry) -> list[str]:
    """Every name an entry answers to: its name, its names in other languages, its aliases."""
    return [str(entry.name), *entry.names.values(), *entry.aliases]


@dataclass
class Matcher:
    """Matches a dataset's names to the store's entries (curated, or proposed by an earlier
    import), and proposes entries for the rest, with ids of their own. `curated`: the ids, by
    kind, of the store's own entries among those given (None: all of them)."""

    places: dict[str, Place]
    actors: dict[str, Actor]
    sources: dict[str, Source]
    proposed: dict[str, dict] = field(default_factory=lambda: {kind: {} for kind in KINDS})
    curated: dict[str, set[str]] | None = None
    # The workspace's own country (config.yaml's `region`), its English name folded: a dataset's
    # actor qualified by it ('Islamic State (Iraq)') is the store's actor of the bare name; one of
    # another country ('Islamic State (Afghanistan)') is not, since it is another branch.
    home: str | None = None
    _place_names: dict[str, list[Place]] = field(default_factory=dict)
    _place_codes: dict[str, list[Place]] = field(default_factory=dict)
    _relaxed: dict[frozenset, dict[str, list[Place]]] = field(default_factory=dict)
    _actor_names: dict[str, list[Actor]] = field(default_factory=dict)
    _actor_bases: dict[str, list[tuple[Actor, str]]] = field(default_factory=dict)
    _source_names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def for_import(cls, curated: dict[str, dict], held: dict[str, list], region: str | None = None) -> "Matcher":
        """The store's entries (by kind, by id) and those earlier imports proposed (kept in the
        bulk store); a curated entry replaces the proposal of its id. `region`: config.yaml's."""
        given = {kind: {**curated[kind], **{e.id: e for e in held[kind] if e.id not in curated[kind]}}
                 for kind in KINDS}
        from sitrep.exchange.places import country_of

        home = country_of(region) if region else None
        return cls(*(given[kind] for kind in KINDS), curated={kind: set(curated[kind]) for kind in KINDS},
                   home=folded(home.name) if home else None)

    def __post_init__(self):
        if self.curated is None:
            self.curated = {kind: set(getattr(self, kind)) for kind in KINDS}
        for place in self.places.values():
            self._index_place(place)
        for actor in self.actors.values():
            self._index_actor(actor)
        for source in sorted(self.sources.values(), key=lambda s: s.id not in self.curated["sources"]):
            self._source_names.setdefault(folded(str(source.name)), source.id)
            self._source_names.setdefault(folded(source.id), source.id)

    # --- places ---------------------------------------------------------------------------------

    def place(self, name: str, lat: float | None, lon: float | None, kind: str, parent: str | None,
              pcode: str | None = None, *, kinds: tuple[str, ...] | None = None) -> str:
        """The id of the store's place for a dataset's location, or of a place proposed for it.

        A place is the same place when it has the row's P-code (its `pcode`, an alias, or for a
        country its ISO 3166 codes); else when it has its name (or an alias) and one of `kinds`
        (a governorate is not the city of the same name), no other P-code, and, for a row with
        coordinates, lies within 25 km of them (a row without, an admin area, is matched by name
        alone: if two places of its kinds have the name, by neither); else when, named as
        `place_key` folds names of `kinds`, it is the one such place; else when it lies within
        1 km, whatever its name, as long as its kind is one of `kinds`."""
        for curated in (True, False):
            found = self._found_place(curated, name, lat, lon, pcode, kinds)
            if found:
                return found
        place_id = self._free_id("place", slug(name) + (f".{slug(parent.removeprefix('place.').split('.')[0])}"
                                                        if parent else ""), "places")  # the parent's own name
        place = Place.model_validate({"id": place_id, "name": name, "kind": kind, "parent": parent,
                                      "lat": lat, "lon": lon, "pcode": pcode})
        self.places[place_id] = place
        self._index_place(place)
        self.proposed["places"][place_id] = place
        return place_id

    def _found_place(self, curated: bool, name: str, lat, lon, pcode: str | None, kinds) -> str | None:
        """The place of one tier (the store's own, or the proposed) for the row, if one is."""
        def ours(place: Place) -> bool:
            return (place.id in self.curated["places"]) == curated

        if pcode:
            coded = {p.id for p in self._place_codes.get(folded(pcode), []) if ours(p)}
            if len(coded) == 1:
                return coded.pop()
        for index, key in self._place_levels(name, kinds):
            fits = [p for p in index.get(key, []) if ours(p) and self.fits(p, lat, lon, pcode, kinds)]
            if fits:
                return _nearest(fits, lat, lon)  # None when two fit equally: a proposal says so
        if lat is not None:
            near = [p for p in self.places.values() if ours(p) and p.lat is not None
                    and (not kinds or p.kind in kinds) and distance_km(lat, lon, p.lat, p.lon) <= SAME_SPOT_KM]
            if near:
                return _nearest(near, lat, lon)
        return None

    def fits(self, place: Place, lat, lon, pcode: str | None, kinds) -> bool:
        """Whether a place of the row's name may be the row's: of its kinds, of no other P-code,
        and near it (a row with coordinates is never matched to a place without)."""
        if kinds and place.kind not in kinds:
            return False
        if pcode and place.pcode and folded(place.pcode) != folded(pcode):
            return False
        if lat is None:
            return True
        return place.lat is not None and distance_km(lat, lon, place.lat, place.lon) <= NAME_MATCH_KM

    def _place_levels(self, name: str, kinds):
        """(index, key) for each way the name is compared, strictest first."""
        yield self._place_names, folded(name)
        if kinds:
            words = generic_words(kinds)
            yield self.relaxed_index(words), place_key(name, words)

    def relaxed_index(self, words: frozenset[str]) -> dict[str, list[Place]]:
        """Every place by each of its names as `place_key` folds them without `words`."""
        if words not in self._relaxed:
            index: dict[str, list[Place]] = {}
            for place in self.places.values():
                for key in {place_key(n, words) for n in entry_names(place)}:
                    index.setdefault(key, []).append(place)
            self._relaxed[words] = index
        return self._relaxed[words]

    def _index_place(self, place: Place) -> None:
        for key in {folded(n) for n in entry_names(place)}:
            self._place_names.setdefault(key, []).append(place)
        codes = {folded(place.pcode)} if place.pcode else set()
        codes.update(folded(alias) for alias in place.aliases)
        if place.kind == "country":
            codes.update(folded(code) for code in country_codes(place))
        for code in codes:
            self._place_codes.setdefault(code, []).append(place)
        for words, index in self._relaxed.items():
            for key in {place_key(n, words) for n in entry_names(place)}:
                index.setdefault(key, []).append(place)

    # --- actors and sources ------------------------------------------------------------------

    def actor(self, name: str, kind: str) -> str:
        """The id of the store's actor of this name or alias (or, without a parenthesised trailer
        such as ACLED's '(Iraq)', of this base name: `names.actor_key`), or of one proposed."""
        for curated in (True, False):
            found = self._found_actor(curated, name)
            if found:
                return found
        actor_id = self._free_id("actor", slug(name), "actors")
        actor = Actor.model_validate({"id": actor_id, "name": name, "kind": kind})
        self.actors[actor_id] = actor
        self._index_actor(actor)
        self.proposed["actors"][actor_id] = actor
        return actor_id

    def _found_actor(self, curated: bool, name: str) -> str | None:
        exact = {a.id for a in self._actor_names.get(folded(name), []) if (a.id in self.curated["actors"]) == curated}
        if exact:
            return exact.pop() if len(exact) == 1 else None
        base, trailer = actor_key(name)
        agreeing = {a.id for a, theirs in self._actor_bases.get(base, [])
                    if (a.id in self.curated["actors"]) == curated and trailers_agree(trailer, theirs, self.home)}
        return agreeing.pop() if len(agreeing) == 1 else None

    def _index_actor(self, actor: Actor) -> None:
        for name in {folded(n) for n in entry_names(actor)}:
            self._actor_names.setdefault(name, []).append(actor)
            base, trailer = actor_key(name)
            self._actor_bases.setdefault(base, []).append((actor, trailer))

    def source(self, name: str, kind: str = "media", source_id: str | None = None, url: str | None = None,
               sensitivity: str = "public") -> str:
        """The id of the store's source of this name (or id), or of one proposed for it: restricted
        when the import is (an outlet known only from restricted rows must not be printed)."""
        found = self._source_names.get(folded(name)) or (source_id if source_id in self.sources else None)
        if found:
            return found
        new_id = source_id or self._free_id("source", slug(name), "sources")
        # "F": reliability cannot be judged, until a person grades the source (docs/imports.md, "Imported data").
        source = Source.model_validate({"id": new_id, "name": name, "kind": kind, "reliability": "F", "url": url,
                                        "sensitivity": sensitivity})
        self.sources[new_id] = source
        self._source_names[folded(name)] = new_id
        self.proposed["sources"][new_id] = source
        return new_id

    def _free_id(self, prefix: str, stem: str, kind: str) -> str:
        taken = getattr(self, kind)
        candidate, n = f"{prefix}.{stem}", 2
        while candidate in taken:
            candidate, n = f"{prefix}.{stem}-{n}", n + 1
        return candidate


def _nearest(places: list[Place], lat, lon) -> str | None:
    """The one place of several a row's name fits: the nearest, for a row with coordinates;
    for one without, none when there are two (an import must not choose between them)."""
    ids = {p.id for p in places}
    if len(ids) == 1:
        return ids.pop()
    if lat is None:
        return None
    return min(places, key=lambda p: distance_km(lat, lon, p.lat, p.lon)).id


def country_codes(place: Place) -> set[str]:
    """A country's ISO 3166 codes (alpha-2, alpha-3, numeric) from its names or its P-code, by
    Babel's CLDR data, so that ACLED's 368 and HDX's IRQ find the store's Iraq without a pcode."""
    from sitrep.exchange.places import country_of

    alpha2 = set()
    for name in entry_names(place) + ([place.pcode] if place.pcode else []):
        alpha2.update(_alpha2_of(folded(name)))
    codes = set()
    for code in alpha2:
        country = country_of(code)
        codes.update(c for c in (code, country.iso3, country.numeric) if c)
    return codes


def _alpha2_of(name: str) -> set[str]:
    return set(_country_index().get(name, ()))


@lru_cache(maxsize=1)
def _country_index() -> dict[str, tuple[str, ...]]:
    """Folded country names (in English and the store's other languages) and codes -> alpha-2."""
    from babel import Locale
    from babel.core import get_global

    index: dict[str, set[str]] = {}
    for language in ("en", "fr", "ar", "es", "ru", "zh", "de", "pt"):
        for code, name in Locale(language).territories.items():
            if len(code) == 2 and code.isalpha():
                index.setdefault(folded(name), set()).add(code)
                index.setdefault(folded(code), set()).add(code)
    for code, targets in get_global("territory_aliases").items():
        if len(targets) == 1 and len(targets[0]) == 2:
            index.setdefault(folded(code), set()).add(targets[0])
    return {name: tuple(codes) for name, codes in index.items()}
