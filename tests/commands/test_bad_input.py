"""Bad input, run through the CLI the way a user meets it.

Every case asserts the same contract: exit code 1; one line on stderr that names the file (as
printed, relative to the workspace the command runs in) and the right line, and says what was
wrong and what was expected; never a traceback; and a failing `build` writes nothing into
output/ (or, when a report is already there, leaves it byte-identical).

Expected line numbers are computed from the text each test writes (`line_of`), never typed in.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from support import FIGURE, PATIENCE, assert_nothing_written, assert_refused, line_of, write

# --- helpers --------------------------------------------------------------------------------

ERROR_LINE = re.compile(r"^(?P<file>[^\s:][^:]*?)(?::(?P<line>\d+))?: error: ")


@pytest.fixture
def ws(workspace: Path, monkeypatch) -> Path:
    """The example workspace, with the current folder inside it, as a user runs sitrep."""
    monkeypatch.chdir(workspace)
    return workspace


def error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if ERROR_LINE.match(line)]


def output_files(ws: Path) -> dict[str, bytes]:
    out = ws / "output"
    if not out.exists():
        return {}
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def check_and_build(ws: Path, sitrep_cli, file: str, line: int | None, *expected: str) -> None:
    """`check` and `build` both refuse with the same error, and the build writes nothing."""
    for command in ("check", "build"):
        result = sitrep_cli(command, "--config", ws / "config.yaml")
        assert_refused(result, file, line, *expected)
    assert_nothing_written(ws)

def refuse_figure_change(ws: Path, sitrep_cli, old: str, new: str, at: str, *expected: str) -> None:
    """FIGURE with `old` replaced by `new`, as a store file: `check` and `build` both refuse it
    at the line holding `at`, with every `expected` text, and write nothing."""
    text = FIGURE.replace(old, new)
    assert text != FIGURE, f"{old!r} is not in FIGURE"
    write(ws / "facts/probe.yaml", text)
    check_and_build(ws, sitrep_cli, "facts/probe.yaml", line_of(text, at), *expected)



# --- malformed YAML -------------------------------------------------------------------------

def test_malformed_yaml_bad_indentation(ws, sitrep_cli):
    text = "places:\n  - id: probe-place\n    name: Probe\n   kind: city\n"
    write(ws / "facts/probe.yaml", text)
    check_and_build(ws, sitrep_cli, "facts/probe.yaml", line_of(text, "   kind: city"),
                    "invalid YAML", "(expected")


def test_malformed_yaml_colon_in_value_says_what_was_expected(ws, sitrep_cli):
    text = "places:\n  - id: probe-place\n    name: Falluja: old town\n    kind: city\n"
    write(ws / "facts/probe.yaml", text)
    result = sitrep_cli("check", "--config", ws / "config.yaml")
    assert_refused(result, "facts/probe.yaml", line_of(text, "name: Falluja: old town"), "invalid YAML", "(expected")


def test_malformed_yaml_unclosed_quote_points_at_the_quote(ws, sitrep_cli):
    text = 'places:\n  - id: probe-place\n    name: "Probe\n    kind: city\n'
    write(ws / "facts/probe.yaml", text)
    result = sitrep_cli("check", "--config", ws / "config.yaml")
    assert_refused(result, "facts/probe.yaml", line_of(text, 'name: "Probe'), "invalid YAML", "(expected")


def test_syntax_error_in_one_file_does_not_cascade(ws, sitrep_cli):
    places = ws / "facts/places.yaml"
    text = places.read_text(encoding="utf-8").replace("    kind: city\n", "    kind: city: big\n", 1)
    write(places, text)
    result = sitrep_cli("check", "--config", ws / "config.yaml")
    assert_refused(result, "facts/places.yaml", line_of(text, "kind: city: big"), "invalid YAML")
    assert len(error_lines(result)) == 1, result.stderr


def test_malformed_yaml_unclosed_bracket_points_at_the_bracket(ws, sitrep_cli):
    text = "places:\n  - id: probe-place\n    name: Probe\n    kind: city\n    lat: [33.3, 43.7\n    lon: 43.7\n"
    write(ws / "facts/probe.yaml", text)
    result = sitrep_cli("check", "--config", ws / "config.yaml")
    message = assert_refused(result, "facts/probe.yaml", line_of(text, "lat: [33.3"), "invalid YAML", "(expected")
    assert "']'" in message.split("(expected", 1)[1], message


def test_second_yaml_document_points_at_the_separator(ws, sitrep_cli):
    text = "places:\n  - id: probe-place\n    name: Probe\n    kind: city\n---\nplaces: []\n"
    write(ws / "facts/probe.yaml", text)
    check_and_build(ws, sitrep_cli, "facts/probe.yaml", line_of(text, "---"), "second YAML document",
                    "expected one document per file")


# --- types, keys, required fields -----------------------------------------------------------

def test_wrong_type_text_where_a_number_is_expected(ws, sitrep_cli):
    refuse_figure_change(ws, sitrep_cli, "    value: 5\n", '    low: "30000"\n    high: 40000\n', 'low: "30000"',
                         "[probe-figure]", "low", "expected a number", "'30000'")


def test_infinite_number_is_refused(ws, sitrep_cli):
    refuse_figure_change(ws, sitrep_cli, "    value: 5\n", "    value: .inf\n", "value: .inf", "(expected", "number")


def test_unknown_key_lists_allowed_keys_and_suggests_nearest(ws, sitrep_cli):
    text = FIGURE.replace("    place: fallujah\n", "    plac: fallujah\n")
    write(ws / "facts/probe.yaml", text)
    for command in ("check", "build"):
        result = sitrep_cli(command, "--config", ws / "config.yaml")
        message = assert_refused(result, "facts/probe.yaml", line_of(text, "plac: fallujah"),
                                 "unknown key 'plac'", "expected one of:", "did you mean 'place'?")
        allowed = message.split("expected one of:", 1)[1]
        for key in ("id", "metric", "place", "as_of", "value", "low", "high", "qualifier", "unit", "note",
                    "cited", "sensitivity"):
            assert re.search(rf"\b{key}\b", allowed), (key, message)
        # ... and the field it replaced is missing, reported at the entry.
        assert_refused(result, "facts/probe.yaml", line_of(text, "- id: probe-figure"),
                       "missing required field 'place'")
    assert_nothing_written(ws)


def test_missing_required_field(ws, sitrep_cli):
    refuse_figure_change(ws, sitrep_cli, "    unit: people\n", "", "- id: probe-figure",
                         "[probe-figure]", "missing required field 'unit'")


def test_missing_required_field_in_a_citation(ws, sitrep_cli):
    refuse_figure_change(ws, sitrep_cli, "      - {source: ibtimes, date: 2016-06}\n", "      - {date: 2016-06, credibility: 3}\n",
                         "{date: 2016-06, credibility: 3}", "missing required field 'cited.source'")


# --- duplicate ids --------------------------------------------------------------------------

def test_duplicate_id_within_a_file(ws, sitrep_cli):
    text = ("places:\n"
            "  - id: probe-place\n"
            "    name: Probe one\n"
            "    kind: city\n"
            "  - name: Probe two\n"
            "    id: probe-place\n"
            "    kind: town\n")
    write(ws / "facts/probe.yaml", text)
    first = line_of(text, "- id: probe-place")
    check_and_build(ws, sitrep_cli, "facts/probe.yaml", line_of(text, "    id: probe-place"),
                    "duplicate id 'probe-place'", f"first used at facts/probe.yaml:{first}",
                    "expected an id used by one entry only")


def test_duplicate_id_across_two_files(ws, sitrep_cli):
    places_text = (ws / "facts/places.yaml").read_text(encoding="utf-8")
    first = line_of(places_text, "- id: fallujah")
    # 'zz-' sorts after places.yaml, so this is the second use of the id.
    text = "places:\n  - name: Another Fallujah\n    id: fallujah\n    kind: city\n"
    write(ws / "facts/zz-probe.yaml", text)
    check_and_build(ws, sitrep_cli, "facts/zz-probe.yaml", line_of(text, "id: fallujah"),
                    "duplicate id 'fallujah'", f"first used at facts/places.yaml:{first}",
                    "expected an id used by one entry only")


# --- references -----------------------------------------------------------------------------

def test_citation_of_an_unknown_source_suggests_the_nearest(ws, sitrep_cli):
    refuse_figure_change(ws, sitrep_cli, "      - {source: ibtimes, date: 2016-06}\n",
                         "      - date: 2016-06\n        source: ibtime\n", "source: ibtime",
                         "[probe-figure]", "unknown source 'ibtime'", "expected the id of an entry under 'sources:'",
                         "did you mean 'ibtimes'?")


def test_reference_to_an_unknown_place(ws, sitrep_cli):
    refuse_figure_change(ws, sitrep_cli, "    place: fallujah\n", "    place: falujah\n", "place: falujah",
                         "[probe-figure]", "unknown place 'falujah'", "expected the id of an entry under 'places:'",
                         "did you mean 'fallujah'?")


# --- meaning --------------------------------------------------------------------------------

def test_inverted_range(ws, sitrep_cli):
    refuse_figure_change(ws, sitrep_cli, "    value: 5\n", "    low: 40000\n    high: 30000\n", "low: 40000",
                         "[probe-figure]", "inverted range", "low 40000 is greater than high 30000", "expected low <= high")


def test_impossible_date(ws, sitrep_cli):
    # The reason follows in brackets, in sitrep's words (Python's differ between versions).
    refuse_figure_change(ws, sitrep_cli, "    as_of: 2016-06\n", "    as_of: 2016-13-45\n", "as_of: 2016-13-45",
                         "[probe-figure]", "as_of", "'2016-13-45' is not a real date (there is no month 13)")


def test_date_that_is_not_a_date(ws, sitrep_cli):
    refuse_figure_change(ws, sitrep_cli, "    as_of: 2016-06\n", "    as_of: soon\n", "as_of: soon",
                         "[probe-figure]", "'soon' is not a date", "expected YYYY-MM-DD")


@pytest.mark.parametrize("date", ["9999-12-31", "9999"])
def test_date_at_the_end_of_the_calendar_does_not_crash(ws, sitrep_process, date):
    text = FIGURE.replace("    as_of: 2016-06\n", f"    as_of: {date}\n")
    write(ws / "facts/probe.yaml", text)
    result = sitrep_process("check", cwd=ws)
    assert result.exit_code in (0, 1), result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.output
    # refused or warned about, at its line
    assert f"facts/probe.yaml:{line_of(text, 'as_of: 9999')}: " in result.stderr, result.stderr


# --- what the loader refuses ----------------------------------------------------------------

def test_duplicate_yaml_key(ws, sitrep_cli):
    text = "places:\n  - id: probe-place\n    name: Probe\n    kind: city\n    name: Probe again\n"
    write(ws / "facts/probe.yaml", text)
    check_and_build(ws, sitrep_cli, "facts/probe.yaml", line_of(text, "name: Probe again"),
                    "duplicate key 'name'", f"first set on line {line_of(text, 'name: Probe')}",
                    "expected each key once per entry")


def test_file_that_is_not_utf8(ws, sitrep_cli):
    text = "places:\n  - id: probe-place\n    name: Café\n    kind: city\n"
    (ws / "facts/probe.yaml").write_bytes(text.encode("latin-1"))
    check_and_build(ws, sitrep_cli, "facts/probe.yaml", line_of(text, "Café"),
                    "byte 0xe9 is not valid UTF-8", "expected a file saved as UTF-8")


def test_python_tag_is_refused_not_executed(ws, sitrep_cli, tmp_path):
    marker = tmp_path / "pwned"
    text = ("places:\n  - id: probe-place\n    name: Probe\n"
            f'    kind: !!python/object/apply:os.system ["touch {marker}"]\n')
    write(ws / "facts/probe.yaml", text)
    check_and_build(ws, sitrep_cli, "facts/probe.yaml", line_of(text, "!!python/object/apply"),
                    "python/object/apply:os.system", "is not allowed", "(expected a plain")
    assert not marker.exists(), "the tag was executed"


def test_python_tag_echo_is_not_run_in_a_real_process(ws, sitrep_process):
    text = 'places:\n  - id: probe-place\n    name: Probe\n    kind: !!python/object/apply:os.system ["echo hi"]\n'
    write(ws / "facts/probe.yaml", text)
    result = sitrep_process("check", cwd=ws)
    assert_refused(result, "facts/probe.yaml", line_of(text, "!!python"), "is not allowed", "(expected")
    assert "hi" not in result.stdout.split()


def test_alias_bomb_is_refused_quickly(ws, sitrep_process):
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    previous = "a"
    for name in "bcdefghi":  # 9 levels: 9**9 (387 million) strings if expanded
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
        previous = name
    text = "\n".join(lines) + "\n"
    write(ws / "facts/bomb.yaml", text)
    # Real processes, each given PATIENCE to end: expanded, the bomb would run for hours and
    # fill the memory. (How quickly it is refused, `make bench` measures.)
    for command in ("check", "build"):
        result = sitrep_process(command, "--config", "config.yaml", cwd=ws, timeout=PATIENCE)
        # The first anchor (&a) is on the first line: that is where the file first does what is refused.
        assert_refused(result, "facts/bomb.yaml", line_of(text, "a: &a"),
                       "anchors and aliases", "not allowed", "expected every value written out in full")
    assert_nothing_written(ws)


def test_deeply_nested_flow_list_is_refused_without_crashing(ws, sitrep_process):
    # Run as a real process: if libyaml's recursive composer overflowed the C stack, it would
    # take the process with it (a signal, not exit 1).
    text = "[" * 200_000 + "]" * 200_000 + "\n"
    write(ws / "facts/deep.yaml", text)
    for command in ("check", "build"):
        result = sitrep_process(command, "--config", "config.yaml", cwd=ws, timeout=PATIENCE)
        # Refused at its line in sitrep's words, whichever check finds it first: sitrep's own
        # depth limit, or libyaml's (newer releases have one), whose words differ by release.
        assert_refused(result, "facts/deep.yaml", 1, "nesting deeper than 64 levels",
                       "(expected the store's flat lists of entries)")
    assert_nothing_written(ws)


def test_binary_junk_is_refused(ws, sitrep_cli):
    junk = bytearray(random.Random(20160626).randbytes(4096))
    junk[100] = 0  # a NUL byte, as in any binary file
    (ws / "facts/junk.yaml").write_bytes(b"places:\n" + bytes(junk))
    # A binary file is a problem of the whole file (Problem.line 0): no line number is printed.
    check_and_build(ws, sitrep_cli, "facts/junk.yaml", None, "binary file", "expected a UTF-8 text file")


@pytest.mark.parametrize("case", [
    "bell-character",
    "nul-after-8kb",
    "after-arabic-text",
])
def test_control_character_is_reported_with_its_line(ws, sitrep_cli, case):
    if case == "bell-character":
        text = "places:\n  - id: probe-place\n    name: Probe\x07\n    kind: city\n"
        bad = line_of(text, "\x07")
    elif case == "after-arabic-text":
        text = ("places:\n"
                "  - id: probe-place\n"
                "    name: Probe\n"
                "    names: {ar: الفلوجة الفلوجة الفلوجة الفلوجة الفلوجة الفلوجة}\n"
                "    kind: city\n"
                "  - id: probe-other\n"
                "    name: Other\x07\n"
                "    kind: city\n")
        bad = line_of(text, "\x07")
    else:
        text = "places:\n  - id: probe-place\n    name: Probe\n    kind: city\n    notes: " + "a" * 9000 + "\x00b\n"
        bad = line_of(text, "\x00")
    write(ws / "facts/probe.yaml", text)
    result = sitrep_cli("check", "--config", ws / "config.yaml")
    assert_refused(result, "facts/probe.yaml", bad, "(expected")
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_tabs_used_for_indentation_get_a_hint(ws, sitrep_cli):
    text = "places:\n\t- id: probe-place\n\t  name: Probe\n\t  kind: city\n"
    write(ws / "facts/probe.yaml", text)
    check_and_build(ws, sitrep_cli, "facts/probe.yaml", line_of(text, "\t- id"), "invalid YAML", "spaces", "(expected")


def test_tab_inside_an_entry_gets_a_hint(ws, sitrep_cli):
    text = "places:\n  - id: probe-place\n\tname: Probe\n    kind: city\n"
    write(ws / "facts/probe.yaml", text)
    check_and_build(ws, sitrep_cli, "facts/probe.yaml", line_of(text, "\tname"),
                    "invalid YAML", "tab", "replace the tabs with spaces")


@pytest.mark.parametrize("bom, newline", [(True, "\n"), (False, "\r\n"), (True, "\r\n")],
                         ids=["bom", "crlf", "bom+crlf"])
def test_byte_order_mark_and_crlf_are_accepted(ws, sitrep_cli, bom, newline):
    def places_count(result) -> int:
        assert result.exit_code == 0 and "Traceback" not in result.output, result.output
        return int(re.search(r"OK: .*?(\d+) places", result.stdout)[1])

    before = places_count(sitrep_cli("check", "--config", ws / "config.yaml"))
    text = "places:\n  - id: probe-place\n    name: Probe\n    kind: city\n"
    raw = (b"\xef\xbb\xbf" if bom else b"") + text.replace("\n", newline).encode("utf-8")
    (ws / "facts/probe.yaml").write_bytes(raw)
    assert places_count(sitrep_cli("check", "--config", ws / "config.yaml")) == before + 1


def test_crlf_and_bom_keep_line_numbers_right(ws, sitrep_cli):
    text = FIGURE.replace("    value: 5\n", "    low: 9\n    high: 3\n")
    (ws / "facts/probe.yaml").write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    check_and_build(ws, sitrep_cli, "facts/probe.yaml", line_of(text, "low: 9"), "inverted range", "expected low <= high")


# --- empty store ----------------------------------------------------------------------------

def test_store_with_no_yaml_files(ws, sitrep_cli):
    for path in (ws / "facts").glob("*.yaml"):
        path.unlink()
    write(ws / "facts/README.txt", "notes, not facts\n")
    check_and_build(ws, sitrep_cli, "facts", None, "holds no .yaml files", "expected at least one fact file")


def test_store_whose_files_hold_no_entries(ws, sitrep_cli):
    for path in (ws / "facts").glob("*.yaml"):
        path.unlink()
    write(ws / "facts/empty.yaml", "")
    write(ws / "facts/comments.yaml", "# facts go here\n")
    write(ws / "facts/lists.yaml", "places: []\nfigures:\n")
    check_and_build(ws, sitrep_cli, "facts", None, "holds no entries", "expected lists under sources:")


# --- weeks ----------------------------------------------------------------------------------

def test_week_with_no_facts(ws, sitrep_cli):
    result = sitrep_cli("build", "--config", ws / "config.yaml", "--week", "2016-W40")
    assert_refused(result, "facts", None, "the series has no report for week 2016-W40", "nothing became known in it",
                   "expected a week of the series", "2016-W26", "sitrep weeks lists the series")
    assert_nothing_written(ws)


def test_malformed_week(ws, sitrep_cli):
    result = sitrep_cli("build", "--config", ws / "config.yaml", "--week", "2016-23")
    assert_refused(result, "--week", None, "'2016-23' is not an ISO week", "expected YYYY-Www")
    assert_nothing_written(ws)


# --- config ---------------------------------------------------------------------------------

def test_missing_config(ws, sitrep_cli):
    (ws / "config.yaml").unlink()
    for command in ("check", "build"):
        result = sitrep_cli(command, "--config", ws / "config.yaml")
        message = assert_refused(result, "config.yaml", None, "config file not found", "expected a config.yaml")
        # Where it looked, and the way to make a workspace there is none.
        assert f"looked in {ws}" in message and "create one with `sitrep init DIR`" in message
    assert_nothing_written(ws)


def test_config_unknown_key(ws, sitrep_cli):
    text = (ws / "config.yaml").read_text(encoding="utf-8") + "editon: internal\n"
    write(ws / "config.yaml", text)
    for command in ("check", "build"):
        result = sitrep_cli(command, "--config", ws / "config.yaml")
        message = assert_refused(result, "config.yaml", line_of(text, "editon:"), "unknown key 'editon'",
                                 "expected one of:", "did you mean 'edition'?")
        for key in ("title", "crisis", "organisation", "store", "output", "edition", "paper", "key_metrics"):
            assert re.search(rf"\b{key}\b", message.split("expected one of:", 1)[1]), key
    assert_nothing_written(ws)


def test_config_bad_edition_value(ws, sitrep_cli):
    text = (ws / "config.yaml").read_text(encoding="utf-8").replace("edition: public", "edition: secret")
    write(ws / "config.yaml", text)
    check_and_build(ws, sitrep_cli, "config.yaml", line_of(text, "edition: secret"),
                    "edition: 'secret' is not one of the allowed values", "expected one of: public, internal")


@pytest.mark.parametrize("key, bad", [("language", "english"), ("file_stem", "my report")])
def test_config_pattern_errors_say_what_the_value_should_be(ws, sitrep_cli, key, bad):
    config = (ws / "config.yaml").read_text(encoding="utf-8")
    text = re.sub(rf"^{key}: .*$", f"{key}: {bad}", config, flags=re.M)
    assert text != config
    write(ws / "config.yaml", text)
    result = sitrep_cli("check", "--config", ws / "config.yaml")
    message = assert_refused(result, "config.yaml", line_of(text, f"{key}: {bad}"), f"'{bad}'", "(expected")
    assert "valid id" not in message and "lowercase letters, digits" not in message, message


def test_config_output_that_is_a_file(ws, sitrep_process):
    # Run as a real process: an unexpected exception would be an 'internal error', exit 70.
    text = (ws / "config.yaml").read_text(encoding="utf-8").replace("output: output", "output: config.yaml")
    write(ws / "config.yaml", text)
    before = (ws / "config.yaml").read_bytes()
    result = sitrep_process("build", cwd=ws)
    assert_refused(result, "config.yaml", line_of(text, "output: config.yaml"), "output", "(expected")
    assert "internal error" not in result.output
    assert (ws / "config.yaml").read_bytes() == before


# --- several errors, one run ----------------------------------------------------------------

def run_both_and_collect(ws: Path, sitrep_cli, expected: list[tuple[str, int]]) -> None:
    for command in ("check", "build"):
        result = sitrep_cli(command, "--config", ws / "config.yaml")
        assert result.exit_code == 1 and "Traceback" not in result.output, result.output
        found = [(m["file"], int(m["line"])) for m in map(ERROR_LINE.match, error_lines(result))]
        assert found == expected, result.stderr
        closing = "; nothing was written." if command == "build" else "."  # check never writes
        assert result.stderr.splitlines()[-1] == f"{len(expected)} errors{closing}"
    assert_nothing_written(ws)


def write_probes(ws: Path, first: str, second: str) -> str:
    """Three probe files, first to last in name order; the last holds a place of an unknown
    kind. Returns the last one's text."""
    third = "places:\n  - id: probe-other\n    name: Probe\n    kind: metropolis\n"
    for name, text in (("aa", first), ("mm", second), ("zz", third)):
        write(ws / f"facts/{name}-probe.yaml", text)
    return third


