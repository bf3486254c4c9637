"""The benchmark's hostile-input part: how quickly `sitrep check` refuses a store file made to
exhaust it. The tests check that each is refused, at its line, without a crash and in bounded
memory (tests/commands/test_bad_input.py, tests/source/test_properties.py); how fast is
measured here, on a quiet machine, rather than asserted by a test that a busy one would fail.

Each file is put beside the example store in a copy of the example workspace, and `sitrep
check` runs as a user runs it (the whole process, the median of `--repeat` runs), next to the
same check of the example alone:

- a 300 MB store file (a sparse one: the disk holds a few hundred kB), refused for its size;
- the "billion laughs": 9 levels of 9 aliases, 387 million strings if expanded;
- 200,000 nested flow lists, `[[[...]]]`, and 200,000 nested block lists, `- - - ... x`,
  deeper than libyaml's recursive composer survives.

The goal: each refused in under a second, about what a check of the example takes.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
EXAMPLE_PARTS = ("config.yaml", "facts", "custom")
HOSTILE_FILE = "facts/hostile.yaml"
GOAL_SECONDS = 1.0


def write_huge(path: Path) -> None:
    with path.open("wb") as file:
        file.write(b"places:\n")
        file.truncate(300 * 1024 * 1024)


def write_alias_bomb(path: Path) -> None:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_deep_flow(path: Path) -> None:
    path.write_text("[" * 200_000 + "]" * 200_000 + "\n", encoding="utf-8")


def write_deep_block(path: Path) -> None:
    path.write_bytes(b"places:\n" + b"- " * 200_000 + b"x\n")


CASES = {
    "a 300 MB store file": write_huge,
    "the alias bomb (387 million strings)": write_alias_bomb,
    "200,000 nested flow lists": write_deep_flow,
    "200,000 nested block lists": write_deep_block,
}


def check_seconds(ws: Path, repeat: int, refused: bool) -> float:
    """The median of `repeat` runs of `sitrep check` in `ws`, which must refuse the hostile
    file (exit 1, its first line about that file) or, without it, pass."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "sitrep", "check"], cwd=ws, capture_output=True, text=True)
        times.append(time.perf_counter() - started)
        as_expected = (done.returncode == 1 and done.stderr.startswith(HOSTILE_FILE)) if refused else done.returncode == 0
        if not as_expected:
            raise SystemExit(f"benchmark step 'sitrep check' in {ws} ended with exit {done.returncode}, "
                             f"not as expected:\n{done.stderr[-3000:]}")
    return statistics.median(times)


def bench_hostile(workdir: Path, repeat: int) -> dict:
    """Seconds of `sitrep check`: the example alone ('example'), then with each hostile file."""
    ws = workdir / "hostile"
    ws.mkdir(parents=True, exist_ok=True)
    for part in EXAMPLE_PARTS:
        (shutil.copytree if (REPO / part).is_dir() else shutil.copy)(REPO / part, ws / part)
    result = {"example": check_seconds(ws, repeat, refused=False)}
    for name, write in CASES.items():
        write(ws / HOSTILE_FILE)
        try:
            result[name] = check_seconds(ws, repeat, refused=True)
        finally:
            (ws / HOSTILE_FILE).unlink()
    return result


def table(result: dict) -> list[tuple[str, str]]:
    rows = [("`sitrep check` of the example", f"{result['example']:.2f} s")]
    return rows + [(f"... refusing {name}", f"{result[name]:.2f} s") for name in CASES if name in result]


def goals(result: dict) -> list[str]:
    return [f"[{'met' if result[name] < GOAL_SECONDS else 'MISSED'}] `sitrep check` refuses {name} in "
            f"{result[name]:.2f} s (goal < {GOAL_SECONDS:.0f} s)" for name in CASES if name in result]
