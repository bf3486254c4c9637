"""sitrep edit's check of a proposed save (sitrep/edit/validate.py): the problems `sitrep check`
would print if the file held the new text, in its words, naming the real file; nothing written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from support import copy_example, line_of

FILE = "facts/2016-06-fallujah.yaml"


@pytest.fixture
def here(tmp_path, monkeypatch) -> Path:
    workspace = copy_example(tmp_path / "ws")
    monkeypatch.chdir(workspace)
    return workspace


def check_output(sitrep_cli) -> list[str]:
    """What `sitrep check` prints, one problem a line (its summary line left out)."""
    result = sitrep_cli("check")
    return [line for line in result.output.splitlines() if ": error: " in line or ": warning: " in line]


def test_a_refused_save_gets_the_words_of_check_and_the_file_is_untouched(here, sitrep_cli):
    from sitrep.edit.validate import check_save, errors_of

    original = (here / FILE).read_text(encoding="utf-8")
    new_text = original.replace("value: 30\n", "value: thirty\n", 1).replace("place: fallujah\n", "place: falluja\n", 1)
    problems = check_save("config.yaml", FILE, new_text)
    assert (here / FILE).read_text(encoding="utf-8") == original  # checked, not written
    assert errors_of(problems)
    (here / FILE).write_text(new_text, encoding="utf-8")  # now as a user would have saved it by hand
    expected = check_output(sitrep_cli)
    assert [str(problem) for problem in problems] == expected
    assert any(line.startswith(f"{FILE}:") and "thirty" in line for line in expected)


def test_a_valid_save_gives_checks_warnings_and_no_error(here, sitrep_cli):
    from sitrep.edit.validate import check_save, errors_of

    original = (here / FILE).read_text(encoding="utf-8")
    problems = check_save("config.yaml", FILE, original.replace("value: 30\n", "value: 31\n", 1))
    assert not errors_of(problems)
    assert [str(problem) for problem in problems] == check_output(sitrep_cli)  # the store's warnings, as check's
    assert problems


def test_a_store_outside_the_workspace_and_a_config_run_from_elsewhere(tmp_path, monkeypatch):
    """config.yaml's relative store path ("../shared/facts") resolves in the mirror as in the
    workspace; problems name the real file as seen from the current folder."""
    from sitrep.edit.validate import check_save

    workspace = copy_example(tmp_path / "team" / "ws")
    shutil.move(workspace / "facts", tmp_path / "team" / "shared")
    shutil.move(tmp_path / "team" / "shared" / "geo", workspace / "geo")  # the basemap stays in the workspace
    config = workspace / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("store: facts", "store: ../shared")
                      .replace("file: facts/geo/", "file: geo/"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    real = tmp_path / "team" / "shared" / "2016-06-fallujah.yaml"
    text = real.read_text(encoding="utf-8").replace("value: 30\n", "value: thirty\n", 1)
    problems = [str(p) for p in check_save(config, real, text) if p.severity == "error"]
    assert len(problems) == 1 and problems[0].startswith("team/shared/2016-06-fallujah.yaml:"), problems


def test_a_linked_store_file_is_refused_as_check_refuses_it_never_followed(here, sitrep_cli, tmp_path):
    from sitrep.edit.validate import check_save

    outside = tmp_path / "elsewhere.yaml"
    outside.write_text("sources:\n  - id: secret\n", encoding="utf-8")
    (here / "facts" / "linked.yaml").symlink_to(outside)
    text = (here / FILE).read_text(encoding="utf-8")
    problems = [str(p) for p in check_save("config.yaml", FILE, text)]
    assert problems == check_output(sitrep_cli)
    assert any("linked.yaml" in line for line in problems)


def test_problems_are_placed_at_the_field_their_line_holds(here):
    from sitrep.edit.validate import check_save, problems_by_field

    original = (here / FILE).read_text(encoding="utf-8")
    new_text = original.replace("value: 30\n", "value: thirty\n", 1)
    problems = check_save("config.yaml", FILE, new_text)
    at_field, other = problems_by_field(problems, FILE, new_text)
    assert list(at_field) == ["value"]
    assert f"{FILE}:{line_of(new_text, 'value: thirty')}: error:" in at_field["value"][0]
    assert all(not line.startswith(FILE) or "warning" in line for line in other)


def test_a_checker_keeps_its_mirror_in_step_with_the_workspace(here, sitrep_cli):
    """Between checks of one session the mirror is brought up to date, not rebuilt: the text of a
    refused save does not linger in it, and a file removed or added in the store is seen."""
    from sitrep.edit.validate import SaveChecker

    checker = SaveChecker("config.yaml")
    try:
        text = (here / FILE).read_text(encoding="utf-8")
        assert any(p.severity == "error" for p in checker.check(FILE, text.replace("value: 30\n", "value: x\n", 1)))
        assert [str(p) for p in checker.check()] == check_output(sitrep_cli)  # the refused text is gone
        (here / "facts" / "extra.yaml").write_text("sources:\n  - id: bad id\n", encoding="utf-8")
        assert [str(p) for p in checker.check()] == check_output(sitrep_cli)
        assert any("extra.yaml" in str(p) for p in checker.check())
        (here / "facts" / "extra.yaml").unlink()
        assert [str(p) for p in checker.check()] == check_output(sitrep_cli)
        assert not any("extra.yaml" in str(p) for p in checker.check())
    finally:
        checker.close()


def test_on_an_entrys_form_only_its_problems_go_to_its_fields(here):
    """Another entry's error refuses the save too, so it is listed; it is not put at this form's
    field of the same name."""
    from sitrep.edit.validate import check_save, problems_by_field

    new_text = (here / FILE).read_text(encoding="utf-8").replace("value: 30\n", "value: thirty\n", 1)
    problems = check_save("config.yaml", FILE, new_text)
    at_field, other = problems_by_field(problems, FILE, new_text, ("figures", "fallujah-trapped-2016-06"))
    assert at_field == {}
    assert len(other) == 1 and "'thirty'" in other[0]
    at_field, other = problems_by_field(problems, FILE, new_text, ("figures", "fallujah-fleeing-killed-2016-06"))
    assert list(at_field) == ["value"] and other == []


def test_on_an_entrys_form_other_files_warnings_are_left_to_the_desk(here):
    from sitrep.edit.validate import check_save, problems_by_field

    text = (here / FILE).read_text(encoding="utf-8")
    problems = check_save("config.yaml", FILE, text)
    assert any(p.severity == "warning" and p.file != FILE for p in problems)
    assert problems_by_field(problems, FILE, text, ("figures", "fallujah-trapped-2016-06")) == ({}, [])