def test_several_errors_are_all_reported_sorted_by_file_and_line(ws, sitrep_cli):
    # In file order the cross-check error (unknown source, first entry) is found after the
    # schema errors (second entry); the output must still be sorted by line.
    first = ("figures:\n"
             "  - id: probe-unknown-source\n"
             "    metric: civilians_killed\n"
             "    place: fallujah\n"
             "    as_of: 2016-06\n"
             "    value: 3\n"
             "    unit: people\n"
             "    cited:\n"
             "      - {source: ibtimez, date: 2016-06}\n"
             "  - id: probe-bad-type\n"
             "    metric: civilians_trapped\n"
             "    place: fallujah\n"
             "    as_of: 2016-06\n"
             "    value: many\n"
             "    unit: people\n"
             "    colour: red\n"
             "    cited:\n"
             "      - {source: ibtimes, date: 2016-06}\n")
    second = "places:\n  - id: probe-place\n    kind: city\n"
    third = write_probes(ws, first, second)
    run_both_and_collect(ws, sitrep_cli, [
        ("facts/aa-probe.yaml", line_of(first, "source: ibtimez")),
        ("facts/aa-probe.yaml", line_of(first, "value: many")),
        ("facts/aa-probe.yaml", line_of(first, "colour: red")),
        ("facts/mm-probe.yaml", line_of(second, "- id: probe-place")),
        ("facts/zz-probe.yaml", line_of(third, "kind: metropolis")),
    ])


