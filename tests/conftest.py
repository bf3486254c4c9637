"""Shared fixtures: a copy of the example workspace in a temporary folder, and ways to run
the CLI on it as a user would (in-process with Typer's runner, or as a real subprocess)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sitrep.commands.cli import app
from support import copy_example



@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A fresh copy of the bundled example workspace (config.yaml, facts/ and its own templates
    folder custom/, which holds no template)."""
    return copy_example(tmp_path / "ws")


class Result:
    def __init__(self, exit_code: int, stdout: str, stderr: str):
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@pytest.fixture
def sitrep_cli():
    """Run `sitrep ARGS...` in-process; returns exit code, stdout and stderr separately."""

    def run(*args: str) -> Result:
        runner = CliRunner()
        result = runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
        return Result(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture
def sitrep_process():
    """Run `python -m sitrep ARGS...` as a real subprocess in `cwd`, the way a user does."""

    def run(*args: str, cwd: Path, timeout: float = 120) -> Result:
        done = subprocess.run([sys.executable, "-m", "sitrep", *map(str, args)], cwd=cwd,
                              capture_output=True, text=True, timeout=timeout)
        return Result(done.returncode, done.stdout, done.stderr)

    return run
