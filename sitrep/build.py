"""Build reports into output/: one week (`build_week`) or the whole series (`build_all`).

The library's front door; the CLI is a thin shell over it. The stages are chained by the
pipeline (`pipeline.Workspace`); this module decides which weeks to build (archive.py's
fingerprints), holds the workspace lock, writes the files and the archive index, and spreads
the reports of a run, every (week, language), over every core (`build_languages`: a pool of
processes, or the PDF helper's lanes). Called from Python, neither function forks for one week or leaves
the caller's garbage collector changed, and neither prints: the command line passes its one-shot
tricks in (`freeze_store`, a prestarted `pdf_renderer`), and a `progress` that shows each report's
stage and how many of them are built (sitrep.progress; the default says nothing).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
import multiprocessing
import os
import signal
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from sitrep.errors import ConfigError, Problem, SitrepError, StoreError, display_path
from sitrep.language import LOCALE_DIR
from sitrep.output import write_outputs
from sitrep.pipeline import PdfRenderer, Workspace, check  # noqa: F401  (check: the library front door, sitrep.check)
from sitrep.processes import end_with_parent
from sitrep.progress import INDEXING, LAYING_OUT, LOADING, RENDERING, SILENT, WRITING, Progress
from sitrep.publish import archive
from sitrep.publish.layout import assets_folder, index_file, report_files
from sitrep.publish.lock import WorkspaceLock
from sitrep.report.context import ReportContext
from sitrep.report.prose import refused_narrative
from sitrep.source.areafiles import area_files
from sitrep.source.config import Config, builtin_report_templates, load_config
from sitrep.source.dates import IsoWeek

CheckResult = Workspace  # what `check` returns: the config, the store, its warnings


@dataclass
class BuildResult:
    week: IsoWeek
    context: ReportContext | None  # None when the week was up to date and not rebuilt
    files: dict[str, Path] = field(default_factory=dict)  # format -> path (written, or already current)
    seconds: float = 0.0
    warnings: list[Problem] = field(default_factory=list)
    skipped: bool = False  # its inputs had not changed since the last build: nothing was written
    number: int = 0
    period: str = ""
    edition: str = "public"
    language: str = "en"

    @property
    def named(self) -> str:
        """The report as a message names it: '2016-W26 (ar)'."""
        return f"{self.week} ({self.language})"


def build_week(config_path: Path | str = "config.yaml", week: str | None = None,
               formats: tuple[str, ...] = ("html", "pdf"), edition: str | None = None,
               force: bool = False, on_wait: Callable[[str], None] | None = None,
               pdf_renderer: PdfRenderer | None = None, freeze_store: bool = False,
               language: str | None = None, pdf_variant: str | None = None,
               progress: Progress = SILENT, as_of: dt.date | None = None) -> BuildResult:
    """Build one week's report (default: the latest) in one language (default: config.yaml's
    `language`; `Workspace.load(...).config.languages` lists them all). Nothing is written unless every stage
    succeeded; a week whose inputs have not changed since its last build is left as it is
    unless `force`. While another build of the same output folder runs, this one waits for it,
    and says so once through `on_wait`.

    The PDF is laid out in this process unless `pdf_renderer` (render_pdf's signature) is
    given; `freeze_store` is for a process that ends after the build (Workspace.load).
    `progress` is told each stage the report enters. `as_of`: the day the build is as of
    (default: today): a date after it is an error, and only a week ended before it has a report."""
    started = time.perf_counter()
    progress.stage(language or "", LOADING)
    with _checked_under_lock(config_path, on_wait, freeze_store, as_of) as workspace:
        plan = _Plan(workspace, edition, formats, pdf_renderer, language, pdf_variant, progress)
        result = plan.build(workspace.resolve(week, plan.edition), force)
        plan.finish([result])
    result.seconds = time.perf_counter() - started
    return result


def build_all(config_path: Path | str = "config.yaml", *, formats: tuple[str, ...] = ("html", "pdf"),
              edition: str | None = None, force: bool = False, jobs: int | None = None,
              on_wait: Callable[[str], None] | None = None, freeze_store: bool = False,
              language: str | None = None, pdf_variant: str | None = None,
              progress: Progress = SILENT, as_of: dt.date | None = None) -> list[BuildResult]:
    """Build every week of the series that changed (all of them with `force`), on `jobs`
    processes (default: one per core), then the archive index, output/index.html (in a
    language other than config.yaml's own, index-<language>.html). While
    another build of the same output folder runs, this one waits for it (see `build_week`).
    `progress` is told how many reports are to be built, and of each as it is done (in this
    process, whichever process built it). `as_of` as for `build_week`: a week not ended by then
    is neither built nor indexed. `build_languages` builds several languages in one pool."""
    return build_languages(config_path, [language], all_weeks=True, formats=formats, edition=edition, force=force,
                           jobs=jobs, on_wait=on_wait, freeze_store=freeze_store, pdf_variant=pdf_variant,
                           progress=progress, as_of=as_of)


def build_languages(config_path: Path | str = "config.yaml", languages: Sequence[str | None] = (None,),
                    week: str | None = None, *, all_weeks: bool = False, formats: tuple[str, ...] = ("html", "pdf"),
                    edition: str | None = None, force: bool = False, jobs: int | None = None,
                    on_wait: Callable[[str], None] | None = None, freeze_store: bool = False,
                    pdf_variant: str | None = None, progress: Progress = SILENT, as_of: dt.date | None = None,
                    pdf_renderer: PdfRenderer | None = None, pdf_lanes: int = 1) -> list[BuildResult]:
    """Build one week (`week`, default the latest) or, with `all_weeks`, every week that changed,
    in each of `languages` (None: config.yaml's `language`; `languages_of` lists a build's), as
    `build_week` and `build_all` do one language at a time, but the store loaded once, under one
    lock, and every report (a week in a language) on one pool of `jobs` processes (default: one
    per core), forked once the store is loaded and WeasyPrint imported. Each language's manifest
    and archive index are written once its reports are, in the order of `languages`; the files
    are the same bytes as a build of one report after the other. The results come in that order
    too: each language's weeks, oldest first. When a report fails, the others are still built
    (on one process, the run stops there), and the error, its report named ('2016-W26 (ar): ...')
    when others were written, lists those in SitrepError.written. `pdf_renderer` as for `build_week`, on one
    process only: a pool's workers lay their PDFs out themselves. `pdf_lanes`: how many PDFs
    `pdf_renderer` can lay out at once (the CLI's PDF helper, render/pdfhelper.py: a copy of it,
    WeasyPrint imported, per lane). With more than one, a run of a few reports (one week in
    several languages) renders them here one after the other, each PDF laid out on a free lane
    meanwhile, instead of forking a pool that must import WeasyPrint first."""
    languages = list(dict.fromkeys(languages))  # each once
    subject = ", ".join(tag for tag in languages if tag)
    progress.stage(subject, LOADING)
    with _checked_under_lock(config_path, on_wait, freeze_store, as_of) as workspace:
        plans = [_Plan(workspace, edition, formats, pdf_renderer, tag, pdf_variant, progress) for tag in languages]
        wanted: dict[str, list[IsoWeek]] = {}
        for plan in plans:
            if all_weeks and not plan.weeks:
                workspace.resolve(None, plan.edition)  # raises: the store holds no dated facts
            wanted[plan.language] = plan.weeks if all_weeks else [workspace.resolve(week, plan.edition)]
        todo = [(plan, week) for plan in plans for week in wanted[plan.language] if force or not plan.is_current(week)]
        # Each report refuses what its edition must not print (report/prose.py); judged for every
        # report first, so that a series refused for one week writes none of its reports.
        for plan in plans:
            refused = refused_narrative(workspace.store, plan.series, [w for p, w in todo if p is plan], plan.edition)
            if refused:
                raise StoreError(refused)
        jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
        built: dict[tuple[str, IsoWeek], BuildResult] = {}
        counted = bool(todo) and (all_weeks or len(plans) > 1)  # else one report, told of stage by stage
        if counted:
            progress.start(len(todo), "reports to build", subject or plans[0].language)
        failure: SitrepError | None = None
        try:
            with naming_the_written(built.values()):
                if pdf_renderer is not None and pdf_lanes > 1 and len(todo) > 1 and not all_weeks:
                    _build_on_lanes(todo, pdf_lanes, built)
                elif jobs > 1 and len(todo) > 1:
                    _build_in_parallel(plans, todo, jobs, built)
                else:
                    for plan, week in todo:
                        try:
                            built[plan.language, week] = plan.build(week, force=True)
                        except SitrepError as error:
                            raise (_report_named(error, f"{week} ({plan.language})") if built else error) from None
                        if counted:
                            progress.advance(plan.subject(week), "built")
        except SitrepError as error:
            failure = error
        finally:
            if counted:
                progress.finish()
        results = []
        for plan in plans:
            # After a failure, a language whose every report was built is indexed still; the others are left as they were.
            if failure is None or all((plan.language, week) in built for other, week in todo if other is plan):
                mine = [built.get((plan.language, week)) or plan.skipped(week) for week in wanted[plan.language]]
                plan.finish(mine)
                results += mine
        if failure is not None:
            raise failure
    return results


@contextlib.contextmanager
def naming_the_written(results: Iterable[BuildResult]) -> Iterator[None]:
    """A failure within names the reports of `results` (as they are then) that were written, in
    SitrepError.written: a run of several reports writes each as it is built."""
    try:
        yield
    except SitrepError as error:
        error.written[:0] = [result.named for result in results if not result.skipped]
        raise


def languages_of(config_path: Path | str, language: str | None = None) -> list[str]:
    """The languages a build makes: the one asked for (which config.yaml must list, or be its
    `language`), else every one in config.yaml's `languages`."""
    return load_config(config_path).edition_languages(language)


@contextlib.contextmanager
def _checked_under_lock(config_path: Path | str, on_wait: Callable[[str], None] | None,
                        freeze_store: bool = False, as_of: dt.date | None = None) -> Iterator[Workspace]:
    """The workspace, checked, while this build holds the lock on its output folder (lock.py).

    When another build held the lock, the config and store are checked again once it is
    released: that build may have been of another config.yaml, and this one must plan from
    what it finds then, not from what it read before waiting."""
    as_of = as_of or dt.date.today()  # read once: after a wait, the same day
    checked = Workspace.load(config_path, freeze_store=freeze_store, as_of=as_of)
    while True:
        _refuse_an_output_folder_in_a_file(checked.config)
        lock = WorkspaceLock(checked.config.output_dir)
        try:
            if lock.acquire(on_wait):
                checked = Workspace.load(config_path, freeze_store=freeze_store, as_of=as_of)
            if checked.config.output_dir == lock.folder:
                yield checked
                return
            # config.yaml now names another output folder: lock that one instead.
        finally:
            lock.release()


def _refuse_an_output_folder_in_a_file(config: Config) -> None:
    """The output folder, or a folder it would be made in, must not be a file."""
    blocking = next((p for p in (config.output_dir, *config.output_dir.parents) if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        what = "is a file" if blocking == config.output_dir else f"is inside {display_path(blocking)}, which is a file"
        raise ConfigError(config.problem("output", f"output: '{config.model.output}' {what}, not a folder",
                                         expected="a folder for the reports (it is created if missing)"))


@dataclass
class _Report:
    """A report being built: rendered, its files' contents gathered until they are written."""

    week: IsoWeek
    rendered: object  # pipeline.RenderedWeek
    paths: dict[str, Path]  # format -> where its file goes
    started: float
    outputs: dict[Path, bytes | str] = field(default_factory=dict)

    def add_pdf(self, pdf: bytes) -> None:
        self.outputs[self.paths["pdf"]] = pdf


class _Plan:
    """One run: the checked store, the series of weeks, their fingerprints, the manifest."""

    def __init__(self, workspace: Workspace, edition: str | None, formats: tuple[str, ...],
                 pdf_renderer: PdfRenderer | None = None, language: str | None = None, pdf_variant: str | None = None,
                 progress: Progress = SILENT):
        self.workspace = workspace
        self.progress = progress
        self.config, self.store = workspace.config, workspace.store
        self.edition = workspace.edition(edition)
        self.language = workspace.language(language)
        self.pdf_variant = pdf_variant or self.config.pdf_variant
        self.formats = formats
        self.pdf_renderer = pdf_renderer
        config = self.config
        self.series = workspace.series(self.edition)
        self.weeks = self.series.reports
        self.fingerprints = archive.Fingerprints(config, self.store, self.series, self.edition, formats,
                                                 self.template_inputs(), self.language, self.pdf_variant)
        self.manifest = archive.load_manifest(config, self.edition, self.language)  # week -> what was built
        archive.remove_stale_temporaries(config.output_dir)
        self.assets: Path | None = None  # output/assets/, once installed

    def template_inputs(self) -> list[Path]:
        """Files and folders the look of a report depends on, besides the store and config."""
        config = self.config
        inputs = [*builtin_report_templates(), LOCALE_DIR, config.templates_dir, config.logo_path,
                  *(config.workspace / font.file for font in config.model.theme.fonts.files),
                  *(config.workspace / layer.file for layer in config.model.basemap),  # the map's outlines
                  *area_files(self.store)]  # and the areas' GeoJSON files
        return [path for path in inputs if path is not None]

    @property
    def private(self) -> bool:
        """Whether this edition's files are for their owner's eyes only (the internal edition's
        restricted facts must not be readable by every account on the machine)."""
        return self.edition == "internal"

    def entry(self, week: IsoWeek) -> archive.ArchiveEntry | None:
        return self.manifest.get(str(week))  # the manifest is JSON: its keys are the weeks' names

    def is_current(self, week: IsoWeek) -> bool:
        return archive.is_current(self.config, self.entry(week), self.fingerprints.of(week), self.formats,
                                  private=self.private)

    def skipped(self, week: IsoWeek) -> BuildResult:
        entry = self.entry(week)
        paths = report_files(self.config, week, self.edition, self.language)
        return BuildResult(week, None, {fmt: paths[fmt] for fmt in self.formats}, warnings=self.store.warnings,
                           skipped=True, number=entry.number, period=entry.period, edition=self.edition,
                           language=self.language)

    def subject(self, week: IsoWeek) -> str:
        """How progress names a report: '2016-W26, ar'."""
        return f"{week}, {self.language}"

    def build(self, week: IsoWeek, force: bool) -> BuildResult:
        if not force and self.is_current(week):
            return self.skipped(week)
        report = self.render(week)
        if "pdf" in self.formats:
            self.progress.stage(self.subject(week), LAYING_OUT)
            report.add_pdf(self.lay_out(report))
        return self.write(report)

    def render(self, week: IsoWeek) -> _Report:
        """The week's report as HTML, its PDF not yet laid out."""
        started = time.perf_counter()
        self.progress.stage(self.subject(week), RENDERING)
        rendered = self.workspace.render_week(week, self.edition, language=self.language)
        report = _Report(week, rendered, report_files(self.config, week, self.edition, self.language), started)
        # The fonts the PDF uses go in place first (each copied atomically, shared by every week);
        # the HTML carries its own.
        self.install_assets()
        if "html" in self.formats:
            report.outputs[report.paths["html"]] = self.workspace.standalone(rendered)  # one file that travels
        return report

    def lay_out(self, report: _Report) -> bytes:
        return self.workspace.pdf(report.rendered, self.pdf_renderer, self.pdf_variant)

    def write(self, report: _Report) -> BuildResult:
        """Write the report's files, each atomically, and record them in the manifest."""
        week, context = report.week, report.rendered.context
        self.progress.stage(self.subject(week), WRITING)
        write_outputs(report.outputs, private=self.private)
        files = {fmt: report.paths[fmt] for fmt in self.formats}
        self.record(week, context, files)
        return BuildResult(week, context, files, seconds=time.perf_counter() - report.started,
                           warnings=self.store.warnings, number=context.number, period=context.period,
                           edition=self.edition, language=self.language)

    def install_assets(self) -> None:
        self.assets = self.assets or self.workspace.install_assets(assets_folder(self.config))

    def record(self, week: IsoWeek, context: ReportContext, files: dict[str, Path]) -> None:
        self.manifest[str(week)] = archive.entry_for(self.config, context, files, self.fingerprints.of(week))

    def finish(self, results: list[BuildResult]) -> None:
        """Save what was built and rewrite the archive index, when anything changed."""
        if all(r.skipped for r in results) and index_file(self.config, self.edition, self.language).exists():
            return
        self.progress.stage(self.language, INDEXING)
        # Weeks that left the series (their facts were deleted) leave the index too.
        current = {str(w) for w in self.weeks}
        for week in [w for w in self.manifest if w not in current]:
            del self.manifest[week]
        archive.save_manifest(self.config, self.edition, self.manifest, self.language)
        # Every language's index links to this language's reports: each one already built is
        # written again with this build's, so that no index lags behind the others.
        indexes = {}
        for language in self.config.languages:
            built = self.manifest if language == self.language else archive.load_manifest(self.config, self.edition, language)
            if built or language == self.language:
                indexes[index_file(self.config, self.edition, language)] = self.workspace.render_index(
                    list(built.values()), self.edition, language)
        write_outputs(indexes, private=self.private)


def _report_named(error: SitrepError, named: str) -> SitrepError:
    """`error`, each of its problems saying the report it stopped ('2016-W26 (ar): ...'): in a
    run that wrote other reports, which one failed is not otherwise plain. (When none was
    written, as when a template mistake fails every report, the error is every report's.)"""
    renamed = type(error)([dataclasses.replace(problem, message=f"{named}: {problem.message}")
                           for problem in error.problems])
    renamed.written = error.written
    return renamed


def _build_on_lanes(todo: list[tuple[_Plan, IsoWeek]], lanes: int, built: dict[tuple[str, IsoWeek], BuildResult]) -> None:
    """Build the reports of `todo` into `built`, rendered in this process one after the other
    while their PDFs are laid out on `lanes` lanes of the PDF helper (threads that only wait on
    its pipes: all of sitrep's own work stays on this thread), each written once its PDF is
    back, in the order of `todo`; then raise the first one's error if any failed: as on a pool,
    every other one was built."""
    from concurrent.futures import ThreadPoolExecutor

    plans = list({id(plan): plan for plan, _ in todo}.values())
    progress = plans[0].progress
    for plan in plans:
        plan.progress = SILENT  # told of each report as it is written, below
    failed: tuple[_Plan, IsoWeek, SitrepError] | None = None
    try:
        with ThreadPoolExecutor(lanes, thread_name_prefix="sitrep-pdf-lane") as layouts:
            pending = []
            for plan, week in todo:
                try:
                    report = plan.render(week)
                except SitrepError as error:
                    failed = failed or (plan, week, error)
                    progress.advance(plan.subject(week), "not built")
                    continue
                pending.append((plan, report, layouts.submit(plan.lay_out, report) if "pdf" in plan.formats else None))
            for plan, report, laid_out in pending:
                try:
                    if laid_out is not None:
                        report.add_pdf(laid_out.result())
                except SitrepError as error:
                    failed = failed if failed and todo.index((failed[0], failed[1])) < todo.index((plan, report.week)) \
                        else (plan, report.week, error)
                    progress.advance(plan.subject(report.week), "not built")
                    continue
                built[plan.language, report.week] = plan.write(report)
                progress.advance(plan.subject(report.week), "built")
    finally:
        for plan in plans:
            plan.progress = progress
    if failed is not None:
        plan, week, error = failed
        raise _report_named(error, f"{week} ({plan.language})") if built else error


# Parallel builds: one pool of worker processes over every report of the run, a week in a
# language. They are forked from this one, so they share the loaded store, each language's plan
# and the imported libraries without pickling them (a forked process's initializer arguments
# are inherited, not pickled); each builds whole reports and writes their files. Only a worker
# process ever sets this: language -> its plan.
_WORKER_PLANS: dict[str, _Plan] = {}


def _build_in_parallel(plans: list[_Plan], todo: list[tuple[_Plan, IsoWeek]], jobs: int,
                       built: dict[tuple[str, IsoWeek], BuildResult]) -> None:
    """Build the reports of `todo` on `jobs` worker processes, into `built`; then raise the first
    one's error (in the order of `todo`) if any failed: every other one was built."""
    progress = plans[0].progress
    for plan in plans:
        plan.pdf_renderer = None  # a helper process is this one's: a worker lays its PDFs out itself
    if "pdf" in plans[0].formats:
        import weasyprint  # noqa: F401  (imported once here, inherited by every worker; slow, so only when needed)
    plans[0].install_assets()
    for plan in plans:  # the same folder for every language: installed once
        plan.assets = plans[0].assets
    # The loaded store is shared by the forked workers: frozen, the collector never scans it, so
    # a worker never copies its pages. Unfrozen after, so a library caller's heap is as it was.
    gc.freeze()
    try:
        # Unlike multiprocessing.Pool, the executor notices a worker that dies (killed, out of
        # memory) and says so, instead of waiting for it forever. Each report is told done here,
        # in the parent, as its worker finishes it.
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"), initializer=_start_worker,
                                 initargs=(os.getpid(), {plan.language: plan for plan in plans})) as pool:
            running = {pool.submit(_build_in_worker, (plan.language, week)): (plan, week) for plan, week in todo}
            outcomes = {}
            for done in as_completed(running):
                plan, week = running[done]
                outcomes[plan.language, week] = done.result()
                progress.advance(plan.subject(week), "not built" if isinstance(outcomes[plan.language, week], list)
                                 else "built")
    except BrokenProcessPool:
        raise SitrepError(Problem("sitrep build", 0, "a worker process building the reports died (killed, or out "
                                  "of memory); the reports it did not finish were left as they were",
                                  hint="run again, or with --jobs 1")) from None
    finally:
        gc.unfreeze()
    failed = None
    for plan, week in todo:
        outcome = outcomes[plan.language, week]
        if isinstance(outcome, list):  # the problems of a SitrepError, raised again here (the first report's)
            failed = failed or (plan, week, SitrepError(outcome))
        else:
            built[plan.language, week], plan.manifest[str(week)] = outcome
    if failed is not None:
        plan, week, error = failed
        raise _report_named(error, f"{week} ({plan.language})") if built else error


def _start_worker(parent_pid: int, plans: dict[str, _Plan]) -> None:
    # A worker waits on the pool's task queue, whose writing end every worker's fork keeps
    # open: killed outright, the parent would leave it (and the lock on the output folder,
    # shared since the fork) behind for good. (The pool forks its workers from this thread.)
    end_with_parent(parent_pid)
    # Ctrl+C is the parent's to handle (one "interrupted" message); workers end with the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for plan in plans.values():
        plan.progress = SILENT  # the parent tells of each report as it is done; a worker shows nothing
    _WORKER_PLANS.update(plans)


def _build_in_worker(report: tuple[str, IsoWeek]):
    language, week = report
    plan = _WORKER_PLANS[language]
    try:
        result = plan.build(week, force=True)
    except SitrepError as error:
        return error.problems
    result.context = None  # the context stays here; only what the parent needs goes back
    return result, plan.entry(week)
