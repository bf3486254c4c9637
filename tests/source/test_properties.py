"""Property-based tests: whatever is in the store or the config, `check` and `build` end with
exit 0 or 1 and clean messages, never a traceback.

1. Generated stores: plausible entries of every kind (unicode, markup, template syntax and
   YAML-special text; far-off dates; big numbers), split over several files, sometimes with
   a byte-order mark or Windows line ends. Half are left sound and must check and build; half
   get random mutations (missing fields, wrong types, unknown keys, bad ids and references,
   odd dates, huge, negative and non-finite numbers, entries that are not mappings) and are
   written by PyYAML or by a careless "hand" writer that leaves special strings unquoted.
   The same for config.yaml.
2. Generated junk: random bytes, random text and YAML token soup (tabs, quotes, anchors,
   tags, directives, document markers, deep brackets) as a store file, spliced into a sound
   store file, and as config.yaml.
3. A file of hundreds of MB is refused quickly, with a message naming the limit, in a process
   whose peak memory stays far below the file's size.

The contract checked on every run (`assert_clean`): exit code 0 or 1; no "Traceback", no
"internal error"; on exit 1 at least one error, and every line of stderr is a problem line
`file[:line]: error|warning: ...` naming a file or folder of the workspace (line within the
file) or the closing "N errors; nothing was written." ("N errors." from `check`, which never
writes); `check`'s warnings are located the same way; on a successful build the report exists.
Sound stores and configs must pass.

Commands run in-process with `catch_exceptions=False`, so a bug surfaces as the exception
itself (and Hypothesis shrinks it) rather than as exit 70 "internal error".

Hypothesis runs derandomized and without an example database, so CI sees the same examples
on every run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
import os
import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sitrep.source import vocabulary as vocab
from sitrep.commands.cli import app
from sitrep.source.regularfiles import MAX_FILE_BYTES
from sitrep.source.narrativenumbers import uncited_numbers
from sitrep.source.texthygiene import control_characters
from support import without_progress

PROPERTY = settings(deadline=None, derandomize=True, database=None, print_blob=False,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])

CONFIG = """\
title: Probe Situation Report
crisis: Probe crisis
organisation:
  name: Probe desk
