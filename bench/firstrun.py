"""Where the first `make report` on a fresh machine spends its extra time (docs/performance.md,
"The first run").

    .venv/bin/python bench/firstrun.py                      # 4 rounds: several minutes
    .venv/bin/python bench/firstrun.py --rounds 3 --against /tmp/sitrep-42c72fe

Each run is a whole `sitrep build --force` process (the example workspace of this repository,
copied into a temporary folder: three languages, HTML and PDF, the single-file HTML's fonts
written in) with every cache warm except the ones its condition empties:

- warm: every cache as the previous run left it;
- fonts: sitrep's font subsets (`$XDG_CACHE_HOME/sitrep/fonts`, render/singlefile.py) emptied;
- fontconfig: fontconfig's cache emptied (a fonts.conf naming the system's font folders and a
  new, empty cache folder, through FONTCONFIG_FILE);
- bytecode: sitrep's own compiled modules (__pycache__) removed, as after an editable install;
- bytecode-all (only when named in --conditions): every module's bytecode compiled afresh
  (PYTHONPYCACHEPREFIX: a new, empty folder), the standard library and the installed packages
  too: what an install without compiled files would pay (pip compiles them when it installs);
- workspace: the workspace's `.sitrep-cache/` (store and compiled templates) removed;
- fresh: a fresh machine after `make report`'s set-up: all of fonts, fontconfig, bytecode and
  workspace at once, and a new user cache folder (so a new signing key).

The conditions run in `--rounds` rounds, in a rotating order, each run beside a warm run of its
own (A, B in one round, B, A in the next); each condition's figure is the median of its ratios to
its warm runs, with the min-max and n, and the median of the seconds it adds. With `--against
DIR` (a checkout of another version: DIR/sitrep and DIR/templates), that version's fonts and
fresh runs are measured the same way, and the two versions' fresh runs side by side, to compare
their first runs. The figures so far are printed after each round. The machines are shared and
noisy: compare ratios, not seconds from different days.
"""

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
WORKSPACE_FILES = ("config.yaml", "facts", "custom")
CONDITIONS = ("warm", "fonts", "fontconfig", "bytecode", "bytecode-all", "workspace", "fresh")
DEFAULT = "fonts,fontconfig,bytecode,workspace,fresh"
FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <dir>/usr/share/fonts</dir>
  <dir>/usr/local/share/fonts</dir>
  <include ignore_missing="yes">/etc/fonts/conf.d</include>
  <cachedir>{cache}</cachedir>
