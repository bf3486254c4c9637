"""The commands of the command line: a thin shell over the library (`sitrep.build`). The
application they hang on, its shared options and its error boundary are in app.py.

Each command imports the stages it uses inside its own function, on purpose: the command line
loads in about 65 ms, the pipeline (pydantic, Jinja, PyYAML, Babel) in about 270 ms more. So
`sitrep --help` and a mistyped command answer at once, and `sitrep build` forks its PDF helper
before the pipeline loads, letting WeasyPrint's import run on the other core meanwhile.
"""

from __future__ import annotations

import contextlib
import json
import signal
import time
from pathlib import Path
from typing import Optional

import typer

from sitrep.commands.app import ConfigOption, Edition, Format, Kind, _counted, _ErrorBoundary, _say_waiting, app
from sitrep.commands.app import main  # noqa: F401  (the console script's entry point: sitrep.commands.cli:main)
from sitrep.errors import Problem, SitrepError, display_path
from sitrep.render.pdf import PdfHelper  # light: WeasyPrint itself is imported by the helper process


@app.command()
def build(
    week: Optional[str] = typer.Option(None, "--week", "-w", help="ISO week to report on, e.g. 2016-W26. "
                                       "Default: the latest week that has facts."),
    all_weeks: bool = typer.Option(False, "--all", help="Build every week of the series (those whose inputs changed) "
                                   "and the archive index, output/index.html."),
    force: bool = typer.Option(False, "--force", help="Rebuild even when nothing the report is made from has changed."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="With --all: how many weeks to build at "
                                       "once. Default: one per core."),
    config: Path = ConfigOption,
    format: Format = typer.Option(Format.both, "--format", "-f", help="What to write: html, pdf or both."),
    edition: Optional[Edition] = typer.Option(None, "--edition", help="public (leaves out restricted facts) or "
                                              "internal. Default: 'edition' in config.yaml."),
) -> None:
    """Build a week's report (or, with --all, every week's) into output/<week>/ as HTML and PDF.

    Checks the store first and refuses to build from a broken one. Builds are incremental: a week whose facts, neighbours in the series, templates and config have not changed is left as it is (--force rebuilds). Files are written atomically: a failed or interrupted build leaves the previous report untouched. One build at a time writes an output folder: another waits for it, then plans afresh.

    Example: sitrep build --week 2016-W26 --format pdf
    """
    formats = ("html", "pdf") if format is Format.both else (format.value,)
    chosen = edition.value if edition else None
    if all_weeks and week:
        typer.echo("sitrep build: error: --week and --all do not go together (expected one of them)", err=True)
        raise typer.Exit(2)
    started = time.perf_counter()
    # The one-shot tricks of a command that ends after its build, passed into the library:
    # - a PDF helper process, forked before sitrep's heavy modules load, imports WeasyPrint
    #   (half a second) on the other core meanwhile; left unused when the week is up to date;
    # - the loaded store, which lives until the process ends, is frozen out of the garbage
    #   collector's passes while WeasyPrint lays out pages.
    with PdfHelper() if "pdf" in formats and not all_weeks else contextlib.nullcontext() as helper:
        from sitrep.build import build_all, build_week  # pydantic, Jinja, YAML: after the helper is forked

        if all_weeks:
            results = build_all(config, formats=formats, edition=chosen, force=force, jobs=jobs,
                                on_wait=_say_waiting, freeze_store=True)
        else:
            results = [build_week(config, week, formats, chosen, force=force, on_wait=_say_waiting,
                                  pdf_renderer=helper.render if helper else None, freeze_store=True)]
    if results[0].warnings:
        typer.echo(f"{_counted(len(results[0].warnings), 'warning')} about the store; `sitrep check` lists "
                   f"{'it' if len(results[0].warnings) == 1 else 'them'}.", err=True)
    for result in results:
        state = "up to date, not rebuilt" if result.skipped else f"built in {result.seconds:.1f} s"
        typer.echo(f"Report {result.number} for {result.week} ({result.period}), {result.edition} edition: {state}")
        if not all_weeks:
            for fmt, path in result.files.items():
                typer.echo(f"  {fmt:4}  {display_path(path)}")
    if all_weeks:
        built = sum(not r.skipped for r in results)
        typer.echo(f"{built} of {_counted(len(results), 'report')} built, {len(results) - built} up to date; "
                   f"index in {display_path(results[0].files[formats[0]].parent.parent)}/ "
                   f"({time.perf_counter() - started:.1f} s).")
    elif results[0].skipped:
        typer.echo("Nothing changed since the last build; --force rebuilds it.")


