"""The analyst's narrative as the report prints it: every number it states carries its source.

Narrative text refers to a store entry as [[entry-id]] (README, "Numbers in your own words").
A reference to a figure prints the figure as the tables do — its qualifier, number and unit,
attributed when it rests on one weak source — followed by its citations; a reference to an
incident, route or movement prints only its citations. The store's checks refuse a reference
to an unknown entry, to a restricted one from public narrative, and to an entry not yet known
in the narrative's week, and warn about a bare number in narrative text.
"""

from __future__ import annotations

from typing import Callable

from sitrep.report.context import Prose, ProsePart
from sitrep.source.schema import NARRATIVE_REFERENCE

# id -> what the reference prints: the words ('about 30,000–40,000 people', or '' for a
# citation only) and their citation numbers
Resolver = Callable[[str], ProsePart]


def expand(text: str, resolve: Resolver) -> Prose:
    """Narrative text with its [[id]] references replaced by what they print."""
    parts: list[ProsePart] = []
    position = 0
    for match in NARRATIVE_REFERENCE.finditer(text):
        before = text[position:match.start()]
        referred = resolve(match[1])
        if referred.text:
            parts.append(ProsePart(before + referred.text, referred.citations))
        elif parts and not before.strip():  # references side by side: one list of citations
            parts[-1].citations = sorted(set(parts[-1].citations) | set(referred.citations))
        else:  # a citation only: right after the words before it ('held back by force [4].')
            parts.append(ProsePart(before.rstrip(), referred.citations))
        position = match.end()
    if position < len(text):
        parts.append(ProsePart(text[position:]))
    if parts and parts[0].text[:1].islower() and text.startswith("[["):
        parts[0].text = parts[0].text[0].upper() + parts[0].text[1:]  # 'About 30,000…' at a sentence's start
    return Prose(parts or [ProsePart("")])


def plain(text: str, citations: list[int] | None = None) -> Prose:
    """Text of the report's own making, with the citations of what it states."""
    return Prose([ProsePart(text, list(citations or []))])
