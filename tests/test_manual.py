"""Every command output the manual shows is what the command prints today.

README.md and docs/*.md mark each console block of sitrep's output with an HTML comment
(tests/manual.py reads them; docs/development.md, "The manual's command outputs", describes them
for writers). This module runs the commands of every marked block, as a user does, in the
workspace the block's setup makes (a copy of the example workspace unless it names another), and
compares what they print with what the page shows. The blocks of one setup on one page share one
workspace and run in the order they appear, so that a page can tell a story (check, fix, check
again). A marked block whose command exits otherwise than the marker says fails; so does a
console block without a marker, or any other block holding a line of sitrep's output.

Regenerate the blocks after changing what a command prints, then read the diff:

    SITREP_UPDATE_DOCS=1 make test PYTEST_ARGS=tests/test_manual.py

Normalisations (the only differences allowed between a run and the page):
- a build's time, `built in 4.2 s`, is shown as `built in N.N s`;
- the built-in templates folder, wherever sitrep is installed, is shown as `/…/sitrep/templates`;
- a command's output that does not end with a line end gets one.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import manual
from support import REPO, copy_example, use_templates_folder, without_progress, write

UPDATE = os.environ.get("SITREP_UPDATE_DOCS") == "1"
REGENERATE = "SITREP_UPDATE_DOCS=1 make test PYTEST_ARGS=tests/test_manual.py"

# --- Setups and steps: the workspaces the marked blocks run in --------------------------------------
# A setup makes a workspace under `root` and returns the folder the block's commands start in; a
# step changes that workspace right before the block that names it runs.

SETUPS: dict[str, Callable[[Path], Path]] = {}
STEPS: dict[str, Callable[[Path], None]] = {}


def setup(name: str):
    def register(function: Callable[[Path], Path]) -> Callable[[Path], Path]:
        SETUPS[name] = function
        return function
    return register


def step(name: str):
    def register(function: Callable[[Path], None]) -> Callable[[Path], None]:
        STEPS[name] = function
        return function
    return register


def replace_once(path: Path, old: str, new: str, after: str = "") -> None:
    """Replace the first `old` in the file (after the text `after`, if given); fail if absent."""
    text = path.read_text(encoding="utf-8")
    start = text.index(after) if after else 0
    at = text.index(old, start)
    path.write_text(text[:at] + new + text[at + len(old):], encoding="utf-8")


@setup("example")
def example(root: Path) -> Path:
    return copy_example(root / "ws")


@setup("empty")
def empty_folder(root: Path) -> Path:
    (root / "work").mkdir()
    return root / "work"


# README.md, "A first week in ten minutes": a copy of the example, then the week the reader adds.
TUTORIAL_FILE = "facts/2016-07-tutorial.yaml"
TUTORIAL_TYPO = ("place: amiriyat-camp", "place: amiriyat-cmap")


def tutorial_yaml() -> str:
    return manual.block_after(manual.README.read_text(encoding="utf-8"), f"Create `{TUTORIAL_FILE}`")


@setup("first-week")
def first_week(root: Path) -> Path:
    return copy_example(root / "first-week")


@step("tutorial-typo")
def tutorial_with_its_typo(ws: Path) -> None:
    text = tutorial_yaml()
    assert TUTORIAL_TYPO[0] in text, "the README's tutorial no longer has the line whose typo it shows"
    write(ws / TUTORIAL_FILE, text.replace(*TUTORIAL_TYPO, 1))


@step("tutorial-fixed")
def tutorial_as_written(ws: Path) -> None:
    write(ws / TUTORIAL_FILE, tutorial_yaml())


# docs/commands.md, `sitrep check`: the example store with four mistakes typed in.
@setup("four-mistakes")
def four_mistakes(root: Path) -> Path:
    ws = copy_example(root / "ws")
    path = ws / "facts/2016-06-fallujah.yaml"
    replace_once(path, "    low: 30000\n    high: 40000\n", "    low: 40000\n    high: 30000\n")
    replace_once(path, "    place: ", "    plac: ", after="  - id: shuhada-distance-centre-2016-06\n")
    replace_once(path, "    date: 2016-06", "    date: 2016-06-31", after="  - id: fallujah-hunger-2016-06\n")
    replace_once(path, "omar-nazar", "omar-nazr", after="  - id: fallujah-booby-traps-2016-06\n")
    return ws


# docs/commands.md, `sitrep check`: a right-to-left override typed into an alias, an empty file.
@setup("invisible-character")
def invisible_character(root: Path) -> Path:
    ws = copy_example(root / "ws")
    replace_once(ws / "facts/actors.yaml", "aliases: [ISIL, IS, Daesh]", "aliases: [ISIL, IS, \u202eDaesh]")
    write(ws / "facts/north.yaml", "# Facts from the northern districts, to come.\n")
    return ws


# docs/languages.md, "Translations": one incident's Arabic translation deleted, its English changed.
@setup("stale-translation")
def stale_translation(root: Path) -> Path:
    ws = copy_example(root / "ws")
    path = ws / "facts/2016-06-fallujah.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("        en: Women and children ordered to stay;", "        en: Women and girls ordered to stay;")
    text, deleted = re.subn(r"\n        ar@c511d8c3: .*", "", text)
    assert deleted == 1
    path.write_text(text, encoding="utf-8")
    return ws


# docs/commands.md and docs/imports.md, `sitrep import`: an ACLED file of the real shape (generated,
# like the tests' and the benchmark's: no ACLED data ships), of the example's last week.
ACLED_FILE = "acled-iraq-2016.csv"


def write_acled_file(path: Path, broken: bool = False, undecided_dates: bool = False) -> Path:
    import csv
    import datetime as dt

    sys.path.insert(0, str(REPO / "bench"))
    from generate_imports import acled_rows

    from sitrep.exchange.acled import COLUMNS

    rows = list(acled_rows(40, seed=21, start=dt.date(2016, 6, 27), end=dt.date(2016, 7, 3), villages=5))
    if undecided_dates:  # day first, and no day over 12 to tell (docs/imports.md, "Dates")
        rows = list(acled_rows(10, seed=21, start=dt.date(2016, 7, 1), end=dt.date(2016, 7, 3), villages=5))
        for row in rows:
            row["event_date"] = dt.date.fromisoformat(row["event_date"]).strftime("%d/%m/%Y")
    if broken:
        rows[1]["event_date"] = "31 Juny 2016"
        rows[5]["sub_event_type"] = "Picnic"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


@setup("acled-file")
def acled_file(root: Path) -> Path:
    ws = copy_example(root / "ws")
    write_acled_file(ws / ACLED_FILE)
    return ws


@setup("acled-bad-cells")
def acled_bad_cells(root: Path) -> Path:
    ws = copy_example(root / "ws")
    write_acled_file(ws / ACLED_FILE, broken=True)
    return ws


# docs/imports.md, "From IOM DTM": the invented copy of HDX's DTM file (tests/exchange/formats/, where
# its format comes from), and the same imported on a fixed day, so that trace's output stays the same.
DTM_FILE = REPO / "tests/exchange/formats/dtm-hdx-admin0-2.csv"


@setup("dtm-file")
def dtm_file(root: Path) -> Path:
    import shutil

    ws = copy_example(root / "ws")
    shutil.copy(DTM_FILE, ws / "dtm.csv")
    return ws


@setup("dtm-imported")
def dtm_imported(root: Path) -> Path:
    import datetime as dt

    from sitrep.exchange.importing import run_import

    ws = dtm_file(root)
    run_import(ws / "config.yaml", "dtm", ws / "dtm.csv", on_day=dt.date(2026, 12, 7))
    return ws


@setup("acled-undecided-dates")
def acled_undecided_dates(root: Path) -> Path:
    ws = copy_example(root / "ws")
    write_acled_file(ws / ACLED_FILE, undecided_dates=True)
    return ws


# Template mistakes (docs/customising.md, docs/templates.md, docs/safety.md): a built-in copied
# into the workspace's templates/ folder, as `sitrep templates copy` does, and one line changed.
def template_mistake(name: str, old: str, new: str) -> Callable[[Path], Path]:
    def make(root: Path) -> Path:
        ws = copy_example(root / "ws")
        use_templates_folder(ws, "templates")
        mine = ws / "templates" / name
        write(mine, (REPO / "templates" / name).read_text(encoding="utf-8"))
        replace_once(mine, old, new)
        return ws
    return make


for _name, _template, _old, _new in [
    ("outlook-field-typo", "sections/outlook.html", "report.outlook", "report.outlok"),
    ("place-field-typo", "sections/places.html", "place.name", "place.nmae"),
    ("variable-typo", "sections/sources.html", "report.sources", "reprot.sources"),
    ("filter-typo", "sections/abuses.html", "| number", "| numbr"),
    ("include-typo", "sections/abuses.html", "_incident_table.html", "_incident_tabel.html"),
    ("template-reaches-python", "sections/outlook.html", "{{ _(\"Outlook\") }}",
     "{{ _(\"Outlook\") }}{{ cycler.__init__.__globals__ }}"),
    ("template-too-wide", "sections/outlook.html", "{{ _(\"Outlook\") }}",
     "{{ _(\"Outlook\") }}{{ 'x' | center(3000000000) }}"),
    ("tracking-image", "sections/outlook.html", "{{ _(\"Outlook\") }}",
     "{{ _(\"Outlook\") }}<img src=\"https://tracker.example/p.gif\" alt=\"\">"),
]:
    setup(_name)(template_mistake(_template, _old, _new))


@setup("template-runs-on")
def template_runs_on(root: Path) -> Path:
    """Loops within loops, and config.yaml's time limit set to 2 seconds (docs/templates.md, 'Limits')."""
    ws = template_mistake("sections/outlook.html", "{{ _(\"Outlook\") }}",
                          "{{ _(\"Outlook\") }}{% for i in range(100000) %}{% for j in range(100000) %}"
                          "{% endfor %}{% endfor %}")(root)
    with (ws / "config.yaml").open("a", encoding="utf-8") as config:
        config.write("limits: {template_seconds: 2}\n")
    return ws


