"""The archive: which weeks need building, what was built, and the index of every report.

A week is rebuilt only when something its report shows may have changed. Its fingerprint
hashes everything the report is made from:
- the facts dated in the week and in the previous report's week (new, changed, dropped),
- the key-metric figures up to the week (the trend charts),
- every source, place and actor (names, grades and public names appear in every report),
- the week's place in the series (number, previous and next week),
- the config, the templates (built-in and the workspace's), the theme's files,
- the edition, the formats and sitrep's version.
Anything else (a fact in another month, a warning) leaves the week alone. The manifest in the
output folder records each week's fingerprint and the files written; a file that was deleted
or changed since is rebuilt too.
"""

from __future__ import annotations

import bisect
import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sitrep import __version__
from sitrep.output import write_atomic
from sitrep.publish.layout import manifest_file, relative_to_output
from sitrep.source.config import Config
from sitrep.source.dates import IsoWeek
from sitrep.source.schema import Model
from sitrep.source.store import Store

# Entries every report may show by name or grade: sources, places, actors, and routes (a
# movement names the route it took).
REFERENCE_KINDS = ("sources", "places", "actors", "routes")


@dataclass
class ArchiveEntry:
    """One report of the series, as the index lists it."""

    week: str
    number: int
    period: str
    as_of: str
    headline: list[str]  # 'Civilians trapped, Fallujah: about 30,000–40,000 people'
    files: dict[str, str]  # format -> path relative to the output folder
    fingerprint: str = ""
    stats: dict[str, list[int]] = field(default_factory=dict)  # format -> [size, mtime_ns] when written


class Fingerprints:
    """Computes each week's input fingerprint from the loaded store, cheaply: every entry is
    hashed once, then each week combines the hashes of what it shows."""

    def __init__(self, config: Config, store: Store, weeks: list[IsoWeek], edition: str,
                 formats: tuple[str, ...], templates: list[Path]):
        self.weeks = weeks
        self.position = {week: i for i, week in enumerate(weeks)}
        self.store = store
        digest = hashlib.sha256()
        # The config as it was loaded and is used, not config.yaml as it is now: edited since,
        # the file would give this build's reports the fingerprint of a config they were not
        # made from, and the next build would call them up to date.
        for part in (__version__, edition, ",".join(sorted(formats)), config.model.model_dump_json()):
            digest.update(part if isinstance(part, bytes) else part.encode())
            digest.update(b"\0")
        for folder_or_file in templates:
            digest.update(_tree_digest(folder_or_file))
        for kind in REFERENCE_KINDS:
            for entry in store.kind(kind).values():
                digest.update(self.digest(entry))
        self.common = digest.digest()
        self.key_metrics = set(config.key_metrics)
        self.by_week = _facts_by_week(store, weeks, self.digest)
        self.trend_prefix = self._trend_prefixes()
        self.series_prefix = []  # for week i, a digest of the weeks of the series up to it
        series = hashlib.sha256()
        for week in weeks:
            series.update(f"{week}|".encode())
            self.series_prefix.append(series.copy().digest())

    def digest(self, entry: Model) -> bytes:
        """The entry's digest: the one the loader took of it as written (kept in the store
        cache), else one of its validated value."""
        return self.store.digests.get(entry.id) or _entry_digest(entry)

    def _trend_prefixes(self) -> list[bytes]:
        """For week i, a digest of every key-metric figure dated up to its end."""
        figures = sorted((f for f in self.store.figures.values() if f.metric in self.key_metrics),
                         key=lambda f: (f.as_of.start, f.id))
        prefixes, digest, i = [], hashlib.sha256(), 0
        for week in self.weeks:
            while i < len(figures) and figures[i].as_of.start <= week.end:
                digest.update(self.digest(figures[i]))
                i += 1
            prefixes.append(digest.copy().digest())
        return prefixes

    def of(self, week: IsoWeek) -> str:
        position = self.position[week]
        digest = hashlib.sha256(self.common)
        previous = self.weeks[position - 1] if position > 0 else None
        following = self.weeks[position + 1] if position + 1 < len(self.weeks) else None
        digest.update(f"{position}|{week}|{previous}|{following}".encode())
        digest.update(self.series_prefix[position])  # the trend chart places points by report number
        for shown in (week, previous):
            for entry_digest in sorted(self.by_week.get(shown, ())) if shown else ():
                digest.update(entry_digest)
            digest.update(b"|")
        digest.update(self.trend_prefix[position])
        return digest.hexdigest()


