"""The README's set-up on a fresh machine: scripts/setup.sh installs the lock files into a new
virtual environment whatever pip that environment starts with, from the oldest a supported Python
ships (pip 23.0, which refuses the package lock on its own) to the newest; and a failed install
says what to do in one line.

These tests install real packages from PyPI (the locked versions, hash-checked) into throwaway
environments; pip's download cache makes a second run quick.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import REPO

# What scripts/setup.sh needs to install sitrep: itself, the locks, and what the package's build reads.
SETUP_PARTS = ("scripts", "sitrep", "templates", "pyproject.toml", "README.md",
               "requirements-pip.lock", "requirements.lock", "requirements-test.lock")

OLDEST_PIP = "23.0"  # the oldest pip a supported Python ships (3.11.0's ensurepip bundles 22.3; Debian 12 has 23.0.1)


def locked_pip() -> str:
    return re.search(r"^pip==(\S+)", (REPO / "requirements-pip.lock").read_text(encoding="utf-8"), re.M).group(1)


def checkout_with_venv(tmp_path: Path, pip_version: str) -> Path:
    """A copy of what set-up needs, with .venv already made by `python -m venv` and its pip put at
    `pip_version`: what a user has who made the environment themselves, or whose Python is older."""
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    for part in SETUP_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, checkout / part, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy(source, checkout / part)
    base_python = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base_python, "-m", "venv", str(checkout / ".venv")], check=True)
    subprocess.run([str(checkout / ".venv/bin/python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    f"pip=={pip_version}"], check=True, capture_output=True)
    assert venv_pip(checkout) == pip_version
    return checkout


def venv_pip(checkout: Path) -> str:
    done = subprocess.run([str(checkout / ".venv/bin/python"), "-m", "pip", "--version"],
                          capture_output=True, text=True, check=True)
    return done.stdout.split()[1]


def setup(checkout: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "scripts/setup.sh", *args], cwd=checkout, capture_output=True, text=True,
                          timeout=900)


def normalised(pin: str) -> str:
    """'pydantic_core==2.50.5' and 'Pydantic-Core==2.50.5' are one pin (PEP 503 names)."""
    name, version = pin.split("==")
    return re.sub(r"[-_.]+", "-", name).lower() + "==" + version


def test_setup_installs_both_locks_with_the_oldest_pip(tmp_path):
    """The newest pip needs no test of its own: set-up replaces whatever pip the environment has
    with the locked one (the newest the suite was green with) before it installs anything else."""
    checkout = checkout_with_venv(tmp_path, OLDEST_PIP)

    runtime = setup(checkout)
    assert runtime.returncode == 0, runtime.stderr[-3000:]
    assert venv_pip(checkout) == locked_pip()
    version = subprocess.run([str(checkout / ".venv/bin/sitrep"), "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("sitrep ")

    tests = setup(checkout, "--test")
    assert tests.returncode == 0, tests.stderr[-3000:]
    frozen = subprocess.run([str(checkout / ".venv/bin/python"), "-m", "pip", "freeze", "--all"],
                            capture_output=True, text=True, check=True).stdout.split()
    installed = {normalised(pin) for pin in frozen if "==" in pin}
    for pin in re.findall(r"^([A-Za-z0-9_.-]+==\S+)", (checkout / "requirements-test.lock").read_text(), re.M):
        assert normalised(pin) in installed, f"{pin} is not what set-up installed"

    again = setup(checkout, "--test")  # nothing changed: nothing is installed again
    assert again.returncode == 0 and "installing" not in again.stderr


def test_a_failed_install_says_what_to_do_in_one_line(tmp_path):
    checkout = checkout_with_venv(tmp_path, OLDEST_PIP)
    lock = checkout / "requirements.lock"
    # The hashes of one small package altered: pip refuses the file it downloads.
    text = lock.read_text(encoding="utf-8")
    entry = re.search(r"^mdurl==.*?(?=^\S)", text, re.M | re.S).group(0)
    lock.write_text(text.replace(entry, re.sub(r"[0-9a-f]{64}", "0" * 64, entry)), encoding="utf-8")

    failed = setup(checkout)
    assert failed.returncode == 1
    last = failed.stderr.strip().splitlines()[-1]
    assert last.startswith("sitrep setup: installing the packages of requirements.lock failed")
    assert "rm -rf .venv && make report" in last
    assert not (checkout / ".venv/.sitrep-installed").exists()  # the next run tries again
