"""What the store reads, and what its messages may say (issue 9, "Nothing gets out, nothing
gets in").

- The store reads regular files inside the store folder only: a symbolic link (to a file or a
  folder, outside the store or in it), a named pipe, a device is refused by the name it has in
  the store, without being opened, and its content never reaches a message.
- A message quotes at most a short excerpt of a value, cut with a visible '…', and speaks in
  sitrep's words, never Python's.
- Bidirectional controls and invisible characters in any text of the store are warned about by
  field; an empty store file is warned about by name. Every warning comes out exactly once,
  whether the store cache was used or not.

Errors are asserted as in test_bad_input: exit 1, file:line, sitrep's own "expected" words,
no traceback, nothing written.
"""

from __future__ import annotations

import os
import re
import signal
import stat
import unicodedata
from pathlib import Path

import pytest

import sitrep.source.regularfiles
import sitrep.source.store
from support import FIGURE, assert_nothing_written, assert_refused, line_of, write

MARKER = "MARKER-7f3c9 this line lives outside the store"


@pytest.fixture
def ws(workspace: Path, monkeypatch) -> Path:
    """The example workspace, with the current folder inside it, as a user runs sitrep."""
    monkeypatch.chdir(workspace)
    return workspace


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the workspace, outside its store, holding a YAML file with a marker line."""
    folder = tmp_path / "elsewhere"
    write(folder / "secret.yaml", f"{MARKER}\n")
    return folder


def check_and_build_refuse(ws: Path, sitrep_cli, file: str, *expected: str) -> list[str]:
    """`check` and `build` both refuse `file` as a whole (no line), and the build writes nothing."""
    messages = []
    for command in ("check", "build"):
        result = sitrep_cli(command, "--config", "config.yaml")
        messages.append(assert_refused(result, file, None, *expected))
        assert MARKER not in result.output, result.output
    assert_nothing_written(ws)
    return messages


# --- only regular files inside the store folder are read ------------------------------------

@pytest.mark.parametrize("target", ["marker", "passwd"])
def test_link_to_a_file_outside_the_store_is_refused_unread(ws, sitrep_cli, outside, target):
    target = outside / "secret.yaml" if target == "marker" else Path("/etc/passwd")
    (ws / "facts/outside.yaml").symlink_to(target)
    for message in check_and_build_refuse(ws, sitrep_cli, "facts/outside.yaml", "symbolic link",
                                          "outside the store folder", "(expected a regular file"):
        assert "root:" not in message and str(target) not in message, message
        assert str(ws) not in message, message  # named as every other store file is: relative


def test_link_to_a_pipe_outside_the_store_is_never_opened(ws, sitrep_process, outside):
    # Opening a named pipe blocks until someone writes to it: the refusal must come first.
    os.mkfifo(outside / "pipe")
    (ws / "facts/pipe.yaml").symlink_to(outside / "pipe")
    result = sitrep_process("check", cwd=ws, timeout=30)
    assert_refused(result, "facts/pipe.yaml", None, "symbolic link", "outside the store folder", "(expected")


def test_linked_folder_leading_outside_the_store_is_refused(ws, sitrep_cli, outside):
    write(outside / "places.yaml", f"places:\n  - id: marker-place\n    name: {MARKER}\n    kind: city\n")
    # The store folder itself may be a link (config.yaml names it; sitrep reads the folder it
    # leads to, and names its files by where they are) ...
    (ws / "facts").rename(ws / "real-facts")
    (ws / "facts").symlink_to(ws / "real-facts", target_is_directory=True)
    # ... but nothing in it may lead out of it.
    (ws / "real-facts/shared").symlink_to(outside, target_is_directory=True)
    messages = check_and_build_refuse(ws, sitrep_cli, "real-facts/shared", "symbolic link to a folder",
                                      "outside the store folder", "(expected")
    assert str(outside) not in messages[0], messages[0]


def test_link_inside_the_store_is_refused_too(ws, sitrep_cli):
    # A link to another store file would read it twice (every id a duplicate): links are refused
    # wherever they lead, and the message says so instead of listing duplicate ids.
    (ws / "facts/copy-of-places.yaml").symlink_to("places.yaml")
    result = sitrep_cli("check", "--config", "config.yaml")
    assert_refused(result, "facts/copy-of-places.yaml", None, "symbolic link to a file inside the store folder",
                   "(expected a regular file")
    assert "duplicate id" not in result.stderr, result.stderr


def test_named_pipe_is_refused_without_hanging(ws, sitrep_process):
    os.mkfifo(ws / "facts/pipe.yaml")
    for command in ("check", "build"):
        result = sitrep_process(command, cwd=ws, timeout=30)
        assert_refused(result, "facts/pipe.yaml", None, "named pipe", "(expected a regular file")
    assert_nothing_written(ws)


def test_device_is_refused(ws, sitrep_cli):
    try:
        os.mknod(ws / "facts/device.yaml", stat.S_IFCHR | 0o600, os.makedev(1, 3))  # what /dev/null is
    except (PermissionError, AttributeError):
        pytest.skip("cannot make a device file here")
    check_and_build_refuse(ws, sitrep_cli, "facts/device.yaml", "device", "(expected a regular file")


def test_link_to_a_device_is_refused(ws, sitrep_cli):
    (ws / "facts/null.yaml").symlink_to("/dev/null")
    check_and_build_refuse(ws, sitrep_cli, "facts/null.yaml", "symbolic link", "outside the store folder",
                           "(expected a regular file")


def test_file_swapped_for_a_link_after_the_scan_is_refused(ws, sitrep_cli, outside, monkeypatch):
    victim = write(ws / "facts/swapped.yaml", "places:\n  - {id: probe-place, name: Probe, kind: city}\n")
    read = sitrep.source.store.read_yaml_bytes

    def swap_then_read(path, *args, **kwargs):
        # The file was a regular file when the folder was listed; now, just before it is
        # read, it is a link to a file outside the store.
        if Path(path).name == "swapped.yaml":
            victim.unlink()
            victim.symlink_to(outside / "secret.yaml")
        return read(path, *args, **kwargs)

    monkeypatch.setattr(sitrep.source.store, "read_yaml_bytes", swap_then_read)
    result = sitrep_cli("check", "--config", "config.yaml")
    assert_refused(result, "facts/swapped.yaml", None, "symbolic link", "(expected")
    assert MARKER not in result.output, result.output


@pytest.mark.parametrize("replacement", ["link", "pipe"])
def test_file_replaced_between_its_check_and_its_opening_is_refused(ws, sitrep_cli, outside, monkeypatch,
                                                                   replacement):
    # The narrowest race: the file passed its look (lstat) and is replaced before it is
    # opened. O_NOFOLLOW refuses to open a link; O_NONBLOCK opens a pipe without waiting for a
    # writer, and the open file is then checked (fstat) and refused unread.
    victim = write(ws / "facts/swapped.yaml", "places:\n  - {id: probe-place, name: Probe, kind: city}\n")
    looked = sitrep.source.regularfiles._refuse_unless_regular

    def look_then_swap(mode, shown):
        looked(mode, shown)
        if shown == "facts/swapped.yaml" and victim.is_file() and not victim.is_symlink():
            victim.unlink()
            if replacement == "link":
                victim.symlink_to(outside / "secret.yaml")
            else:
                os.mkfifo(victim)

    def give_up(signum, frame):
        raise TimeoutError("opening the store file blocked")

    monkeypatch.setattr(sitrep.source.regularfiles, "_refuse_unless_regular", look_then_swap)
    previous = signal.signal(signal.SIGALRM, give_up)
    signal.alarm(20)
    try:
        result = sitrep_cli("check", "--config", "config.yaml")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert_refused(result, "facts/swapped.yaml", None, "symbolic link" if replacement == "link" else "named pipe",
                   "(expected a regular file")
    assert MARKER not in result.output, result.output


# --- messages quote a short excerpt, in sitrep's words --------------------------------------



def test_a_5000_digit_number_is_refused_in_sitreps_words(ws, sitrep_cli):
    text = FIGURE.replace("    value: 5\n", "    value: " + "9" * 5000 + "\n")
    write(ws / "facts/probe.yaml", text)
    result = sitrep_cli("check", "--config", "config.yaml")
    message = assert_refused(result, "facts/probe.yaml", line_of(text, "value: 999"),
                             "the number has 5000 digits", "(expected a whole number of at most")
    assert "sys." not in result.output and "int_max_str_digits" not in result.output, message
    assert "9" * 100 not in message, message


LONG = "x" * 3000
KEY = "x" * 500  # YAML allows a plain key of at most 1024 characters


@pytest.mark.parametrize("case, text, needle", [
    ("the file holds a value", f"{MARKER} {LONG}\n", MARKER),
    ("a value the schema refuses", FIGURE.replace("metric: civilians_trapped", f"metric: {LONG}"), "metric:"),
    ("a web address", FIGURE.replace("date: 2016-06}", f"url: 'ftp://{LONG}'}}"), "url:"),
    ("a value of the wrong type", FIGURE.replace("    value: 5\n", f"    value: '{LONG}'\n"), "value:"),
    ("a date", FIGURE.replace("as_of: 2016-06", f"as_of: '2016-{LONG}'"), "as_of:"),
    ("a value YAML cannot read", FIGURE.replace("    value: 5\n", f"    value: !!int {LONG}\n"), "value:"),
    ("an unknown key", FIGURE.replace("    value: 5\n", f"    value: 5\n    {KEY}: 1\n"), KEY),
    ("an unknown top-level key", f"{KEY}: []\n", KEY),
    ("a tag", FIGURE.replace("    value: 5\n", f"    value: !{KEY} 5\n"), "value:"),
])
def test_a_long_value_is_quoted_cut_short(ws, sitrep_cli, case, text, needle):
    write(ws / "facts/probe.yaml", text)
    result = sitrep_cli("check", "--config", "config.yaml")
    message = assert_refused(result, "facts/probe.yaml", line_of(text, needle), "(expected")
    assert "…" in message and "x" * 60 not in message, message
    assert len(message.split(" (expected", 1)[0]) < 200, f"{case}: {message}"


@pytest.mark.parametrize("date, why", [("2016-06-31", "June 2016 has 30 days"),
                                       ("2016-13-01", "there is no month 13"),
                                       ("2016-00", "there is no month 0"),
                                       ("2016-W54", "2016 has no week 54")])
def test_an_impossible_date_is_explained_in_sitreps_words(ws, sitrep_cli, date, why):
    text = FIGURE.replace("as_of: 2016-06", f"as_of: {date}")
    write(ws / "facts/probe.yaml", text)
    result = sitrep_cli("check", "--config", "config.yaml")
    message = assert_refused(result, "facts/probe.yaml", line_of(text, "as_of:"),
                             f"'{date}' is not a real date ({why})")
    for python_words in ("out of range", "must be in", "bad month"):
        assert python_words not in message, message


def test_an_overlong_id_is_explained_in_sitreps_words(ws, sitrep_cli):
    text = FIGURE.replace("id: probe-figure", "id: " + "a" * 130)
    write(ws / "facts/probe.yaml", text)
    result = sitrep_cli("check", "--config", "config.yaml")
    message = assert_refused(result, "facts/probe.yaml", line_of(text, "id: aaa"), "id is 130 characters long",
                             "(expected at most 120 characters")
    assert "String should" not in message, message


def test_a_message_never_prints_a_bidirectional_control(ws, sitrep_cli):
    # A value quoted in a message could otherwise reverse the message on the terminal.
    text = FIGURE.replace("metric: civilians_trapped", 'metric: "civilians_\\u202etrapped"')
    write(ws / "facts/probe.yaml", text)
    result = sitrep_cli("check", "--config", "config.yaml")
    message = assert_refused(result, "facts/probe.yaml", line_of(text, "metric:"), "\\u202e", "(expected one of")
    assert "\u202e" not in result.output, message


# --- bidirectional controls and invisible characters are warned about by field --------------

PROBE = """\
sources:
  - id: probe-source
    name: "Probe source{source_name}"
    kind: media
    reliability: B