@app.command()
def check(
    config: Path = ConfigOption,
    strict: bool = typer.Option(False, "--strict", help="Treat warnings as errors (exit 1), for CI."),
) -> None:
    """Validate the config and every file of the fact store; print every problem found.

    Each problem reads file:line: what is wrong (what was expected). Exit code 1 when there is any error, 0 otherwise.

    Example: sitrep check --config config.yaml
    """
    from sitrep.build import check as run_check

    result = run_check(config)
    for warning in result.warnings:
        typer.echo(str(warning), err=True)
    if strict and result.warnings:
        typer.echo(f"{_counted(len(result.warnings), 'warning')}, and --strict treats "
                   f"{'it as an error' if len(result.warnings) == 1 else 'them as errors'}.", err=True)
        raise typer.Exit(1)
    from sitrep.source.schema import count_of

    counts = ", ".join(count_of(n, kind) for kind, n in result.store.counts().items())
    weeks = result.store.weeks_with_facts()
    span = f"; weeks {weeks[0]} to {weeks[-1]} ({len(weeks)} with facts)" if weeks else ""
    warned = f" {_counted(len(result.warnings), 'warning')}." if result.warnings else ""
    typer.echo(f"OK: {len(result.store.files)} files, {counts}{span}.{warned}")


@app.command()
def weeks(
    config: Path = ConfigOption,
) -> None:
    """List the weeks that have facts: report number, period, and the facts dated in each.

    Example: sitrep weeks
    """
    from sitrep.build import check as run_check
    from sitrep.report.series import week_summaries

    result = run_check(config)
    from sitrep.source.schema import count_of

    for summary in week_summaries(result.store):
        counts = ", ".join(count_of(n, kind) for kind, n in summary.counts.items() if n)
        typer.echo(f"{summary.week}  No. {summary.number:<3} {summary.period:<28} {counts}")


@app.command()
def schema(
    config: Path = ConfigOption,
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Where to write the JSON Schema; '-' prints it. "
                                          "Default: sitrep.schema.json in the store folder."),
) -> None:
    """Write the store's JSON Schema, so editors can autocomplete and underline mistakes as you type.

    Point the YAML language server at it with a first line in each store file: # yaml-language-server: $schema=sitrep.schema.json

    Example: sitrep schema --output facts/sitrep.schema.json
    """
    from sitrep.output import write_atomic
    from sitrep.source.config import load_config
    from sitrep.source.schema import SCHEMA_FILE_NAME, store_json_schema

    text = json.dumps(store_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if output is not None and str(output) == "-":
        typer.echo(text, nl=False)
        return
    if output is None:
        output = load_config(config).store_dir / SCHEMA_FILE_NAME
    write_atomic(output, text)
    typer.echo(f"Wrote {display_path(output)}")


@app.command()
def serve(
    week: Optional[str] = typer.Option(None, "--week", "-w", help="ISO week to report on, e.g. 2016-W26. "
                                       "Default: the latest week that has facts."),
    config: Path = ConfigOption,
    edition: Optional[Edition] = typer.Option(None, "--edition", help="public (leaves out restricted facts) or "
                                              "internal. Default: 'edition' in config.yaml."),
    port: int = typer.Option(8000, "--port", "-p", min=0, max=65535, help="Port to listen on; 0 picks a free one."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on. Anything but localhost shares "
                             "the report with your network."),
) -> None:
    """Serve the report on localhost; rebuild it and reload the browser when a fact, a template or the config changes.

    A broken store or template shows its errors on the page, and the server keeps running: fix the file and the report comes back. Nothing is written to output/; /report.pdf makes the PDF on demand. Ctrl+C stops it.

    Example: sitrep serve --port 8000
    """
    from sitrep.commands.serve import ReportServer

    server = ReportServer(config, week=week, edition=edition.value if edition else None, host=host, port=port,
                         log=typer.echo)

    def _terminate(signum, frame):  # `kill` stops it as cleanly as Ctrl+C
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _terminate)
    typer.echo(f"Serving {server.title} at {server.url} — Ctrl+C to stop")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        signal.signal(signal.SIGTERM, previous)
    typer.echo("Stopped.")
    raise typer.Exit(130)  # it only ever stops when interrupted: exit 130, as every command (README)


@app.command()
def trace(
    entry_id: str = typer.Argument(..., metavar="ID", help="An entry's id, as the report's HTML shows in data-fact."),
    config: Path = ConfigOption,
) -> None:
    """Trace an entry back to the store: where each of its lines is written, the sources it cites and where they are defined, how well sourced it is, what refers to it, and which weekly reports show it.

    Example: sitrep trace fallujah-trapped-2016-06
    """
    from sitrep.build import check as run_check
    from sitrep.commands.trace import format_trace
    from sitrep.commands.trace import trace as trace_entry

    typer.echo(format_trace(trace_entry(run_check(config).store, entry_id)))


@app.command()
def new(
    kind: Kind = typer.Argument(..., help="What to add: figure, incident, route, movement, narrative, source, place "
                                "or actor."),
    file: Optional[Path] = typer.Option(None, "--file", help="The store file to add it to. Default: the file that "
                                        "already holds the most entries of that kind."),
    entry_id: Optional[str] = typer.Option(None, "--id", help="The new entry's id. Default: new-KIND-YYYY-MM-DD."),
    config: Path = ConfigOption,
) -> None:
    """Add a skeleton entry of KIND to a store file, with a fresh id and today's date, for you to fill in.

    What is already in the file stays byte for byte; the file is checked and written atomically. A new fact is a draft: marked restricted (kept out of public editions) with TODO text that `sitrep check` warns about, until you fill it in and delete its sensitivity line.

    Example: sitrep new figure --file facts/2016-06-fallujah.yaml
    """
    from sitrep.build import check as run_check
    from sitrep.commands.new import add_entry

    checked = run_check(config)
    added = add_entry(checked.config, checked.store, kind.value, file, entry_id)
    typer.echo(f"Added {added.kind} '{added.id}' at {display_path(added.file)}:{added.line}. "
               "Replace its TODO values, then run sitrep check.")


