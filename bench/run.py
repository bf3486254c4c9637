"""The benchmark: how sitrep's time and memory grow with the size of the store.

    make bench                                   # sets up, then runs this with the defaults
    .venv/bin/python bench/run.py --sizes 70,1000,10000 --repeat 3

For each size (about that many entries; see bench/generate.py for the shape: a fixed number of
facts per week, so a bigger store is a longer history), it generates a workspace in a
temporary folder and measures, each in a fresh process so that no size or measurement warms
another:

- load + validate, cold: `sitrep.check()` (config, every store file parsed, validated,
  cross-checked, warnings) with the store cache deleted first;
- load + validate, no change: the same with the cache of the previous run in place;
- the latest week built as HTML, then as PDF (`sitrep build --week W --format html|pdf
  --force`, the whole process: interpreter start, imports, load, report, render, PDF);
- WeasyPrint alone turning that week's final HTML (the HTML the build lays its PDF out from:
  the report with its fonts by URL, not the single-file HTML report) into a tagged PDF/UA-1,
  as the build does; the whole process too: interpreter start, `import weasyprint`,
  `HTML(...).write_pdf()`.
  Both sides pay for starting Python and importing WeasyPrint, since a user running either
  does; sitrep's side also imports its own libraries (pydantic, Jinja, Typer, PyYAML) and
  loads the store, while its PDF helper process imports WeasyPrint on the other core.
  Their ratio is the goal "build <= 1.1 x WeasyPrint alone";
- the share of the PDF build spent waiting for WeasyPrint (the helper's render call; with
  `--all`, the `render_pdf` calls);
- a no-change rebuild: `sitrep build --week W` again with nothing changed (the incremental
  build leaves the week as it is);
- the peak memory (max RSS) of the cold load and of the PDF build processes;
- what Jinja's sandbox costs: the latest week's HTML rendered (templates compiled, then run)
  in the sandboxed environment sitrep uses and in a plain one, the fastest of 15 each; and
  what checking that HTML as a browser reads it costs (render/references.py: parsed, every
  reference judged, the Content-Security-Policy put in, serialised and read back), the
  fastest of 15.

Each timing is the fastest of `--repeat` runs (the machines are noisy; the fastest run is the
one least disturbed). Then, on a store of `--all-size` entries (about a dozen weeks), `sitrep
build --all --force` on one and on two processes, and a no-change `sitrep build --all`. Then how
quickly `sitrep check` refuses hostile store files (bench/hostile.py; `--no-hostile` skips it).
Last, `--imports`: ACLED files of 10^5 and 10^6 rows imported, and a week built with and without
them (bench/imports.py).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

DEFAULT_SIZES = (70, 1000, 3000, 10000)
CACHE_DIR = ".sitrep-cache"


# --- the child side: one measurement per process --------------------------------------------------

def _pdf_source(ws: Path, week: str) -> Path:
    """The HTML the build lays its PDF out from (fonts by URL in output/assets/, not written into
    the file as the single-file HTML report has them), beside the week's report."""
    from sitrep.pipeline import Workspace

    workspace = Workspace.load(ws / "config.yaml")
    rendered = workspace.render_week(workspace.resolve(week, "public"), "public")
    path = rendered.layout.week_dir / "bench-pdf-source.html"
    path.write_text(rendered.html.text, encoding="utf-8")
    return path


def probe(task: str, args: list[str]) -> dict:
    """Run one measurement in this (fresh) process and return what was measured."""
    started = time.perf_counter()
    result: dict = {}
    if task == "sandbox":
        result.update(_sandbox_cost(args[0]))
    elif task == "weasyprint":
        html_path, pdf_path = Path(args[0]), Path(args[1])
        import weasyprint

        imported = time.perf_counter()
        html = html_path.read_text(encoding="utf-8")
        # As the build lays it out: tagged PDF/UA-1 (the default variant), the trailer's /ID a
        # digest of the document (render/pdflayout.py).
        pdf = weasyprint.HTML(string=html, base_url=html_path.parent.resolve().as_uri() + "/").write_pdf(
            pdf_identifier=True, pdf_variant="pdf/ua-1")
        Path(pdf_path).write_bytes(pdf)
        result.update(import_s=imported - started, render_s=time.perf_counter() - imported)
    else:
        import sitrep.commands.entry
        import sitrep.render.pdfhelper

        sitrep.commands.entry.prestart_for(args)  # as the `sitrep` program does, before the CLI loads
        import sitrep.commands.cli

        phases: dict[str, float] = {}
        _time_method(sitrep.render.pdfhelper.PdfHelper, "render", "render_pdf", phases)  # one week: waiting for the helper
        if task == "check" or "--all" in args:
            # Nothing to overlap with here: load the pipeline now, to time its stages. (A
            # one-week build is left to load it as `sitrep build` does, after forking its
            # PDF helper, so that the overlap is measured as users get it.)
            import sitrep.build
            import sitrep.pipeline

            _time_calls(sitrep.build, "check", phases)
            _time_calls(sitrep.pipeline, "render_pdf", phases)  # --all (in this process or its workers)
        result["import_s"] = time.perf_counter() - started
        if task == "check":
            sitrep.build.check("config.yaml")
        else:  # a sitrep command line, run as `sitrep` runs it
            # The command itself, as sitrep.commands.cli.main() runs it; main() would end the process
            # at once (os._exit) before this probe could report, so it ends after reporting.
            try:
                sitrep.commands.cli.app(args)
            except SystemExit as exit_:
                if exit_.code:
                    raise
        result["phases"] = phases
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)  # parallel builds' worker processes
    cpu = own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime
    result.update(seconds=time.perf_counter() - started, cpu=cpu, peak_kb=max(own.ru_maxrss, workers.ru_maxrss))
    return result


