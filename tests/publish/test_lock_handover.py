"""The workspace lock hands over to one build at a time, however many wait (issue 21: after a
release, two builds held it at once).

Each party is a real process that takes the lock as a build does (publish/lock.py) and reports
its state in files: `<name>.waiting` when it finds the lock held, `<name>.holding` while it holds
it, and `<name>.overlap` if it ever finds another holder when it gets the lock. It holds the
lock until the test creates `<name>.release`. The test waits for states, never for a time.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from support import wait_until

PARTY = r"""
import sys
import time
from pathlib import Path

from sitrep.publish.lock import WorkspaceLock

state, name, folder = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
lock = WorkspaceLock(folder)
lock.acquire(on_wait=lambda message: (state / f"{name}.waiting").touch())
others = sorted(p.stem for p in state.glob("*.holding"))
if others:
    (state / f"{name}.overlap").write_text(" ".join(others))
(state / f"{name}.holding").touch()
while not (state / f"{name}.release").exists():  # until the test lets go
    time.sleep(0.005)
(state / f"{name}.holding").unlink()
lock.release()
"""
TIMEOUT = 60  # seconds for any one state to be reached: only a broken lock (or machine) takes it


class Parties:
    """Processes that each take the lock of one output folder, and the states they report."""

    def __init__(self, tmp_path: Path):
        self.state = tmp_path / "state"
        self.state.mkdir()
        self.output = tmp_path / "output"
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, name: str) -> None:
        self.processes[name] = subprocess.Popen([sys.executable, "-c", PARTY, self.state, name, self.output],
                                                stdin=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def has(self, name: str, state: str) -> bool:
        return (self.state / f"{name}.{state}").exists()

    def holders(self) -> list[str]:
        return sorted(p.stem for p in self.state.glob("*.holding"))

    def wait_for(self, condition, what: str):
        return wait_until(condition, TIMEOUT, interval=0.01, message=what)

    def release(self, name: str) -> None:
        """Let `name` go, and wait until it has released the lock and ended."""
        (self.state / f"{name}.release").touch()
        _, stderr = self.processes[name].communicate(timeout=TIMEOUT)
        assert self.processes[name].returncode == 0, stderr.decode()

    def next_holder(self, among: set[str]) -> str:
        """The one party of `among` that holds the lock next: exactly one."""
        holders = self.wait_for(lambda: self.holders(), f"one of {sorted(among)} to hold the lock")
        assert len(holders) == 1 and holders[0] in among, f"holding at once: {holders}"
        return holders[0]

    def overlaps(self) -> dict[str, str]:
        return {p.stem: p.read_text() for p in self.state.glob("*.overlap")}

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.kill()
            process.communicate()


@pytest.fixture
def parties(tmp_path: Path):
    started = Parties(tmp_path)
    try:
        yield started
    finally:
        started.stop()


def test_after_a_release_one_waiting_build_holds_the_lock_and_a_newcomer_waits_for_it(parties):
    parties.start("a")
    parties.wait_for(lambda: parties.has("a", "holding"), "a to hold the lock")
    parties.start("b")
    parties.start("c")
    parties.wait_for(lambda: parties.has("b", "waiting") and parties.has("c", "waiting"), "b and c to wait")

    parties.release("a")  # b and c both wake: one holds, the other waits again
    first = parties.next_holder({"b", "c"})
    second = ({"b", "c"} - {first}).pop()

    # A build that starts now finds the lock held, as the one still waiting does.
    parties.start("d")
    parties.wait_for(lambda: parties.has("d", "waiting") or parties.has("d", "holding"), "d to wait or hold")
    assert parties.holders() == [first], f"holding at once: {parties.holders()}"

    parties.release(first)
    then = parties.next_holder({second, "d"})
    parties.release(then)
    last = parties.next_holder({second, "d"} - {then})
    parties.release(last)
    assert parties.overlaps() == {}
    assert not (parties.output / ".sitrep-lock").exists()  # the last holder removed it
