"""The fact store: every YAML file under the store folder, loaded, validated and cross-checked.

`load_store` either returns a `Store` that later stages can trust completely, or raises
`StoreError` carrying every problem found, each with its file and line — all of them in one
run, so an analyst can fix a whole batch before the next try.

The store reads regular files inside its folder and nothing else. A symbolic link is refused
by its name, whatever it leads to: one leading out of the store would let a fact file be any
file on the computer (and its content would end up in a message), and one leading to another
store file would read that file twice. Named pipes, devices and sockets are refused unopened.
The store folder itself may be a link (config.yaml chooses it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from pydantic import ValidationError

from sitrep.source.dates import FuzzyDate, IsoWeek
from sitrep.errors import Problem, ProblemLog, StoreError, did_you_mean, display_path, excerpt
from sitrep.source.provenance import grade
from sitrep.source.schema import (KINDS, Actor, Amount, Citation, Figure, Incident, Model, Movement, Narrative,
                     Place, Route, Source, explain_error)
from sitrep.source.cache import StoreCache
from sitrep.source.yamlsource import YamlDocument, YamlLoadError, gc_paused, open_regular_file, parse_yaml_bytes, read_yaml_bytes

STORE_SUFFIXES = (".yaml", ".yml")
CHANGE_FACTOR = 3.0  # a figure that moves by more than this factor from its last value is suspicious
LOW_RELIABILITY = ("D", "E")
MAX_SCAN_BYTES = 10 * 1024 * 1024  # as much of a refused file as is scanned for ids (yamlsource.MAX_FILE_BYTES)
PLACEHOLDER = re.compile(r"\b(TODO|TBD|FIXME|XXX)\b|\[\.\.\.\]|\[…\]|lorem ipsum", re.I)


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

    def kind(self, name: str) -> dict[str, Model]:
        return getattr(self, name)

    def counts(self) -> dict[str, int]:
        return {name: len(self.kind(name)) for name in KINDS}

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
        for route in self.routes.values():
            for u, update in enumerate(route.updates):
                yield route, ("updates", u, "as_of"), update.as_of
        for movement in self.movements.values():
            yield movement, ("period",), movement.period

    def weeks_with_facts(self, public_only: bool = False) -> list[IsoWeek]:
        """The ISO weeks that at least one dated fact overlaps, in order; with `public_only`,
        restricted facts do not count (so a public series never hints at them)."""
        mondays: set[dt.date] = set()
        seven = dt.timedelta(days=7)
        for fact, date in self.dated_facts():
            if public_only and fact.sensitivity != "public":
                continue
            # The Monday of each week the date overlaps (plain date arithmetic: this runs for
            # every fact of the store, several times a build).
            monday = date.start - dt.timedelta(days=date.start.weekday())
            while monday <= date.end:
                mondays.add(monday)
                monday += seven
        return [IsoWeek.containing(monday) for monday in sorted(mondays)]


def find_store_files(root: Path) -> list[Path]:
    """The store's YAML files (regular files only) in a stable order."""
    return [path for path in store_paths(root) if path.is_file() and not path.is_symlink()]


def store_paths(root: Path) -> list[Path]:
    """Everything in the store folder that the loader reads or refuses, in a stable order: each
    .yaml or .yml name (a file, or a link, pipe or device by that name) and each symbolic link
    to a folder. Hidden files and folders are skipped; linked folders are never entered."""
    paths = []
    for folder, folders, names in os.walk(root):  # followlinks=False: stays inside the store
        folders[:] = [name for name in folders if not name.startswith(".")]
        for name in folders:
            if os.path.islink(os.path.join(folder, name)):
                paths.append(Path(folder, name))
        paths += [Path(folder, name) for name in names
                  if not name.startswith(".") and name.lower().endswith(STORE_SUFFIXES)]
    return sorted(paths, key=lambda p: p.relative_to(root).as_posix())


