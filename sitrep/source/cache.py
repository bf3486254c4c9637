"""The store cache: parsed and validated store files, kept between runs.

Parsing YAML and validating entries is most of a large store's load time, and most runs
(a build, a check, a preview reload) follow a run where nothing, or one file, changed. The
cache keeps, for every store file that loaded without an error, its parsed document, its
validated entries and its own warnings, in `.sitrep-cache/` beside the store folder (the
workspace, by default):

    .sitrep-cache/
      .gitignore             '*': git never commits the cache
      CACHEDIR.TAG           backup tools skip the folder
      store-<root hash>/     one folder per store
        index                which record holds each file, and the warnings of the last clean load
        <record hash>        one store file, in two parts: its validated entries, then its
                             document (data and lines), which is read only when asked for

A run where no file changed reads the index and the entries and reuses the warnings: no YAML
is parsed, no entry validated, no cross-check run (the check for dates in the future, an
error that depends on the day the run is as of, is run again every time and never cached: a
load whose only errors are future dates still counts as clean). A run where some files changed parses those, and
then cross-checks and warns over the whole store as usual.

What makes it safe to trust:
- A file is reused only when its bytes are the same: every run reads every store file and
  compares a SHA-256 of its content (with its size and the name it is shown by). Modification
  times are not consulted at all: hashing the few MB of a large store takes milliseconds, and
  a file rewritten within the same clock tick, to the same size, is still read again.
- The key also holds the code that produced the record: a digest of sitrep's own source files,
  and the Python, pydantic and PyYAML versions. Any change to sitrep invalidates everything.
- Only files that loaded without an error are recorded; a file with an error is parsed again
  on every run, so an error is never remembered as success. A file's own warnings (an empty
  file, an invisible character) come back with it on every run. The warnings of the store as
  a whole (none depends on the day of the run) are reused only when every file is
  unchanged since a load that found no error; otherwise every cross-check and warning is
  recomputed.
- Every cache file is signed (HMAC-SHA256) with a key kept outside the workspace, in the
  user's cache folder, so a cache file that someone else wrote (say, committed to a shared
  repository) or that is damaged is ignored, never unpickled.
- Any problem reading the cache means it is ignored and the store is loaded from its files;
  any problem writing it is ignored too. Deleting `.sitrep-cache/` is always safe.
- It holds every entry of the store, restricted ones included, so it is its owner's only:
  folders 0700, files 0600, whatever the umask.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import os
import pickle
import secrets
import stat
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pydantic
import yaml

from sitrep import __version__
from sitrep.errors import Problem, SitrepError
from sitrep.source.regularfiles import YamlLoadError, read_yaml_bytes
from sitrep.source.yamlsource import YamlDocument, parse_yaml_bytes

CACHE_DIR = ".sitrep-cache"
FORMAT = 3  # bump when what is pickled changes shape (3: text by language, schema.LocalText)
_MAGIC = b"sitrep-cache\n"
_TAG_BYTES = 32
_KEY_BYTES = 32


@dataclass
class FileRecord:
    """One store file as it loaded: its document (data and positions) and validated entries."""

    shown: str
    digest: bytes  # SHA-256 of the file's bytes
    size: int
    contents: Any  # store.FileEntries


@dataclass
class _Index:
    code: bytes  # the code and versions the records were made with
    records: dict[str, tuple[bytes, int, str]]  # shown path -> (digest, size, record name)
    files: list[str] = field(default_factory=list)  # the store's files, in load order, at the last load
    clean: bool = False  # the last load found no error
    static_warnings: list[Problem] | None = None  # its warnings that do not depend on the date


class StoreCache:
    """The cache of one store folder. Every method swallows its own failures."""

    def __init__(self, folder: Path, key: bytes):
        self.folder = folder
        self.key = key
        self.index = _Index(code_digest(), {})
        self.previous: _Index | None = None
        self.hits: set[str] = set()
        self.new_records: dict[str, tuple[FileRecord, str]] = {}  # shown -> (record, name)

    @classmethod
    def open(cls, root: Path, cache_dir: Path | None = None) -> StoreCache | None:
        """The cache of the store at `root`, in `cache_dir` (default: `.sitrep-cache` beside
        the store folder); None when no signing key can be had (then nothing is cached)."""
        key = _signing_key()
        if key is None:
            return None
        root = Path(root).resolve()
        folder = Path(cache_dir) if cache_dir is not None else root.parent / CACHE_DIR
        name = hashlib.sha256(str(root).encode("utf-8", "surrogatepass")).hexdigest()[:16]
        cache = cls(folder / f"store-{name}", key)
        previous = cache._read("index")
        if isinstance(previous, _Index) and previous.code == cache.index.code:
            cache.previous = previous
        return cache

    # --- reading ----------------------------------------------------------------------------

    def get(self, shown: str, raw: bytes, path: Path) -> Any | None:
        """The contents recorded for the file shown as `shown` whose bytes are `raw`, or None.
        Its document (data and line numbers) is read only when something asks for it."""
        if self.previous is None:
            return None
        known = self.previous.records.get(shown)
        digest = hashlib.sha256(raw).digest()
        if known is None or known[0] != digest or known[1] != len(raw):
            return None
        record = self._read(known[2])
        if not isinstance(record, FileRecord) or (record.shown, record.digest, record.size) != (shown, digest, len(raw)):
            return None
        self.index.records[shown] = known
        self.hits.add(shown)
        contents = record.contents
        contents.doc = CachedDocument(shown, lambda: self._document(known[2], shown, digest, path))
        return contents

    def _document(self, name: str, shown: str, digest: bytes, path: Path):
        doc = self._read(name, part=1)
        if isinstance(doc, YamlDocument) and doc.file == shown:
            return doc
        # The cache went away since this run read its index (deleted by hand, say): parse the
        # file again. It had this content a moment ago; if it changed since, its line numbers
        # are the best there are (the next run reloads it anyway). Read as the store reads it:
        # a regular file, no link followed.
        try:
            return parse_yaml_bytes(read_yaml_bytes(path, shown, follow_symlinks=False), shown)
        except (OSError, YamlLoadError):
            return YamlDocument(shown, None)

    def unchanged_since_clean_load(self, files: list[str]) -> list[Problem] | None:
        """The warnings (those not depending on the date) of the last load, when it found no
        error and every file it read is here again, unchanged, and nothing else: None otherwise."""
        previous = self.previous
        if previous is None or not previous.clean or previous.static_warnings is None:
            return None
        if previous.files != files or not all(f in self.hits for f in files):
            return None
        return list(previous.static_warnings)

    # --- writing ----------------------------------------------------------------------------

    def put(self, shown: str, raw: bytes, contents: Any) -> None:
        """Record a file that loaded without an error (written by `save`)."""
        digest = hashlib.sha256(raw).digest()
        name = hashlib.sha256(shown.encode("utf-8", "surrogatepass") + b"\0" + digest).hexdigest()[:32]
        self.new_records[shown] = (FileRecord(shown, digest, len(raw), contents), name)
        self.index.records[shown] = (digest, len(raw), name)

    def save(self, files: list[str], clean: bool, static_warnings: list[Problem] | None) -> None:
        """Write the new records and the index; then remove records nothing refers to."""
        index = self.index
        index.files, index.clean = list(files), clean
        index.static_warnings = list(static_warnings) if clean and static_warnings is not None else None
        previous = self.previous
        if (not self.new_records and previous is not None and previous.records == index.records
                and (previous.files, previous.clean, previous.static_warnings)
                == (index.files, index.clean, index.static_warnings)):
            return  # nothing changed: nothing to write
        try:
            _make_private_folder(self.folder)
            _mark_cache_folder(self.folder.parent)
            for record, name in self.new_records.values():
                # The entries and the document in two parts: a run that reuses the file unpickles
                # the entries, and the document only if something asks for a line.
                contents = record.contents
                self._write(name, FileRecord(record.shown, record.digest, record.size, replace(contents, doc=None)),
                            contents.doc)
            self._write("index", index)
            keep = {name for _, _, name in index.records.values()} | {"index"}
            for stale in self.folder.iterdir():
                if stale.name.startswith("."):  # a temporary file, left behind if it is an hour old
                    if stale.name.endswith(".tmp") and time.time() - stale.stat().st_mtime > 3600:
                        stale.unlink(missing_ok=True)
                elif stale.name not in keep:
                    stale.unlink(missing_ok=True)
        except (OSError, SitrepError, pickle.PicklingError, RecursionError, TypeError, AttributeError):
            pass  # a cache that cannot be written only makes the next run slower

    # --- files ------------------------------------------------------------------------------

    def _read(self, name: str, part: int = 0) -> Any | None:
        """Part `part` of the cache file `name`, if its signature holds; None on any problem."""
        try:
            blob = (self.folder / name).read_bytes()
            if not blob.startswith(_MAGIC):
                return None
            header = len(_MAGIC) + 1
            parts = blob[len(_MAGIC)]
            start = header + parts * (_TAG_BYTES + 8)
            for index in range(parts):
                at = header + index * (_TAG_BYTES + 8)
                tag, length = blob[at:at + _TAG_BYTES], int.from_bytes(blob[at + _TAG_BYTES:at + _TAG_BYTES + 8], "big")
                if index == part:
                    payload = blob[start:start + length]
                    if len(payload) != length or not hmac.compare_digest(tag, self._sign(name, part, payload)):
                        return None
                    return pickle.loads(payload)
                start += length
            return None
        except Exception:  # noqa: BLE001 - whatever is wrong with a cache file, the store's files are the truth
            return None

    def _write(self, name: str, *values: Any) -> None:
        """Write `values` as the signed parts of the cache file `name`."""
        payloads = [pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL) for value in values]
        header = [_MAGIC, bytes([len(payloads)])]
        for part, payload in enumerate(payloads):
            header += [self._sign(name, part, payload), len(payload).to_bytes(8, "big")]
        _write_replacing(self.folder / name, b"".join(header + payloads))

    def _sign(self, name: str, part: int, payload: bytes) -> bytes:
        # The name and part are signed too, so that no part can pass for another.
        mac = hmac.new(self.key, f"{name}\0{part}\0".encode(), hashlib.sha256)
        mac.update(payload)
        return mac.digest()


def _write_replacing(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, then rename it over `path`: a reader sees
    the old file or the new one, never half of one. Unlike report files (`output.write_atomic`)
    cache files are not forced to disk first: that took longer than the rest of the writing,
    and a file that a crash leaves damaged fails its signature and is ignored. mkstemp makes
    the file readable by its owner only (0600), whatever the umask, as every cache file is."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


class CachedDocument:
    """A store file's document (its data and the line of every value), read from the cache the
    first time anything asks for a line or the data: a run that finds every file unchanged
    rarely does (its warnings are cached with their lines)."""

    def __init__(self, file: str, load):
        self.file = file
        self._load = load
        self._doc = None

    def _document(self):
        if self._doc is None:
            self._doc = self._load()
        return self._doc

    @property
    def data(self):
        return self._document().data

    @property
    def positions(self):
        return self._document().positions

    def line_of(self, path) -> int:
        return self._document().line_of(path)

    def __reduce__(self):  # pickled (to another process, say) as the document itself
        return (_identity, (self._document(),))


def _identity(value):
    return value


_CODE_DIGEST: bytes | None = None


def code_digest() -> bytes:
    """A digest of what produced a record: sitrep's source files and the library versions."""
    global _CODE_DIGEST
    if _CODE_DIGEST is None:
        digest = hashlib.sha256(f"{FORMAT}|{__version__}|{sys.version}|{pydantic.VERSION}|{yaml.__version__}".encode())
        package = Path(__file__).resolve().parent.parent  # sitrep/, every stage's package
        sources = []  # os.walk, not Path.rglob: a third of the time, on every run of every command
        for folder, subfolders, names in os.walk(package):
            subfolders[:] = [name for name in subfolders if name != "__pycache__"]
            sources += [Path(folder, name) for name in names if name.endswith(".py")]
        for source in sorted(sources):
            digest.update(source.relative_to(package).as_posix().encode() + b"\0")
            digest.update(source.read_bytes())
        _CODE_DIGEST = digest.digest()
    return _CODE_DIGEST


