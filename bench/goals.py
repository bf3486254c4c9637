"""Issue 25's goals, and the record each benchmark script hands back for one: a `Goal`.

Each goal's script (bench/preview.py, languages.py, firstrun.py, cli.py, longreport.py) has

    def measure(quick: bool) -> list[Goal]: ...

and bench/run.py calls it if the script is there (`quick`: a small run, seconds rather than
minutes, for a test or a first look). A script makes its goals with `goal(key, figure, ...)`,
which fills in the label, the limit and the unit from GOALS below:

    from goals import goal
    from paired import interleave
    pairs = interleave(run_new, run_old, n=7)           # A, B, A, B ...: bench/paired.py
    return [goal("languages", pairs.median, low=pairs.low, high=pairs.high, n=pairs.n,
                 note="build --week W (en, fr, ar) / the same serially")]

A figure is a time in seconds (unit "s") or a ratio of two times (unit "x"): the median of n
measurements or of n pairwise ratios, with their min-max. A goal is met when the median is at
most the limit. A goal no script measured is printed "[not measured]", never left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# key: (what is measured, the limit, its unit). The order is the issue's.
GOALS: dict[str, tuple[str, float, str]] = {
    "preview": ("preview: a fact saved to the reloaded page, in a browser", 0.15, "s"),
    "repeat-pdf": ("preview: a repeat /report.pdf request", 0.1, "s"),
    "languages": ("a three-language week on 2 cores / serially", 0.7, "x"),
    "first-run": ("first build / warm build", 1.2, "x"),
    "light-commands": ("a light command / `sitrep --help`", 1.5, "x"),
    "long-report": ("a report of 20 pages or more / today's build", 0.6, "x"),
}


@dataclass(frozen=True)
class Goal:
    key: str  # one of GOALS
    label: str  # what was measured, in words
    figure: float | None  # the median; None when it could not be measured (say why in `note`)
    limit: float  # met when figure <= limit
    unit: str  # "s" (seconds) or "x" (a ratio of two times)
    low: float | None = None  # the min-max of the n measurements or pairwise ratios
    high: float | None = None
    n: int | None = None
    before: float | None = None  # the same figure on the code before issue 25, if measured
    note: str = ""  # how it was measured, or why it was not

    @property
    def met(self) -> bool | None:
        return None if self.figure is None else self.figure <= self.limit

    @property
    def verdict(self) -> str:
        return {True: "met", False: "MISSED", None: "not measured"}[self.met]

    def line(self) -> str:
        """One line of the benchmark's goals, e.g. "[met] preview: ... 0.12 s (0.09-0.14 s, n=9;
        goal <= 0.15 s; before 0.48 s)"."""
        if self.figure is None:
            limit = "" if self.limit != self.limit else f" (goal <= {fmt(self.limit, self.unit)})"  # NaN: no limit known
            return f"[not measured] {self.label}{limit}" + (f": {self.note}" if self.note else "")
        how = []
        if self.low is not None and self.high is not None:
            how.append(f"{fmt(self.low, self.unit)}-{fmt(self.high, self.unit)}")
        if self.n is not None:
            how.append(f"n={self.n}")
        how.append(f"goal <= {fmt(self.limit, self.unit)}")
        if self.before is not None:
            how.append(f"before {fmt(self.before, self.unit)}")
        note = f"; {self.note}" if self.note else ""
        return f"[{self.verdict}] {self.label}: {fmt(self.figure, self.unit)} ({', '.join(how)}){note}"


def goal(key: str, figure: float | None, *, detail: str | None = None, **fields) -> Goal:
    """A Goal of GOALS[key]; `detail` follows the standard wording when one goal is measured
    several ways ("a light command / `sitrep --help`, `sitrep weeks`")."""
    standard, limit, unit = GOALS[key]
    return Goal(key=key, label=f"{standard}, {detail}" if detail else standard, figure=figure, limit=limit,
                unit=unit, **fields)


def fmt(value: float, unit: str) -> str:
    if unit == "x":
        return f"{value:.2f}x"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


# The scripts of issue 25's goals, in bench/, each with `measure(quick) -> list[Goal]`.
SCRIPTS = ("preview", "languages", "firstrun", "cli", "longreport")

# The code before issue 25: each goal's "before" figure is measured on it, in the same run.
BASE_COMMIT = "42c72fe"


def export_commit(commit: str, folder: Path) -> Path:
    """The sitrep package and built-in templates of `commit`, exported (not checked out) into
    `folder`, which a process runs with PYTHONPATH=folder."""
    import subprocess

    folder.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "-C", str(Path(__file__).resolve().parent.parent), "archive", commit, "sitrep",
                              "templates"], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def as_users_run() -> None:
    """Measure commands as a user's machine runs them: Python writes the bytecode of sitrep's
    modules on the first run and reads it on the next. A developer's or CI's environment may say
    PYTHONDONTWRITEBYTECODE, which would make every run compile sitrep again (a 'warm' build as
    slow as a first one); the processes a benchmark starts inherit this environment."""
    import os

    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


def measure_goals(quick: bool, scripts: tuple[str, ...] = SCRIPTS, folder=None) -> list[Goal]:
    """Every goal's line: each script that is there measured, in turn (a script that fails
    gives its goals as not measured, with its error, rather than ending the benchmark), and
    each goal of GOALS no script measured as not measured."""
    import importlib
    import sys
    import traceback

    as_users_run()
    here = Path(folder) if folder is not None else Path(__file__).resolve().parent
    if str(here) not in sys.path:
        sys.path.insert(0, str(here))
    out: list[Goal] = []
    for name in scripts:
        if not (here / f"{name}.py").is_file():
            continue
        try:
            got = list(importlib.import_module(name).measure(quick))
        except Exception as error:  # noqa: BLE001 - one script's failure is reported, the others still run
            last = traceback.extract_tb(error.__traceback__)[-1]
            out.append(Goal(key=name, label=f"bench/{name}.py", figure=None, limit=float("nan"), unit="s",
                            note=f"failed: {type(error).__name__}: {error} ({Path(last.filename).name}:{last.lineno})"))
            continue
        out.extend(g for g in got if isinstance(g, Goal))
    measured = {g.key for g in out}
    out += [goal(key, None, note="no script measured it") for key in GOALS if key not in measured]
    return sorted(out, key=lambda g: list(GOALS).index(g.key) if g.key in GOALS else len(GOALS))