store: facts
output: output
file_stem: probe
"""

PROBLEM_LINE = re.compile(r"^(?P<file>[^\s:][^:]*?)(?::(?P<line>\d+))?: (?P<severity>error|warning): \S")
SUMMARY_LINE = re.compile(r"^\d+ errors?(; (nothing was written|only these reports were written: .+))?\.$")
# What YAML (libyaml) counts as a line break: a file's lines as sitrep numbers them.
LINE_BREAKS = re.compile("\r\n|[\n\r\x85\u2028\u2029]")


def line_count(raw: bytes) -> int:
    text = raw.decode("utf-8", errors="replace")
    return len(LINE_BREAKS.findall(text)) + (0 if text and LINE_BREAKS.fullmatch(text[-1]) else 1)


# --- running sitrep in a throwaway workspace ----------------------------------------------------

@contextlib.contextmanager
def workspace(files: dict[str, bytes], config: bytes | None = None):
    """A temporary workspace holding config.yaml and `files` (paths relative to it), with the
    current folder inside it, as a user runs sitrep."""
    previous = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="sitrep-prop-") as tmp:
        ws = Path(tmp)
        (ws / "config.yaml").write_bytes(CONFIG.encode() if config is None else config)
        (ws / "facts").mkdir()
        for name, raw in files.items():
            path = ws / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(raw)
        os.chdir(ws)
        try:
            yield ws
        finally:
            os.chdir(previous)


def run(*args: str):
    """`sitrep ARGS...` in-process. An unexpected exception propagates (no exit 70 shield)."""
    return CliRunner().invoke(app, [*args, "--config", "config.yaml"], catch_exceptions=False)


def assert_clean(result, ws: Path, command: str = "check") -> None:
    """The contract every run of `check` and `build` keeps, whatever the input: exit 0 or 1,
    no traceback; on exit 1 (and for `check`'s warnings on exit 0) every line of stderr is a
    located problem."""
    out = result.stdout + result.stderr
    report = f"exit {result.exit_code}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    assert result.exit_code in (0, 1), report
    assert "Traceback" not in out and "internal error" not in out, report
    if result.exit_code == 0 and command != "check":
        return  # build prints only a count of warnings
    errors = 0
    for text in without_progress(result.stderr).splitlines():
        if SUMMARY_LINE.match(text):
            continue
        match = PROBLEM_LINE.match(text)
        assert match, f"not a 'file:line: error: ...' line: {text!r}\n{report}"
        path = ws / match["file"]
        # Every problem names a file or folder of the workspace; only a report that cannot be
        # written, or a store folder that config.yaml names but that does not exist, names
        # the path it tried.
        assert path.exists() or any(f": error: {why}" in text for why in (
            "cannot write: ", "the store folder does not exist")), \
            f"{match['file']!r} is not a file of the workspace\n{report}"
        if match["line"] is not None:
            line = int(match["line"])
            assert line >= 1, report
            if path.is_file():
                assert line <= line_count(path.read_bytes()), f"line {line} is past the end of {match['file']}\n{report}"
        errors += match["severity"] == "error"
    assert bool(errors) == (result.exit_code == 1), f"exit {result.exit_code} with {errors} errors\n{report}"


AFTER_EVERY_DATE = "2200-01-01"


def check_and_build(files: dict[str, bytes], config: bytes | None = None, formats=("html",)) -> tuple[int, int]:
    """Run `check` then `build` on the files; both keep the contract. Returns the exit codes.
    As of a day after every date a store may hold (a sound store's dates run to 2199)."""
    with workspace(files, config) as ws:
        checked = run("check", "--as-of", AFTER_EVERY_DATE)
        assert_clean(checked, ws)
        if checked.exit_code == 0:
            assert checked.stdout.startswith("OK: "), checked.stdout
        codes = []
        for fmt in formats:
            built = run("build", "--format", fmt, "--as-of", AFTER_EVERY_DATE)
            assert_clean(built, ws, "build")
            if built.exit_code == 0:
                written = re.findall(rf"^  {fmt}\s+(\S.*)$", built.stdout, re.M)
                assert written and (ws / written[0]).is_file(), built.stdout
                assert (ws / written[0]).stat().st_size > 0
            codes.append(built.exit_code)
        # check and build agree on whether the store is usable (build may still refuse a
        # valid store that has no dated fact to report on).
        if checked.exit_code == 1:
            assert set(codes) == {1}, (checked.stderr, codes)
        return checked.exit_code, codes[-1]


# --- strategies: values ---------------------------------------------------------------------------
#
# A store is generated sound (what a careful analyst writes, with unicode, markup and
# YAML-special text, which the writer must quote) and then, in half the examples, mutated:
# fields dropped, replaced by odd values or junk, unknown keys added, entries that are not
# mappings. Sound stores must build; mutated ones must be refused cleanly (or build).

YAML_SPECIAL = [
    "yes", "no", "No", "on", "off", "y", "n", "true", "False", "null", "~", "NULL", " ", "---", "...",
    "- x", ": ", "a: b", "#", "# comment", "x #y", "{{ 7*7 }}", "{% raw %}", "<script>alert(1)</script>",
    "&a", "*a", "!!python/object:os.system", "!tag", "%YAML", "@x", "`x", "|", ">", "'", '"', "[", "]",
    "{", "}", ",", "?", "0x1F", "0o17", "1_000", "1e400", ".nan", ".inf", "-.inf", "2016-06-31", "2016-02-30",
    "12:30:00", "1:20", "=", "<<", "TODO", "[...]", "\t", "a\tb", "line\nbreak", "\r", "\u2028", "\x85", "é",
    "الفلوجة", "👍🏽", "\u202e", "\ufeff", "\x00", "\x07", "\x1b[2J", "\\", "C:\\x", "https://", "id", "places",
    "x" * 5000,
]

special_text = st.sampled_from(YAML_SPECIAL)
plain_text = st.text(max_size=30)
names = st.one_of(st.from_regex(r"[A-Z][A-Za-z ,.'()-]{0,30}", fullmatch=True), st.text(min_size=1, max_size=30),
                  special_text).filter(str.strip).filter(  # text that is only spaces is refused as blank
    lambda text: not control_characters(text))  # and a control character is refused (texthygiene)

# Narrative words a public build prints: no number stated without its source (a public build
# refuses one, source/narrativenumbers.py; `check` only warns, so a store with one is not sound).
prose = names.filter(lambda text: not uncited_numbers(text))

years = st.integers(min_value=1790, max_value=2210)
date_text = st.one_of(  # dates as text, many of them wrong
    st.builds(lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}", years, st.integers(0, 13), st.integers(0, 32)),
    st.builds(lambda y, w: f"{y:04d}-W{w:02d}", years, st.integers(0, 54)),
    st.builds(lambda y, m: f"{y:04d}-{m:02d}", years, st.integers(0, 13)),
    st.builds(lambda y: f"{y:04d}", years),
    st.builds(lambda a, b: f"{a}/{b}", st.sampled_from(["2016-06", "2016-W23", "2015", "2016-06-03"]),
              st.sampled_from(["2016-06-30", "2016-W26", "2016", "2015-01", "2016-13"])),
)
sound_dates = st.one_of(
    st.dates(min_value=dt.date(2015, 6, 1), max_value=dt.date(2016, 7, 31)),
    st.sampled_from(["2016-06", "2016-W26", "2015-07", "2016", "2015-12-28/2016-01-03", "2016-W52"]),
    st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2199, 12, 31)),
)
odd_dates = st.one_of(date_text, st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
                      st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2030, 1, 1)),
                      st.integers(1700, 2300))