def user_cache_dir() -> Path:
    """The user's cache folder for sitrep, outside every workspace: the store cache's signing
    key, and the fonts cut down for single-file reports (render/singlefile.py)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "sitrep"


def key_path() -> Path:
    """Where the signing key lives: the user's cache folder, outside every workspace."""
    return user_cache_dir() / "cache-key"


def _signing_key() -> bytes | None:
    """The user's key, made on first use; None when it can be neither read nor made."""
    path = key_path()
    try:
        key = path.read_bytes()
        if len(key) == _KEY_BYTES:
            return key
    except FileNotFoundError:
        pass
    except OSError:
        return None
    # Missing, or damaged: a new key (cache files signed with the old one are then ignored).
    # Two processes doing this at once each read back whichever key was renamed in last.
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".cache-key.")  # readable by its owner only
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(secrets.token_bytes(_KEY_BYTES))
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        key = path.read_bytes()
        return key if len(key) == _KEY_BYTES else None
    except OSError:
        return None


def _make_private_folder(folder: Path) -> None:
    """Make `folder` and the cache folder it is in (.sitrep-cache), readable by their owner
    only; tighten them if an older sitrep made them readable by all."""
    for path in (folder.parent, folder):
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        _make_private(path, 0o700)


def _make_private(path: Path, mode: int) -> None:
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        with contextlib.suppress(OSError):  # not ours to change (a shared cache): used as it is
            path.chmod(mode)


