"""The pipeline: the one place where the stages are chained.

    config ► store (check) ► report (context) ► render (HTML) ► references (policy) ► pdf

A `Workspace` is a workspace loaded and checked: its config and its store. `render_week` turns
one week into its HTML, laid out as a `Layout` says (output/<week>/ for a build, URLs of its
own for `sitrep serve`), with its references judged by the one policy; `pdf` lays that HTML
out. `sitrep build` (build.py), `sitrep serve`, `sitrep templates context` all go through it,
so the preview is the build and a new stage or asset is added here once.

Nothing here forks, freezes the garbage collector or ends the process: the command line passes
such one-shot tricks in (`freeze_store`, a PDF renderer of its own).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from sitrep.errors import Problem, StoreError, TemplateProblem, display_path, problem_order
from sitrep.report.series import Series, resolve_week, series_of
from sitrep.source.areafiles import area_file_problems
from sitrep.source.cache import CACHE_DIR
from sitrep.source.config import Config, load_config
from sitrep.source.dates import IsoWeek
from sitrep.source.bulk import BulkStore, attach as attach_bulk
from sitrep.source.store import load_store
from sitrep.source.untranslated import translation_warnings

# What only rendering needs (Jinja, the HTML parser, WeasyPrint's fetcher, the report's context,
# the output folder's layout) is imported inside the methods that render: `sitrep check`,
# `weeks` and `trace` load a Workspace and its series without loading any of it
# (tests/commands/test_light_commands.py).
if TYPE_CHECKING:
    from sitrep.render.references import ReferencePolicy
    from sitrep.render.templates import RenderedHtml
    from sitrep.publish.archive import ArchiveEntry, LanguageArchive
    from sitrep.report.context import EditionLink, ReportContext
    from sitrep.source.entries import Store

FONT_FILES = ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoSans-Italic.ttf", "NotoSans-BoldItalic.ttf",
              "NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf", "NotoNaskhArabic-Regular.ttf",
              "NotoNaskhArabic-Bold.ttf", "OFL.txt")

# render_pdf's signature: (html, *, base_dir, allowed_roots, withheld_roots, variant, retarget)
PdfRenderer = Callable[..., bytes]


@dataclass(frozen=True)
class Layout:
    """Where a rendered report is read from, and how it names the files it uses."""

    week_dir: Path  # the folder the HTML is read from: relative references resolve against it
    assets_dir: Path  # the fonts and theme files
    assets_url: str  # {{ assets }}: assets_dir as the report names it
    workspace_url: str  # {{ workspace }}: the workspace folder as the report names it
    mounts: dict[str, Path] = field(default_factory=dict)  # URL paths that stand for folders (serve)

    @classmethod
    def in_folder(cls, config: Config, week_dir: Path, assets_dir: Path) -> Layout:
        """A report file in `week_dir`, naming everything by relative URLs."""
        return cls(week_dir, assets_dir, _relative_url(assets_dir, week_dir), _relative_url(config.workspace, week_dir))

    @classmethod
    def output(cls, config: Config, week: IsoWeek) -> Layout:
        """output/<week>/, with the fonts in output/assets/: what `sitrep build` writes."""
        from sitrep.publish.layout import assets_folder, week_folder

        return cls.in_folder(config, week_folder(config, week), assets_folder(config))

    @classmethod
    def served(cls, config: Config, week: IsoWeek, assets_url: str, workspace_url: str) -> Layout:
        """The page `sitrep serve` answers: the build's layout, its folders named by the server's URLs."""
        built = cls.output(config, week)
        return cls(built.week_dir, built.assets_dir, assets_url, workspace_url,
                   {assets_url: built.assets_dir, workspace_url: config.workspace})


@dataclass
class RenderedWeek:
    """One week's report as HTML, with everything needed to write it or lay it out as PDF."""

    week: IsoWeek
    edition: str
    language: str
    context: ReportContext
    html: RenderedHtml
    layout: Layout
    policy: ReferencePolicy


