"""Why an import proposed an entry rather than match one of the store's: said in the import's
summary (the first few) and as a comment above each proposal in bulk/proposed.yaml, so that a
person can tell a new place from a spelling the store lacks ("closest: Anbar governorate
(anbar), a governorate (name differs: 'Anbar'); add 'Anbar' to its aliases to match").

A reason names the store's closest entry of the same kind family: one of the same name that
does not fit (another kind, another P-code, too far, without coordinates; or two that fit, which
an import must not choose between), else the one of the most alike name (difflib: a hint for a
person, never a match), else none. Reasons are worked out when asked, against the store as it is
now, so those of earlier imports' proposals are as true as today's.
"""

from __future__ import annotations

import yaml

from sitrep.exchange.matching import NAME_MATCH_KM, Matcher, distance_km, entry_names
from sitrep.source.names import (ALL_GENERIC_WORDS, actor_key, closest, family, folded, generic_words, place_key,
                                 trailers_agree)

SUMMARY_REASONS = 5  # the import's summary names this many; proposed.yaml has them all


def why(matcher: Matcher, kind: str, entry) -> str:
    """Why `entry` (a place, actor or source proposed) matched none of the store's own entries."""
    return {"places": _why_place, "actors": _why_actor, "sources": _why_source}[kind](matcher, entry)


def reasons(matcher: Matcher, entries: dict[str, list]) -> dict[str, dict[str, str]]:
    """kind -> proposed id -> why it is proposed."""
    return {kind: {e.id: why(matcher, kind, e) for e in entries.get(kind, [])} for kind in ("places", "actors", "sources")}


def _label(entry) -> str:
    return f"{entry.name} ({entry.id})"


def _curated(matcher: Matcher, kind: str) -> list:
    entries = getattr(matcher, kind)
    return [entries[i] for i in sorted(matcher.curated[kind]) if i in entries]


def _why_place(matcher: Matcher, place) -> str:
    kinds = family(place.kind)
    words = generic_words(kinds)
    ours = matcher.curated["places"]
    named = [c for c in matcher.relaxed_index(words).get(place_key(place.name, words), []) if c.id in ours]
    fitting = [c for c in named if matcher.fits(c, place.lat, place.lon, place.pcode, kinds)]
    if len(fitting) > 1 and place.lat is None:
        return (f"ambiguous: '{place.name}' names {' and '.join(_label(c) for c in fitting[:2])}, of the same kind; "
                "an import will not choose: keep the name or alias on one of them")
    if fitting:
        return f"the store's {_label(fitting[0])} now matches it: import the file again to use it"
    # Called alike once every kind's generic word is dropped: 'Haditha' the town, 'Haditha district'.
    alike = [c for c in matcher.relaxed_index(ALL_GENERIC_WORDS).get(place_key(place.name, ALL_GENERIC_WORDS), [])
             if c.id in ours]
    for c in alike:
        return f"closest: {_label(c)}, {_a(c.kind)}{_misfit(place, c, kinds)}"
    # For a row with coordinates, only a place an alias would match: one within NAME_MATCH_KM.
    keyed = [(place_key(n, words), c) for c in _curated(matcher, "places")
             if c.kind in kinds and matcher.fits(c, place.lat, place.lon, None, kinds) for n in entry_names(c)]
    closest_one = closest(place_key(place.name, words), keyed)[1]
    if closest_one is None:
        return f"no {_kind_words(kinds)} of the store is named alike"
    return f"closest: {_label(closest_one)}, {_a(closest_one.kind)}{_name_differs(place, closest_one)}"


def _misfit(place, candidate, kinds) -> str:
    """What keeps a place called as the proposal is from being its match."""
    if candidate.kind not in kinds:
        return f" (kind differs: {_kind_words(kinds, article=True)} was wanted)"
    if place.pcode and candidate.pcode and folded(place.pcode) != folded(candidate.pcode):
        return f" (P-code differs: {candidate.pcode}, not the row's {place.pcode})"
    if place.lat is not None and candidate.lat is None:
        return " (it has no coordinates to compare with the row's; add lat: and lon:)"
    if place.lat is not None and distance_km(place.lat, place.lon, candidate.lat, candidate.lon) > NAME_MATCH_KM:
        km = distance_km(place.lat, place.lon, candidate.lat, candidate.lon)
        return f" ({km:.0f} km away: the same name matches within {NAME_MATCH_KM:.0f} km)"
    return _name_differs(place, candidate)


def _name_differs(place, candidate) -> str:
    away = ""
    if None not in (place.lat, candidate.lat):
        away = f", {distance_km(place.lat, place.lon, candidate.lat, candidate.lon):.0f} km away"
    return f" (name differs: '{place.name}'{away}); add '{place.name}' to its aliases to match"


