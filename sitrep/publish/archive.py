"""The archive: which weeks need building, what was built, and the index of every report.

A week is rebuilt only when something its report shows may have changed. Its fingerprint
hashes everything the report is made from:
- every entry known by the week's end, with the day it became known (a report carries
  forward routes and key figures and charts their history), and the week's narrative,
- every source, place and actor (names, grades and public names appear in every report),
- the week's place in the series (its number and the previous report's week; never the next:
  a report knows nothing after its date, so a fact added in a later week leaves it alone),
- the config, the templates (built-in and the workspace's), the theme's files,
- the edition, its language, the PDF variant, the formats and sitrep's version.
Anything else (a fact that became known later, a warning) leaves the week alone. The manifest in the
output folder records each week's fingerprint and the files written; a file that was deleted
or changed since is rebuilt too.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sitrep import __version__
from sitrep.language import gettext, speaking
from sitrep.output import write_atomic
from sitrep.publish.layout import manifest_file, relative_to_output
from sitrep.report.series import Series
from sitrep.source.config import Config
from sitrep.source.dates import IsoWeek
from sitrep.source.entries import Store
from sitrep.source.schema import Model

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
    hashed once, in the order the series learns of them, and each report takes the digest of
    everything known by its end."""

    def __init__(self, config: Config, store: Store, series: Series, edition: str,
                 formats: tuple[str, ...], templates: list[Path], language: str | None = None,
                 pdf_variant: str | None = None):
        self.series = series
        self.store = store
        digest = hashlib.sha256()
        # The config as it was loaded and is used, not config.yaml as it is now: edited since,
        # the file would give this build's reports the fingerprint of a config they were not
        # made from, and the next build would call them up to date.
        for part in (__version__, edition, language or config.language, pdf_variant or config.pdf_variant,
                     ",".join(sorted(formats)), config.model.model_dump_json(),
                     repr(config.model)):  # the JSON has the config's texts in one language; the repr, every translation
            digest.update(part if isinstance(part, bytes) else part.encode())
            digest.update(b"\0")
        for folder_or_file in templates:
            digest.update(_tree_digest(folder_or_file))
        for kind in REFERENCE_KINDS:
            for entry in store.kind(kind).values():
                if entry.id in store.origins:  # the curated store's; the imported are in the bulk's digest
                    digest.update(self.digest(entry))
        if store.bulk is not None:  # any import changes every report that may show what it brought
            digest.update(store.bulk.digest.encode())
        self.common = digest.digest()
        self.known_prefix = self._known_prefixes()
        self.narrative = _narrative_by_week(store, self.digest)

    def digest(self, entry: Model) -> bytes:
        """The entry's digest: the one the loader took of it as written (kept in the store
        cache), else one of its validated value."""
        return self.store.digests.get(entry.id) or _entry_digest(entry)

    def _known_prefixes(self) -> dict[IsoWeek, bytes]:
        """For each report, a digest of every entry known by its end, with the day it became
        known: a report carries forward what it has not superseded, so anything earlier may
        show in it (a route's status, a key figure, its trend)."""
        prefixes, digest, i = {}, hashlib.sha256(), 0
        arrivals = self.series.arrivals
        for week in self.series.reports:
            while i < len(arrivals) and arrivals[i].known_on <= week.end:
                digest.update(self.digest(arrivals[i].entry) + arrivals[i].known_on.isoformat().encode())
                i += 1
            prefixes[week] = digest.copy().digest()
        return prefixes

    def of(self, week: IsoWeek) -> str:
        series = self.series
        digest = hashlib.sha256(self.common)
        digest.update(f"{series.number(week)}|{week}|{series.previous(week)}".encode())
        digest.update(self.known_prefix[week])
        for entry_digest in sorted(self.narrative.get(str(week), ())):
            digest.update(entry_digest)
        return digest.hexdigest()


def _narrative_by_week(store: Store, entry_digest) -> dict[str, set[bytes]]:
    """Week -> digests of the analyst's narrative written for it."""
    result: dict[str, set[bytes]] = {}
    for narrative in store.narrative.values():
        result.setdefault(narrative.week, set()).add(entry_digest(narrative))
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

def load_manifest(config: Config, edition: str, language: str | None = None) -> dict[str, ArchiveEntry]:
    """week -> what was built; empty when missing or unreadable (then every week is rebuilt)."""
    try:
        raw = json.loads(manifest_file(config, edition, language).read_text(encoding="utf-8"))
        return {week: ArchiveEntry(**entry) for week, entry in raw["weeks"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def save_manifest(config: Config, edition: str, entries: dict[str, ArchiveEntry], language: str | None = None) -> None:
    data = {"sitrep": __version__, "edition": edition, "language": language or config.language,
            "weeks": {week: asdict(entry) for week, entry in sorted(entries.items())}}
    # The internal edition's record names its reports' restricted figures: its owner's only.
    write_atomic(manifest_file(config, edition, language), json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n",
                 private=edition == "internal")


def entry_for(config: Config, context, files: dict[str, Path], fingerprint: str) -> ArchiveEntry:
    """What the manifest and the index keep of a report just written: its place in the series,
    its key figures as one line each, and its files (paths relative to the output folder)."""
    relative = {fmt: relative_to_output(config, path) for fmt, path in files.items()}
    with speaking(context.settings):  # the headline in the report's language
        headline = [gettext("%(figure)s, %(place)s: %(number)s") % {
            "figure": f.label, "place": f.place.name, "number": " ".join(w for w in (f.qualifier, f.number, f.unit) if w)}
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
    direction: str  # 'rtl' for an Arabic index
    reports: list[ArchiveEntry]  # newest first
    # The other languages' indexes and reports: language -> (its name, its index file, week -> format -> file)
    other_languages: list["LanguageArchive"] = field(default_factory=list)


@dataclass
class LanguageArchive:
    """The archive in another language, for the index's links to it."""

    language: str  # 'ar'
    name: str  # 'العربية'
    index: str  # its index file, relative to the output folder: 'index-ar.html'
    reports: dict[str, dict[str, str]]  # week -> format -> file relative to the output folder
