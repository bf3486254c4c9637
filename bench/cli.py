"""How long the light commands take next to `sitrep --help`, as a user runs them.

    .venv/bin/python bench/cli.py                    # this checkout, 21 pairs per command
    .venv/bin/python bench/cli.py --against 42c72fe  # and the same commands at another commit

`check`, `weeks`, `trace ID` and `schema` load the config and the store (or only the schema) and
print a few lines: the goal is that each takes at most 1.5 times as long as `sitrep --help` on
the example workspace, which measures starting Python and loading the command line. Each
command is timed as a whole process (`python -m sitrep ...` in a copy of the example workspace,
its store cache warm, as it is from the second run on) in pairs with `sitrep --help`, the order
of each pair alternating (help first, then the command first), so that a busy machine disturbs
both sides of a pair alike. What is printed is the median of the pairwise ratios with their
range and the number of pairs, and the median times: of the wall clock, as a user waits, and of
the CPU time the process used (user + system), which a machine busy with other work disturbs
far less than the wall clock. With `--against REV`, the sitrep package
and templates of that commit (git archive) are measured the same way, their pairs interleaved
with this checkout's, and their figures printed beside it.
"""

from __future__ import annotations

import argparse
import shutil
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from goals import export_commit  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_PARTS = ("config.yaml", "facts", "custom")
COMMANDS = {  # what a user runs in the example workspace, {out}: a scratch folder
    "check": ["check"],
    "weeks": ["weeks"],
    "trace": ["trace", "fallujah-trapped-2016-06"],
    "schema": ["schema", "--output", "{out}/sitrep.schema.json"],
}
GOAL = 1.5  # each command at most this many times as long as `sitrep --help`


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=21, help="pairs (command, --help) per command and version")
    parser.add_argument("--against", metavar="REV", help="also measure the sitrep package of this git commit")
    args = parser.parse_args()
    versions, timings = _measure(args.pairs, args.against)
    _report(versions, timings, args.pairs)


def measure(quick: bool) -> list:
    """Issue 25's goal (bench/goals.py): each light command against `sitrep --help`, one line each."""
    from goals import goal

    from goals import BASE_COMMIT

    pairs = 5 if quick else 15
    _, timings = _measure(pairs, BASE_COMMIT)
    out = []
    for command, words in COMMANDS.items():
        helps, runs = timings["this checkout", command]
        walls = [run[0] / help[0] for run, help in zip(runs, helps)]
        cpus = [run[1] / help[1] for run, help in zip(runs, helps)]
        before = [run[0] / help[0] for help, run in zip(*timings[BASE_COMMIT, command])]
        out.append(goal("light-commands", statistics.median(walls), low=min(walls), high=max(walls), n=pairs,
                        before=statistics.median(before), detail=f"`sitrep {words[0]}`",
                        note=f"{statistics.median(r[0] for r in runs) * 1000:.0f} ms against "
                             f"{statistics.median(h[0] for h in helps) * 1000:.0f} ms; CPU time "
                             f"{statistics.median(cpus):.2f}x"))
    return out


def _measure(pairs: int, against: str | None = None) -> tuple[dict[str, Path], dict]:
    with tempfile.TemporaryDirectory(prefix="sitrep-bench-cli-") as scratch:
        scratch = Path(scratch)
        versions = {"this checkout": REPO}
        if against:
            versions[against] = export_commit(against, scratch / "against")
        # A workspace per version: the store cache is kept for one version of sitrep, so two
        # versions sharing one would each find the other's cache and read the whole store again.
        workspaces = {name: _example(scratch / f"ws{i}") for i, name in enumerate(versions)}
        for name, root in versions.items():  # warm the store cache and the disk, once per version
            for words in COMMANDS.values():
                _run(root, workspaces[name], words, scratch)
        timings = {(name, command): ([], []) for name in versions for command in COMMANDS}
        for i in range(pairs):
            for command, words in COMMANDS.items():
                for name, root in versions.items():
                    helps, runs = timings[name, command]
                    workspace = workspaces[name]
                    if i % 2:
                        runs.append(_run(root, workspace, words, scratch))
                        helps.append(_run(root, workspace, ["--help"], scratch))
                    else:
                        helps.append(_run(root, workspace, ["--help"], scratch))
                        runs.append(_run(root, workspace, words, scratch))
    return versions, timings


def _report(versions: dict[str, Path], timings: dict, pairs: int) -> None:
    print(f"Each command against `sitrep --help` on the example workspace, {pairs} interleaved pairs each: "
          f"median of the pairwise ratios [min-max], median times; goal: at most {GOAL}x.")
    for clock, which in (("wall clock", 0), ("CPU time", 1)):
        for name in versions:
            print(f"\n{name}, {clock}:")
            for command in COMMANDS:
                helps, runs = ([t[which] for t in side] for side in timings[name, command])
                ratios = [run / help for run, help in zip(runs, helps)]
                median = statistics.median(ratios)
                verdict = "met" if median <= GOAL else "missed"
                print(f"  {command:<7} {median:5.2f}x [{min(ratios):.2f}-{max(ratios):.2f}] n={len(ratios)}  "
                      f"{statistics.median(runs) * 1000:4.0f} ms vs --help {statistics.median(helps) * 1000:4.0f} ms  {verdict}")
        if len(versions) == 2:
            this, other = versions
            print(f"\n{this} / {other}, the same command, {clock} (pairs interleaved in time):")
            for command in COMMANDS:
                ratios = [a[which] / b[which] for a, b in zip(timings[this, command][1], timings[other, command][1])]
                print(f"  {command:<7} {statistics.median(ratios):5.2f}x [{min(ratios):.2f}-{max(ratios):.2f}] n={len(ratios)}")
    load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
    print(f"\nload average at the end: {load} (a busy machine widens the ranges; the medians hold better)")


def _run(root: Path, workspace: Path, words: list[str], scratch: Path) -> tuple[float, float]:
    """The wall and CPU time of one `python -m sitrep WORDS` in the workspace, with `root`'s package
    first on the path (one child at a time: the children's usage grows by this one's)."""
    command = [sys.executable, "-m", "sitrep", *(word.format(out=scratch) for word in words)]
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root), "HOME": str(scratch), "LANG": "C.UTF-8",
           "XDG_CACHE_HOME": str(scratch / "cache")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=workspace, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{' '.join(words)} failed ({root}):\n{done.stderr.decode(errors='replace')}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _example(target: Path) -> Path:
    target.mkdir(parents=True)
    for part in EXAMPLE_PARTS:
        (shutil.copytree if (REPO / part).is_dir() else shutil.copy)(REPO / part, target / part)
    return target


if __name__ == "__main__":
    main()
