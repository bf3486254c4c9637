"""A mistaken command line, said as every other sitrep message is: one line naming the command,
what is wrong and what was expected, exit code 2 (docs/commands.md, "Commands"), never a box drawn by the
command-line library. And --help shows no value beside a flag that takes none."""

from __future__ import annotations

import pytest

from sitrep.commands.cli import app

BOX_CHARACTERS = "╭╮╰╯│─"


def commands(group=None, path=()):
    """(path, click command) of every command of the program, groups included."""
    import typer

    group = group or typer.main.get_command(app)
    yield path, group
    for name, command in getattr(group, "commands", {}).items():
        yield from commands(command, (*path, name))


def assert_one_line(result, line: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr == line + "\n", result.stderr
    assert result.stdout == ""
    assert not any(char in result.output for char in BOX_CHARACTERS)


@pytest.mark.parametrize("args, line", [
    (["build", "--jobs", "0"], "sitrep build: error: --jobs must be 1 or more (got 0)"),
    (["build", "-j", "two"], "sitrep build: error: --jobs must be a whole number, 1 or more (got 'two')"),
    (["serve", "--port", "70000"], "sitrep serve: error: --port must be from 0 to 65535 (got 70000)"),
    (["build", "--format", "xyz"], "sitrep build: error: --format must be one of html, pdf, both (got 'xyz')"),
    (["weeks", "--edition", "secret"], "sitrep weeks: error: --edition must be one of public, internal (got 'secret')"),
    (["new", "figur"], "sitrep new: error: KIND must be one of source, place, actor, figure, incident, route, area, "
                       "movement, narrative (got 'figur')"),
    (["build", "--forse"], "sitrep build: error: there is no option --forse; did you mean '--force'? "
                           "(`sitrep build --help` lists them)"),
    (["build", "--bogus"], "sitrep build: error: there is no option --bogus (`sitrep build --help` lists them)"),
    (["--bogus"], "sitrep: error: there is no option --bogus (`sitrep --help` lists them)"),
    (["biuld"], "sitrep: error: there is no command 'biuld'; did you mean 'build'? (`sitrep --help` lists them)"),
    (["templates", "copi"], "sitrep templates: error: there is no command 'copi'; did you mean 'copy'? "
                            "(`sitrep templates --help` lists them)"),
    (["init"], "sitrep init: error: DIR is missing (`sitrep init --help` says what it is)"),
    (["templates", "copy"], "sitrep templates copy: error: NAME is missing (`sitrep templates copy --help` says what it is)"),
    (["build", "--week", "2016-W26", "--all"], "sitrep build: error: --week and --all do not go together "
                                               "(expected one of them)"),
])
def test_a_mistaken_command_line_is_one_line_in_sitreps_words(sitrep_cli, args, line):
    assert_one_line(sitrep_cli(*args), line)


def test_the_real_program_names_itself_sitrep_however_it_was_started(sitrep_process, tmp_path):
    # Started as `python -m sitrep`, it still says `sitrep build`, the command the user types.
    assert_one_line(sitrep_process("build", "--jobs", "0", cwd=tmp_path),
                    "sitrep build: error: --jobs must be 1 or more (got 0)")


def test_every_bounded_or_chosen_option_refuses_a_bad_value_in_one_line(sitrep_cli):
    """Any option with bounds or choices, today's and tomorrow's: a value out of them gets one line."""
    tried = 0
    for path, command in commands():
        for param in command.params:
            if not param.opts[0].startswith("-"):
                continue
            name = next(opt for opt in param.opts if opt.startswith("--"))
            descriptor = getattr(param, "type_descriptor", None)
            if getattr(param, "min", None) is not None:
                bad, expected = str(param.min - 1), f"{name} must be "
            elif getattr(param, "max", None) is not None:
                bad, expected = str(param.max + 1), f"{name} must be "
            elif getattr(descriptor, "is_choice", False):
                bad, expected = "no-such-choice", f"{name} must be one of "
            else:
                continue
            result = sitrep_cli(*path, name, bad)
            assert result.exit_code == 2, (path, name, result.output)
            assert result.stderr.startswith(f"sitrep {' '.join(path)}: error: {expected}".replace("sitrep :", "sitrep:"))
            assert len(result.stderr.splitlines()) == 1 and f"(got {bad})" in result.stderr.replace("'", "")
            tried += 1
    assert tried >= 8  # --jobs, --port, --format, --edition (build, serve, weeks, export), --pdf-variant...


def test_help_shows_no_value_beside_a_flag(sitrep_cli):
    for path, command in commands():
        result = sitrep_cli(*path, "--help")
        assert result.exit_code == 0, (path, result.output)
        assert "<bool>" not in result.stdout, (path, result.stdout)
    build = sitrep_cli("build", "--help").stdout
    assert "html|pdf|both" in build  # an option that takes a value still shows what it takes


def test_sitrep_alone_still_shows_the_help(sitrep_cli):
    result = sitrep_cli()
    assert "Usage:" in result.output and "Commands" in result.output and "error:" not in result.output
