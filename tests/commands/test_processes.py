"""The processes a build forks (the workers of `build --all`, the PDF helper of a one-week
build) end with it, however it ends: killed outright (SIGKILL), a build left its workers
blocked on a pipe and a lock for good (issue 9: 27 kills of 33).

Each build is killed at a moment the test waits for (a state of the build, seen through /proc
and its output folder), never after a fixed sleep; and how long the children take to end is
not measured, only that they end (they take milliseconds; a wait of PATIENCE ends only in a hang)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from sitrep import processes
from support import (PATIENCE, children_of, cpu_ticks, gone, report_versions, reports_written_since, stat_fields,
                     wait_until)

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds processes through /proc")

def start_build(workspace: Path, *args: str) -> subprocess.Popen:
    # Output to files, not pipes: a surviving child would keep a pipe open, and the test waiting.
    log = open(workspace / "build.log", "wb")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen([sys.executable, "-m", "sitrep", "build", *args], cwd=workspace,
                               stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    log.close()
    return process


def wait_for_children(process: subprocess.Popen, count: int) -> dict[int, str]:
    def seen() -> dict[int, str] | None:
        assert process.poll() is None, "the build ended before its children were seen"
        children = children_of(process.pid)
        return children if len(children) >= count else None

    return wait_until(seen, PATIENCE, interval=0.005, message=f"{count} children of the build")


def wait_for(moment, process: subprocess.Popen, what: str) -> None:
    """Wait until `moment()` holds while the build still runs."""
    def reached() -> bool:
        assert process.poll() is None, f"the build ended before {what}: nothing was tested"
        return moment()

    wait_until(reached, PATIENCE, interval=0.005, message=what)


def stop(children: dict[int, str]) -> None:
    """SIGSTOP every child still running. Stopped, a child can end by nothing it does itself,
    only by a signal that ends it: the kernel's SIGKILL, once it has asked for it (end_with_parent)."""
    for pid, started in children.items():
        if not gone(pid, started):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)


def kill_and_wait_for_their_end(process: subprocess.Popen, children: dict[int, str]) -> None:
    """SIGKILL the build; then wait until every child of it is gone."""
    assert process.poll() is None, "the build finished before it could be killed: nothing was tested"
    process.kill()
    process.wait()
    try:
        wait_until(lambda: all(gone(pid, started) for pid, started in children.items()), PATIENCE,
                   interval=0.005, message="the children of the killed build to end")
    except AssertionError:
        left = [pid for pid, started in children.items() if not gone(pid, started)]
        for pid in left:  # leave nothing behind for the tests that follow (SIGKILL ends a stopped one too)
            os.kill(pid, signal.SIGKILL)
        raise AssertionError(f"children {left} still running {PATIENCE} s after their parent was killed") from None


def test_killed_build_all_takes_its_workers_with_it(workspace):
    # A series long enough to be killed mid-way: a report for every week, quiet ones included
    # (the example's four reports are built in about a second).
    config = workspace / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("quiet_weeks: skip", "quiet_weeks: report"),
                      encoding="utf-8")
    output = workspace / "output"
    # Killed at different moments: as the workers are forked (before they can ask to die with
    # their parent), once each has run, and while they build (a first report written, then a
    # few). By then they have long asked, and they are stopped before the build is killed (stop).
    moments = {
        "the workers forked": (lambda before: True, False),
        "the workers forked, again": (lambda before: True, False),
        "every worker has run": (lambda before: all(cpu_ticks(pid) > 0 for pid in children_of(process.pid)), False),
        "a first report written": (lambda before: reports_written_since(output, before) >= 1, True),
        "a few reports written": (lambda before: reports_written_since(output, before) >= 3, True),
    }
    for what, (moment, stopped) in moments.items():
        before = report_versions(output) if output.is_dir() else {}
        process = start_build(workspace, "--all", "--force", "--jobs", "2")
        seen = wait_for_children(process, 2)
        wait_for(lambda: moment(before), process, what)
        children = {**seen, **children_of(process.pid)}
        if stopped:
            stop(children)
        kill_and_wait_for_their_end(process, children)
    # The build that follows is not held up by anything the killed ones left (the lock).
    done = subprocess.run([sys.executable, "-m", "sitrep", "build", "--all", "--format", "html"], cwd=workspace,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "waiting" not in done.stderr


def test_killed_one_week_build_takes_its_pdf_helper_with_it(workspace):
    # Killed while the helper imports WeasyPrint (as it is forked, before or as it asks to end
    # with its parent), once it has run a while (importing or laying out a PDF), and once the
    # build has written a report (laying out the next language's). From the second moment on
    # the helper has long asked, and it is stopped before its build is killed: it cannot then
    # end by itself (by reading its pipe again once its import or PDF is done, and finding it
    # closed, as it used to), only by the SIGKILL the kernel sends the moment its parent dies.
    output = workspace / "output"
    moments = {
        "the helper forked": (lambda helper, before: True, False),
        "the helper has run a while": (lambda helper, before: cpu_ticks(helper) >= 20, True),
        "a first report written": (lambda helper, before: reports_written_since(output, before) >= 1, True),
    }
    for what, (moment, stopped) in moments.items():
        before = report_versions(output) if output.is_dir() else {}
        # --jobs 1: every language's PDF laid out by the one helper (more jobs build on a pool).
        process = start_build(workspace, "--force", "--jobs", "1")
        children = wait_for_children(process, 1)
        [helper] = children
        wait_for(lambda: moment(helper, before), process, what)
        if stopped:
            stop(children)
        kill_and_wait_for_their_end(process, children)



def test_ctrl_c_in_a_pooled_build_of_every_language_ends_it_and_its_workers_cleanly(workspace):
    # Every week in three languages on one pool of two workers (issue 25), interrupted once a
    # first report is written and others are being laid out: one line and exit 130, as any
    # build (test_interrupts.py), and no worker left behind.
    output = workspace / "output"
    process = start_build(workspace, "--all", "--force", "--jobs", "2", "--quiet")
    workers = wait_for_children(process, 2)
    wait_for(lambda: reports_written_since(output, {}) >= 1, process, "a first report written")
    workers.update(children_of(process.pid))
    interrupt_and_see_it_end_cleanly(process, workspace, workers)


def interrupt_and_see_it_end_cleanly(process: subprocess.Popen, workspace: Path, children: dict[int, str]) -> None:
    """Ctrl+C: one line and exit 130, as any build (test_interrupts.py), and every child gone."""
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=PATIENCE) == 130
    said = (workspace / "build.log").read_text(encoding="utf-8")
    assert said == "interrupted; every file is either as it was or complete (writes are atomic)\n", said
    wait_until(lambda: all(gone(pid, started) for pid, started in children.items()), PATIENCE,
               interval=0.005, message="the children of the interrupted build to end")


