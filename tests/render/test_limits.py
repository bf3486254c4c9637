"""Templates render within limits (issue 22): no template can take the machine's memory or time,
read the store or any other file that is not a template, or print the building machine's clock.
Each way over the limits ends as one error at the template's file (and line), exit 1, with the
last good report untouched.

A test whose template asks for gigabytes runs sitrep in a process of its own under an address
space limit of its own (SEAT_BELT_MB): if sitrep's limits failed, that process would fail, not
this shared machine."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from support import EXAMPLE_WEEK, REPO, assert_refused, copy_workspace, output_digests, write
from sitrep.errors import TemplateProblem

WEEK = EXAMPLE_WEEK
SECTION = "templates/sections/outlook.html"
SEAT_BELT_MB = 2048  # the most any sitrep process of these tests may map, whatever its limits say


@pytest.fixture
def ws(example_html_built: Path, tmp_path: Path, monkeypatch) -> Path:
    """The example workspace with a templates folder and a good report's HTML already built."""
    workspace = copy_workspace(example_html_built, tmp_path / "ws")
    monkeypatch.chdir(workspace)
    return workspace



class Run:
    def __init__(self, exit_code: int, stdout: str, stderr: str, seconds: float):
        self.exit_code, self.stdout, self.stderr, self.seconds = exit_code, stdout, stderr, seconds
        self.output = stdout + stderr


def sitrep_buckled(ws: Path, *args: str, timeout: float = 120) -> Run:
    """`python -m sitrep ARGS` in `ws`, unable to map more than SEAT_BELT_MB."""

    def buckle() -> None:
        limit = SEAT_BELT_MB * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "sitrep", *args], cwd=ws, capture_output=True, text=True,
                          timeout=timeout, preexec_fn=buckle)
    return Run(done.returncode, done.stdout, done.stderr, time.monotonic() - started)


def build_html(ws: Path) -> Run:
    return sitrep_buckled(ws, "build", "--week", WEEK, "--force", "--format", "html")


def set_limits(ws: Path, text: str) -> None:
    config = ws / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + f"limits: {text}\n", encoding="utf-8")


