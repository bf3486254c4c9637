"""Where the first `make report` on a fresh machine spends its extra time (docs/performance.md,
"The first run").

    .venv/bin/python bench/firstrun.py                      # 5 rounds: a few minutes
    .venv/bin/python bench/firstrun.py --rounds 3 --against /tmp/sitrep-42c72fe

Each run is a whole `sitrep build --force` process (the example workspace of this repository,
copied into a temporary folder: three languages, HTML and PDF, the single-file HTML's fonts
written in) with every cache warm except the ones its condition empties:

- warm: every cache as the previous run left it;
- fonts: sitrep's font subsets (`$XDG_CACHE_HOME/sitrep/fonts`, render/singlefile.py) emptied;
- fontconfig: fontconfig's cache emptied (a fonts.conf naming the system's font folders and a
  new, empty cache folder, through FONTCONFIG_FILE);
- bytecode: sitrep's own compiled modules (__pycache__) removed, as after an editable install;
- bytecode-all: every module's bytecode compiled afresh (PYTHONPYCACHEPREFIX: a new, empty
  folder), the standard library and the installed packages too: what an install without
  compiled files would pay; a fresh install by pip compiles them when it installs;
- workspace: the workspace's `.sitrep-cache/` (store and compiled templates) removed;
- fresh: a fresh machine after `make report`'s set-up: all of fonts, fontconfig, bytecode and
  workspace at once, and a new user cache folder (so a new signing key).

The conditions run interleaved, in a rotating order, in `--rounds` rounds; each condition's
figure is the median of its ratio to the warm run of the same round, with the min-max and n,
and the median of the seconds it adds. With `--against DIR` (a checkout of another version:
DIR/sitrep and DIR/templates), its warm, fonts and fresh runs are interleaved with these, to
compare two versions' first runs side by side. The figures so far are printed after each round. The machine is shared and noisy: compare ratios, not
seconds from different days.
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

REPO = Path(__file__).resolve().parent.parent
WORKSPACE_FILES = ("config.yaml", "facts", "custom")
CONDITIONS = ("warm", "fonts", "fontconfig", "bytecode", "bytecode-all", "workspace", "fresh")
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--conditions", default=",".join(CONDITIONS),
                        help=f"a comma-separated subset of {', '.join(CONDITIONS)} (warm is always run)")
    parser.add_argument("--against", type=Path, help="another checkout whose warm, fonts and fresh runs are interleaved")
    options = parser.parse_args()
    conditions = ["warm"] + [c for c in options.conditions.split(",") if c and c != "warm"]
    unknown = set(conditions) - set(CONDITIONS)
    if unknown:
        sys.exit(f"firstrun: unknown condition(s): {', '.join(sorted(unknown))}")
    with tempfile.TemporaryDirectory(prefix="sitrep-firstrun-") as scratch:
        versions = [Version("this", REPO, Path(scratch))]
        plan = [(versions[0], c) for c in conditions]
        if options.against:
            versions.append(Version("against", options.against.resolve(), Path(scratch)))
            plan += [(versions[1], c) for c in ("warm", "fonts", "fresh") if c in conditions]
        times: dict[tuple[str, str], list[float]] = {(v.label, c): [] for v, c in plan}
        for round_ in range(options.rounds):
            shift = round_ % len(plan)
            for version, condition in plan[shift:] + plan[:shift]:  # a rotating order: no condition always first
                times[version.label, condition].append(version.run(condition))
            report(times, round_ + 1)  # so far: a run cut short still says what it measured


def report(times: dict[tuple[str, str], list[float]], rounds: int) -> None:
    load = os.getloadavg()
    print(f"\nsitrep build --force of the example (3 languages), {rounds} interleaved rounds; "
          f"load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'version':8} {'condition':13} {'median s':>9} {'÷ warm: median (min-max)':>26} {'adds s':>7}")
    for (label, condition), runs in times.items():
        warm = times[label, "warm"]
        ratios = [a / b for a, b in zip(runs, warm)]
        added = statistics.median(a - b for a, b in zip(runs, warm))
        print(f"{label:8} {condition:13} {statistics.median(runs):9.2f} "
              f"{statistics.median(ratios):12.2f} ({min(ratios):.2f}-{max(ratios):.2f}) n={len(ratios):<3} {added:+7.2f}")
    if ("against", "fresh") in times:
        pairs = [a / b for a, b in zip(times["this", "fresh"], times["against", "fresh"])]
        print(f"fresh run, this ÷ against: median {statistics.median(pairs):.2f} "
              f"({min(pairs):.2f}-{max(pairs):.2f}), n={len(pairs)}")


if __name__ == "__main__":
    main()
