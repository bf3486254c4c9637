"""Every language on every core (issue 25): a build of one report after the other (`--jobs 1`)
against the same build on one pool of workers (`--jobs N`), measured side by side.

    .venv/bin/python bench/languages.py                 # the example's latest week in en, ar, fr
    .venv/bin/python bench/languages.py --pairs 11 --all

Each run is a whole `sitrep build --force` process on a fresh copy of the example workspace,
timed from start to end, with the CPU time of it and every process it forked. The two are run
in pairs, one then the other, alternating which goes first (A B, B A, ...), after one warm-up
run of each; what is printed is the median of the pairwise ratios pooled / serial with its
minimum and maximum and the number of pairs, not the best of a few runs: on a busy machine
a single run says little. The load average before and after is printed too."""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from goals import as_users_run  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = ("config.yaml", "facts", "custom")  # what a copy of the example workspace needs
GOAL = 0.7  # the pooled build of a three-language week, at most this share of the serial one


def workspace(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for part in EXAMPLE:
        (shutil.copytree if (REPO / part).is_dir() else shutil.copy)(REPO / part, folder / part)
    return folder


def run(ws: Path, args: list[str], code: Path | None = None) -> tuple[float, float]:
    """One `sitrep build` process (of the sitrep in `code`, a folder holding its package, if
    given): its wall time, and the CPU time of it and all it forked."""
    env = {**os.environ, "PYTHONPATH": str(code)} if code else None
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "sitrep", "build", "--force", "--quiet", *args], cwd=ws,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(process.pid, 0)  # the usage of the process and of the children it waited for
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit(f"sitrep build {' '.join(args)} failed: {process.stderr.read().decode()}")
    process.stderr.close()
    return wall, usage.ru_utime + usage.ru_stime


def compare(ws: Path, serial: list[str], pooled: list[str], pairs: int, before: Path | None = None,
            code: Path | None = None) -> dict:
    """`pairs` interleaved pairs of the serial and the parallel build; `before`: the code of the
    serial side (default this checkout's), `code`: of both sides."""
    serial_code = before or code
    run(ws, serial, serial_code), run(ws, pooled, code)  # warm-up: font caches, compiled templates, the store cache
    walls = {"serial": [], "pooled": []}
    cpus = {"serial": [], "pooled": []}
    ratios = []
    for n in range(pairs):
        order = [("serial", serial, serial_code), ("pooled", pooled, code)]
        measured = {}
        for name, args, side_code in order if n % 2 == 0 else order[::-1]:
            measured[name] = run(ws, args, side_code)
            walls[name].append(measured[name][0])
            cpus[name].append(measured[name][1])
        ratios.append(measured["pooled"][0] / measured["serial"][0])
    return {"walls": walls, "cpus": cpus, "ratios": ratios}


def report(title: str, measured: dict, goal: float | None) -> None:
    ratios = measured["ratios"]
    median = statistics.median(ratios)
    print(f"\n{title}")
    for name in ("serial", "pooled"):
        print(f"  {name:7} wall median {statistics.median(measured['walls'][name]):5.2f} s "
              f"(min {min(measured['walls'][name]):.2f}, max {max(measured['walls'][name]):.2f}); "
              f"CPU time of all its processes, median {statistics.median(measured['cpus'][name]):5.2f} s")
    print(f"  pooled / serial: median of pairwise ratios {median:.2f} (min {min(ratios):.2f} – max "
          f"{max(ratios):.2f}, n = {len(ratios)} pairs)")
    if goal is not None:
        print(f"  goal: at most {goal:.2f} — {'met' if median <= goal else 'missed'}")


def measure(quick: bool) -> list:
    """Issue 25's goal (bench/goals.py): a three-language week built as a user runs it, against
    the same build with --jobs 1."""
    from goals import BASE_COMMIT, export_commit, goal

    pairs = 3 if quick else 7
    with tempfile.TemporaryDirectory(prefix="sitrep-bench-languages-") as tmp:
        measured = compare(workspace(Path(tmp) / "ws"), ["--jobs", "1"], [], pairs)
        # The same on the code before issue 25, in a workspace of its own (its store cache is its own).
        base = export_commit(BASE_COMMIT, Path(tmp) / "base")
        before = compare(workspace(Path(tmp) / "ws-base"), ["--jobs", "1"], [], pairs, code=base)
    ratios, walls = measured["ratios"], measured["walls"]
    return [goal("languages", statistics.median(ratios), low=min(ratios), high=max(ratios), n=len(ratios),
                 before=statistics.median(before["ratios"]),
                 note=f"sitrep build --force of the latest week, en ar fr, HTML and PDF: "
                      f"{statistics.median(walls['pooled']):.2f} s against --jobs 1's "
                      f"{statistics.median(walls['serial']):.2f} s on {os.cpu_count()} cores")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=7, help="how many serial/pooled pairs (default 7)")
    parser.add_argument("--jobs", type=int, default=None, help="--jobs of the parallel build (default: none given, "
                        "as a user runs it: one week's PDFs on one more lane than there are cores)")
    parser.add_argument("--all", action="store_true", help="also every week of the series (build --all)")
    parser.add_argument("--before", type=Path, help="a folder holding an earlier sitrep package (`git archive "
                        "42c72fe sitrep | tar -x -C DIR`): the serial side runs it, one language after the other")
    options = parser.parse_args()
    as_users_run()
    print(f"{os.cpu_count()} cores; load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="sitrep-bench-languages-") as tmp:
        ws = workspace(Path(tmp) / "ws")
        serial = f"{options.before} --jobs 1" if options.before else "--jobs 1"
        jobs = ["--jobs", str(options.jobs)] if options.jobs else []
        parallel = " ".join(jobs) or "no --jobs"
        week = compare(ws, ["--jobs", "1"], jobs, options.pairs, options.before)
        report(f"One week (the latest) in en, ar and fr, HTML and PDF: {serial} vs {parallel}", week, GOAL)
        if options.all:
            series = compare(ws, ["--all", "--jobs", "1"], ["--all", *jobs], options.pairs, options.before)
            report(f"Every week of the series in en, ar and fr (build --all): {serial} vs {parallel}", series, None)
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
