"""Sensitivity only rises, for DTM's figures as for ACLED's events (docs/imports.md, "Imported data"): a
figure imported restricted stays restricted when a later file, imported without --restricted,
brings it again (the same count or a new one), and a restricted import makes the figures it
holds restricted. A public edition then never shows them; the internal edition does."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import copy_example, generated_imports, import_count
from sitrep.pipeline import Workspace

ROUNDS = 2  # DTM rounds in each file: 4 districts each, so 8 figures


@pytest.fixture
def ws(tmp_path: Path, monkeypatch) -> Path:
    workspace = copy_example(tmp_path / "ws")
    monkeypatch.chdir(workspace)
    return workspace


def dtm_import(sitrep_cli, path: Path, *options: str) -> str:
    result = sitrep_cli("import", "dtm", path, *options)
    assert result.exit_code == 0, result.output
    return result.stdout


def imported_figures(ws: Path) -> dict[str, tuple[float, str]]:
    """id -> (count, sensitivity) of every figure DTM brought, as the store reads them back."""
    store = Workspace.load(ws / "config.yaml").store
    return {f.id: (f.value, f.sensitivity) for f in store.figures.values() if f.imported and f.imported.dataset == "dtm"}


def shown_by(ws: Path, edition: str) -> set[str]:
    """The DTM figures an edition's series holds: what its reports may print."""
    series = Workspace.load(ws / "config.yaml").series(edition)
    return {a.entry.id for a in series.arrivals if getattr(a.entry, "imported", None) and a.entry.imported.dataset == "dtm"}


def test_a_dtm_figure_restricted_once_stays_restricted_when_imported_again_without_restricted(ws, sitrep_cli):
    write_dtm = generated_imports().write_dtm
    write_dtm(ws / "round.csv", ROUNDS, seed=1)
    assert import_count(dtm_import(sitrep_cli, ws / "round.csv", "--restricted"), "added") == 4 * ROUNDS
    first = imported_figures(ws)
    assert {sensitivity for _, sensitivity in first.values()} == {"restricted"}

    # The same file again, without --restricted: nothing changes, the figures stay restricted.
    same = dtm_import(sitrep_cli, ws / "round.csv")
    assert import_count(same, "unchanged") == 4 * ROUNDS and import_count(same, "updated") == 0
    assert imported_figures(ws) == first

    # DTM's next release revises every count: updated, and still restricted.
    write_dtm(ws / "revised.csv", ROUNDS, seed=2)
    revised = dtm_import(sitrep_cli, ws / "revised.csv")
    assert import_count(revised, "updated") == 4 * ROUNDS
    after = imported_figures(ws)
    assert after.keys() == first.keys() and all(after[i][0] != first[i][0] for i in first)
    assert {sensitivity for _, sensitivity in after.values()} == {"restricted"}
    assert shown_by(ws, "public") == set() and shown_by(ws, "internal") == set(first)


def test_a_restricted_dtm_import_makes_the_public_figures_it_holds_restricted(ws, sitrep_cli):
    generated_imports().write_dtm(ws / "round.csv", ROUNDS, seed=1)
    dtm_import(sitrep_cli, ws / "round.csv")
    public = imported_figures(ws)
    assert {sensitivity for _, sensitivity in public.values()} == {"public"} and shown_by(ws, "public") == set(public)
    restricted = dtm_import(sitrep_cli, ws / "round.csv", "--restricted")
    assert import_count(restricted, "updated") == 4 * ROUNDS
    assert imported_figures(ws) == {i: (count, "restricted") for i, (count, _) in public.items()}
    assert shown_by(ws, "public") == set()
