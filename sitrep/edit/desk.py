"""The desk: what `sitrep edit` opens on. This week's entries, what the week's report will say,
and what needs attention, each with a link to the entry and field that fixes it.

"This week" is the week of the series' latest report (or --week), as `sitrep serve` and `sitrep
build` resolve it for config.yaml's edition, and what that report brings is counted as check and
weeks count it; its entries are those that enter the internal edition's series in that report
(report/series.py: what became known that week), so that restricted ones are listed, marked. What needs attention is `check`'s warnings,
the very problems `sitrep check` prints, each placed at its entry and, through the round-trip
writer's map of the file, at the field its line holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sitrep.errors import Problem, SitrepError
from sitrep.source.schema import KIND_SINGULAR, KINDS, count_of


@dataclass(frozen=True)
class DeskEntry:
    kind: str  # a key of schema.KINDS
    id: str
    title: str  # what the entry is, in a few words
    restricted: bool

    @property
    def link(self) -> str:
        return entry_link(self.kind, self.id)


@dataclass(frozen=True)
class Attention:
    """One warning of `check`, and where to fix it."""

    text: str  # as `sitrep check` prints it
    link: str  # /entry/<kind>/<id>#field-<name>, or "" for a warning no entry holds


@dataclass
class Desk:
    week: str = ""  # "2016-W26", or "" when the store has no report (or cannot be loaded)
    number: int = 0  # the report's number in the series
    counts: dict[str, int] = field(default_factory=dict)  # what the week brings, by kind
    entries: list[DeskEntry] = field(default_factory=list)

    @property
    def brings(self) -> list[str]:
        """What the week's report brings, as check counts it: '6 figures', '1 route'."""
        return [count_of(n, kind) for kind, n in self.counts.items()]

    attention: list[Attention] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # the store does not check: `check`'s errors


def entry_link(kind: str, entry_id: str, field_name: str = "") -> str:
    from urllib.parse import quote

    from sitrep.edit.forms import field_id

    anchor = f"#{field_id(field_name)}" if field_name else ""
    return f"/entry/{quote(kind)}/{quote(entry_id)}{anchor}"


def kind_of(store, entry_id: str) -> str | None:
    """The kind whose entries hold `entry_id`, if any."""
    return next((kind for kind in KINDS if entry_id in store.kind(kind)), None)


def load_desk(config_path: Path | str, week: str | None = None) -> Desk:
    """The desk's data for the workspace as it is now; a store that does not check gives a desk of
    its errors (which the editor lets the user fix) rather than an exception."""
    from sitrep.pipeline import check

    try:
        workspace = check(config_path, templates=True)
        edition = workspace.config.edition
        series = workspace.series(edition)
        desk = Desk(attention=[attention_of(workspace.store, problem) for problem in workspace.warnings])
        if not series.reports:
            return desk
        iso_week = workspace.resolve(week, edition)
    except SitrepError as error:
        return Desk(errors=[str(problem) for problem in error.problems],
                    attention=[Attention(str(problem), "") for problem in error.problems
                               if problem.severity != "error"])
    desk.week, desk.number = str(iso_week), series.number(iso_week)
    desk.counts = {kind: n for kind, n in series.count_arrived(iso_week).items() if n}
    seen: set[str] = set()
    # Every entry of the week, restricted ones too (marked): the desk is the team's, not the public's.
    everything = workspace.series("internal") if edition != "internal" else series
    for arrival in everything.arrived_in(iso_week):
        entry = arrival.entry
        kind = kind_of(workspace.store, entry.id)
        if kind is None or entry.id in seen:  # imported events live in the bulk store, not in a file
            continue
        seen.add(entry.id)
        desk.entries.append(DeskEntry(kind, entry.id, describe(entry, kind),
                                      getattr(entry, "sensitivity", "public") == "restricted"))
    return desk


def describe(entry, kind: str) -> str:
    """A few words for the entry: its name, its metric or its type, and its date."""
    words = [str(getattr(entry, name)) for name in ("name", "metric", "type", "kind") if getattr(entry, name, None)]
    date = getattr(entry, "date", None) or getattr(entry, "as_of", None)
    if date is not None:
        words.append(getattr(date, "text", str(date)))
    return " · ".join(words[:2]) or KIND_SINGULAR.get(kind, kind)


def attention_of(store, problem: Problem) -> Attention:
    """A warning with the link to the field its line holds (the entry's top when the line is not
    inside a field the writer can name)."""
    kind = kind_of(store, problem.entry_id) if problem.entry_id else None
    if kind is None:
        return Attention(str(problem), "")
    return Attention(str(problem), entry_link(kind, problem.entry_id, field_at(problem)))


def field_at(problem: Problem) -> str:
    """The form field name ("cited.0.source") of the value on the problem's line, or ""."""
    from sitrep.edit import yamledit

    path = Path(problem.file)
    if not problem.line or not path.is_file():
        return ""
    try:
        where = yamledit.field_at_line(path.read_text(encoding="utf-8"), problem.line)
    except (OSError, UnicodeDecodeError, SitrepError):
        return ""
    return ".".join(str(part) for part in where[2]) if where else ""