def _mark_cache_folder(folder: Path) -> None:
    """Tell git (and backup tools) to leave the cache alone."""
    for name, text in ((".gitignore", "# sitrep's store cache; safe to delete at any time\n*\n"),
                       ("CACHEDIR.TAG", "Signature: 8a477f597d28d172789f06886806bc55\n"
                                        "# This folder is a cache made by sitrep (https://bford.info/cachedir/).\n")):
        path = folder / name
        if path.exists():
            _make_private(path, 0o600)
        else:
            _write_replacing(path, text.encode("utf-8"))


class TemplateBytecodeCache:
    """Compiled templates, kept between runs (Jinja's bytecode cache protocol): compiling the
    report's templates was the largest cost of a build outside WeasyPrint. Jinja checks each
    entry against its template's source checksum; the files are signed with the same per-user
    key as the store cache, because compiled code from a file someone else wrote must never run."""

    def __init__(self, folder: Path, key: bytes):
        self.folder = folder
        self.key = key

    @classmethod
    def open(cls, cache_dir: Path):
        """A jinja2 BytecodeCache in `cache_dir`/templates, or None when no key can be had."""
        key = _signing_key()
        if key is None:
            return None
        return _jinja_bytecode_cache_class()(Path(cache_dir) / "templates", key)

    def get_bucket(self, environment, name, filename, source):
        # Compiled code depends on the compiler as well as the source: sitrep's own (its
        # `format`, render/templates.py) is part of the checksum, so that a template compiled
        # by another version of it is compiled again.
        compiler = getattr(environment.code_generator_class, "format", 0)
        return super().get_bucket(environment, name, filename, f"{source}\0sitrep compiler format {compiler}")

    def load_bytecode(self, bucket) -> None:
        try:
            blob = (self.folder / bucket.key).read_bytes()
        except OSError:
            return
        tag, data = blob[:32], blob[32:]
        if hmac.compare_digest(tag, hmac.new(self.key, bucket.key.encode() + b"\0" + data, hashlib.sha256).digest()):
            try:
                bucket.bytecode_from_string(data)
            except Exception:  # noqa: BLE001 - a bad entry only means compiling again
                bucket.reset()

    def dump_bytecode(self, bucket) -> None:
        try:
            data = bucket.bytecode_to_string()
            _make_private_folder(self.folder)
            _mark_cache_folder(self.folder.parent)
            tag = hmac.new(self.key, bucket.key.encode() + b"\0" + data, hashlib.sha256).digest()
            _write_replacing(self.folder / bucket.key, tag + data)
        except (OSError, ValueError, TypeError):
            pass  # a cache that cannot be written only makes the next run slower


@functools.cache
def _jinja_bytecode_cache_class() -> type:
    # Jinja is imported only by the commands that render (check and trace never do).
    import jinja2

    class SignedBytecodeCache(TemplateBytecodeCache, jinja2.BytecodeCache):
        pass

    return SignedBytecodeCache