def test_errors_beside_an_unreadable_file_are_still_reported(ws, sitrep_cli):
    # One file cannot be parsed. References into it cannot be judged, but every mistake that
    # needs no other file (types, ranges, narrative without words) is still reported.
    first = FIGURE.replace("    value: 5\n", "    low: 9\n    high: 3\n") + (
        "narrative:\n"
        "  - id: probe-outlook\n"
        "    week: 2016-W26\n"
        "    section: outlook\n")
    second = "places:\n  - id: probe-place\n    name: Probe\n   kind: city\n"
    third = write_probes(ws, first, second)
    run_both_and_collect(ws, sitrep_cli, [
        ("facts/aa-probe.yaml", line_of(first, "low: 9")),
        ("facts/aa-probe.yaml", line_of(first, "- id: probe-outlook")),
        ("facts/mm-probe.yaml", line_of(second, "   kind: city")),
        ("facts/zz-probe.yaml", line_of(third, "kind: metropolis")),
    ])


# --- a failing build leaves the last good report alone ---------------------------------------

def test_failing_build_leaves_previous_report_byte_identical(ws, sitrep_cli, monkeypatch):
    good = sitrep_cli("build", "--config", ws / "config.yaml", "--week", "2016-W26")
    assert good.exit_code == 0, good.output
    before = output_files(ws)
    assert "2016-W26/fallujah-sitrep-2016-W26.pdf" in before and "2016-W26/fallujah-sitrep-2016-W26.html" in before

    # 1. The store breaks.
    text = FIGURE.replace("    value: 5\n", "    low: 9\n    high: 3\n")
    write(ws / "facts/probe.yaml", text)
    result = sitrep_cli("build", "--config", ws / "config.yaml", "--week", "2016-W26")
    assert_refused(result, "facts/probe.yaml", line_of(text, "low: 9"), "inverted range")
    assert output_files(ws) == before
    (ws / "facts/probe.yaml").unlink()

    # 2. A week that has no facts.
    result = sitrep_cli("build", "--config", ws / "config.yaml", "--week", "2016-W40")
    assert_refused(result, "facts", None, "the series has no report for week 2016-W40")
    assert output_files(ws) == before

    # 3. The last stage fails after the HTML is rendered (a template asking for a file
    #    outside the workspace): neither file is replaced.
    import sitrep.render.pdf
    from sitrep.errors import Problem, TemplateProblem

    def refuse(*args, **kwargs):
        raise TemplateProblem(Problem("report", 0, "the report tries to read file:///etc/passwd",
                                      expected="files inside the workspace only"))

    monkeypatch.setattr(sitrep.render.pdf, "render_pdf", refuse)
    # One language: laid out by the PDF helper, which calls the patched render_pdf (a build of
    # every language lays its PDFs out in pooled workers, through pipeline's own reference).
    result = sitrep_cli("build", "--config", ws / "config.yaml", "--week", "2016-W26", "--force", "--language", "en")
    assert_refused(result, "report", None, "file:///etc/passwd")
    assert output_files(ws) == before


