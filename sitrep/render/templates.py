"""The render stage: a `ReportContext` through Jinja templates into one HTML document.

Templates are looked up in the user's folder (config `templates:`) first, then the built-ins;
``{% extends "builtin:report.html" %}`` reaches the built-in of the same name. Autoescaping is
always on and undefined variables are errors, so fact text can never become markup or code
and a misspelt variable never prints as a silent blank. A template mistake is reported with
its file and line and a hint: the fields of the object, the variables or the filters there are.

Templates are code that a whole team shares through git, so they run in Jinja's immutable
sandbox: a template reaches the documented context, filters and globals, and nothing of
Python beneath them (no `__class__`, `__globals__`, `str.format` tricks, no mutating the
context, no gigabyte strings). Every chunk of output remembers the template file and line that
wrote it, so a refused URL in the HTML can be reported where it was written (`RenderedHtml`).
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import inspect
import os
import re
import sys
from pathlib import Path

import jinja2
import jinja2.compiler
import jinja2.ext  # noqa: F401  (the i18n extension: imported once here, not in every render's process)
import jinja2.sandbox

from sitrep import language
from sitrep.errors import Problem, TemplateProblem, did_you_mean, display_path
from sitrep.render.bidi import isolate_text, shifted
from sitrep.render.budget import Budget, OutOfTime, over_budget, within_budget
from sitrep.render.sandbox import SandboxedEnvironment, bounded_filters
from sitrep.render.filters import SITREP_FILTERS, plain_text  # noqa: F401  (plain_text: imported from here too)
from sitrep.render.theme import Theme, default_theme, theme_for
from sitrep.report.citations import renumber
from sitrep.report.context import ReportContext
from sitrep.source.cache import CACHE_DIR, TemplateBytecodeCache
from sitrep.source.config import (  # defined there: config.yaml's `templates:` may not name it
    TEMPLATE_SUFFIXES,
    Config,
    builtin_templates_dir,
)

ENTRY_TEMPLATE = "report.html"
INDEX_TEMPLATE = "index.html"
BUILTIN_PREFIX = "builtin"
# What include, import and extends may read: template files, never a store file, a bulk import
# or a key that happens to sit beside the templates (docs/templates.md, 'Your own templates').
LOADABLE_SUFFIXES = (".html", ".css", ".svg", ".j2", ".jinja")
CONTEXT_HINT = "`sitrep templates context` lists every variable and field"


class _Undefined(jinja2.StrictUndefined):
    """StrictUndefined whose error carries the undefined value (the object it was looked up
    on, and the name), so the error's hint can list what *is* there."""

    __slots__ = ()

    def _fail_with_undefined_error(self, *args, **kwargs):
        error = self._undefined_exception(self._undefined_message)
        error.sitrep_undefined = self
        raise error


# StrictUndefined makes printing, iterating, comparing... fail by aliasing them to the base
# class's method; point each alias at ours.
for _name in dir(jinja2.StrictUndefined):
    if getattr(jinja2.StrictUndefined, _name) is jinja2.Undefined._fail_with_undefined_error:
        setattr(_Undefined, _name, _Undefined._fail_with_undefined_error)


# Jinja's globals a template may use (docs/templates.md, 'Templates'); `lipsum` has no place in a report.
TEMPLATE_GLOBALS = ("range", "dict", "namespace", "cycler", "joiner")
class _CodeGenerator(jinja2.compiler.CodeGenerator):
    """Jinja's compiler, marking the line on which each run of a template's text begins. Jinja
    marks the lines of tags and expressions only, so the text after a tag was traced to the
    tag's line: a refused <img> on the line after `{% block content %}` was reported one line up."""

    format = 2  # part of the compiled templates' cache checksum (source/cache.py): bump on any change here

    def visit_Output(self, node, frame):
        if node.nodes:
            self.newline(node.nodes[0])
        super().visit_Output(node, frame)


class _WorkspaceFileLoader(jinja2.FileSystemLoader):
    """A templates folder whose files must really be inside it: a template that is a symlink
    to a file elsewhere (committed to git, say, as a link to ~/.ssh/id_rsa) is not loaded."""

    def get_source(self, environment, template):
        source, filename, uptodate = super().get_source(environment, template)
        if not any(Path(filename).resolve().is_relative_to(Path(root).resolve()) for root in self.searchpath):
            # Not TemplateNotFound: the built-in of the same name would then be used in silence.
            shown = f"{display_path(Path(filename).parent)}/{Path(filename).name}"  # the link, not where it leads
            raise TemplateProblem(Problem(shown, 0, "this template is a link to a file outside "
                                          "the templates folder, and is not read",
                                          expected="a template file inside your templates folder"))
        return source, filename, uptodate