def _sandbox_cost(week: str, runs: int = 15) -> dict:
    """The week's HTML rendered in the sandbox and in a plain Jinja environment (the same
    loaders, filters and templates), fastest of `runs` each; templates compiled every run, as
    a build without the template cache does."""
    import jinja2

    import sitrep.render.templates as render
    from sitrep.build import check
    from sitrep.source.dates import IsoWeek
    from sitrep.report.builder import build_context

    checked = check("config.yaml")
    context = build_context(checked.store, checked.config, IsoWeek.parse(week), checked.config.edition)

    def fastest() -> float:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            render.render_document(context)
            times.append(time.perf_counter() - started)
        return min(times)

    sandboxed = fastest()
    # The HTML as a browser reads it: parsed, every reference judged, the policy put in,
    # serialised and read back (render/references.py, render/htmltree.py).
    from sitrep.pipeline import Layout
    from sitrep.render.references import check_references, policy_for

    week_dir = Layout.output(checked.config, IsoWeek.parse(week)).week_dir
    policy = policy_for(checked.config, week_dir, checked.config.edition, week_dir.parent / "assets")
    rendered = render.render_document(context)
    checks = []
    for _ in range(runs):
        started = time.perf_counter()
        check_references(rendered, policy)
        checks.append(time.perf_counter() - started)
    render.SandboxedEnvironment = jinja2.Environment  # this probe process only
    plain = fastest()
    return {"sandboxed_s": sandboxed, "plain_s": plain, "checked_s": min(checks)}


def _time_calls(module, name: str, phases: dict[str, float]) -> None:
    function = getattr(module, name, None)
    if function is None:
        return

    def timed(*args, **kwargs):
        t = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            phases[name] = phases.get(name, 0.0) + time.perf_counter() - t

    setattr(module, name, timed)


def _time_method(cls, method: str, phase: str, phases: dict[str, float]) -> None:
    function = getattr(cls, method)

    def timed(self, *args, **kwargs):
        t = time.perf_counter()
        try:
            return function(self, *args, **kwargs)
        finally:
            phases[phase] = phases.get(phase, 0.0) + time.perf_counter() - t

    setattr(cls, method, timed)


# --- the parent side -----------------------------------------------------------------------------

def measure(task: str, *args: str, cwd: Path, repeat: int = 1, before=None) -> dict:
    """The fastest of `repeat` runs of `task` in a fresh process each: the whole process's wall
    time (`wall`), and what the process measured itself."""
    best: dict | None = None
    for _ in range(repeat):
        if before is not None:
            before()
        started = time.perf_counter()
        done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--probe", task, *args], cwd=cwd,
                              capture_output=True, text=True)
        wall = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"benchmark step '{task} {' '.join(args)}' failed in {cwd}:\n{done.stderr[-3000:]}")
        measured = json.loads(done.stdout.strip().splitlines()[-1])
        measured["wall"] = wall
        if best is None or wall < best["wall"]:
            peak = max(measured["peak_kb"], best["peak_kb"]) if best else measured["peak_kb"]
            best = {**measured, "peak_kb": peak}
        else:
            best["peak_kb"] = max(best["peak_kb"], measured["peak_kb"])
    return best


def has_build_all() -> bool:
    import sitrep.build

    return hasattr(sitrep.build, "build_all")


