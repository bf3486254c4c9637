"""`sitrep init DIR`: a new workspace that checks and builds at once, and never writes over files."""

from __future__ import annotations

import datetime as dt
import json

import jsonschema
import pytest
import yaml

from sitrep.source.schema import SCHEMA_FILE_NAME, store_json_schema
from sitrep import check
from sitrep.commands.starter import SCHEMA_LINE, init_workspace, starter_files
from sitrep.source.vocabulary import DEFAULT_SECTIONS


def test_init_then_check_and_build_in_a_temporary_folder(tmp_path, sitrep_process):
    created = sitrep_process("init", "new-crisis", cwd=tmp_path)
    assert created.exit_code == 0, created.output
    assert "Next: cd new-crisis && sitrep check && sitrep build" in created.stdout
    ws = tmp_path / "new-crisis"
    assert (ws / "config.yaml").is_file() and (ws / "templates").is_dir()

    checked = sitrep_process("check", "--strict", cwd=ws)  # no errors and no warnings
    assert checked.exit_code == 0, checked.output
    assert "1 source, 2 places, 1 actor, 1 figure, 1 incident, 1 route, 1 movement, 2 narrative" in checked.stdout

    built = sitrep_process("build", cwd=ws)
    assert built.exit_code == 0, built.output
    # The first report is the last whole week's (its as-of date, that week's Sunday, is past).
    year, week, _ = (dt.date.today() - dt.timedelta(days=7)).isocalendar()
    pdf = ws / f"output/{year}-W{week:02d}/sitrep-{year}-W{week:02d}.pdf"
    html = pdf.with_suffix(".html").read_text(encoding="utf-8")
    assert pdf.stat().st_size > 10_000
    assert "This is an example report" in html and "Example City" in html

    listed = sitrep_process("templates", cwd=ws)
    assert listed.exit_code == 0 and "Yours: templates" in listed.stdout
    copied = sitrep_process("templates", "copy", "outlook", cwd=ws)
    assert copied.exit_code == 0 and (ws / "templates/sections/outlook.html").is_file()


def test_init_refuses_a_folder_that_is_not_empty(tmp_path, sitrep_cli):
    folder = tmp_path / "busy"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    result = sitrep_cli("init", folder)
    assert result.exit_code == 1
    assert "the folder is not empty; sitrep init never writes over files" in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
    assert "Traceback" not in result.output


def test_init_refuses_a_file(tmp_path, sitrep_cli):
    (tmp_path / "a-file").write_text("x")
    result = sitrep_cli("init", tmp_path / "a-file")
    assert result.exit_code == 1 and "is a file, not a folder" in result.stderr


def test_init_accepts_an_empty_folder(tmp_path, sitrep_cli):
    (tmp_path / "empty").mkdir()
    assert sitrep_cli("init", tmp_path / "empty").exit_code == 0


def test_every_starter_entry_is_marked_as_an_example_and_files_point_to_the_schema():
    files = starter_files(dt.date(2024, 3, 14))
    for name, text in files.items():
        if name.startswith("facts/") and name.endswith(".yaml"):
            assert text.startswith(SCHEMA_LINE + "\n"), name
            data = yaml.safe_load(text)
            entries = [entry for entries in data.values() for entry in entries]
            # One "# EXAMPLE" comment per entry (places has two: the route needs somewhere to go).
            assert text.count("# EXAMPLE") == len(entries), name
    assert "week: 2024-W10" in files["facts/narrative.yaml"]  # made on Thursday 14 March, week 11
    assert json.loads(files[f"facts/{SCHEMA_FILE_NAME}"]) == store_json_schema()


def test_starter_store_files_satisfy_the_schema_editors_use():
    schema = store_json_schema()
    for name, text in starter_files(dt.date(2024, 3, 14)).items():
        if name.startswith("facts/") and name.endswith(".yaml"):
            data = yaml.safe_load(text)
            jsonschema.validate(json.loads(json.dumps(data, default=str)), schema)


def test_the_starter_config_documents_the_theme(tmp_path):
    text = starter_files(dt.date.today())["config.yaml"]
    for key in ("templates: templates", "# theme:", "#   logo:", "#   colours:", "#   fonts:", "# sections:", "paper: A4"):
        assert key in text


@pytest.mark.parametrize("today", [dt.date(2024, 3, 11) + dt.timedelta(days=n) for n in range(7)],
                         ids=lambda day: day.strftime("%A"))
def test_the_first_report_is_never_as_of_a_day_after_the_workspace_was_made(tmp_path, today):
    """The example facts date the first report: it is the last whole week's, as of its Sunday,
    on whatever weekday `sitrep init` runs; never this week's, as of a Sunday still to come."""
    init_workspace(tmp_path / "ws", today=today)
    weeks = check(tmp_path / "ws" / "config.yaml").weeks("public")
    assert len(weeks) == 1
    first = weeks[-1]
    assert first.end < today  # the as-of date (the week's Sunday) is already past
    assert first.end >= today - dt.timedelta(days=7)  # and as recent as can be: the last whole week


def test_uncommenting_the_starter_sections_changes_nothing(tmp_path, sitrep_cli):
    """The commented `sections:` list is the default one: uncommented as it stands, the report is
    the same, section for section (it once listed 11 of them, and uncommenting it lost 5)."""
    ws = tmp_path / "ws"
    init_workspace(ws)
    config = ws / "config.yaml"
    assert sitrep_cli("build", "--format", "html", "--config", config).exit_code == 0
    before = {path.name: path.read_bytes() for path in (ws / "output").glob("*/*.html")}
    text = config.read_text(encoding="utf-8")
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("# sections: ["))
    last = next(i for i in range(first, len(lines)) if lines[i].endswith("]"))
    commented = lines[first:last + 1]
    assert len(commented) >= 2  # wrapped, as a YAML flow list
    for line in commented:
        text = text.replace(line + "\n", line.removeprefix("# ") + "\n")
    config.write_text(text, encoding="utf-8")
    assert check(config).config.model.sections == list(DEFAULT_SECTIONS)
    rebuilt = sitrep_cli("build", "--format", "html", "--config", config)
    assert rebuilt.exit_code == 0 and "built in" in rebuilt.stdout  # the config changed: built again
    assert {path.name: path.read_bytes() for path in (ws / "output").glob("*/*.html")} == before
