"""The workspace lock: one build at a time writes an output folder.

Two builds writing one output folder at once (say, config.yaml edited and built again while a
build runs) each plan from files the other is rewriting, and leave a mix of both configs that
the next build calls up to date. So a build holds an exclusive lock on `output/.sitrep-lock`
for its whole run, and plans (fingerprints, manifest) only once it holds it. The kernel
releases the lock when the process ends, however it ends: a killed build never leaves it held.

A build removes the lock file as it ends, so that a folder where no build runs holds none (a
refused build leaves nothing behind). A build waiting on the file may then get the lock of a
file that is no longer there: it checks, and locks the file that is there now instead.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Callable

from sitrep.errors import OutputError, Problem, display_path
from sitrep.publish.layout import lock_file

# Errors that mean the file system cannot lock files at all (some network file systems): the
# build then runs unlocked, as every build did before there was a lock, rather than not at all.
_LOCKING_UNSUPPORTED = {errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL}


def waiting_message(holder: int | None) -> str:
    who = f" (pid {holder})" if holder else ""
    return f"another build of this workspace is running{who}; waiting for it to finish…"


class WorkspaceLock:
    """An exclusive lock on an output folder, held from `acquire` until `release` (or until
    this process ends). The holder's pid is written into the lock file, for the message of a
    build that waits."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.path = lock_file(folder)
        self._fd: int | None = None

    def acquire(self, on_wait: Callable[[str], None] | None = None) -> bool:
        """Take the lock; when another build holds it, tell `on_wait` (once) and wait for it.
        Returns whether it had to wait. Ctrl+C while waiting raises KeyboardInterrupt."""
        try:
            import fcntl
        except ImportError:  # not a POSIX system: no locking, as before there was a lock
            return False
        waited = False
        while self._fd is None:
            fd = self._open()
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    if on_wait is not None and not waited:
                        on_wait(waiting_message(_holder(fd)))
                    waited = True
                    fcntl.flock(fd, fcntl.LOCK_EX)
                if not self._is_the_lock_file(fd):
                    os.close(fd)  # its holder removed it as it ended: lock the one there now
                    continue
                _write_holder(fd)
            except OSError as exc:
                os.close(fd)
                if exc.errno in _LOCKING_UNSUPPORTED:
                    return False
                raise self._cannot(exc) from None
            except BaseException:
                os.close(fd)
                raise
            self._fd = fd
        return waited

    def release(self) -> None:
        """Remove the lock file and let the next build in."""
        if self._fd is not None:
            try:
                os.unlink(self.path)  # while still held, so that nobody else's is removed
            except OSError:
                pass  # left behind: the next build uses it
            os.close(self._fd)  # closing the last descriptor of the file releases the lock
            self._fd = None

    def _is_the_lock_file(self, fd: int) -> bool:
        """Whether `fd` is still the file at the lock's path (not one removed since it was opened)."""
        try:
            there, held = os.stat(self.path), os.fstat(fd)
        except FileNotFoundError:
            return False
        return (there.st_dev, there.st_ino) == (held.st_dev, held.st_ino)

    def _open(self) -> int:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            return os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
        except OSError as exc:
            raise self._cannot(exc) from None

    def _cannot(self, exc: OSError) -> OutputError:
        return OutputError(Problem(display_path(self.path), 0, f"cannot lock the output folder: {exc.strerror or exc}",
                                   expected="a writable output folder"))


def _holder(fd: int) -> int | None:
    """The pid the holder wrote, if it has written it yet."""
    try:
        return int(os.pread(fd, 32, 0).decode("ascii").strip())
    except (OSError, ValueError):
        return None


def _write_holder(fd: int) -> None:
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
