"""The benchmark: how sitrep's time and memory grow with the size of the store.

    make bench                                   # sets up, runs this, writes docs/performance.md's figures
    .venv/bin/python bench/run.py --sizes 70,1000,10000 --repeat 3
    .venv/bin/python bench/run.py --quick        # a small run: seconds, not minutes

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
  in the sandboxed environment sitrep uses and in a plain one, the median of 15 each; and
  what checking that HTML as a browser reads it costs (render/references.py: parsed, every
  reference judged, the Content-Security-Policy put in, serialised and read back), the
  median of 15.

Each time is the median of `--repeat` runs, with min-max and n; each ratio (the PDF build /
WeasyPrint alone, `--jobs 1` / `--jobs 2`) the median of `--repeat` pairwise ratios of the two
run in turns (bench/paired.py): the machines are noisy, and the fastest of a few unpaired runs
compares one side's luckiest moment with the other's. Then, on a store of `--all-size` entries
(about a dozen weeks), `sitrep build --all --force` on one and on two processes, and a no-change
`sitrep build --all`. Then how quickly `sitrep check` refuses hostile store files
(bench/hostile.py; `--no-hostile` skips it); `--imports`: ACLED files of 10^5 and 10^6 rows
imported, and a week built with and without them (bench/imports.py). Last, issue 25's goals,
each measured by its own script if it is there (bench/goals.py says how they are called).

`--docs FILE` (`make bench`: docs/performance.md) writes the figures into FILE between its
markers (bench/tables.py), so that every figure there comes from this one run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import paired  # noqa: E402
import tables  # noqa: E402
from tables import goals, print_table, seconds, size_table, summary  # noqa: E402,F401

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
    loaders, filters and templates), the median of `runs` each; templates compiled every run, as
    a build without the template cache does."""
    import jinja2

    import sitrep.render.templates as render
    from sitrep.build import check
    from sitrep.source.dates import IsoWeek
    from sitrep.report.builder import build_context

    checked = check("config.yaml")
    context = build_context(checked.store, checked.config, IsoWeek.parse(week), checked.config.edition)

    def median() -> float:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            render.render_document(context)
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    sandboxed = median()
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
    plain = median()
    return {"sandboxed_s": sandboxed, "plain_s": plain, "checked_s": statistics.median(checks)}


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

