"""Templates run in Jinja's sandbox: a template that a teammate committed cannot run commands,
read files, or reach Python beneath the documented context. Each escape below is a known one
(Jinja's own sandbox tests, its advisories CVE-2016-10745, CVE-2019-10906, CVE-2024-56326 and
CVE-2025-27516, and the ones found against sitrep); each must end as one clean error at the
template's file and line, run nothing, and write nothing."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import jinja2
import pytest

from support import (EXAMPLE_WEEK, copy_workspace, output_digests, use_templates_folder,
    without_embedded_files, without_progress, write)
from sitrep.render.templates import TEMPLATE_GLOBALS, make_environment

WEEK = EXAMPLE_WEEK
SECTION = "templates/sections/outlook.html"

# Each payload, if it ran, would create this file (or print the command's output): one per
# test process, so that runs side by side (pytest -n) never see or remove each other's.
PWNED = f"{tempfile.gettempdir()}/sitrep-sandbox-pwned-{os.getpid()}"
RUN = f"popen('touch {PWNED}; id').read()"

ESCAPES = {
    "cycler-globals": f"{{{{ cycler.__init__.__globals__.os.{RUN} }}}}",
    "joiner-globals": f"{{{{ joiner.__init__.__globals__.os.{RUN} }}}}",
    "namespace-globals": f"{{{{ namespace.__init__.__globals__.os.{RUN} }}}}",
    "lipsum-globals": f"{{{{ lipsum.__globals__.os.{RUN} }}}}",
    "str-mro-subclasses": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "str-mro-method": "{{ ''.__class__.mro()[1].__subclasses__() }}",
    "context-class-globals": f"{{{{ report.__class__.__init__.__globals__['sys'].modules['os'].{RUN} }}}}",
    "attr-filter-chain": "{{ ()|attr('__class__')|attr('__base__')|attr('__subclasses__')() }}",
    "str-format-attribute": "{{ '{0.__class__.__mro__}'.format(report) }}",  # CVE-2016-10745
    "str-format-map": "{{ '{x.__class__}'.format_map({'x': report}) }}",  # CVE-2019-10906
    "stored-format-method": "{% set f = '{0.__init__.__globals__}'.format %}{{ f(cycler) }}",  # CVE-2024-56326
    "attr-filter-format": "{{ '{0.__call__.__builtins__[__import__]}'|attr('format')(cycler) }}",  # CVE-2025-27516
    "self-globals": "{{ self.__init__.__globals__ }}",
    "self-private-context": "{{ self._TemplateReference__context.environment }}",
    "generator-frame": "{{ (report.sections|map('upper')).gi_frame.f_globals }}",
    "mutate-context-list": "{{ report.sections.append('injected') }}",
    "mutate-theme-dict": "{{ theme.colours.update({'accent': 'red'}) }}",
    "range-globals": "{{ range.__globals__ }}",
    "date-subclasses": "{{ report.as_of_date.__class__.__subclasses__() }}",
    "dict-subclasses": "{{ dict.__subclasses__() }}",
    "huge-string": "{{ 'x' * 100000000 }}",
    "huge-power": "{{ 9 ** 9999999 }}",
    "huge-range": "{{ range(100000000)|list|length }}",
    "include-outside": "{% include '../../../../../../etc/passwd' %}",
    "filter-globals": "{{ (report.week|attr('upper')).__globals__ }}",
}


@pytest.fixture
def ws(example_html_built: Path, tmp_path: Path, monkeypatch) -> Path:
    """The example workspace with a templates folder and a good report's HTML already built, a
    copy of the test's own (the current folder). An escape is tried with `--format html`: a PDF
    built beforehand would be read by nothing."""
    workspace = copy_workspace(example_html_built, tmp_path / "ws")
    monkeypatch.chdir(workspace)
    return workspace



@pytest.mark.parametrize("payload", list(ESCAPES.values()), ids=list(ESCAPES))
def test_a_sandbox_escape_is_a_clean_error_at_its_line_and_nothing_runs_or_is_written(ws, sitrep_cli, payload):
    Path(PWNED).unlink(missing_ok=True)
    write(ws / SECTION, f'<section class="outlook">\n{payload}\n</section>\n')
    before = output_digests(ws / "output")
    result = sitrep_cli("build", "--config", ws / "config.yaml", "--week", WEEK, "--force", "--format", "html")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(f"{SECTION}:2: error: "), errors[0]
    assert "uid=" not in result.output and not Path(PWNED).exists()
    assert output_digests(ws / "output") == before


def test_the_sandbox_errors_say_what_was_refused(ws, sitrep_cli):
    write(ws / SECTION, "<section>\n{{ ''.__class__ }}\n</section>\n")
    result = sitrep_cli("build", "--config", ws / "config.yaml", "--week", WEEK, "--force", "--format", "html")
    assert result.exit_code == 1
    assert f"{SECTION}:2: error: not allowed in a template: '__class__' of a str" in result.stderr
    assert "(expected the report's documented fields" in result.stderr


def test_a_pdf_build_refuses_the_escape_before_writing_either_file(ws, sitrep_cli, sitrep_process):
    assert sitrep_cli("build", "--config", ws / "config.yaml", "--week", WEEK, "--format", "pdf").exit_code == 0
    Path(PWNED).unlink(missing_ok=True)
    write(ws / SECTION, f"<section>\n{ESCAPES['cycler-globals']}\n</section>\n")
    before = output_digests(ws / "output")
    result = sitrep_process("build", "--week", WEEK, "--force", cwd=ws)
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert without_progress(result.stderr).startswith(f"{SECTION}:2: error: not allowed in a template")
    assert not Path(PWNED).exists() and output_digests(ws / "output") == before


def test_the_archive_index_template_is_sandboxed_too(ws, sitrep_cli):
    write(ws / "templates/index.html", "<html>\n{{ archive.__class__.__init__.__globals__ }}\n</html>\n")
    result = sitrep_cli("build", "--config", ws / "config.yaml", "--all", "--force", "--format", "html", "--jobs", "1")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "templates/index.html:2: error:" in result.stderr
    assert "__globals__" not in (ws / "output/index.html").read_text(encoding="utf-8")


def test_a_template_that_links_to_a_file_outside_the_folder_is_not_read(ws, sitrep_cli, tmp_path):
    secret = tmp_path / "secret.html"
    secret.write_text("<p>zzqx-secret-key-material</p>\n", encoding="utf-8")
    (ws / "templates/sections").mkdir(parents=True, exist_ok=True)
    (ws / SECTION).symlink_to(secret)
    result = sitrep_cli("build", "--config", ws / "config.yaml", "--week", WEEK, "--force", "--format", "html")
    assert result.exit_code == 1, result.output
    assert without_progress(result.stderr).startswith(f"{SECTION}: error: this template is a link to a file outside the templates folder")
    assert "zzqx" not in result.output and str(tmp_path) not in result.output
    assert "zzqx" not in without_embedded_files((ws / f"output/{WEEK}/fallujah-sitrep-{WEEK}.html").read_text(encoding="utf-8"))


def test_the_documented_globals_and_nothing_else():
    env = make_environment()
    assert sorted(TEMPLATE_GLOBALS) == ["cycler", "dict", "joiner", "namespace", "range"]
    # ... and the message catalogues' functions (docs/languages.md, "Editions in several languages").
    assert sorted(env.globals) == sorted([*TEMPLATE_GLOBALS, "_", "gettext", "ngettext", "pgettext", "npgettext"])
    assert all(env.globals[name].__module__ in ("jinja2.ext", "sitrep.language") for name in
               ("_", "gettext", "ngettext", "pgettext", "npgettext"))
    assert isinstance(env, jinja2.sandbox.ImmutableSandboxedEnvironment)


def test_what_templates_legitimately_do_still_works():
    env = make_environment()
    text = ("{% set ns = namespace(total=0) %}{% for n in [1, 2, 3] %}{% set ns.total = ns.total + n %}{% endfor %}"
            "{{ ns.total }} {{ 'a-b'.split('-')|join('+') }} {{ '{:,}'.format(1234) }} {{ 'x' * 3 }} {{ 2 ** 10 }} "
            "{{ range(3)|list }} {{ dict(a=1).a }}")
    assert env.from_string(text).render() == "6 a+b 1,234 xxx 1024 [0, 1, 2] 1"
