"""The manual (README.md and docs/) keeps up with the code: every command, option, vocabulary code
and module is documented, the site builds strictly, and what the pages walk through works.
(tests/test_manual.py checks every command output the manual shows.)"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest
import yaml

from manual import DOCS, README, block_after
from sitrep.source import vocabulary as vocab
from sitrep.commands.cli import app
from sitrep.source.schema import KINDS
from typer.main import get_command
from support import REPO, png, without_progress

README_TEXT = README.read_text(encoding="utf-8")
COMMANDS = sorted(get_command(app).commands)


def page(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


# --- The README: short, and the two commands first -------------------------------------------------

def test_readme_starts_with_the_two_commands():
    first_block = re.search(r"```sh\n(.*?)```", README_TEXT, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in first_block.strip().splitlines()]
    assert commands == ["make report", "make test"]


def test_the_readme_stays_short():
    """The README says what sitrep is, the two commands and a first week; the reference is docs/."""
    assert len(README_TEXT.splitlines()) <= 260


def test_make_report_is_the_build_the_readme_shows():
    """The README's tutorial shows `sitrep build`'s output as what `make report` prints after set-up."""
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    recipe = makefile[makefile.index("\nreport:"):].split("\n\n")[0]
    assert recipe.rstrip().endswith("@.venv/bin/sitrep build"), recipe
    assert "`make report` built the example workspace" in README_TEXT


def test_the_set_up_failure_the_manual_quotes_is_what_set_up_prints():
    setup = (REPO / "scripts/setup.sh").read_text(encoding="utf-8")
    template = re.search(r'failed\(\) \{\n\s*echo "(.*?)" >&2', setup).group(1)
    line = template.replace("$1", "installing the packages of requirements.lock").replace("${2}", "report")
    assert line in page("install.md")
    assert "rm -rf .venv && make report" in README_TEXT


# --- The command reference -----------------------------------------------------------------------

@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_documented_with_an_example(command, sitrep_cli):
    commands_page = page("commands.md")
    assert f"## `sitrep {command}`" in commands_page
    assert re.search(rf"^(\$ )?sitrep {command}\b", commands_page, re.M), f"no example of sitrep {command}"
    help_text = sitrep_cli(command, "--help").stdout
    assert "Example: sitrep" in help_text


def test_pre_commit_hook_runs_sitrep_check_and_is_documented(workspace, sitrep_process):
    import shlex
    import tomllib

    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    for hook in hooks:
        assert f"id: {hook['id']}" in page("commands.md")
        program, *args = shlex.split(hook["entry"])
        assert program in scripts  # pre-commit installs the package and runs its console script
        assert hook["pass_filenames"] is False  # the whole store is checked, not single files
        assert sitrep_process(*args, cwd=workspace).exit_code == 0
        places = workspace / "facts" / "places.yaml"
        places.write_text(places.read_text(encoding="utf-8").replace("kind: city", "kind: cty", 1), encoding="utf-8")
        broken = sitrep_process(*args, cwd=workspace)
        assert broken.exit_code == 1 and "facts/places.yaml:" in broken.stderr


# --- The fact store's vocabularies -----------------------------------------------------------------

@pytest.mark.parametrize("codes", [vocab.INCIDENT_TYPES, vocab.METRICS, vocab.ROUTE_STATUSES, vocab.HAZARDS,
                                   vocab.SOURCE_KINDS, vocab.PLACE_KINDS, vocab.ACTOR_KINDS, vocab.QUALIFIERS,
                                   vocab.UNITS, vocab.INCIDENT_STATUSES, vocab.NARRATIVE_SECTIONS, KINDS])
def test_every_vocabulary_code_is_documented(codes):
    store_page = page("store.md")
    missing = [code for code in codes if f"`{code}`" not in store_page]
    assert not missing


def test_incident_type_labels_match_the_store_page_table():
    store_page = page("store.md")
    for code, kind in vocab.INCIDENT_TYPES.items():
        assert f"| `{code}` | {kind.label} | {kind.category} |" in store_page


# --- The module map ------------------------------------------------------------------------------

def module_map() -> set[str]:
    """The modules docs/development.md's map lists under sitrep/, as paths (`source/store.py`): the
    map is a tree, two spaces an indent level, each entry a file or `folder/` then its description."""
    development = page("development.md")
    tree = block_after(development, "## The module map", fence="```")
    listed: set[str] = set()
    folders: list[str] = []
    for line in tree.splitlines():
        name = line.split()[0] if line.strip() else ""
        if not (name.endswith(".py") or name.endswith("/")):
            continue  # a description carried onto the next line
        level = (len(line) - len(line.lstrip(" "))) // 2
        folders = folders[:level]
        if name.endswith("/"):
            folders.append(name.rstrip("/"))
        elif folders and folders[0] == "sitrep":
            listed.add("/".join(folders[1:] + [name]))
    return listed


def test_the_development_map_lists_every_module_and_only_those():
    package = REPO / "sitrep"
    modules = {p.relative_to(package).as_posix() for p in package.rglob("*.py") if not p.name.startswith("__")}
    listed = module_map()
    assert sorted(modules - listed) == [], "modules missing from docs/development.md's map"
    assert sorted(listed - modules) == [], "docs/development.md's map names modules that do not exist"


# --- The site --------------------------------------------------------------------------------------

def mkdocs_config() -> dict:
    return yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))


def nav_pages(nav) -> list[str]:
    found = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        found += nav_pages(value) if isinstance(value, list) else [value]
    return found


def test_every_page_of_docs_is_in_the_navigation_once():
    in_nav = nav_pages(mkdocs_config()["nav"])
    on_disk = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md"))
    assert sorted(in_nav) == on_disk


def test_the_site_fetches_nothing_from_the_network():
    """No web font (Material loads Google Fonts unless font: false) and no plugin that downloads."""
    config = mkdocs_config()
    assert config["theme"]["name"] == "material" and config["theme"]["font"] is False
    assert config["plugins"] == ["search"]


def test_the_manual_builds_strictly(tmp_path):
    """`make docs` as a test: a broken link or anchor, or a page outside the navigation, fails."""
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                          cwd=REPO, capture_output=True, text=True, timeout=300,
                          env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "site/index.html").is_file() and (tmp_path / "site/commands/index.html").is_file()


def test_the_readme_links_to_pages_that_exist():
    """The README is not part of the site, so mkdocs does not check its links: check them here."""
    for target in re.findall(r"\]\((docs/[^)#]+)(?:#[^)]*)?\)", README_TEXT):
        assert (REPO / target).is_file(), target


# --- What the pages walk through ----------------------------------------------------------------

def test_the_make_the_report_your_own_walkthrough_works_in_the_example_workspace(workspace, sitrep_process):
    """Steps 2 to 6 of "Make the report your own", as written, on a copy of the example
    workspace (config.yaml + facts/ + its own templates folder custom/)."""
    section = page("customising.md")
    assert "Read `custom/` for `templates/` below." in section
    mine = workspace / "custom"
    config = workspace / "config.yaml"

    def build(*args: str):
        return sitrep_process("build", "--format", "html", *args, cwd=workspace)

    html_path = workspace / "output/2016-W26/fallujah-sitrep-2016-W26.html"

    # 2. Name and brand the report in config.yaml (with the logo and font files it names).
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    settings.update(yaml.safe_load(block_after(section, "**2. Name and brand the report in config.yaml.**")))
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
    commands = [line.split("#")[0].split() for line in block_after(section, "**3. Change one section.**").splitlines()]
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
    (mine / "report.html").write_text(block_after(section, "**4. Change one block without copying a file.**"),
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

    # 6. Build and look: a mistake in a template stops the build (what it prints: test_manual.py,
    # docs/customising.md's setup outlook-field-typo); the report stays.
    before = html_path.read_bytes()
    outlook = mine / "sections/outlook.html"
    outlook.write_text(outlook.read_text(encoding="utf-8").replace("report.outlook", "report.outlok", 1),
                       encoding="utf-8")
    broken = sitrep_process("build", cwd=workspace)
    assert broken.exit_code == 1 and without_progress(broken.stderr).startswith("custom/sections/outlook.html:1: error: ")
    assert html_path.read_bytes() == before
