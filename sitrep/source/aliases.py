"""The store's aliases checked (a warning each, from `sitrep check` and every load): an alias
that is also another place's name or alias, of the same kind family, or another actor's. An
import matching a dataset's name cannot tell which entry it is, so it proposes a new entry
instead of choosing (exchange/matching.py): legal, but not what the alias was written for.

Names are compared as an import compares them (source/names.py): folded, and for places, as
`place_key` folds them for their kind (so 'Al-Anbar' on one governorate and 'Anbar' naming
another are one name).
"""

from __future__ import annotations

from sitrep.source.entries import Store
from sitrep.source.names import family, folded, generic_words, place_key


def alias_warnings(store: Store, warn) -> None:
    """`warn(entry, fields, message, hint)` for each alias that names another entry too."""
    curated = [p for p in store.places.values() if p.id in store.origins]
    place_index: dict[tuple, list] = {}
    for place in curated:
        for key in _place_keys(place.kind, [place.name, *place.names.values(), *place.aliases]):
            place_index.setdefault(key, []).append(place)
    for place in curated:
        for i, alias in enumerate(place.aliases):
            others = _others(place, [e for key in _place_keys(place.kind, [alias]) for e in place_index.get(key, [])])
            if others:
                warn(place, ("aliases", i), f"the alias '{alias}' names {_where(store, others[0])} too, "
                                            f"another {_family_word(place.kind)}: an import cannot tell which a "
                                            f"dataset's '{alias}' is, and proposes a new place instead",
                     hint="keep the alias on one of them")
    actors = [a for a in store.actors.values() if a.id in store.origins]
    actor_index: dict[str, list] = {}
    for actor in actors:
        for name in {folded(n) for n in (actor.name, *actor.names.values(), *actor.aliases)}:
            actor_index.setdefault(name, []).append(actor)
    for actor in actors:
        for i, alias in enumerate(actor.aliases):
            others = _others(actor, actor_index.get(folded(alias), []))
            if others:
                warn(actor, ("aliases", i), f"the alias '{alias}' names {_where(store, others[0])} too: an "
                                            f"import cannot tell which a dataset's '{alias}' is, and proposes "
                                            "a new actor instead", hint="keep the alias on one of them")


def _place_keys(kind: str, names: list[str]) -> set[tuple]:
    """How an import compares each name of a place of this kind: folded, and as `place_key`."""
    kinds = family(kind)
    words = generic_words(kinds)
    return {(kinds, key) for name in names for key in (folded(name), place_key(name, words))}


def _others(entry, found: list) -> list:
    return list({e.id: e for e in found if e.id != entry.id}.values())


def _where(store: Store, entry) -> str:
    origin = store.origins[entry.id]
    return f"'{entry.id}' ({origin.file}:{origin.line_of('id')})"


def _family_word(kind: str) -> str:
    return "place" if len(family(kind)) > 1 else kind
