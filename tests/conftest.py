"""Shared fixtures: a copy of the example workspace in a temporary folder, and ways to run
the CLI on it as a user would (in-process with Typer's runner, or as a real subprocess)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sitrep.commands.cli import app
from support import EXAMPLE_WEEK, DevTools, chromium_or_skip, copy_example, use_templates_folder, wait_until



@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A fresh copy of the bundled example workspace (config.yaml, facts/ and its own templates
    folder custom/, which holds no template)."""
    return copy_example(tmp_path / "ws")


@pytest.fixture(scope="session")
def example_html_built(tmp_path_factory, sitrep_cli) -> Path:
    """The example workspace with a templates folder of its own (templates/, empty) and its
    latest week's HTML built, once per test process: tests that change it take a copy
    (support.copy_workspace)."""
    workspace = copy_example(tmp_path_factory.mktemp("example-html") / "ws")
    config = use_templates_folder(workspace)
    result = sitrep_cli("build", "--config", config, "--week", EXAMPLE_WEEK, "--format", "html")
    assert result.exit_code == 0, result.output
    return workspace


@pytest.fixture(scope="session")
def example_built(tmp_path_factory, sitrep_process) -> tuple[Path, "Result"]:
    """The example workspace after `sitrep build` (its latest week, HTML and PDF, in every
    language config.yaml lists), run once per test process as a user runs it; and what the
    command printed. Only for tests that read what it built: a test that changes the workspace
    builds its own."""
    workspace = copy_example(tmp_path_factory.mktemp("example-built") / "ws")
    done = sitrep_process("build", cwd=workspace, timeout=300)
    assert done.exit_code == 0, done.stderr
    return workspace, done


class Result:
    def __init__(self, exit_code: int, stdout: str, stderr: str):
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@pytest.fixture(scope="session")
def sitrep_cli():
    """Run `sitrep ARGS...` in-process; returns exit code, stdout and stderr separately."""

    def run(*args: str) -> Result:
        runner = CliRunner()
        result = runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
        return Result(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture(scope="session")
def sitrep_process():
    """Run `python -m sitrep ARGS...` as a real subprocess in `cwd`, the way a user does."""

    def run(*args: str, cwd: Path, timeout: float = 120) -> Result:
        done = subprocess.run([sys.executable, "-m", "sitrep", *map(str, args)], cwd=cwd,
                              capture_output=True, text=True, timeout=timeout)
        return Result(done.returncode, done.stdout, done.stderr)

    return run


@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    """Headless chromium, shared by the browser tests; killed (its whole process group) at the end."""
    binary = chromium_or_skip()
    profile = tmp_path_factory.mktemp("chromium-profile")
    proc = subprocess.Popen(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", f"--user-data-dir={profile}",
         "--remote-debugging-port=0", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        port_file = profile / "DevToolsActivePort"
        wait_until(lambda: port_file.is_file() and len(port_file.read_text().split()) >= 2,
                   message="chromium's DevToolsActivePort")
        port = int(port_file.read_text().split()[0])
        yield port
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@pytest.fixture
def browser(chromium):
    """A fresh tab in the shared chromium, closed after the test."""
    request = urllib.request.Request(f"http://127.0.0.1:{chromium}/json/new?about:blank", method="PUT")
    with urllib.request.urlopen(request, timeout=10) as response:
        target = json.load(response)
    tab = DevTools(target["webSocketDebuggerUrl"])
    try:
        yield tab
    finally:
        tab.close()
        urllib.request.urlopen(f"http://127.0.0.1:{chromium}/json/close/{target['id']}", timeout=10).close()
