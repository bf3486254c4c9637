"""The commands that read the store and print a few lines (check, weeks, trace, schema) load no
template engine, no HTML parser and no PDF engine: run as a user runs them, in a process of their
own, they leave none of those in sys.modules. Speed itself is measured by bench/cli.py, never here."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support import copy_example, write

# The engines and the render stage's heavy modules. sitrep.render.pdfhelper (and pdflayout, which
# it names) are standard library only until a PDF is laid out: `sitrep --help` loads them too.
HEAVY = ("jinja2", "markupsafe", "weasyprint", "pydyf", "tinycss2", "justhtml", "duckdb", "fontTools",
         "sitrep.render.templates", "sitrep.render.sandbox", "sitrep.render.filters", "sitrep.render.pdf",
         "sitrep.render.references", "sitrep.render.htmltree", "sitrep.render.singlefile",
         "sitrep.report.builder", "sitrep.publish", "sitrep.build")

# Runs the program's entry point, then prints on stderr every module loaded, however it ends.
RUN = """
import os, sys
def loaded():
    os.write(2, ("LOADED " + " ".join(sorted(sys.modules)) + "\\n").encode())
end = os._exit
def _exit(code):
    loaded()
    end(code)
os._exit = _exit  # the command line skips interpreter teardown
sys.argv = ["sitrep", *sys.argv[1:]]
from sitrep.commands.entry import main
try:
    main()
finally:
    loaded()
"""


def run(workspace, *words):
    done = subprocess.run([sys.executable, "-c", RUN, *words], cwd=workspace, capture_output=True, text=True)
    lines = done.stderr.splitlines()
    loaded = set(next(line for line in lines if line.startswith("LOADED ")).split()[1:])
    stderr = "\n".join(line for line in lines if not line.startswith("LOADED "))
    return done.returncode, done.stdout, stderr, loaded


def heavy_in(loaded: set[str]) -> list[str]:
    return sorted(name for name in loaded if any(name == h or name.startswith(h + ".") for h in HEAVY))


@pytest.mark.parametrize("words, says", [
    (("check",), "OK: "),
    (("weeks",), "2016-W26  No. "),
    (("trace", "fallujah-trapped-2016-06"), "fallujah-trapped-2016-06"),
    (("schema", "--output", "-"), '"$schema"'),
])
def test_a_light_command_loads_no_template_or_pdf_engine(tmp_path, words, says):
    workspace = copy_example(tmp_path / "ws")
    for _ in range(2):  # the store cache cold, then warm: neither loads an engine
        code, out, err, loaded = run(workspace, *words)
        assert code == 0, err
        assert says in out
        assert heavy_in(loaded) == []
        assert "pydantic" in loaded or words[0] == "schema"  # it did load the store (the probe sees imports)


def test_check_loads_jinja_only_for_a_workspace_with_templates_of_its_own(tmp_path):
    workspace = copy_example(tmp_path / "ws")
    write(workspace / "custom" / "broken.html", "{% if %}\n")
    code, out, err, loaded = run(workspace, "check")
    assert code == 1
    assert "custom/broken.html:1:" in err  # compiled, as before
    assert "jinja2" in loaded  # the probe sees what a command loads
    (workspace / "custom" / "broken.html").unlink()
    code, out, err, loaded = run(workspace, "check")
    assert code == 0, err
    assert heavy_in(loaded) == []


def test_check_formats_no_date_so_loads_no_locale_data(tmp_path):
    # Why each entry became known ("a citation reported it on 3 July 2016") is worked out only
    # when `sitrep trace` shows it: formatting those dates loads Babel's dates and locale data.
    workspace = copy_example(tmp_path / "ws")
    run(workspace, "check")  # the store read once (its cache then warm, as from the second run on)
    code, out, err, loaded = run(workspace, "check")
    assert code == 0, err
    assert "babel.dates" not in loaded and "babel.numbers" not in loaded
    code, out, err, loaded = run(workspace, "trace", "fallujah-trapped-2016-06")
    assert code == 0, err
    assert "known on" in out and "babel.dates" in loaded  # the probe does see the module when it is used
