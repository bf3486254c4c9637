"""Ctrl+C, whenever it comes: exit code 130 and one line, never a traceback (docs/commands.md, "Commands").

The real program is run as the console script runs it (commands/entry.py's main), with one
module's import held until the signal comes: the test waits for the program to say it is
there, a state rather than a guessed time, then sends SIGINT."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from support import REPO, copy_example

# Holds the import of the module named first on the command line (a state the test waits for),
# then runs `sitrep` with the rest of it, through the console script's entry point.
HOLDER = """
import sys, time

class Hold:
    def find_spec(self, name, path=None, target=None):
        if name == held:
            print("holding " + name, file=sys.stderr, flush=True)
            time.sleep(120)
        return None

held, sys.argv = sys.argv[1], ["sitrep", *sys.argv[2:]]
sys.meta_path.insert(0, Hold())
from sitrep.commands.entry import main
main()
"""


def interrupted_while_importing(module: str, *args: str, cwd) -> tuple[int, str]:
    process = subprocess.Popen([sys.executable, "-c", HOLDER, module, *args], cwd=cwd, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        assert process.stderr.readline() == f"holding {module}\n"
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return process.returncode, stderr


@pytest.mark.parametrize("module, args, line", [
    # Starting: the PDF helper forked for a build, the command line not yet loaded.
    ("sitrep.commands.app", ["build"], "interrupted; every file is either as it was or complete (writes are atomic)"),
    ("typer", ["check"], "interrupted"),
    ("typer", ["templates", "copy", "outlook"],
     "interrupted; every file is either as it was or complete (writes are atomic)"),
    # Running: the command has begun (it loads the pipeline); what it says depends on whether it writes.
    ("sitrep.pipeline", ["check"], "interrupted"),  # check loads the pipeline, not build.py
    ("sitrep.build", ["build", "--format", "html"],
     "interrupted; every file is either as it was or complete (writes are atomic)"),
], ids=["start-up of a build", "start-up of a check", "start-up of a copy", "check running", "build running"])
def test_ctrl_c_exits_130_with_one_line(tmp_path, module, args, line):
    ws = copy_example(tmp_path / "ws")
    code, stderr = interrupted_while_importing(module, *args, cwd=ws)
    assert code == 130, stderr
    assert stderr == line + "\n", stderr
    assert not (ws / "output").exists()


# A command whose Ctrl+C comes while pydantic-core runs a serializer of ours (as the build's date
# serializer, schema.py), which wraps the KeyboardInterrupt in a PydanticSerializationError; and
# one whose error is a bug, no Ctrl+C pressed.
WRAPPED = """
import os, signal, sys, time
from typing import Annotated
from pydantic import PlainSerializer, TypeAdapter
from sitrep.commands.app import app, main

def interrupted_inside(value):
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(2)  # the handler runs at once: KeyboardInterrupt in this frame, inside pydantic-core
    return value

@app.command("wrapped")
def wrapped() -> None:
    TypeAdapter(Annotated[int, PlainSerializer(interrupted_inside)]).dump_python(1)

@app.command("buggy")
def buggy() -> None:
    raise RuntimeError("a bug")

sys.argv = ["sitrep", sys.argv[1]]
main()
"""


def test_ctrl_c_that_a_library_wraps_in_its_own_error_is_still_an_interruption(tmp_path):
    done = subprocess.run([sys.executable, "-c", WRAPPED, "wrapped"], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120)
    assert done.returncode == 130, done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("interrupted")
    bug = subprocess.run([sys.executable, "-c", WRAPPED, "buggy"], cwd=tmp_path, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120)
    assert bug.returncode == 70 and "internal error: RuntimeError: a bug" in bug.stderr  # a bug stays a bug
