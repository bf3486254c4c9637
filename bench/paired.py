"""Timing on a noisy machine: whole processes, A and B interleaved, the median of pairwise ratios.

The machines sitrep is measured on are shared: another process can slow any one run by half.
Taking the fastest of a few unpaired runs of A and of B compares A's luckiest moment with B's.
Here A and B run in turns (A, B, A, B ... and, every other pair, B first, so that neither always
runs on a cache the other warmed), each pair's ratio A/B is taken, and the figure is the median
of those ratios with their min-max and n: a disturbance slows one pair, not the result.

    from paired import interleave, run
    pairs = interleave(lambda: run(cmd_a, cwd=ws), lambda: run(cmd_b, cwd=ws), n=7)
    pairs.median, pairs.low, pairs.high, pairs.n     # A/B
    pairs.a.median, pairs.b.median                   # each side's median time (a Sample each run)

`run` times one process (its wall time) and reads its peak memory from the kernel (os.wait4's
ru_maxrss: that process's, or one of its own children's if larger, not the largest of every
process the benchmark ran so far, as resource.getrusage(RUSAGE_CHILDREN) would give).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable


@dataclass(frozen=True)
class Sample:
    seconds: float  # wall time of the whole process
    peak_kb: int = 0  # its peak resident size (ru_maxrss, kB on Linux)
    cpu: float = 0.0  # its user + system time, its own children's included
    stdout: str = ""


class Spread:
    """The median and min-max of `values`."""

    values: tuple[float, ...] | list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)


@dataclass(frozen=True)
class Series(Spread):
    """n measurements of one side."""

    samples: tuple[Sample, ...]

    @property
    def values(self) -> list[float]:
        return [s.seconds for s in self.samples]

    @property
    def peak_kb(self) -> int:
        return max((s.peak_kb for s in self.samples), default=0)


@dataclass(frozen=True)
class Paired(Spread):
    """n pairs: each side's Series, and the ratios A/B (`values`)."""

    a: Series
    b: Series
    values: tuple[float, ...] = field(default=())

    @property
    def n(self) -> int:
        return len(self.values)

    def describe(self) -> str:
        """'0.71x (0.64-0.80x, n=7)': the median of the pairwise ratios A/B."""
        return f"{self.median:.2f}x ({self.low:.2f}-{self.high:.2f}x, n={self.n})"


def interleave(a: Callable[[], Sample], b: Callable[[], Sample], n: int,
               before: Callable[[], None] | None = None) -> Paired:
    """n pairs of A and B run in turns, B first in every other pair; `before` runs before each
    of the 2n runs (e.g. deleting a cache that both sides must start without)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    got_a: list[Sample] = []
    got_b: list[Sample] = []
    for i in range(n):
        order = ((a, got_a), (b, got_b)) if i % 2 == 0 else ((b, got_b), (a, got_a))
        for side, into in order:
            if before is not None:
                before()
            into.append(side())
    ratios = tuple(x.seconds / y.seconds for x, y in zip(got_a, got_b))
    return Paired(Series(tuple(got_a)), Series(tuple(got_b)), ratios)


def repeat(a: Callable[[], Sample], n: int, before: Callable[[], None] | None = None) -> Series:
    """n runs of one thing: its median and min-max (for a figure that is not a ratio)."""
    got = []
    for _ in range(n):
        if before is not None:
            before()
        got.append(a())
    return Series(tuple(got))


# A child's peak memory (ru_maxrss) keeps the high-water mark of the process it was forked from
# across exec: a command forked from a big process (a pytest worker, 300 MB) would report that
# size. So each command is started by this small launcher, which forks it from its own few MB,
# times it, and writes the command's own figures to the file it is given.
_LAUNCHER = """
import os, sys, time
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(f"{time.perf_counter() - started} {usage.ru_maxrss} {usage.ru_utime + usage.ru_stime}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None,
        check: bool = True) -> Sample:
    """One process, timed from start to exit, with its own peak memory and CPU time (measured
    by the launcher above, so that neither its start nor this process's size is counted)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err, \
            tempfile.NamedTemporaryFile("r") as figures:
        process = subprocess.Popen([sys.executable, "-c", _LAUNCHER, figures.name, *command], cwd=cwd, env=env,
                                   stdout=out, stderr=err, text=True)
        code = process.wait()
        out.seek(0)
        err.seek(0)
        output, errors = out.read(), err.read()
        measured = figures.read().split()
    if check and code != 0:
        raise SystemExit(f"benchmark step {' '.join(command)!r} failed (exit {code}) in {cwd}:\n{errors[-3000:]}")
    wall, peak_kb, cpu = (float(measured[0]), int(measured[1]), float(measured[2])) if measured else (0.0, 0, 0.0)
    return Sample(wall, peak_kb, cpu, output)
