"""The processes a build forks (the workers of `build --all`, the PDF helper of a one-week
build) end with it, however it ends: killed outright (SIGKILL), a build left its workers
blocked on a pipe and a lock for good (issue 9: 27 kills of 33)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sitrep import processes

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds processes through /proc")

DEATH_SECONDS = 10  # how long a child may outlive its killed parent (it takes milliseconds)


def stat_fields(pid: int) -> list[str] | None:
    """/proc/<pid>/stat from the state on (the command name, in parentheses, may hold spaces)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return text[text.rindex(")") + 2:].split()


def children_of(parent: int) -> dict[int, str]:
    """The live children of `parent`: pid -> start time (a reused pid has another)."""
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = stat_fields(int(entry.name))
            if fields and int(fields[1]) == parent and fields[0] not in "ZX":
                children[int(entry.name)] = fields[19]
    return children


def gone(pid: int, started: str) -> bool:
    """Ended: no such process, a zombie (dead, waiting for whoever adopted it to reap it), or
    another process that was given the pid since."""
    fields = stat_fields(pid)
    return fields is None or fields[0] in "ZX" or fields[19] != started


def start_build(workspace: Path, *args: str) -> subprocess.Popen:
    # Output to files, not pipes: a surviving child would keep a pipe open, and the test waiting.
    log = open(workspace / "build.log", "wb")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen([sys.executable, "-m", "sitrep", "build", *args], cwd=workspace,
                               stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    log.close()
    return process


def wait_for_children(process: subprocess.Popen, count: int, timeout: float = 120) -> dict[int, str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = children_of(process.pid)
        if len(children) >= count:
            return children
        assert process.poll() is None, "the build ended before its children were seen"
        time.sleep(0.005)
    raise AssertionError(f"no {count} children after {timeout} s")


def kill_and_time_their_end(process: subprocess.Popen, children: dict[int, str]) -> float:
    """SIGKILL the build; the seconds until every child of it is gone (fails after DEATH_SECONDS)."""
    assert process.poll() is None, "the build finished before it could be killed: nothing was tested"
    process.kill()
    killed = time.monotonic()
    process.wait()
    while time.monotonic() - killed < DEATH_SECONDS:
        if all(gone(pid, started) for pid, started in children.items()):
            return time.monotonic() - killed
        time.sleep(0.005)
    left = [pid for pid, started in children.items() if not gone(pid, started)]
    for pid in left:  # leave nothing behind for the tests that follow
        os.kill(pid, signal.SIGKILL)
    raise AssertionError(f"children {left} still running {DEATH_SECONDS} s after their parent was killed")


def test_killed_build_all_takes_its_workers_with_it(workspace):
    # A series long enough to be killed mid-way: a report for every week, quiet ones included
    # (the example's four reports are built in about a second).
    config = workspace / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("quiet_weeks: skip", "quiet_weeks: report"),
                      encoding="utf-8")
    # Killed at different moments: as the workers are forked (before they can ask to die with
    # their parent), while they start, and while they build.
    for delay in (0.0, 0.0, 0.05, 0.2, 0.5, 1.0):
        process = start_build(workspace, "--all", "--force", "--jobs", "2")
        workers = wait_for_children(process, 2)
        time.sleep(delay)
        seconds = kill_and_time_their_end(process, workers)
        assert seconds < DEATH_SECONDS
    # The build that follows is not held up by anything the killed ones left (the lock).
    done = subprocess.run([sys.executable, "-m", "sitrep", "build", "--all", "--format", "html"], cwd=workspace,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "waiting" not in done.stderr


def test_killed_one_week_build_takes_its_pdf_helper_with_it(workspace):
    # The helper is forked first thing; killed while it imports WeasyPrint, and while it renders.
    # It used to notice only once it read its pipe again, after the whole import or PDF (0.5 to
    # 1 s here, as long as the PDF takes for a big report); now it ends with its parent at once.
    for delay in (0.0, 0.3, 0.8):
        process = start_build(workspace, "--force")
        helper = wait_for_children(process, 1)
        time.sleep(delay)
        seconds = kill_and_time_their_end(process, helper)
        assert seconds < 0.5


WATCHED_CHILD = """
import os, sys, time
from sitrep import processes
parent = os.getpid()
child = os.fork()
if child == 0:
    processes.{how}(parent)
    time.sleep(60)
    os._exit(0)
print(child, flush=True)
time.sleep(60)
"""


@pytest.mark.parametrize("how", ["end_with_parent", "_watch_parent"])
def test_a_child_ends_with_its_parent_by_prctl_and_by_the_fallback_thread(how):
    """end_with_parent as the builds call it, and the thread it falls back on where there is
    no prctl (not Linux), each in a child forked from a process that is then killed."""
    script = subprocess.Popen([sys.executable, "-c", WATCHED_CHILD.format(how=how)], stdout=subprocess.PIPE,
                              text=True)
    child = int(script.stdout.readline())
    started = stat_fields(child)[19]
    seconds = kill_and_time_their_end(script, {child: started})
    script.stdout.close()
    assert seconds < (1 if how == "end_with_parent" else 2 * processes.POLL_SECONDS + 1)


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
