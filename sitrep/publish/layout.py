"""The layout of the output folder: every path sitrep writes there, named in one place.

    output/
      index.html                     the archive index of the public edition
      index-internal.html            ... of the internal edition (its owner's only)
      .sitrep-manifest.json          what was built, and from what (archive.py); -internal too
      .sitrep-lock                   held by the build that is running (lock.py)
      assets/fonts/, assets/theme/   the fonts and theme files every report uses
      <week>/<stem>-<week>.html      each week's report, and .pdf; an internal edition's
      <week>/<stem>-<week>-internal.html   names say so, so that it never overwrites the public one
      <week>/<stem>-<week>-ar.html   an edition in another language than config.yaml's `language`
      index-ar.html, .sitrep-manifest-ar.json    ... and its own archive index and record
"""

from __future__ import annotations

import os
from pathlib import Path

from sitrep.source.config import Config
from sitrep.source.dates import IsoWeek

ASSETS_DIR = "assets"
MANIFEST = ".sitrep-manifest"
LOCK_FILE = ".sitrep-lock"


def edition_suffix(edition: str, language: str | None = None, config: Config | None = None) -> str:
    """'-internal' for the internal edition; '-ar' for a language other than the config's own."""
    suffix = "-internal" if edition == "internal" else ""
    if language and config is not None and language != config.language:
        suffix += f"-{language}"
    return suffix


def week_folder(config: Config, week: IsoWeek) -> Path:
    return config.output_dir / str(week)


def assets_folder(config: Config) -> Path:
    return config.output_dir / ASSETS_DIR


def report_files(config: Config, week: IsoWeek, edition: str = "public", language: str | None = None) -> dict[str, Path]:
    """Format -> the week's report file of that format."""
    stem = f"{config.file_stem}-{week}{edition_suffix(edition, language, config)}"
    return {fmt: week_folder(config, week) / f"{stem}.{fmt}" for fmt in ("html", "pdf")}


def index_file(config: Config, edition: str, language: str | None = None) -> Path:
    return config.output_dir / f"index{edition_suffix(edition, language, config)}.html"


def manifest_file(config: Config, edition: str, language: str | None = None) -> Path:
    return config.output_dir / f"{MANIFEST}{edition_suffix(edition, language, config)}.json"


def lock_file(output_dir: Path) -> Path:
    return output_dir / LOCK_FILE


def relative_to_output(config: Config, path: Path) -> str:
    """A file's path as the manifest and the index name it: relative to the output folder."""
    return Path(os.path.relpath(path, config.output_dir)).as_posix()
