"""`sitrep templates` (list), `templates copy` and `templates context`: the commands; listing and
copying are sitrep/commands/templates.py, the context's documentation sitrep/commands/contextdoc.py.

Those and the config are imported inside the commands: they load pydantic, Jinja and YAML, which
`sitrep --help` should not pay for (see sitrep/commands/cli/__init__.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from sitrep.commands.app import ConfigOption, _ErrorBoundary, app
from sitrep.errors import Problem, SitrepError, display_path


templates_app = typer.Typer(cls=_ErrorBoundary, no_args_is_help=False, context_settings={"help_option_names": ["-h", "--help"]})
app.add_typer(templates_app, name="templates")


@templates_app.callback(invoke_without_command=True)
def templates(
    ctx: typer.Context,
    config: Path = ConfigOption,
) -> None:
    """List every template and where it is found: your templates folder (config.yaml 'templates:') or the built-ins.

    Yours are searched first, one file at a time. `sitrep templates copy NAME` copies a built-in into your folder as a starting point; `sitrep templates context` lists the variables templates receive.

    Example: sitrep templates copy sections/outlook.html
    """
    if ctx.invoked_subcommand is not None:
        return
    from sitrep.commands.templates import list_templates
    from sitrep.source.config import builtin_templates_dir, load_config

    loaded = load_config(config)
    user_dir = loaded.templates_dir
    entries = list_templates(user_dir)
    width = max(len(e.name) for e in entries) + 2
    for entry in entries:
        typer.echo(f"{entry.name:<{width}}{entry.where:<11}{display_path(entry.path)}")
    if user_dir is None:
        folder = _free_templates_folder(loaded)
        typer.echo(f"\nNo templates folder of your own yet: add 'templates: {folder}' to config.yaml, create the "
                   "folder, then `sitrep templates copy NAME`.")
    else:
        typer.echo(f"\nYours: {display_path(user_dir)} (searched first). Built-ins: {display_path(builtin_templates_dir())}.")


def _free_templates_folder(loaded) -> str:
    """The folder name to suggest for the user's own templates: 'templates', unless that is
    sitrep's built-in templates folder (a workspace at the top of sitrep's own repository)."""
    from sitrep.source.config import builtin_templates_dir

    builtin = builtin_templates_dir().resolve()
    return "custom" if (loaded.workspace / "templates").resolve() == builtin else "templates"


@templates_app.command("copy")
def templates_copy(
    name: str = typer.Argument(..., help="A built-in template, as `sitrep templates` lists it (sections/outlook.html), "
                               "or a section's name (outlook)."),
    config: Path = ConfigOption,
    force: bool = typer.Option(False, "--force", help="Replace your copy if you already have one."),
) -> None:
    """Copy a built-in template into your templates folder, to edit as your own.

    Refuses to replace a template you already have, unless --force.

    Example: sitrep templates copy sections/outlook.html
    """
    from sitrep.commands.templates import copy_builtin_template
    from sitrep.source.config import load_config

    loaded = load_config(config)
    if loaded.templates_dir is None:
        raise SitrepError(Problem(loaded.shown, 0, "config.yaml sets no templates folder",
                                  expected=f"a line such as 'templates: {_free_templates_folder(loaded)}' "
                                           "in config.yaml",
                                  hint="add it, create the folder, and run this again"))
    target = copy_builtin_template(name, loaded.templates_dir, force=force)
    typer.echo(f"Copied the built-in {display_path(target.relative_to(loaded.templates_dir))} to {display_path(target)}; "
               "edit it, then sitrep build.")


@templates_app.command("context")
def templates_context(
    config: Path = ConfigOption,
    week: Optional[str] = typer.Option(None, "--week", "-w", help="The week whose report gives the examples. "
                                       "Default: the series' latest report."),
) -> None:
    """Print every variable templates receive, with its type and an example from your own store (Markdown).

    Example: sitrep templates context --week 2016-W26
    """
    from sitrep.commands.contextdoc import context_markdown

    text = context_markdown(config, week)
    typer.echo(text, nl=False)
