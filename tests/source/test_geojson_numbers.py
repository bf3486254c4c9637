"""The numbers of a GeoJSON file (a basemap layer's, an area's `file:`), read as JSON allows
them and no further (issue 22): a coordinate of thousands of digits, a number too large for a
float, NaN and Infinity (which Python's reader takes), nesting beyond reason: each one message
naming the file and what was expected, exit 1, never an internal error (exit 70)."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import assert_refused, copy_example, write

LINE = '{{"type": "LineString", "coordinates": [[43.70, 33.30], [{lon}, 33.30]]}}'
TOO_LONG = "4" + "3" * 4999  # 5,000 digits


@pytest.fixture
def ws(tmp_path: Path, monkeypatch) -> Path:
    workspace = copy_example(tmp_path / "ws")
    monkeypatch.chdir(workspace)
    return workspace


@pytest.mark.parametrize("lon, message", [
    (TOO_LONG, "a number of 5,000 characters (4333333333333333333…)"),
    ("43." + "7" * 5000, "a number of 5,003 characters (43.7777777777777777…)"),
    ("-" + TOO_LONG, "a number of 5,001 characters (-433333333333333333…)"),
    ("1e400", "the number 1e400 is too large to read"),
    ("-1E+999", "the number -1E+999 is too large to read"),
    ("NaN", "NaN is not a number JSON allows"),
    ("Infinity", "Infinity is not a number JSON allows"),
    ("-Infinity", "-Infinity is not a number JSON allows"),
], ids=["5000-digits", "5000-decimals", "negative-5000-digits", "1e400", "-1e999", "nan", "infinity", "-infinity"])
def test_an_absurd_number_in_a_basemap_file_is_one_clear_error(ws, sitrep_cli, lon, message):
    write(ws / "facts/geo/euphrates.geojson", "\n" + LINE.format(lon=lon))
    for command in ("check", "build"):
        result = sitrep_cli(command)
        assert_refused(result, "facts/geo/euphrates.geojson", 2, message,
                       "(expected numbers such as 43.78, of at most 64 characters)")
        assert "internal error" not in result.output and len(result.stderr) < 2000, result.stderr


def test_an_absurd_number_in_an_areas_file_names_the_area(ws, sitrep_cli):
    store = ws / "facts/2016-06-fallujah.yaml"
    text = store.read_text(encoding="utf-8")
    assert "outline:" in text
    write(ws / "facts/geo/front.geojson", LINE.format(lon=TOO_LONG))
    area = text[text.index("outline:"):].split("\n", 1)[0]
    store.write_text(text.replace(area, "file: geo/front.geojson", 1), encoding="utf-8")
    result = sitrep_cli("check")
    assert result.exit_code == 1 and "internal error" not in result.output, result.output
    assert "file: a number of 5,000 characters" in result.stderr, result.stderr


@pytest.mark.parametrize("content, message", [
    ('{"type": "LineString", "coordinates": ' + "[" * 100000 + "]" * 100000 + "}", "nested too deeply"),
    ('{"type": "LineString", "coordinates": [[43.7, 33.3], ' + "[" * 500 + "43.7, 33.3" + "]" * 501 + "}",
     "has a position that is not [longitude, latitude]"),
    ('{"type": "LineString", "coordinates": [[43.7, 33.3], [' + "9" * 60 + ', 33.3]]}', "out of range"),
], ids=["nested-100000", "nested-500", "60-digits-in-bounds-of-length"])
def test_deep_nesting_and_large_numbers_within_the_length_are_refused_in_words(ws, sitrep_cli, content, message):
    write(ws / "facts/geo/euphrates.geojson", content)
    result = sitrep_cli("check")
    assert_refused(result, "facts/geo/euphrates.geojson", None, message)
