"""The round-trip writer (sitrep/edit/yamledit.py): an edit in the browser must change a store
file as an analyst would, the entry's own lines and nothing else, and never lose an update."""

from __future__ import annotations

import difflib
import io
import os
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from sitrep.edit import yamledit
from sitrep.edit.yamledit import (EditBug, EditConflict, add_entry, entry_data, entry_spans, field_at_line,
                                  read_store_file, remove_entry, replace_entry, write_store_file)
from sitrep.errors import SitrepError, StoreError
from sitrep.source.yamlsource import parse_yaml_bytes
from support import REPO, line_of, write

STORE_FILES = sorted([*(REPO / "facts").glob("*.yaml"), *(REPO / "tests/crisis2/facts").glob("*.yaml")])
FILE_IDS = [str(p.relative_to(REPO)) for p in STORE_FILES]
FALLUJAH = REPO / "facts/2016-06-fallujah.yaml"


def text_of(path: Path) -> str:
    return read_store_file(path).text


def changed_lines(before: str, after: str) -> set[int]:
    """The 1-based lines of `before` that `after` replaced or deleted, and the line before
    which it inserted any, as a diff shows them."""
    lines = set()
    matcher = difflib.SequenceMatcher(a=before.splitlines(), b=after.splitlines(), autojunk=False)
    for tag, i1, i2, _, _ in matcher.get_opcodes():
        if tag != "equal":
            lines.update(range(i1 + 1, i2 + 1) if i2 > i1 else {i1 + 1})
    return lines


def span_of(text: str, entry_id: str) -> yamledit.EntrySpan:
    return next(s for s in entry_spans(text) if s.id == entry_id)


def reads(text: str) -> dict:
    return parse_yaml_bytes(text.encode("utf-8"), "test").data


def poked(value):
    """`value` with one leaf changed: an edit of that field."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value + 1
    if isinstance(value, str):
        return value + " x"
    if isinstance(value, list):
        return [poked(value[0]), *value[1:]] if value else ["x"]
    key = next(iter(value))
    return {**value, key: poked(value[key])}


# --- 1. Load, save unchanged: identical bytes ------------------------------------------------------

@pytest.mark.parametrize("path", STORE_FILES, ids=FILE_IDS)
def test_every_entry_saved_unchanged_gives_the_same_bytes(path):
    text = text_of(path)
    spans = entry_spans(text)
    assert spans
    for span in spans:
        assert replace_entry(text, span.kind, span.id, entry_data(text, span.kind, span.id)) == text, span.id
        # Added as a copy then removed again: the file as it was.
        copy = dict(entry_data(text, span.kind, span.id), id=span.id + "-copy")
        added = add_entry(text, span.kind, copy)
        assert entry_data(added, span.kind, copy["id"]) == copy
        assert remove_entry(added, span.kind, copy["id"]) == text, span.id


# Fields whose re-emitted text differs from the file's after an edit and its undo, and why: ruamel
# writes a flow list on one line (the file wrapped it by hand), and keeps a comment's column from
# the edited (longer) line. Both only when that very field is edited.
UNDO_DIFFERS = {("facts/actors.yaml", "iraqi-security-forces", "aliases"), ("facts/places.yaml", "anbar", "aliases")}


@pytest.mark.parametrize("path", STORE_FILES, ids=FILE_IDS)
def test_every_field_edited_then_undone_gives_the_same_bytes(path):
    """Stronger than saving unchanged: the edited field goes through the emitter twice, so each
    one of the example's layouts (folded texts, flow citations, quoted text, 33.30) is written back as the file had it."""
    text, differs = text_of(path), set()
    for span in entry_spans(text):
        data = entry_data(text, span.kind, span.id)
        for key in [k for k in data if k != "id"]:
            edited = replace_entry(text, span.kind, span.id, {**data, key: poked(data[key])})
            assert edited != text
            if replace_entry(edited, span.kind, span.id, data) != text:
                differs.add((str(path.relative_to(REPO)), span.id, key))
    assert differs == {d for d in UNDO_DIFFERS if d[0] == str(path.relative_to(REPO))}


