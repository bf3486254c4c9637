"""Not a test of the suite (its name keeps pytest from collecting it): how each attempt of the
bypass corpus fares with the sitrep code of another checkout, for issue 22's before/after table.

    git worktree add /tmp/old 91d23aa
    SITREP_CODE=/tmp/old BYPASS_RESULTS=/tmp/old.jsonl .venv/bin/python -m pytest tests/render/bypass_measure.py

Each attempt is built alone (`python -m sitrep build --format html` with that checkout first on
PYTHONPATH); a built file is opened in headless Chromium, and one JSON line per attempt records
the exit code, the first error, the scripts that ran and the requests the listener heard.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bypass_corpus import CORPUS, markup
from support import EXAMPLE_WEEK, copy_example, use_templates_folder, write
from test_bypass_corpus import HTML_OUT, SECTION, listener, open_and_settle, scripts_that_ran, section

__all__ = ["listener"]  # the fixture, imported for the tests below


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    ws = copy_example(tmp_path_factory.mktemp("measure") / "ws")
    use_templates_folder(ws)
    return ws


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_measure(workspace, listener, browser, name):
    url, heard = listener
    write(workspace / SECTION, section(markup(name, url)))
    built = workspace / HTML_OUT
    built.unlink(missing_ok=True)
    done = subprocess.run([sys.executable, "-m", "sitrep", "build", "--week", EXAMPLE_WEEK, "--format", "html"],
                          cwd=workspace, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": os.environ["SITREP_CODE"]})
    result: dict = {"exit": done.returncode}
    if done.returncode == 0:
        heard.clear()
        open_and_settle(browser, built.as_uri())
        result.update(ran=scripts_that_ran(browser), heard=list(heard))
    else:
        result["error"] = [line for line in done.stderr.splitlines() if ": error: " in line][:1]
    with open(os.environ["BYPASS_RESULTS"], "a", encoding="utf-8") as out:
        out.write(json.dumps({name: result}) + "\n")