# --- blank text ------------------------------------------------------------------------------

def test_blank_text_in_the_store_is_refused(ws, sitrep_cli):
    text = FIGURE.replace("    unit: people\n", "    unit: people\n    note: '   '\n")
    write(ws / "facts/probe.yaml", text)
    result = sitrep_cli("check", "--config", ws / "config.yaml")
    assert_refused(result, "facts/probe.yaml", line_of(text, "note:"), "[probe-figure] note is blank", "expected some text")


@pytest.mark.parametrize("setting, message", [
    ("title: '  '", "title is blank"),
    ("disclaimer: ' '", "disclaimer: is blank"),
    ("organisation: {name: Desk, contact: ['  ']}", "organisation.contact: is blank"),
])
def test_blank_text_in_the_config_is_refused(ws, sitrep_cli, setting, message):
    base = {"title": "title: Report", "crisis": "crisis: Siege", "organisation": "organisation: {name: Desk}"}
    key = setting.split(":")[0]
    text = "\n".join([line for name, line in base.items() if name != key] + [setting]) + "\n"
    config = ws / "config.yaml"
    config.write_text(text, encoding="utf-8")
    result = sitrep_cli("check", "--config", config)
    assert_refused(result, "config.yaml", line_of(text, setting), message)


def test_output_folder_inside_a_file_is_refused_at_its_config_line(ws, sitrep_cli):
    config = ws / "config.yaml"
    text = config.read_text(encoding="utf-8").replace("output: output", "output: facts/sources.yaml/reports")
    config.write_text(text, encoding="utf-8")
    result = sitrep_cli("build", "--format", "html", "--config", config)
    assert_refused(result, "config.yaml", line_of(text, "output: facts/sources.yaml/reports"),
                   "is inside facts/sources.yaml, which is a file")