def assert_refused_untouched(run: Run, before: dict, ws: Path, where: str, *expected: str) -> None:
    assert run.exit_code == 1, run.output
    assert "Traceback" not in run.output and "internal error" not in run.output
    errors = [line for line in run.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 1, run.stderr
    assert errors[0].startswith(f"{where}: error: "), errors[0]
    for text in expected:
        assert text in errors[0], errors[0]
    assert output_digests(ws / "output") == before


# --- Layer one: the sandbox refuses a huge value before it is built -------------------------------

HUGE = {
    "center-filter": "{{ 'x'|center(3000000000) }}",
    "center-method": "{{ 'x'.center(3000000000) }}",
    "ljust": "{{ 'x'.ljust(3000000000) }}",
    "rjust-attr-filter": "{{ ('x'|attr('rjust'))(3000000000) }}",
    "zfill": "{{ '1'.zfill(3000000000) }}",
    "expandtabs": "{{ ('\\t' * 1000).expandtabs(3000000) }}",
    "replace-method": "{{ ('x' * 1000000).replace('x', 'y' * 3000) }}",
    "replace-filter": "{{ ('x' * 1000000)|replace('x', 'y' * 3000) }}",
    "percent-width": "{{ '%3000000000d' % 1 }}",
    "percent-star": "{{ '%*d' % (3000000000, 1) }}",
    "percent-precision": "{{ '%.3000000000f' % 1 }}",
    "format-filter": "{{ '%3000000000s'|format('x') }}",
    "format-width": "{{ '{:>3000000000}'.format('x') }}",
    "format-nested-width": "{{ '{:>{w}}'.format('x', w=3000000000) }}",
    "format-map": "{{ '{x:>3000000000}'.format_map({'x': 1}) }}",
    "join-filter": "{{ (['x' * 1000000] * 3000)|join }}",
    "join-method": "{{ ''.join(['x' * 1000000] * 3000) }}",
    "indent": "{{ ('x\\n' * 1000)|indent(3000000) }}",
    "batch-fill": "{{ [1]|batch(3000000000, 0)|list|length }}",
    "list-times": "{{ ([1] * 1000000) * 3000 }}",
}


@pytest.mark.parametrize("payload", list(HUGE.values()), ids=list(HUGE))
def test_a_huge_value_is_refused_at_its_line_before_it_is_built(ws, payload):
    write(ws / SECTION, f"<section>\n{payload}\n</section>\n")
    before = output_digests(ws / "output")
    run = build_html(ws)
    assert_refused_untouched(run, before, ws, f"{SECTION}:2", "not allowed in a template: ",
                             "(expected text and lists of at most 10,000,000 characters or items)")


def test_what_a_report_needs_is_not_refused(ws):
    write(ws / SECTION, "<section>\n{{ 'x'|center(40) }}{{ '%5d' % 3 }}{{ '{:>6}'.format('y') }}"
                        "{{ ['a', 'b']|join(', ') }}{{ 'a-b'.replace('-', '–') }}{{ '%%%d' % 5 }}\n</section>\n")
    assert build_html(ws).exit_code == 0


# --- Layer two: the render's time and memory budget --------------------------------------------------

DOUBLING = ("{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}"
            "{{ ns.s|length }}")
NESTED_LOOPS = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
MACRO_TWICE = ("{% macro grow(n) %}{% if n %}{{ grow(n - 1) }}{{ grow(n - 1) }}{% endif %}{% endmacro %}"
               "{{ grow(60) }}")


def test_a_string_doubled_in_a_loop_goes_over_the_memory_budget(ws):
    set_limits(ws, "{template_memory_mb: 200}")
    write(ws / SECTION, f"<section>\n{DOUBLING}\n</section>\n")
    before = output_digests(ws / "output")
    run = build_html(ws)
    assert_refused_untouched(run, before, ws, f"{SECTION}:2",
                             "rendering needed more memory than the templates' limit of 200 MB")


@pytest.mark.parametrize("payload", [NESTED_LOOPS, MACRO_TWICE], ids=["nested-loops", "macro-twice-per-level"])
def test_a_template_that_runs_on_goes_over_the_time_budget(ws, payload):
    set_limits(ws, "{template_seconds: 1}")
    write(ws / SECTION, f"<section>\n{payload}\n</section>\n")
    before = output_digests(ws / "output")
    run = build_html(ws)
    assert_refused_untouched(run, before, ws, f"{SECTION}:2",
                             "rendering took longer than the templates' time limit of 1 s")
    assert run.seconds < 30


def test_the_archive_index_renders_within_the_budget_too(ws, sitrep_cli):
    set_limits(ws, "{template_seconds: 1}")
    write(ws / "templates/index.html", f"<html>\n{NESTED_LOOPS}\n</html>\n")
    index = (ws / "output/index.html").read_bytes()
    result = sitrep_cli("build", "--config", ws / "config.yaml", "--all", "--force", "--format", "html", "--jobs", "1")
    assert_refused(result, "templates/index.html", 2, "rendering took longer than the templates' time limit of 1 s")
    assert (ws / "output/index.html").read_bytes() == index


def test_the_limits_are_checked_like_every_config_key(ws, sitrep_cli):
    set_limits(ws, "{template_seconds: 0, template_memory: 512}")
    result = sitrep_cli("check", "--config", ws / "config.yaml")
    line = len((ws / "config.yaml").read_text(encoding="utf-8").splitlines())
    assert_refused(result, "config.yaml", line, "template_seconds")
    assert "template_memory" in result.stderr


# The parent's side, each way a render's process can end (render/budget.py).

def test_a_render_killed_by_the_kernel_is_reported_as_over_its_memory_budget():
    from sitrep.render.budget import Budget, within_budget

    def killed():
        os.kill(os.getpid(), signal.SIGKILL)  # what the out-of-memory killer does

    with pytest.raises(TemplateProblem) as refused:
        within_budget(Budget(5, 300, "custom/report.html"), killed)
    assert str(refused.value).startswith("custom/report.html: error: template error: rendering needed more memory than the "
                                         "templates' limit of 300 MB")


def test_a_render_the_alarm_cannot_stop_is_killed_at_the_deadline():
    from sitrep.render.budget import GRACE_SECONDS, Budget, within_budget

    def deaf():
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
        time.sleep(60)

    started = time.monotonic()
    with pytest.raises(TemplateProblem) as refused:
        within_budget(Budget(0.5, 300, "custom/report.html"), deaf)
    assert time.monotonic() - started < 0.5 + GRACE_SECONDS + 5
    assert "custom/report.html: error: template error: rendering took longer than the templates' time limit of 0.5 s" in str(refused.value)


def test_a_render_that_runs_out_of_memory_outside_a_template_is_reported_as_such():
    from sitrep.render.budget import Budget, within_budget

    def greedy():
        return bytearray(400 * 1024 * 1024)

    with pytest.raises(TemplateProblem) as refused:
        within_budget(Budget(30, 100, "custom/report.html"), greedy)
    assert "rendering needed more memory than the templates' limit of 100 MB" in str(refused.value)


def test_citations_renumbered_in_the_renders_process_are_renumbered_in_the_build_too(tmp_path):
    import copy

    from sitrep.render.templates import render_document, render_for
    from sitrep.report.builder import build_context
    from sitrep.source.config import load_config
    from sitrep.source.store import load_store

    config = load_config(REPO / "config.yaml")
    config.templates_dir = tmp_path
    write(tmp_path / "report.html", '{% extends "builtin:report.html" %}{% block content %}'
          '{% for section in report.sections | reverse %}{% include "sections/" ~ section ~ ".html" %}{% endfor %}'
          '{% endblock %}')
    context = build_context(load_store(config.store_dir, cache=False), config, "2015-W31")
    in_process = copy.deepcopy(context)
    forked = render_for(config, context)
    assert forked.text == render_document(in_process, user_dir=tmp_path).text
    assert [(s.number, s.name) for s in context.sources] == [(s.number, s.name) for s in in_process.sources]
    assert context.routes[0].citations == in_process.routes[0].citations


# --- No clock ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("payload", ["{{ report.period_start.today() }}", "{{ report.as_of_date.today() }}",
                                     "{{ (report.period_start|attr('today'))() }}"])