odd_numbers = st.one_of(st.integers(min_value=-(10 ** 400), max_value=10 ** 400),
                        st.integers(min_value=-1000, max_value=-1),
                        st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
                        st.sampled_from(["30000", "30,000", "about 30"]))
urls = st.sampled_from(["https://example.org/a", "http://example.org/?q=<b>&x='1'", "https://x.example/é"])
bad_ids = st.sampled_from(["Bad Id", "-dash-first", "x" * 130, "é", "", "fallujah ", "Fallujah"])

SOURCES = ["nbc-news", "witness.1", "un_ocha"]
PLACES = ["fallujah", "amiriyat-camp", "anbar"]
ACTORS = ["isis", "iraqi-army"]
ROUTES = ["south-route"]

junk_value = st.recursive(
    st.one_of(st.none(), st.booleans(), odd_numbers, plain_text, special_text, odd_dates),
    lambda children: st.one_of(st.lists(children, max_size=3),
                               st.dictionaries(st.one_of(plain_text, special_text), children, max_size=3)),
    max_leaves=6,
)
odd_value = st.one_of(odd_dates, odd_numbers, special_text, plain_text, bad_ids, junk_value,
                      st.sampled_from([None, [], {}, "nowhere", "nbc-news", "fallujah", "isis", "south-route"]))


def sound_amount(unit: bool = False):
    number = st.one_of(st.fixed_dictionaries({"value": st.one_of(st.integers(0, 10 ** 7), st.floats(0, 1e6))}),
                       st.integers(0, 10 ** 6).flatmap(lambda low: st.fixed_dictionaries(
                           {"low": st.just(low), "high": st.integers(low, low + 10 ** 6)})))
    extra = {"qualifier": st.sampled_from(sorted(vocab.QUALIFIERS))}
    if unit:
        extra["unit"] = st.sampled_from(sorted(vocab.UNITS))
    return st.tuples(number, st.fixed_dictionaries({}, optional=extra)).map(lambda t: {**t[0], **t[1]})


citation = st.fixed_dictionaries({"source": st.sampled_from(SOURCES)}, optional={
    "via": st.sampled_from(SOURCES), "date": sound_dates, "credibility": st.integers(1, 6), "url": urls,
    "note": names,
})
cited = st.lists(citation, min_size=1, max_size=3)
sensitivity = st.sampled_from(["public", "public", "restricted"])


def kind_of(codes):
    return st.sampled_from(sorted(codes))


SOUND: dict[str, st.SearchStrategy] = {
    "sources": st.fixed_dictionaries(
        {"name": names, "kind": kind_of(vocab.SOURCE_KINDS), "reliability": st.sampled_from(list("ABCDEF"))},
        optional={"url": urls, "description": names, "sensitivity": sensitivity, "public_name": names}),
    "places": st.fixed_dictionaries(
        {"name": names, "kind": kind_of(vocab.PLACE_KINDS)},
        optional={"names": st.dictionaries(st.sampled_from(["ar", "ku", "en", "x y", "1"]), names, max_size=2),
                  "parent": st.sampled_from(PLACES), "lat": st.floats(-90, 90), "lon": st.floats(-180, 180),
                  "pcode": names, "notes": names}),
    "actors": st.fixed_dictionaries(
        {"name": names, "kind": kind_of(vocab.ACTOR_KINDS)},
        optional={"names": st.dictionaries(st.sampled_from(["ar", "en"]), names, max_size=2),
                  "aliases": st.lists(names, max_size=3), "part_of": st.sampled_from(ACTORS), "notes": names}),
    "figures": st.tuples(st.fixed_dictionaries(
        {"metric": kind_of(vocab.METRICS), "place": st.sampled_from(PLACES), "as_of": sound_dates,
         "unit": kind_of(vocab.UNITS), "cited": cited},
        optional={"note": names, "sensitivity": sensitivity}), sound_amount()).map(lambda t: {**t[0], **t[1]}),
    "incidents": st.fixed_dictionaries(
        {"type": kind_of(vocab.INCIDENT_TYPES), "date": sound_dates, "place": st.sampled_from(PLACES),
         "status": kind_of(vocab.INCIDENT_STATUSES), "summary": names, "cited": cited},
        optional={"perpetrator": st.sampled_from(ACTORS),
                  "victims": st.fixed_dictionaries({}, optional={
                      "killed": sound_amount(), "injured": sound_amount(), "affected": sound_amount(),
                      "description": names}),
                  "duration": sound_amount(unit=True).map(lambda a: {"unit": "days", **a}),
                  "sensitivity": sensitivity}),
    "routes": st.fixed_dictionaries(
        {"origin": st.sampled_from(PLACES), "destination": st.sampled_from(PLACES),
         "updates": st.lists(st.fixed_dictionaries(
             {"as_of": sound_dates, "status": kind_of(vocab.ROUTE_STATUSES), "cited": cited},
             optional={"hazards": st.lists(kind_of(vocab.HAZARDS), max_size=3),
                       "controlled_by": st.lists(st.sampled_from(ACTORS), max_size=2), "summary": names}),
             min_size=1, max_size=3)},
        optional={"name": names, "via": st.lists(st.sampled_from(PLACES), max_size=3), "sensitivity": sensitivity}),
    "movements": st.fixed_dictionaries(
        {"period": sound_dates, "origin": st.sampled_from(PLACES), "destination": st.sampled_from(PLACES),
         "summary": names, "cited": cited},
        optional={"route": st.sampled_from(ROUTES), "count": sound_amount(), "unit": kind_of(vocab.UNITS),
                  "sensitivity": sensitivity}),
    "narrative": st.fixed_dictionaries(
        {"week": st.sampled_from(["2016-W26", "2015-W31", "2016-W01", "2015-W53"]),
         "section": kind_of(vocab.NARRATIVE_SECTIONS)},
        optional={"author": names, "sensitivity": sensitivity}).flatmap(
        lambda entry: st.one_of(st.fixed_dictionaries({"text": prose}),
                                st.fixed_dictionaries({"items": st.lists(prose, min_size=1, max_size=3)}))
        .map(lambda words: {**entry, **words})),
}
KIND_NAMES = list(SOUND)


