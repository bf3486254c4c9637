"""The store as loaded (store.py loads it): its entries by kind and id, where each was written
(Origin: the file, and the entry's path inside its document, for every message's line), and what
later stages keep beside it. Every stage reads the store through this class.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from sitrep.errors import Problem
from sitrep.source.dates import FuzzyDate
from sitrep.source.schema import KINDS, Actor, Area, Figure, Incident, Model, Movement, Narrative, Place, Route, Source
from sitrep.source.yamlsource import YamlDocument


@dataclass(frozen=True)
class Origin:
    """Where an entry was written: its file, and its path inside that file's document."""

    doc: YamlDocument
    path: tuple

    @property
    def file(self) -> str:
        return self.doc.file

    @property
    def line(self) -> int:
        return self.doc.line_of(self.path)

    def line_of(self, *fields) -> int:
        return self.doc.line_of(self.path + tuple(fields))


@dataclass
class Store:
    root: Path
    files: list[str] = field(default_factory=list)
    sources: dict[str, Source] = field(default_factory=dict)
    places: dict[str, Place] = field(default_factory=dict)
    actors: dict[str, Actor] = field(default_factory=dict)
    figures: dict[str, Figure] = field(default_factory=dict)
    incidents: dict[str, Incident] = field(default_factory=dict)
    routes: dict[str, Route] = field(default_factory=dict)
    areas: dict[str, Area] = field(default_factory=dict)
    movements: dict[str, Movement] = field(default_factory=dict)
    narrative: dict[str, Narrative] = field(default_factory=dict)
    origins: dict[str, Origin] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    # ids of entries that failed validation: references to them are not reported again
    broken_ids: set[str] = field(default_factory=set)
    # a link in the store was refused unread: what its file holds is unknown, so no reference
    # is reported as unknown (it may well be defined there)
    unread_files: bool = False
    # id -> a 16-byte digest of the entry as written (its kind and its YAML values): changes
    # whenever the entry's text changes in a way that reaches its values. Computed while
    # parsing and kept in the store cache, so asking costs nothing (hashing the repr() of
    # every model of a large store took a third of a second).
    digests: dict[str, bytes] = field(default_factory=dict)
    # What later stages compute once per loaded store (the series of each edition: the build,
    # each report's number and neighbours, the fingerprints and trace all ask; a loaded store
    # never changes).
    memo: dict = field(default_factory=dict, repr=False, compare=False)
    # The rows `sitrep import` brought (source/bulk.py), attached by the pipeline after the
    # store is checked: its events are read a week at a time, through the series.
    bulk: object | None = field(default=None, repr=False, compare=False)
    # The day the store was checked against (no date after it): the day the series is as of,
    # unless a caller asks for another (report/series.py).
    as_of: dt.date | None = field(default=None, compare=False)

    def kind(self, name: str) -> dict[str, Model]:
        return getattr(self, name)

    def counts(self) -> dict[str, int]:
        """Entries of each kind in the store's files (not those `sitrep import` brought: bulk.py)."""
        if self.bulk is None:
            return {name: len(self.kind(name)) for name in KINDS}
        return {name: sum(1 for entry_id in self.kind(name) if entry_id in self.origins) for name in KINDS}

    def dated_facts(self) -> Iterator[tuple[Model, FuzzyDate]]:
        """Every dated fact with the date that places it in time."""
        for entry, _, date in self.dated_fields():
            yield entry, date

    def dated_fields(self) -> Iterator[tuple[Model, tuple, FuzzyDate]]:
        """Every dated fact, the path of its date field, and the date."""
        for figure in self.figures.values():
            yield figure, ("as_of",), figure.as_of
        for incident in self.incidents.values():
            yield incident, ("date",), incident.date
        for entry in (*self.routes.values(), *self.areas.values()):
            for u, update in enumerate(entry.updates):
                yield entry, ("updates", u, "as_of"), update.as_of
        for movement in self.movements.values():
            yield movement, ("period",), movement.period
