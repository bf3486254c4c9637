"""`sitrep trace ID`: every number in the report leads back to its lines in the store."""

from __future__ import annotations

import re

import pytest

from sitrep.build import check
from sitrep.commands.trace import trace


@pytest.fixture(autouse=True)
def in_workspace(workspace, monkeypatch):
    """Run from the workspace, as a user does: paths are then shown as facts/..."""
    monkeypatch.chdir(workspace)


def lines_of(workspace, name: str) -> list[str]:
    return (workspace / "facts" / name).read_text(encoding="utf-8").splitlines()


def test_every_fact_in_the_html_can_be_traced(workspace, sitrep_cli):
    done = sitrep_cli("build", "--format", "html", "--config", workspace / "config.yaml")
    assert done.exit_code == 0, done.stderr
    html = next((workspace / "output" / "2016-W26").glob("*.html")).read_text()
    ids = {i for attr in re.findall(r'data-fact="([^"]+)"', html) for i in attr.split()}
    assert len(ids) >= 15
    store = check(workspace / "config.yaml").store
    for entry_id in ids:
        result = trace(store, entry_id)
        if result.kind == "place":  # a place on the map: found, at its file and line; it cites nothing itself
            assert result.at.file == "facts/places.yaml" and result.at.line > 0, entry_id
            continue
        assert result.citations, entry_id
        assert "2016-W26" in result.public_weeks


def test_trace_prints_each_line_where_it_is_written(workspace, sitrep_cli):
    done = sitrep_cli("trace", "fallujah-trapped-2016-06", "--config", workspace / "config.yaml")
    assert done.exit_code == 0, done.stderr
    out = done.stdout
    assert out.splitlines()[0] == "fallujah-trapped-2016-06: figure, facts/2016-06-fallujah.yaml:8"
    text = lines_of(workspace, "2016-06-fallujah.yaml")
    for number, wanted in ((12, "low: 30000"), (13, "high: 40000"), (21, "- {source: news-roundup-2016-06")):
        assert wanted in text[number - 1]
        assert re.search(rf"^\s+{number}\s+{re.escape(wanted)}", out, re.M), wanted
    sources = lines_of(workspace, "sources.yaml")
    assert "id: news-roundup-2016-06" in sources[28 - 1]
    assert "cited at facts/2016-06-fallujah.yaml:21; source defined at facts/sources.yaml:28" in out
    assert "reliability F (reliability cannot be judged), credibility 3 (possibly true)" in out
    assert "1 independent source, best grade F3" in out and "as a claim" in out
    assert "place: fallujah (Fallujah), defined at facts/places.yaml:" in out
    assert "In the public series: 2016-W26" in out
    assert ("It enters report No. 2 (2016-W26, 27 June – 3 July 2016) as news: known on 30 June 2016, "
            "a citation reported it in June 2016 (news-roundup-2016-06).") in out


def test_trace_of_a_route_shows_its_updates_and_outlets(workspace, sitrep_cli):
    out = sitrep_cli("trace", "fallujah-south-to-amiriyat", "--config", workspace / "config.yaml").stdout
    assert re.search(r"^\s+\d+\s+- as_of: 2016-06$", out, re.M)
    assert "via fox-news (Fox News), defined at facts/sources.yaml:" in out
    assert "2 independent sources, best grade C3" in out and "as fact" in out


def test_trace_of_a_source_lists_what_cites_it(workspace, sitrep_cli):
    out = sitrep_cli("trace", "nbc-news", "--config", workspace / "config.yaml").stdout
    assert "nbc-news: source, facts/sources.yaml:" in out
    assert re.search(r"fallujah-fleeing-killed-2016-06 \(cited\.0\.via\) at facts/2016-06-fallujah\.yaml:\d+", out)


def test_restricted_entries_say_so(tmp_path, sitrep_cli):
    (tmp_path / "facts").mkdir()
    (tmp_path / "config.yaml").write_text("title: T\ncrisis: C\norganisation: {name: O}\n")
    (tmp_path / "facts" / "a.yaml").write_text(
        "sources:\n  - {id: s, name: Witness Name, kind: witness, reliability: C, sensitivity: restricted}\n"
        "places:\n  - {id: p, name: P, kind: town, lat: 1, lon: 1}\n"
        "incidents:\n  - {id: i, type: attack_on_civilians, date: 2025-03-20, place: p, status: alleged,"
        " summary: S, cited: [{source: s}], sensitivity: restricted}\n"
        "  - {id: j, type: attack_on_civilians, date: 2025-03-20, place: p, status: alleged,"
        " summary: S, cited: [{source: s}]}\n")
    out = sitrep_cli("trace", "i", "--config", tmp_path / "config.yaml").stdout
    assert "(restricted: internal editions only)" in out
    assert "In the public series: none\n  not in this edition's reports" in out
    assert "In the internal series: 2025-W12" in out
    assert "restricted source: public editions print its public name only" in out


def test_an_unknown_id_suggests_the_nearest(workspace, sitrep_cli):
    done = sitrep_cli("trace", "fallujah-traped-2016-06", "--config", workspace / "config.yaml")
    assert done.exit_code == 1
    assert "no entry with id 'fallujah-traped-2016-06'" in done.stderr
    assert "did you mean 'fallujah-trapped-2016-06'?" in done.stderr
    assert "Traceback" not in done.output
