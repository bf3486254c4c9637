"""Build reports into output/: one week (`build_week`) or the whole series (`build_all`).

The library's front door; the CLI is a thin shell over it. The stages are chained by the
pipeline (`pipeline.Workspace`); this module decides which weeks to build (archive.py's
fingerprints), holds the workspace lock, writes the files and the archive index, and spreads
`build_all` over processes. Called from Python, neither function forks for one week or leaves
the caller's garbage collector changed, and neither prints: the command line passes its one-shot
tricks in (`freeze_store`, a prestarted `pdf_renderer`), and a `progress` that shows each report's
stage and how many of them are built (sitrep.progress; the default says nothing).
"""

from __future__ import annotations

import contextlib
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
from typing import Callable, Iterable, Iterator

from sitrep.errors import ConfigError, Problem, SitrepError, StoreError, display_path
from sitrep.language import LOCALE_DIR
from sitrep.output import write_outputs
from sitrep.pipeline import PdfRenderer, Workspace, check  # noqa: F401  (check: the library front door, sitrep.check)
from sitrep.processes import end_with_parent
from sitrep.progress import INDEXING, LAYING_OUT, LOADING, RENDERING, SILENT, WRITING, Progress
from sitrep.publish import archive
from sitrep.publish.layout import assets_folder, index_file, report_files
from sitrep.publish.lock import WorkspaceLock
from sitrep.render.templates import builtin_templates_dir
from sitrep.report.context import ReportContext
from sitrep.report.prose import refused_narrative
from sitrep.source.areafiles import area_files
from sitrep.source.config import Config, load_config
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
    is neither built nor indexed."""
    progress.stage(language or "", LOADING)
    with _checked_under_lock(config_path, on_wait, freeze_store, as_of) as workspace:
        plan = _Plan(workspace, edition, formats, language=language, pdf_variant=pdf_variant, progress=progress)
        if not plan.weeks:
            workspace.resolve(None, plan.edition)  # raises: the store holds no dated facts
        todo = [week for week in plan.weeks if force or not plan.is_current(week)]
        # Each report refuses what its edition must not print (report/prose.py); judged for every
        # week first, so that a series refused for one week writes none of its reports.
        refused = refused_narrative(workspace.store, plan.series, todo, plan.edition)
        if refused:
            raise StoreError(refused)
        jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
        built: dict[IsoWeek, BuildResult] = {}
        if todo:
            progress.start(len(todo), "reports to build", plan.language)
        try:
            with naming_the_written(built.values()):
                if jobs > 1 and len(todo) > 1:
                    built.update(_build_in_parallel(plan, todo, jobs))
                else:
                    for week in todo:
                        built[week] = plan.build(week, force=True)
                        progress.advance(plan.subject(week), "built")
        finally:
            progress.finish()
        results = [built.get(week) or plan.skipped(week) for week in plan.weeks]
        plan.finish(results)
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
        inputs = [builtin_templates_dir(), LOCALE_DIR, config.templates_dir, config.logo_path,
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
        started = time.perf_counter()
        self.progress.stage(self.subject(week), RENDERING)
        rendered = self.workspace.render_week(week, self.edition, language=self.language)
        context = rendered.context
        paths = report_files(self.config, week, self.edition, self.language)
        # The fonts the PDF uses go in place first (each copied atomically, shared by every week);
        # the HTML carries its own.
        self.install_assets()
        outputs: dict[Path, bytes | str] = {}
        if "html" in self.formats:
            outputs[paths["html"]] = self.workspace.standalone(rendered)  # one file that travels
        if "pdf" in self.formats:
            self.progress.stage(self.subject(week), LAYING_OUT)
            outputs[paths["pdf"]] = self.workspace.pdf(rendered, self.pdf_renderer, self.pdf_variant)
        self.progress.stage(self.subject(week), WRITING)
        write_outputs(outputs, private=self.private)
        self.record(week, context, {fmt: paths[fmt] for fmt in self.formats})
        return BuildResult(week, context, {fmt: paths[fmt] for fmt in self.formats},
                           seconds=time.perf_counter() - started, warnings=self.store.warnings,
                           number=context.number, period=context.period, edition=self.edition,
                           language=self.language)

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


# Parallel builds: worker processes are forked from this one, so they share the loaded store and
# the imported libraries without pickling them (a forked process's initializer arguments are
# inherited, not pickled); each builds whole weeks and writes its own files. Only a worker
# process ever sets this.
_WORKER_PLAN: _Plan | None = None


def _build_in_parallel(plan: _Plan, todo: list[IsoWeek], jobs: int) -> dict[IsoWeek, BuildResult]:
    if "pdf" in plan.formats:
        import weasyprint  # noqa: F401  (imported once here, inherited by every worker; slow, so only when needed)
    plan.install_assets()
    # The loaded store is shared by the forked workers: frozen, the collector never scans it, so
    # a worker never copies its pages. Unfrozen after, so a library caller's heap is as it was.
    gc.freeze()
    try:
        # Unlike multiprocessing.Pool, the executor notices a worker that dies (killed, out of
        # memory) and says so, instead of waiting for it forever. Each week is reported done here,
        # in the parent, as its worker finishes it.
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"),
                                 initializer=_start_worker, initargs=(os.getpid(), plan)) as pool:
            running = {pool.submit(_build_in_worker, week): week for week in todo}
            outcomes = {}
            for done in as_completed(running):
                week = running[done]
                outcomes[week] = done.result()
                plan.progress.advance(plan.subject(week), "not built" if isinstance(outcomes[week], list) else "built")
    except BrokenProcessPool:
        raise SitrepError(Problem("sitrep build", 0, "a worker process building the reports died (killed, or out "
                                  "of memory); the reports it did not finish were left as they were",
                                  hint="run again, or with --jobs 1")) from None
    finally:
        gc.unfreeze()
    built = {}
    for week in todo:
        outcome = outcomes[week]
        if isinstance(outcome, list):  # the problems of a SitrepError, raised again here (the first week's)
            failed = SitrepError(outcome)
            failed.written = [outcomes[other][0].named for other in todo if not isinstance(outcomes[other], list)]
            raise failed
        result, entry = outcome
        plan.manifest[str(week)] = entry
        built[week] = result
    return built


def _start_worker(parent_pid: int, plan: _Plan) -> None:
    global _WORKER_PLAN
    # A worker waits on the pool's task queue, whose writing end every worker's fork keeps
    # open: killed outright, the parent would leave it (and the lock on the output folder,
    # shared since the fork) behind for good. (The pool forks its workers from this thread.)
    end_with_parent(parent_pid)
    # Ctrl+C is the parent's to handle (one "interrupted" message); workers end with the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    plan.progress = SILENT  # the parent tells of each week as it is done; a worker shows nothing
    _WORKER_PLAN = plan


def _build_in_worker(week: IsoWeek):
    plan = _WORKER_PLAN
    try:
        result = plan.build(week, force=True)
    except SitrepError as error:
        return error.problems
    result.context = None  # the context stays here; only what the parent needs goes back
    return result, plan.entry(week)
