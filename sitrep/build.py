"""Build a week's report end to end: config ► store ► report ► render ► pdf ► output.

This is the library's front door; the CLI is a thin shell over `check` and `build_week`.
"""

from __future__ import annotations

import contextlib
import gc
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from . import archive
from .cache import CACHE_DIR
from .config import Config, load_config
from .dates import IsoWeek
from .errors import ConfigError, Problem, SitrepError, display_path
from .lock import WorkspaceLock
from .output import copy_if_changed, write_outputs
from .pdf import render_pdf, take_helper
from .processes import end_with_parent
from .references import check_references, policy_for
from .render import builtin_templates_dir, render_for
from .report import ReportContext, available_weeks, build_context, resolve_week
from .store import Store, load_store
from .theme import install_theme_assets

ASSETS_DIR = "assets"  # beside the week folders in output/; fonts the HTML and PDF both use
FONT_FILES = ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoSans-Italic.ttf", "NotoSans-BoldItalic.ttf",
              "NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf", "OFL.txt")


@dataclass
class CheckResult:
    config: Config
    store: Store

    @property
    def warnings(self) -> list[Problem]:
        return self.store.warnings


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


def check(config_path: Path | str = "config.yaml") -> CheckResult:
    """Load and validate the config and the store; raises SitrepError listing every problem."""
    config = load_config(config_path)
    store = load_store(config.store_dir, shown_root=display_path(config.store_dir),
                       cache_dir=config.workspace / CACHE_DIR)  # the workspace's, whatever the store's path
    return CheckResult(config, store)


def output_paths(config: Config, week: IsoWeek, edition: str = "public") -> dict[str, Path]:
    """output/<week>/<stem>-<week>.html and .pdf; an internal edition's names say so, so that it
    can never be mistaken for (or overwrite) the public one."""
    folder = config.output_dir / str(week)
    stem = f"{config.file_stem}-{week}" + ("-internal" if edition == "internal" else "")
    return {"html": folder / f"{stem}.html", "pdf": folder / f"{stem}.pdf"}


def build_week(config_path: Path | str = "config.yaml", week: str | None = None,
               formats: tuple[str, ...] = ("html", "pdf"), edition: str | None = None,
               force: bool = False, on_wait: Callable[[str], None] | None = None) -> BuildResult:
    """Build one week's report (default: the latest). Nothing is written unless every stage
    succeeded; a week whose inputs have not changed since its last build is left as it is
    unless `force`. While another build of the same output folder runs, this one waits for it,
    and says so once through `on_wait`."""
    started = time.perf_counter()
    # The PDF helper imports WeasyPrint on another core while this process loads the store and
    # renders the HTML; left unused (and stopped) when the week turns out to be up to date.
    with (take_helper() if "pdf" in formats else contextlib.nullcontext() as helper,
          _checked_under_lock(config_path, on_wait) as checked):
        plan = _Plan(checked, edition, formats)
        plan.pdf_helper = helper
        result = plan.build(plan.weeks.index(resolve_week(plan.store, week, plan.edition)), force)
        plan.finish([result])
    result.seconds = time.perf_counter() - started
    return result


def build_all(config_path: Path | str = "config.yaml", *, formats: tuple[str, ...] = ("html", "pdf"),
              edition: str | None = None, force: bool = False, jobs: int | None = None,
              on_wait: Callable[[str], None] | None = None) -> list[BuildResult]:
    """Build every week of the series that changed (all of them with `force`), on `jobs`
    processes (default: one per core), then the archive index, output/index.html. While
    another build of the same output folder runs, this one waits for it (see `build_week`)."""
    with _checked_under_lock(config_path, on_wait) as checked:
        plan = _Plan(checked, edition, formats)
        if not plan.weeks:
            resolve_week(plan.store, None, plan.edition)  # raises: the store holds no dated facts
        positions = range(len(plan.weeks))
        todo = [i for i in positions if force or not plan.is_current(i)]
        jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
        built: dict[int, BuildResult] = {}
        if jobs > 1 and len(todo) > 1:
            built.update(_build_in_parallel(plan, todo, jobs))
        else:
            for i in todo:
                built[i] = plan.build(i, force=True)
        results = [built.get(i) or plan.skipped(i) for i in positions]
        plan.finish(results)
    return results