def bench_size(entries: int, workdir: Path, repeat: int, seed: int) -> dict:
    from generate import generate

    ws = workdir / f"store-{entries}"
    made = generate(ws, entries, seed=seed)
    week = made.weeks[-1]
    week_facts = _facts_in_week(ws, week)
    row: dict = {"entries": made.entries, "files": made.files, "mb": made.bytes / 1e6, "weeks": len(made.weeks),
                 "week": week, "week_facts": week_facts}
    cache = ws / CACHE_DIR
    clear = lambda: shutil.rmtree(cache, ignore_errors=True)  # noqa: E731
    row["load_cold"] = measure("check", cwd=ws, repeat=repeat, before=clear)
    row["load_warm"] = measure("check", cwd=ws, repeat=repeat)
    build = ["build", "--week", week, "--force", "--format"]
    row["html"] = measure("cli", *build, "html", cwd=ws, repeat=repeat)
    html_file = _pdf_source(ws, week)
    row["pdf"] = measure("cli", *build, "pdf", cwd=ws, repeat=repeat)
    row["weasy"] = measure("weasyprint", str(html_file), str(ws / "weasyprint-alone.pdf"), cwd=ws, repeat=repeat)
    row["noop"] = measure("cli", "build", "--week", week, "--format", "pdf", cwd=ws, repeat=repeat)
    row["pages"] = _pages(ws / "weasyprint-alone.pdf")
    row["sandbox"] = measure("sandbox", week, cwd=ws)
    return row


def bench_all(entries: int, workdir: Path, repeat: int, seed: int) -> dict:
    from generate import generate

    ws = workdir / f"archive-{entries}"
    made = generate(ws, entries, seed=seed)
    result: dict = {"entries": made.entries, "weeks": len(made.weeks)}
    if not has_build_all():
        return result
    measure("check", cwd=ws)  # the store cache in place, as for any second run
    result["jobs1"] = measure("cli", "build", "--all", "--force", "--jobs", "1", cwd=ws, repeat=1)
    result["jobs2"] = measure("cli", "build", "--all", "--force", "--jobs", "2", cwd=ws, repeat=1)
    result["noop"] = measure("cli", "build", "--all", cwd=ws, repeat=repeat)
    return result


def _facts_in_week(ws: Path, week: str) -> int:
    from sitrep.source.dates import IsoWeek
    from sitrep.source.store import load_store

    store = load_store(ws / "facts", cache=False)
    wanted = IsoWeek.parse(week)
    return sum(1 for _, date in store.dated_facts() if date.overlaps(wanted.start, wanted.end))


def _pages(pdf: Path) -> int | None:
    try:
        from pypdf import PdfReader
    except ImportError:
        return None
    return len(PdfReader(str(pdf)).pages)


# --- printing --------------------------------------------------------------------------------------

NA_ALL = "n/a (build --all not available)"


def seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s"


def size_table(row: dict) -> list[tuple[str, str]]:
    cold, warm, html, pdf, weasy, noop = (row[k] for k in ("load_cold", "load_warm", "html", "pdf", "weasy", "noop"))
    in_weasy = pdf["phases"].get("render_pdf")
    return [
        ("store", f"{row['entries']} entries, {row['files']} files, {row['mb']:.1f} MB, {row['weeks']} weeks"),
        ("week built", f"{row['week']}: {row['week_facts']} facts, {row['pages'] or '?'} PDF pages"),
        ("load + validate, cold (in process)", seconds(cold["phases"]["check"])),
        ("load + validate, no change (in process)", seconds(warm["phases"]["check"])),
        ("  (whole `sitrep check` process: cold / no change)", f"{seconds(cold['wall'])} / {seconds(warm['wall'])}"),
        ("build one week, HTML (process)", seconds(html["wall"])),
        ("build one week, PDF (process)", seconds(pdf["wall"])),
        ("WeasyPrint alone, same HTML (process)", seconds(weasy["wall"])),
        ("build PDF / WeasyPrint alone", f"{pdf['wall'] / weasy['wall']:.2f}"),
        ("share of the PDF build in WeasyPrint", f"{100 * in_weasy / pdf['wall']:.0f} %" if in_weasy else "-"),
        ("no-change rebuild of the week (process)", seconds(noop["wall"])),
        ("peak memory: cold load / PDF build", f"{cold['peak_kb'] / 1024:.0f} MB / {pdf['peak_kb'] / 1024:.0f} MB"),
        ("render HTML: sandboxed / plain Jinja", sandbox_cost(row.get("sandbox"))),
        ("check HTML: parse, judge, policy, serialise, read back", check_cost(row.get("sandbox"))),
    ]


