"""A dataset's names matched to the store's entries (`sitrep import`): a location to a place of
the same P-code, name or spot; an actor or a source to one of the same name; and, for the rest,
entries proposed with ids of their own, for a person to curate (bulk/proposed.yaml).
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass, field

from sitrep.source.schema import Actor, Place, Source


def slug(text: str) -> str:
    """An id's part for a name: 'Al-Karmah' -> 'al-karmah', 'Ṣaqlāwiyah' -> 'saqlawiyah';
    a name with no Latin letters gets a short digest instead."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    made = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")
    return made or hashlib.sha256(text.encode()).hexdigest()[:10]


def folded(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


NAME_MATCH_KM = 25.0  # a place of the same name within this distance is the same place
SAME_SPOT_KM = 1.0  # a place this close is the same place, whatever it is called (spellings differ)


@dataclass
class Matcher:
    """Matches a dataset's names to the store's entries (curated, or proposed by an earlier
    import), and proposes entries for the rest, with ids of their own."""

    places: dict[str, Place]
    actors: dict[str, Actor]
    sources: dict[str, Source]
    proposed: dict[str, dict] = field(default_factory=lambda: {"places": {}, "actors": {}, "sources": {}})
    _place_names: dict[str, list[Place]] = field(default_factory=dict)
    _actor_names: dict[str, str] = field(default_factory=dict)
    _source_names: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        for place in self.places.values():
            for name in {place.name, *place.names.values()}:
                self._place_names.setdefault(folded(name), []).append(place)
        for actor in self.actors.values():
            for name in (actor.name, *actor.names.values(), *actor.aliases):
                self._actor_names.setdefault(folded(name), actor.id)
        for source in self.sources.values():
            self._source_names.setdefault(folded(str(source.name)), source.id)
            self._source_names.setdefault(folded(source.id), source.id)

    def place(self, name: str, lat: float | None, lon: float | None, kind: str, parent: str | None,
              pcode: str | None = None, *, kinds: tuple[str, ...] | None = None) -> str:
        """The id of the store's place for a dataset's location, or of a place proposed for it.

        A place of the store is the same place when it has the row's P-code; else when it has
        its name and one of `kinds` (a governorate is not the city of the same name), no other
        P-code, and, where both have coordinates, lies within 25 km (a place without them is
        matched by a row without them only: an admin area, not a located event); else when it
        lies within 1 km, whatever its name, as long as its kind is one of `kinds`."""
        if pcode:
            for place in self.places.values():
                if place.pcode == pcode:
                    return place.id
        for place in self._place_names.get(folded(name), []):
            if kinds and place.kind not in kinds:
                continue
            if pcode and place.pcode and place.pcode != pcode:
                continue
            if lat is None and place.lat is None:
                return place.id
            if lat is not None and place.lat is not None and distance_km(lat, lon, place.lat, place.lon) <= NAME_MATCH_KM:
                return place.id
        if lat is not None:
            for place in self.places.values():
                if (place.lat is not None and (not kinds or place.kind in kinds)
                        and distance_km(lat, lon, place.lat, place.lon) <= SAME_SPOT_KM):
                    return place.id
        place_id = self._free_id("place", slug(name) + (f".{slug(parent.removeprefix('place.').split('.')[0])}"
                                                        if parent else ""), "places")  # the parent's own name
        place = Place.model_validate({"id": place_id, "name": name, "kind": kind, "parent": parent,
                                      "lat": lat, "lon": lon, "pcode": pcode})
        self.places[place_id] = place
        self._place_names.setdefault(folded(name), []).append(place)
        self.proposed["places"][place_id] = place
        return place_id

    def actor(self, name: str, kind: str) -> str:
        found = self._actor_names.get(folded(name))
        if found:
            return found
        actor_id = self._free_id("actor", slug(name), "actors")
        actor = Actor.model_validate({"id": actor_id, "name": name, "kind": kind})
        self.actors[actor_id] = actor
        self._actor_names[folded(name)] = actor_id
        self.proposed["actors"][actor_id] = actor
        return actor_id

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
