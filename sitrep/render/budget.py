"""Templates render within a time and memory budget (config.yaml's `limits:`).

The sandbox (render/sandbox.py) refuses the obvious ways of filling the memory before they
allocate; what it cannot foresee (a string doubled in a loop, loops within loops, a macro that
calls itself twice per level) is stopped here, for real: the render runs in a process forked
for it, whose address space may grow by `template_memory_mb` at most (RLIMIT_AS) and which has
`template_seconds` to finish.

- Out of time, the child's alarm interrupts the template, and the error names the template file
  and line it was running; a child stuck where the alarm cannot reach it (inside one huge
  string operation) is killed a little later, and the error names the template only.
- Out of memory, the allocation fails in the child (MemoryError, reported at its template line),
  or the kernel kills it: either way the parent, which never held the memory, says so.

Only the result crosses back (pickled on a pipe): the rendered HTML, or the template problem.
The build writes nothing before a render has come back whole, so a render over its budget
leaves the last good report as it was. Where fork is not available the render runs in the
calling process, bounded by the sandbox alone.
"""

from __future__ import annotations

import ctypes  # noqa: F401  (loaded here once, not in each render's process: processes.end_with_parent uses it)
import dataclasses
import gc
import os
import pickle
import select
import signal
import struct
import time
import traceback
from typing import Callable, TypeVar

from sitrep.errors import Problem, SitrepError, TemplateProblem
from sitrep.processes import end_with_parent

T = TypeVar("T")

_LENGTH = struct.Struct("!Q")
POLL_SECONDS = 0.5  # how often the parent looks whether the child has ended
GRACE_SECONDS = 3.0  # after the deadline, how long a child the alarm cannot interrupt is given
LIMITS_HINT = "limits: in config.yaml sets the budget (docs/templates.md, 'Limits')"


@dataclasses.dataclass(frozen=True)
class Budget:
    """What one render may take, and the template it renders (as shown in messages)."""

    seconds: float
    memory_mb: int
    template: str


class OutOfTime(Exception):
    """Raised inside the render by the child's alarm."""


_running: Budget | None = None  # in a render's process: its budget


def over_budget(file: str, line: int, out_of_time: bool, budget: Budget | None = None) -> Problem:
    """The problem of a render that went over `budget` (default: the one this process renders
    within), at the template file and line it was running."""
    budget = budget or _running
    if budget is None:  # a render in the build's own process ran out of memory
        return Problem(file, line, "template error: rendering ran out of memory",
                       expected="templates that build no huge text or list (a string doubled in a loop, say)")
    if out_of_time:
        return Problem(file, line, f"template error: rendering took longer than the templates' time limit "
                                   f"of {budget.seconds:g} s",
                       expected="templates that finish in time: no loops within large loops, no macro calling "
                                "itself again and again",
                       hint=LIMITS_HINT)
    return Problem(file, line, f"template error: rendering needed more memory than the templates' limit "
                               f"of {budget.memory_mb:,} MB",
                   expected="templates that build no huge text or list (a string doubled in a loop, say)",
                   hint=LIMITS_HINT)


def within_budget(budget: Budget, render: Callable[[], T]) -> T:
    """`render()`, run in a child process within `budget` (see the module's docstring); its
    SitrepError is raised here as the child raised it."""
    if not hasattr(os, "fork"):
        return render()
    replies, reply_end = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        os.close(replies)
        _child(render, reply_end, parent, budget)
    os.close(reply_end)
    child = _Child(pid)
    try:
        data = child.reply(replies, time.monotonic() + budget.seconds + GRACE_SECONDS)
        out_of_time = data is None and child.status is None
    finally:
        os.close(replies)
        child.end()  # done already, unless out of time or the build was interrupted
    if out_of_time or (data is None and os.WIFSIGNALED(child.status)):  # killed at the deadline, or by the kernel
        raise TemplateProblem(over_budget(budget.template, 0, out_of_time, budget))
    if data is None:
        raise RuntimeError(f"the render process ended without a reply (exit status {child.status})")
    kind, *payload = pickle.loads(data)
    if kind == "done":
        return payload[0]
    if kind == "refused":
        error_type, problems = payload
        raise error_type(problems)
    raise RuntimeError(f"rendering failed in its process: {payload[0]}")  # a bug: an internal error


class _Child:
    """The render's process, as its parent sees it."""

    def __init__(self, pid: int):
        self.pid = pid
        self.status: int | None = None  # once it has ended and been waited for

    def reply(self, fd: int, deadline: float) -> bytes | None:
        """The child's reply (a length, then that many bytes), or None when it ended without
        one or the deadline came. The child's end is watched, not only the pipe's: a process
        that another thread of the build forks meanwhile holds the pipe open too."""
        received = bytearray()
        while not _whole(received):
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], min(left, POLL_SECONDS))
            chunk = os.read(fd, 1 << 20) if ready else b""
            received += chunk
            if (ready and not chunk) or (not ready and self.ended()):
                received += _drain(fd)  # what it wrote just before it ended
                break
        self.wait()
        return bytes(received[_LENGTH.size:]) if _whole(received) else None

    def ended(self) -> bool:
        done, status = os.waitpid(self.pid, os.WNOHANG)
        if done:
            self.status = status
        return bool(done)

    def wait(self) -> None:
        if self.status is None:
            self.status = os.waitpid(self.pid, 0)[1]

    def end(self) -> None:
        """Kill the child if it has not been waited for (a waited-for pid may belong to another
        process already), and wait for it."""
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.wait()


def _whole(received: bytearray) -> bool:
    return len(received) >= _LENGTH.size and len(received) - _LENGTH.size >= _LENGTH.unpack_from(received)[0]


def _drain(fd: int) -> bytes:
    chunks = []
    while select.select([fd], [], [], 0)[0]:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def _child(render: Callable[[], object], fd: int, parent_pid: int, budget: Budget) -> None:
    """The render's process: never returns (the forked copy of the build must not go on to run
    the build's code or its exit handlers)."""
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to report
        # What the build holds stays as it is: the collector leaves it alone, rather than
        # touching (and so copying) every page of it in this process.
        gc.freeze()
        end_with_parent(parent_pid)
        global _running
        _running = budget
        _limit_memory(budget.memory_mb)
        signal.signal(signal.SIGALRM, _out_of_time)
        signal.setitimer(signal.ITIMER_REAL, budget.seconds)
        try:
            try:
                reply = ("done", render())
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        except SitrepError as error:
            reply = ("refused", type(error), error.problems)
        except (MemoryError, OutOfTime) as error:  # outside any template frame
            reply = ("refused", TemplateProblem,
                     [over_budget(budget.template, 0, isinstance(error, OutOfTime))])
        except Exception as error:  # noqa: BLE001 - a bug: the parent reports it as an internal error
            reply = ("bug", f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=8)}")
        data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        data = memoryview(_LENGTH.pack(len(data)) + data)
        while data:
            data = data[os.write(fd, data):]
    except BaseException:  # noqa: BLE001 - the parent reports a child that ended without a reply
        code = 1
    finally:
        os._exit(code)


def _out_of_time(signum, frame) -> None:
    raise OutOfTime()


def _limit_memory(megabytes: int) -> None:
    """Let this process's address space grow by `megabytes` at most (Linux: from /proc; elsewhere
    the kernel does not enforce RLIMIT_AS, and the time limit alone applies)."""
    try:
        import resource

        with open("/proc/self/statm", encoding="ascii") as statm:
            in_use = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (ImportError, OSError, ValueError):
        return
    limit = in_use + megabytes * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
