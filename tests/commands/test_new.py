"""`sitrep new KIND`: a valid skeleton entry, added without changing a byte of what is there."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from support import write
from sitrep.build import check
from sitrep.commands.new import KIND_KEYS, add_entry

TODAY = dt.date.today().isoformat()


def inserted_only(before: bytes, after: bytes) -> bytes:
    """The bytes added, asserting that `after` is `before` with one run of bytes inserted."""
    prefix = 0
    while prefix < len(before) and before[prefix] == after[prefix]:
        prefix += 1
    suffix = len(before) - prefix
    assert after[len(after) - suffix:] == before[prefix:], "existing bytes were changed or moved"
    return after[prefix:len(after) - suffix]


@pytest.mark.parametrize("kind", list(KIND_KEYS))
def test_each_kind_is_added_valid_and_the_file_keeps_every_byte(workspace, sitrep_cli, kind):
    files = {p: p.read_bytes() for p in (workspace / "facts").glob("*.yaml")}
    done = sitrep_cli("new", kind, "--config", workspace / "config.yaml")
    assert done.exit_code == 0, done.stderr
    changed = [p for p, data in files.items() if p.read_bytes() != data]
    assert len(changed) == 1
    added = inserted_only(files[changed[0]], changed[0].read_bytes()).decode()
    assert f"id: new-{kind}-{TODAY}" in added
    assert f"{changed[0].name}:" in done.stdout
    # The store still checks, and the new entry is where the message says.
    line = int(done.stdout.split(f"{changed[0].name}:")[1].split(".")[0])
    assert changed[0].read_text().splitlines()[line - 1].strip() == f"- id: new-{kind}-{TODAY}"
    result = check(workspace / "config.yaml")
    assert f"new-{kind}-{TODAY}" in result.store.kind(KIND_KEYS[kind])
    # TODO text makes check warn until the analyst fills the entry in.
    assert any(w.entry_id == f"new-{kind}-{TODAY}" and "placeholder" in w.message for w in result.warnings)


def test_a_new_fact_is_a_draft_kept_out_of_public_editions(workspace, sitrep_cli):
    assert sitrep_cli("new", "incident", "--config", workspace / "config.yaml").exit_code == 0
    incident = check(workspace / "config.yaml").store.incidents[f"new-incident-{TODAY}"]
    assert incident.sensitivity == "restricted"
    done = sitrep_cli("build", "--format", "html", "--week", "2016-W26", "--config", workspace / "config.yaml")
    assert done.exit_code == 0, done.stderr
    assert "new-incident" not in next((workspace / "output" / "2016-W26").glob("*.html")).read_text()


def test_ids_are_fresh_and_an_id_in_use_is_refused(workspace, sitrep_cli):
    config = workspace / "config.yaml"
    assert sitrep_cli("new", "figure", "--config", config).exit_code == 0
    second = sitrep_cli("new", "figure", "--config", config)
    assert f"new-figure-{TODAY}-2" in second.stdout
    before = (workspace / "facts" / "2016-06-fallujah.yaml").read_bytes()
    taken = sitrep_cli("new", "figure", "--id", "fallujah-trapped-2016-06", "--config", config)
    assert taken.exit_code == 1
    assert "facts/2016-06-fallujah.yaml:8 (expected a new, unique id)" in taken.stderr
    assert (workspace / "facts" / "2016-06-fallujah.yaml").read_bytes() == before


def test_comments_crlf_and_bom_survive(tmp_path):
    write(tmp_path / "config.yaml", "title: T\ncrisis: C\norganisation: {name: O}\n")
    original = ("\ufeff# Analyst A's file. Keep this comment.\r\nsources:\r\n"
                "- id: s1   # no indentation before the dash, on purpose\r\n  name: S\r\n  kind: media\r\n  reliability: B\r\n"
                "\r\n# places follow\r\nplaces:\r\n- {id: p1, name: P, kind: town}\r\n")
    path = tmp_path / "facts" / "a.yaml"
    path.parent.mkdir()
    path.write_bytes(original.encode("utf-8"))
    os.chmod(path, 0o600)
    checked = check(tmp_path / "config.yaml")
    added = add_entry(checked.config, checked.store, "source", path, today=dt.date(2025, 3, 20))
    after = path.read_bytes()
    new_text = inserted_only(original.encode("utf-8"), after).decode()
    assert "\r\n" in new_text and "\n" not in new_text.replace("\r\n", "")  # CRLF kept
    assert b"reliability: B\r\n\r\n- id: new-source-2025-03-20\r\n" in after  # lined up with the existing items
    assert after.index(b"# places follow") > after.index(b"new-source")  # the comment stays with places
    assert path.stat().st_mode & 0o777 == 0o600
    assert added.line == 8
    assert "new-source-2025-03-20" in check(tmp_path / "config.yaml").store.sources


def test_a_file_without_that_kind_gets_a_new_list_at_its_end(workspace):
    path = workspace / "facts" / "actors.yaml"
    before = path.read_bytes()
    checked = check(workspace / "config.yaml")
    add_entry(checked.config, checked.store, "movement", path)
    after = path.read_bytes()
    assert after.startswith(before)
    assert after[len(before):].decode().startswith("\nmovements:\n  - id: new-movement-")
    assert f"new-movement-{TODAY}" in check(workspace / "config.yaml").store.movements


def test_a_flow_style_list_is_refused_and_left_alone(tmp_path, sitrep_cli):
    write(tmp_path / "config.yaml", "title: T\ncrisis: C\norganisation: {name: O}\n")
    store = write(tmp_path / "facts" / "a.yaml", "sources: [{id: s1, name: S, kind: media, reliability: B}]\n"
                                                  "places: [{id: p1, name: P, kind: town}]\n")
    before = store.read_bytes()
    done = sitrep_cli("new", "source", "--config", tmp_path / "config.yaml")
    assert done.exit_code == 1
    assert "facts/a.yaml:1: error: 'sources:' is written on one line" in done.stderr.replace(str(tmp_path) + "/", "")
    assert store.read_bytes() == before


def test_a_file_outside_the_store_is_refused(workspace, sitrep_cli):
    done = sitrep_cli("new", "figure", "--file", workspace / "config.yaml", "--config", workspace / "config.yaml")
    assert done.exit_code == 1
    assert "the store's own files only" in done.stderr


def test_a_fact_needs_places_and_sources_to_refer_to(tmp_path, sitrep_cli):
    write(tmp_path / "config.yaml", "title: T\ncrisis: C\norganisation: {name: O}\n")
    write(tmp_path / "facts" / "a.yaml", "actors:\n  - {id: a1, name: A, kind: armed_group}\n")
    done = sitrep_cli("new", "figure", "--config", tmp_path / "config.yaml")
    assert done.exit_code == 1
    assert "the store has none yet" in done.stderr and "sitrep new place" in done.stderr


def test_a_broken_store_is_not_edited(workspace, sitrep_cli):
    path = workspace / "facts" / "places.yaml"
    path.write_text(path.read_text() + "  - id: [broken\n")
    before = {p: p.read_bytes() for p in (workspace / "facts").glob("*.yaml")}
    done = sitrep_cli("new", "place", "--config", workspace / "config.yaml")
    assert done.exit_code == 1
    assert "places.yaml" in done.stderr
    assert {p: p.read_bytes() for p in before} == before


def test_a_failed_write_leaves_the_file_whole(workspace, monkeypatch):
    path = workspace / "facts" / "2016-06-fallujah.yaml"
    before = path.read_bytes()
    checked = check(workspace / "config.yaml")

    def crash(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(Exception) as failure:
        add_entry(checked.config, checked.store, "figure", path)
    assert "No space left on device" in str(failure.value)
    assert path.read_bytes() == before
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no temp file left behind


def test_unknown_kind_is_a_usage_error(workspace, sitrep_cli):
    before = {p: p.read_bytes() for p in (workspace / "facts").glob("*.yaml")}
    done = sitrep_cli("new", "figur", "--config", workspace / "config.yaml")
    # Exit 2, as for any usage error; the message itself is Typer's (its wording is not ours to test).
    assert done.exit_code == 2, done.output
    assert "Traceback" not in done.output
    assert {p: p.read_bytes() for p in before} == before
    assert sorted((workspace / "facts").glob("*.yaml")) == sorted(before)


def test_a_folder_given_as_the_file_is_refused(workspace, sitrep_cli):
    (workspace / "facts" / "more.yaml").mkdir()
    done = sitrep_cli("new", "figure", "--file", workspace / "facts" / "more.yaml", "--config", workspace / "config.yaml")
    assert done.exit_code == 1
    assert "this is a folder, not a store file" in done.stderr