class _TemplateFilesLoader(jinja2.ChoiceLoader):
    """The loaders, reading only files whose names end as templates' do (LOADABLE_SUFFIXES)."""

    def get_source(self, environment, template):
        _refuse_non_template(template)
        return super().get_source(environment, template)

    def load(self, environment, name, globals=None):
        _refuse_non_template(name)
        return super().load(environment, name, globals)


class NotATemplate(jinja2.sandbox.SecurityError):  # reported at the include, import or extends
    expected = f"a template file, its name ending in {', '.join(LOADABLE_SUFFIXES)}"


def _refuse_non_template(name: str) -> None:
    if not name.lower().endswith(LOADABLE_SUFFIXES):
        raise NotATemplate(f"'{name}' is not a template file, and is not read")


def make_environment(user_dir: Path | None = None,
                     bytecode_cache: jinja2.BytecodeCache | None = None) -> jinja2.Environment:
    builtin = jinja2.FileSystemLoader(builtin_templates_dir())
    search = [_WorkspaceFileLoader(user_dir)] if user_dir else []
    loader = _TemplateFilesLoader([jinja2.PrefixLoader({BUILTIN_PREFIX: builtin}, delimiter=":"), *search, builtin])
    env = SandboxedEnvironment(
        loader=loader,
        autoescape=True,  # every template is HTML; select_autoescape misses names like *.html.j2
        undefined=_Undefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=bytecode_cache,  # compiled templates kept between runs (sitrep.source.cache)
        extensions=["jinja2.ext.i18n"],  # {% trans %} and _() through sitrep's message catalogues
    )
    env.code_generator_class = _CodeGenerator
    env.globals = {name: env.globals[name] for name in TEMPLATE_GLOBALS}
    # The active edition's language (sitrep.language.speaking): one environment serves every language.
    env.install_gettext_callables(language.gettext, language.ngettext, newstyle=True, pgettext=language.pgettext,
                                  npgettext=language.npgettext)
    env.globals["_"] = env.globals["gettext"]  # the extension's alias went with Jinja's other globals
    env.filters.update(bounded_filters(env.filters))
    env.filters.update(SITREP_FILTERS)
    return env


@dataclasses.dataclass
class RenderedHtml:
    """A rendered document, and the template file and line that wrote each part of it."""

    text: str
    starts: list[int]  # where each chunk of output begins in `text`
    origins: list[tuple[str, int]]  # (template file, line) of each chunk

    def origin_at(self, offset: int) -> tuple[str, int]:
        """The template file (as shown to the user) and line that wrote `text[offset]`."""
        i = bisect.bisect_right(self.starts, offset) - 1
        if i < 0:
            return "templates", 0
        filename, line = self.origins[i]
        # A chunk of template text spans lines: count the ones before `offset`.
        return _shown(filename), line + self.text.count("\n", self.starts[i], offset)


def render_html(context: ReportContext, *, user_dir: Path | None = None, assets_url: str = "../assets",
                theme: Theme | None = None, workspace_url: str = "../..",
                bytecode_cache: jinja2.BytecodeCache | None = None) -> str:
    """The report as one HTML document (its CSS inlined; fonts and theme files under `assets_url`).

    Templates receive `report` (the context), `theme`, `assets` and `workspace` (the URL of the
    workspace folder as seen from the report, for files a user template refers to)."""
    return render_document(context, user_dir=user_dir, assets_url=assets_url, theme=theme,
                           workspace_url=workspace_url, bytecode_cache=bytecode_cache).text


def render_document(context: ReportContext, *, user_dir: Path | None = None, assets_url: str = "../assets",
                    theme: Theme | None = None, workspace_url: str = "../..",
                    bytecode_cache: jinja2.BytecodeCache | None = None) -> RenderedHtml:
    """`render_html`, keeping where each part of the document was written. Rendered in the
    context's language (its messages, numbers and dates); right to left when it is."""
    return _render_numbered(context, user_dir=user_dir, assets_url=assets_url, theme=theme,
                            workspace_url=workspace_url, bytecode_cache=bytecode_cache)[0]