templates_app = typer.Typer(cls=_ErrorBoundary, no_args_is_help=False, context_settings={"help_option_names": ["-h", "--help"]})
app.add_typer(templates_app, name="templates")


@templates_app.callback(invoke_without_command=True)
def templates(
    ctx: typer.Context,
    config: Path = ConfigOption,
) -> None:
    """List every template and where it is found: your templates folder (config.yaml 'templates:') or the built-ins.

    Yours are searched first, one file at a time. `sitrep templates copy NAME` copies a built-in into your folder as a starting point; `sitrep templates context` lists the variables templates receive.

    Example: sitrep templates copy sections/outlook.html
    """
    if ctx.invoked_subcommand is not None:
        return
    from sitrep.commands.templates import list_templates
    from sitrep.source.config import builtin_templates_dir, load_config

    loaded = load_config(config)
    user_dir = loaded.templates_dir
    entries = list_templates(user_dir)
    width = max(len(e.name) for e in entries) + 2
    for entry in entries:
        typer.echo(f"{entry.name:<{width}}{entry.where:<11}{display_path(entry.path)}")
    if user_dir is None:
        folder = _free_templates_folder(loaded)
        typer.echo(f"\nNo templates folder of your own yet: add 'templates: {folder}' to config.yaml, create the "
                   "folder, then `sitrep templates copy NAME`.")
    else:
        typer.echo(f"\nYours: {display_path(user_dir)} (searched first). Built-ins: {display_path(builtin_templates_dir())}.")


def _free_templates_folder(loaded) -> str:
    """The folder name to suggest for the user's own templates: 'templates', unless that is
    sitrep's built-in templates folder (a workspace at the top of sitrep's own repository)."""
    from sitrep.source.config import builtin_templates_dir

    builtin = builtin_templates_dir().resolve()
    return "custom" if (loaded.workspace / "templates").resolve() == builtin else "templates"


@templates_app.command("copy")
def templates_copy(
    name: str = typer.Argument(..., help="A built-in template, as `sitrep templates` lists it (sections/outlook.html), "
                               "or a section's name (outlook)."),
    config: Path = ConfigOption,
    force: bool = typer.Option(False, "--force", help="Replace your copy if you already have one."),
) -> None:
    """Copy a built-in template into your templates folder, to edit as your own.

    Refuses to replace a template you already have, unless --force.

    Example: sitrep templates copy sections/outlook.html
    """
    from sitrep.commands.templates import copy_builtin_template
    from sitrep.source.config import load_config

    loaded = load_config(config)
    if loaded.templates_dir is None:
        raise SitrepError(Problem(loaded.shown, 0, "config.yaml sets no templates folder",
                                  expected=f"a line such as 'templates: {_free_templates_folder(loaded)}' "
                                           "in config.yaml",
                                  hint="add it, create the folder, and run this again"))
    target = copy_builtin_template(name, loaded.templates_dir, force=force)
    typer.echo(f"Copied the built-in {display_path(target.relative_to(loaded.templates_dir))} to {display_path(target)}; "
               "edit it, then sitrep build.")


@templates_app.command("context")
def templates_context(
    config: Path = ConfigOption,
    week: Optional[str] = typer.Option(None, "--week", "-w", help="The week whose report gives the examples. "
                                       "Default: the latest week that has facts."),
) -> None:
    """Print every variable templates receive, with its type and an example from your own store (Markdown).

    Example: sitrep templates context --week 2016-W26
    """
    from sitrep.commands.contextdoc import context_markdown

    text = context_markdown(config, week)
    typer.echo(text, nl=False)


@app.command()
def init(
    folder: Path = typer.Argument(..., metavar="DIR", help="The new workspace: a folder that does not exist yet, or is empty."),
) -> None:
    """Create a workspace that builds at once: config.yaml, a starter store and a templates folder.

    The store holds one small example entry of each kind, each marked EXAMPLE, to replace with your own; sitrep check and sitrep build work in it straight away. Refuses a folder that is not empty.

    Example: sitrep init my-crisis && cd my-crisis && sitrep build
    """
    from sitrep.commands.starter import init_workspace

    written = init_workspace(folder)
    shown = display_path(folder)
    typer.echo(f"Created a sitrep workspace in {shown} ({len(written)} files):")
    typer.echo("  config.yaml   title, organisation, theme, sections: the report's settings")
    typer.echo("  facts/        the store: one example entry of each kind, marked EXAMPLE, to replace")
    typer.echo("  templates/    your own templates, searched before the built-ins (sitrep templates)")
    typer.echo(f"Next: cd {shown} && sitrep check && sitrep build")