# --- Running a block ----------------------------------------------------------------------------

NORMALISE = [
    (re.compile(r"built in \d+(\.\d+)? s\b"), "built in N.N s"),
    (re.compile(re.escape(str(REPO / "templates"))), "/…/sitrep/templates"),
]


def normalised(printed: str) -> str:
    for pattern, replacement in NORMALISE:
        printed = pattern.sub(replacement, printed)
    return printed


def run(command: str, cwd: Path) -> tuple[int, str]:
    """Run one `sitrep ...` command line as a user does; its exit code and what a terminal shows
    (standard output and error interleaved as written)."""
    program, *args = shlex.split(command)
    assert program == "sitrep", f"the manual's console blocks run sitrep and cd only, not {program!r}"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("SITREP_DEBUG", None)
    done = subprocess.run([sys.executable, "-m", "sitrep", *args], cwd=cwd, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, encoding="utf-8", timeout=300, env=env)
    # A terminal shows a build's progress on one line it clears at the end; through a pipe it comes
    # as plain lines (commands/progress.py), which the terminal would not keep.
    return done.returncode, without_progress(done.stdout)


def groups() -> list[tuple[Path, str, list[tuple[int, manual.Block]]]]:
    """(page, setup, its marked blocks with their index among the page's marked blocks), in page order."""
    found: dict[tuple[Path, str], list[tuple[int, manual.Block]]] = {}
    for page in manual.pages():
        for index, block in enumerate(manual.marked_blocks(page)):
            found.setdefault((page, block.marker.setup), []).append((index, block))
    return [(page, name, marked) for (page, name), marked in found.items()]