def sandbox_cost(measured: dict | None) -> str:
    if not measured:
        return "-"
    sandboxed, plain = measured["sandboxed_s"], measured["plain_s"]
    return f"{1000 * sandboxed:.1f} ms / {1000 * plain:.1f} ms ({100 * (sandboxed / plain - 1):+.0f} %)"


def check_cost(measured: dict | None) -> str:
    if not measured or "checked_s" not in measured:
        return "-"
    return f"{1000 * measured['checked_s']:.1f} ms"


def print_table(title: str, rows: list[tuple[str, str]]) -> None:
    width = max(len(r[0]) for r in rows)
    print(f"\n{title}")
    for label, value in rows:
        print(f"  {label.ljust(width)}  {value}")


def summary(rows: list[dict], archive: dict) -> str:
    """One markdown table, a column per size: what README.md shows."""
    header = "| | " + " | ".join(f"{r['entries']:,} entries" for r in rows) + " |"
    lines = [header, "|---|" + "---:|" * len(rows)]

    def line(label, fn):
        lines.append(f"| {label} | " + " | ".join(fn(r) for r in rows) + " |")

    line("files, MB, weeks of history", lambda r: f"{r['files']}, {r['mb']:.1f} MB, {r['weeks']}")
    line("facts in the week built (PDF pages)", lambda r: f"{r['week_facts']} ({r['pages'] or '?'})")
    line("load + validate, cold", lambda r: seconds(r["load_cold"]["phases"]["check"]))
    line("load + validate, no store file changed", lambda r: seconds(r["load_warm"]["phases"]["check"]))
    line("`sitrep check` process, cold / no change", lambda r: f"{r['load_cold']['wall']:.2f} / {r['load_warm']['wall']:.2f} s")
    line("build one week, HTML", lambda r: seconds(r["html"]["wall"]))
    line("build one week, PDF", lambda r: seconds(r["pdf"]["wall"]))
    line("WeasyPrint alone, same HTML to PDF", lambda r: seconds(r["weasy"]["wall"]))
    line("build PDF / WeasyPrint alone", lambda r: f"{r['pdf']['wall'] / r['weasy']['wall']:.2f}")
    line("share of the PDF build in WeasyPrint",
         lambda r: f"{100 * r['pdf']['phases'].get('render_pdf', 0) / r['pdf']['wall']:.0f} %")
    line("no-change rebuild of the week", lambda r: seconds(r["noop"]["wall"]))
    line("peak memory, cold load / PDF build",
         lambda r: f"{r['load_cold']['peak_kb'] / 1024:.0f} / {r['pdf']['peak_kb'] / 1024:.0f} MB")
    line("render HTML, sandboxed / plain Jinja", lambda r: sandbox_cost(r.get("sandbox")))
    line("check HTML: parse, judge, policy, serialise, read back", lambda r: check_cost(r.get("sandbox")))
    text = "\n".join(lines)
    if "jobs1" in archive:
        speedup = archive["jobs1"]["wall"] / archive["jobs2"]["wall"]
        text += (f"\n\n`sitrep build --all --force` on {archive['entries']} entries ({archive['weeks']} weeks): "
                 f"{archive['jobs1']['wall']:.1f} s with `--jobs 1`, {archive['jobs2']['wall']:.1f} s with `--jobs 2` "
                 f"({speedup:.2f}x; CPU time of all processes {archive['jobs1']['cpu']:.1f} s and "
                 f"{archive['jobs2']['cpu']:.1f} s); no-change `sitrep build --all`: {archive['noop']['wall']:.2f} s.")
    else:
        text += f"\n\n`sitrep build --all`, `--jobs 1` vs `--jobs 2`, no-change archive rebuild: {NA_ALL}."
    return text