def _probe_command(task: str, *args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--probe", task, *args]


def _sample(task: str, *args: str, cwd: Path):
    return paired.run(_probe_command(task, *args), cwd=cwd)


def _combined(samples) -> dict:
    """n runs of one probe: the median wall time (`wall`) with min-max and n, the median of
    each phase the probes timed themselves, the median CPU time, the largest peak memory (the
    probe's own figure or the kernel's for the process, whichever is larger)."""
    measured = [json.loads(s.stdout.strip().splitlines()[-1]) for s in samples]
    times = [s.seconds for s in samples]
    phases: dict[str, float] = {}
    for name in {k for m in measured for k in m.get("phases", {})}:
        phases[name] = statistics.median(m["phases"].get(name, 0.0) for m in measured)
    own = {key: statistics.median(m[key] for m in measured) for key in ("import_s", "render_s") if key in measured[0]}
    combined = {**measured[0], **own, "wall": statistics.median(times), "low": min(times), "high": max(times),
                "n": len(times), "cpu": statistics.median(m["cpu"] for m in measured), "phases": phases,
                "peak_kb": max(max(m["peak_kb"], s.peak_kb) for m, s in zip(measured, samples))}
    return combined


def measure(task: str, *args: str, cwd: Path, repeat: int = 1, before=None) -> dict:
    """`repeat` runs of `task` in a fresh process each: the median of the whole process's wall
    time (`wall`), min-max and n, and what the processes measured themselves."""
    series = paired.repeat(lambda: _sample(task, *args, cwd=cwd), repeat, before=before)
    return _combined(series.samples)


def measure_pair(a: tuple, b: tuple, cwd: Path, repeat: int, before=None) -> tuple[dict, dict, dict]:
    """Probes A and B (each `(task, *args)`) run in turns, `repeat` pairs: A's and B's figures
    as `measure` gives them, and the median of the pairwise ratios A/B with min-max and n."""
    pairs = paired.interleave(lambda: _sample(*a, cwd=cwd), lambda: _sample(*b, cwd=cwd), repeat, before=before)
    ratios = {"median": pairs.median, "low": pairs.low, "high": pairs.high, "n": pairs.n}
    return _combined(pairs.a.samples), _combined(pairs.b.samples), ratios


def bench_startup(rows: list[dict], workdir: Path, repeat: int) -> list[tuple[str, float]]:
    """What every command pays before its work: the `sitrep --help` process, and importing
    WeasyPrint (in the WeasyPrint-alone processes of the first store size)."""
    script = Path(sys.executable).with_name("sitrep")
    command = [str(script)] if script.is_file() else [sys.executable, "-m", "sitrep"]
    helped = paired.repeat(lambda: paired.run([*command, "--help"], cwd=workdir), repeat)
    out = [("`sitrep --help` (process)", helped.median)]
    if rows:
        out.append(("`import weasyprint` (in the WeasyPrint-alone process)", rows[0]["weasy"]["import_s"]))
    return out


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
    row["pdf"], row["weasy"], row["pdf_weasy"] = measure_pair(
        ("cli", *build, "pdf"), ("weasyprint", str(html_file), str(ws / "weasyprint-alone.pdf")), ws, repeat)
    row["noop"] = measure("cli", "build", "--week", week, "--format", "pdf", cwd=ws, repeat=repeat)
    row["pages"] = pages(ws / "weasyprint-alone.pdf")
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
    every = ("cli", "build", "--all", "--force", "--jobs")
    result["jobs1"], result["jobs2"], result["speedup"] = measure_pair((*every, "1"), (*every, "2"), ws, repeat)
    result["noop"] = measure("cli", "build", "--all", cwd=ws, repeat=repeat)
    return result


def _facts_in_week(ws: Path, week: str) -> int:
    from sitrep.source.dates import IsoWeek
    from sitrep.source.store import load_store

    store = load_store(ws / "facts", cache=False)
    wanted = IsoWeek.parse(week)
    return sum(1 for _, date in store.dated_facts() if date.overlaps(wanted.start, wanted.end))


def pages(pdf: Path) -> int | None:
    """The PDF's page count: pypdf's (installed with the tests), else poppler's pdfinfo, else
    None (printed "?")."""
    try:
        from pypdf import PdfReader
    except ImportError:
        pass
    else:
        return len(PdfReader(str(pdf)).pages)
    if shutil.which("pdfinfo"):
        done = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True)
        for line in done.stdout.splitlines():
            if line.startswith("Pages:"):
                return int(line.split(":", 1)[1])
    return None


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--probe":
        print(json.dumps(probe(sys.argv[2], sys.argv[3:])), flush=True)
        if sys.argv[2] != "weasyprint":
            # Like sitrep.commands.cli.main(): a sitrep command ends without interpreter teardown.
            # WeasyPrint alone ends as any Python script does.
            sys.stderr.flush()
            os._exit(0)
        return
    args = arguments()
    from goals import as_users_run

    as_users_run()  # before any process is started: each writes and reads bytecode, as a user's does
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    import_sizes = [int(s) for s in args.imports.split(",") if s.strip()]
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="sitrep-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"sitrep benchmark: sizes {sizes}, the median of {args.repeat} runs each, {os.cpu_count()} cores, "
          f"load average {load:.1f}; stores in {workdir}")
    try:
        rows = []
        for entries in sizes:
            row = bench_size(entries, workdir, args.repeat, args.seed)
            rows.append(row)
            print_table(f"{row['entries']:,} entries", size_table(row))
        startup = bench_startup(rows, workdir, args.repeat)
        print_table("start-up", [(label, seconds(value)) for label, value in startup])
        archive = bench_all(args.all_size, workdir, args.repeat, args.seed) if args.all_size else {}
        if archive:
            print_table(f"--all on {archive['entries']} entries ({archive['weeks']} weeks)", all_table(archive))
        import hostile
        import imports
        from goals import measure_goals

        refusals = {} if args.no_hostile else hostile.bench_hostile(workdir, args.repeat)
        if refusals:
            print_table("hostile store files", hostile.table(refusals))
        imported = []
        for size in import_sizes:
            imported.append(imports.bench_imports(size, workdir, args.repeat, args.seed))
            print_table(f"{size:,} imported ACLED rows", imports.table(imported[-1]))
        issue25 = measure_goals(args.quick)
        goal_lines = (tables.goals(rows, archive) + hostile.goals(refusals)
                      + imports.goals(imported) + [g.line() for g in issue25])
        print("\nGoals:")
        for line in goal_lines:
            print("  " + line)
        end_load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        elapsed = time.perf_counter() - started
        heading = (f"Measured with `make bench` on {time.strftime('%d %B %Y').lstrip('0')}, at {version()}, on "
                   f"{os.cpu_count()} cores, load average {load:.1f} at the start and {end_load:.1f} at the end "
                   f"of the run ({elapsed:.0f} s); " + (f"the median of {args.repeat} runs or pairs each." if args.repeat > 1
                                               else "one run each (not a median: a quick look).")
                   + "".join(f" Not measured in this run: {', '.join(skipped)}." for skipped in [skipped_parts(args)] if skipped))
        block = tables.document(heading, rows, archive, startup, imports.summary(imported) if imported else "", goal_lines)
        print("\nSummary (markdown):\n\n" + block)
        print(f"\nBenchmark run: {elapsed:.0f} s; load average at the end {end_load:.1f}.")
        if args.docs:
            tables.write_docs(args.docs, block)
            print(f"Written into {args.docs}.")
        if args.json:
            args.json.write_text(json.dumps({"sizes": rows, "all": archive, "hostile": refusals, "imports": imported,
                                             "goals": [g.__dict__ for g in issue25]}, indent=1, default=str))
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="sitrep's benchmark (see the module docstring).")
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)),
                        help="store sizes in entries, comma-separated (default %(default)s)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs (or pairs of runs) per measurement; the median counts (default 3)")
    parser.add_argument("--all-size", type=int, default=350,
                        help="entries of the store for the --all measurements, 12 weeks (default %(default)s; 0 skips)")
    parser.add_argument("--imports", default="100000,1000000",
                        help="ACLED rows to import, comma-separated (bench/imports.py; default %(default)s; '' skips)")
    parser.add_argument("--no-hostile", action="store_true", help="skip the refusals of hostile store files (bench/hostile.py)")
    parser.add_argument("--quick", action="store_true",
                        help="a small run, for a first look or a test: --sizes 70 --repeat 1 --all-size 0 --imports '' "
                             "--no-hostile, and each goal's script told to be quick")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, help="where to generate the stores (default: a temporary folder, removed after)")
    parser.add_argument("--docs", type=Path, help="write the figures into this markdown file, between its markers")
    parser.add_argument("--json", type=Path, help="also write every measurement to this file")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.repeat, args.all_size, args.imports, args.no_hostile = "70", 1, 0, "", True
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.docs:  # before minutes of measuring, not after
        try:
            tables.read_docs(args.docs, strict=True)
        except OSError as error:
            raise SystemExit(f"--docs {args.docs}: {error.strerror}") from None
    return args