def helper_and_lanes(process: subprocess.Popen) -> dict[int, str]:
    """A one-week build's PDF helper and the copies of it that serve its other lanes (its children)."""
    [helper] = wait_for_children(process, 1)

    def lanes() -> dict[int, str] | None:
        assert process.poll() is None, "the build ended before the helper's lanes were seen"
        copies = children_of(helper)
        return copies if len(copies) >= 2 else None

    return {**children_of(process.pid), **wait_until(lanes, PATIENCE, interval=0.005, message="the helper's lanes")}


def test_ctrl_c_in_a_one_week_build_of_every_language_ends_it_its_helper_and_lanes_cleanly(workspace):
    # One week in three languages: each rendered in the build while the helper's lanes (one more
    # than the cores) lay out the PDFs (issue 25). Interrupted once a first report is written: one
    # line and exit 130, and neither the helper nor a copy of it left behind.
    output = workspace / "output"
    process = start_build(workspace, "--force", "--quiet")
    family = helper_and_lanes(process)
    wait_for(lambda: reports_written_since(output, {}) >= 1, process, "a first report written")
    interrupt_and_see_it_end_cleanly(process, workspace, family)


def test_killed_one_week_build_of_every_language_takes_the_helper_and_its_lanes_with_it(workspace):
    # SIGKILL leaves no "interrupted" path to run: the helper ends by the kernel's signal when the
    # build dies, and each copy of it when the helper does. Stopped first, none can end by
    # reading its pipe closed.
    output = workspace / "output"
    before = report_versions(output) if output.is_dir() else {}
    process = start_build(workspace, "--force")
    family = helper_and_lanes(process)
    wait_for(lambda: reports_written_since(output, before) >= 1, process, "a first report written")
    stop(family)
    kill_and_wait_for_their_end(process, family)


WATCHED_CHILD = """
import os, sys, time
from sitrep import processes
parent = os.getpid()
if os.fork() == 0:
    processes.{how}(parent)
    print(os.getpid(), flush=True)  # it has asked
    time.sleep(600)
    os._exit(0)
time.sleep(600)
"""


@pytest.mark.parametrize("how", ["end_with_parent", "_watch_parent"])
def test_a_child_ends_with_its_parent_by_prctl_and_by_the_fallback_thread(how):
    """end_with_parent as the builds call it, and the thread it falls back on where there is
    no prctl (not Linux), each in a child forked from a process that is then killed. The child
    would sleep for ten minutes: it ends sooner only because its parent died."""
    script = subprocess.Popen([sys.executable, "-c", WATCHED_CHILD.format(how=how)], stdout=subprocess.PIPE,
                              text=True)
    child = int(script.stdout.readline())
    started = stat_fields(child)[19]
    if how == "end_with_parent":
        stop({child: started})  # then only the kernel's SIGKILL (prctl) can end it
    kill_and_wait_for_their_end(script, {child: started})
    script.stdout.close()


def test_a_child_whose_parent_died_before_it_asked_ends_at_once():
    # Between the fork and the request to die with its parent, the parent may die: the child
    # has been adopted by then, and must not wait for a signal that will never come.
    pid = os.fork()
    if pid == 0:
        try:
            processes.end_with_parent(os.getpid())  # not its parent's pid: as if it had been adopted
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 1