GROUPS = groups()


@pytest.mark.parametrize("page, setup_name, marked", GROUPS,
                         ids=[f"{manual.shown(page)}::{name}" for page, name, _ in GROUPS])
def test_the_manual_shows_what_the_commands_print(page, setup_name, marked, tmp_path):
    assert setup_name in SETUPS, f"{marked[0][1].where}: no setup named {setup_name!r} in {__name__}.py"
    cwd = SETUPS[setup_name](tmp_path)
    for index, block in marked:
        if block.marker.step:
            assert block.marker.step in STEPS, f"{block.where}: no step named {block.marker.step!r}"
            STEPS[block.marker.step](cwd)
        transcript = block.transcript
        assert transcript, f"{block.where}: a marked block shows no `$ ` command"
        printed = []
        for command, _ in transcript:
            if command.startswith("cd "):
                cwd = (cwd / command[3:].strip()).resolve()
                assert cwd.is_dir() and cwd.is_relative_to(tmp_path), f"{block.where}: {command}: no such folder"
                printed.append((command, ""))
                continue
            code, output = run(command, cwd)
            assert "Traceback" not in output, f"{block.where}: `{command}` crashed:\n{output}"
            assert code == block.marker.exit, (
                f"{block.where}: `{command}` exited {code}, the marker expects {block.marker.exit}:\n{output}")
            printed.append((command, normalised(output)))
        expected = manual.render_transcript(printed)
        if UPDATE:
            if expected != block.body:
                manual.rewrite_block(page, index, expected)
        else:
            assert block.body == expected, (
                f"{block.where}: the block is not what its commands print now; regenerate with\n"
                f"    {REGENERATE}\nand read the diff")