def test_a_naive_round_trip_of_the_whole_file_would_not_keep_the_bytes():
    """Why the writer splices one entry's lines instead of dumping the file: ruamel's own round
    trip of a whole example file rewrites lines nobody edited, with its default layout (every
    line of the lists) and even with the file's own indentation and no line width (a flow list
    the analyst wrapped by hand); the writer leaves them as they are."""
    text = text_of(REPO / "facts/actors.yaml")
    for indent in [{}, {"mapping": 2, "sequence": 4, "offset": 2}]:
        emitter = YAML(typ="rt")
        emitter.preserve_quotes, emitter.width = True, 1_000_000
        emitter.indent(**indent)
        out = io.StringIO()
        emitter.dump(emitter.load(text), out)
        assert out.getvalue() != text
        assert line_of(text, "Police Forces of Iraq (2014-)]") in changed_lines(text, out.getvalue())
    data = entry_data(text, "actors", "iraqi-security-forces")
    assert replace_entry(text, "actors", "iraqi-security-forces", data) == text
    assert replace_entry(text, "actors", "iraqi-security-forces", {**data, "kind": "government"}) == \
        text.replace("kind: state_force\n    # ACLED", "kind: government\n    # ACLED")


# --- 2. Only the edited entry's lines change -------------------------------------------------------

@pytest.mark.parametrize("edit", ["value", "date", "credibility", "translation", "route update"])
def test_an_edit_changes_only_lines_of_its_entry(edit):
    text = text_of(FALLUJAH)
    entry_id = {"route update": "fallujah-south-to-amiriyat"}.get(edit, "fallujah-fleeing-killed-2016-06")
    kind = "routes" if edit == "route update" else "figures"
    data = entry_data(text, kind, entry_id)
    if edit == "value":
        data["value"] = 35
    elif edit == "date":
        data["as_of"] = "2016-06-03"
    elif edit == "credibility":
        data["cited"][0]["credibility"] = 2
    elif edit == "translation":
        data["note"]["fr@cab50ae4"] = "Civils abattus par l'EI un vendredi."
    else:
        data["updates"][0]["status"] = "closed"
        data["updates"][0]["summary"]["en"] = "Closed: no one got through."
    span = span_of(text, entry_id)
    after = replace_entry(text, kind, entry_id, data)
    changed = changed_lines(text, after)
    assert changed and all(span.start <= line <= span.end for line in changed), changed
    assert entry_data(after, kind, entry_id) == data
    expected = {"value": ["    value: 35\n"], "date": ["    as_of: 2016-06-03\n"],
                "credibility": ["      - {source: iraqi-military-spokesman, via: nbc-news, date: 2016-06, credibility: 2}\n"],
                "translation": ["      fr@cab50ae4: Civils abattus par l'EI un vendredi.\n"],
                "route update": ["        status: closed\n", "            Closed: no one got through.\n"]}[edit]
    added = [line for line in after.splitlines(keepends=True) if line not in text.splitlines(keepends=True)]
    assert added == expected


COMMENTED = """\
# The store's header comment.
figures:
  # Heading the first entry.
  - id: a  # the id's own comment
    metric: civilians_trapped
    place: p
    as_of: 2016-06
    value: 30  # as the source wrote it
    qualifier: about
    unit: people
    # a comment between fields
    cited:
      - {source: s, date: 2016-06, credibility: 3}  # the citation's comment
      - {source: t, credibility: 2}

  # Heading the second entry.
  - id: b
    metric: civilians_killed
    place: p
    as_of: 2016-06
    value: 5
    unit: people
    cited: [{source: s}]
# The end.
"""


def test_comments_flow_style_and_key_order_survive_an_edit():
    data = entry_data(COMMENTED, "figures", "a")
    data["value"] = 40
    data["cited"][0]["credibility"] = 2
    data["cited"].append({"source": "u", "date": "2016-06-20"})
    after = replace_entry(COMMENTED, "figures", "a", data)
    assert after == COMMENTED.replace("value: 30  # as", "value: 40  # as").replace(
        "credibility: 3}  # the citation's comment", "credibility: 2}  # the citation's comment").replace(
        "      - {source: t, credibility: 2}\n", "      - {source: t, credibility: 2}\n      - {source: u, date: 2016-06-20}\n")


