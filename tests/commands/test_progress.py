"""What a build or an import shows while it runs, on stderr: on a terminal a line Rich redraws,
with a bar, the count and the time left for a run of many steps; elsewhere plain lines, one per
stage of a report or one per report of a longer run; with --quiet, nothing. The results stay on
stdout, and the library, called from Python, prints nothing at all."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time

from support import REPO, copy_example

sys.path.insert(0, str(REPO / "bench"))

from generate_imports import write_acled  # noqa: E402

WEEK = "2016-W26"
WEEKS = ["2015-W31", "2016-W26"]  # the example series: two reports
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # anything but a tab and a newline


def plain(result) -> list[str]:
    assert not CONTROL.search(result.stderr), repr(result.stderr)
    return result.stderr.splitlines()


def test_a_build_in_a_log_says_each_stage_of_each_report(tmp_path, sitrep_process):
    ws = copy_example(tmp_path / "ws")
    built = sitrep_process("build", "--language", "ar", cwd=ws)
    assert built.exit_code == 0, built.stderr
    assert plain(built) == [
        "sitrep build: ar: loading the store",
        f"sitrep build: {WEEK}, ar: rendering HTML",
        f"sitrep build: {WEEK}, ar: laying out the PDF",
        f"sitrep build: {WEEK}, ar: writing",
        "sitrep build: ar: writing the archive index",
        "3 warnings about the store; `sitrep check` lists them.",
    ]
    assert built.stdout.startswith(f"Report 2 for {WEEK} (")  # the results, on stdout as ever


def test_a_build_of_every_week_in_a_log_says_each_report_with_its_count(tmp_path, sitrep_process):
    ws = copy_example(tmp_path / "ws")
    for jobs in ("1", "2"):  # in this process, and each week in a worker, reported as it ends
        built = sitrep_process("build", "--all", "--force", "--format", "html", "--language", "en", "--jobs", jobs, cwd=ws)
        assert built.exit_code == 0, built.stderr
        lines = plain(built)
        assert lines[:2] == ["sitrep build: en: loading the store", "sitrep build: en: 2 reports to build"]
        done = lines[2:4]
        assert [re.sub(r".*\((\d) of 2\)$", r"\1", line) for line in done] == ["1", "2"]
        assert sorted(line.split(": ")[1] for line in done) == [f"{week}, en" for week in WEEKS]
        assert all(line.endswith(f": built ({n} of 2)") for n, line in enumerate(done, start=1))
        assert lines[4:] == ["sitrep build: en: writing the archive index",
                             "3 warnings about the store; `sitrep check` lists them."]


def test_quiet_prints_only_the_results(tmp_path, sitrep_process):
    ws = copy_example(tmp_path / "ws")
    for args in (["--language", "en", "--quiet"], ["--all", "-q"]):
        built = sitrep_process("build", "--format", "html", *args, cwd=ws)
        assert built.exit_code == 0 and built.stderr == "", built.stderr
        assert built.stdout.startswith("Report ")
    broken = ws / "facts/2016-06-fallujah.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("omar-nazar", "omar-nazr", 1), encoding="utf-8")
    refused = sitrep_process("build", "--quiet", cwd=ws)
    assert refused.exit_code == 1 and refused.stdout == ""
    error, summary = refused.stderr.splitlines()  # errors still print, and nothing else
    assert "error: [fallujah-booby-traps-2016-06]" in error and summary == "1 error; nothing was written."


def test_an_import_in_a_log_says_its_stages_and_quiet_only_its_summary(tmp_path, sitrep_process):
    ws = copy_example(tmp_path / "ws")
    import datetime as dt

    write_acled(ws / "acled.csv", 300, seed=3, start=dt.date(2016, 6, 27), end=dt.date(2016, 7, 3), villages=40)
    dry = sitrep_process("import", "acled", "acled.csv", "--dry-run", cwd=ws)
    assert dry.exit_code == 0, dry.stderr
    lines = plain(dry)
    assert lines[:3] == ["sitrep import: loading the store", "sitrep import: acled.csv: reading the file",
                         "sitrep import: acled.csv: checking the rows"]
    assert re.fullmatch(r"sitrep import: \d+ places to match", lines[3])
    assert lines[4:] == ["sitrep import: acled.csv: merging with the events held"]
    done = sitrep_process("import", "acled", "acled.csv", "-q", cwd=ws)
    assert done.exit_code == 0 and done.stderr == "", done.stderr
    assert done.stdout.startswith("ACLED import of acled.csv") and "Written to bulk" in done.stdout


def test_on_a_terminal_a_build_of_every_week_shows_a_bar_with_the_count(tmp_path):
    """The real program with its stderr on a terminal (a pseudo-terminal), its stdout a pipe."""
    ws = copy_example(tmp_path / "ws")
    terminal, program_side = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "sitrep", "build", "--all", "--force", "--format", "html",
                                "--language", "en", "--jobs", "1"], cwd=ws, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=program_side,
                               env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "100"})
    os.close(program_side)
    shown = b""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        ready, _, _ = select.select([terminal], [], [], 1)
        if ready:
            try:
                chunk = os.read(terminal, 65536)
            except OSError:  # the program ended and closed its side
                break
            if not chunk:
                break
            shown += chunk
        elif process.poll() is not None:
            break
    os.close(terminal)
    stdout = process.stdout.read().decode()
    assert process.wait(timeout=60) == 0, shown.decode(errors="replace")
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown.decode())
    assert "━" in text  # the bar
    assert re.search(r"\b[0-1]/2\b", text) and "en: 2 reports to build" in text  # its count as it runs
    assert "laying out the PDF" not in text and "rendering HTML" in text  # the stage of the report under way
    assert "\r" in text  # redrawn in place
    assert text.rstrip().endswith("3 warnings about the store; `sitrep check` lists them.")  # the bar cleared
    assert stdout.startswith("Report 1 for 2015-W31") and "\x1b" not in stdout  # results untouched


def test_the_library_prints_nothing(tmp_path, capfd, monkeypatch):
    from sitrep import build_all, build_week

    ws = copy_example(tmp_path / "ws")
    monkeypatch.chdir(ws)
    build_week("config.yaml", formats=("html",), language="en")
    build_all("config.yaml", formats=("html",), language="en", force=True, jobs=2)
    assert capfd.readouterr() == ("", "")