class Workspace:
    """A checked workspace: config.yaml and the store it names, loaded and validated."""

    def __init__(self, config: Config, store: Store):
        self.config = config
        self.store = store

    @property
    def as_of(self) -> dt.date:
        """The day this run is as of: no date after it, no report of a week not ended by it."""
        return self.store.as_of

    @classmethod
    def load(cls, config_path: Path | str = "config.yaml", *, freeze_store: bool = False,
             imported: bool = True, as_of: dt.date | None = None) -> Workspace:
        """Load and validate the config and the store; raises SitrepError listing every problem.
        `as_of`: the day the run is as of (default: today, read once): a date after it is an
        error, and a report is made only of a week that ended before it. `freeze_store`: for a process that ends after this run, keep the loaded store out of
        every later garbage collection (see yamlsource.gc_paused). `imported=False`: without
        the rows `sitrep import` brought (the import itself, which may be mending them)."""
        config = load_config(config_path)
        store = load_store(config.store_dir, shown_root=display_path(config.store_dir),
                           cache_dir=config.workspace / CACHE_DIR,  # the workspace's, whatever the store's path
                           freeze=freeze_store, today=as_of or dt.date.today())
        # What the editions config.yaml asks for lack in translation: warnings, not errors (the
        # original prints, marked), and they depend on the config, so they are not cached with the
        # store; so are config.yaml's own (an invisible character in its title).
        store.warnings = sorted([*store.warnings, *translation_warnings(store, config), *config.warnings],
                                key=problem_order)
        problems = area_file_problems(store)  # files areas name: read on every load, never cached
        if problems:
            raise StoreError(problems)
        bulk = BulkStore.open(config.workspace) if imported else None
        if bulk is not None:  # after the checks: imported rows were checked as they were imported
            attach_bulk(store, bulk)
        return cls(config, store)

    @property
    def warnings(self) -> list[Problem]:
        return self.store.warnings

    def edition(self, edition: str | None) -> str:
        return edition or self.config.edition

    def series(self, edition: str) -> Series:
        """The edition's series of reports, as config.yaml's `series:` defines it."""
        return series_of(self.store, self.config.series, edition, self.as_of)

    def weeks(self, edition: str) -> list[IsoWeek]:
        """The series: the week of every report this edition issues, in order."""
        return self.series(edition).reports

    def resolve(self, week: str | IsoWeek | None, edition: str) -> IsoWeek:
        """The week asked for (default: the latest); raises PeriodError for one with no report."""
        return resolve_week(self.series(edition), self.store, week if week is None else str(week))

    def language(self, language: str | None) -> str:
        """The edition's language: the one asked for (one config.yaml lists; raises ConfigError
        otherwise), else config.yaml's `language`."""
        return self.config.edition_languages(language)[0] if language else self.config.language

    def context(self, week: IsoWeek, edition: str, language: str | None = None) -> ReportContext:
        from sitrep.report.builder import build_context

        language = self.language(language)
        context = build_context(self.store, self.config, week, edition, language, as_of=self.as_of)
        context.editions = self.edition_links(week, edition, language)
        return context

    def edition_links(self, week: IsoWeek, edition: str, language: str) -> list[EditionLink]:
        """The week's report in each language config.yaml lists (none when it lists one)."""
        if len(self.config.languages) < 2:
            return []
        from sitrep.language import language_name
        from sitrep.publish.layout import report_files
        from sitrep.report.context import EditionLink

        return [EditionLink(tag, language_name(tag), report_files(self.config, week, edition, tag)["html"].name,
                            tag == language) for tag in self.config.languages]

    def render_week(self, week: IsoWeek, edition: str, layout: Layout | None = None,
                    language: str | None = None) -> RenderedWeek:
        """The week's report as HTML laid out as `layout` says (default: output/<week>/), its
        references judged by the one policy; raises TemplateProblem before anything is written."""
        from sitrep.render.references import check_references, policy_for
        from sitrep.render.templates import render_for

        layout = layout or Layout.output(self.config, week)
        language = self.language(language)
        context = self.context(week, edition, language)
        html = render_for(self.config, context, assets_url=layout.assets_url, workspace_url=layout.workspace_url)
        policy = policy_for(self.config, layout.week_dir, edition, layout.assets_dir, mounts=layout.mounts)
        html = check_references(html, policy)  # the parser's serialisation, with the policy: what is written
        return RenderedWeek(week, edition, language, context, html, layout, policy)

    def standalone(self, rendered: RenderedWeek) -> str:
        """The rendered week as one HTML file that travels: its fonts (cut down to what it
        uses), theme files and images written into it (render/singlefile.py)."""
        from sitrep.render.htmltree import reserialised
        from sitrep.render.singlefile import self_contained
        from sitrep.source.cache import user_cache_dir

        text = self_contained(rendered.html.text, rendered.layout.week_dir, rendered.policy.readable,
                              user_cache_dir() / "fonts", withheld=rendered.policy.withheld)
        return reserialised(text)  # files written in as data: URLs; the file is still the parser's serialisation

    def pdf(self, rendered: RenderedWeek, renderer: PdfRenderer | None = None, variant: str | None = None) -> bytes:
        """The rendered week as PDF bytes, reading only what its policy allows: tagged PDF/UA-1
        unless `variant` (or config.yaml's `pdf_variant`) says otherwise. `renderer` defaults to
        WeasyPrint in this process (the CLI passes its prestarted helper's). Its links to the
        other editions go to their PDFs, relative to it, as its links to any file are."""
        from sitrep.publish.layout import report_files
        from sitrep.render.pdf import render_pdf

        retarget = {link.file: report_files(self.config, rendered.week, rendered.edition, link.language)["pdf"].name
                    for link in rendered.context.editions if not link.current}
        return (renderer or render_pdf)(rendered.html, base_dir=rendered.layout.week_dir,
                                        allowed_roots=rendered.policy.readable, withheld_roots=rendered.policy.withheld,
                                        variant=variant or self.config.pdf_variant, retarget=retarget)

    def render_index(self, entries: list[ArchiveEntry], edition: str, language: str | None = None) -> str:
        """output/index.html (index-internal.html, index-ar.html): every report of the series,
        newest first, in the edition's language, with links to the other languages' reports.
        The index travels with the reports: the same references are refused in it."""
        from sitrep.language import speaking
        from sitrep.publish.archive import ArchiveContext
        from sitrep.publish.layout import ASSETS_DIR, assets_folder
        from sitrep.render.references import check_references, policy_for
        from sitrep.render.templates import render_index_for
        from sitrep.report.translation import Translator

        config = self.config
        language = self.language(language)
        spoken = config.edition_language(language)
        with speaking(spoken):
            translator = Translator(spoken, config.store_language)
            archive = ArchiveContext(translator.text(config.title), translator.text(config.crisis),
                                     translator.text(config.organisation.name), edition, language, spoken.direction,
                                     sorted(entries, key=lambda e: e.number, reverse=True),
                                     [self.language_archive(edition, tag) for tag in config.languages if tag != language])
            html = render_index_for(config, archive, ASSETS_DIR)
        return check_references(html, policy_for(config, config.output_dir, edition, assets_folder(config))).text

    def language_archive(self, edition: str, language: str) -> LanguageArchive:
        """What the index links to in another language: its own index, and the reports built."""
        from sitrep.language import language_name
        from sitrep.publish.archive import LanguageArchive, load_manifest
        from sitrep.publish.layout import index_file, relative_to_output

        built = load_manifest(self.config, edition, language)
        return LanguageArchive(language, language_name(language),
                               relative_to_output(self.config, index_file(self.config, edition, language)),
                               {week: entry.files for week, entry in built.items()})

    def install_assets(self, folder: Path) -> Path:
        """The built-in fonts and the theme's files, in `folder` (each copied atomically, only
        when changed): what every report's {{ assets }} names."""
        from sitrep.output import copy_if_changed
        from sitrep.render.templates import builtin_templates_dir
        from sitrep.render.theme import install_theme_assets

        fonts = builtin_templates_dir() / "fonts"
        for name in FONT_FILES:
            copy_if_changed(fonts / name, folder / "fonts" / name)
        install_theme_assets(self.config, folder)  # the theme's logo and font files, in <folder>/theme/
        return folder


def check(config_path: Path | str = "config.yaml", *, templates: bool = False,
          as_of: dt.date | None = None) -> Workspace:
    """Load and validate the config and the store (`Workspace.load`) as of a day (default:
    today): a date after it is an error. With `templates`, also
    compile the workspace's own templates and those they name (render/templatecheck.py): the
    error then lists the store's problems and the templates' together."""
    if not templates:
        return Workspace.load(config_path, as_of=as_of)
    from sitrep.render.templatecheck import template_problems_of  # Jinja only for a folder of templates

    try:
        workspace = Workspace.load(config_path, as_of=as_of)
    except StoreError as error:  # the config was read: its templates can be checked too
        raise StoreError([*error.problems, *template_problems_of(load_config(config_path))]) from None
    problems = template_problems_of(workspace.config)
    if problems:
        raise TemplateProblem(problems)
    return workspace


def _relative_url(target: Path, start: Path) -> str:
    return Path(os.path.relpath(target, start)).as_posix()
