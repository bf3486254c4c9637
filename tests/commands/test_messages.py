"""sitrep's own words in its messages: counts in the singular and plural, "nothing was
written" only from commands that write, and values described in words, never as Python types."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from sitrep.report.formatting import format_count, format_date

FACTS = "facts/2016-06-fallujah.yaml"
PYTHON_TYPES = re.compile(r"\b(found|not) (str|int|float|bool|NoneType|dict|list|tuple|date|datetime)\b")  # 'found str'


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_check_never_says_nothing_was_written_and_build_does(workspace, sitrep_cli):
    replace_once(workspace / FACTS, "    low: 30000\n    high: 40000\n", "    low: 40000\n    high: 30000\n")
    replace_once(workspace / FACTS, "omar-nazar", "omar-nazr")
    config = workspace / "config.yaml"
    for command in ("check", "weeks", "templates context"):
        result = sitrep_cli(*command.split(), "--config", config)
        assert result.exit_code == 1
        assert result.stderr.splitlines()[-1] == "2 errors.", (command, result.stderr)
    for command in ("build", "new figure"):
        result = sitrep_cli(*command.split(), "--config", config)
        assert result.exit_code == 1
        assert result.stderr.splitlines()[-1] == "2 errors; nothing was written.", (command, result.stderr)
    assert not (workspace / "output").exists()


def test_one_warning_is_one_warning(tmp_path, sitrep_cli):
    assert sitrep_cli("init", tmp_path / "ws").exit_code == 0
    config = tmp_path / "ws" / "config.yaml"
    places = tmp_path / "ws" / "facts" / "places.yaml"
    places.write_text(places.read_text(encoding="utf-8") + "  - {id: somewhere, name: Somewhere, kind: area}\n",
                      encoding="utf-8")  # a place without coordinates: one warning
    checked = sitrep_cli("check", "--config", config)
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.rstrip().endswith("(1 report). 1 warning."), checked.stdout
    strict = sitrep_cli("check", "--strict", "--config", config)
    assert strict.exit_code == 1
    assert strict.stderr.splitlines()[-1] == "1 warning, and --strict treats it as an error."


def test_three_warnings_are_warnings(workspace, sitrep_cli):
    strict = sitrep_cli("check", "--strict", "--config", workspace / "config.yaml")
    assert strict.exit_code == 1
    assert strict.stderr.splitlines()[-1] == "3 warnings, and --strict treats them as errors."


@pytest.mark.parametrize("field, old, new, message", [
    ("low", "    low: 30000\n", "    low: 4x000\n", "low: found the text '4x000' (expected a number)"),
    ("low", "    low: 30000\n", "    low: 2016-06-01\n", "low: found the date 2016-06-01 (expected a number)"),
    ("low", "    low: 30000\n", "    low: [1]\n", "low: found a list (expected a number)"),
    ("as_of", "    as_of: 2016-06\n", "    as_of: 2016.5\n", "as_of: found the number 2016.5 (expected a date ("),
    ("as_of", "    as_of: 2016-06\n", "    as_of: {a: 1}\n", "as_of: found a mapping (expected a date ("),
    ("note", "    note:\n      en: An estimate", "    note: 12\n    x_note:\n      en: An estimate",
     "note: found the number 12 (expected text, or a mapping of language to text)"),
])
def test_a_value_of_the_wrong_kind_is_described_in_words(workspace, sitrep_cli, field, old, new, message):
    replace_once(workspace / FACTS, old, new)
    result = sitrep_cli("check", "--config", workspace / "config.yaml")
    assert result.exit_code == 1
    assert message in result.stderr, result.stderr
    assert not PYTHON_TYPES.search(result.stderr), result.stderr


def test_template_filters_describe_a_wrong_value_in_words():
    with pytest.raises(ValueError) as number:
        format_count("many", "people")
    assert str(number.value) == "the unit filter needs a number, not the text 'many'"
    with pytest.raises(ValueError) as date:
        format_date(20160703)
    assert str(date.value) == "the date filter needs a date, not the number 20160703"
    with pytest.raises(ValueError) as boolean:
        format_date(True)
    assert str(boolean.value) == "the date filter needs a date, not true"  # no YAML hint: not from YAML
    assert format_date(dt.date(2016, 7, 3)) == "3 July 2016"


@pytest.mark.parametrize("jobs, written", [
    ("1", ""),  # one week after the other: it stops at the one that fails, the first
    ("2", "2016-W26 (en)"),  # side by side: every other week is built
])
def test_a_build_of_every_week_that_fails_in_one_names_the_reports_it_wrote(workspace, sitrep_cli, jobs, written):
    """'nothing was written' only when it is true: a run of several weeks writes each week it builds."""
    assert "\ntemplates: custom\n" in (workspace / "config.yaml").read_text(encoding="utf-8")  # the example's own folder
    (workspace / "custom/sections").mkdir(parents=True)
    (workspace / "custom/sections/outlook.html").write_text(
        "{% if report.number == 1 %}{{ report.outlok }}{% endif %}\n", encoding="utf-8")
    result = sitrep_cli("build", "--all", "--format", "html", "--language", "en", "--jobs", jobs,
                        "--config", workspace / "config.yaml")
    assert result.exit_code == 1
    said = f"only these reports were written: {written}." if written else "nothing was written."
    assert result.stderr.splitlines()[-1] == f"1 error; {said}"
    built = sorted(path.parent.name for path in (workspace / "output").glob("*/*.html") if path.parent.name != "assets")
    assert built == [name.split(" ")[0] for name in written.split(", ") if name]


@pytest.mark.parametrize("jobs, written", [
    ("1", ["2016-W26 (en)"]),  # one after the other: it stops at the one that fails
    ("2", ["2016-W26 (en)", "2016-W26 (fr)"]),  # one pool for the languages: every other one is built
])
def test_a_build_of_every_language_that_fails_in_one_names_the_editions_it_wrote(workspace, sitrep_cli, jobs, written):
    (workspace / "custom/sections").mkdir(parents=True)
    (workspace / "custom/sections/outlook.html").write_text(
        "{% if report.language == 'ar' %}{{ report.outlok }}{% endif %}\n", encoding="utf-8")
    result = sitrep_cli("build", "--format", "html", "--jobs", jobs, "--config", workspace / "config.yaml")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == f"1 error; only these reports were written: {', '.join(written)}."
    # The error names the report it stopped, a week in a language, whichever process built it.
    assert "custom/sections/outlook.html:1: error: 2016-W26 (ar): template error:" in result.stderr
    files = {"en": "fallujah-sitrep-2016-W26.html", "fr": "fallujah-sitrep-2016-W26-fr.html"}
    assert sorted(path.name for path in (workspace / "output/2016-W26").iterdir()) == sorted(
        files[name[-3:-1]] for name in written)


def test_a_one_week_build_of_every_language_that_fails_in_one_still_writes_the_others(workspace, sitrep_process):
    # HTML and PDF, as `sitrep build` runs by default: each language rendered in the build, its PDF
    # laid out on a lane of the PDF helper (issue 25). Ar fails as it is rendered; en and fr are
    # written whole, each with its PDF, as a pool of processes writes them.
    (workspace / "custom/sections").mkdir(parents=True)
    (workspace / "custom/sections/outlook.html").write_text(
        "{% if report.language == 'ar' %}{{ report.outlok }}{% endif %}\n", encoding="utf-8")
    result = sitrep_process("build", cwd=workspace, timeout=600)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "1 error; only these reports were written: 2016-W26 (en), 2016-W26 (fr)."
    assert "custom/sections/outlook.html:1: error: 2016-W26 (ar): template error:" in result.stderr
    assert sorted(path.name for path in (workspace / "output/2016-W26").iterdir()) == [
        "fallujah-sitrep-2016-W26-fr.html", "fallujah-sitrep-2016-W26-fr.pdf",
        "fallujah-sitrep-2016-W26.html", "fallujah-sitrep-2016-W26.pdf"]