def skipped_parts(args: argparse.Namespace) -> list[str]:
    return [part for part, skipped in (("`build --all`", not args.all_size), ("hostile store files", args.no_hostile),
                                       ("imported data", not args.imports.strip())) if skipped]


def all_table(archive: dict) -> list[tuple[str, str]]:
    if "jobs1" not in archive:
        return [("--jobs 1 vs --jobs 2, no-change rebuild", tables.NA_ALL)]
    return [
        ("build --all --force, --jobs 1", f"{seconds(archive['jobs1']['wall'])} "
                                          f"(CPU time of all processes {seconds(archive['jobs1']['cpu'])})"),
        ("build --all --force, --jobs 2", f"{seconds(archive['jobs2']['wall'])} "
                                          f"(CPU time of all processes {seconds(archive['jobs2']['cpu'])})"),
        ("speed-up (median of pairwise ratios)", tables.speedup(archive)),
        ("no-change build --all", seconds(archive["noop"]["wall"])),
    ]


def version() -> str:
    """sitrep's version and, in a git checkout, its commit."""
    from importlib.metadata import version as installed

    done = subprocess.run(["git", "-C", str(HERE), "log", "-1", "--format=%h"], capture_output=True, text=True)
    commit = f" (commit {done.stdout.strip()})" if done.returncode == 0 and done.stdout.strip() else ""
    changed = subprocess.run(["git", "-C", str(HERE.parent), "status", "--porcelain", "--untracked-files=no"],
                             capture_output=True, text=True)
    if commit and changed.stdout.strip():
        commit = commit[:-1] + ", with changes not committed)"
    return f"sitrep {installed('sitrep')}{commit}"


if __name__ == "__main__":
    main()
