"""Open and read a store or config file safely: regular files only, of a bounded size.

The store is a folder that anyone with write access to it can fill, so reading a file is the
first thing that can go wrong, before any YAML is parsed:

- only a regular file is opened (`open_regular_file`): a named pipe, a device or a socket is
  refused without being opened (opening a pipe waits for a writer, forever; opening a device
  can set it going). The file is opened with O_NONBLOCK, so even one swapped in after the look
  cannot block the run, and checked again once open (fstat);
- with `follow_symlinks=False` (the store) a symbolic link is refused by its name, and the file
  is opened with O_NOFOLLOW, so a link put in its place after the look is never followed;
- a file over `MAX_FILE_BYTES` is refused by its size before anything is read
  (`read_yaml_bytes`), and one that grows while it is read is refused too.

Every refusal is a `YamlLoadError` carrying a `Problem` that names the file as the user knows
it and never quotes its content or the absolute path. `yamlsource` parses what this module
reads; this module imports nothing of it.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from sitrep.errors import Problem

# A store file of 10 MB holds some 40,000 entries and loads in about 5 s using under 1 GB; a
# bigger one is a mistake or an attack, refused before it is read. Split a big store by month.
MAX_FILE_BYTES = 10 * 1024 * 1024


class YamlLoadError(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(str(problem))


def read_yaml_bytes(path: Path, shown: str, *, max_bytes: int = MAX_FILE_BYTES,
                    follow_symlinks: bool = True) -> bytes:
    """The bytes of `path`, a regular file (see `open_regular_file`) of at most `max_bytes`,
    refused by its size before anything is read; raises `YamlLoadError`."""
    try:
        with open_regular_file(path, shown, follow_symlinks=follow_symlinks) as file:
            _refuse_oversized(os.fstat(file.fileno()).st_size, max_bytes, shown)
            data = file.read(max_bytes + 1)
    except OSError as exc:
        raise YamlLoadError(_unreadable(exc, shown)) from None
    _refuse_oversized(len(data), max_bytes, shown)  # it grew after it was measured
    return data


def _refuse_oversized(size: int, max_bytes: int, shown: str) -> None:
    if size > max_bytes:
        # In MiB, as the manual states the limit ("files over 10 MB") and file managers count.
        limit, actual = max_bytes / 2**20, size / 2**20
        actual_text = f"{actual:.0f}" if round(actual) > round(limit) else f"{actual:.2f}"
        raise YamlLoadError(Problem(shown, 0, f"file is {actual_text} MB, larger than the limit of {limit:.0f} MB",
                                    expected="a fact file of a few MB at most; split the store into several files"))


# Never wait when opening: a named pipe put in a file's place must not block the run.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
_FILE_KINDS = ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
               (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


@contextlib.contextmanager
def open_regular_file(path: Path, shown: str, *, follow_symlinks: bool = True):
    """`path` open for reading (binary), if it is a regular file; raises `YamlLoadError` if not.

    Anything else is refused before it is opened: opening a named pipe waits for a writer
    (forever), opening a device can set it going. The open file is checked again (fstat), so
    a file replaced by something else after the first look is refused too. With
    `follow_symlinks=False` a symbolic link is refused, and the file is opened with O_NOFOLLOW:
    a link put in its place after the look is never followed."""
    try:
        _refuse_unless_regular(os.stat(path, follow_symlinks=follow_symlinks).st_mode, shown)
        fd = os.open(path, _OPEN_FLAGS | (0 if follow_symlinks else getattr(os, "O_NOFOLLOW", 0)))
    except OSError as exc:
        if not follow_symlinks and os.path.islink(path):  # O_NOFOLLOW met a link put there just now
            raise YamlLoadError(_not_a_regular_file(shown, "a symbolic link")) from None
        raise YamlLoadError(_unreadable(exc, shown)) from None
    with os.fdopen(fd, "rb") as file:
        _refuse_unless_regular(os.fstat(fd).st_mode, shown)
        yield file


def _refuse_unless_regular(mode: int, shown: str) -> None:
    if not stat.S_ISREG(mode):
        kind = next((name for is_kind, name in _FILE_KINDS if is_kind(mode)), "a special file")
        raise YamlLoadError(_not_a_regular_file(shown, kind))


def _not_a_regular_file(shown: str, kind: str) -> Problem:
    return Problem(shown, 0, f"this is {kind}, not a regular file, and is not read",
                   expected="a regular file of YAML text")


def _unreadable(exc: OSError, shown: str) -> Problem:
    # The system's reason ('Permission denied'), never the exception itself: it names the
    # absolute path.
    return Problem(shown, 0, f"cannot read file: {exc.strerror or 'the system refused'}")