actors:
  - id: probe-actor
    name: Probe actor
    names: {{ar: "فصيل{name_ar}"}}
    kind: militia
    aliases: ["Probe{alias}"]
incidents:
  - id: probe-incident
    type: human_shields
    date: 2016-06
    place: fallujah
    perpetrator: probe-actor
    status: alleged
    summary: "Civilians were{summary} held in houses."
    cited:
      - source: probe-source
        url: "https://example.org/report{url}"
        note: "Reported{note} by phone."
narrative:
  - id: probe-narrative
    week: 2016-W26
    section: context
    text: "Fighting{text} continued."
"""
FIELDS = {"source_name": ("probe-source", "name", "Probe source"),
          "name_ar": ("probe-actor", "names.ar", "names:"),
          "alias": ("probe-actor", "aliases.0", "aliases:"),
          "summary": ("probe-incident", "summary", "summary:"),
          "url": ("probe-incident", "cited.0.url", "url:"),
          "note": ("probe-incident", "cited.0.note", "note:"),
          "text": ("probe-narrative", "text", "text:")}


def probe_with(**escapes: str) -> str:
    """The probe file with YAML escapes (such as '\\u202e') in the fields named."""
    return PROBE.format(**{name: escapes.get(name, "") for name in FIELDS})


def warnings_of(result) -> list[str]:
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    return [line for line in result.stderr.splitlines() if ": warning: " in line]


def warned_on_every_run(ws: Path, sitrep_cli, about: str) -> list[str]:
    """The warnings that mention `about`, the same on a first run (no cache), a second (every
    file from the cache, the warnings of the last run reused) and a third after another file
    changed (this one from the cache, every cross-check and warning worked out again)."""
    runs = []
    for run in range(3):
        if run == 2:
            with (ws / "facts/places.yaml").open("a", encoding="utf-8") as places:
                places.write("# touched\n")
        runs.append([line for line in warnings_of(sitrep_cli("check", "--config", "config.yaml")) if about in line])
    assert (ws / ".sitrep-cache").is_dir(), "the store cache was not used"
    assert runs[0] == runs[1] == runs[2], runs
    return runs[0]


@pytest.mark.parametrize("escape, name", [
    ("\\u202e", "RIGHT-TO-LEFT OVERRIDE"),
    ("\\u202a", "LEFT-TO-RIGHT EMBEDDING"),
    ("\\u2067", "RIGHT-TO-LEFT ISOLATE"),
    ("\\u2069", "POP DIRECTIONAL ISOLATE"),
    ("\\u200e", "LEFT-TO-RIGHT MARK"),
    ("\\u200f", "RIGHT-TO-LEFT MARK"),
    ("\\u061c", "ARABIC LETTER MARK"),
    ("\\u200b", "ZERO WIDTH SPACE"),
    ("\\u2060", "WORD JOINER"),
    ("\\ufeff", "ZERO WIDTH NO-BREAK SPACE"),
    ("\\u00ad", "SOFT HYPHEN"),
    ("\\U000e0041", "TAG LATIN CAPITAL LETTER A"),
    (" \\u200d", "ZERO WIDTH JOINER"),  # a joiner after a space joins no letters
])
def test_each_kind_of_invisible_character_is_warned_about(ws, sitrep_cli, escape, name):
    text = probe_with(summary=escape)
    write(ws / "facts/probe.yaml", text)
    code = f"U+{ord(unicodedata.lookup(name)):04X}"
    assert warned_on_every_run(ws, sitrep_cli, "invisible character") == [
        f"facts/probe.yaml:{line_of(text, 'summary:')}: warning: [probe-incident] 'summary' holds an invisible "
        f"character {code} ({name}), which can reverse or hide text in the report; delete it"]


@pytest.mark.parametrize("field", FIELDS)
def test_every_text_field_is_checked(ws, sitrep_cli, field):
    entry, shown, needle = FIELDS[field]
    text = probe_with(**{field: "\\u202e"})
    write(ws / "facts/probe.yaml", text)
    assert warned_on_every_run(ws, sitrep_cli, "invisible character") == [
        f"facts/probe.yaml:{line_of(text, needle)}: warning: [{entry}] '{shown}' holds an invisible character "
        "U+202E (RIGHT-TO-LEFT OVERRIDE), which can reverse or hide text in the report; delete it"]


def test_invisible_characters_written_as_themselves_are_found(ws, sitrep_cli):
    # Not as YAML escapes, as above, but as an editor saves a pasted text: UTF-8 bytes.
    text = probe_with(summary="\u202e", name_ar="\u200b")
    write(ws / "facts/probe.yaml", text)
    assert [line.split(" holds ")[0] for line in warned_on_every_run(ws, sitrep_cli, "invisible character")] == [
        f"facts/probe.yaml:{line_of(text, 'names:')}: warning: [probe-actor] 'names.ar'",
        f"facts/probe.yaml:{line_of(text, 'summary:')}: warning: [probe-incident] 'summary'"]


def test_several_invisible_characters_in_one_field_make_one_warning(ws, sitrep_cli):
    write(ws / "facts/probe.yaml", probe_with(summary="\\u202e \\u200b\\u202e"))
    found = warned_on_every_run(ws, sitrep_cli, "invisible character")
    assert len(found) == 1 and "characters U+202E (RIGHT-TO-LEFT OVERRIDE) and U+200B (ZERO WIDTH SPACE)" in found[0]
    assert found[0].endswith("delete them"), found


def test_joiners_between_letters_are_not_warned_about(ws, sitrep_cli):
    # Persian writes 'mi-khaham' with a zero-width non-joiner between the letters; Devanagari
    # uses a zero-width joiner after a virama (a combining mark) to choose a conjunct's form.
    # Only the override in the note is warned about.
    text = probe_with(name_ar="\\u200cها", summary=" (می\\u200cخواهم, क्\\u200dष)", note="\\u202e")
    write(ws / "facts/probe.yaml", text)
    found = warned_on_every_run(ws, sitrep_cli, "invisible")
    assert len(found) == 1 and "'cited.0.note' holds an invisible character U+202E" in found[0], found


# --- an empty store file ---------------------------------------------------------------------

@pytest.mark.parametrize("content", ["", "# facts about the north go here\n", "\n   \n\n"],
                         ids=["no-bytes", "only-a-comment", "only-blank-lines"])
def test_an_empty_store_file_is_warned_about_once_on_every_run(ws, sitrep_cli, content):
    write(ws / "facts/north.yaml", content)
    found = warned_on_every_run(ws, sitrep_cli, "facts/north.yaml")
    assert len(found) == 1 and re.fullmatch(r"facts/north\.yaml: warning: the file is empty; .+", found[0]), found


# --- config.yaml's texts: a control character refused, an invisible one warned about ----------

def with_title(ws: Path, title: str) -> str:
    """config.yaml with its English title written as the double-quoted YAML `title`."""
    config = ws / "config.yaml"
    text = config.read_text(encoding="utf-8")
    assert text.count("\n  en: Fallujah Situation Report\n") == 1
    text = text.replace("\n  en: Fallujah Situation Report\n", f'\n  en: "{title}"\n')
    config.write_text(text, encoding="utf-8")
    return text


@pytest.mark.parametrize("escape, shown", [("\\e[2J", "U+001B"), ("\\0", "U+0000"), ("\\x9b", "U+009B")],
                         ids=["esc", "nul", "c1-csi"])
def test_a_control_character_in_config_text_is_refused_at_its_line(ws, sitrep_cli, escape, shown):
    text = with_title(ws, f"Fallujah{escape} Situation Report")
    for command in ("check", "build"):
        result = sitrep_cli(command, "--config", "config.yaml")
        assert_refused(result, "config.yaml", line_of(text, "en: \"Fallujah"),
                       f"'title.en' holds a control character {shown}", "(expected printable text; delete it)")
        assert "\x1b" not in result.output and "\x00" not in result.output
    assert_nothing_written(ws)


def test_an_invisible_character_in_config_text_is_a_warning_at_its_line(ws, sitrep_cli):
    text = with_title(ws, "Fallujah \\u202eSituation Report")
    warned = [line for line in warnings_of(sitrep_cli("check", "--config", "config.yaml")) if "title" in line]
    line = line_of(text, 'en: "Fallujah')
    assert f"config.yaml:{line}: warning: 'title.en' holds an invisible character U+202E (RIGHT-TO-LEFT OVERRIDE), " \
           "which can reverse or hide text in the report; delete it" in warned, warned


@pytest.mark.parametrize("escape, shown", [("\\e[2J", "U+001B"), ("\\0", "U+0000"), ("\\x9b", "U+009B"),
                                           ("\\a", "U+0007"), ("\\N", "U+0085")],
                         ids=["esc", "nul", "c1-csi", "bell", "nel"])
def test_a_control_character_in_store_text_is_refused_at_its_line(ws, sitrep_cli, escape, shown):
    # PyYAML refuses a control character written as itself; a double-quoted escape writes one.
    text = probe_with(summary=f"Shelling{escape} near the bridge")
    write(ws / "facts/probe.yaml", text)
    for command in ("check", "build"):
        result = sitrep_cli(command, "--config", "config.yaml")
        assert_refused(result, "facts/probe.yaml", line_of(text, "summary:"),
                       f"[probe-incident] 'summary' holds a control character {shown}",
                       "(expected printable text; delete it)")
        assert "\x1b" not in result.output and "\x00" not in result.output
    assert_nothing_written(ws)
