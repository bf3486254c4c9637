"""What `sitrep check` asks of a workspace's own templates: each one compiles in the sandbox a
build renders with (templates.py), and every template it names by a fixed name (extends,
include, import) exists and compiles too, the built-ins it extends included. A mistake is
reported in the words and at the file and line a build would give, before any build runs.

Only what can be known without rendering is checked: a name made while rendering
(`include "sections/" ~ name ~ ".html"`), or an undefined field, shows up when the report is
built (or previewed with `sitrep serve`).

Jinja is imported only when the folder holds a template: `sitrep check` of a workspace that
uses the built-ins loads no template engine (tests/commands/test_light_commands.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sitrep.errors import Problem, SitrepError, display_path
from sitrep.source.config import TEMPLATE_SUFFIXES, Config

if TYPE_CHECKING:
    import jinja2
    from jinja2 import nodes


def template_problems_of(config: Config) -> list[Problem]:
    """Every problem found compiling the templates in config.yaml's `templates:` folder and the
    templates they name; none without such a folder."""
    folder = config.templates_dir
    if folder is None or not folder.is_dir():
        return []
    own = _own_templates(folder)
    if not own:
        return []
    import jinja2
    import jinja2.sandbox
    from jinja2 import nodes

    from sitrep.render.templates import make_environment, not_found
    from sitrep.source.cache import CACHE_DIR, TemplateBytecodeCache

    naming = (nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)  # tags that name another template
    env = make_environment(folder, TemplateBytecodeCache.open(config.workspace / CACHE_DIR))
    problems: list[Problem] = []
    compiled: set[str] = set()
    for path in own:
        tree = _compiled(env, path.relative_to(folder).as_posix(), problems, compiled)
        if tree is None:
            continue
        for tag in tree.find_all(naming):
            named = tag.template
            fixed = isinstance(named, nodes.Const) and isinstance(named.value, str)
            if not fixed or getattr(tag, "ignore_missing", False):
                continue  # a name made while rendering, or an include that may be missing
            try:
                env.loader.get_source(env, named.value)
            except jinja2.TemplateNotFound:
                problems.append(not_found(named.value, display_path(path), tag.lineno, env))
                continue
            except SitrepError as refused:  # a link out of the templates folder
                problems.extend(refused.problems)
                continue
            except jinja2.sandbox.SecurityError as refused:  # not a template file (templates.LOADABLE_SUFFIXES)
                problems.append(Problem(display_path(path), tag.lineno, f"not allowed in a template: {refused}",
                                        expected=getattr(refused, "expected", "")))
                continue
            _compiled(env, named.value, problems, compiled)
    return problems


def _own_templates(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.suffix in TEMPLATE_SUFFIXES and path.is_file())


def _compiled(env: jinja2.Environment, name: str, problems: list[Problem], compiled: set[str]) -> nodes.Template | None:
    """The template `name` parsed and compiled as a build would (its problems added to
    `problems`); None when it has a problem, or was compiled already."""
    from sitrep.render.templates import template_problems

    if name in compiled:
        return None
    compiled.add(name)
    try:
        with template_problems(env):
            source, filename, _ = env.loader.get_source(env, name)
            tree = env.parse(source, name, filename)
            env.get_template(name)
    except SitrepError as error:
        problems.extend(error.problems)
        return None
    return tree