def _render_numbered(context: ReportContext, *, user_dir, assets_url, theme, workspace_url,
                     bytecode_cache) -> tuple[RenderedHtml, list[int] | None]:
    """`render_document`, and the order its citations were renumbered in (None if they were not)."""
    env = make_environment(user_dir, bytecode_cache)
    variables = {"report": context, "theme": theme or default_theme(assets_url), "assets": assets_url,
                 "workspace": workspace_url}
    with template_problems(env), language.speaking(context.settings):
        template = env.get_template(ENTRY_TEMPLATE)
        rendered = render_tracked(template, variables)
        # Citations read 1, 2, 3 down the page as printed. The report stage numbers them in the
        # built-in templates' order; a template of the user's may print in another, or leave
        # some out: then they are renumbered as this HTML prints them, and it is rendered again.
        order = citation_order(rendered.text)
        if order and (order != sorted(order) or len(order) != len(context.sources)):
            renumber(context, order)
            rendered = render_tracked(template, variables)
        else:
            order = None
    return (isolated(rendered) if context.direction == "rtl" else rendered), order


def isolated(rendered: RenderedHtml) -> RenderedHtml:
    """A right-to-left document with its Latin runs isolated (render/bidi.py), each part still
    traced to the template line that wrote it."""
    text, inserted = isolate_text(rendered.text)
    return RenderedHtml(text, shifted(rendered.starts, inserted), rendered.origins)


_CITATION_LINK = re.compile(r'href="#source-(\d+)"')


def citation_order(html: str) -> list[int]:
    """The citation numbers in the order the HTML first links each to the sources list."""
    return list(dict.fromkeys(int(n) for n in _CITATION_LINK.findall(html)))


@contextlib.contextmanager
def template_problems(env: jinja2.Environment):
    """Turn whatever a template can do wrong, the sandbox's refusals included, into a
    TemplateProblem naming its file and line."""
    try:
        yield
    except jinja2.TemplateSyntaxError as exc:
        message = str(exc.message)
        what = _unknown_name(message) or f"template syntax error: {message}"
        raise TemplateProblem(Problem(_shown(exc.filename or exc.name), exc.lineno or 0, what,
                                      hint=_name_hint(message, env))) from None
    except jinja2.TemplateNotFound as exc:
        file, line, _ = _template_frame()
        raise TemplateProblem(not_found(exc.name, file, line, env)) from None
    except jinja2.UndefinedError as exc:
        file, line, names = _template_frame()
        raise TemplateProblem(Problem(file, line, f"template error: {_undefined_message(exc)}",
                                      hint=_undefined_hint(exc, names, env))) from None
    except jinja2.sandbox.SecurityError as exc:
        file, line, _ = _template_frame()
        bounded = getattr(exc, "expected", None)  # too large, or the clock (render/sandbox.py)
        raise TemplateProblem(Problem(file, line, f"not allowed in a template: {_sandbox_message(exc)}",
                                      expected=bounded or "the report's documented fields, sitrep's filters and Jinja's",
                                      hint="" if bounded else CONTEXT_HINT)) from None
    except OverflowError:  # the sandbox's range() past MAX_RANGE, or a float past its limits
        file, line, _ = _template_frame()
        raise TemplateProblem(Problem(file, line, "template error: a range or a number is too large",
                                      expected=f"a range of at most {jinja2.sandbox.MAX_RANGE:,} numbers")) from None
    except (MemoryError, OutOfTime) as exc:  # over the render's budget (render/budget.py)
        file, line, _ = _template_frame()
        raise TemplateProblem(over_budget(file, line, isinstance(exc, OutOfTime))) from None
    except RecursionError:
        file, line, _ = _template_frame()
        raise TemplateProblem(Problem(file, line, "template error: the templates include or call each other "
                                      "without end", expected="includes and macros that stop")) from None
    except (jinja2.TemplateError, TypeError, ValueError, AttributeError, LookupError, ArithmeticError) as exc:
        file, line, _ = _template_frame()
        message = getattr(exc, "message", None) or str(exc)
        what = _unknown_name(message) or f"template error: {message}"
        raise TemplateProblem(Problem(file, line, what, hint=_name_hint(message, env))) from None


def not_found(name: str, file: str, line: int, env: jinja2.Environment) -> Problem:
    """The template `name`, which `file` names at `line`, is nowhere to be found."""
    return Problem(file, line, f"template not found: {name}",
                   expected="a template in your templates folder or a built-in one",
                   hint=did_you_mean(name, _template_names(env)) or "`sitrep templates` lists them")


