"""How well sourced a fact is: independent sources, best Admiralty grade, and whether the
report may state it as fact or must attribute it ("reported by …").

The Admiralty (NATO) system grades a source's reliability A (completely reliable) to E
(unreliable), F when it cannot be judged, and each piece of information's credibility
1 (confirmed by other sources) to 5 (improbable), 6 when it cannot be judged. A grade reads
as the pair: "B2" is a usually reliable source reporting something probably true.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator, Mapping

from sitrep.source import vocabulary as vocab
from sitrep.source.dates import FuzzyDate, IsoWeek
from sitrep.source.schema import Citation, Source

# A claim that rests on one source graded below this, or on information graded doubtful or
# worse, is attributed to its source in the report instead of being stated as fact.
SOUND_RELIABILITY = ("A", "B", "C")
SOUND_CREDIBILITY = (1, 2, 3)


@dataclass(frozen=True)
class Grade:
    """The sourcing of one fact, worked out from its citations."""

    originators: tuple[str, ...]  # the independent sources (ids), best graded first
    reliability: str  # the best reliability among them, A-F
    credibility: int | None  # the best credibility the citations give, 1-6 (None: none graded)

    @property
    def independent_sources(self) -> int:
        return len(self.originators)

    @property
    def code(self) -> str:
        """'B2', or 'B' when no citation graded the information itself."""
        return f"{self.reliability}{self.credibility or ''}"

    @property
    def single_source(self) -> bool:
        return self.independent_sources == 1

    @property
    def weak(self) -> bool:
        """One source only, and that source or its information is not graded sound: the
        report must say who claims it, not state it."""
        doubtful_information = self.credibility is not None and self.credibility not in SOUND_CREDIBILITY
        return self.single_source and (self.reliability not in SOUND_RELIABILITY or doubtful_information)

    @property
    def explanation(self) -> str:
        """'Source usually reliable (B); information probably true (2).' (English: the report
        stage says it in the edition's language)."""
        text = vocab.RELIABILITY_EXPLAINED[self.reliability]
        if self.credibility is not None:
            text += f"; {vocab.CREDIBILITY_EXPLAINED[self.credibility]}"
        return text + "."


def grade(cited: Iterable[Citation], sources: Mapping[str, Source]) -> Grade:
    """Grade a fact by its citations. Independence is by originator (`source`): the same
    official quoted by two outlets is one source; the outlet (`via`) adds no independence."""
    cited = list(cited)
    originators = sorted({c.source for c in cited}, key=lambda s: (_reliability_rank(sources[s].reliability), s))
    reliability = sources[originators[0]].reliability
    graded = [c.credibility for c in cited if c.credibility is not None]
    credibility = min(graded) if graded else None  # 1-5 in order, 6 ("cannot be judged") last
    return Grade(tuple(originators), reliability, credibility)


def _reliability_rank(letter: str) -> int:
    # A-E in order; F ("cannot be judged") ranks below E: it is no evidence of reliability.
    return "ABCDEF".index(letter)


def cites_withheld(citation: Citation, sources: Mapping[str, Source]) -> bool:
    """The citation's source, or the outlet that relayed it, is restricted: a public edition
    prints nothing of it but a public name (not even its date)."""
    return any(sources[s].sensitivity == "restricted" for s in (citation.source, citation.via) if s)


def reported_dates(cited: Iterable[Citation], sources: Mapping[str, Source], public_only: bool,
                   date: FuzzyDate | None = None) -> Iterator[FuzzyDate]:
    """The dates the citations were reported on, as an edition may use them to date a fact
    (whose own date is `date`). In a public edition, a withheld citation counts from the later
    of the last day of the ISO week its date ends in and the last day of the fact's date: the
    fact never enters a public report before a source reported it, and when it surfaced tells
    nothing of when a withheld source spoke, or (when the source spoke after the fact's date)
    no more than the week, which the report it enters tells anyway."""
    for c in cited:
        if c.date is None:
            continue
        if public_only and cites_withheld(c, sources):
            week = IsoWeek.containing(c.date.end)
            if date is not None and date.end >= week.end:
                yield date
            else:
                yield FuzzyDate(week.start, week.end, "week", str(week))
        else:
            yield c.date