def paths_in(value, path=()):
    """Every path to a value inside nested dicts and lists."""
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths_in(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths_in(item, path + (index,))


def at(value, path):
    for part in path:
        value = value[part]
    return value


@st.composite
def mutated(draw, entry):
    """`entry` with one mistake: a value deleted or replaced, a key added, or not a mapping."""
    paths = [path for path in paths_in(entry) if path]
    mutation = draw(st.sampled_from(["replace", "replace", "delete", "unknown-key", "not-a-mapping"]))
    if not isinstance(entry, dict):
        return entry  # an earlier mutation left no mapping to mutate
    if mutation == "not-a-mapping" or not paths:
        return draw(junk_value)
    if mutation == "unknown-key":
        parents = [path for path in paths_in(entry) if isinstance(at(entry, path), dict)]
        parent = at(entry, draw(st.sampled_from(parents)))
        key = draw(st.one_of(st.sampled_from(["plac", "colour", "ID", "no", "yes", "null", "<<", "1", "id "]),
                             plain_text))
        parent[key] = draw(junk_value)
        return entry
    *parent_path, last = draw(st.sampled_from(paths))
    parent = at(entry, parent_path)
    if mutation == "delete":
        del parent[last]
    else:
        parent[last] = draw(odd_value)
    return entry


@st.composite
def documents(draw, mutate: bool, ids):
    """The data of one store file: lists of entries under top-level keys."""
    doc = {}
    for kind in draw(st.lists(st.sampled_from(KIND_NAMES), min_size=1, max_size=5, unique=True)):
        entries = []
        for entry in draw(st.lists(SOUND[kind], max_size=4)):
            entry = {"id": f"{kind[:-1]}-{next(ids)}", **entry}
            for _ in range(draw(st.integers(0, 3)) if mutate else 0):
                entry = draw(mutated(entry))
            entries.append(entry)
        doc[kind] = entries
    if mutate:
        shape = draw(st.integers(0, 12))
        if shape == 0:
            doc[draw(st.sampled_from(["place", "Figures", "meta", "no", ""]))] = draw(junk_value)
        elif shape == 1:
            doc[draw(st.sampled_from(KIND_NAMES))] = draw(st.one_of(st.none(), junk_value))
        elif shape == 2:
            return draw(junk_value)
    return doc


BASE = {  # every id the generated entries refer to
    "sources": [{"id": "nbc-news", "name": "NBC News", "kind": "media", "reliability": "B"},
                {"id": "witness.1", "name": "A witness", "kind": "witness", "reliability": "F",
                 "sensitivity": "restricted", "public_name": "A resident"},
                {"id": "un_ocha", "name": "UN OCHA", "kind": "un_agency", "reliability": "A"}],
    "places": [{"id": "fallujah", "name": "Fallujah", "kind": "city", "lat": 33.35, "lon": 43.78},
               {"id": "amiriyat-camp", "name": "Amiriyat camp", "kind": "camp", "names": {"ar": "العامرية"}},
               {"id": "anbar", "name": "Anbar", "kind": "governorate"}],
    "actors": [{"id": "isis", "name": "ISIS", "kind": "armed_group"},
               {"id": "iraqi-army", "name": "Iraqi army", "kind": "state_force"}],
    "routes": [{"id": "south-route", "origin": "fallujah", "destination": "amiriyat-camp",
                "updates": [{"as_of": "2016-06", "status": "unsafe", "cited": [{"source": "nbc-news"}]}]}],
}


# --- strategies: writing YAML ---------------------------------------------------------------------

def hand_scalar(value, rnd: random.Random) -> str:
    """A scalar as a hurried analyst might type it: text often left unquoted."""
    if isinstance(value, str):
        if rnd.random() < 0.6 and "\n" not in value:
            return value  # may well be invalid YAML, or mean something else: that is the point
        return json.dumps(value, ensure_ascii=rnd.random() < 0.5)
    if isinstance(value, bool):
        return rnd.choice(["true", "yes", "on"] if value else ["false", "no", "off"])
    if value is None:
        return rnd.choice(["", "~", "null"])
    if isinstance(value, float):
        return {float("inf"): ".inf", float("-inf"): "-.inf"}.get(value, ".nan" if value != value else repr(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return str(value)


def hand_yaml(value, rnd: random.Random, indent: int = 0) -> list[str]:
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            return [pad + "{}"]
        lines = []
        for key, item in value.items():
            key_text = hand_scalar(str(key), rnd)
            if isinstance(item, (dict, list)) and item:
                lines.append(f"{pad}{key_text}:")
                lines += hand_yaml(item, rnd, indent + rnd.choice([2, 2, 2, 4]))
            else:
                lines.append(f"{pad}{key_text}: {hand_yaml(item, rnd)[0].strip()}".rstrip())
        return lines
    if isinstance(value, list):
        if not value:
            return [pad + "[]"]
        lines = []
        for item in value:
            inner = hand_yaml(item, rnd, indent + 2)
            lines.append(f"{pad}- {inner[0].strip()}")
            lines += inner[1:]
        return lines
    return [pad + hand_scalar(value, rnd)]


def yaml_bytes(data, rnd: random.Random, careful: bool = False) -> bytes:
    """`data` as the bytes of a YAML file, written one of several ways: by PyYAML (always, when
    `careful`), or by hand, leaving text unquoted; with Unix or Windows line ends, with or
    without a byte-order mark."""
    if careful or rnd.random() < 0.55:
        text = yaml.safe_dump(data, allow_unicode=rnd.random() < 0.7, sort_keys=False,
                              default_flow_style=rnd.choice([False, None]), width=rnd.choice([80, 10 ** 6]))
    else:
        text = "\n".join(hand_yaml(data, rnd)) + "\n"
    if rnd.random() < 0.2:
        text = "# yaml-language-server: $schema=sitrep.schema.json\n" + text
    newline = rnd.choice(["\n", "\n", "\n", "\r\n"])
    raw = text.replace("\n", newline).encode("utf-8")
    if rnd.random() < 0.1:
        raw = b"\xef\xbb\xbf" + raw
    return raw


FILE_NAMES = ["facts/a.yaml", "facts/b.yml", "facts/sub/c.yaml", "facts/D.YAML", "facts/.hidden.yaml"]


@st.composite
def stores(draw, mutate=st.booleans()):
    """(files, sound): the files of a generated store, a base file plus 1-3 generated files, and
    whether it was left sound (no mutations, written by PyYAML)."""
    mutate = draw(mutate)
    rnd = draw(st.randoms(use_true_random=False))
    ids = itertools.count()
    files: dict[str, bytes] = {}
    if not mutate or draw(st.integers(0, 9)):
        files["facts/base.yaml"] = yaml_bytes(BASE, rnd, careful=not mutate)
    for name in draw(st.lists(st.sampled_from(FILE_NAMES), min_size=1, max_size=3, unique=True)):
        files[name] = yaml_bytes(draw(documents(mutate, ids)), rnd, careful=not mutate)
    return files, not mutate


# --- 1. generated stores --------------------------------------------------------------------------

SOUND_STORE = {
    "facts/base.yaml": yaml.safe_dump(BASE, sort_keys=False).encode(),
    "facts/a.yaml": b"""\
figures:
  - id: figure-1
    metric: civilians_trapped
    place: fallujah
    as_of: 2016-06
    low: 30000
    high: 40000
    qualifier: about
    unit: people
    cited: [{source: nbc-news, date: 2016-06}]
""",
}


@settings(PROPERTY, max_examples=120)
@given(store=stores())
@example(store=(SOUND_STORE, True))
def test_check_and_build_html_on_generated_stores(store):
    files, sound = store
    codes = check_and_build(files)
    event("sound" if sound else "mutated", "check exit %d, build exit %d" % codes)  # --hypothesis-show-statistics
    if sound:  # a sound store (with a dated public fact in the base file) is accepted and builds
        assert codes == (0, 0)


def test_a_sound_store_builds():
    assert check_and_build(SOUND_STORE) == (0, 0)


@settings(PROPERTY, max_examples=4)
@given(store=stores(mutate=st.just(False)))
def test_check_and_build_pdf_on_generated_sound_stores(store):
    files, _ = store
    assert check_and_build(files, formats=("pdf",)) == (0, 0)


# --- 2. generated junk ----------------------------------------------------------------------------

TOKENS = [
    "\n", "\n", "\n", " ", "  ", "    ", "\t", "- ", ": ", ":", "'", '"', "&a ", "*a ", "&b ", "*b ", "<<: *a",
    "!!python/object:os.system ", "!!python/object/apply:os.system ['id'] ", "!!python/name:os.system ",
    "%YAML 1.1\n", "%YAML 1.2\n", "%TAG ! tag:example.com,2000:\n", "%FOO bar\n", "---", "---\n", "...\n",
    "[", "]", "{", "}", ", ", "? ", "|\n", ">-\n", "|+2\n", "# ", "id: ", "places:\n", "figures:\n  - ",
    "sources:", "\ufeff", "\r\n", "\r", "\x85", "\u2028", "\x00", "\x07", "\x1b", "2016-06-31", "2016-W26",
    ".nan", "-.inf", "0x1F", "1e400", "9" * 5000, "~", "null", "yes", "no", "!!binary ", "!!set ", "!!omap ",
    "!!timestamp ", "!!int ", "!!float ", "!!bool ", "!!null ", "!!str ", "!!map ", "!!seq ", "!!merge ",
    "!!value ", "! ", "!x ", "!<tag:yaml.org,2002:str> ", "!<!> ", "@", "`", "%", "\\", "\\x", "\\u12",
    "{{ x }}", "<script>", "x", "fallujah", "ابc", "👍",
]

token_soup = st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=4)), max_size=60).map("".join)
PREFIXES = ["", "places:\n  - ", "places:\n  - id: junk-1\n    name: ", "figures: [", "title: "]


