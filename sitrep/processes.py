"""Child processes that never outlive the build that forked them.

A build forks helpers: the workers of `build --all` and the PDF helper of a one-week build.
A parent that is killed outright (SIGKILL, the out-of-memory killer) gets no chance to stop
them, and they would wait forever: each blocks on a pipe whose writing end its own fork keeps
open, so it never sees the end of the file. Every such child calls `end_with_parent` first
thing, and ends within moments of its parent, however the parent ends.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
POLL_SECONDS = 0.25  # how often the fallback looks for its parent


def end_with_parent(parent_pid: int) -> None:
    """Called in a child just forked from `parent_pid` (its pid taken before the fork): end
    this process as soon as the parent is gone.

    On Linux the kernel does it (PR_SET_PDEATHSIG): SIGKILL when the parent dies. The kernel
    watches the parent *thread* that forked, so children must be forked by a thread that lives
    as long as they are needed (the main thread, or the one running the build). Elsewhere a
    daemon thread in the child polls for its parent."""
    if not _kernel_kills_me_with_my_parent():
        _watch_parent(parent_pid)
    # The parent may have died between the fork and the request above, and nobody would then
    # send the signal: an orphan has been given another parent already.
    if os.getppid() != parent_pid:
        _end_now()


def _kernel_kills_me_with_my_parent() -> bool:
    """Ask Linux to SIGKILL this process when its parent dies; False where it cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        # prctl is variadic: each argument passed as the unsigned long the kernel reads.
        arguments = (ctypes.c_ulong(signal.SIGKILL), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0))
        return libc.prctl(_PR_SET_PDEATHSIG, *arguments) == 0
    except (OSError, AttributeError):  # no libc to load, or no prctl in it
        return False


def _watch_parent(parent_pid: int) -> None:
    """The fallback: a daemon thread that ends this process once its parent has changed
    (an orphan is adopted by another process, so its parent pid changes)."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(POLL_SECONDS)
        _end_now()

    threading.Thread(target=watch, name="sitrep-parent-watch", daemon=True).start()


def _end_now() -> None:
    # Without cleanup, as SIGKILL would: every file the build writes is renamed into place
    # whole, so there is nothing half-done to tidy, and nobody is left to report to.
    os._exit(1)
