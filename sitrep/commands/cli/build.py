"""`sitrep build`: a week's report, or every week's, into output/.

The library's build (`sitrep.build`: pydantic, Jinja, YAML) is imported inside the command, after
the PDF helper is forked, so that WeasyPrint's import runs on the other core meanwhile (see
sitrep/commands/cli/__init__.py).
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Optional

import typer

from sitrep.commands.app import AsOfOption, ConfigOption, Edition, EditionOption, Format, PdfVariant, _counted, app
from sitrep.errors import display_path
from sitrep.commands.startup import take_prestarted_helper
from sitrep.commands.progress import progress_for
from sitrep.commands.usage import CommandLineMistake
from sitrep.render.pdfhelper import PdfHelper, default_lanes  # light: WeasyPrint itself is imported by the helper process


@app.command()
def build(
    week: Optional[str] = typer.Option(None, "--week", "-w", help="ISO week to report on, e.g. 2016-W26. "
                                       "Default: the series' latest report."),
    all_weeks: bool = typer.Option(False, "--all", help="Build every week of the series (those whose inputs changed) "
                                   "and the archive index, output/index.html."),
    force: bool = typer.Option(False, "--force", help="Rebuild even when nothing the report is made from has changed."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="How many reports (a week in a language) "
                                       "to build at once, with --all or several languages. Default: one per core (for one week's PDFs in "
                                       "several languages, one more)."),
    config: Path = ConfigOption,
    format: Format = typer.Option(Format.both, "--format", "-f", help="What to write: html, pdf or both."),
    edition: Optional[Edition] = EditionOption,
    language: Optional[str] = typer.Option(None, "--language", "-l", help="Build the edition in this language "
                                           "only: en, ar, fr... Default: every language config.yaml lists."),
    pdf_variant: Optional[PdfVariant] = typer.Option(None, "--pdf-variant", help="pdf/ua-1 (tagged, for screen "
                                                     "readers), pdf/a-3a (tagged, archival) or plain. Default: "
                                                     "'pdf_variant' in config.yaml, else pdf/ua-1."),
    as_of: Optional[str] = AsOfOption,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="For scripts: no progress and no count of the store's "
                               "warnings on stderr, only errors; the files built are still listed on stdout."),
) -> None:
    """Build a week's report (or, with --all, every week's) into output/<week>/ as HTML and PDF.

    Checks the store first and refuses to build from a broken one. Builds are incremental: a week whose facts, neighbours in the series, templates and config have not changed is left as it is (--force rebuilds). Files are written atomically: a failed or interrupted build leaves the previous report untouched. One build at a time writes an output folder: another waits for it, then plans afresh.

    Each language config.yaml's `languages` lists gets its own edition (fallujah-sitrep-2016-W26-ar.pdf); --language builds one.

    While it runs, stderr shows each report's stage (on a terminal, with --all, a bar with the count and the time left; elsewhere, one line each); --quiet shows none of it.

    Example: sitrep build --week 2016-W26 --format pdf --language ar
    """
    formats = ("html", "pdf") if format is Format.both else (format.value,)
    chosen = edition.value if edition else None
    if all_weeks and week:
        raise CommandLineMistake("--week and --all do not go together (expected one of them)")
    started = time.perf_counter()
    # The one-shot tricks of a command that ends after its build, passed into the library:
    # - a PDF helper process, forked before sitrep's heavy modules load (by commands/entry.py
    #   as the program started, or else now), imports WeasyPrint (half a second) on the other
    #   core meanwhile; left unused when the week is up to date;
    # - the loaded store, which lives until the process ends, is frozen out of the garbage
    #   collector's passes while WeasyPrint lays out pages.
    one_pdf = "pdf" in formats and not all_weeks
    helper = take_prestarted_helper()
    if helper is not None and not one_pdf:
        helper.close()
        helper = None
    if helper is None and one_pdf:
        helper = PdfHelper(lanes=default_lanes())
    variant = pdf_variant.value if pdf_variant else None
    with helper if helper is not None else contextlib.nullcontext(), progress_for("sitrep build", quiet) as progress:
        # pydantic, Jinja, YAML: imported after the helper is forked
        from sitrep.build import build_languages, build_week, languages_of

        tags = languages_of(config, language)
        if all_weeks or len(tags) > 1:
            # Every report of the run, a week in a language: one week's few reports rendered here
            # while the PDF helper's lanes lay out their PDFs (WeasyPrint imported meanwhile, at
            # the start); every week's (--all) on one pool of processes; --jobs 1: one after the other.
            lanes = 1
            if helper is not None and jobs != 1:
                lanes = min(helper.open_lanes(), jobs or len(tags))
            results = build_languages(config, tags, week, all_weeks=all_weeks, formats=formats, edition=chosen,
                                      force=force, jobs=jobs, on_wait=progress.say, freeze_store=True,
                                      pdf_variant=variant, progress=progress, as_of=as_of,
                                      pdf_renderer=helper.render if helper else None, pdf_lanes=lanes)
        else:
            results = [build_week(config, week, formats, chosen, force=force, on_wait=progress.say,
                                  pdf_renderer=helper.render if helper else None, freeze_store=True,
                                  language=tags[0], pdf_variant=variant, progress=progress, as_of=as_of)]
    multilingual = len({r.language for r in results}) > 1
    if results[0].warnings and not quiet:
        typer.echo(f"{_counted(len(results[0].warnings), 'warning')} about the store; `sitrep check` lists "
                   f"{'it' if len(results[0].warnings) == 1 else 'them'}.", err=True)
    for result in results:
        state = "up to date, not rebuilt" if result.skipped else f"built in {result.seconds:.1f} s"
        typer.echo(f"Report {result.number} for {result.week} ({result.period}), {result.edition} edition"
                   f"{f', {result.language}' if multilingual else ''}: {state}")
        if not all_weeks:
            for fmt, path in result.files.items():
                typer.echo(f"  {fmt:4}  {display_path(path)}")
    if all_weeks:
        built = sum(not r.skipped for r in results)
        typer.echo(f"{built} of {_counted(len(results), 'report')} built, {len(results) - built} up to date; "
                   f"index in {display_path(results[0].files[formats[0]].parent.parent)}/ "
                   f"({time.perf_counter() - started:.1f} s).")
    elif all(r.skipped for r in results):
        typer.echo("Nothing changed since the last build; --force rebuilds it.")
