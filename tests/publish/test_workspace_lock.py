"""One build at a time writes an output folder: a second waits for the first, says so once,
then plans from what it finds (issue 9: two builds at once, config.yaml edited between them,
both said "up to date" over files from the other config)."""

from __future__ import annotations

import fcntl
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from support import CONFIG, series_workspace, write

OLD_TITLE, NEW_TITLE = "Rivertown report", "Rivertown weekly"
WAITING = "another build of this workspace is running (pid {pid}); waiting for it to finish…"


@pytest.fixture
def series(tmp_path: Path) -> Path:
    """The small Rivertown series workspace."""
    return series_workspace(tmp_path)




class HeldLock:
    """The output folder's lock, held by this test as a running build holds it: its pid in
    the file, which it removes as it ends (a waiting build then has the lock of a file that is
    gone, and must lock the next one)."""

    def __init__(self, output: Path):
        output.mkdir(parents=True, exist_ok=True)
        self.path = output / ".sitrep-lock"
        self.fd: int | None = os.open(self.path, os.O_RDWR | os.O_CREAT)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        os.ftruncate(self.fd, 0)
        os.write(self.fd, f"{os.getpid()}\n".encode())

    def release(self) -> None:
        if self.fd is not None:
            self.path.unlink()
            os.close(self.fd)
            self.fd = None

    def __enter__(self) -> HeldLock:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def start_build(workspace: Path, *args: str, **options) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "sitrep", "build", "--format", "html", *args], cwd=workspace,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **options)


def read_stderr_until(process: subprocess.Popen, text: str, timeout: float = 60) -> str:
    seen, fd = b"", process.stderr.fileno()
    deadline = time.monotonic() + timeout
    while text.encode() not in seen:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        assert ready, f"no {text!r} on stderr after {timeout} s; so far: {seen.decode()!r}"
        chunk = os.read(fd, 4096)
        assert chunk, f"the build ended without waiting: {seen.decode()!r}"
        seen += chunk
    return seen.decode()


def html_files(workspace: Path) -> list[Path]:
    return sorted((workspace / "output").rglob("*.html"))


def set_title(config: Path, title: str) -> None:
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace(OLD_TITLE, title).replace(NEW_TITLE, title), encoding="utf-8")


@pytest.mark.parametrize("args, reports", [(("--all",), 4), (("--week", "2025-W12"), 1)])
def test_a_build_waits_for_the_running_one_then_builds_from_the_config_it_finds(series, args, reports):
    first = subprocess.run([sys.executable, "-m", "sitrep", "build", "--format", "html", *args], cwd=series,
                           capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    with HeldLock(series / "output") as lock:
        process = start_build(series, *args)
        waiting = read_stderr_until(process, "waiting for it to finish")
        # It read config.yaml before it waited; what counts is the config when its turn comes.
        set_title(series / "config.yaml", NEW_TITLE)
        lock.release()
        stdout, stderr = process.communicate(timeout=120)
    stderr = waiting + stderr.decode()
    assert process.returncode == 0, stderr
    assert stderr.count("waiting") == 1
    assert WAITING.format(pid=os.getpid()) in stderr.splitlines()
    assert stdout.decode().count("built in") == reports
    assert not (series / "output" / ".sitrep-lock").exists()  # removed as the build ended
    assert len(html_files(series)) == reports + 1  # and the index
    for path in html_files(series):
        text = path.read_text(encoding="utf-8")
        assert NEW_TITLE in text and OLD_TITLE not in text, path
    again = subprocess.run([sys.executable, "-m", "sitrep", "build", "--format", "html", *args], cwd=series,
                           capture_output=True, text=True, timeout=120)
    assert "built in" not in again.stdout and "up to date" in again.stdout


def test_ctrl_c_while_waiting_ends_with_the_interrupted_line(series):
    with HeldLock(series / "output"):
        process = start_build(series, "--all", start_new_session=True)
        read_stderr_until(process, "waiting for it to finish")
        os.killpg(process.pid, signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    stderr = stderr.decode()
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines()[-1].startswith("interrupted;")
    assert not html_files(series)


def test_two_builds_at_once_with_different_configs_leave_the_files_of_the_last(series):
    # Two configs of one workspace (so one output folder), built at the same moment, in both
    # orders: whichever ends last, every file is its config's, and its config finds them current.
    write(series / "other.yaml", CONFIG.replace(OLD_TITLE, NEW_TITLE))
    for configs in (("config.yaml", "other.yaml"), ("other.yaml", "config.yaml")):
        running = {config: start_build(series, "--all", "--config", config) for config in configs}
        finished: list[str] = []
        deadline = time.monotonic() + 120
        while running and time.monotonic() < deadline:
            for config, process in list(running.items()):
                if process.poll() is not None:
                    stdout, stderr = process.communicate()
                    assert process.returncode == 0, stderr.decode()
                    finished.append(config)
                    del running[config]
            time.sleep(0.01)
        assert not running, "a build did not end"
        last = finished[-1]
        title = NEW_TITLE if last == "other.yaml" else OLD_TITLE
        for path in html_files(series):
            assert title in path.read_text(encoding="utf-8"), (last, path)
        again = subprocess.run([sys.executable, "-m", "sitrep", "build", "--all", "--format", "html", "--config", last],
                               cwd=series, capture_output=True, text=True, timeout=120)
        assert "0 of 4 reports built" in again.stdout, again.stdout + again.stderr


def test_the_library_says_it_waits_through_its_callback_and_prints_nothing(series, capsys):
    from sitrep.build import build_all

    messages: list[str] = []
    with HeldLock(series / "output") as lock:
        def on_wait(message: str) -> None:
            messages.append(message)
            lock.release()  # the other build ends

        results = build_all(series / "config.yaml", formats=("html",), jobs=1, on_wait=on_wait)
    assert messages == [WAITING.format(pid=os.getpid())]
    assert [r.skipped for r in results] == [False] * 4
    printed = capsys.readouterr()
    assert (printed.out, printed.err) == ("", "")
