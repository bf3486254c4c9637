"""Warnings: legal entries that deserve a second look. `check` prints them and exits 0;
`check --strict` exits 1."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from support import write
from sitrep.source.store import load_store


BASE = """sources:
  - {id: good, name: Good, kind: media, reliability: B}
  - {id: weak, name: Weak, kind: armed_group, reliability: E}
places:
  - {id: town, name: Town, kind: town, lat: 33.0, lon: 44.0}
"""

FIGURE = ("  - {{id: {id}, metric: civilians_trapped, place: town, as_of: {date}, value: {value}, unit: people,"
          " cited: [{{source: {source}}}]}}\n")


def warnings_for(tmp_path: Path, extra: str, today=dt.date(2026, 1, 1)) -> list[str]:
    write(tmp_path / "store.yaml", BASE + extra)
    store = load_store(tmp_path, today=today)
    return [str(w) for w in store.warnings]


def test_clean_store_has_no_warnings(tmp_path):
    found = warnings_for(tmp_path, "figures:\n" + FIGURE.format(id="f", date="2016-06", value=10, source="good")
                         + FIGURE.format(id="g", date="2016-06", value=10, source="weak").replace("[{source: weak}]", "[{source: weak}, {source: good}]"))
    assert found == []


def test_figure_that_jumps_more_than_threefold(tmp_path):
    found = warnings_for(tmp_path, "figures:\n" + FIGURE.format(id="a", date="2016-06-01", value=3000, source="good")
                                   + FIGURE.format(id="b", date="2016-06-08", value=30000, source="good"))
    jumps = [w for w in found if "fold" in w]
    assert len(jumps) == 1 and "store.yaml:8:" in jumps[0] and "[b]" in jumps[0] and "3000 (a) to 30000" in jumps[0]


def test_a_citation_dated_before_what_it_reports_began(tmp_path):
    """A source cannot report what had not happened: one of the two dates is a typo, and the fact
    would enter a report whose week ends before its own date. A citation within its span passes."""
    early = FIGURE.replace("cited: [{{source: {source}}}]", "cited: [{{source: {source}, date: {cited}}}]")
    found = warnings_for(tmp_path, "figures:\n"
                         + early.format(id="a", date="2016-06-20", value=10, source="good", cited="2016-06-10")
                         + early.format(id="b", date="2016-06", value=10, source="good", cited="2016-06-10")
                         + "routes:\n  - {id: r, origin: town, destination: town, updates: [{as_of: 2016-W25, "
                           "status: open, cited: [{source: good, date: 2016-06-01}]}]}\n")
    before = [w for w in found if "before the date it reports begins" in w]
    assert len(before) == 2, found
    assert "store.yaml:7:" in before[0] and "[a] citation date 2016-06-10" in before[0] and "(2016-06-20)" in before[0]
    assert "[r] citation date 2016-06-01" in before[1] and "(2016-W25)" in before[1]


def test_place_without_coordinates(tmp_path):
    found = warnings_for(tmp_path, "  - {id: camp, name: Camp, kind: camp}\nfigures:\n"
                         + FIGURE.format(id="f", date="2016-06", value=10, source="good"))
    assert any("place 'camp' has no coordinates" in w and "store.yaml:6:" in w for w in found)


def test_source_cited_nowhere(tmp_path):
    found = warnings_for(tmp_path, "")
    assert sorted(w.split(": warning: ")[1].split(" is")[0] for w in found) == ["[good] source 'good'", "[weak] source 'weak'"]


def test_single_low_reliability_source(tmp_path):
    found = warnings_for(tmp_path, "figures:\n" + FIGURE.format(id="f", date="2016-06", value=10, source="weak"))
    assert any("single source of low reliability (weak, grade E)" in w for w in found)


@pytest.mark.parametrize("text", ["TODO: fill in", "Fighting continued in [...] district", "tbd", "XXX"])
def test_narrative_placeholder(tmp_path, text):
    found = warnings_for(tmp_path, "figures:\n" + FIGURE.format(id="f", date="2016-06", value=10, source="good")
                         + f"narrative:\n  - {{id: n, week: 2016-W23, section: overview, text: '{text}'}}\n")
    assert any("placeholder" in w for w in found)


def test_check_prints_warnings_and_strict_fails(workspace, sitrep_cli):
    write(workspace / "facts" / "extra.yaml", "places:\n  - {id: nowhere-known, name: Somewhere, kind: area}\n")
    relaxed = sitrep_cli("check", "--config", workspace / "config.yaml")
    assert relaxed.exit_code == 0
    assert "facts/extra.yaml:2: warning: [nowhere-known] place 'nowhere-known' has no coordinates" in relaxed.stderr
    strict = sitrep_cli("check", "--strict", "--config", workspace / "config.yaml")
    assert strict.exit_code == 1 and "--strict" in strict.stderr
