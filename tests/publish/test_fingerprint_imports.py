"""An import changes the reports that show what it brought: after `sitrep import acled FILE`
the next build rebuilds them, never calls them up to date (a report's fingerprint holds the
bulk store's digest; publish/archive.py). Imported events are not store entries: nothing else
in the fingerprint changes when they arrive, or when a restricted import withdraws them from
the public edition."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import acled_attacks, acled_file, copy_example
from sitrep.pipeline import Workspace


@pytest.fixture
def ws(tmp_path: Path, monkeypatch) -> Path:
    workspace = copy_example(tmp_path / "ws")
    monkeypatch.chdir(workspace)
    return workspace


def build_all(sitrep_cli) -> dict[str, str]:
    """Week -> 'built' or 'up to date', as `sitrep build --all` reports each one."""
    result = sitrep_cli("build", "--all", "--format", "html", "--language", "en", "--jobs", "1")
    assert result.exit_code == 0, result.output
    states = {}
    for line in result.stdout.splitlines():
        if line.startswith("Report "):
            week = line.split()[3]
            states[week] = "up to date" if line.endswith("up to date, not rebuilt") else "built"
    assert states, result.stdout
    return states


def report_html(ws: Path, week: str) -> str:
    [html] = (ws / "output" / week).glob("*.html")
    return html.read_text(encoding="utf-8")


def test_an_import_rebuilds_the_report_whose_week_it_adds_events_to_and_a_restricted_one_too(ws, sitrep_cli):
    latest = Workspace.load(ws / "config.yaml").resolve(None, "public")
    week = str(latest)
    build_all(sitrep_cli)
    assert set(build_all(sitrep_cli).values()) == {"up to date"}  # nothing changed: nothing rebuilt

    rows = acled_attacks(5, seed=31, start=latest.start, end=latest.end)
    acled_file(ws / "acled.csv", rows)
    assert sitrep_cli("import", "acled", ws / "acled.csv").exit_code == 0
    assert build_all(sitrep_cli)[week] == "built"
    html = report_html(ws, week)
    for row in rows:
        assert f"ACLED event {row['event_id_cnty']}" in html

    # The same file, restricted: the events leave the public edition, so its report is rebuilt without them.
    assert sitrep_cli("import", "acled", ws / "acled.csv", "--restricted").exit_code == 0
    assert build_all(sitrep_cli)[week] == "built"
    html = report_html(ws, week)
    for row in rows:
        assert f"ACLED event {row['event_id_cnty']}" not in html
