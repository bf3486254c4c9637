"""Mistakes in the command line itself, in sitrep's words: one line, `sitrep build: error: --jobs
must be 1 or more (got 0)`, and exit code 2, as command-line tools do (app.py's boundary prints
them). Typer would draw its own message in a box, in its library's words ("Input should be
greater than or equal to 1"); this module says the same thing as every other sitrep message.

Typer 0.29 carries its own copy of Click (typer._click), whose exceptions it raises: the lock
file pins Typer, and tests/commands/test_usage.py fails if a mistake ever escapes in a box again.
"""

from __future__ import annotations

import difflib
from enum import Enum

from typer._click.exceptions import (BadOptionUsage, BadParameter, MissingParameter, NoArgsIsHelpError, NoSuchOption,
                                     UsageError)

__all__ = ["CommandLineMistake", "NoArgsIsHelpError", "UsageError", "in_our_words", "command_path"]


class CommandLineMistake(UsageError):
    """A mistake a command finds in its own options (--week with --all): `message` is said as is."""

    def __init__(self, message: str):
        super().__init__(message)


def command_path(ctx) -> str:
    """'sitrep build', 'sitrep templates copy': however the program was started (`python -m sitrep`)."""
    names = []
    while ctx is not None:
        names.append(ctx.info_name if ctx.parent is not None else "sitrep")
        ctx = ctx.parent
    return " ".join(reversed(names))


def in_our_words(error: UsageError, command: str) -> str:
    """The one line that says what is wrong with the command line, and what was expected."""
    return f"{command}: error: {_what_is_wrong(error, command)}"


def _what_is_wrong(error: UsageError, command: str) -> str:
    if isinstance(error, CommandLineMistake):
        return error.message
    if isinstance(error, NoSuchOption):
        options = sorted({name for param in _params(error) for name in (*param.opts, *param.secondary_opts)
                          if name.startswith("--")})
        # Compared without the dashes every option shares: '--bogus' is not near '--jobs'.
        near = difflib.get_close_matches(error.option_name.lstrip("-"), [name[2:] for name in options], n=1, cutoff=0.6)
        suggestion = f"did you mean '--{near[0]}'?" if near else ""
        return (f"there is no option {error.option_name}" + (f"; {suggestion}" if suggestion else "")
                + f" (`{command} --help` lists them)")
    if isinstance(error, MissingParameter) and error.param is not None:
        return f"{_name_of(error.param)} is missing (`{command} --help` says what it is)"
    if isinstance(error, BadParameter) and error.param is not None:
        return _bad_value(error)
    if isinstance(error, BadOptionUsage):
        return _sentence(error.message) + f" (`{command} --help` lists the options)"
    return _sentence(error.message) + f" (`{command} --help` shows how to use it)"


def _bad_value(error: BadParameter) -> str:
    """'--jobs must be 1 or more (got 0)', '--format must be one of html, pdf, both (got 'xyz')'."""
    param, given = error.param, _given(error)
    name = _name_of(param)
    got = f" (got {given})" if given is not None else ""
    descriptor = getattr(param, "type_descriptor", None)
    choices = getattr(descriptor, "choices", None) if getattr(descriptor, "is_choice", False) else None
    if choices:
        return f"{name} must be one of {', '.join(str(_plain(c)) for c in choices)}{got}"
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    whole = getattr(descriptor, "annotation", None) is int
    if whole and not _is_whole_number(given):
        bounds = f", {_bounds(low, high)}" if low is not None or high is not None else ""
        return f"{name} must be a whole number{bounds}{got}"
    if low is not None or high is not None:
        return f"{name} must be {_bounds(low, high)}{got}"
    return f"{name}: {_sentence(error.message)}{got}"


def _bounds(low, high) -> str:
    if low is not None and high is not None:
        return f"from {low} to {high}"
    return f"{low} or more" if low is not None else f"{high} or less"


def _given(error: BadParameter) -> str | None:
    """The value as typed, when Typer kept it (its checks are pydantic's, whose error holds the
    input); None when it did not."""
    errors = getattr(error.__cause__, "errors", None)
    try:
        value = errors()[0]["input"] if callable(errors) else None
    except (LookupError, TypeError):
        return None
    if value is None:
        return None
    return str(value) if _is_whole_number(value) else f"'{value}'"


def _is_whole_number(value) -> bool:
    try:
        int(str(value))
    except ValueError:
        return False
    return True


def _name_of(param) -> str:
    """How the user wrote or reads the parameter: its long option (--jobs), or an argument's name (DIR, KIND)."""
    options = [name for name in param.opts if name.startswith("--")] or [n for n in param.opts if n.startswith("-")]
    if options:
        return options[0]
    return param.metavar or (param.name or "the argument").upper()


def _params(error: UsageError) -> list:
    ctx = error.ctx
    if ctx is None:
        return []
    return [*ctx.command.params, *filter(None, [ctx.command.get_help_option(ctx)])]


def _plain(choice) -> object:
    return choice.value if isinstance(choice, Enum) else choice


def _sentence(message: str) -> str:
    """Typer's sentence as a clause of ours: no capital to start, no full stop to end."""
    message = " ".join(str(message).split())
    return (message[:1].lower() + message[1:]).rstrip(".")