def _a(kind: str) -> str:
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"


def _kind_words(kinds: tuple[str, ...], article: bool = False) -> str:
    if len(kinds) > 1:
        return "a place (city, town, village...)" if article else "place"
    return _a(kinds[0]) if article else kinds[0]


def _why_actor(matcher: Matcher, actor) -> str:
    candidates = _curated(matcher, "actors")
    key = folded(actor.name)
    base, trailer = actor_key(actor.name)
    same = [c for c in candidates if key in {folded(n) for n in entry_names(c)}]
    based = [(c, n) for c in candidates for n in entry_names(c) if actor_key(n)[0] == base]
    agreeing = list(dict.fromkeys(c for c, n in based if trailers_agree(trailer, actor_key(n)[1])))
    if len(same) > 1 or (not same and len(agreeing) > 1):
        names = same if len(same) > 1 else agreeing
        return (f"ambiguous: '{actor.name}' names {' and '.join(_label(c) for c in names[:2])}; "
                "an import will not choose: keep the name or alias on one of them")
    if same or agreeing:
        return f"the store's {_label((same or agreeing)[0])} now matches it: import the file again to use it"
    if based:
        c, name = based[0]
        return (f"closest: {_label(c)}, {_a(c.kind)} ('{name}' is of another country or period); "
                f"add '{actor.name}' to its aliases if it is the same")
    closest_one = closest(base, [(actor_key(n)[0], c) for c in candidates for n in entry_names(c)])[1]
    if closest_one is not None:
        return (f"closest: {_label(closest_one)}, {_a(closest_one.kind)} (name differs: '{actor.name}'); "
                f"add '{actor.name}' to its aliases to match")
    return f"no actor of the store is named alike; if it is one of them, add '{actor.name}' to its aliases"


def _why_source(matcher: Matcher, source) -> str:
    candidates = _curated(matcher, "sources")
    key = folded(str(source.name))
    for c in candidates:
        if key in (folded(str(c.name)), folded(c.id)):
            return f"the store's {_label(c)} now matches it: import the file again to use it"
    closest_one = closest(key, [(folded(str(c.name)), c) for c in candidates])[1]
    if closest_one is not None:
        return (f"closest: {_label(closest_one)} (name differs: '{source.name}'); if it is the same, "
                f"name it '{source.name}' in the store or give it the proposal's id")
    return "no source of the store is named alike"


def summary_lines(proposed: dict[str, list[str]], why_of: dict[str, dict[str, str]], dry_run: bool) -> list[str]:
    """The import summary's lines on why: the first proposals whose reason names a store entry
    (the ones a person may want to match instead), then how many more there are."""
    named = [(kind, pid, why_of[kind][pid]) for kind, ids in proposed.items() for pid in ids
             if why_of.get(kind, {}).get(pid, "").startswith(("closest", "ambiguous", "the store's"))]
    lines = [f"    {kind[:-1]} {pid}: {reason}" for kind, pid, reason in named[:SUMMARY_REASONS]]
    more = len(named) - SUMMARY_REASONS
    if more > 0:
        lines.append(f"    and {more:,} more like {'them' if more > 1 else 'it'}"
                     + ("" if dry_run else ", each with its reason in proposed.yaml"))
    return lines


def proposed_yaml(entries: dict[str, list], why_of: dict[str, dict[str, str]] | None = None) -> str:
    """bulk/proposed.yaml: the places, actors and sources imports proposed, in the store's
    format, each under a comment saying why it is proposed, for a person to review and copy
    into the store."""
    why_of = why_of or {}
    header = ("# Proposed by `sitrep import` for what the imported rows name and the store lacks. sitrep reads\n"
              "# them from the bulk tables, not from here. To curate one, copy it into a file of the store\n"
              "# (facts/) and correct it there: the store's entry then replaces the proposal. A proposed\n"
              "# source is graded F (reliability cannot be judged) until you grade it. The comment above\n"
              "# each says why it matched no entry of the store: to match it to one, add its name to that\n"
              "# entry's aliases and import the file again.\n")
    parts = []
    for kind in ("sources", "places", "actors"):
        if not entries.get(kind):
            continue
        parts.append(f"{kind}:\n")
        for entry in sorted(entries[kind], key=lambda e: e.id):
            reason = why_of.get(kind, {}).get(entry.id)
            if reason:
                parts.append(f"  # {' '.join(reason.split())}\n")
            dumped = yaml.safe_dump([entry.model_dump(mode="json", exclude_defaults=True, exclude_none=True)],
                                    sort_keys=False, allow_unicode=True, width=100)
            parts.append("".join(f"  {line}\n" for line in dumped.splitlines()))
    return header + "".join(parts)