def _facts_by_week(store: Store, weeks: list[IsoWeek], entry_digest) -> dict[IsoWeek, set[bytes]]:
    """Week -> digests of the facts and narrative it may show."""
    result: dict[IsoWeek, set[bytes]] = {}
    ordered = sorted(weeks, key=lambda w: w.start)
    starts = [w.start for w in ordered]
    digests: dict[str, bytes] = {}
    for fact, date in store.dated_facts():
        digest = digests.get(fact.id) or digests.setdefault(fact.id, entry_digest(fact))
        # The weeks this date overlaps: from the last week starting on or before it begins.
        i = max(bisect.bisect_right(starts, date.start) - 1, 0)
        while i < len(ordered) and ordered[i].start <= date.end:
            if date.overlaps(ordered[i].start, ordered[i].end):
                result.setdefault(ordered[i], set()).add(digest)
            i += 1
    by_name = {str(w): w for w in weeks}
    for narrative in store.narrative.values():
        if narrative.week in by_name:
            result.setdefault(by_name[narrative.week], set()).add(entry_digest(narrative))
    return result


def _entry_digest(entry: Model) -> bytes:
    # The model's repr lists every field's value (dates, numbers, texts, nested citations) and
    # the kind; it is stable across runs and machines, and cheap.
    return hashlib.blake2b(repr(entry).encode(), digest_size=16).digest()


def _tree_digest(path: Path) -> bytes:
    """A digest of a file, or of every file under a folder (names and contents)."""
    digest = hashlib.sha256()
    if path.is_file():
        digest.update(path.read_bytes())
    elif path.is_dir():
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            digest.update(file.relative_to(path).as_posix().encode() + b"\0")
            digest.update(file.read_bytes())
    return digest.digest()


# --- The manifest ------------------------------------------------------------------------------

def load_manifest(config: Config, edition: str) -> dict[str, ArchiveEntry]:
    """week -> what was built; empty when missing or unreadable (then every week is rebuilt)."""
    try:
        raw = json.loads(manifest_file(config, edition).read_text(encoding="utf-8"))
        return {week: ArchiveEntry(**entry) for week, entry in raw["weeks"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def save_manifest(config: Config, edition: str, entries: dict[str, ArchiveEntry]) -> None:
    data = {"sitrep": __version__, "edition": edition,
            "weeks": {week: asdict(entry) for week, entry in sorted(entries.items())}}
    # The internal edition's record names its reports' restricted figures: its owner's only.
    write_atomic(manifest_file(config, edition), json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n",
                 private=edition == "internal")


def entry_for(config: Config, context, files: dict[str, Path], fingerprint: str) -> ArchiveEntry:
    """What the manifest and the index keep of a report just written: its place in the series,
    its key figures as one line each, and its files (paths relative to the output folder)."""
    relative = {fmt: relative_to_output(config, path) for fmt, path in files.items()}
    headline = [f"{f.label}, {f.place.name}: {' '.join(w for w in (f.qualifier, f.number, f.unit) if w)}"
                for f in context.key_figures]
    return ArchiveEntry(context.week, context.number, context.period, context.as_of, headline, relative,
                        fingerprint, file_stats(config, relative))


def file_stats(config: Config, files: dict[str, str]) -> dict[str, list[int]]:
    stats = {}
    for fmt, relative in files.items():
        info = (config.output_dir / relative).stat()
        stats[fmt] = [info.st_size, info.st_mtime_ns]
    return stats


def is_current(config: Config, entry: ArchiveEntry | None, fingerprint: str, formats: tuple[str, ...],
               *, private: bool = False) -> bool:
    """Built from the same inputs, and its files are still there, untouched; and, `private`,
    readable by their owner only (older versions wrote every file readable by all)."""
    if entry is None or entry.fingerprint != fingerprint or set(formats) - set(entry.files):
        return False
    try:
        return (all(file_stats(config, {fmt: entry.files[fmt]})[fmt] == entry.stats.get(fmt) for fmt in formats)
                and not (private and any(_readable_by_others(config.output_dir / entry.files[fmt]) for fmt in formats)))
    except OSError:
        return False


def _readable_by_others(path: Path) -> bool:
    return bool(path.stat().st_mode & 0o077)


def remove_stale_temporaries(folder: Path) -> None:
    """Temporary files a killed build left behind (.name.xxxx.tmp); the real files are intact."""
    if not folder.is_dir():
        return
    for temp in folder.glob("*/.*.tmp"):
        temp.unlink(missing_ok=True)
    for temp in folder.glob(".*.tmp"):
        temp.unlink(missing_ok=True)




# --- The index -----------------------------------------------------------------------------------

@dataclass
class ArchiveContext:
    """What templates/index.html receives as `archive`."""

    title: str
    crisis: str
    organisation: str
    edition: str
    language: str
    reports: list[ArchiveEntry]  # newest first
