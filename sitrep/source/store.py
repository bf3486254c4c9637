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

from pydantic import ValidationError

from sitrep.errors import Problem, ProblemLog, StoreError, did_you_mean, display_path, excerpt
from sitrep.source.cache import StoreCache
from sitrep.source.checks import cross_check, future_dates
from sitrep.source.contentwarnings import warnings_of_content
from sitrep.source.entries import Origin, Store
from sitrep.source.regularfiles import YamlLoadError, open_regular_file, read_yaml_bytes
from sitrep.source.schema import KINDS, Model, explain_error
from sitrep.source.texthygiene import control_characters, hidden_characters, named, texts_in
from sitrep.source.yamlsource import YamlDocument, gc_paused, parse_yaml_bytes

STORE_SUFFIXES = (".yaml", ".yml")
MAX_SCAN_BYTES = 10 * 1024 * 1024  # as much of a refused file as is scanned for ids (regularfiles.MAX_FILE_BYTES)


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

    `today`, the day the run is as of (default: today): a date after it is an error, and the
    series is as of it (Store.as_of).

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
        if not log.errors:
            content = ProblemLog()
            warnings_of_content(store, content)
            log.problems.extend(content.problems)
        if cache:
            cache.save(store.files, clean=not log.errors, static_warnings=None if log.errors else content.problems)
    # Dates after the as-of day are errors that depend on the day of the run: checked on every
    # load, never cached (a load that found only them is still clean for the cache).
    future_dates(store, log, today)
    if log.errors:
        raise StoreError(log.sorted())
    store.warnings = log.sorted()
    store.as_of = today
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
    control and invisible characters unless the file is known to hold none (`may_hide_text=False`)."""
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
        _check_text_characters(doc, path, raw, entry_id, log)
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

_ASCII_BYTES = bytes(range(0x80))


def _holds_format_characters(raw: bytes) -> bool:
    """Whether a file's UTF-8 bytes may hold a format character (Unicode Cf). Most files hold
    none, and then none of their texts need be searched: searching every text of a large store
    took a tenth of its load. No format character is ASCII, so only the bytes of non-ASCII
    characters are looked at, each distinct character once; but YAML can write one in ASCII,
    as an escape in double quotes ("\\u202e", "\\xad"), so any such escape counts too, and
    so does every escape that writes a control character ("\\0", "\\e", "\\a", "\\N": NEL);
    PyYAML refuses a control character written as itself."""
    if re.search(rb"\\[xuU0abefvN]", raw):
        return True
    beyond_ascii = raw.translate(None, _ASCII_BYTES)  # whole UTF-8 sequences stay whole
    return any(unicodedata.category(char) == "Cf" for char in set(beyond_ascii.decode("utf-8", "replace")))


def _check_text_characters(doc: YamlDocument, path: tuple, raw: object, entry_id: str, log: ProblemLog) -> None:
    """Refuse each text of an entry (every one: names, summaries, notes, aliases, addresses)
    holding a control character, and warn of each holding a bidirectional control or an
    invisible character. A right-to-left override
    prints the rest of a line backwards; a zero-width space splits a word that search and
    spelling then miss. Kept with the file's own problems, so the store cache brings them back."""
    for fields, text in texts_in(raw):
        name = f"'{'.'.join(map(str, fields))}'" if fields else "the entry"
        if controls := control_characters(text):
            # An ESC sequence printed to a terminal acts rather than shows; a NUL ends a C string.
            log.error(doc.file, doc.line_of(path + fields), f"{name} holds {named(controls, 'control character')}",
                      expected="printable text; delete it", entry_id=entry_id)
            continue
        hidden = hidden_characters(text)
        if not hidden:
            continue
        log.warning(doc.file, doc.line_of(path + fields),
                    f"{name} holds {named(hidden, 'invisible character')}, which can reverse or hide text in the report",
                    hint="delete it" if len(hidden) == 1 else "delete them", entry_id=entry_id)
