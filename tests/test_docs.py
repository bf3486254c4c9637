"""README.md is the user's manual: these tests fail when it falls behind the code."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from sitrep.source import vocabulary as vocab
from sitrep.commands.cli import app
from sitrep.source.schema import KINDS
from typer.main import get_command
from support import REPO, png, without_progress

README = (REPO / "README.md").read_text(encoding="utf-8")
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

    repo = REPO
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
    package = REPO / "sitrep"
    development = README[README.index("## Development"):]
    missing = [p.relative_to(package).as_posix() for p in package.rglob("*.py")
               if not p.name.startswith("__") and f"  {p.name} " not in development]
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


def _block_after(marker: str, fence: str = "```") -> str:
    """The first fenced block of README.md after `marker`, without its fences."""
    text = README[README.index(marker):]
    text = text[text.index(fence) + len(fence):]
    text = text[text.index("\n") + 1:]  # past the fence's language tag
    return text[:text.index("```")]


def test_make_report_prints_what_the_readme_shows(workspace):
    """`make report` is setup.sh (silent once set up) and then `sitrep build` in the example
    workspace: run that build as a user does, on a fresh copy of the example, and compare what a
    terminal shows (stdout and stderr in the order written) with the README's block. Only the
    timing may differ."""
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    recipe = makefile[makefile.index("\nreport:"):].split("\n\n")[0]
    assert recipe.rstrip().endswith("@.venv/bin/sitrep build"), recipe
    shown = _block_after("`make report` then runs `sitrep build`")
    done = subprocess.run([sys.executable, "-m", "sitrep", "build"], cwd=workspace, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, encoding="utf-8", timeout=180,
                          env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert done.returncode == 0, done.stdout

    def timing_free(text: str) -> str:
        return re.sub(r"built in \d+\.\d s", "built in N.N s", text)

    # A terminal shows the progress in one line that is cleared at the end; through this pipe it
    # comes as plain lines (tests/commands/test_progress.py), which the terminal would not keep.
    assert timing_free(without_progress(done.stdout)) == timing_free(shown)
    for line in shown.splitlines()[-2:]:  # the files it names are there
        assert (workspace / line.split()[-1]).is_file()


def test_the_make_the_report_your_own_walkthrough_works_in_the_example_workspace(workspace, sitrep_process):
    """Steps 2 to 6 of "Make the report your own", as written, on a copy of the example
    workspace (config.yaml + facts/ + its own templates folder custom/)."""
    import yaml

    section = README[README.index("## Make the report your own"):README.index("## Templates")]
    assert "Read `custom/` for `templates/` below." in section
    mine = workspace / "custom"
    config = workspace / "config.yaml"

    def build(*args: str):
        return sitrep_process("build", "--format", "html", *args, cwd=workspace)

    html_path = workspace / "output/2016-W26/fallujah-sitrep-2016-W26.html"

    # 2. Name and brand the report in config.yaml (with the logo and font files it names).
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    settings.update(yaml.safe_load(_block_after("**2. Name and brand the report in config.yaml.**")))
    config.write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (workspace / "brand/fonts").mkdir(parents=True)
    (workspace / "brand/logo.png").write_bytes(png(1, 1, (0x7a, 0x1f, 0x5c)))
    for style in ("Regular", "Bold"):
        shutil.copy(REPO / f"templates/fonts/NotoSans-{style}.ttf", workspace / f"brand/fonts/BrandSerif-{style}.ttf")
    built = build()
    assert built.exit_code == 0, built.output
    html = html_path.read_text(encoding="utf-8")
    assert "Weekly Protection Update" in html and "#7a1f5c" in html

    # 3. Change one section: the commands as the README writes them.
    commands = [line.split("#")[0].split() for line in _block_after("**3. Change one section.**").splitlines()]
    assert commands == [["sitrep", "templates", "copy", "outlook"], ["sitrep", "templates"]]
    copied = sitrep_process(*commands[0][1:], cwd=workspace)
    assert copied.exit_code == 0, copied.output
    assert (mine / "sections/outlook.html").read_bytes() == (REPO / "templates/sections/outlook.html").read_bytes()
    listed = sitrep_process(*commands[1][1:], cwd=workspace)
    assert listed.exit_code == 0, listed.output
    rows = {line.split()[0]: line.split()[1:] for line in listed.stdout.splitlines() if line.strip()}
    assert rows["sections/outlook.html"] == ["user", "custom/sections/outlook.html"]
    assert [row[0] for name, row in rows.items() if name.endswith((".html", ".css"))].count("user") == 1

    # 4. Change one block without copying a file.
    (mine / "report.html").write_text(_block_after("**4. Change one block without copying a file.**"),
                                      encoding="utf-8")
    built = build()
    assert built.exit_code == 0, built.output
    html = html_path.read_text(encoding="utf-8")
    assert "<title>Example Protection Desk: Weekly Protection Update, 3 July 2016</title>" in html
    assert "text-transform: uppercase" in html

    # 5. Add a section of your own, showing a file of the workspace.
    image = re.search(r"`(<img src=\"\{\{ workspace \}\}/annex/week\.png\"[^`]*)`", section).group(1)
    (mine / "sections/annex.html").write_text(f"<section id=\"annex\">{image}</section>\n", encoding="utf-8")
    (workspace / "annex").mkdir()
    (workspace / "annex/week.png").write_bytes(png(1, 1, (0x7a, 0x1f, 0x5c)))
    settings["sections"] = ["highlights", "annex", "key_figures", "routes", "abuses", "outlook", "sources"]
    config.write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8")
    built = build()
    assert built.exit_code == 0, built.output
    # The image, written into the single-file report from the workspace's annex/week.png.
    assert '<section id="annex"><img src="data:image/png;base64,' in html_path.read_text(encoding="utf-8")

    # 6. Build and look: a mistake in a template names its file and line; the report stays.
    before = html_path.read_bytes()
    outlook = mine / "sections/outlook.html"
    lines = outlook.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = '<section class="outlook" id="{{ report.outlok }}">\n'
    outlook.write_text("".join(lines), encoding="utf-8")
    broken = sitrep_process("build", cwd=workspace)
    assert broken.exit_code == 1
    expected = _block_after("**6. Build and look.**").strip().replace("templates/", "custom/", 1)
    assert without_progress(broken.stderr).splitlines()[0].startswith(expected.removesuffix("..."))
    assert html_path.read_bytes() == before


def test_the_readme_translation_warnings_are_real(workspace, sitrep_process):
    """README, "Translations": the warnings `sitrep check` adds for a missing and a stale
    translation, made as the README says and compared line for line."""
    path = workspace / "facts" / "2016-06-fallujah.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("        en: Women and children ordered to stay;", "        en: Women and girls ordered to stay;")
    text = re.sub(r"\n        ar@c511d8c3: .*", "", text)
    path.write_text(text, encoding="utf-8")
    done = sitrep_process("check", cwd=workspace)
    assert done.exit_code == 0, done.stderr
    shown = README[README.index("With the Arabic translation of one incident's victims deleted"):]
    shown = shown[shown.index("```\n") + 4:]
    for line in shown[:shown.index("```")].splitlines():
        assert line in done.stderr.splitlines(), line
