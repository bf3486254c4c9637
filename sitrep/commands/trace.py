"""`sitrep trace ID`: from a number in the report back to the store.

Given an entry's id (the HTML carries it as `data-fact`), say where it was written, field by
field with line numbers, which sources it cites and where those are defined, how well sourced
it is, what it refers to, what refers to it, and which weekly reports show it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sitrep.errors import Problem, StoreError, did_you_mean
from sitrep.report.series import Series, series_of
from sitrep.report.state import states
from sitrep.report.timeline import Arrival, latest_day
from sitrep.source import vocabulary as vocab
from sitrep.source.checks import citation_lists, narrative_texts, references
from sitrep.source.config import Config, ConfigModel, SeriesSettings
from sitrep.source.dates import IsoWeek, format_day, format_fuzzy, format_span
from sitrep.source.entries import Store
from sitrep.source.provenance import grade
from sitrep.source.schema import KIND_SINGULAR, KINDS, NARRATIVE_REFERENCE, Citation, Figure, Model
from sitrep.source.bulk import MODEL_COLUMNS as bulk_columns, incident_of


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
    public_weeks: list[str] = field(default_factory=list)  # the reports that print it
    internal_weeks: list[str] = field(default_factory=list)
    series: dict[str, list[str]] = field(default_factory=dict)  # edition -> its story in that series, line by line
    # An entry `sitrep import` brought: where it came from (dataset, record, file, format), what
    # the import assumed of it and the rows of its file it set aside, line by line.
    imported: list[str] = field(default_factory=list)


def find_entry(store: Store, entry_id: str) -> tuple[str, Model]:
    """(kind, entry) for an id; a StoreError with the nearest ids when there is none, or saying
    where an imported entry came from (trace follows the store's files)."""
    for kind in KINDS:
        if entry_id in store.kind(kind):
            if entry_id not in store.origins and getattr(store.kind(kind)[entry_id], "imported", None) is None:
                raise StoreError(_imported_problem(store.kind(kind)[entry_id], store))
            return kind, store.kind(kind)[entry_id]
    if store.bulk is not None:
        found = store.bulk.query(f"SELECT {', '.join(bulk_columns)} FROM events WHERE id = ?", [entry_id])
        if found:
            raise StoreError(_imported_problem(incident_of(dict(zip(bulk_columns, found[0]))), store))
    every_id = [i for kind in KINDS for i in store.kind(kind)]
    raise StoreError(Problem("sitrep trace", 0, f"no entry with id '{entry_id}' in the store",
                             expected="an id from the store, as the report's HTML shows in data-fact",
                             hint=did_you_mean(entry_id, every_id)))


def _imported_problem(entry: Model, store: Store) -> Problem:
    """What trace says of an entry `sitrep import` brought: its provenance, not a file's line."""
    imported = getattr(entry, "imported", None)
    if imported is None:  # a place, actor or source an import proposed
        return Problem("sitrep trace", 0, f"'{entry.id}' was proposed by `sitrep import` for rows it brought, and is "
                                          "in no file of the store",
                       expected="an entry of the store's files",
                       hint="see bulk/proposed.yaml; copy it into the store to curate it, then trace it")
    return Problem("sitrep trace", 0, f"'{entry.id}' was imported: {imported.dataset.upper()} record {imported.record}, "
                                      f"from {imported.file} (SHA-256 {imported.sha256[:12]}…) on {imported.on}",
                   expected="an entry of the store's files (trace follows them)",
                   hint="sitrep export acled --all gives imported events with their coding")


def trace(store: Store, entry_id: str, config: Config | None = None) -> Trace:
    """Everything about one entry; `config` sets the series (default: config.yaml's defaults)."""
    kind, entry = find_entry(store, entry_id)
    result = _written_trace(store, entry_id, kind, entry) if entry_id in store.origins else _imported_trace(entry)
    settings = config.series if config else SeriesSettings()
    key_metrics = config.key_metrics if config else ConfigModel.model_fields["key_metrics"].default
    for edition, weeks in (("public", result.public_weeks), ("internal", result.internal_weeks)):
        story = series_story(series_of(store, settings, edition), entry_id, key_metrics)
        result.series[edition] = [line for line, _ in story]
        weeks += sorted({str(week) for _, printed in story for week in printed})
    return result


def _imported_trace(entry: Figure) -> Trace:
    """An imported figure: what it says, where it came from, and what its import assumed and
    set aside (a count of 61,828 kept once, its site assessment's same count not added)."""
    imported = entry.imported
    result = Trace(entry.id, "figure", Located(entry.id, "bulk/", 0), fields=[],
                   sensitivity=getattr(entry, "sensitivity", "public"))
    result.imported = [f"{entry.metric} at {entry.place}: {entry.value:,.0f} {entry.unit}, as of {entry.as_of.text}",
                       f"{imported.dataset.upper()} record {imported.record}, from {imported.file} "
                       f"(SHA-256 {imported.sha256[:12]}…), imported on {imported.on}"]
    if imported.format:
        result.imported.append(f"format: {imported.format}")
    result.imported += [f"assumed: {text}" for text in imported.assumptions]
    result.imported += [f"set aside, not counted: {text}" for text in imported.set_aside]
    result.imported += [f"cited: {c.source}" + (f", {c.date}" if c.date else "") + (f", {c.url}" if c.url else "")
                        for c in entry.cited]
    return result


def _written_trace(store: Store, entry_id: str, kind: str, entry: Model) -> Trace:
    """An entry of the store's files: its lines, citations, references and what refers to it."""
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
            where = store.origins.get(referrer.id)
            if where is None:  # an imported figure (bulk/): no file's line
                result.referred_by.append(Located(f"{referrer.id} (imported: bulk/)", "bulk/manifest.json", 0))
                continue
            result.referred_by.append(Located(f"{referrer.id} ({'.'.join(str(f) for f in fields)})",
                                              where.file, where.line_of(*fields)))
    for narrative in store.narrative.values():  # the analyst's words that cite it as [[id]]
        for fields, text in narrative_texts(narrative):
            if any(match[1] == entry_id for match in NARRATIVE_REFERENCE.finditer(text)):
                where = store.origins[narrative.id]
                result.referred_by.append(Located(f"{narrative.id} ([[{entry_id}]] in {'.'.join(map(str, fields))})",
                                                  where.file, where.line_of(*fields)))
    return result


def series_story(series: Series, entry_id: str, key_metrics: list[str]) -> list[tuple[str, list[IsoWeek]]]:
    """Which reports of a series print the entry and how: the one it enters as news (and why
    then), the ones that carry it forward, and the one where it is superseded or goes stale.
    Each line comes with the weeks of the reports it says print the entry."""
    story = []
    for arrival in (a for a in series.arrivals if a.entry.id == entry_id):
        week = series.week_of(arrival)
        what = f"update {arrival.update_index + 1} ({arrival.date})" if arrival.update is not None else "it"
        if week not in series.position:  # its week has not ended: no report of it yet
            story.append((f"{what[0].upper()}{what[1:]} waits for the report of {week}, made once the week ends on "
                          f"{format_day(week.end)}: known on {format_day(arrival.known_on)}, {arrival.why}.", []))
            continue
        line = (f"{what[0].upper()}{what[1:]} enters report No. {series.number(week)} ({week}, "
                f"{format_span(week.start, week.end)}) as news: known on {format_day(arrival.known_on)}, {arrival.why}.")
        printed = [week]
        group = _state_group(arrival, key_metrics)
        if group is not None:
            carried, end, stale_in = _carried(series, arrival, week, group, key_metrics)
            if carried:
                line += f" Still shown as last reported in No. {_numbers(series, carried)}."
            printed += carried + ([stale_in] if stale_in else [])  # 'no longer reported' is said in that report
            if end:
                line += f" {end}"
        story.append((line, printed))
    return story


def _state_group(arrival: Arrival, key_metrics: list[str]):
    """What the entry is one report of, when reports carry it forward: a key figure (metric and
    place) or a route. None for news that is shown once (incidents, movements, other figures)."""
    entry = arrival.entry
    if arrival.update is not None:
        return ("route", entry.id)
    if isinstance(entry, Figure) and entry.metric in key_metrics:
        return ("figure", entry.metric, entry.place)
    return None


def _carried(series: Series, arrival: Arrival, entered: IsoWeek, group, key_metrics: list[str]
             ) -> tuple[list[IsoWeek], str, IsoWeek | None]:
    """The later reports that still show the arrival, how its showing ends, and the report that
    says it is no longer reported. Read from report/state.py, the states the reports are built
    from, so trace says what the reports print."""
    carried = []
    for week in series.reports[series.position[entered]:]:
        [state] = states(series, week, lambda a: group if _state_group(a, key_metrics) == group else None)
        if arrival in state.superseded:
            by = state.superseded[arrival]
            ended = (f"Superseded in No. {series.number(week)} ({week}) by {by.key}, a report as of "
                     f"{format_fuzzy(by.date)}")
            if week == entered:  # the report shows it as this week's, already replaced
                return carried, f"{ended}: No. {series.number(week)} shows it as since superseded.", None
            # A key figure's change names every report the news replaced (report/state.py); a
            # route's, when the status changed.
            if arrival.update is None or arrival.update.status != by.update.status:
                what = "value" if arrival.update is None else "status"
                return carried, f"{ended}: No. {series.number(week)} gives it as the {what} before.", None
            return carried, f"{ended}.", None
        if state.stale:
            weeks = (week.end - latest_day(state.holding)).days // 7  # the real count, however long the gap
            return carried, (f"No longer reported from No. {series.number(week)} ({week}): no new report for "
                             f"{weeks} weeks."), week
        if week != entered:
            carried.append(week)
    return carried, "", None


def _numbers(series: Series, weeks: list[IsoWeek]) -> str:
    """'3-7' for a run of report numbers, '3, 5' otherwise."""
    numbers = [series.number(w) for w in weeks]
    if numbers == list(range(numbers[0], numbers[-1] + 1)) and len(numbers) > 2:
        return f"{numbers[0]}–{numbers[-1]}"
    return ", ".join(map(str, numbers))


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
    if result.imported:
        out[0] = (f"{result.id}: {result.kind}, imported by `sitrep import` (bulk/)"
                  + (" (restricted: internal editions only)" if result.sensitivity == "restricted" else ""))
        out += ["", *(f"  {line}" for line in result.imported)]
    if result.fields:
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
    for edition in ("public", "internal"):
        if edition in result.series:
            out += ["", f"In the {edition} series: {_weeks(result.public_weeks if edition == 'public' else result.internal_weeks)}"]
            out += [f"  {line}" for line in result.series[edition]] or ["  not in this edition's reports"]
    return "\n".join(out)


def _weeks(weeks: list[str]) -> str:
    return ", ".join(weeks) if weeks else "none"
