"""A file in another encoding than UTF-8 (ACLED's exports before 2019 are Windows-1252, as its
All-Africa file of 2016 in OCHA-DAP/hdx-scraper-acled's tests is): refused with the option that
reads it, read with --encoding, its names kept as written; a wrong or unknown encoding said."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support import REPO, copy_example, event_rows

FORMATS = REPO / "tests/exchange/formats"


@pytest.fixture
def ws(tmp_path):
    return copy_example(tmp_path / "ws")


def cp1252_file(ws: Path) -> Path:
    """The pre-2019 fixture, its first note naming a café (a letter outside ASCII), in Windows-1252."""
    text = (FORMATS / "acled-pre2019.csv").read_text(encoding="utf-8")
    header, first, *rest = text.splitlines(keepends=True)
    path = ws / "acled-2016.csv"
    path.write_bytes((header + first.replace("Invented:", "Invented (café):", 1) + "".join(rest)).encode("cp1252"))
    return path


def run(sitrep_cli, ws: Path, *args):
    return sitrep_cli("import", "acled", *args, "--config", ws / "config.yaml")


def test_a_windows_1252_file_is_refused_with_the_option_then_read_with_it(ws, sitrep_cli):
    path = cp1252_file(ws)
    refused = run(sitrep_cli, ws, path)
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    errors = [line for line in refused.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 1 and "is not UTF-8 text" in errors[0], refused.stderr
    assert "--encoding cp1252" in refused.stderr
    assert not (ws / "bulk").exists()

    result = run(sitrep_cli, ws, path, "--encoding", "cp1252")
    assert result.exit_code == 0, result.stderr
    assert "acled-2016.csv" in result.stdout.splitlines()[0]  # named as the user gave it, not the UTF-8 copy
    notes = [summary for (summary,) in event_rows(ws, "summary")]
    assert any("Invented (café):" in note for note in notes), notes  # as written, not mojibake (cafÃ©)
    manifest = json.loads((ws / "bulk/manifest.json").read_text())
    import hashlib
    assert manifest["imports"][-1]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()  # the file's own
    assert manifest["imports"][-1]["file"] == "acled-2016.csv"
    assert not list((ws / "bulk").glob(".spill*"))  # the UTF-8 copy is gone
    assert len(event_rows(ws, "record")) == 4


def test_a_byte_that_is_not_text_in_the_named_encoding_is_refused_at_its_line(ws, sitrep_cli):
    path = cp1252_file(ws)
    path.write_bytes(path.read_bytes().replace(b"Invented Wire", b"Invented \x81Wire", 1))  # 0x81: none in cp1252
    result = run(sitrep_cli, ws, path, "--encoding", "cp1252")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "acled-2016.csv:2: error: line 2 is not cp1252 text" in result.stderr


def test_an_unknown_encoding_is_a_usage_error(ws, sitrep_cli):
    result = run(sitrep_cli, ws, cp1252_file(ws), "--encoding", "klingon-8")
    assert result.exit_code == 2
    assert "--encoding: 'klingon-8' is not an encoding Python knows" in result.stderr


def test_utf8_named_as_such_is_read_as_it_is(ws, sitrep_cli):
    result = run(sitrep_cli, ws, FORMATS / "acled-pre2019.csv", "--encoding", "utf-8")
    assert result.exit_code == 0, result.stderr