@st.composite
def junk_bytes(draw):
    kind = draw(st.sampled_from(["bytes", "text", "soup", "soup", "soup"]))
    if kind == "bytes":
        return draw(st.binary(max_size=600))
    text = draw(st.sampled_from(PREFIXES)) + draw(st.text(max_size=200) if kind == "text" else token_soup)
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16", "latin-1"]))
    return text.encode(encoding, errors="replace")


SCALAR_TAG_CASES = [  # tags that libyaml resolves to a type whose constructor raises its own errors
    b"places:\n  - id: !!bool maybe\n",
    b"places:\n  - id: !!int ''\n",
    b"places:\n  - id: !!float ''\n",
    b"places:\n  - id: !!timestamp soon\n",
    b"places:\n  - id: !!int 0x\n",
]
BLOCK_BOMB = b"places:\n" + b"- " * 200_000 + b"x\n"  # 200,000 nested block lists in 400 kB


@settings(PROPERTY, max_examples=200)
@given(junk=junk_bytes(), with_base=st.booleans())
@example(junk=SCALAR_TAG_CASES[0], with_base=True)
@example(junk=BLOCK_BOMB, with_base=False)
def test_junk_store_file_is_refused_cleanly(junk, with_base):
    files = {"facts/junk.yaml": junk}
    if with_base:
        files["facts/base.yaml"] = SOUND_STORE["facts/base.yaml"]
    check_and_build(files)