</fontconfig>
"""


class Version:
    """One version of sitrep's code, copied so that its bytecode can be removed at will, with a
    workspace and a user cache folder its warm runs keep warm."""

    def __init__(self, label: str, source: Path, scratch: Path):
        self.label, self.scratch = label, scratch / label
        self.code = self.scratch / "code"
        for part in ("sitrep", "templates"):
            shutil.copytree(source / part, self.code / part, ignore=shutil.ignore_patterns("__pycache__"))
        self.workspace = self.scratch / "workspace"
        self.workspace.mkdir()
        for name in WORKSPACE_FILES:
            copy = shutil.copytree if (REPO / name).is_dir() else shutil.copy2
            copy(REPO / name, self.workspace / name)
        self.warm_cache = self.scratch / "cache"
        self.run("warm")  # makes every cache warm

    def run(self, condition: str) -> float:
        fresh = Path(tempfile.mkdtemp(dir=self.scratch, prefix=f"{condition}-"))
        env = {**os.environ, "PYTHONPATH": str(self.code), "XDG_CACHE_HOME": str(self.warm_cache)}
        env.pop("PYTHONPYCACHEPREFIX", None)
        if condition in ("fonts", "fresh"):
            shutil.rmtree(self.warm_cache / "sitrep" / "fonts", ignore_errors=True)
        if condition == "fresh":
            env["XDG_CACHE_HOME"] = str(fresh / "cache")
        if condition in ("fontconfig", "fresh"):
            (fresh / "fonts.conf").write_text(FONTS_CONF.format(cache=fresh / "fontconfig"))
            env["FONTCONFIG_FILE"] = str(fresh / "fonts.conf")
        if condition in ("bytecode", "fresh"):
            for folder in self.code.rglob("__pycache__"):
                shutil.rmtree(folder)
        if condition == "bytecode-all":
            env["PYTHONPYCACHEPREFIX"] = str(fresh / "pycache")
        if condition in ("workspace", "fresh"):
            shutil.rmtree(self.workspace / ".sitrep-cache", ignore_errors=True)
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "sitrep", "build", "--force"], cwd=self.workspace, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        seconds = time.perf_counter() - started
        if done.returncode:
            sys.exit(f"{self.label} {condition}: sitrep build failed:\n{done.stderr}")
        shutil.rmtree(fresh)
        if condition != "fresh":
            return seconds
        self.run("warm")  # the fresh run's caches were thrown away: the next warm run finds them warm
        return seconds


def measure(quick: bool) -> list:
    """Issue 25's goal (bench/goals.py): the first build on a fresh machine (every cache empty)
    and with only sitrep's font subsets emptied, each against a warm build beside it."""
    from goals import BASE_COMMIT, export_commit, goal

    rounds = 2 if quick else 4
    with tempfile.TemporaryDirectory(prefix="sitrep-firstrun-") as scratch:
        versions = {"this": Version("this", REPO, Path(scratch)),
                    "before": Version("before", export_commit(BASE_COMMIT, Path(scratch) / "base"), Path(scratch))}
        pairs: dict[tuple[str, str], list[tuple[float, float]]] = {
            (label, condition): [] for label in versions for condition in ("fonts", "fresh")}
        for round_ in range(rounds):
            plan = list(pairs)
            for label, condition in (plan if round_ % 2 == 0 else plan[::-1]):
                version = versions[label]
                if round_ % 2:
                    cold = version.run(condition)
                    pairs[label, condition].append((cold, version.run("warm")))
                else:
                    warm = version.run("warm")
                    pairs[label, condition].append((version.run(condition), warm))
    words = {"fonts": "sitrep's font subsets emptied (the cutting a first run did)",
             "fresh": "on a fresh machine (font subsets, fontconfig's cache, bytecode and the store cache emptied)"}
    out = []
    for condition in ("fonts", "fresh"):
        runs = pairs["this", condition]
        ratios = [cold / warm for cold, warm in runs]
        before = statistics.median(cold / warm for cold, warm in pairs["before", condition])
        out.append(goal("first-run", statistics.median(ratios), low=min(ratios), high=max(ratios), n=len(ratios),
                        before=before, detail=words[condition],
                        note=f"sitrep build --force of the example, 3 languages: adds "
                             f"{statistics.median(c - w for c, w in runs):+.2f} s to "
                             f"{statistics.median(w for _, w in runs):.2f} s"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--conditions", default=DEFAULT,
                        help=f"a comma-separated subset of {', '.join(CONDITIONS)} (warm is always run)")
    parser.add_argument("--against", type=Path, help="another checkout whose fonts and fresh runs are measured too")
    options = parser.parse_args()
    as_users_run()
    conditions = ["warm"] + [c for c in options.conditions.split(",") if c and c != "warm"]
    unknown = set(conditions) - set(CONDITIONS)
    if unknown:
        sys.exit(f"firstrun: unknown condition(s): {', '.join(sorted(unknown))}")
    with tempfile.TemporaryDirectory(prefix="sitrep-firstrun-") as scratch:
        versions = [Version("this", REPO, Path(scratch))]
        plan = [(versions[0], c) for c in conditions[1:]]
        if options.against:
            versions.append(Version("against", options.against.resolve(), Path(scratch)))
            plan += [(versions[1], c) for c in ("fonts", "fresh") if c in conditions]
        pairs: dict[tuple[str, str], list[tuple[float, float]]] = {(v.label, c): [] for v, c in plan}
        fresh: list[float] = []  # this version's fresh run over the other's, the two run one after the other
        for round_ in range(options.rounds):
            shift = round_ % len(plan)
            for version, condition in plan[shift:] + plan[:shift]:  # a rotating order: no condition always first
                # Each condition beside a warm run of its own (warm first in even rounds, last in odd ones).
                if round_ % 2:
                    cold = version.run(condition)
                    pairs[version.label, condition].append((cold, version.run("warm")))
                else:
                    warm = version.run("warm")
                    pairs[version.label, condition].append((version.run(condition), warm))
            if len(versions) == 2 and "fresh" in conditions:
                first, second = versions if round_ % 2 else versions[::-1]
                times = {first.label: first.run("fresh"), second.label: second.run("fresh")}
                fresh.append(times["this"] / times["against"])
            report(pairs, fresh, round_ + 1)  # so far: a run cut short still says what it measured


def report(pairs: dict[tuple[str, str], list[tuple[float, float]]], fresh: list[float], rounds: int) -> None:
    load = os.getloadavg()
    print(f"\nsitrep build --force of the example (3 languages), {rounds} rounds, each run beside a warm one; "
          f"load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'version':8} {'condition':13} {'cold s':>7} {'warm s':>7} {'÷ warm: median (min-max)':>26} {'adds s':>7}")
    for (label, condition), runs in pairs.items():
        ratios = [cold / warm for cold, warm in runs]
        added = statistics.median(cold - warm for cold, warm in runs)
        print(f"{label:8} {condition:13} {statistics.median(c for c, _ in runs):7.2f} "
              f"{statistics.median(w for _, w in runs):7.2f} {statistics.median(ratios):12.2f} "
              f"({min(ratios):.2f}-{max(ratios):.2f}) n={len(ratios):<3} {added:+7.2f}")
    if fresh:
        print(f"fresh run, this ÷ against (run one after the other): median {statistics.median(fresh):.2f} "
              f"({min(fresh):.2f}-{max(fresh):.2f}), n={len(fresh)}")


if __name__ == "__main__":
    main()