def test_a_new_key_goes_where_the_schema_puts_it_not_at_the_end():
    data = entry_data(COMMENTED, "figures", "b")
    data["qualifier"] = "at_least"  # the schema: ... value, low, high, qualifier, ..., unit
    data["note"] = "Reported by the hospital."  # ... unit, note, cited
    data["sensitivity"] = "restricted"  # ... cited, sensitivity
    after = replace_entry(COMMENTED, "figures", "b", data)
    entry = after[after.index("  - id: b"):after.index("# The end.")]
    assert entry == ("  - id: b\n    metric: civilians_killed\n    place: p\n    as_of: 2016-06\n    value: 5\n"
                     "    qualifier: at_least\n    unit: people\n    note: Reported by the hospital.\n"
                     "    cited: [{source: s}]\n    sensitivity: restricted\n")
    assert list(entry_data(after, "figures", "b")) == ["id", "metric", "place", "as_of", "value", "qualifier", "unit",
                                                       "note", "cited", "sensitivity"]


def test_a_removed_key_takes_only_its_own_lines():
    data = entry_data(COMMENTED, "figures", "a")
    del data["qualifier"]
    after = replace_entry(COMMENTED, "figures", "a", data)
    assert after == COMMENTED.replace("    qualifier: about\n", "", 1)


def test_a_citation_added_to_a_one_line_list_keeps_its_braces():
    data = entry_data(COMMENTED, "figures", "b")
    after = replace_entry(COMMENTED, "figures", "b", {**data, "cited": [{"source": "s"}, {"source": "t"}]})
    assert after == COMMENTED.replace("cited: [{source: s}]", "cited: [{source: s}, {source: t}]")


def test_a_file_indented_its_own_way_is_written_its_own_way():
    text = "figures:\n    -   id: a\n        value: 1\n        note:\n            en: x\n        cited:\n            -   source: s\n"
    data = entry_data(text, "figures", "a")
    after = replace_entry(text, "figures", "a", {**data, "note": {"en": "x", "fr": "y"}, "cited": [{"source": "s"},
                                                                                              {"source": "t"}]})
    assert after == text.replace("en: x\n", "en: x\n            fr: y\n") + "            -   source: t\n"
    added = add_entry(text, "figures", {"id": "b", "value": 2, "cited": [{"source": "s"}]})
    assert added == text + "\n    -   id: b\n        value: 2\n        cited:\n            -   {source: s}\n"


# --- 3. A new entry goes where the store's layout puts it ------------------------------------------

NEW_FIGURE = {"id": "new-figure", "metric": "civilians_trapped", "place": "fallujah", "as_of": "2016-06",
              "value": 1000, "qualifier": "about", "unit": "people",
              "note": {"en": "yes", "fr": "null"},
              "cited": [{"source": "news-roundup-2016-06", "date": "2016-06-03", "credibility": 3}]}


def test_a_new_entry_goes_at_the_end_of_its_list_written_as_a_person_would():
    text = text_of(FALLUJAH)
    after = add_entry(text, "figures", NEW_FIGURE)
    span = span_of(after, "new-figure")
    assert span.start == line_of(text, "incidents:")  # after the last figure and one blank line
    assert after.splitlines(keepends=True)[span.start - 2:span.end + 1] == [
        "\n",
        "  - id: new-figure\n",
        "    metric: civilians_trapped\n",
        "    place: fallujah\n",
        "    as_of: 2016-06\n",
        "    value: 1000\n",
        "    qualifier: about\n",
        "    unit: people\n",
        "    note: {en: 'yes', fr: 'null'}\n",  # text that YAML 1.1 would read as true and nothing: quoted
        "    cited:\n",
        "      - {source: news-roundup-2016-06, date: 2016-06-03, credibility: 3}\n",
        "\n",
    ]
    assert changed_lines(text, after) == {span.start - 1}  # inserted lines only
    assert entry_data(after, "figures", "new-figure") == NEW_FIGURE


def test_text_is_quoted_only_where_it_would_read_back_differently():
    texts = ["yes", "No", "on", "null", "~", "1e3", "12", "0x1F", "3.5", "1_000", "a: b", "# not a comment", "- item",
             "[x]", "{x}", "@at", "`72` hours", "2016-06-31", "plain words, and commas", "Falloujah, tenue par l'EI"]
    for text in texts:
        added = add_entry(COMMENTED, "figures", {**NEW_FIGURE, "note": text})
        assert entry_data(added, "figures", "new-figure")["note"] == text
        line = next(line for line in added.splitlines() if line.startswith("    note:"))
        quoted = line.removeprefix("    note: ")[0] in "'\""
        assert quoted == (text not in ("plain words, and commas", "Falloujah, tenue par l'EI")), line