# --- What may not be in the manual --------------------------------------------------------------

# Lines that only sitrep's output holds: a problem at a file and line, a summary, a build.
SITREP_OUTPUT = re.compile(r"^\S+?(:\d+)?: (error|warning): |^OK: \d+ files?|^\d+ (errors?|warnings?)\b[.;:]"
                           r"|^Report \d+ for |^Added \w+ '|^Created a sitrep workspace|^\w+ import of ", re.M)


def test_every_console_block_is_marked_and_no_other_block_holds_sitrep_output():
    problems = []
    for page in manual.pages():
        found, marker_problems = manual.read_page(page)
        problems += marker_problems
        for block in found:
            if not block.info:
                problems.append(f"{block.where}: a fenced block without a language (console, sh, yaml, text...)")
            elif block.marker and block.info != "console":
                problems.append(f"{block.where}: an output marker on a '{block.info}' block (expected console)")
            elif block.info == "console" and not block.marker:
                problems.append(f"{block.where}: a console block without an output marker: its output "
                                "would go stale (mark it <!-- output --> and regenerate)")
            elif not block.marker and (line := SITREP_OUTPUT.search(block.body)):
                problems.append(f"{block.where}: '{line.group(0)}…' looks like sitrep's output in an unchecked "
                                "block (show it in a marked console block)")
    assert not problems, "\n".join(problems)


def test_every_setup_and_step_is_used_by_a_page():
    used_setups = {block.marker.setup for page in manual.pages() for block in manual.marked_blocks(page)}
    used_steps = {block.marker.step for page in manual.pages() for block in manual.marked_blocks(page)}
    assert set(SETUPS) - used_setups == set()
    assert set(STEPS) - used_steps == set()


def test_a_block_is_read_and_rewritten_as_it_is_written(tmp_path):
    """The mechanism itself, on a page written here: markers, indented blocks, a rewrite that keeps
    everything around the block, and the problems a writer can make."""
    page = write(tmp_path / "page.md", (
        "Intro.\n\n<!-- output | setup: four-mistakes | exit: 1 -->\n```console\n$ sitrep check\nold\n```\n\n"
        "- In a list:\n\n  <!-- output -->\n  ```console\n  $ sitrep weeks\n  old line\n  ```\n\n"
        "<!-- output | colour: red -->\n\nText.\n"))
    found, problems = manual.read_page(page)
    assert [(b.info, b.marker) for b in found] == [("console", manual.Marker("four-mistakes", None, 1)),
                                                  ("console", manual.Marker())]
    assert found[1].transcript == [("sitrep weeks", "old line\n")]
    assert [p.split(": ", 1)[1] for p in problems] == [
        "'colour: red' is not an option of an output marker (expected setup: NAME, step: NAME, exit: CODE)",
        "an output marker must be right before the block it marks"]
    manual.rewrite_block(page, 1, "$ sitrep weeks\nnew\n\nlines\n")
    text = page.read_text(encoding="utf-8")
    assert "  ```console\n  $ sitrep weeks\n  new\n\n  lines\n  ```\n" in text
    assert text.startswith("Intro.\n\n<!-- output | setup: four-mistakes | exit: 1 -->\n```console\n$ sitrep check\nold\n```")
    assert text.endswith("<!-- output | colour: red -->\n\nText.\n")
