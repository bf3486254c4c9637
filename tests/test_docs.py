"""README.md is the user's manual: these tests fail when it falls behind the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sitrep import vocabulary as vocab
from sitrep.cli import app
from sitrep.schema import KINDS
from typer.main import get_command

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(get_command(app).commands)


def test_readme_starts_with_the_two_commands():
    first_block = re.search(r"```sh\n(.*?)```", README, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in first_block.strip().splitlines()]
    assert commands == ["make report", "make test"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_documented_with_an_example(command, sitrep_cli):
    assert f"### `sitrep {command}`" in README
    assert re.search(rf"^sitrep {command}\b", README, re.M), f"no example of sitrep {command}"
    help_text = sitrep_cli(command, "--help").stdout
    assert "Example: sitrep" in help_text


@pytest.mark.parametrize("codes", [vocab.INCIDENT_TYPES, vocab.METRICS, vocab.ROUTE_STATUSES, vocab.HAZARDS,
                                   vocab.SOURCE_KINDS, vocab.PLACE_KINDS, vocab.ACTOR_KINDS, vocab.QUALIFIERS,
                                   vocab.UNITS, vocab.INCIDENT_STATUSES, vocab.NARRATIVE_SECTIONS, KINDS])
def test_every_vocabulary_code_is_documented(codes):
    missing = [code for code in codes if f"`{code}`" not in README]
    assert not missing


def test_incident_type_labels_match_the_readme_table():
    for code, kind in vocab.INCIDENT_TYPES.items():
        assert f"| `{code}` | {kind.label} | {kind.category} |" in README


def test_pre_commit_hook_runs_sitrep_check_and_is_documented(workspace, sitrep_process):
    import shlex
    import tomllib

    import yaml

    repo = Path(__file__).resolve().parent.parent
    hooks = yaml.safe_load((repo / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    scripts = tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    for hook in hooks:
        assert f"id: {hook['id']}" in README
        program, *args = shlex.split(hook["entry"])
        assert program in scripts  # pre-commit installs the package and runs its console script
        assert hook["pass_filenames"] is False  # the whole store is checked, not single files
        assert sitrep_process(*args, cwd=workspace).exit_code == 0
        places = workspace / "facts" / "places.yaml"
        places.write_text(places.read_text(encoding="utf-8").replace("kind: city", "kind: cty", 1), encoding="utf-8")
        broken = sitrep_process(*args, cwd=workspace)
        assert broken.exit_code == 1 and "facts/places.yaml:" in broken.stderr


def test_every_module_is_in_the_development_map():
    package = Path(__file__).resolve().parent.parent / "sitrep"
    development = README[README.index("## Development"):]
    missing = [p.name for p in package.glob("*.py") if not p.name.startswith("__") and f"  {p.name} " not in development]
    assert not missing


def test_the_readme_check_output_on_a_broken_store_is_real(workspace, sitrep_process):
    """The README shows `sitrep check` on the example store with four mistakes typed in; make
    the same mistakes and compare, so the manual never shows output the tool does not give."""
    path = workspace / "facts" / "2016-06-fallujah.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("    low: 30000\n    high: 40000\n", "    low: 40000\n    high: 30000\n", 1)

    def replace_in_entry(text: str, entry: str, old: str, new: str) -> str:
        at = text.index(old, text.index(f"  - id: {entry}\n"))
        return text[:at] + new + text[at + len(old):]

    text = replace_in_entry(text, "shuhada-distance-centre-2016-06", "    place: ", "    plac: ")
    text = replace_in_entry(text, "fallujah-hunger-2016-06", "    date: 2016-06", "    date: 2016-06-31")
    text = replace_in_entry(text, "fallujah-booby-traps-2016-06", "omar-nazar", "omar-nazr")
    path.write_text(text, encoding="utf-8")
    done = sitrep_process("check", cwd=workspace)
    assert done.exit_code == 1
    shown = README[README.index("On the example store with four mistakes typed in"):]
    shown = shown[shown.index("```\n") + 4:]
    assert done.stderr == shown[:shown.index("```")]