def _sandbox_message(exc: jinja2.sandbox.SecurityError) -> str:
    """The sandbox's refusal in sitrep's words: '__class__' of a str, 'append' on a list."""
    message = str(exc.message or exc)
    unsafe = re.search(r"access to attribute '([^']+)' of '([^']+)' object is unsafe", message)
    if unsafe:
        owner = "an undefined value" if unsafe.group(2) == _Undefined.__name__ else f"a {unsafe.group(2)}"
        return f"'{unsafe.group(1)}' of {owner} (Python internals are out of a template's reach)"
    return message.rstrip(".")


def render_tracked(template: jinja2.Template, variables: dict) -> RenderedHtml:
    """Render like `Template.render`, noting after each chunk of output which template frame
    yielded it. Jinja compiles a template into generators: an extended or included template,
    a block, runs in a generator that its caller's generator delegates to, so the innermost
    suspended one is the writer, and its line maps back to the template's own line."""
    generator = template.root_render_func(template.new_context(variables))
    parts: list[str] = []
    starts: list[int] = []
    origins: list[tuple[str, int]] = []
    lines: dict = {}  # (template, line of its compiled code) -> its own line: Jinja parses its map on every ask
    offset = 0
    try:
        for chunk in generator:
            starts.append(offset)
            origins.append(_writer_of(generator, lines))
            parts.append(chunk)
            offset += len(chunk)
    except Exception:
        template.environment.handle_exception()  # re-raised with the templates' own files and lines
    return RenderedHtml("".join(parts), starts, origins)


def _writer_of(generator, lines: dict) -> tuple[str, int]:
    """(template file, line) of the innermost template generator that `generator` is suspended
    in; `lines` remembers the lines already mapped."""
    inner = generator
    while True:
        delegate = inner.gi_yieldfrom  # `yield from` (extends, blocks)
        if delegate is None:
            # An include runs `for event in gen: yield event`.
            delegate = inner.gi_frame.f_locals.get("gen")
        if not inspect.isgenerator(delegate) or delegate.gi_frame is None or delegate is inner:
            break
        inner = delegate
    frame = inner.gi_frame
    template = frame.f_globals.get("__jinja_template__")
    if template is None:
        return frame.f_code.co_filename, 0
    key = (template, frame.f_lineno)
    line = lines.get(key)
    if line is None:
        line = lines[key] = template.get_corresponding_lineno(frame.f_lineno)
    return frame.f_code.co_filename, line


def render_for(config: Config, context: ReportContext, *, assets_url: str = "../assets",
               workspace_url: str = "../..") -> RenderedHtml:
    """`render_document` with everything config.yaml says about templates: the user's folder, the
    theme, and the time and memory the render may take (render/budget.py)."""
    builder = os.getpid()

    def render() -> tuple[RenderedHtml, list[int] | None]:
        rendered, order = _render_numbered(context, user_dir=config.templates_dir, assets_url=assets_url,
                                           theme=theme_for(config, assets_url), workspace_url=workspace_url,
                                           bytecode_cache=TemplateBytecodeCache.open(config.workspace / CACHE_DIR))
        return rendered, (order if os.getpid() != builder else None)  # None: done to this context already

    rendered, order = _within_limits(config, ENTRY_TEMPLATE, context.settings, render)
    if order is not None:  # renumbered in the render's process: the build's context follows
        renumber(context, order)
    return rendered


def render_index_for(config: Config, archive: object, assets_url: str = "assets") -> RenderedHtml:
    """output/index.html (templates/index.html, overridable like every template), which
    receives `archive` (archive.ArchiveContext), `theme` and `assets`."""

    def render() -> RenderedHtml:
        env = make_environment(config.templates_dir, TemplateBytecodeCache.open(config.workspace / CACHE_DIR))
        with template_problems(env):
            return render_tracked(env.get_template(INDEX_TEMPLATE),
                                  {"archive": archive, "theme": theme_for(config, assets_url), "assets": assets_url})

    rendered = _within_limits(config, INDEX_TEMPLATE, language.active(), render)
    return isolated(rendered) if getattr(archive, "direction", "ltr") == "rtl" else rendered