@settings(PROPERTY, max_examples=120)
@given(junk=junk_bytes())
@example(junk=b"title: !!bool maybe\n")
def test_junk_config_is_refused_cleanly(junk):
    code, _ = check_and_build(SOUND_STORE, config=junk)
    assert code == 1  # junk never makes a valid config: it has no title, crisis and organisation


@settings(PROPERTY, max_examples=60)
@given(junk=junk_bytes(), data=st.data())
def test_junk_spliced_into_a_sound_store_file(junk, data):
    """Junk inserted at a random place of a sound file: the error points into that file."""
    sound = SOUND_STORE["facts/a.yaml"]
    at = data.draw(st.integers(0, len(sound)))
    check_and_build({**SOUND_STORE, "facts/a.yaml": sound[:at] + junk + sound[at:]})


# Regression tests for bugs the properties found (kept as plain tests, so they run even when
# Hypothesis's examples change).

@pytest.mark.parametrize("raw", SCALAR_TAG_CASES, ids=lambda raw: raw.decode().split(": ", 1)[1].strip())
def test_explicit_scalar_tag_that_cannot_be_constructed_is_an_error_with_its_line(raw):
    # !!bool maybe raised KeyError, !!int '' IndexError, !!timestamp soon AttributeError: each
    # a crash ("internal error") rather than a located message.
    with workspace({**SOUND_STORE, "facts/tags.yaml": raw}) as ws:
        result = run("check")
        assert_clean(result, ws)
        assert result.exit_code == 1
        assert result.stderr.startswith("facts/tags.yaml:2: error: "), result.stderr


