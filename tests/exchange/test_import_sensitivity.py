"""Sensitivity only rises, for DTM's figures as for ACLED's events (docs/imports.md, "Imported data"): a
figure imported restricted stays restricted when a later file, imported without --restricted,
brings it again (the same count or a new one), and a restricted import makes the figures it
holds restricted. A public edition then never shows them; the internal edition does."""

from __future__ import annotations

import datetime as dt
import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from support import acled_attacks, acled_file, copy_example, event_rows, generated_imports, import_count
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


# --- What a file was imported as is recorded with it, and outlives --replace (issue 22) -----------

WEEK = "2016-W26"  # the example's latest report
IN_WEEK = dict(start=dt.date(2016, 6, 27), end=dt.date(2016, 7, 3))
SECRET = "Informant Abu Karim"  # the restricted file's outlet, and a word of each of its notes


def restricted_and_public_files(ws: Path) -> tuple[Path, Path, set[str]]:
    """pub.csv (20 events of the example's last week) and r.csv (6 others, told by an informant);
    and the ids of r.csv's events."""
    public_rows = acled_attacks(20, 41, **IN_WEEK)
    secret_rows = [dict(row, event_id_cnty=f"IRQ9{n:05d}", source=SECRET, notes=f"{SECRET} saw event {n}.")
                   for n, row in enumerate(acled_attacks(6, 42, **IN_WEEK))]
    return (acled_file(ws / "pub.csv", public_rows), acled_file(ws / "r.csv", secret_rows),
            {row["event_id_cnty"] for row in secret_rows})


def imported(sitrep_cli, *args) -> str:
    result = sitrep_cli("import", "acled", *map(str, args))
    assert result.exit_code == 0, result.output
    return result.stdout


def public_outputs(ws: Path, sitrep_cli) -> dict[str, str]:
    """Everything a public edition publishes of the week, as text: HTML, the PDF's text, every export."""
    built = sitrep_cli("build", "--week", WEEK, "--language", "en", "--edition", "public")
    assert built.exit_code == 0, built.output
    html = ws / f"output/{WEEK}/fallujah-sitrep-{WEEK}.html"
    pdf = PdfReader(ws / f"output/{WEEK}/fallujah-sitrep-{WEEK}.pdf")
    texts = {"html": html.read_text(encoding="utf-8"), "pdf": " ".join(page.extract_text() for page in pdf.pages)}
    for format in ("hxl", "acled", "json"):
        for scope in (("--week", WEEK), ("--all",)):
            folder = ws / "exports" / f"{format}{len(scope)}"
            exported = sitrep_cli("export", format, *scope, "--edition", "public", "-o",
                                  folder if format == "hxl" else folder.with_suffix(".txt"))
            assert exported.exit_code == 0, exported.output
            written = sorted(folder.glob("*.csv")) if format == "hxl" else [folder.with_suffix(".txt")]
            assert written, exported.output
            texts[f"{format} {' '.join(scope)}"] = "\n".join(path.read_text(encoding="utf-8") for path in written)
    return texts


def assert_nothing_restricted(texts: dict[str, str], records: set[str]) -> None:
    for name, text in texts.items():
        flat = " ".join(text.split())
        assert SECRET not in flat, f"{SECRET!r} in the public {name}"
        leaked = sorted(r for r in records if r in flat or r.lower() in flat)
        assert not leaked, f"restricted events {leaked} in the public {name}"


def test_the_manuals_recovery_procedure_publishes_nothing_restricted(ws, sitrep_cli):
    pub, secret, records = restricted_and_public_files(ws)
    imported(sitrep_cli, pub)
    imported(sitrep_cli, secret, "--restricted")
    before = public_outputs(ws, sitrep_cli)
    assert "IRQ" in before["acled --week 2016-W26"]  # the public events are there: the test can see a leak
    assert_nothing_restricted(before, records)

    # docs/commands.md: "--replace ... the way to make a damaged one again, then import the other
    # files bulk/manifest.json lists".
    manifest = json.loads((ws / "bulk/manifest.json").read_text())
    table = ws / "bulk" / manifest["tables"] / "events.parquet"
    table.write_bytes(table.read_bytes()[:100])  # damaged
    imported(sitrep_cli, pub, "--replace")
    again = imported(sitrep_cli, secret)  # as the manifest listed it, without --restricted
    assert_nothing_restricted(public_outputs(ws, sitrep_cli), records)
    assert {sensitivity for record, sensitivity in event_rows(ws, "record, sensitivity")
            if record in records} == {"restricted"}
    assert "Restricted: this file was imported --restricted before" in again
    # The files to import again are still listed after --replace, each with what it was imported as.
    manifest = json.loads((ws / "bulk/manifest.json").read_text())
    assert [(i["file"], i["sensitivity"]) for i in manifest["replaced_imports"] + manifest["imports"]] == [
        ("pub.csv", "public"), ("r.csv", "restricted"), ("pub.csv", "public"), ("r.csv", "restricted")]