def _within_limits(config: Config, name: str, edition: language.Language, render):
    """`render()` within config.yaml's limits (render/budget.py) when templates of the workspace
    take part; sitrep's own templates alone run in the build's process, forking nothing."""
    folder = config.templates_dir
    if folder is None or not any(p.name.endswith(LOADABLE_SUFFIXES) for p in folder.rglob("*")):
        return render()
    # What every render in the language needs, loaded once here rather than in each render's process.
    edition.translations, edition.locale, edition.native_digits  # noqa: B018 (cached properties)
    own = folder / name
    shown = display_path(own) if own.is_file() else f"{BUILTIN_PREFIX}:{name}"
    return within_budget(Budget(config.limits.template_seconds, config.limits.template_memory_mb, shown), render)


# --- Hints for template mistakes ----------------------------------------------------------------

def _template_frame() -> tuple[str, int, list[str]]:
    """(file, line, variable names there) of the innermost template frame of the exception
    being handled. Jinja rewrites template frames to point at the template's own file and line,
    with the template's variables as the frame's locals."""
    tb = sys.exc_info()[2]
    position: tuple[str, int, list[str]] = ("templates", 0, [])
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".css", ".j2", ".jinja", ".txt", ".svg")):
            names = [n for n in tb.tb_frame.f_locals if not n.startswith("_")]
            position = (_shown(filename), tb.tb_lineno, names)
        tb = tb.tb_next
    return position


def _undefined_message(exc: jinja2.UndefinedError) -> str:
    undefined = getattr(exc, "sitrep_undefined", None)
    if undefined is None:
        return exc.message or "undefined value"
    name, owner = undefined._undefined_name, undefined._undefined_obj
    if owner is jinja2.utils.missing:
        return f"'{name}' is undefined" if name is not None else (exc.message or "undefined value")
    if isinstance(owner, dict):
        return f"no key '{name}' in this mapping"
    return f"{_type_name(owner)} has no field '{name}'"


def _undefined_hint(exc: jinja2.UndefinedError, names_here: list[str], env: jinja2.Environment) -> str:
    undefined = getattr(exc, "sitrep_undefined", None)
    if undefined is None:
        return f"variables here: {', '.join(sorted(names_here))}" if names_here else ""
    name, owner = undefined._undefined_name, undefined._undefined_obj
    if owner is jinja2.utils.missing:
        here = sorted(n for n in names_here if n not in env.globals) or ["report", "theme", "assets", "workspace"]
        suggestion = did_you_mean(name, here) if name else ""
        return _join(suggestion, f"variables here: {', '.join(here)}", CONTEXT_HINT)
    fields = _fields_of(owner)
    if not fields:
        return ""
    what = "keys" if isinstance(owner, dict) else f"{_type_name(owner)} fields"
    return _join(did_you_mean(str(name), fields), f"{what}: {', '.join(fields)}", CONTEXT_HINT)


def _fields_of(value: object) -> list[str]:
    """What a template can look up on `value`: a dataclass's fields and properties, a dict's keys."""
    if isinstance(value, dict):
        return [str(k) for k in value]
    if dataclasses.is_dataclass(value):
        fields = [f.name for f in dataclasses.fields(value)]
        properties = [n for n, v in vars(type(value)).items() if isinstance(v, property) and not n.startswith("_")]
        return fields + properties
    return []


_UNKNOWN_NAME = re.compile(r"No (filter|test) named '([^']+)'")


def _unknown_name(message: str) -> str:
    """Jinja's 'No filter named 'x'.' as 'template error: unknown filter 'x'', or ''."""
    found = _UNKNOWN_NAME.search(message)
    return f"template error: unknown {found.group(1)} '{found.group(2)}'" if found else ""


def _name_hint(message: str, env: jinja2.Environment) -> str:
    """For an unknown filter or test: the nearest name, and the ones there are."""
    found = _UNKNOWN_NAME.search(message)
    if not found:
        return ""
    kind, name = found.groups()
    if kind == "filter":
        known = sorted(env.filters)
        listed = f"sitrep's filters: {', '.join(sorted(SITREP_FILTERS))} (docs/templates.md, 'Filters'); and Jinja's: join, length, default, upper, ..."
    else:
        known = sorted(env.tests)
        listed = f"tests: {', '.join(known)}"
    return _join(did_you_mean(name, known), listed)


def _template_names(env: jinja2.Environment) -> list[str]:
    try:
        return [n for n in env.list_templates() if n.endswith(TEMPLATE_SUFFIXES)]
    except (TypeError, OSError):
        return []


def _type_name(value: object) -> str:
    return "undefined value" if isinstance(value, jinja2.Undefined) else type(value).__name__


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def _shown(filename: str | None) -> str:
    return display_path(filename) if filename else "templates"