@pytest.mark.parametrize("setting, written, expected", [
    ("first", "first: 2016-W60", ("2016 has no week 60",)),
    ("first", "first: June 2016", ("'June 2016' is not an ISO week", "YYYY-Www")),
    ("quiet_weeks", "quiet_weeks: sometimes", ("'sometimes' is not one of the allowed values", "skip, report")),
    ("cadence", "cadence: monthly", ("'monthly' is not one of the allowed values", "weekly")),
    ("stale_after_weeks", "stale_after_weeks: 0", ("stale_after_weeks",)),
])
def test_config_series_mistakes(ws, sitrep_cli, setting, written, expected):
    config = (ws / "config.yaml").read_text(encoding="utf-8")
    text = re.sub(rf"^  {setting}: .*$", f"  {written}", config, flags=re.M)
    if text == config:  # not in the example's series: block: add it
        text = config.replace("series:\n", f"series:\n  {written}\n")
    write(ws / "config.yaml", text)
    check_and_build(ws, sitrep_cli, "config.yaml", line_of(text, written), *expected)


def test_narrative_references_that_cannot_be_printed_are_refused(ws, sitrep_cli):
    narrative = ws / "facts" / "narrative.yaml"
    text = narrative.read_text(encoding="utf-8")
    text = text.replace("[[shuhada-retaken-2016-06]]", "[[shuhada-retaken-2016]]")
    text = text.replace("week: 2015-W31\n    section: overview",
                        "week: 2015-W31\n    section: overview\n    items: ['By then [[fallujah-trapped-2016-06]] were trapped.']")
    write(narrative, text)
    result = sitrep_cli("check", "--config", ws / "config.yaml")
    assert_refused(result, "facts/narrative.yaml", line_of(text, "      en: |"), "[[shuhada-retaken-2016]]: unknown entry",
                   "did you mean 'shuhada-retaken-2016-06'?")
    assert_refused(result, "facts/narrative.yaml", line_of(text, "By then [["), "the narrative of week 2015-W31 refers to "
                   "'fallujah-trapped-2016-06', which became known only on 30 June 2016",
                   "a report cannot cite what was not yet known")