def test_a_long_new_text_is_folded_and_a_multiline_one_is_a_literal_block():
    long = "Residents tried to escape south toward the security forces and the camp; no count of those who made it was reported."
    added = add_entry(COMMENTED, "figures", {**NEW_FIGURE, "note": {"en": long, "fr": "Ligne un.\nLigne deux.\n"}})
    assert "      en: >-\n        Residents tried to escape south toward the security forces and the camp; no count of\n" in added
    assert "      fr: |\n        Ligne un.\n        Ligne deux.\n" in added
    assert all(len(line) <= 100 for line in added.splitlines())
    assert entry_data(added, "figures", "new-figure")["note"] == {"en": long, "fr": "Ligne un.\nLigne deux.\n"}


def test_a_new_kind_starts_a_list_at_the_end_of_the_file():
    text = text_of(REPO / "facts/places.yaml")
    movement = {"id": "m1", "period": "2016-06-01/2016-06-05", "origin": "fallujah", "destination": "amiriyat-camp",
                "count": {"value": 100, "qualifier": "about"}, "unit": "people", "summary": "Families left on foot.",
                "cited": [{"source": "nbc-news"}]}
    after = add_entry(text, "movements", movement)
    assert after == text + ("\nmovements:\n  - id: m1\n    period: 2016-06-01/2016-06-05\n    origin: fallujah\n"
                            "    destination: amiriyat-camp\n    count: {value: 100, qualifier: about}\n    unit: people\n"
                            "    summary: Families left on foot.\n    cited:\n      - {source: nbc-news}\n")
    assert remove_entry(after, "movements", "m1") == text


def test_a_new_entry_is_set_apart_as_the_files_entries_are():
    text = text_of(REPO / "tests/crisis2/facts/2025-01-winter.yaml")  # no blank line between its entries
    after = add_entry(text, "figures", NEW_FIGURE)
    start = span_of(after, "new-figure").start
    assert after.splitlines()[start - 2] == "      - {source: valley-relief, date: 2025-02-27, credibility: 3}"
    assert remove_entry(after, "figures", "new-figure") == text


def test_removing_an_entry_removes_its_lines_and_the_blank_line_before_it():
    text = text_of(FALLUJAH)
    span = span_of(text, "fallujah-meals-2016-06")
    after = remove_entry(text, "figures", "fallujah-meals-2016-06")
    lines = text.splitlines(keepends=True)
    assert after == "".join(lines[:span.start - 2] + lines[span.end:])
    first = span_of(text, "fallujah-trapped-2016-06")  # the first of its list: the blank line after it goes
    assert remove_entry(text, "figures", first.id) == "".join(lines[:first.start - 1] + lines[first.end + 1:])


def test_sitrep_new_and_the_editor_share_one_insertion():
    from sitrep.commands import new

    assert new.insert_entry_text is yamledit.insert_entry_text


# --- 4. Read back the same -------------------------------------------------------------------------

def test_an_edit_that_would_not_read_back_as_intended_is_a_bug_never_written(monkeypatch):
    text = text_of(FALLUJAH)
    data = entry_data(text, "figures", "fallujah-meals-2016-06")
    monkeypatch.setattr(yamledit, "reemit_entry", lambda block, *a: block.replace("value: 2", "value: 3"))
    with pytest.raises(EditBug, match="does not read back"):
        replace_entry(text, "figures", "fallujah-meals-2016-06", {**data, "unit": "days"})
    monkeypatch.setattr(yamledit, "reemit_entry", lambda block, *a: block + "  - id: intruder\n")
    with pytest.raises(EditBug):
        replace_entry(text, "figures", "fallujah-meals-2016-06", data)