@contextlib.contextmanager
def _checked_under_lock(config_path: Path | str, on_wait: Callable[[str], None] | None) -> Iterator[CheckResult]:
    """The workspace, checked, while this build holds the lock on its output folder (lock.py).

    When another build held the lock, the config and store are checked again once it is
    released: that build may have been of another config.yaml, and this one must plan from
    what it finds then, not from what it read before waiting."""
    checked = check(config_path)
    while True:
        _refuse_an_output_folder_in_a_file(checked.config)
        lock = WorkspaceLock(checked.config.output_dir)
        try:
            if lock.acquire(on_wait):
                checked = check(config_path)
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

    def __init__(self, checked: CheckResult, edition: str | None, formats: tuple[str, ...]):
        self.config, self.store = checked.config, checked.store
        self.edition = edition or self.config.edition
        self.formats = formats
        config = self.config
        self.weeks = available_weeks(self.store, self.edition)
        self.fingerprints = archive.Fingerprints(config, self.store, self.weeks, self.edition, formats,
                                                 self.template_inputs())
        self.manifest = archive.load_manifest(config, self.edition)  # week -> what was built
        archive.remove_stale_temporaries(config.output_dir)
        self.assets: Path | None = None
        self.pdf_helper = None  # a pdf.PdfHelper for one-week builds

    def template_inputs(self) -> list[Path]:
        """Files and folders the look of a report depends on, besides the store and config."""
        config = self.config
        inputs = [builtin_templates_dir(), config.templates_dir, config.logo_path,
                  *(config.workspace / font.file for font in config.model.theme.fonts.files)]
        return [path for path in inputs if path is not None]

    @property
    def private(self) -> bool:
        """Whether this edition's files are for their owner's eyes only (the internal edition's
        restricted facts must not be readable by every account on the machine)."""
        return self.edition == "internal"

    def entry(self, position: int):
        return self.manifest.get(str(self.weeks[position]))

    def is_current(self, position: int) -> bool:
        return archive.is_current(self.config, self.entry(position), self.fingerprints.of(position), self.formats,
                                  private=self.private)

    def skipped(self, position: int) -> BuildResult:
        week, entry = self.weeks[position], self.entry(position)
        paths = output_paths(self.config, week, self.edition)
        return BuildResult(week, None, {fmt: paths[fmt] for fmt in self.formats}, warnings=self.store.warnings,
                           skipped=True, number=entry.number, period=entry.period, edition=self.edition)

    def build(self, position: int, force: bool) -> BuildResult:
        if not force and self.is_current(position):
            return self.skipped(position)
        started = time.perf_counter()
        config, week = self.config, self.weeks[position]
        context = build_context(self.store, config, week, self.edition)
        # config.yaml's templates folder and theme; `workspace` lets a user template link a workspace file.
        week_dir = config.output_dir / str(week)
        rendered = render_for(config, context, assets_url=f"../{ASSETS_DIR}",
                              workspace_url=Path(os.path.relpath(config.workspace, week_dir)).as_posix())
        # Both formats refer to the same files, refused by one policy before anything is written.
        policy = policy_for(config, week_dir, self.edition, config.output_dir / ASSETS_DIR)
        check_references(rendered, policy)
        html = rendered.text
        paths = output_paths(config, week, self.edition)
        # The fonts both formats use go in place first (each copied atomically, shared by every week).
        self.assets = self.assets or _install_assets(config)
        outputs: dict[Path, bytes | str] = {}
        if "html" in self.formats:
            outputs[paths["html"]] = html
        if "pdf" in self.formats:
            render = self.pdf_helper.render if self.pdf_helper else render_pdf
            outputs[paths["pdf"]] = render(rendered, base_dir=week_dir, allowed_roots=policy.readable,
                                           withheld_roots=policy.withheld)
        write_outputs(outputs, private=self.private)
        self.record(position, context, {fmt: paths[fmt] for fmt in self.formats})
        return BuildResult(week, context, {fmt: paths[fmt] for fmt in self.formats},
                           seconds=time.perf_counter() - started, warnings=self.store.warnings,
                           number=context.number, period=context.period, edition=self.edition)

    def record(self, position: int, context: ReportContext, files: dict[str, Path]) -> None:
        self.manifest[context.week] = archive.entry_for(self.config, context, files, self.fingerprints.of(position))

    def finish(self, results: list[BuildResult]) -> None:
        """Save what was built and rewrite the archive index, when anything changed."""
        if all(r.skipped for r in results) and (self.config.output_dir / index_name(self.edition)).exists():
            return
        # Weeks that left the series (their facts were deleted) leave the index too.
        current = {str(w) for w in self.weeks}
        for week in [w for w in self.manifest if w not in current]:
            del self.manifest[week]
        archive.save_manifest(self.config, self.edition, self.manifest)
        write_outputs({self.config.output_dir / index_name(self.edition):
                       archive.render_index(self.config, list(self.manifest.values()), self.edition)},
                      private=self.private)