def goals(rows: list[dict], archive: dict) -> list[str]:
    out = []
    big = max(rows, key=lambda r: r["entries"])
    cold, warm = big["load_cold"]["phases"]["check"], big["load_warm"]["phases"]["check"]
    out.append(f"[{'met' if cold < 2 else 'MISSED'}] load + validate {big['entries']:,} entries cold: {cold:.2f} s (goal < 2 s)")
    out.append(f"[{'met' if warm < 0.3 else 'MISSED'}] ... with no store file changed: {warm:.2f} s (goal < 0.3 s)")
    full = [r for r in rows if r["week_facts"] >= 20]
    if len(full) >= 2:
        small, large = min(full, key=lambda r: r["entries"]), max(full, key=lambda r: r["entries"])
        for kind in ("html", "pdf"):
            growth = large[kind]["wall"] / small[kind]["wall"]
            out.append(f"[{'met' if growth < 1.25 else 'MISSED'}] one week's {kind.upper()} build with "
                       f"{large['weeks']} weeks of history vs {small['weeks']}: {growth:.2f}x the time "
                       f"(same week content; goal: no growth with history, < 1.25x)")
    for r in rows:
        ratio = r["pdf"]["wall"] / r["weasy"]["wall"]
        out.append(f"[{'met' if ratio <= 1.1 else 'MISSED'}] {r['entries']:,} entries: build PDF / WeasyPrint alone = "
                   f"{ratio:.2f} (goal <= 1.1)")
    if "jobs1" in archive:
        speedup = archive["jobs1"]["wall"] / archive["jobs2"]["wall"]
        out.append(f"[{'met' if speedup >= 1.6 else 'MISSED'}] --all on 2 processes vs 1: {speedup:.2f}x (goal >= 1.6x)")
    else:
        out.append(f"[n/a] --all on 2 processes vs 1: {NA_ALL}")
    return out


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--probe":
        print(json.dumps(probe(sys.argv[2], sys.argv[3:])), flush=True)
        if sys.argv[2] != "weasyprint":
            # Like sitrep.commands.cli.main(): a sitrep command ends without interpreter teardown.
            # WeasyPrint alone ends as any Python script does.
            sys.stderr.flush()
            os._exit(0)
        return
    parser = argparse.ArgumentParser(description="sitrep's benchmark (see the module docstring).")
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)),
                        help="store sizes in entries, comma-separated (default %(default)s)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the fastest counts (default 3)")
    parser.add_argument("--all-size", type=int, default=350,
                        help="entries of the store for the --all measurements, 12 weeks (default %(default)s; 0 skips)")
    parser.add_argument("--imports", default="100000,1000000",
                        help="ACLED rows to import, comma-separated (bench/imports.py; default %(default)s; '' skips)")
    parser.add_argument("--no-hostile", action="store_true", help="skip the refusals of hostile store files (bench/hostile.py)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, help="where to generate the stores (default: a temporary folder, removed after)")
    parser.add_argument("--json", type=Path, help="also write every measurement to this file")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    import_sizes = [int(s) for s in args.imports.split(",") if s.strip()]
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="sitrep-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"sitrep benchmark: sizes {sizes}, fastest of {args.repeat} runs each, {os.cpu_count()} cores, "
          f"load average {load:.1f}; stores in {workdir}")
    try:
        rows = []
        for entries in sizes:
            row = bench_size(entries, workdir, args.repeat, args.seed)
            rows.append(row)
            print_table(f"{row['entries']:,} entries", size_table(row))
        archive = bench_all(args.all_size, workdir, args.repeat, args.seed) if args.all_size else {}
        if archive:
            if "jobs1" in archive:
                print_table(f"--all on {archive['entries']} entries ({archive['weeks']} weeks)", [
                    ("build --all --force, --jobs 1", f"{seconds(archive['jobs1']['wall'])} "
                                                      f"(CPU time of all processes {seconds(archive['jobs1']['cpu'])})"),
                    ("build --all --force, --jobs 2", f"{seconds(archive['jobs2']['wall'])} "
                                                      f"(CPU time of all processes {seconds(archive['jobs2']['cpu'])})"),
                    ("speed-up", f"{archive['jobs1']['wall'] / archive['jobs2']['wall']:.2f}x"),
                    ("no-change build --all", seconds(archive["noop"]["wall"])),
                ])
            else:
                print_table("--all", [("--jobs 1 vs --jobs 2, no-change rebuild", NA_ALL)])
        import hostile

        refusals = {} if args.no_hostile else hostile.bench_hostile(workdir, args.repeat)
        if refusals:
            print_table("hostile store files", hostile.table(refusals))
        import imports

        imported = []
        for size in import_sizes:
            imported.append(imports.bench_imports(size, workdir, args.repeat, args.seed))
            print_table(f"{size:,} imported ACLED rows", imports.table(imported[-1]))
        print("\nSummary (markdown):\n")
        if rows:
            print(summary(rows, archive))
        if imported:
            print("\n" + imports.summary(imported))
        print("\nGoals:")
        for line in (goals(rows, archive) if rows else []) + hostile.goals(refusals) + imports.goals(imported):
            print("  " + line)
        end_load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"\nBenchmark run: {time.perf_counter() - started:.0f} s; load average at the end {end_load:.1f}.")
        if args.json:
            args.json.write_text(json.dumps({"sizes": rows, "all": archive, "hostile": refusals, "imports": imported},
                                            indent=1, default=str))
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
