"""The output stage: files written whole or not at all.

Every file is written to a temporary name in its final folder, flushed to disk, then renamed
over the old one, so a failed or interrupted build leaves the last good report in place.

A file is readable as the umask allows (0666 less the umask, as any program's new file), or,
`private` (an internal edition's), by its owner only: 0600, whatever the umask.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from sitrep.errors import OutputError, Problem, display_path

PRIVATE_MODE = 0o600


def write_atomic(path: Path, data: bytes | str, *, private: bool = False) -> None:
    """Write `data` to `path` whole or not at all; raises OutputError (with the path) on failure.
    `private`: readable and writable by the owner only; otherwise as the umask allows."""
    try:
        _write_atomic(path, data, PRIVATE_MODE if private else 0o666 & ~current_umask())
    except OSError as exc:
        raise OutputError(Problem(display_path(path), 0, f"cannot write: {exc.strerror or exc}",
                                  expected="a writable output folder")) from None


def _write_atomic(path: Path, data: bytes | str, mode: int) -> None:
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            # mkstemp made it 0600; its final mode is set before anything can read it by its name.
            os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def current_umask() -> int:
    """This process's umask. Linux shows it in /proc; elsewhere the only way to read it is to
    set it and set it back, and a thread creating a file meanwhile would get the stand-in: a
    strict one (0o077), so that the race can only make a file more private, never less."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    umask = os.umask(0o077)
    os.umask(umask)
    return umask


def copy_if_changed(source: Path, target: Path) -> None:
    data = source.read_bytes()
    if target.is_file() and _digest(target.read_bytes()) == _digest(data):
        return
    write_atomic(target, data)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_outputs(files: dict[Path, bytes | str], *, private: bool = False) -> None:
    """Write every file atomically; all content is produced before the first write."""
    for path, data in files.items():
        write_atomic(path, data, private=private)
