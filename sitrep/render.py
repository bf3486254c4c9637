"""The render stage: a `ReportContext` through Jinja templates into one HTML document.

Templates are looked up in the user's folder (config `templates:`) first, then the built-ins;
``{% extends "builtin:report.html" %}`` reaches the built-in of the same name. Autoescaping is
always on and undefined variables are errors, so fact text can never become markup or code
and a misspelt variable never prints as a silent blank.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterable

import jinja2
from markupsafe import Markup, escape

from .errors import Problem, TemplateProblem, display_path
from .formatting import format_amount, format_number, format_range
from .report import ReportContext

ENTRY_TEMPLATE = "report.html"
BUILTIN_PREFIX = "builtin"


def builtin_templates_dir() -> Path:
    """The built-in templates: inside the installed package, or the repository's templates/."""
    packaged = Path(__file__).parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "templates"


def make_environment(user_dir: Path | None = None) -> jinja2.Environment:
    builtin = jinja2.FileSystemLoader(builtin_templates_dir())
    search = [jinja2.FileSystemLoader(user_dir)] if user_dir else []
    loader = jinja2.ChoiceLoader([jinja2.PrefixLoader({BUILTIN_PREFIX: builtin}, delimiter=":"), *search, builtin])
    env = jinja2.Environment(
        loader=loader,
        autoescape=True,  # every template is HTML; select_autoescape misses names like *.html.j2
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(number=format_number, range=format_range, amount=format_amount, cite=cite_markup,
                       local_names=local_names_markup, css_string=css_string)
    return env


def cite_markup(numbers: Iterable[int]) -> Markup:
    """Citation numbers as superscript links to the sources list: [1, 3]."""
    numbers = list(numbers)
    if not numbers:
        return Markup("")
    links = ", ".join(f'<a href="#source-{n}">{n}</a>' for n in numbers)
    return Markup(f'<sup class="cite">[{links}]</sup>')


def css_string(value: object) -> Markup:
    """Text as a quoted CSS string, safe inside <style>: quotes, backslashes, newlines and
    '<' are escaped the CSS way, so no value can end the string or the style element."""
    escaped = "".join(c if c.isalnum() or c in " .,;:·–—-_()/'" else f"\\{ord(c):x} " for c in str(value))
    return Markup(f'"{escaped}"')


def local_names_markup(names: dict[str, str]) -> Markup:
    """A place's names in other languages, each marked with its language and direction."""
    rtl = {"ar", "fa", "he", "ku", "ps", "ur", "ckb"}
    spans = [f'<span class="local-name" lang="{escape(lang)}"{" dir=rtl" if lang in rtl else ""}>{escape(name)}</span>'
             for lang, name in names.items()]
    return Markup(" ".join(spans))


def render_html(context: ReportContext, *, user_dir: Path | None = None, assets_url: str = "../assets") -> str:
    """The report as one HTML document (its CSS inlined; fonts under `assets_url`)."""
    env = make_environment(user_dir)
    try:
        template = env.get_template(ENTRY_TEMPLATE)
        return template.render(report=context, assets=assets_url)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateProblem(Problem(_shown(exc.filename or exc.name), exc.lineno or 0,
                                      f"template syntax error: {exc.message}")) from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateProblem(Problem(*_template_position(), f"template not found: {exc.name}",
                                      expected="a template in your templates folder or a built-in one")) from None
    except jinja2.UndefinedError as exc:
        raise TemplateProblem(Problem(*_template_position(), f"template error: {exc.message}",
                                      hint="variables available: report.<field> — see README, 'Templates'")) from None
    except (jinja2.TemplateError, TypeError, ValueError, AttributeError) as exc:
        raise TemplateProblem(Problem(*_template_position(), f"template error: {exc}")) from None


def _template_position() -> tuple[str, int]:
    """(file, line) of the innermost template frame of the exception being handled."""
    tb = sys.exc_info()[2]
    position = ("templates", 0)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".css", ".j2", ".jinja", ".txt", ".svg")):
            position = (_shown(filename), tb.tb_lineno)
        tb = tb.tb_next
    return position


def _shown(filename: str | None) -> str:
    return display_path(filename) if filename else "templates"
