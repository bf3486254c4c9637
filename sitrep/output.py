"""The output stage: files written whole or not at all.

Every file is written to a temporary name in its final folder, flushed to disk, then renamed
over the old one, so a failed or interrupted build leaves the last good report in place.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from .errors import OutputError, Problem, display_path


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write `data` to `path` whole or not at all; raises OutputError (with the path) on failure."""
    try:
        _write_atomic(path, data)
    except OSError as exc:
        raise OutputError(Problem(display_path(path), 0, f"cannot write: {exc.strerror or exc}",
                                  expected="a writable output folder")) from None


def _write_atomic(path: Path, data: bytes | str) -> None:
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def copy_if_changed(source: Path, target: Path) -> None:
    data = source.read_bytes()
    if target.is_file() and _digest(target.read_bytes()) == _digest(data):
        return
    write_atomic(target, data)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_outputs(files: dict[Path, bytes | str]) -> None:
    """Write every file atomically; all content is produced before the first write."""
    for path, data in files.items():
        write_atomic(path, data)