def test_value_with_a_line_break_or_escape_is_printed_on_the_problem_line():
    # kind: "\r" was printed raw: the message broke over two lines (and "\x1b[2J" would have
    # cleared the analyst's terminal).
    text = 'places:\n  - id: anbar\n    name: Anbar\n    kind: "\\r\\x1b[2J\\u2028x"\n'
    with workspace({**SOUND_STORE, "facts/b.yaml": text.encode()}) as ws:
        result = run("check")
        assert_clean(result, ws)
        assert result.stderr.splitlines() == [
            "facts/b.yaml:4: error: [anbar] 'kind' holds a control character U+001B (expected printable text; "
            "delete it)",
            "facts/b.yaml:4: error: [anbar] kind: '\\r\\x1b[2J\\u2028x' is not one of the allowed values (expected "
            "one of: " + ", ".join(vocab.PLACE_KINDS) + ")",
            "2 errors."], result.stderr


@pytest.mark.parametrize("text", ["figures: [", "figures: [\n", "\ufefffigures: [\n\n\n", "figures:\n  - [1,\n"])
def test_error_at_the_end_of_a_file_points_at_a_line_it_has(text):
    # libyaml counts one more line at the end of the stream: 'figures: [' was reported at line
    # 2 of a one-line file.
    with workspace({**SOUND_STORE, "facts/end.yaml": text.encode()}) as ws:
        result = run("check")
        assert_clean(result, ws)
        last = len(text.rstrip().splitlines())
        assert result.stderr.startswith(f"facts/end.yaml:{last}: error: invalid YAML"), result.stderr


def test_number_too_long_to_read_is_an_error_with_its_line():
    # A 5000-digit number passed the loader's fast path for whole numbers and raised ValueError
    # (Python's limit on converting long digit strings) outside any handler: exit 70. Then its
    # message ended in Python's advice about sys.set_int_max_str_digits().
    text = "places:\n  - id: anbar\n    name: " + "9" * 5000 + "\n    kind: city\n"
    with workspace({**SOUND_STORE, "facts/b.yaml": text.encode()}) as ws:
        result = run("check")
        assert_clean(result, ws)
        assert result.stderr.startswith("facts/b.yaml:3: error: the number has 5000 digits (expected a whole number "
                                        "of at most 15 digits); put it in quotes if it is text"), result.stderr
        assert "sys." not in result.stderr


def test_deep_block_nesting_is_refused_without_crashing():
    # '- - - ... x' nests one block list per two bytes; libyaml's recursive composer crashed
    # the interpreter (SIGSEGV) on 200,000 levels. Run as a real process to see a crash.
    with workspace({**SOUND_STORE, "facts/deep.yaml": BLOCK_BOMB}) as ws:
        done = subprocess.run([sys.executable, "-m", "sitrep", "check"], cwd=ws, capture_output=True, text=True,
                              timeout=60)
    assert done.returncode == 1, (done.returncode, done.stderr)
    assert done.stderr.startswith("facts/deep.yaml:2: error: nesting deeper than 64 levels"), done.stderr


# The config refuses blank text (the store takes " " as a name) and, like imported rows, a
# control character (a NUL, an ESC): sound config text holds neither.
config_text = names
SOUND_CONFIG = st.fixed_dictionaries(
    {"title": config_text, "crisis": config_text,
     "organisation": st.fixed_dictionaries({"name": config_text}, optional={"contact": config_text, "url": urls})},
    optional={"store": st.just("facts"), "output": st.sampled_from(["output", "out put", "output/nested"]),
              "file_stem": st.sampled_from(["probe", "a.b_c-1", "Probe"]),
              "language": st.sampled_from(["en", "ar", "fr-FR"]), "edition": st.sampled_from(["public", "internal"]),
              "paper": st.sampled_from(["A4", "Letter", "A5", "Legal"]),
              "key_metrics": st.lists(kind_of(vocab.METRICS), max_size=4), "disclaimer": config_text})
ODD_PATHS = ["missing", "config.yaml", "facts/base.yaml", ".", "facts/sub", "config.yaml/x", "facts", ""]


