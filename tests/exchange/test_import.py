"""`sitrep import acled|dtm`: files of the datasets' real shape (generated: no real data ships),
imported into a copy of the example workspace from the command line, then read back as a user
would: `sitrep check`, `sitrep weeks`, the built report's text."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from support import REPO, acled_attacks, acled_file, copy_example, event_rows
from support import import_count as _count

sys.path.insert(0, str(REPO / "bench"))

from generate_imports import acled_rows, write_dtm  # noqa: E402

WEEK = "2016-W26"  # the example's latest report: 27 June - 3 July 2016
IN_WEEK = dict(start=dt.date(2016, 6, 27), end=dt.date(2016, 7, 3))


@pytest.fixture
def ws(tmp_path):
    return copy_example(tmp_path / "ws")


def run(sitrep_cli, ws: Path, *args):
    return sitrep_cli(*args, "--config", ws / "config.yaml")


def events(ws: Path) -> list[tuple]:
    """(record, timestamp, fatalities) of every imported event, read from the Parquet table itself."""
    return [row[:3] for row in event_rows(ws)]


def folder_state(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- The happy path, as the "done" says -----------------------------------------------------

def test_imported_events_reach_the_weeks_report_with_their_ids_and_sources_graded(ws, sitrep_cli):
    rows = list(acled_rows(60, seed=4, **IN_WEEK))
    acled_file(ws / "acled.csv", rows)
    facts_before = folder_state(ws / "facts")
    result = run(sitrep_cli, ws, "import", "acled", ws / "acled.csv")
    assert result.exit_code == 0, result.stderr
    kept = [r for r in rows if r["sub_event_type"] in _mapped()]
    assert _count(result.stdout, "added") == len(kept)
    assert "left out" in result.stdout  # protests and the like, counted
    assert folder_state(ws / "facts") == facts_before  # the curated store is never written

    check = run(sitrep_cli, ws, "check")
    assert check.exit_code == 0 and f"{len(kept):,} incidents" in check.stdout and "bulk/)" in check.stdout

    built = run(sitrep_cli, ws, "build", "--week", WEEK, "--language", "en", "--format", "pdf")
    assert built.exit_code == 0, built.stderr
    text = " ".join(" ".join(page.extract_text() for page in
                             PdfReader(ws / f"output/{WEEK}/fallujah-sitrep-{WEEK}.pdf").pages).split())
    # Every kept event of the week is in the report, with its ACLED id; none of another week is.
    for row in kept:
        assert f"ACLED event {row['event_id_cnty']} " in text + " ", row["event_id_cnty"]
    # One outlet, proposed and so graded F: attributed, never stated as fact.
    single = next(r for r in kept if ";" not in r["source"])
    assert "Unconfirmed, one source, F:" in text
    assert f"{single['source']}, as reported by ACLED (Armed Conflict Location & Event Data)" in text
    # The curated store's own incidents of the week are still there.
    assert "ISIS told women and children to stay in the city" in text


def _mapped():
    from sitrep.exchange.acled import SITREP_TYPE_OF

    return SITREP_TYPE_OF


def test_a_location_is_matched_to_the_stores_place_and_others_are_proposed(ws, sitrep_cli):
    rows = list(acled_rows(5, seed=1, **IN_WEEK))
    rows[0].update(location="Falluja", admin1="Al Anbar", latitude="33.3500", longitude="43.7833",
                   sub_event_type="Attack", event_type="Violence against civilians")
    rows[1].update(location="Nowhere Village", admin1="Al Anbar", latitude="33.0000", longitude="42.0000",
                   sub_event_type="Attack", event_type="Violence against civilians")
    acled_file(ws / "acled.csv", rows[:2])
    assert run(sitrep_cli, ws, "import", "acled", ws / "acled.csv").exit_code == 0
    from sitrep.pipeline import Workspace

    workspace = Workspace.load(ws / "config.yaml")
    series = workspace.series("public")
    imported = {a.entry.imported.record: a.entry for a in series.arrived_in(series.reports[-1])
                if getattr(a.entry, "imported", None)}
    assert imported[rows[0]["event_id_cnty"]].place == "fallujah"  # the curated place, 0.3 km away
    proposed = workspace.store.places[imported[rows[1]["event_id_cnty"]].place]
    # ACLED's admin1 'Al Anbar' is the store's 'Anbar governorate' (the article and the generic word dropped).
    assert (proposed.name, proposed.lat, proposed.lon, proposed.parent) == ("Nowhere Village", 33.0, 42.0, "anbar")
    assert "id: place.nowhere-village.anbar" in (ws / "bulk/proposed.yaml").read_text()


def test_a_curated_entry_replaces_the_proposed_one(ws, sitrep_cli):
    rows = list(acled_rows(30, seed=2, **IN_WEEK))
    for row in rows:
        row.update(source="Reuters", sub_event_type="Attack", event_type="Violence against civilians")
    acled_file(ws / "acled.csv", rows)
    assert run(sitrep_cli, ws, "import", "acled", ws / "acled.csv").exit_code == 0
    # A person grades the outlet the import proposed, by copying it into the store.
    (ws / "facts/graded.yaml").write_text("sources:\n  - id: source.reuters\n    name: Reuters\n    kind: media\n"
                                          "    reliability: B\n", encoding="utf-8")
    from sitrep.pipeline import Workspace
    from sitrep.report.builder import build_context

    workspace = Workspace.load(ws / "config.yaml")
    assert workspace.store.sources["source.reuters"].reliability == "B"
    context = build_context(workspace.store, workspace.config, WEEK, "public", "en")
    rows_of_week = [row for group in context.abuses for row in group.incidents if row.record]
    assert rows_of_week and all(row.sourcing.grade == "B" and not row.sourcing.weak for row in rows_of_week)


# --- Re-importing: updates, never duplicates, drops only when told ----------------------------------

def test_reimporting_updates_changed_events_and_never_duplicates(ws, sitrep_cli):
    rows = list(acled_rows(40, seed=5, **IN_WEEK))
    for row in rows:
        row.update(sub_event_type="Attack", event_type="Violence against civilians")
    acled_file(ws / "acled.csv", rows)
    assert run(sitrep_cli, ws, "import", "acled", ws / "acled.csv").exit_code == 0
    first = events(ws)
    assert len(first) == 40

    again = run(sitrep_cli, ws, "import", "acled", ws / "acled.csv")
    assert again.exit_code == 0 and _count(again.stdout, "unchanged") == 40 and _count(again.stdout, "added") == 0
    assert events(ws) == first

    # ACLED's next release: one death toll revised (a newer timestamp), one event deleted,
    # one added, and one row with an older timestamp than the one held (an old file).
    updated = [dict(row) for row in rows]
    updated[0].update(fatalities="17", timestamp=str(int(rows[0]["timestamp"]) + 1000))
    updated[1].update(fatalities="99", timestamp=str(int(rows[1]["timestamp"]) - 1))
    deleted = updated.pop(2)
    new = dict(rows[3], event_id_cnty="IRQ999999", timestamp="1700000000")
    updated.append(new)
    acled_file(ws / "acled-2.csv", updated)

    dry = run(sitrep_cli, ws, "import", "acled", ws / "acled-2.csv", "--dry-run")
    assert dry.exit_code == 0 and "Dry run: nothing was written." in dry.stdout
    assert events(ws) == first
    assert (_count(dry.stdout, "added"), _count(dry.stdout, "updated"), _count(dry.stdout, "kept")) == (1, 1, 1)

    assert run(sitrep_cli, ws, "import", "acled", ws / "acled-2.csv").exit_code == 0
    held = {record: (timestamp, fatalities) for record, timestamp, fatalities in events(ws)}
    assert len(held) == 41 and held[rows[0]["event_id_cnty"]][1] == 17
    assert held[rows[1]["event_id_cnty"]][1] == int(rows[1]["fatalities"])  # the older row changed nothing
    assert deleted["event_id_cnty"] in held  # kept: the file may be one period of the dataset

    dropped = run(sitrep_cli, ws, "import", "acled", ws / "acled-2.csv", "--drop-missing")
    assert dropped.exit_code == 0 and _count(dropped.stdout, "dropped") == 1
    assert deleted["event_id_cnty"] not in {record for record, _, _ in events(ws)}
    manifest = json.loads((ws / "bulk/manifest.json").read_text())
    assert [i["sha256"][:8] for i in manifest["imports"]] == [
        *(_sha(ws / "acled.csv"),) * 2, *(_sha(ws / "acled-2.csv"),) * 2]
    assert len(list((ws / "bulk").glob("tables-*"))) <= 2  # the current version, and the one before


def _sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()[:8]


# --- Bad input: one message per problem, with its row; nothing written --------------------------------

def test_bad_rows_are_listed_with_their_row_numbers_and_nothing_is_written(ws, sitrep_cli):
    rows = list(acled_rows(6, seed=6, **IN_WEEK))
    acled_file(ws / "good.csv", rows)
    assert run(sitrep_cli, ws, "import", "acled", ws / "good.csv").exit_code == 0
    before = folder_state(ws / "bulk")
    rows[1]["event_date"] = "31 Juny 2016"
    rows[2]["latitude"] = "north"
    rows[3]["time_precision"] = "4"
    rows[4]["event_id_cnty"] = rows[0]["event_id_cnty"]
    rows[5]["sub_event_type"] = "Picnic"
    acled_file(ws / "bad.csv", rows)
    result = run(sitrep_cli, ws, "import", "acled", ws / "bad.csv")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    err = result.stderr
    assert "bad.csv:3: error: row 3: event_date: '31 Juny 2016' is not a date" in err
    assert "bad.csv:4: error: row 4: latitude: 'north' is not a latitude" in err
    assert "bad.csv:5: error: row 5: time_precision: '4' is not a precision code" in err
    assert f"row 2: event_id_cnty: '{rows[0]['event_id_cnty']}' is on more than one row" in err
    assert "row 6: event_id_cnty" in err
    assert "bad.csv:7: error: row 7: sub_event_type: 'Picnic' is not one of ACLED's sub-event types" in err
    assert "nothing was written" in err.lower()
    assert folder_state(ws / "bulk") == before


@pytest.mark.parametrize("content, message", [
    (b"event_id_cnty,event_date\nIRQ1,2016-06-30\n", "the header lacks"),
    (b"", "the file is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "not a CSV table"),
], ids=["missing-columns", "empty", "binary"])
def test_a_file_that_is_not_an_acled_export_is_refused(ws, sitrep_cli, content, message):
    (ws / "x.csv").write_bytes(content)
    result = run(sitrep_cli, ws, "import", "acled", ws / "x.csv")
    assert result.exit_code == 1 and message in result.stderr and "Traceback" not in result.stderr
    assert not (ws / "bulk").exists() or not (ws / "bulk/manifest.json").exists()


def test_a_missing_file_is_refused(ws, sitrep_cli):
    result = run(sitrep_cli, ws, "import", "acled", ws / "nope.csv")
    assert result.exit_code == 1 and "nope.csv: error: no such file" in result.stderr


def test_a_failure_while_writing_leaves_the_last_version(ws, sitrep_cli, monkeypatch):
    acled_file(ws / "a.csv", list(acled_rows(10, seed=7, **IN_WEEK)))
    assert run(sitrep_cli, ws, "import", "acled", ws / "a.csv").exit_code == 0
    before = folder_state(ws / "bulk")
    import sitrep.source.bulk as bulk

    def fail(path, data, **_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(bulk, "write_atomic", fail)
    acled_file(ws / "b.csv", list(acled_rows(10, seed=8, first_id=500, **IN_WEEK)))
    with pytest.raises(OSError):
        from sitrep.exchange.importing import run_import

        run_import(ws / "config.yaml", "acled", ws / "b.csv")
    assert folder_state(ws / "bulk") == before  # no staging folder left, the manifest as it was


# --- What the workspace then refuses, or keeps out -----------------------------------------------

def test_a_store_place_that_imported_events_name_cannot_be_removed_silently(ws, sitrep_cli):
    (ws / "facts/village.yaml").write_text("places:\n  - id: village-x\n    name: Village X\n    kind: village\n"
                                           "    lat: 33.1\n    lon: 42.1\n", encoding="utf-8")
    rows = list(acled_rows(3, seed=9, **IN_WEEK))
    for row in rows:
        row.update(location="Village X", admin1="Al Anbar", latitude="33.1000", longitude="42.1000",
                   sub_event_type="Attack", event_type="Violence against civilians")
    acled_file(ws / "a.csv", rows)
    assert run(sitrep_cli, ws, "import", "acled", ws / "a.csv").exit_code == 0
    (ws / "facts/village.yaml").unlink()
    result = run(sitrep_cli, ws, "check")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert "imported events name the place 'village-x', which the store no longer holds" in result.stderr


def test_a_damaged_manifest_is_one_clear_error(ws, sitrep_cli):
    acled_file(ws / "a.csv", list(acled_rows(3, seed=10, **IN_WEEK)))
    assert run(sitrep_cli, ws, "import", "acled", ws / "a.csv").exit_code == 0
    (ws / "bulk/manifest.json").write_text("{not json", encoding="utf-8")
    result = run(sitrep_cli, ws, "check")
    assert result.exit_code == 1 and "bulk/manifest.json" in result.stderr and "damaged" in result.stderr


def test_restricted_imports_stay_in_the_internal_edition(ws, sitrep_cli, tmp_path):
    rows = list(acled_rows(8, seed=11, **IN_WEEK))
    for row in rows:
        row.update(sub_event_type="Attack", event_type="Violence against civilians")
    acled_file(ws / "a.csv", rows)
    assert run(sitrep_cli, ws, "import", "acled", ws / "a.csv", "--restricted").exit_code == 0
    from sitrep.pipeline import Workspace
    from sitrep.report.builder import build_context

    workspace = Workspace.load(ws / "config.yaml")
    def records(edition):
        context = build_context(workspace.store, workspace.config, WEEK, edition, "en")
        return {row.record for group in context.abuses for row in group.incidents if row.record}
    assert records("public") == set()
    assert len(records("internal")) == 8
    # Nor do they make a week of the public series.
    example = Workspace.load(copy_example(tmp_path / "example") / "config.yaml")  # a copy: its cache goes there
    assert workspace.series("public").reports == example.series("public").reports


def test_a_week_reads_only_its_own_rows(ws, sitrep_cli, monkeypatch):
    acled_file(ws / "a.csv", list(acled_rows(300, seed=12, start=dt.date(2016, 1, 1), end=dt.date(2016, 12, 31))))
    assert run(sitrep_cli, ws, "import", "acled", ws / "a.csv").exit_code == 0
    from sitrep.pipeline import Workspace
    from sitrep.source.bulk import BulkStore

    asked = []
    original = BulkStore.incidents_known
    monkeypatch.setattr(BulkStore, "incidents_known",
                        lambda self, first, last, public: asked.append((first, last)) or original(self, first, last, public))
    workspace = Workspace.load(ws / "config.yaml")
    assert not any(i.startswith("acled-") for i in workspace.store.incidents)  # none loaded with the store
    workspace.render_week(workspace.resolve(WEEK, "public"), "public", language="en")
    assert asked == [(dt.date(2016, 6, 27), dt.date(2016, 7, 3))]


def test_weeks_counts_imported_events(ws, sitrep_cli):
    rows = [dict(r, sub_event_type="Attack", event_type="Violence against civilians", time_precision="1",
                 event_date="2016-08-10") for r in acled_rows(7, seed=13)]
    acled_file(ws / "a.csv", rows)
    assert run(sitrep_cli, ws, "import", "acled", ws / "a.csv").exit_code == 0
    weeks = run(sitrep_cli, ws, "weeks").stdout
    assert any(line.startswith("2016-W32") and "7 incidents" in line for line in weeks.splitlines())


def test_time_precision_gives_the_dates_precision(ws, sitrep_cli):
    rows = list(acled_rows(3, seed=14))
    for row, precision in zip(rows, "123"):
        row.update(event_date="2016-06-29", time_precision=precision, sub_event_type="Attack",
                   event_type="Violence against civilians")
    acled_file(ws / "a.csv", rows)
    assert run(sitrep_cli, ws, "import", "acled", ws / "a.csv").exit_code == 0
    from sitrep.pipeline import Workspace

    workspace = Workspace.load(ws / "config.yaml")
    dates = {i.imported.record: i.date.text for i in workspace.store.bulk.incidents_known(None, dt.date(2016, 12, 31), False)}
    assert [dates[row["event_id_cnty"]] for row in rows] == ["2016-06-29", "2016-W26", "2016-06"]


# --- DTM ---------------------------------------------------------------------------------------------

def test_dtm_figures_are_imported_and_reimporting_changes_nothing(ws, sitrep_cli):
    write_dtm(ws / "dtm.csv", 3)
    result = run(sitrep_cli, ws, "import", "dtm", ws / "dtm.csv")
    assert result.exit_code == 0 and _count(result.stdout, "added") == 12  # 4 districts x 3 rounds
    from sitrep.pipeline import Workspace

    workspace = Workspace.load(ws / "config.yaml")
    figures = [f for f in workspace.store.figures.values() if f.imported]
    assert len(figures) == 12 and {f.metric for f in figures} == {"people_displaced"}
    with (ws / "dtm.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    falluja = [r for r in rows if r["admin2Pcode"] == "IQG01Q02" and r["reportingDate"].startswith("2016-05-31")]
    figure = workspace.store.figures["dtm-iqg01q02-20160531"]
    assert figure.value == sum(int(r["numPresentIdpInd"]) for r in falluja)  # the reasons added up
    assert figure.cited[0].source == "iom-dtm" and figure.imported.record == "IQG01Q02 2016-05-31"
    again = run(sitrep_cli, ws, "import", "dtm", ws / "dtm.csv")
    assert _count(again.stdout, "unchanged") == 12 and _count(again.stdout, "added") == 0


def test_a_bad_dtm_row_is_refused_with_its_row(ws, sitrep_cli):
    write_dtm(ws / "dtm.csv", 1)
    lines = (ws / "dtm.csv").read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("T00:00:00", "").replace("2016-05-31", "last week")
    (ws / "dtm.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(sitrep_cli, ws, "import", "dtm", ws / "dtm.csv")
    assert result.exit_code == 1 and "dtm.csv:4: error: row 4: reportingdate: 'last week' is not a date" in result.stderr


def test_an_imported_event_is_exported_as_acled_coded_it(ws, sitrep_cli):
    from sitrep.exchange.acled import COLUMNS

    rows = [dict(r, sub_event_type="Attack", event_type="Violence against civilians",
                 disorder_type="Political violence") for r in acled_rows(12, seed=15, **IN_WEEK)]
    rows[0].update(time_precision="2", event_date="2016-06-29")  # sitrep holds the week; ACLED's day comes back
    acled_file(ws / "a.csv", rows)
    assert run(sitrep_cli, ws, "import", "acled", ws / "a.csv").exit_code == 0
    result = run(sitrep_cli, ws, "export", "acled", "--all")
    assert result.exit_code == 0, result.stderr
    exported = {row["event_id_cnty"]: row for row in csv.DictReader(result.stdout.splitlines())}
    for row in rows:
        back = exported[row["event_id_cnty"]]
        same = [c for c in COLUMNS if c not in ("source", "notes", "fatalities", "timestamp", "event_id_cnty")]
        assert {c: back[c] for c in same} == {c: row[c] for c in same}
        assert set(back["source"].split("; ")) == set(row["source"].split("; "))
        assert (back["notes"], back["fatalities"], back["timestamp"]) == (row["notes"], row["fatalities"], row["timestamp"])


def test_an_import_that_would_renumber_the_series_says_so_and_first_keeps_the_numbers(ws, sitrep_cli):
    rows = [dict(r, sub_event_type="Attack", event_type="Violence against civilians", time_precision="1")
            for r in acled_rows(20, seed=16, start=dt.date(2014, 1, 1), end=dt.date(2014, 12, 31))]
    acled_file(ws / "a.csv", rows)
    result = run(sitrep_cli, ws, "import", "acled", ws / "a.csv")
    assert result.exit_code == 0
    assert "the series would now start at 2014-W" in result.stdout and "first: 2015-W31" in result.stdout
    from sitrep.pipeline import Workspace

    assert Workspace.load(ws / "config.yaml").series("public").number(
        Workspace.load(ws / "config.yaml").resolve(WEEK, "public")) > 2  # renumbered, as it warned
    config = (ws / "config.yaml").read_text(encoding="utf-8")
    (ws / "config.yaml").write_text(config.replace("series:\n", "series:\n  first: 2015-W31\n", 1), encoding="utf-8")
    workspace = Workspace.load(ws / "config.yaml")
    series = workspace.series("public")
    assert series.number(workspace.resolve(WEEK, "public")) == 2 and str(series.reports[0]) == "2015-W31"
    # The events before the series are in no report: not dumped into the first one.
    assert not [a for a in series.arrived_in(series.reports[0]) if getattr(a.entry, "imported", None)]


# --- What a hostile or hurried user tried (review of the import) -------------------------------------

def _attacks(n, seed, **dates):
    return acled_attacks(n, seed, **(dates or IN_WEEK))


def test_sensitivity_only_rises_and_a_restricted_import_proposes_restricted_sources(ws, sitrep_cli):
    rows = _attacks(4, 20)
    for row in rows:
        row["source"] = "Informant Abu Karim"
    acled_file(ws / "a.csv", rows)
    assert run(sitrep_cli, ws, "import", "acled", ws / "a.csv").exit_code == 0
    again = run(sitrep_cli, ws, "import", "acled", ws / "a.csv", "--restricted")
    assert _count(again.stdout, "updated") == 4
    assert {row[3] for row in event_rows(ws)} == {"restricted"}
    # ACLED's next release, imported without --restricted: newer rows, still restricted.
    newer = [dict(row, timestamp=str(int(row["timestamp"]) + 5)) for row in rows]
    acled_file(ws / "b.csv", newer)
    assert run(sitrep_cli, ws, "import", "acled", ws / "b.csv").exit_code == 0
    assert {row[3] for row in event_rows(ws)} == {"restricted"}
    public = run(sitrep_cli, ws, "export", "acled", "--all", "--edition", "public").stdout
    assert "IRQ" not in public and "Abu Karim" not in public

    fresh = copy_example(ws.parent / "fresh")
    acled_file(fresh / "a.csv", rows)
    assert run(sitrep_cli, fresh, "import", "acled", fresh / "a.csv", "--restricted").exit_code == 0
    assert "sensitivity: restricted" in (fresh / "bulk/proposed.yaml").read_text()


@pytest.mark.parametrize("column, message", [
    ("sub_event_type", "sub_event_type: (empty) is not one of ACLED's sub-event types"),
    ("latitude", "latitude: (empty) is not a latitude"),
    ("longitude", "longitude: (empty) is not a longitude"),
    ("timestamp", "timestamp: (empty) is not a timestamp"),
    ("fatalities", "fatalities: (empty) is not a count"),
    ("time_precision", "time_precision: (empty) is not a precision code"),
])
def test_an_empty_cell_is_a_bad_row(ws, sitrep_cli, column, message):
    rows = _attacks(3, 21)
    rows[1][column] = ""
    acled_file(ws / "a.csv", rows)
    result = run(sitrep_cli, ws, "import", "acled", ws / "a.csv")
    assert result.exit_code == 1 and f"a.csv:3: error: row 3: {message}" in result.stderr, result.stderr


@pytest.mark.parametrize("column, value, message", [
    ("fatalities", "99999999999999999999", "fatalities: '99999999999999999999' is not a count"),
    ("timestamp", "99999999999999999999", "timestamp: '99999999999999999999' is not a timestamp"),
    ("event_date", "2106-06-01", "event_date: '2106-06-01' is after today"),
])
def test_numbers_too_big_and_dates_to_come_are_bad_rows(ws, sitrep_cli, column, value, message):
    rows = _attacks(2, 22)
    rows[0][column] = value
    acled_file(ws / "a.csv", rows)
    result = run(sitrep_cli, ws, "import", "acled", ws / "a.csv")
    assert result.exit_code == 1 and message in result.stderr and "internal error" not in result.stderr


def test_a_header_with_quotes_is_a_clear_error(ws, sitrep_cli):
    (ws / "a.csv").write_text('"event""id",b\n1,2\n', encoding="utf-8")
    result = run(sitrep_cli, ws, "import", "acled", ws / "a.csv")
    assert result.exit_code == 1 and "the header lacks" in result.stderr


def test_event_ids_that_differ_in_case_are_one_event(ws, sitrep_cli):
    rows = _attacks(2, 23)
    rows[1]["event_id_cnty"] = rows[0]["event_id_cnty"].lower()
    acled_file(ws / "a.csv", rows)
    result = run(sitrep_cli, ws, "import", "acled", ws / "a.csv")
    assert result.exit_code == 1 and "is on more than one row" in result.stderr
    acled_file(ws / "b.csv", rows[:1])
    acled_file(ws / "c.csv", [dict(rows[0], event_id_cnty=rows[0]["event_id_cnty"].lower())])
    assert run(sitrep_cli, ws, "import", "acled", ws / "b.csv").exit_code == 0
    assert _count(run(sitrep_cli, ws, "import", "acled", ws / "c.csv").stdout, "unchanged") == 1
    assert len(events(ws)) == 1


def test_an_event_reclassified_to_a_type_sitrep_leaves_out_is_dropped(ws, sitrep_cli):
    rows = _attacks(3, 24)
    acled_file(ws / "a.csv", rows)
    assert run(sitrep_cli, ws, "import", "acled", ws / "a.csv").exit_code == 0
    rows[0].update(sub_event_type="Peaceful protest", event_type="Protests", timestamp=str(int(rows[0]["timestamp"]) + 9))
    acled_file(ws / "b.csv", rows)
    result = run(sitrep_cli, ws, "import", "acled", ws / "b.csv")
    assert "now of a type sitrep does not document" in result.stdout and "kept" not in result.stdout
    assert rows[0]["event_id_cnty"] not in {record for record, _, _ in events(ws)}


def test_drop_missing_drops_only_within_the_files_countries_and_dates(ws, sitrep_cli):
    june = _attacks(3, 25)
    for row, day in zip(june, ("2016-06-01", "2016-06-05", "2016-06-10")):
        row.update(event_date=day, time_precision="1")
    july = [dict(r, event_id_cnty=f"IRQ9{i}") for i, r in enumerate(_attacks(2, 26, start=dt.date(2016, 7, 20),
                                                                             end=dt.date(2016, 7, 25)))]
    acled_file(ws / "a.csv", june + july)
    assert run(sitrep_cli, ws, "import", "acled", ws / "a.csv").exit_code == 0
    acled_file(ws / "b.csv", [june[0], june[2]])  # ACLED's 1-10 June, the event of the 5th deleted
    result = run(sitrep_cli, ws, "import", "acled", ws / "b.csv", "--drop-missing")
    assert result.exit_code == 0 and _count(result.stdout, "kept") == 2
    assert {record for record, _, _ in events(ws)} == {june[0]["event_id_cnty"], june[2]["event_id_cnty"],
                                                        "IRQ90", "IRQ91"}
    protests = [dict(r, sub_event_type="Peaceful protest", event_type="Protests") for r in june]
    acled_file(ws / "p.csv", protests)
    refused = run(sitrep_cli, ws, "import", "acled", ws / "p.csv", "--drop-missing")
    assert refused.exit_code == 1 and "cannot tell what the dataset deleted" in refused.stderr


def test_fatalities_are_civilians_killed_only_where_acled_marks_civilian_targeting(ws, sitrep_cli):
    rows = _attacks(2, 27)
    rows[0].update(fatalities="4")
    rows[1].update(fatalities="6", sub_event_type="Armed clash", event_type="Battles", civilian_targeting="")
    acled_file(ws / "a.csv", rows)
    assert run(sitrep_cli, ws, "import", "acled", ws / "a.csv").exit_code == 0
    killed = {row[0]: row[4] for row in event_rows(ws)}
    assert killed == {rows[0]["event_id_cnty"]: 4, rows[1]["event_id_cnty"]: None}
    exported = {r["event_id_cnty"]: r for r in csv.DictReader(
        run(sitrep_cli, ws, "export", "acled", "--all").stdout.splitlines())}
    assert exported[rows[1]["event_id_cnty"]]["fatalities"] == "6"  # ACLED's count, all parties, given back


def test_names_match_places_of_the_right_kind(ws, sitrep_cli):
    rows = _attacks(1, 28)
    rows[0].update(location="Village Z", admin1="Baghdad", latitude="33.2000", longitude="44.1000")
    acled_file(ws / "a.csv", rows)
    assert run(sitrep_cli, ws, "import", "acled", ws / "a.csv").exit_code == 0
    write_dtm(ws / "dtm.csv", 1)
    assert run(sitrep_cli, ws, "import", "dtm", ws / "dtm.csv").exit_code == 0
    from sitrep.pipeline import Workspace

    store = Workspace.load(ws / "config.yaml").store
    village = next(p for p in store.places.values() if p.name == "Village Z")
    assert store.places[village.parent].kind == "governorate"  # not the city of Baghdad
    ramadi = store.figures["dtm-iqg01q06-20160531"]
    assert store.places[ramadi.place].kind == "district" and ramadi.place != "ramadi"


def test_the_import_mends_what_the_store_no_longer_has(ws, sitrep_cli):
    (ws / "facts/village.yaml").write_text("places:\n  - id: village-x\n    name: Village X\n    kind: village\n"
                                           "    lat: 33.1\n    lon: 42.1\n", encoding="utf-8")
    rows = _attacks(2, 29)
    for row in rows:
        row.update(location="Village X", latitude="33.1000", longitude="42.1000")
    acled_file(ws / "a.csv", rows)
    assert run(sitrep_cli, ws, "import", "acled", ws / "a.csv").exit_code == 0
    (ws / "facts/village.yaml").unlink()
    assert run(sitrep_cli, ws, "check").exit_code == 1
    mended = run(sitrep_cli, ws, "import", "acled", ws / "a.csv")
    assert mended.exit_code == 0 and _count(mended.stdout, "updated") == 2  # matched anew: a proposed place
    assert run(sitrep_cli, ws, "check").exit_code == 0


def test_a_damaged_bulk_store_is_made_again_with_replace(ws, sitrep_cli):
    acled_file(ws / "a.csv", _attacks(3, 30))
    assert run(sitrep_cli, ws, "import", "acled", ws / "a.csv").exit_code == 0
    manifest = json.loads((ws / "bulk/manifest.json").read_text())
    table = ws / "bulk" / manifest["tables"] / "events.parquet"
    table.write_bytes(table.read_bytes()[:100])  # truncated
    built = run(sitrep_cli, ws, "build", "--week", WEEK, "--language", "en", "--format", "html")
    assert built.exit_code == 1 and "cannot be read" in built.stderr and "--replace" in built.stderr
    assert run(sitrep_cli, ws, "import", "acled", ws / "a.csv", "--replace").exit_code == 0
    assert run(sitrep_cli, ws, "check").exit_code == 0 and len(events(ws)) == 3


def test_a_curated_source_with_acleds_name_and_a_curated_acled_id(ws, sitrep_cli):
    (ws / "facts/acled.yaml").write_text("sources:\n  - id: acled-data\n"
                                         "    name: ACLED (Armed Conflict Location & Event Data)\n"
                                         "    kind: ngo\n    reliability: B\n", encoding="utf-8")
    rows = _attacks(2, 31)
    acled_file(ws / "a.csv", rows)
    assert run(sitrep_cli, ws, "import", "acled", ws / "a.csv").exit_code == 0
    assert run(sitrep_cli, ws, "check").exit_code == 0  # the events are relayed by the store's own ACLED source
    clash = rows[0]["event_id_cnty"].lower()
    (ws / "facts/mine.yaml").write_text(
        f"incidents:\n  - id: acled-{clash}\n    type: attack_on_civilians\n    date: 2016-06-28\n"
        "    place: fallujah\n    status: alleged\n    summary: Written by hand.\n    cited: [{source: acled-data}]\n",
        encoding="utf-8")
    result = run(sitrep_cli, ws, "import", "acled", ws / "a.csv", "--replace")
    assert result.exit_code == 1 and f"the id 'acled-{clash}' is a curated entry's" in result.stderr


def test_a_dry_run_leaves_no_bulk_folder(ws, sitrep_cli):
    acled_file(ws / "a.csv", _attacks(2, 32))
    assert run(sitrep_cli, ws, "import", "acled", ws / "a.csv", "--dry-run").exit_code == 0
    assert not (ws / "bulk").exists()


def test_trace_says_where_an_imported_entry_came_from(ws, sitrep_cli):
    rows = _attacks(1, 33)
    acled_file(ws / "a.csv", rows)
    assert run(sitrep_cli, ws, "import", "acled", ws / "a.csv").exit_code == 0
    result = run(sitrep_cli, ws, "trace", f"acled-{rows[0]['event_id_cnty'].lower()}")
    assert result.exit_code == 1 and f"ACLED record {rows[0]['event_id_cnty']}, from a.csv" in result.stderr
    proposed = run(sitrep_cli, ws, "trace", "acled")
    assert proposed.exit_code == 1 and "proposed by `sitrep import`" in proposed.stderr


def test_the_summary_counts_in_the_singular_and_a_dry_run_proposes_nothing_it_writes(ws, sitrep_cli):
    rows = list(acled_rows(200, seed=5, **IN_WEEK))
    kept = next(r for r in rows if r["sub_event_type"] in _mapped() and r["location"].startswith("Village"))
    kept = dict(kept, actor1="Unidentified Armed Group (Iraq)", inter1="Rebel group")  # an actor the store lacks
    protest = next(r for r in rows if r["sub_event_type"] == "Peaceful protest")
    acled_file(ws / "two.csv", [kept, protest])
    dry = run(sitrep_cli, ws, "import", "acled", ws / "two.csv", "--dry-run")
    assert dry.exit_code == 0, dry.output
    lines = [" ".join(line.split()) for line in dry.stdout.splitlines()]
    assert "added 1 event" in lines
    assert "left out 1 row of a type sitrep does not document: Peaceful protest 1" in lines
    proposed = next(line for line in lines if "propose" in line)
    assert proposed.startswith("would propose ") and proposed.endswith(" (dry run: nothing written)")
    assert ", 1 actor, " in proposed  # one of each kind is named in the singular too
    assert "proposed.yaml" not in dry.stdout and not (ws / "bulk").exists()
    done = run(sitrep_cli, ws, "import", "acled", ws / "two.csv")
    assert done.exit_code == 0, done.output
    proposed = next(" ".join(line.split()) for line in done.stdout.splitlines() if "propose" in line)
    assert proposed.startswith("proposed ") and "bulk/proposed.yaml: copy them into the store" in proposed
    assert (ws / "bulk/proposed.yaml").is_file()