def test_crlf_line_ends_and_a_byte_order_mark_are_kept(tmp_path):
    text = "\ufeff" + COMMENTED.replace("\n", "\r\n")
    data = entry_data(text, "figures", "b")
    after = replace_entry(text, "figures", "b", {**data, "value": 6})
    assert after == text.replace("value: 5\r\n", "value: 6\r\n")
    added = add_entry(text, "figures", NEW_FIGURE)
    assert added.startswith("\ufeff") and "\n" not in added.replace("\r\n", "")
    assert reads(after)["figures"][1]["value"] == 6


# --- 5. Atomic write and conflicts -----------------------------------------------------------------

def test_a_save_is_atomic_and_keeps_the_files_mode(tmp_path):
    store = tmp_path / "facts"
    path = write(store / "a.yaml", COMMENTED)
    os.chmod(path, 0o640)
    opened = read_store_file(path)
    edited = replace_entry(opened.text, "figures", "b", {**entry_data(opened.text, "figures", "b"), "value": 7})
    saved = write_store_file(path, edited, opened.digest, store)
    assert path.read_text() == edited and saved.text == edited and saved.digest == read_store_file(path).digest
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in store.iterdir()) == ["a.yaml"]  # no temporary file left
    new = write_store_file(store / "sub" / "new.yaml", "figures: []\n", None, store)
    assert new.path.read_text() == "figures: []\n"


def test_a_file_changed_since_it_was_opened_is_a_conflict_not_a_lost_update(tmp_path):
    store = tmp_path / "facts"
    path = write(store / "a.yaml", COMMENTED)
    first, second = read_store_file(path), read_store_file(path)
    write_store_file(path, first.text.replace("value: 5", "value: 6"), first.digest, store)
    with pytest.raises(EditConflict) as conflict:  # the second editor opened the file before the first saved
        write_store_file(path, second.text.replace("value: 30", "value: 31"), second.digest, store)
    assert "changed on disk since it was opened" in str(conflict.value) and isinstance(conflict.value, SitrepError)
    assert conflict.value.path == path
    assert "value: 6" in path.read_text() and "value: 30" in path.read_text()
    opened = read_store_file(path)
    path.write_text(opened.text + "# a text editor's line\n")  # a text editor saves under the open form
    with pytest.raises(EditConflict):
        write_store_file(path, opened.text.replace("value: 6", "value: 8"), opened.digest, store)
    assert path.read_text().endswith("# a text editor's line\n")
    with pytest.raises(EditConflict):  # "a new file" that someone else has created meanwhile
        write_store_file(path, COMMENTED, None, store)


def test_no_write_outside_the_store_folder(tmp_path):
    store = tmp_path / "facts"
    inside = write(store / "a.yaml", COMMENTED)
    outside = write(tmp_path / "outside.yaml", COMMENTED)
    digest = read_store_file(outside).digest
    (store / "link.yaml").symlink_to(outside)
    (store / "dir-link").symlink_to(tmp_path)
    for path in [outside, store / ".." / "outside.yaml", store / "link.yaml", store / "dir-link" / "outside.yaml",
                 store / "a.txt", tmp_path / "facts-other" / "a.yaml"]:
        with pytest.raises(StoreError):
            write_store_file(path, "figures: []\n", digest, store)
    assert outside.read_text() == COMMENTED and inside.read_text() == COMMENTED


# --- 6. field_at_line ------------------------------------------------------------------------------

def test_the_field_on_a_line():
    text = text_of(FALLUJAH)

    def at(needle, nth=1):
        return field_at_line(text, line_of(text, needle, nth))

    assert at("- id: fallujah-fleeing-killed-2016-06") == ("figures", "fallujah-fleeing-killed-2016-06", ("id",))
    assert at("    value: 30") == ("figures", "fallujah-fleeing-killed-2016-06", ("value",))
    assert at("      fr@cab50ae4:") == ("figures", "fallujah-fleeing-killed-2016-06", ("note", "fr@cab50ae4"))
    assert at("- {source: iraqi-military-spokesman, via: nbc-news") == \
        ("figures", "fallujah-fleeing-killed-2016-06", ("cited", 0))
    assert at("killed: {value: 30") == ("incidents", "fallujah-fleeing-shot-2016-06", ("victims", "killed"))
    assert at("toward the security forces in southern Fallujah") == \
        ("incidents", "fallujah-fleeing-shot-2016-06", ("summary", "en"))
    assert at("        status: unsafe") == ("routes", "fallujah-south-to-amiriyat", ("updates", 0, "status"))
    route = span_of(text, "fallujah-south-to-amiriyat")
    citation = next(n for n in range(route.start, route.end + 1) if "{source: omar-nazar" in text.splitlines()[n - 1])
    assert field_at_line(text, citation) == ("routes", "fallujah-south-to-amiriyat", ("updates", 0, "cited", 1))
    assert field_at_line(text, 1) is None  # the header comment
    assert field_at_line(text, line_of(text, "figures:")) is None
    assert field_at_line(text, span_of(text, "fallujah-trapped-2016-06").end + 1) is None  # the blank line after
    assert field_at_line(COMMENTED, line_of(COMMENTED, "# a comment between fields")) == ("figures", "a", ())
    assert field_at_line(COMMENTED, line_of(COMMENTED, "# Heading the second entry.")) is None