def test_a_template_cannot_read_the_clock(ws, sitrep_cli, payload):
    write(ws / SECTION, f"<section>\n{payload}\n</section>\n")
    before = output_digests(ws / "output")
    result = sitrep_cli("build", "--config", ws / "config.yaml", "--week", WEEK, "--force", "--format", "html")
    assert_refused(result, SECTION, 2, "not allowed in a template: 'today' of a date reads the building machine's "
                                       "clock or time zone", "(expected a date the report gives, such as "
                                                             "report.as_of_date")
    assert output_digests(ws / "output") == before


# --- A templates folder holds templates --------------------------------------------------------------

SECRET = """\
sources:
  - id: zz-secret
    name: Zqxsecretinformant
    kind: witness
    reliability: C
    sensitivity: restricted
    public_name: A resident
"""


@pytest.mark.parametrize("folder, what", [(".", "holds the store folder (facts)"), ("facts", "is the store folder"),
                                          ("output", "is the output folder")])
def test_a_templates_folder_that_is_or_holds_the_data_is_refused_at_its_line(ws, sitrep_cli, folder, what):
    write(ws / "facts/zz-secret.yaml", SECRET)
    config = ws / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("\ntemplates: templates\n", f"\ntemplates: {folder}\n"),
                      encoding="utf-8")
    write(ws / folder / "sections/outlook.html", "<section>{% include 'facts/zz-secret.yaml' %}</section>\n")
    line = (ws / "config.yaml").read_text(encoding="utf-8").splitlines().index(f"templates: {folder}") + 1
    for command in ("check", "build"):
        result = sitrep_cli(command, "--config", ws / "config.yaml")
        assert_refused(result, "config.yaml", line, f"templates: '{folder}' {what}",
                       "(expected a folder that holds templates only")
        assert "Zqxsecretinformant" not in result.output
    html = ws / f"output/{WEEK}/fallujah-sitrep-{WEEK}.html"
    assert not html.exists() or "Zqxsecretinformant" not in html.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["notes.yaml", "keys/id_rsa", "data.csv", "OFL.txt"])
