"""`sitrep trace ID`: from a number in the report back to the store.

Given an entry's id (the HTML carries it as `data-fact`), say where it was written, field by
field with line numbers, which sources it cites and where those are defined, how well sourced
it is, what it refers to, what refers to it, and which weekly reports show it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sitrep.errors import Problem, StoreError, did_you_mean
from sitrep.report.series import available_weeks
from sitrep.source import vocabulary as vocab
from sitrep.source.checks import citation_lists, references
from sitrep.source.provenance import grade
from sitrep.source.schema import KIND_SINGULAR, KINDS, Citation, Model
from sitrep.source.store import Store


@dataclass
class Located:
    """A value and where it was written."""

    text: str
    file: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class CitationTrace:
    written_at: Located  # the citation in the entry
    source: Located  # the source's definition
    via: Located | None
    reliability: str
    credibility: int | None
    date: str | None
    url: str | None
    note: str | None
    restricted: bool  # the source (or the outlet) is withheld from public editions


@dataclass
class Trace:
    id: str
    kind: str  # 'figure'
    at: Located  # the entry's first line
    fields: list[Located]  # every line of the entry as written, with its line number
    citations: list[CitationTrace] = field(default_factory=list)
    sourcing: str | None = None  # '1 independent source, best grade F3: reported as a claim'
    refers_to: list[Located] = field(default_factory=list)
    referred_by: list[Located] = field(default_factory=list)
    sensitivity: str = "public"
    public_weeks: list[str] = field(default_factory=list)
    internal_weeks: list[str] = field(default_factory=list)


def find_entry(store: Store, entry_id: str) -> tuple[str, Model]:
    """(kind, entry) for an id; a StoreError with the nearest ids when there is none."""
    for kind in KINDS:
        if entry_id in store.kind(kind):
            return kind, store.kind(kind)[entry_id]
    every_id = [i for kind in KINDS for i in store.kind(kind)]
    raise StoreError(Problem("sitrep trace", 0, f"no entry with id '{entry_id}' in the store",
                             expected="an id from the store, as the report's HTML shows in data-fact",
                             hint=did_you_mean(entry_id, every_id)))


def trace(store: Store, entry_id: str) -> Trace:
    kind, entry = find_entry(store, entry_id)
    origin = store.origins[entry_id]
    result = Trace(entry_id, KIND_SINGULAR[kind], Located(entry_id, origin.file, origin.line),
                   fields=list(_written_lines(origin)), sensitivity=getattr(entry, "sensitivity", "public"))
    citations = [(fields + (i,), citation) for fields, cited in citation_lists(entry)
                 for i, citation in enumerate(cited)]
    for fields, citation in citations:
        result.citations.append(_citation_trace(store, origin.line_of(*fields), origin.file, citation))
    if citations:
        graded = grade((c for _, c in citations), store.sources)
        plural = "s" if graded.independent_sources != 1 else ""
        wording = "as a claim ('Reported by …')" if graded.weak else "as fact"
        result.sourcing = (f"{graded.independent_sources} independent source{plural}, best grade {graded.code}. "
                           f"{graded.explanation} The report shows it {wording}.")
    for referrer, fields, target, target_kind in references(store):
        if referrer.id == entry_id and target_kind != "sources":
            defined = store.origins.get(target)
            name = getattr(store.kind(target_kind).get(target), "name", None) or target
            result.refers_to.append(Located(f"{'.'.join(str(f) for f in fields)}: {target} ({name})",
                                            defined.file if defined else "?", defined.line if defined else 0))
        elif target == entry_id:
            where = store.origins[referrer.id]
            result.referred_by.append(Located(f"{referrer.id} ({'.'.join(str(f) for f in fields)})",
                                              where.file, where.line_of(*fields)))
    dates = [date for fact, date in store.dated_facts() if fact.id == entry_id]
    for edition, weeks in (("public", result.public_weeks), ("internal", result.internal_weeks)):
        for week in available_weeks(store, edition):
            if any(date.overlaps(week.start, week.end) for date in dates):
                if edition == "internal" or result.sensitivity == "public":
                    weeks.append(str(week))
    return result


def _citation_trace(store: Store, line: int, file: str, citation: Citation) -> CitationTrace:
    source = store.sources[citation.source]

    def defined(source_id: str) -> Located:
        where = store.origins[source_id]
        return Located(f"{source_id} ({store.sources[source_id].name})", where.file, where.line)

    restricted = any(store.sources[s].sensitivity == "restricted" for s in (citation.source, citation.via) if s)
    return CitationTrace(
        written_at=Located(citation.source, file, line),
        source=defined(citation.source),
        via=defined(citation.via) if citation.via else None,
        reliability=source.reliability,
        credibility=citation.credibility,
        date=str(citation.date) if citation.date else None,
        url=citation.url,
        note=citation.note,
        restricted=restricted,
    )


def _written_lines(origin) -> list[Located]:
    """The entry as the analyst wrote it: one line per value, with the line it is on."""
    lines: list[Located] = []

    def add(text: str, line: int) -> None:
        lines.append(Located(text, origin.file, line))

    def walk(value, path: tuple, indent: str, label: str) -> None:
        """`label` is what precedes the value on its line: 'key:', '-', or '' at the top."""
        line = origin.doc.line_of(path)
        lead = f"{indent}{label} " if label else indent
        if isinstance(value, dict) and value and all(origin.doc.line_of(path + (k,)) == line for k in value):
            # Written on one line, like {source: x, credibility: 2}: print it as one line.
            add(lead + "{" + ", ".join(f"{k}: {_scalar(v)}" for k, v in value.items()) + "}", line)
        elif isinstance(value, dict):
            keys = list(value)
            if label == "-" and keys and origin.doc.line_of(path + (keys[0],)) == line:
                # A block list item whose first key shares the dash's line: "- as_of: 2016-06".
                walk(value[keys[0]], path + (keys[0],), indent, f"- {keys[0]}:")
                keys = keys[1:]
            elif label:
                add(lead.rstrip(), line)
            child_indent = indent + "  " if label else indent
            for key in keys:
                walk(value[key], path + (key,), child_indent, f"{key}:")
        elif isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
            add(lead.rstrip(), line)
            for i, item in enumerate(value):
                walk(item, path + (i,), indent + "  ", "-")
        else:
            add(lead + _scalar(value), line)

    data = origin.doc.data
    for step in origin.path:
        data = data[step]
    walk(data, origin.path, "", "")
    return lines


def _scalar(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, str):
        text = " ".join(value.split())
        return text if len(text) <= 100 else text[:97] + "..."
    return str(value)


def format_trace(result: Trace) -> str:
    """The trace as the CLI prints it."""
    out = [f"{result.id}: {result.kind}, {result.at.where}"
           + (" (restricted: internal editions only)" if result.sensitivity == "restricted" else "")]
    out.append("")
    width = len(str(max(f.line for f in result.fields)))
    out += [f"  {f.line:>{width}}  {f.text}" for f in result.fields]
    if result.citations:
        out += ["", "Citations:"]
        for number, c in enumerate(result.citations, start=1):
            grade_text = f"reliability {c.reliability} ({vocab.RELIABILITY[c.reliability].lower()})"
            if c.credibility:
                grade_text += f", credibility {c.credibility} ({vocab.CREDIBILITY[c.credibility].lower()})"
            out.append(f"  {number}. {c.source.text}, {grade_text}")
            out.append(f"     cited at {c.written_at.where}; source defined at {c.source.where}")
            if c.via:
                out.append(f"     via {c.via.text}, defined at {c.via.where}")
            for label, value in (("date", c.date), ("url", c.url), ("note", c.note)):
                if value:
                    out.append(f"     {label}: {value}")
            if c.restricted:
                out.append("     restricted source: public editions print its public name only")
    if result.sourcing:
        out += ["", f"Sourcing: {result.sourcing}"]
    if result.refers_to:
        out += ["", "Refers to:"] + [f"  {r.text}, defined at {r.where}" for r in result.refers_to]
    if result.referred_by:
        out += ["", f"Referred to by {len(result.referred_by)}:"] + [f"  {r.text} at {r.where}" for r in result.referred_by]
    if result.public_weeks or result.internal_weeks:
        out += ["", f"In the public reports of: {_weeks(result.public_weeks)}",
                f"In the internal reports of: {_weeks(result.internal_weeks)}"]
    return "\n".join(out)


def _weeks(weeks: list[str]) -> str:
    return ", ".join(weeks) if weeks else "none"