def index_name(edition: str) -> str:
    return "index.html" if edition == "public" else "index-internal.html"


# Parallel builds: worker processes are forked from this one, so they share the loaded store and
# the imported libraries without pickling them; each builds whole weeks and writes its own files.
_WORKER_PLAN: _Plan | None = None


def _build_in_parallel(plan: _Plan, todo: list[int], jobs: int) -> dict[int, BuildResult]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    global _WORKER_PLAN
    if "pdf" in plan.formats:
        import weasyprint  # noqa: F401  (imported once here, inherited by every worker)
    plan.assets = plan.assets or _install_assets(plan.config)
    _WORKER_PLAN = plan
    gc.freeze()  # the loaded store is shared by the forked workers: never scanned, never copied by the collector
    try:
        # Unlike multiprocessing.Pool, the executor notices a worker that dies (killed, out of
        # memory) and says so, instead of waiting for it forever.
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"),
                                 initializer=_start_worker, initargs=(os.getpid(),)) as pool:
            outcomes = list(pool.map(_build_in_worker, todo))
    except BrokenProcessPool:
        raise SitrepError(Problem("sitrep build", 0, "a worker process building the reports died (killed, or out "
                                  "of memory); the reports it did not finish were left as they were",
                                  hint="run again, or with --jobs 1")) from None
    finally:
        _WORKER_PLAN = None
    built = {}
    for position, outcome in zip(todo, outcomes):
        if isinstance(outcome, list):  # the problems of a SitrepError, raised again here
            raise SitrepError(outcome)
        result, entry = outcome
        plan.manifest[str(result.week)] = entry
        built[position] = result
    return built


def _start_worker(parent_pid: int) -> None:
    # A worker waits on the pool's task queue, whose writing end every worker's fork keeps
    # open: killed outright, the parent would leave it (and the lock on the output folder,
    # shared since the fork) behind for good. (The pool forks its workers from this thread.)
    end_with_parent(parent_pid)
    # Ctrl+C is the parent's to handle (one "interrupted" message); workers end with the pool.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _build_in_worker(position: int):
    plan = _WORKER_PLAN
    try:
        result = plan.build(position, force=True)
    except SitrepError as error:
        return error.problems
    result.context = None  # the context stays here; only what the parent needs goes back
    return result, plan.entry(position)


def _install_assets(config: Config) -> Path:
    target = config.output_dir / ASSETS_DIR
    fonts = builtin_templates_dir() / "fonts"
    for name in FONT_FILES:
        copy_if_changed(fonts / name, target / "fonts" / name)
    install_theme_assets(config, target)  # the theme's logo and font files, in assets/theme/
    return target