def test_include_reads_template_files_only(ws, sitrep_cli, name):
    write(ws / "templates" / name, "Zqxnotatemplate\n")
    write(ws / SECTION, f"<section>\n{{% include '{name}' %}}\n</section>\n")
    before = output_digests(ws / "output")
    result = sitrep_cli("build", "--config", ws / "config.yaml", "--week", WEEK, "--force", "--format", "html")
    assert_refused(result, SECTION, 2, f"not allowed in a template: '{name}' is not a template file, and is not read "
                                       "(expected a template file, its name ending in .html, .css, .svg, .j2, .jinja)")
    assert "Zqxnotatemplate" not in result.output and output_digests(ws / "output") == before
    checked = sitrep_cli("check", "--config", ws / "config.yaml")
    assert_refused(checked, SECTION, 2, f"'{name}' is not a template file")


def test_import_and_extends_read_template_files_only(ws, sitrep_cli):
    write(ws / "templates/macros.yaml", "{% macro leak() %}Zqxnotatemplate{% endmacro %}\n")
    write(ws / SECTION, "<section>\n{% import 'macros.yaml' as m %}{{ m.leak() }}\n</section>\n")
    result = sitrep_cli("build", "--config", ws / "config.yaml", "--week", WEEK, "--force", "--format", "html")
    assert_refused(result, SECTION, 2, "'macros.yaml' is not a template file")
    write(ws / SECTION, "\n{% extends 'macros.yaml' %}\n")
    result = sitrep_cli("build", "--config", ws / "config.yaml", "--week", WEEK, "--force", "--format", "html")
    assert_refused(result, SECTION, 2, "'macros.yaml' is not a template file")


def test_a_render_that_ends_while_another_process_holds_its_pipe_is_not_waited_for_until_the_deadline(tmp_path):
    """A process forked meanwhile (here by the render itself; in `sitrep serve`, by another
    thread) inherits the pipe the render replies on: the parent must see the render end anyway."""
    from sitrep.render.budget import Budget, within_budget

    holder = tmp_path / "holder.pid"

    def killed_leaving_a_holder():
        pid = os.fork()
        if pid == 0:
            time.sleep(30)
            os._exit(0)
        holder.write_text(str(pid))
        os.kill(os.getpid(), signal.SIGKILL)

    started = time.monotonic()
    try:
        with pytest.raises(TemplateProblem, match="needed more memory"):
            within_budget(Budget(20, 300, "custom/report.html"), killed_leaving_a_holder)
        assert time.monotonic() - started < 5
    finally:
        os.kill(int(holder.read_text()), signal.SIGKILL)


def test_a_folder_in_the_templates_folder_that_links_to_the_store_is_not_read(ws, sitrep_cli):
    write(ws / "facts/notes.html", "<p>Zqxstorenote</p>\n")
    (ws / "templates/data").symlink_to(ws / "facts", target_is_directory=True)
    write(ws / SECTION, "<section>\n{% include 'data/notes.html' %}\n</section>\n")
    result = sitrep_cli("build", "--config", ws / "config.yaml", "--week", WEEK, "--force", "--format", "html")
    assert_refused(result, "templates/data/notes.html", None, "this template is a link to a file outside the templates "
                                                            "folder, and is not read")
    assert "Zqxstorenote" not in result.output