def _refused_link(path: Path, root: Path, shown: str) -> Problem | None:
    """The refusal of a symbolic link in the store, saying where it leads (out of the store, or
    into it) without ever opening what it leads to; None when `path` is not a link."""
    if not path.is_symlink():
        return None
    target = Path(os.path.realpath(path))
    if not target.exists():
        return Problem(shown, 0, "this is a symbolic link to nothing: what it names does not exist",
                       expected="a regular file inside the store folder")
    kind = "folder" if target.is_dir() else "file"
    wanted = "a folder" if kind == "folder" else "a regular file"
    if target.is_relative_to(root.resolve()):
        return Problem(shown, 0, f"this is a symbolic link to a {kind} inside the store folder, "
                                 "and sitrep follows no links",
                       expected=f"{wanted}; move or copy the {kind} here instead of linking to it")
    return Problem(shown, 0, f"this is a symbolic link to a {kind} outside the store folder, which sitrep does not read",
                   expected=f"{wanted} inside the store folder; copy the {kind} in instead of linking to it")


def load_store(root: Path, *, shown_root: str | None = None, today: dt.date | None = None,
               cache: bool = True, cache_dir: Path | None = None, freeze: bool = False) -> Store:
    """Load, validate and cross-check the store folder at `root`.

    Files that have not changed since an earlier load come from the store cache (see
    `sitrep.source.cache`; in `cache_dir`, by default `.sitrep-cache` beside the store folder) instead
    of being parsed and validated again; `cache=False` reads every file afresh. The result,
    warnings included, is the same either way.

    `freeze`, for a process that ends after one run (the command line's build): the loaded
    store is left out of every later garbage collection (see yamlsource.gc_paused). Never in a
    long-running process such as `sitrep serve`, nor a library caller's."""
    with gc_paused(freeze=freeze):
        return _load_store(Path(root), shown_root, today or dt.date.today(), cache, cache_dir)


def _load_store(root: Path, shown_root: str | None, today: dt.date, use_cache: bool, cache_dir: Path | None) -> Store:
    shown_root = shown_root or display_path(root)
    if not root.is_dir():
        raise StoreError(Problem(shown_root, 0, "the store folder does not exist",
                                 expected="a folder of .yaml fact files (set 'store:' in config.yaml)"))
    log = ProblemLog()
    store = Store(root=root)
    paths = store_paths(root)
    if not paths:
        raise StoreError(Problem(shown_root, 0, "the store folder holds no .yaml files",
                                 expected="at least one fact file, such as facts/sources.yaml"))
    cache = StoreCache.open(root, cache_dir) if use_cache else None
    for path in paths:
        shown = display_path(path)  # a link by its own name, never by where it leads
        store.files.append(shown)
        refused = _refused_link(path, root, shown)
        if refused:
            log.add(refused)
            store.unread_files = True
            continue
        try:
            # No link followed, even one put in the file's place since the folder was listed.
            raw = read_yaml_bytes(path, shown, follow_symlinks=False)
            contents = cache.get(shown, raw, path) if cache else None
            if contents is None:
                doc = parse_yaml_bytes(raw, shown)
                contents = read_document(doc, may_hide_text=_holds_format_characters(raw))
                if cache and not any(p.severity == "error" for p in contents.problems):
                    cache.put(shown, raw, contents)  # with its warnings, which come back with it
        except YamlLoadError as exc:
            log.add(exc.problem)
            store.broken_ids.update(_ids_mentioned(path, shown))
            continue
        _add_entries(contents, store, log)
    if not log.errors and not any(store.counts().values()):
        log.error(shown_root, 0, "the store holds no entries", expected="lists under sources:, places:, figures:, ...")
    # The warnings of each file (an empty file, an invisible character) came with its entries,
    # from the cache or not. Those of the store as a whole are kept in the cache apart from
    # them ('static warnings'), and reused when every file is as it was at the last load that
    # found no error: the cross-checks passed then, and the warnings (but those that depend on
    # today's date) are the same.
    known_warnings = cache.unchanged_since_clean_load(store.files) if cache and not log.errors else None
    if known_warnings is not None:
        log.problems.extend(known_warnings)
    else:
        cross_check(store, log)
        if log.errors:
            if cache:
                cache.save(store.files, clean=False, static_warnings=None)
            raise StoreError(log.sorted())
        content = ProblemLog()
        _warnings_of_content(store, content)
        log.problems.extend(content.problems)
        if cache:
            cache.save(store.files, clean=True, static_warnings=content.problems)
    _future_dates(store, log, today)
    store.warnings = log.sorted()
    return store