@st.composite
def configs(draw):
    """(config.yaml bytes, sound): a plausible config, left sound or mutated."""
    config = draw(SOUND_CONFIG)
    mutate = draw(st.booleans())
    if mutate:
        for _ in range(draw(st.integers(1, 3))):
            config = draw(mutated(config))
        if isinstance(config, dict) and draw(st.booleans()):
            config[draw(st.sampled_from(["store", "output"]))] = draw(st.sampled_from(ODD_PATHS))
    return yaml_bytes(config, draw(st.randoms(use_true_random=False)), careful=not mutate), not mutate


@settings(PROPERTY, max_examples=40)
@given(config=configs())
def test_check_and_build_html_with_generated_configs(config):
    raw, sound = config
    codes = check_and_build(SOUND_STORE, config=raw)
    event("sound" if sound else "mutated", "check exit %d, build exit %d" % codes)
    if sound:
        assert codes == (0, 0)


# --- 3. a file of hundreds of MB ------------------------------------------------------------------

# Runs a command and prints its peak RSS. A small launcher process is needed: a child forked
# straight from pytest (hundreds of MB by now) would report pytest's own peak as its own.
MEASURE = """\
import resource, subprocess, sys
done = subprocess.run(sys.argv[2:], timeout=float(sys.argv[1]))
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
sys.exit(done.returncode)
"""


def run_measured(args: list[str], cwd: Path, timeout: float = 60) -> tuple[int, str, str, int]:
    """Run a command; return its exit code, stdout, stderr and peak RSS in bytes. `timeout`
    only guards against a hang."""
    done = subprocess.run([sys.executable, "-c", MEASURE, str(timeout), *args], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout + 30)
    *stderr, peak = done.stderr.splitlines()
    return done.returncode, done.stdout, "\n".join(stderr), int(peak) * 1024  # Linux counts in KiB


def write_big_store_file(path: Path, size: int) -> None:
    """A store file of `size` bytes that starts and ends like a real one; the middle is a
    sparse hole, so the test neither fills the disk nor spends seconds writing."""
    entry = ("  - id: place-{n}\n    name: Place {n}\n    kind: village\n    lat: 33.1\n    lon: 43.2\n")
    head = ("places:\n" + "".join(entry.format(n=n) for n in range(20_000))).encode()
    tail = "".join(entry.format(n=n) for n in range(20_000, 21_000)).encode()
    with path.open("wb") as file:
        file.write(head)
        file.seek(size - len(tail))
        file.write(tail)
    assert path.stat().st_size == size


@pytest.mark.parametrize("command", ["check", "build"])
def test_file_of_hundreds_of_mb_is_refused_quickly_in_bounded_memory(command):
    size = 300 * 1024 * 1024
    with workspace(SOUND_STORE) as ws:
        write_big_store_file(ws / "facts/huge.yaml", size)
        # (How quickly it is refused, `make bench` measures; run_measured only guards against a hang.)
        code, stdout, stderr, peak = run_measured([sys.executable, "-m", "sitrep", command], cwd=ws)
        assert code == 1, (code, stdout, stderr)
        assert without_progress(stderr).splitlines() == [
            "facts/huge.yaml: error: file is 300 MB, larger than the limit of 10 MB (expected a fact file of a few MB "
            "at most; split the store into several files)",
            *(["1 error; nothing was written."] if command == "build" else [])], stderr
        assert not (ws / "output").exists()
    assert peak < 200 * 1024 * 1024, f"peak RSS {peak / 2**20:.0f} MB for a 300 MB file"


def test_config_of_hundreds_of_mb_is_refused():
    with workspace(SOUND_STORE) as ws:
        with (ws / "config.yaml").open("r+b") as file:
            file.truncate(300 * 1024 * 1024)
        result = run("check")
        assert_clean(result, ws)
        assert result.stderr.startswith("config.yaml: error: file is 300 MB, larger than the limit of 10 MB"), \
            result.stderr


def test_file_just_over_the_limit_is_refused_and_one_just_under_is_read():
    with workspace(SOUND_STORE) as ws:
        big = ws / "facts/big.yaml"
        with big.open("wb") as file:  # sparse: size is what the loader looks at first
            file.write(b"places: []\n")
            file.truncate(MAX_FILE_BYTES + 1)
        result = run("check")
        assert result.exit_code == 1 and result.stderr.startswith("facts/big.yaml: error: file is 10.00 MB, larger "
                                                                  "than the limit of 10 MB"), result.stderr
        # A comment pads the file to exactly the limit: accepted (the limit is inclusive).
        big.write_bytes(b"places: []\n#" + b"x" * (MAX_FILE_BYTES - 13) + b"\n")
        assert big.stat().st_size == MAX_FILE_BYTES
        result = run("check")
        assert_clean(result, ws)
        assert result.exit_code == 0, result.stderr
