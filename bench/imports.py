"""The benchmark's imported-data part (`make bench` runs it after the store sizes; alone:
`.venv/bin/python bench/run.py --sizes '' --all-size 0 --imports 100000,1000000`).

For each size, a file of that many ACLED-shaped rows (bench/generate_imports.py: dated
2000-01-01 to 2016-05-31, about 83 % of them of types sitrep imports) is generated into a copy of
the example workspace, then, each in a fresh process:

- `sitrep import acled FILE` into an empty bulk store: its time and peak memory;
- the example's latest week (2016-W26) built, HTML and PDF, with those events in the workspace,
  and the same week with the bulk store moved away. The week holds none of the imported events:
  what is measured is what holding them costs every other report (the series counts them by
  day, the checks of what they name), which the goal bounds: at most 1.2x the time, under
  300 MB;
- for scale, a week that holds imported events: the number of them and its build time.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

WEEK = "2016-W26"
BUSY_WEEK = "2016-W20"  # 16-22 May 2016: inside the generated period
EXAMPLE_PARTS = ("config.yaml", "facts", "custom")


def bench_imports(rows: int, workdir: Path, repeat: int, seed: int) -> dict:
    from generate_imports import write_acled
    import paired
    from run import _combined, _sample, measure

    import datetime as dt

    ws = workdir / f"imports-{rows}"
    ws.mkdir(parents=True, exist_ok=True)
    for part in EXAMPLE_PARTS:
        (shutil.copytree if (REPO / part).is_dir() else shutil.copy)(REPO / part, ws / part)
    started = time.perf_counter()
    csv = write_acled(ws / "acled.csv", rows, seed=seed, start=dt.date(2000, 1, 1), end=dt.date(2016, 5, 31),
                      villages=2000)
    result: dict = {"rows": rows, "mb": csv.stat().st_size / 1e6, "generate_s": time.perf_counter() - started}
    bulk, away = ws / "bulk", ws / "bulk.away"
    result["import"] = measure("cli", "import", "acled", str(csv), cwd=ws, repeat=1,
                               before=lambda: shutil.rmtree(bulk, ignore_errors=True))
    result["events"] = _events(bulk)
    build = ["build", "--week", WEEK, "--language", "en", "--force", "--format"]
    measure("cli", *build, "html", cwd=ws)  # warm up: the template and store caches made, as for any later build
    for kind in ("html", "pdf"):
        # With and without the imported events in turns (bench/paired.py): the median of the
        # pairwise ratios is the goal's figure.
        def without(kind=kind):
            bulk.rename(away)
            try:
                return _sample("cli", *build, kind, cwd=ws)
            finally:
                away.rename(bulk)

        pairs = paired.interleave(lambda kind=kind: _sample("cli", *build, kind, cwd=ws), without, repeat)
        result[f"{kind}_with"], result[f"{kind}_without"] = _combined(pairs.a.samples), _combined(pairs.b.samples)
        result[f"{kind}_ratio"] = {"median": pairs.median, "low": pairs.low, "high": pairs.high, "n": pairs.n}
    result["busy"] = measure("cli", "build", "--week", BUSY_WEEK, "--language", "en", "--force", "--format", "pdf",
                             cwd=ws, repeat=1)
    result["busy_events"] = _events_in_week(ws, BUSY_WEEK)
    return result


def _events(bulk: Path) -> int:
    from sitrep.source.bulk import BulkStore

    return BulkStore.open(bulk.parent).counts()["incidents"]


def _events_in_week(ws: Path, week: str) -> int:
    from sitrep.pipeline import Workspace

    workspace = Workspace.load(ws / "config.yaml")
    return workspace.series("public").count_arrived(workspace.resolve(week, "public"))["incidents"]


def table(result: dict) -> list[tuple[str, str]]:
    imported = result["import"]
    return [
        ("file", f"{result['rows']:,} ACLED-shaped rows, {result['mb']:.0f} MB (generated in {result['generate_s']:.0f} s)"),
        ("sitrep import acled (process)", f"{imported['wall']:.1f} s, peak memory {imported['peak_kb'] / 1024:.0f} MB, "
                                          f"{result['events']:,} events kept"),
        (f"build {WEEK}, HTML: with / without them", f"{result['html_with']['wall']:.2f} s / "
                                                     f"{result['html_without']['wall']:.2f} s"),
        (f"build {WEEK}, PDF: with / without them", f"{result['pdf_with']['wall']:.2f} s / "
                                                    f"{result['pdf_without']['wall']:.2f} s"),
        ("peak memory of the PDF build: with / without",
         f"{result['pdf_with']['peak_kb'] / 1024:.0f} MB / {result['pdf_without']['peak_kb'] / 1024:.0f} MB"),
        (f"build {BUSY_WEEK} (PDF), which holds imported events",
         f"{result['busy']['wall']:.2f} s for {result['busy_events']:,} imported events"),
    ]


def goals(results: list[dict]) -> list[str]:
    out = []
    for result in results:
        for kind in ("html", "pdf"):
            pairs = result.get(f"{kind}_ratio") or {"median": result[f"{kind}_with"]["wall"] / result[f"{kind}_without"]["wall"]}
            spread = f" ({pairs['low']:.2f}-{pairs['high']:.2f}x, n={pairs['n']})" if "n" in pairs else ""
            out.append(f"[{'met' if pairs['median'] <= 1.2 else 'MISSED'}] {result['events']:,} imported events: "
                       f"one week's {kind.upper()} build {pairs['median']:.2f}x the time without them{spread} (goal <= 1.2x)")
        peak = result["pdf_with"]["peak_kb"] / 1024
        out.append(f"[{'met' if peak < 300 else 'MISSED'}] ... peak memory of the PDF build {peak:.0f} MB (goal < 300 MB)")
    return out


def summary(results: list[dict]) -> str:
    lines = ["| rows imported | file | `sitrep import acled` | peak memory | events kept | "
             f"build {WEEK} PDF, with / without | peak memory, with / without |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r['rows']:,} | {r['mb']:.0f} MB | {r['import']['wall']:.1f} s | "
                     f"{r['import']['peak_kb'] / 1024:.0f} MB | {r['events']:,} | "
                     f"{r['pdf_with']['wall']:.2f} / {r['pdf_without']['wall']:.2f} s | "
                     f"{r['pdf_with']['peak_kb'] / 1024:.0f} / {r['pdf_without']['peak_kb'] / 1024:.0f} MB |")
    return "\n".join(lines)