_SCAN_CHUNK = 1024 * 1024
_ID_LINE = re.compile(r"^[\s{-]*id:\s*['\"]?([A-Za-z0-9._-]+)", re.M)


def _ids_mentioned(path: Path, shown: str) -> set[str]:
    """The ids written in a file that could not be parsed. References to them are not
    reported, so one syntax error in places.yaml does not bury itself under dozens of
    'unknown place' errors in every other file."""
    ids: set[str] = set()
    try:
        # Read at most MAX_SCAN_BYTES, a chunk at a time: the file may be hundreds of MB (it
        # was refused for that), and reading it whole would hold all of it in memory. Opened
        # as the loader opens it: a regular file, no link followed.
        with open_regular_file(path, shown, follow_symlinks=False) as file:
            carry: bytes | None = b""  # the unfinished last line; None inside an over-long line
            remaining = MAX_SCAN_BYTES
            while remaining > 0:
                chunk = file.read(min(_SCAN_CHUNK, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)
                if carry is None:  # skip the rest of an over-long line (no id line is that long)
                    if b"\n" not in chunk:
                        continue
                    chunk, carry = chunk[chunk.index(b"\n"):], b""
                lines, _, rest = (carry + chunk).rpartition(b"\n")
                carry = rest if len(rest) <= _SCAN_CHUNK else None
                ids.update(_ID_LINE.findall(lines.decode("utf-8", errors="replace")))
            if carry:
                ids.update(_ID_LINE.findall(carry.decode("utf-8", errors="replace")))
    except (OSError, YamlLoadError):
        return set()
    return ids


@dataclass
class FileEntries:
    """One store file, parsed and validated on its own (what the store cache keeps): its
    document, its valid entries, and the problems found in it."""

    doc: YamlDocument
    entries: list[tuple[str, int, Model, bytes]] = field(default_factory=list)  # (kind, index in its list, entry, digest)
    problems: list[Problem] = field(default_factory=list)
    broken_ids: set[str] = field(default_factory=set)  # ids of entries that failed validation


def read_document(doc: YamlDocument, *, may_hide_text: bool = True) -> FileEntries:
    """Validate every entry of one parsed file. References and duplicate ids, which involve
    other files, are checked when the entries join the store. Its texts are searched for
    invisible characters unless the file is known to hold none (`may_hide_text=False`)."""
    result = FileEntries(doc)
    log = ProblemLog(result.problems)
    if doc.data is None:
        # Nothing but comments and blank lines: allowed (a place for facts to come), but
        # perhaps a file whose content was lost.
        log.warning(doc.file, 0, "the file is empty",
                    hint="add entries under sources:, places:, figures:, ... or delete the file")
        return result
    if not isinstance(doc.data, dict):
        log.error(doc.file, doc.line_of(()), f"the file holds {_what(doc.data)}",
                  expected="top-level keys such as sources:, places:, figures:, each holding a list")
        return result
    for kind, entries in doc.data.items():
        if kind not in KINDS:
            log.error(doc.file, doc.line_of((kind,)), f"unknown top-level key '{excerpt(kind)}'",
                      expected="one of: " + ", ".join(KINDS), hint=did_you_mean(kind, KINDS))
            continue
        if entries is None:
            continue
        if not isinstance(entries, list):
            log.error(doc.file, doc.line_of((kind,)), f"'{kind}' holds {_what(entries)}",
                      expected=f"a list of {kind} entries, each starting with '- id: ...'")
            continue
        for index, raw in enumerate(entries):
            _read_entry(doc, kind, index, raw, result, log, may_hide_text)
    return result


def _read_entry(doc: YamlDocument, kind: str, index: int, raw: object, result: FileEntries, log: ProblemLog,
                may_hide_text: bool) -> None:
    model_class = KINDS[kind]
    path = (kind, index)
    entry_id = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else ""
    if may_hide_text:
        _warn_of_hidden_characters(doc, path, raw, entry_id, log)
    try:
        entry = model_class.model_validate(raw)
    except ValidationError as exc:
        for error in exc.errors():
            message, expected, hint, loc = explain_error(error, model_class)
            log.error(doc.file, doc.line_of(path + loc), message, expected=expected, hint=hint, entry_id=entry_id)
        if entry_id:
            result.broken_ids.add(entry_id)
        return
    digest = hashlib.blake2b(f"{kind}\0{raw!r}".encode("utf-8", "surrogatepass"), digest_size=16).digest()
    result.entries.append((kind, index, entry, digest))


def _add_entries(contents: FileEntries, store: Store, log: ProblemLog) -> None:
    """Add one file's entries to the store; an id used before is an error."""
    log.problems.extend(contents.problems)
    store.broken_ids.update(contents.broken_ids)
    doc = contents.doc
    for kind, index, entry, digest in contents.entries:
        origin = Origin(doc, (kind, index))
        if entry.id in store.origins:
            first = store.origins[entry.id]
            log.error(doc.file, origin.line_of("id"), f"duplicate id '{entry.id}' (first used at {first.file}:{first.line})",
                      expected="an id used by one entry only, across the whole store", entry_id=entry.id)
            continue
        store.origins[entry.id] = origin
        store.kind(kind)[entry.id] = entry
        store.digests[entry.id] = digest


def _what(value: object) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"the value '{excerpt(value)}'"


# --- Invisible characters: legal, but they can change what the report says -------------------

_JOINERS = frozenset("\u200c\u200d")  # zero-width non-joiner and joiner
_ASCII_BYTES = bytes(range(0x80))


def _holds_format_characters(raw: bytes) -> bool:
    """Whether a file's UTF-8 bytes may hold a format character (Unicode Cf). Most files hold
    none, and then none of their texts need be searched: searching every text of a large store
    took a tenth of its load. No format character is ASCII, so only the bytes of non-ASCII
    characters are looked at, each distinct character once; but YAML can write one in ASCII,
    as an escape in double quotes ("\\u202e", "\\xad"), so any such escape counts too."""
    if re.search(rb"\\[xuU]", raw):
        return True
    beyond_ascii = raw.translate(None, _ASCII_BYTES)  # whole UTF-8 sequences stay whole
    return any(unicodedata.category(char) == "Cf" for char in set(beyond_ascii.decode("utf-8", "replace")))


def _warn_of_hidden_characters(doc: YamlDocument, path: tuple, raw: object, entry_id: str, log: ProblemLog) -> None:
    """Warn of each text of an entry (every one: names, summaries, notes, aliases, addresses)
    holding a bidirectional control or an invisible character. A right-to-left override
    prints the rest of a line backwards; a zero-width space splits a word that search and
    spelling then miss. Kept with the file's own problems, so the store cache brings them back."""
    for fields, text in _texts_in(raw):
        hidden = _hidden_characters(text)
        if not hidden:
            continue
        names = [f"U+{ord(char):04X} ({unicodedata.name(char, 'unnamed')})" for char in hidden]
        what = (f"an invisible character {names[0]}" if len(names) == 1
                else f"invisible characters {', '.join(names[:-1])} and {names[-1]}")
        name = f"'{'.'.join(map(str, fields))}'" if fields else "the entry"
        log.warning(doc.file, doc.line_of(path + fields),
                    f"{name} holds {what}, which can reverse or hide text in the report",
                    hint="delete it" if len(names) == 1 else "delete them", entry_id=entry_id)


def _texts_in(value: object, fields: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """(path, text) of every text in a value as loaded (mappings and lists walked)."""
    if isinstance(value, str):
        yield fields, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts_in(item, fields + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _texts_in(item, fields + (index,))


def _hidden_characters(text: str) -> list[str]:
    """The format characters (Unicode category Cf) in `text`, each once, in order of first
    appearance: bidirectional controls (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C),
    zero-width spaces, word joiners, a byte-order mark inside text, tags... A zero-width
    joiner or non-joiner between letters (or a letter's marks) is not one of them: Persian,
    Arabic and Indic scripts need them there."""
    if text.isascii():  # most text: nothing to look for
        return []
    suspects = {char for char in set(text) if unicodedata.category(char) == "Cf"}
    if not suspects:
        return []
    found: list[str] = []
    for index, char in enumerate(text):
        if char in suspects and char not in found and not _joins_letters(text, index):
            found.append(char)
    return found


def _joins_letters(text: str, index: int) -> bool:
    return (text[index] in _JOINERS and 0 < index < len(text) - 1
            and _is_letter(text[index - 1]) and _is_letter(text[index + 1]))


def _is_letter(char: str) -> bool:
    return unicodedata.category(char)[0] in "LM"  # letters, and marks such as a virama


# --- Cross-checks: what the schema alone cannot see ------------------------------------------

def references(store: Store) -> Iterator[tuple[Model, tuple, str, str]]:
    """Every reference one entry makes to another: (entry, field path, target id, target kind).
    The one table of what points where, for cross-checking and for `sitrep trace`."""
    def cited(entry: Model, fields: tuple, citations: Iterable[Citation]):
        for i, citation in enumerate(citations):
            yield entry, fields + (i, "source"), citation.source, "sources"
            if citation.via:
                yield entry, fields + (i, "via"), citation.via, "sources"

    def maybe(entry: Model, fields: tuple, target: str | None, kind: str):
        if target is not None:
            yield entry, fields, target, kind

    for place in store.places.values():
        yield from maybe(place, ("parent",), place.parent, "places")
    for actor in store.actors.values():
        yield from maybe(actor, ("part_of",), actor.part_of, "actors")
    for figure in store.figures.values():
        yield figure, ("place",), figure.place, "places"
        yield from cited(figure, ("cited",), figure.cited)
    for incident in store.incidents.values():
        yield incident, ("place",), incident.place, "places"
        yield from maybe(incident, ("perpetrator",), incident.perpetrator, "actors")
        yield from cited(incident, ("cited",), incident.cited)
    for route in store.routes.values():
        yield route, ("origin",), route.origin, "places"
        yield route, ("destination",), route.destination, "places"
        for i, place in enumerate(route.via):
            yield route, ("via", i), place, "places"
        for u, update in enumerate(route.updates):
            for i, actor in enumerate(update.controlled_by):
                yield route, ("updates", u, "controlled_by", i), actor, "actors"
            yield from cited(route, ("updates", u, "cited"), update.cited)
    for movement in store.movements.values():
        yield movement, ("origin",), movement.origin, "places"
        yield movement, ("destination",), movement.destination, "places"
        yield from maybe(movement, ("route",), movement.route, "routes")
        yield from cited(movement, ("cited",), movement.cited)


def cross_check(store: Store, log: ProblemLog) -> None:
    checker = _CrossChecker(store, log)
    for entry, fields, target, kind in references(store):
        checker.ref(entry, fields, target, kind)
        referred = store.kind(kind).get(target)
        if (getattr(entry, "sensitivity", "public") == "public" and kind != "sources"  # sources have public names
                and getattr(referred, "sensitivity", "public") == "restricted"):
            checker.error(entry, fields, f"a public {type(entry).__name__.lower()} refers to the restricted "
                                         f"{kind[:-1]} '{target}'",
                          expected=f"a public {kind[:-1]}, or this entry marked 'sensitivity: restricted' too",
                          hint="a public edition would otherwise have to name what is restricted")
    for figure in store.figures.values():
        checker.amount(figure, (), figure)
    for incident in store.incidents.values():
        if incident.victims:
            for outcome in ("killed", "injured", "affected"):
                amount = getattr(incident.victims, outcome)
                if amount is not None:
                    checker.amount(incident, ("victims", outcome), amount)
        if incident.duration:
            checker.amount(incident, ("duration",), incident.duration)
    for movement in store.movements.values():
        if movement.count:
            checker.amount(movement, ("count",), movement.count)
    for narrative in store.narrative.values():
        try:
            IsoWeek.parse(narrative.week)
        except ValueError as exc:
            checker.error(narrative, ("week",), str(exc))
        if not narrative.text and not narrative.items:
            checker.error(narrative, (), "a narrative entry needs its words", expected="'text:' paragraphs or 'items:' bullet points")


@dataclass
class _CrossChecker:
    store: Store
    log: ProblemLog

    def error(self, entry: Model, fields: tuple, message: str, expected: str = "", hint: str = "") -> None:
        origin = self.store.origins[entry.id]
        self.log.error(origin.file, origin.line_of(*fields), message, expected=expected, hint=hint, entry_id=entry.id)

    def ref(self, entry: Model, fields: tuple, target: str, kind: str) -> None:
        if target in self.store.kind(kind) or target in self.store.broken_ids or self.store.unread_files:
            return
        name = ".".join(str(f) for f in fields if not isinstance(f, int))
        other = next((k for k in KINDS if target in self.store.kind(k)), None)
        hint = f"'{target}' is one of the {other}, not the {kind}" if other else did_you_mean(target, self.store.kind(kind))
        self.error(entry, fields, f"{name}: unknown {kind[:-1] if kind != 'narrative' else kind} '{target}'",
                   expected=f"the id of an entry under '{kind}:'", hint=hint)

    def amount(self, entry: Model, fields: tuple, amount: Amount) -> None:
        has_value = amount.value is not None
        has_low, has_high = amount.low is not None, amount.high is not None
        if has_value and (has_low or has_high):
            self.error(entry, fields + ("value",), "both a value and a low-high range are given",
                       expected="either 'value:' or 'low:' with 'high:'")
        elif not has_value and not (has_low and has_high):
            missing = "high" if has_low else "low" if has_high else "value"
            self.error(entry, fields, f"the number is incomplete: '{missing}' is missing",
                       expected="either 'value:' or both 'low:' and 'high:'")
        elif has_low and amount.low > amount.high:
            self.error(entry, fields + ("low",), f"inverted range: low {amount.low:g} is greater than high {amount.high:g}",
                       expected="low <= high")
        for name in ("value", "low", "high"):
            number = getattr(amount, name)
            if number is not None and number < 0:
                self.error(entry, fields + (name,), f"{name}: {number:g} is negative", expected="a number of 0 or more")


# --- Warnings: legal, but worth a second look before publishing -----------------------------

def find_suspicious(store: Store, log: ProblemLog, today: dt.date) -> None:
    _warnings_of_content(store, log)
    _future_dates(store, log, today)


def _warner(store: Store, log: ProblemLog):
    def warn(entry: Model, fields: tuple, message: str, hint: str = "") -> None:
        origin = store.origins[entry.id]
        log.warning(origin.file, origin.line_of(*fields), message, hint=hint, entry_id=entry.id)
    return warn


def _future_dates(store: Store, log: ProblemLog, today: dt.date) -> None:
    """The one warning that depends on the day it runs (the store cache recomputes it)."""
    warn = _warner(store, log)
    for entry, fields, date in store.dated_fields():
        if date.start > today:
            warn(entry, fields, f"date {date} is in the future")


def _warnings_of_content(store: Store, log: ProblemLog) -> None:
    """Every warning that depends only on the store's content."""
    warn = _warner(store, log)
    cited_sources: set[str] = set()
    for entry, fields, cited in _citations_of(store):
        cited_sources.update(c.source for c in cited)
        cited_sources.update(c.via for c in cited if c.via)
        sourcing = grade(cited, store.sources)
        if sourcing.single_source and sourcing.reliability in LOW_RELIABILITY:
            warn(entry, fields, f"cited to a single source of low reliability ({sourcing.originators[0]}, "
                                f"grade {sourcing.reliability})", hint="add an independent source if there is one")
        if entry.__dict__.get("status") == "corroborated" and sourcing.single_source:
            warn(entry, ("status",), "status is 'corroborated' but the incident cites a single source",
                 hint="corroborated means consistent reports from independent sources: cite them, or use 'alleged'")
    for source in store.sources.values():
        if source.id not in cited_sources:
            warn(source, ("id",), f"source '{source.id}' is cited nowhere")
    for place in store.places.values():
        if place.lat is None or place.lon is None:
            warn(place, ("id",), f"place '{place.id}' has no coordinates", hint="add lat: and lon:")
    for kind in KINDS:
        for entry in store.kind(kind).values():
            for fields, text in _texts_of(entry):
                if match := PLACEHOLDER.search(text):
                    what = "the narrative" if kind == "narrative" else f"'{'.'.join(map(str, fields))}'"
                    warn(entry, fields, f"{what} still holds a placeholder: '{match.group(0)}'",
                         hint="replace it with what was reported before publishing")
    _figure_jumps(store, warn)


TEXT_FIELDS = ("name", "public_name", "summary", "note", "notes", "description", "text", "author")


def _texts_of(entry: Model) -> Iterator[tuple[tuple, str]]:
    """(field path, text) of the free-text fields of an entry, where placeholders hide."""
    # The model's fields by name (`getattr` with a default on a field a model lacks goes
    # through pydantic's slow __getattr__; this runs for every entry of the store).
    fields = entry.__dict__
    for name in TEXT_FIELDS:
        value = fields.get(name)
        if isinstance(value, str):
            yield (name,), value
    for list_name in ("items", "aliases"):
        for i, item in enumerate(fields.get(list_name) or ()):
            yield (list_name, i), item
    for path, citations in citation_lists(entry):
        for i, citation in enumerate(citations):
            if citation.note:
                yield path + (i, "note"), citation.note
    for name, value in (fields.get("names") or {}).items():
        yield ("names", name), value
    for u, update in enumerate(fields.get("updates") or ()):
        if update.summary:
            yield ("updates", u, "summary"), update.summary
    victims = fields.get("victims")
    if victims is not None and victims.description:
        yield ("victims", "description"), victims.description


def citation_lists(entry: Model) -> Iterator[tuple[tuple, list[Citation]]]:
    """(field path, citations) of each list of citations an entry carries: its `cited:`, or
    each route update's."""
    fields = entry.__dict__  # not getattr: pydantic's __getattr__ is slow for a field a model lacks
    if fields.get("cited"):
        yield ("cited",), fields["cited"]
    for u, update in enumerate(fields.get("updates") or ()):
        yield ("updates", u, "cited"), update.cited


def _citations_of(store: Store):
    for kind in ("figures", "incidents", "routes", "movements"):
        for entry in store.kind(kind).values():
            for fields, cited in citation_lists(entry):
                yield entry, fields, cited


def _figure_jumps(store: Store, warn) -> None:
    """A figure that is more than CHANGE_FACTOR times, or less than 1/CHANGE_FACTOR of, the
    previous figure of the same metric, place and unit: often a typo (an extra zero)."""
    series: dict[tuple, list[Figure]] = {}
    for figure in store.figures.values():
        series.setdefault((figure.metric, figure.place, figure.unit), []).append(figure)
    for figures in series.values():
        figures.sort(key=lambda f: (f.as_of.end, f.as_of.start))
        for before, after in zip(figures, figures[1:]):
            if (before.as_of.start, before.as_of.end) == (after.as_of.start, after.as_of.end):
                continue  # same date: a conflict between sources, shown side by side, not a jump
            old, new = _midpoint(before), _midpoint(after)
            if old > 0 and new > 0 and max(old, new) / min(old, new) > CHANGE_FACTOR:
                warn(after, ("value" if after.value is not None else "low",),
                     f"{after.metric} moved from {old:g} ({before.id}) to {new:g}, more than {CHANGE_FACTOR:g}-fold",
                     hint="check for a typo")


def _midpoint(amount: Amount) -> float:
    if amount.value is not None:
        return float(amount.value)
    return (amount.low + amount.high) / 2
