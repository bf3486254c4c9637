"""A proposed save checked exactly as `sitrep check` would check it, before anything is written.

The library's own check (`sitrep.pipeline.check`, templates included, as the command runs it)
is run on a mirror of the workspace in a temporary folder, with the new text in place of the
file's. No second set of rules: a save that `check` would refuse is refused with its very
words, and a rule added to `check` reaches the editor by itself.

The mirror holds what a check reads and nothing else: config.yaml, the store folder, the
templates folder, the basemap's, logo's and fonts' files and the bulk imports folder. Each is
placed at its own absolute path under the temporary folder, so whatever relative paths
config.yaml holds ("../shared/facts") resolve there as they do in the real workspace, and a
problem's file maps back to the real one by dropping the prefix. Links are copied as links,
never followed: the store loader refuses a linked file in the mirror as it does in the store.
The store holds restricted facts, so the mirror's folder is the user's alone (mkdtemp: 0700),
and it is removed when the editor stops.

What it costs, on the example store (6 files) and the shared 2-core machine: the first check of
a session, on a mirror made from nothing and without a store cache, 0.11 s when the machine was
quiet and 0.7 s under a load average of 13; each later one, where one file changed and the mirror's
store cache knows the others, 0.01 s quiet and 0.1 s (median of 10) under that load. The form's
check as you type and the check of a save are both this later kind.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from pathlib import Path

from sitrep.errors import Problem, SitrepError, display_path
from sitrep.source.cache import CACHE_DIR
from sitrep.source.config import load_config

BULK_DIR = "bulk"


class SaveChecker:
    """Checks proposed saves for one workspace. Keeps its mirror between checks (one at a time:
    the mirror is shared), and removes it on close()."""

    def __init__(self, config_path: Path | str):
        self.config_path = Path(config_path).absolute()
        self._folder: tempfile.TemporaryDirectory | None = None
        self._lock = threading.Lock()

    def check(self, file: Path | str | None = None, new_text: str | None = None) -> list[Problem]:
        """Every problem (errors and warnings) `sitrep check` would print if `file` held `new_text`,
        each naming the real file; with no file, the workspace as it is."""
        from sitrep.pipeline import check as run_check

        with self._lock:
            if self._folder is None:
                self._folder = tempfile.TemporaryDirectory(prefix="sitrep-edit-check-")
            root = Path(self._folder.name)
            try:
                config = load_config(self.config_path)
            except SitrepError as error:  # config.yaml itself is broken: its own words
                return list(error.problems)
            mirrored = _mirror(config, root)
            if file is not None and new_text is not None:
                target = _inside(root, Path(file).absolute())
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(new_text, encoding="utf-8")
            try:
                workspace = run_check(mirrored, templates=True)
                problems = list(workspace.warnings)
            except SitrepError as error:
                problems = list(error.problems)
            return [_unmirrored(problem, root) for problem in problems]

    def close(self) -> None:
        with self._lock:
            if self._folder is not None:
                self._folder.cleanup()
                self._folder = None


def check_save(config_path: Path | str, file: Path | str, new_text: str) -> list[Problem]:
    """The problems `sitrep check` would report if `file` (a store file) held `new_text`: errors
    refuse the save, warnings are shown. A mirror of its own, removed after."""
    checker = SaveChecker(config_path)
    try:
        return checker.check(file, new_text)
    finally:
        checker.close()


def errors_of(problems: list[Problem]) -> list[Problem]:
    return [problem for problem in problems if problem.severity == "error"]


def problems_by_field(problems: list[Problem], file: Path | str, new_text: str,
                      entry: tuple[str, str] | None = None) -> tuple[dict[str, list[str]], list[str]]:
    """The problems of `file` placed at the form field their line holds ("cited.0.source" ->
    messages, as `sitrep check` words them), and the rest (other files, lines outside any
    field) as whole lines. With `entry` (kind, id): the form of that entry, so only its own
    problems go to fields, and of the rest only the errors (which refuse a save, wherever they
    are) and the warnings of its file outside any entry are kept: the desk lists the others."""
    from sitrep.edit import yamledit

    shown = display_path(Path(file))
    at_field: dict[str, list[str]] = {}
    elsewhere: list[str] = []
    for problem in problems:
        where = yamledit.field_at_line(new_text, problem.line) if problem.file == shown and problem.line else None
        ours = where is not None and (entry is None or (where[0], where[1]) == tuple(entry))
        if ours and where[2]:
            at_field.setdefault(".".join(str(part) for part in where[2]), []).append(str(problem))
        elif entry is None or ours or problem.severity == "error" or (problem.file == shown and where is None):
            elsewhere.append(str(problem))
    return at_field, elsewhere


def _inside(root: Path, path: Path) -> Path:
    """`path` (absolute) as the mirror under `root` holds it."""
    return root / path.relative_to(path.anchor)


def _mirror(config, root: Path) -> Path:
    """Bring the mirror under `root` up to date with what a check of `config` reads (a file gone
    from the workspace is gone from the mirror; an unchanged one is not copied again, and the
    store cache, kept in the mirror's workspace, still knows it); returns the mirrored config.yaml."""
    workspace = config.workspace
    folders = [config.store_dir, workspace / BULK_DIR]
    if config.templates_dir is not None:
        folders.append(config.templates_dir)
    files = [config.path, *config.attachment_paths]
    if config.logo_path is not None:
        files.append(config.logo_path)
    files += [config.font_path(font) for font in config.model.theme.fonts.files]
    files += [(workspace / layer.file).resolve() for layer in config.model.basemap]
    for folder in folders:
        if folder.is_dir() and not folder.is_symlink():
            _sync(folder, _inside(root, folder))
        elif _inside(root, folder).exists():
            shutil.rmtree(_inside(root, folder))
    for path in files:
        if path.is_file():
            _sync(path, _inside(root, path))
    return _inside(root, config.path)


def _sync(source: Path, target: Path) -> None:
    """`target` made a copy of `source` (a file, or a folder with links copied as links), copying
    only what differs by size or modification time: the bulk imports can be large, and most
    checks follow one that copied them. The file a check wrote its new text into differs (its
    time is the write's), so the next check copies it back."""
    if source.is_symlink() or not source.is_dir():
        same = (target.is_symlink() == source.is_symlink() and target.exists()
                and _signature(source) == _signature(target))
        if not same:
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            elif target.exists() or target.is_symlink():
                target.unlink()
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target, follow_symlinks=False)
        return
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        target.unlink()
    target.mkdir(parents=True, exist_ok=True)
    names = {child.name for child in source.iterdir()}
    for child in target.iterdir():
        if child.name not in names and child.name != CACHE_DIR:
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
    for name in names:
        _sync(source / name, target / name)


def _signature(path: Path) -> tuple:
    info = path.lstat()
    return info.st_size, info.st_mtime_ns, os.readlink(path) if path.is_symlink() else ""


def _unmirrored(problem: Problem, root: Path) -> Problem:
    """`problem` naming the real file, as `sitrep check` run here names it."""
    shown = str(root)
    if not problem.file.startswith(shown):
        return problem
    real = Path("/") / Path(problem.file).relative_to(root)
    return Problem(display_path(real), problem.line, problem.message.replace(shown, ""), problem.expected,
                   problem.severity, problem.entry_id, problem.hint)
