"""The analyst's narrative as the report prints it: every number it states carries its source.

Narrative text refers to a store entry as [[entry-id]] (docs/store.md, "Numbers in your own words").
A reference to a figure prints the figure as the tables do — its qualifier, number and unit,
attributed when it rests on one weak source — followed by its citations; a reference to an
incident, route, area or movement prints only its citations; words between backticks ('`24`
hours') are printed without them. The store's checks refuse a reference to an unknown entry, to
a restricted one from public narrative, and to an entry not yet known in the narrative's week,
and warn about a number narrative text states with no source (source/narrativenumbers.py).

The report does not rely on them: a report printing what its edition withholds, or a claim
without its source, is published for good, so `refused_narrative` applies the same rules to the
edition being built, whatever ran before it (a check skipped, a store loaded by other code), and
the report is refused. A public edition refuses an uncited number too; the internal edition, for
the desk's eyes, prints it (and `sitrep check` warns).
"""

from __future__ import annotations

import datetime as dt
from typing import Callable, Iterable

from sitrep.errors import Problem, did_you_mean
from sitrep.language import Language, speaking
from sitrep.report.context import Prose, ProsePart
from sitrep.report.series import Series
from sitrep.source.checks import DATED_KINDS, narrative_texts
from sitrep.source.dates import IsoWeek, format_day
from sitrep.source.narrativenumbers import CITE_IT, NOT_A_CLAIM_HINT, language_of, uncited_message, uncited_numbers, unmarked
from sitrep.source.schema import NARRATIVE_REFERENCE, Narrative
from sitrep.source.store import Store

# id -> what the reference prints: the words ('about 30,000–40,000 people', or '' for a
# citation only) and their citation numbers
Resolver = Callable[[str], ProsePart]


def expand(text: str, resolve: Resolver) -> Prose:
    """Narrative text with its [[id]] references replaced by what they print, and its marks of
    what is not a claim (`24` hours) removed."""
    text = unmarked(text)
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


def printed_narrative(store: Store, week: IsoWeek, edition: str) -> list[Narrative]:
    """The week's narrative an edition prints: all of it in the internal edition, the public
    entries in a public one."""
    return [n for n in store.narrative.values()
            if n.week == str(week) and (edition == "internal" or n.sensitivity == "public")]


def refused_narrative(store: Store, series: Series, weeks: Iterable[IsoWeek], edition: str) -> list[Problem]:
    """What the weeks' narrative holds that the edition's reports must not print: a refused
    [[id]] reference (`refused_references`), and in a public edition a number stated with no
    source (`uncited_claims`)."""
    weeks = list(weeks)
    return refused_references(store, series, weeks, edition) + uncited_claims(store, weeks, edition)


def uncited_claims(store: Store, weeks: Iterable[IsoWeek], edition: str) -> list[Problem]:
    """Each text of the weeks' public narrative, in every language it is written in (a build
    makes every language of the edition, and none should go out while one cannot), that
    states a number with no source, as a problem at its file and line. None for the internal
    edition."""
    if edition == "internal":
        return []
    problems = []
    for week in weeks:
        for narrative in printed_narrative(store, week, edition):
            origin = store.origins[narrative.id]
            for fields, text in narrative_texts(narrative):
                if numbers := uncited_numbers(text, language_of(fields)):
                    problems.append(Problem(
                        origin.file, origin.line_of(*fields),
                        f"{uncited_message(numbers, language_of(fields))}: a public report prints no claim without its source",
                        expected=f"{'it' if len(numbers) == 1 else 'each'} cited: {CITE_IT}",
                        entry_id=narrative.id, hint=NOT_A_CLAIM_HINT))
    return problems


def refused_references(store: Store, series: Series, weeks: Iterable[IsoWeek], edition: str) -> list[Problem]:
    """Each [[id]] in the weeks' narrative (every language of it) that the edition's reports
    must not print, as a problem at its file and line: an entry the store does not hold, a
    restricted one in a public edition, and one the edition does not know by the week's end.
    A public edition dates a fact without the reports of withheld sources (report/timeline.py),
    so an entry known by then only through one of them is refused too: printing it would tell
    when the withheld source spoke."""
    problems: dict[Problem, None] = {}  # in order, each once (a text may repeat a reference)
    with speaking(Language()):  # sitrep's messages are English, whatever the edition's language
        for week in weeks:
            for narrative in printed_narrative(store, week, edition):
                origin = store.origins[narrative.id]
                for fields, text in narrative_texts(narrative):
                    for match in NARRATIVE_REFERENCE.finditer(text):
                        refusal = _refusal(store, match[1], series.known_from(match[1]), week, edition)
                        if refusal:
                            message, expected, hint = refusal
                            problems[Problem(origin.file, origin.line_of(*fields), f"[[{match[1]}]]: {message}",
                                             expected=expected, entry_id=narrative.id, hint=hint)] = None
    return list(problems)


def _refusal(store: Store, target: str, known: dt.date | None, week: IsoWeek,
             edition: str) -> tuple[str, str, str] | None:
    """(message, expected, hint) when the edition's report of `week` must not print [[target]]."""
    kind = next((k for k in DATED_KINDS if target in store.kind(k)), None)
    if kind is None:
        dated = [entry_id for k in DATED_KINDS for entry_id in store.kind(k)]
        return f"unknown entry '{target}'", "the id of a figure, incident, route, area or movement", did_you_mean(target, dated)
    entry = store.kind(kind)[target]
    if edition != "internal" and getattr(entry, "sensitivity", "public") == "restricted":
        return (f"public narrative refers to the restricted {kind[:-1]} '{target}'",
                "a public entry, or this narrative marked 'sensitivity: restricted' too",
                "a public edition never prints what is restricted")
    if known is None or known > week.end:
        when = f"only from {format_day(known)}" if known else "in none of its reports"
        return (f"the narrative of week {week} refers to '{target}', which the {edition} edition knows {when}",
                f"an entry known by {format_day(week.end)}, the end of week {week}",
                "a report cannot cite what was not yet known (in a public edition, a withheld source's report "
                "does not count); move the narrative to a later week")
    return None
