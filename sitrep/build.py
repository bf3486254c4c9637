"""Build a week's report end to end: config ► store ► report ► render ► pdf ► output.

This is the library's front door; the CLI is a thin shell over `check` and `build_week`.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from .config import Config, load_config
from .dates import IsoWeek
from .errors import ConfigError, Problem, display_path
from .output import copy_if_changed, write_outputs
from .render import builtin_templates_dir, render_for
from .report import ReportContext, build_context, resolve_week
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
    context: ReportContext
    files: dict[str, Path] = field(default_factory=dict)  # format -> path written
    seconds: float = 0.0
    warnings: list[Problem] = field(default_factory=list)


def check(config_path: Path | str = "config.yaml") -> CheckResult:
    """Load and validate the config and the store; raises SitrepError listing every problem."""
    config = load_config(config_path)
    store = load_store(config.store_dir, shown_root=display_path(config.store_dir))
    return CheckResult(config, store)


def output_paths(config: Config, week: IsoWeek) -> dict[str, Path]:
    folder = config.output_dir / str(week)
    stem = f"{config.file_stem}-{week}"
    return {"html": folder / f"{stem}.html", "pdf": folder / f"{stem}.pdf"}


def build_week(config_path: Path | str = "config.yaml", week: str | None = None,
               formats: tuple[str, ...] = ("html", "pdf"), edition: str | None = None) -> BuildResult:
    """Build one week's report. Nothing is written unless every stage succeeded."""
    started = time.perf_counter()
    checked = check(config_path)
    config, store = checked.config, checked.store
    edition = edition or config.edition
    iso_week = resolve_week(store, week, edition)
    context = build_context(store, config, iso_week, edition)
    # config.yaml's templates folder and theme; `workspace` lets a user template link a workspace file.
    html = render_for(config, context, assets_url=f"../{ASSETS_DIR}",
                      workspace_url=Path(os.path.relpath(config.workspace, config.output_dir / str(iso_week))).as_posix())
    if config.output_dir.exists() and not config.output_dir.is_dir():
        raise ConfigError(config.problem("output", f"output: '{config.model.output}' is a file, not a folder",
                                         expected="a folder for the reports (it is created if missing)"))
    paths = output_paths(config, iso_week)
    # The fonts both formats use go in place first (each copied atomically, shared by every week).
    assets = _install_assets(config)
    outputs: dict[Path, bytes | str] = {}
    if "html" in formats:
        outputs[paths["html"]] = html
    if "pdf" in formats:
        from .pdf import render_pdf

        outputs[paths["pdf"]] = render_pdf(html, base_dir=paths["pdf"].parent,
                                           allowed_roots=[config.workspace, assets, builtin_templates_dir()])
    write_outputs(outputs)
    result = BuildResult(iso_week, context, {fmt: paths[fmt] for fmt in formats}, warnings=store.warnings)
    result.seconds = time.perf_counter() - started
    return result


def _install_assets(config: Config) -> Path:
    target = config.output_dir / ASSETS_DIR
    fonts = builtin_templates_dir() / "fonts"
    for name in FONT_FILES:
        copy_if_changed(fonts / name, target / "fonts" / name)
    install_theme_assets(config, target)  # the theme's logo and font files, in assets/theme/
    return target
