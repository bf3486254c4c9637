"""The archive: `build --all`, the index, incremental and forced rebuilds, byte-identical
rebuilds, and a build killed half-way."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from support import (CONFIG, STORE, children_of, cpu_ticks, holds_the_lock, report_versions,
                     reports_written_since, wait_until, write)

WEEKS = ["2025-W10", "2025-W11", "2025-W12", "2025-W14"]


@pytest.fixture
def series(tmp_path: Path) -> Path:
    workspace = tmp_path / "ws"
    write(workspace / "config.yaml", CONFIG + "file_stem: river\n")
    write(workspace / "facts" / "store.yaml", STORE)
    return workspace


def built_files(workspace: Path) -> dict[str, bytes]:
    out = workspace / "output"
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.suffix in (".html", ".pdf") and p.parent != out}  # the reports, not the index


def add_incident(workspace: Path, entry_id: str, date: str) -> None:
    store = workspace / "facts" / "store.yaml"
    store.write_text(store.read_text().replace("incidents:\n", f"incidents:\n  - {{id: {entry_id}, type: arbitrary_detention, "
                                               f"date: {date}, place: town, status: alleged, summary: Men were detained., "
                                               "cited: [{source: paper}]}\n"))


def build(sitrep_cli, workspace: Path, *args: str):
    done = sitrep_cli("build", "--config", workspace / "config.yaml", *args)
    assert done.exit_code == 0, done.output
    return done


def built_weeks(done) -> list[str]:
    return [line.split(" for ")[1].split(" ")[0] for line in done.stdout.splitlines()
            if line.startswith("Report ") and "built in" in line]


def test_build_all_writes_every_week_and_an_index(series, sitrep_cli):
    done = build(sitrep_cli, series, "--all", "--format", "html")
    assert built_weeks(done) == WEEKS
    assert "4 of 4 reports built" in done.stdout
    index = (series / "output" / "index.html").read_text()
    for number, week in enumerate(WEEKS, start=1):
        assert f'<tr id="{week}">' in index
        assert f'href="{week}/river-{week}.html"' in index
        assert (series / "output" / week / f"river-{week}.html").is_file()
    # Newest first, with the headline figures of each report.
    assert index.index('id="2025-W14"') < index.index('id="2025-W10"')
    assert "Civilians trapped, Rivertown: 8,000 people" in index
    assert "Civilians trapped, Rivertown: 15,000–18,000 people" in index


def test_a_no_change_rebuild_builds_nothing(series, sitrep_cli):
    build(sitrep_cli, series, "--all", "--format", "html")
    before = built_files(series)
    index_before = (series / "output" / "index.html").stat().st_mtime_ns
    again = build(sitrep_cli, series, "--all", "--format", "html")
    assert built_weeks(again) == []
    assert "0 of 4 reports built, 4 up to date" in again.stdout
    assert built_files(series) == before
    assert (series / "output" / "index.html").stat().st_mtime_ns == index_before


def test_only_the_weeks_a_change_touches_are_rebuilt(series, sitrep_cli):
    build(sitrep_cli, series, "--all", "--format", "html")
    store = series / "facts" / "store.yaml"
    # An incident in W14 changes W14 only: W12's report does not show it (it is the later one).
    add_incident(series, "raid-w14", "2025-04-01")
    assert built_weeks(build(sitrep_cli, series, "--all", "--format", "html")) == ["2025-W14"]
    # A key figure in W11 changes W11, W12 (it compares with W11) and W14 (its trend chart).
    store.write_text(store.read_text().replace("low: 15000, high: 18000", "low: 15000, high: 19000"))
    assert built_weeks(build(sitrep_cli, series, "--all", "--format", "html")) == ["2025-W11", "2025-W12", "2025-W14"]
    # A source's grade appears in every report.
    store.write_text(store.read_text().replace("reliability: B}", "reliability: C}"))
    assert built_weeks(build(sitrep_cli, series, "--all", "--format", "html")) == WEEKS


def test_config_templates_deleted_files_and_force_rebuild(series, sitrep_cli):
    build(sitrep_cli, series, "--all", "--format", "html")
    config = series / "config.yaml"
    config.write_text(config.read_text().replace("Rivertown report", "Rivertown weekly"))
    assert built_weeks(build(sitrep_cli, series, "--all", "--format", "html")) == WEEKS
    (series / "output" / "2025-W11" / "river-2025-W11.html").unlink()
    assert built_weeks(build(sitrep_cli, series, "--all", "--format", "html")) == ["2025-W11"]
    (series / "output" / "2025-W12" / "river-2025-W12.html").write_text("edited by hand")
    assert built_weeks(build(sitrep_cli, series, "--all", "--format", "html")) == ["2025-W12"]
    write(series / "templates" / "sections" / "outlook.html", "<p>Our own outlook section</p>\n")
    config.write_text(config.read_text() + "templates: templates\n")
    assert built_weeks(build(sitrep_cli, series, "--all", "--format", "html")) == WEEKS
    assert built_weeks(build(sitrep_cli, series, "--all", "--format", "html", "--force")) == WEEKS
    # A single week builds incrementally too.
    single = build(sitrep_cli, series, "--week", "2025-W12", "--format", "html")
    assert "up to date, not rebuilt" in single.stdout and "--force rebuilds it" in single.stdout


def test_rebuilds_are_byte_identical_here_and_elsewhere(series, sitrep_cli, tmp_path):
    build(sitrep_cli, series, "--all")
    first = built_files(series)
    assert len(first) == 2 * len(WEEKS)
    build(sitrep_cli, series, "--all", "--force", "--jobs", "1")
    assert built_files(series) == first
    # Another folder, another day: the same inputs give the same bytes.
    elsewhere = tmp_path / "another" / "machine"
    shutil.copytree(series / "facts", elsewhere / "facts")
    shutil.copy(series / "config.yaml", elsewhere / "config.yaml")
    build(sitrep_cli, elsewhere, "--all", "--jobs", "2")
    assert built_files(elsewhere) == first
    for name, data in first.items():
        if name.endswith(".pdf"):
            assert b"/CreationDate" not in data or b"D:2025" in data  # dates come from the report


def test_parallel_and_serial_builds_agree(series, sitrep_cli):
    build(sitrep_cli, series, "--all", "--format", "html", "--jobs", "2")
    parallel = built_files(series)
    index = (series / "output" / "index.html").read_bytes()
    build(sitrep_cli, series, "--all", "--format", "html", "--jobs", "1", "--force")
    assert built_files(series) == parallel
    assert (series / "output" / "index.html").read_bytes() == index


def test_an_internal_archive_is_kept_apart_from_the_public_one(series, sitrep_cli):
    build(sitrep_cli, series, "--all", "--format", "html")
    build(sitrep_cli, series, "--all", "--format", "html", "--edition", "internal")
    out = series / "output"
    assert (out / "index.html").is_file() and (out / "index-internal.html").is_file()
    assert "Internal edition" in (out / "index-internal.html").read_text()
    assert "Internal edition" not in (out / "index.html").read_text()
    assert (out / "2025-W10" / "river-2025-W10.html").is_file()
    assert (out / "2025-W10" / "river-2025-W10-internal.html").is_file()


def test_a_build_killed_half_way_leaves_whole_files(series, sitrep_cli):
    build(sitrep_cli, series, "--all")
    before = built_files(series)
    config = series / "config.yaml"
    config.write_text(config.read_text().replace("Rivertown report", "Rivertown weekly"))
    process = subprocess.Popen([sys.executable, "-m", "sitrep", "build", "--all", "--jobs", "1"],
                               cwd=series, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # Killed once a first report is rewritten and before the last one is: stopped (SIGSTOP) the
    # moment a rewritten file shows, it writes nothing more while the test looks, however busy
    # the machine.
    output, versions = series / "output", report_versions(series / "output")
    wait_until(lambda: process.poll() is not None or reports_written_since(output, versions) >= 1, interval=0.005,
               message="a first report rewritten")
    process.send_signal(signal.SIGSTOP)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, "the build ended before it could be interrupted"
    now = built_files(series)
    assert [name for name, data in now.items() if data != before[name]], "no report was rewritten"
    assert set(now) == set(before)  # nothing disappeared
    unfinished = 0
    for name, data in now.items():
        if data == before[name]:
            unfinished += 1
            continue
        # A rewritten file is whole: the new report, complete.
        if name.endswith(".pdf"):
            assert data.rstrip().endswith(b"%%EOF")
            assert "Rivertown weekly" in PdfReader(series / "output" / name).pages[0].extract_text()
        else:
            assert data.rstrip().endswith(b"</html>") and b"Rivertown weekly" in data
    assert unfinished > 0, "every file was rewritten: the kill came too late to test anything"
    # The next build finishes the job and sweeps up the temporary files the killed one left.
    done = build(sitrep_cli, series, "--all")
    assert "Rivertown weekly" in (series / "output" / "2025-W14" / "river-2025-W14.html").read_text()
    assert not [p for p in (series / "output").rglob("*.tmp")]
    assert "reports built" in done.stdout


# --- Compiled templates kept between runs ------------------------------------------------------

def test_compiled_templates_are_reused_signed_and_follow_template_edits(series, sitrep_cli, monkeypatch):
    import jinja2

    build(sitrep_cli, series, "--all", "--format", "html")
    folder = series / ".sitrep-cache" / "templates"
    assert len(list(folder.iterdir())) >= 10  # report.html, base.html, the sections...
    compiled: list[str] = []
    real_compile = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile",
                        lambda self, source, name=None, *a, **k: compiled.append(name) or real_compile(self, source, name, *a, **k))
    build(sitrep_cli, series, "--week", "2025-W12", "--format", "html", "--force")
    assert compiled == []  # every template came from the cache
    # A forged entry (not signed with this user's key) is never run: compiled afresh instead.
    for entry in folder.iterdir():
        entry.write_bytes(b"\0" * 32 + entry.read_bytes()[32:])
    build(sitrep_cli, series, "--week", "2025-W12", "--format", "html", "--force")
    assert "report.html" in compiled
    # An edited template is compiled again (Jinja checks the source's checksum). With templates
    # of the workspace's own, the render runs in a child process (render/budget.py), where the
    # patched compile above is not seen: what shows it is the cache, which gains the new code.
    def cached() -> dict[str, bytes]:
        return {entry.name: entry.read_bytes() for entry in folder.iterdir()}

    write(series / "templates" / "sections" / "outlook.html", "<p>Own outlook</p>\n")
    config = series / "config.yaml"
    config.write_text(config.read_text() + "templates: templates\n")
    before = cached()
    build(sitrep_cli, series, "--week", "2025-W12", "--format", "html")
    assert cached() != before
    report = series / "output" / "2025-W12" / "river-2025-W12.html"
    assert "Own outlook" in report.read_text()
    before = cached()
    write(series / "templates" / "sections" / "outlook.html", "<p>Edited outlook</p>\n")
    build(sitrep_cli, series, "--week", "2025-W12", "--format", "html")
    assert cached() != before
    assert "Edited outlook" in report.read_text()


# --- The PDF helper process and Ctrl+C ------------------------------------------------------------

def test_the_pdf_helper_renders_what_the_pdf_stage_renders_and_reports_refusals(series, sitrep_cli):
    from sitrep.errors import TemplateProblem
    from sitrep.render.pdf import render_pdf
    from sitrep.render.pdfhelper import PdfHelper

    build(sitrep_cli, series, "--week", "2025-W12", "--format", "html")
    html = (series / "output" / "2025-W12" / "river-2025-W12.html").read_text()
    folder = series / "output" / "2025-W12"
    roots = [series, series / "output" / "assets"]
    with PdfHelper() as helper:
        assert helper.render(html, base_dir=folder, allowed_roots=roots) == \
            render_pdf(html, base_dir=folder, allowed_roots=roots)
        with pytest.raises(TemplateProblem) as refused:
            helper.render(html.replace("</body>", '<img src="file:///etc/hostname"></body>'),
                          base_dir=folder, allowed_roots=roots)
        assert "file:///etc/hostname" in str(refused.value.problems[0])
        pid = helper.pid
        assert helper.running
    assert not helper.running and not Path(f"/proc/{pid}").exists()


def test_the_pdf_helpers_lanes_lay_out_side_by_side_the_same_bytes(series, sitrep_cli):
    # A build of one week in several languages asks the helper for lanes and lays out a PDF on
    # each from threads at once (issue 25): each lane a copy of the helper, WeasyPrint imported.
    import threading

    from sitrep.render.pdf import render_pdf
    from sitrep.render.pdfhelper import PdfHelper

    build(sitrep_cli, series, "--week", "2025-W12", "--format", "html")
    folder = series / "output" / "2025-W12"
    html = (folder / "river-2025-W12.html").read_text()
    roots = [series, series / "output" / "assets"]
    pages = [html.replace("</body>", f"<p>copy {n}</p></body>") for n in range(4)]  # four PDFs, each its own
    with PdfHelper(lanes=3) as helper:
        assert helper.open_lanes() == 3
        assert helper.open_lanes() == 3  # once
        got: dict[int, bytes] = {}
        threads = [threading.Thread(target=lambda n=n: got.__setitem__(
            n, helper.render(pages[n], base_dir=folder, allowed_roots=roots))) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(children_of(helper.pid)) == 2  # lanes 2 and 3, forked by the helper, which serves the first
        copies = set(children_of(helper.pid))
    assert [got[n] for n in range(4)] == [render_pdf(page, base_dir=folder, allowed_roots=roots) for page in pages]
    gone_soon = lambda: all(not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
                            for pid in copies)  # noqa: E731
    wait_until(gone_soon, 10, interval=0.01, message="the lanes to end with the helper")


def test_a_lane_that_dies_is_an_error_not_a_wait(series, sitrep_cli):
    # The helper closes its copies of the other lanes' pipes once it has forked them: a copy that
    # dies leaves its reply pipe with no writer, and whoever waits on it reads the end at once.
    import threading

    from sitrep.render.pdfhelper import PdfHelper

    build(sitrep_cli, series, "--week", "2025-W12", "--format", "html")
    folder = series / "output" / "2025-W12"
    html = (folder / "river-2025-W12.html").read_text()
    roots = [series, series / "output" / "assets"]
    with PdfHelper(lanes=2) as helper:
        helper.open_lanes()
        helper.render(html, base_dir=folder, allowed_roots=roots)  # the helper has read open_lanes' request
        [copy] = wait_until(lambda: list(children_of(helper.pid)) or None, 10, interval=0.01, message="lane 2")
        os.kill(copy, signal.SIGKILL)
        outcomes: list = []

        def render() -> None:
            try:
                outcomes.append(helper.render(html, base_dir=folder, allowed_roots=roots))
            except RuntimeError as error:
                outcomes.append(error)

        threads = [threading.Thread(target=render) for _ in range(2)]  # one on each lane
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads), "a render waited on a dead lane"
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["RuntimeError", "bytes"]
    assert "ended unexpectedly" in str(next(o for o in outcomes if isinstance(o, RuntimeError)))


def test_ctrl_c_ends_a_build_cleanly(series):
    # Whenever it comes, an interrupt ends the build with exit 130, one line, no traceback, and
    # no process left behind (a helper holding the pipes would keep communicate() waiting). It
    # comes at moments the test waits for: once the build holds the lock (store loaded, the
    # report being made); while it waits for a PDF its helper, stopped, will never lay out; and,
    # in a build of every week in this one process, once a first report is written (WeasyPrint
    # laying out the next one, or the build writing it).
    output = series / "output"
    holding_the_lock = lambda process, before: holds_the_lock(output, process.pid)  # noqa: E731
    moments = {
        "holding the lock": (("--force",), holding_the_lock),
        "waiting for its PDF": (("--force",), holding_the_lock),
        "a first report written": (("--all", "--force", "--jobs", "1"),
                                   lambda process, before: reports_written_since(output, before) >= 1),
    }
    for what, (args, moment) in moments.items():
        before = report_versions(output) if output.is_dir() else {}
        process = subprocess.Popen([sys.executable, "-m", "sitrep", "build", *args], cwd=series,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
        if what == "waiting for its PDF":
            # Stopped once it has run a while (it asked to end with its build long before): the PDF never comes.
            [helper] = wait_until(lambda: children_of(process.pid), interval=0.005, message="the PDF helper")
            wait_until(lambda: cpu_ticks(helper) >= 20, interval=0.005, message="the helper to run a while")
            os.kill(helper, signal.SIGSTOP)
        wait_until(lambda: process.poll() is not None or moment(process, before), interval=0.005, message=what)
        with contextlib.suppress(ProcessLookupError):  # ended already
            os.killpg(process.pid, signal.SIGINT)
        _, stderr = process.communicate(timeout=60)  # would hang if a helper kept the pipes open
        if process.returncode == 0 and what != "waiting for its PDF":
            continue  # it finished before the test could interrupt it (a busy machine): nothing to check
        assert process.returncode == 130, (what, stderr)
        assert "Traceback" not in stderr
        assert stderr.strip().splitlines()[-1].startswith("interrupted;")
        for pdf in output.rglob("*.pdf"):
            assert pdf.read_bytes().rstrip().endswith(b"%%EOF")


# --- What the incremental build must notice ------------------------------------------------------

def test_renaming_a_route_rebuilds_the_weeks_that_name_it(series, sitrep_cli):
    store = series / "facts" / "store.yaml"
    store.write_text(store.read_text() + "movements:\n  - {id: m1, period: 2025-03-19, origin: town, destination: camp,"
                     " route: river-road, summary: Families left., cited: [{source: paper}]}\n")
    build(sitrep_cli, series, "--all", "--format", "html")
    store.write_text(store.read_text().replace("name: River road", "name: Lower river road"))
    rebuilt = built_weeks(build(sitrep_cli, series, "--all", "--format", "html"))
    assert "2025-W12" in rebuilt
    assert "Lower river road" in (series / "output" / "2025-W12" / "river-2025-W12.html").read_text()


def test_a_week_added_earlier_in_the_series_rebuilds_the_later_charts(series, sitrep_cli):
    build(sitrep_cli, series, "--all", "--format", "html")
    # A fact in W13 (no report yet) renumbers W14 and moves its chart's points. W12 is left
    # as it was: its "Next report" is a week after it whatever came later (no hindsight).
    add_incident(series, "w13", "2025-03-26")
    assert built_weeks(build(sitrep_cli, series, "--all", "--format", "html")) == ["2025-W13", "2025-W14"]


def test_the_internal_edition_leaves_nothing_in_files_without_internal_in_their_names(series, sitrep_cli):
    store = series / "facts" / "store.yaml"
    store.write_text(store.read_text().replace(
        "value: 700, unit: people, cited: [{source: agency}]}",
        "value: 777777, unit: people, cited: [{source: agency}], sensitivity: restricted}"))
    build(sitrep_cli, series, "--all", "--format", "html")
    build(sitrep_cli, series, "--all", "--format", "html", "--edition", "internal")
    internal_text = (series / "output" / "index-internal.html").read_text()
    # As the report prints it: a comma, which no file size or timestamp in the manifest has.
    assert "777,777" in internal_text
    for path in (series / "output").rglob("*"):
        if path.is_file() and "internal" not in path.name and path.suffix in (".html", ".json"):
            assert "777,777" not in path.read_text(encoding="utf-8"), path


def _worker_that_dies(position):
    os._exit(9)  # what the out-of-memory killer does to a worker


def test_a_worker_that_dies_ends_the_build_with_a_message_not_a_hang(series, monkeypatch):
    import sitrep.build
    from sitrep.errors import SitrepError

    monkeypatch.setattr(sitrep.build, "_build_in_worker", _worker_that_dies)
    with pytest.raises(SitrepError) as failure:
        sitrep.build.build_all(series / "config.yaml", formats=("html",), jobs=2)
    assert "a worker process building the reports died" in str(failure.value.problems[0])


def test_a_public_movement_may_not_name_a_restricted_route(series, sitrep_cli):
    store = series / "facts" / "store.yaml"
    text = store.read_text().replace("    name: River road\n", "    name: Tunnel by the farm\n    sensitivity: restricted\n")
    text += ("movements:\n  - {id: m1, period: 2025-03-19, origin: town, destination: camp, route: river-road,"
             " summary: Families left., cited: [{source: paper}]}\n")
    store.write_text(text)
    done = sitrep_cli("build", "--config", series / "config.yaml", "--format", "html")
    assert done.exit_code == 1
    assert "[m1] a public movement refers to the restricted route 'river-road'" in done.stderr
    assert not (series / "output").exists() or "Tunnel" not in "".join(
        p.read_text() for p in (series / "output").rglob("*.html"))


def test_sitrep_edits_own_pages_are_no_part_of_what_a_report_is_made_from():
    # templates/editor/ holds the editor's forms (issue 26): changing them must rebuild no report.
    from sitrep.source.config import EDITOR_PAGES, builtin_report_templates, builtin_templates_dir

    inputs = builtin_report_templates()
    assert builtin_templates_dir() / EDITOR_PAGES not in inputs and (builtin_templates_dir() / EDITOR_PAGES).is_dir()
    assert builtin_templates_dir() / "report.html" in inputs and builtin_templates_dir() / "sections" in inputs