def test_a_file_restricted_once_stays_restricted_by_name_or_content(ws, sitrep_cli):
    _, secret, records = restricted_and_public_files(ws)
    imported(sitrep_cli, secret, "--restricted")
    renamed = ws / "renamed.csv"
    renamed.write_bytes(secret.read_bytes())
    imported(sitrep_cli, renamed, "--replace")  # the same content under another name
    assert {s for (s,) in event_rows(ws, "sensitivity")} == {"restricted"}
    newer = secret.read_text().replace(",1600000000", ",1600000500")  # ACLED's next release: the same name
    secret.write_text(newer)
    imported(sitrep_cli, secret, "--replace")
    assert {s for (s,) in event_rows(ws, "sensitivity")} == {"restricted"}
    manifest = json.loads((ws / "bulk/manifest.json").read_text())
    assert [i["sensitivity"] for i in manifest["replaced_imports"] + manifest["imports"]] == ["restricted"] * 3


def test_only_public_lowers_a_restriction_and_is_recorded(ws, sitrep_cli):
    _, secret, records = restricted_and_public_files(ws)
    imported(sitrep_cli, secret, "--restricted")
    lowered = imported(sitrep_cli, secret, "--public")
    assert import_count(lowered, "updated") == len(records)
    assert {s for (s,) in event_rows(ws, "sensitivity")} == {"public"}
    again = imported(sitrep_cli, secret)  # its last word was --public
    assert "Restricted:" not in again and import_count(again, "unchanged") == len(records)
    both = sitrep_cli("import", "acled", str(secret), "--restricted", "--public")
    assert both.exit_code == 2 and "--restricted and --public do not go together" in both.stderr


def test_a_manifest_from_before_sensitivity_was_recorded_asks_which(ws, sitrep_cli):
    pub, secret, _ = restricted_and_public_files(ws)
    imported(sitrep_cli, secret, "--restricted")
    imported(sitrep_cli, pub)
    path = ws / "bulk/manifest.json"
    manifest = json.loads(path.read_text())
    for record in manifest["imports"]:
        del record["sensitivity"]  # as sitrep wrote it before issue 22
    path.write_text(json.dumps(manifest))
    assert sitrep_cli("check").exit_code == 0  # the store still reads
    refused = sitrep_cli("import", "acled", str(secret))
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert ("r.csv: error: bulk/manifest.json does not say whether this file (r.csv, imported "
            in refused.stderr and "(expected --restricted or --public, to say which its rows are)" in refused.stderr)
    imported(sitrep_cli, secret, "--restricted")
    assert "Restricted: this file was imported --restricted before" in imported(sitrep_cli, secret)
    new = acled_file(ws / "new.csv", acled_attacks(2, 43, **IN_WEEK))
    assert "Restricted:" not in imported(sitrep_cli, new)  # a file never imported: public, as always


def test_a_damaged_manifest_replaced_says_what_is_not_known(ws, sitrep_cli):
    pub, secret, _ = restricted_and_public_files(ws)
    imported(sitrep_cli, secret, "--restricted")
    (ws / "bulk/manifest.json").write_text("{not json", encoding="utf-8")
    replaced = imported(sitrep_cli, pub, "--replace")
    assert "could not be read" in replaced and "import each of them again with --restricted" in replaced


def import_with_umask(ws: Path, umask: int, *args) -> None:
    done = subprocess.run([sys.executable, "-m", "sitrep", "import", "acled", *map(str, args)], cwd=ws,
                          capture_output=True, text=True, timeout=300, umask=umask)
    assert done.returncode == 0, done.stderr


def modes(folder: Path) -> dict[str, str]:
    return {path.relative_to(folder.parent).as_posix(): oct(stat.S_IMODE(path.lstat().st_mode))
            for path in [folder, *sorted(folder.rglob("*"))]}


@pytest.mark.parametrize("umask", [0o000, 0o022])
def test_bulk_holding_restricted_rows_is_the_owners_only_whatever_the_umask(ws, umask):
    pub, secret, _ = restricted_and_public_files(ws)
    import_with_umask(ws, umask, pub)
    assert set(modes(ws / "bulk").values()) <= {oct(0o666 & ~umask), oct(0o777 & ~umask)}  # public: as the umask allows
    import_with_umask(ws, umask, secret, "--restricted")
    private = {path: mode for path, mode in modes(ws / "bulk").items()
               if mode != (oct(0o700) if (ws / path).is_dir() else oct(0o600))}
    assert private == {}, private
    import_with_umask(ws, umask, pub)  # a later public import of a bulk/ that holds restricted rows
    assert {mode for path, mode in modes(ws / "bulk").items()} <= {oct(0o700), oct(0o600)}
