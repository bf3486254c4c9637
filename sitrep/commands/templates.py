"""`sitrep templates`: every template and where it is found, and a copy of a built-in to start from."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from sitrep.errors import Problem, TemplateProblem, did_you_mean, display_path
from sitrep.output import write_atomic
from sitrep.render.templates import TEMPLATE_SUFFIXES
from sitrep.source.config import builtin_templates_dir


@dataclasses.dataclass
class TemplateEntry:
    name: str  # as templates refer to it: 'sections/outlook.html'
    where: str  # 'user' (yours, used instead of the built-in), 'user, new' (no built-in of that name), 'built-in'
    path: Path  # the file that is used


def list_templates(user_dir: Path | None = None) -> list[TemplateEntry]:
    """Every template, built-in or the user's, with the file a build uses for it."""
    builtin = _builtin_files()
    user = _template_files(user_dir) if user_dir else {}
    entries = []
    for name in sorted(set(builtin) | set(user), key=_listing_order):
        if name in user:
            entries.append(TemplateEntry(name, "user" if name in builtin else "user, new", user[name]))
        else:
            entries.append(TemplateEntry(name, "built-in", builtin[name]))
    return entries


def builtin_template_names() -> list[str]:
    return sorted(_builtin_files(), key=_listing_order)


def resolve_builtin_name(name: str) -> str:
    """A built-in template's name from what the user typed: 'sections/outlook.html', or just
    'outlook' or 'report.css'. Raises TemplateProblem with the nearest name."""
    names = builtin_template_names()
    for candidate in (name, f"sections/{name}.html", f"{name}.html", f"sections/{name}"):
        if candidate in names:
            return candidate
    short = {n.removeprefix("sections/").removesuffix(".html"): n for n in names}
    near = did_you_mean(name, [*names, *short])
    for nickname, full in short.items():
        near = near.replace(f"'{nickname}'", f"'{full}'")
    raise TemplateProblem(Problem(name, 0, f"no built-in template named '{name}'",
                                  expected="a name that `sitrep templates` lists, such as sections/outlook.html",
                                  hint=near))


def copy_builtin_template(name: str, user_dir: Path, force: bool = False) -> Path:
    """Copy the built-in `name` into `user_dir` as a starting point; never overwrites a user's
    file unless `force`. Returns the new file."""
    name = resolve_builtin_name(name)
    target = user_dir / name
    source = builtin_templates_dir() / name
    if target.exists() and os.path.samefile(target, source):  # the folder (or a link in it) is the built-ins
        shown = f"{display_path(user_dir)}/{name}"  # as the user names it, not where a link leads
        raise TemplateProblem(Problem(shown, 0, "is the built-in template itself; it cannot be "
                                      "copied onto itself",
                                      expected="a templates folder of your own, not sitrep's built-in one",
                                      hint="name another folder in config.yaml's 'templates:', such as custom"))
    if target.exists() and not force:
        raise TemplateProblem(Problem(display_path(target), 0, "you already have this template",
                                      expected="a template you have not copied yet",
                                      hint="pass --force to replace it with the built-in (your changes are lost)"))
    write_atomic(target, source.read_bytes())
    return target


def _builtin_files() -> dict[str, Path]:
    """The built-in templates of the report: not `sitrep edit`'s pages (templates/editor/), which no
    report uses and a templates folder cannot replace."""
    return {name: path for name, path in _template_files(builtin_templates_dir()).items()
            if not name.startswith("editor/")}


def _template_files(folder: Path) -> dict[str, Path]:
    if not folder.is_dir():
        return {}
    return {path.relative_to(folder).as_posix(): path for path in folder.rglob("*")
            if path.is_file() and path.suffix in TEMPLATE_SUFFIXES
            and not any(part.startswith(".") for part in path.relative_to(folder).parts)}


def _listing_order(name: str) -> tuple:
    """The page first (base, report, stylesheet), then the sections, then anything else."""
    top = {"base.html": 0, "report.html": 1, "report.css": 2}
    return (top.get(name, 3 if name.startswith("sections/") else 4), name)