def test_spans_cover_each_entry_from_its_first_line_to_its_last():
    spans = entry_spans(COMMENTED)
    assert [(s.kind, s.id, s.index, s.start, s.end) for s in spans] == [("figures", "a", 0, 4, 14),
                                                                          ("figures", "b", 1, 17, 23)]


# --- 7. Error paths --------------------------------------------------------------------------------

@pytest.mark.parametrize("text, call, message", [
    (COMMENTED, lambda t: entry_data(t, "figure", "a", shown="facts/a.yaml"), "no kind of entry called 'figure'"),
    (COMMENTED, lambda t: replace_entry(t, "figures", "zz", {"id": "zz"}, shown="facts/a.yaml"),
     "facts/a.yaml: error: there is no figure 'zz' in this file"),
    (COMMENTED.replace("id: b", "id: a"), lambda t: remove_entry(t, "figures", "a", shown="facts/a.yaml"),
     "facts/a.yaml:17: error: the id 'a' is used twice in this file (lines 4 and 17)"),
    (COMMENTED, lambda t: add_entry(t, "figures", {**NEW_FIGURE, "id": "b"}, shown="facts/a.yaml"),
     "facts/a.yaml:17: error: the id 'b' is already used here"),
    ("- id: a\n- id: b\n", lambda t: entry_spans(t, shown="facts/a.yaml"),
     "facts/a.yaml:1: error: this is not a store file: its top level is not a mapping"),
    ("figures:\n  - id: a\n   bad: [\n", lambda t: entry_spans(t, shown="facts/a.yaml"), "facts/a.yaml:"),
    ("figures: [{id: a}]\n", lambda t: add_entry(t, "figures", NEW_FIGURE, shown="facts/a.yaml"),
     "facts/a.yaml:1: error: 'figures:' is written on one line"),
    ("figures:\r  - id: a\n", lambda t: entry_spans(t, shown="facts/a.yaml"), "a line break other than a plain line end"),
])
def test_each_error_is_one_clear_message(text, call, message):
    with pytest.raises(StoreError) as error:
        call(text)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_a_file_that_is_not_utf8_is_refused_with_its_name(tmp_path):
    path = tmp_path / "facts" / "a.yaml"
    path.parent.mkdir()
    path.write_bytes(b"figures:\n  - id: caf\xe9\n")
    with pytest.raises(StoreError, match="a.yaml:2: error: this file is not UTF-8 text"):
        read_store_file(path)


def test_a_new_figure_is_written_id_first_in_the_order_of_the_stores_files():
    # pydantic lists a figure's inherited fields (value, low, high, qualifier: Amount's) before its
    # id; written in that order, a new figure would begin `- value: 5`.
    from sitrep.edit import forms, yamledit

    data = forms.data_from_form("figures", {"id": "new-fig", "metric": "civilians_killed", "place": "fallujah",
                                            "as_of": "2016-06", "value": "5", "qualifier": "about", "unit": "people",
                                            "cited.0.source": "nbc-news"})
    text = text_of(FALLUJAH)
    new = yamledit.add_entry(text, "figures", data).splitlines()
    added = [line[1:] for line in difflib.ndiff(text.splitlines(), new) if line.startswith("+ ") and line.strip("+ ")]
    assert [line.strip().lstrip("- ").split(":")[0] for line in added][:8] == [
        "id", "metric", "place", "as_of", "value", "qualifier", "unit", "cited"]
