"""What a narrative's [[id]] prints, and what the report refuses to print whatever `sitrep check`
said (defence in depth: a public report that printed a restricted figure is published for good).

The store below is one that `sitrep check` refuses: public narrative refers to restricted
entries and to a figure that a public edition knows only later (its earlier report is a withheld
source's). The tests then skip the check, as a bug, another program loading the store, or a
stale cache could, and call the build as a user and as the library do: a public edition must
refuse, name every reference at its file and line, and write nothing; the internal edition
prints them all (so the values are known to reach a report when nothing stops them).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from support import assert_nothing_written, assert_refused, line_of, series_workspace, write
from sitrep.errors import StoreError
from sitrep.pipeline import Workspace
from sitrep.report.builder import build_context
from sitrep.source.config import load_config
from sitrep.source.store import load_store

WEEK = "2025-W12"
PLANTED_FILE = "facts/zz-withheld.yaml"
PLANTED = """\
sources:
  - {id: contact, name: Abu Karim the baker, public_name: A local contact, kind: witness, reliability: C, sensitivity: restricted}
figures:
  - {id: secret-count, metric: civilians_killed, place: town, as_of: 2025-03-18, value: 7654321, unit: people, sensitivity: restricted, cited: [{source: agency}]}
  - {id: early-count, metric: people_displaced, place: camp, as_of: 2025-03, value: 4321, unit: people, cited: [{source: contact, date: 2025-03-17}]}
incidents:
  - {id: secret-raid, type: attack_on_civilians, date: 2025-03-17, place: town, status: alleged, summary: A raid on the bakery., sensitivity: restricted, cited: [{source: paper, url: "https://secret.example/raid"}]}
routes:
  - id: secret-path
    name: Orchard path
    origin: town
    destination: camp
    sensitivity: restricted
    updates:
      - {as_of: 2025-03-18, status: open, cited: [{source: paper, url: "https://secret.example/path"}]}
narrative:
  - id: overview-w12
    week: 2025-W12
    section: overview
    text: By one count [[secret-count]] were killed in the town.
  - id: highlights-w12
    week: 2025-W12
    section: highlights
    items:
      - Gunmen raided the market [[secret-raid]].
      - Families left by a path through the orchards [[secret-path]].
  - id: outlook-w12
    week: 2025-W12
    section: outlook
    text: Aid agencies expect [[early-count]] to need shelter.
"""
# What each restricted entry would print, and what the early figure would.
RESTRICTED_MARKERS = ("7,654,321", "7654321", "secret.example", "Orchard path", "bakery")
EARLY_VALUE = "4,321"


def refusals(text: str) -> dict[str, tuple[int, str]]:
    """[[id]] -> (line, message) the public edition must refuse, as `text` (the planted file) holds them."""
    return {
        "secret-count": (line_of(text, "[[secret-count]]"), "public narrative refers to the restricted figure 'secret-count'"),
        "secret-raid": (line_of(text, "[[secret-raid]]"), "public narrative refers to the restricted incident 'secret-raid'"),
        "secret-path": (line_of(text, "[[secret-path]]"), "public narrative refers to the restricted route 'secret-path'"),
        "early-count": (line_of(text, "[[early-count]]"),
                        "the narrative of week 2025-W12 refers to 'early-count', which the public edition knows only "
                        "from 31 March 2025"),
    }


@pytest.fixture
def planted(tmp_path: Path, monkeypatch) -> Path:
    """The Rivertown series with the planted file, as the current folder."""
    workspace = series_workspace(tmp_path)
    write(workspace / PLANTED_FILE, PLANTED)
    monkeypatch.chdir(workspace)
    return workspace


@pytest.fixture
def unchecked(planted: Path, monkeypatch) -> Path:
    """The planted workspace, loaded without the store's cross-checks (the rules `sitrep check`
    applies to references): only the report's own guard stands between the store and a report."""
    monkeypatch.setattr("sitrep.source.store.cross_check", lambda store, log: None)
    return planted


def test_check_refuses_the_planted_store(planted, sitrep_cli):
    result = sitrep_cli("check")
    assert_refused(result, PLANTED_FILE, line_of(PLANTED, "[[secret-count]]"), "[overview-w12]",
                   "public narrative refers to the restricted figure 'secret-count'")


@pytest.mark.parametrize("output_format", ["html", "pdf"])
def test_a_public_build_refuses_every_reference_it_must_not_print_and_writes_nothing(unchecked, sitrep_cli,
                                                                                      output_format):
    result = sitrep_cli("build", "--week", WEEK, "--format", output_format)
    for target, (line, message) in refusals(PLANTED).items():
        refused = assert_refused(result, PLANTED_FILE, line, f"[[{target}]]: {message}")
        assert "(expected" in refused
    assert_nothing_written(unchecked)
    for marker in (*RESTRICTED_MARKERS, EARLY_VALUE, "Abu Karim"):
        assert marker not in result.output


def test_the_whole_series_is_refused_too(unchecked, sitrep_cli):
    result = sitrep_cli("build", "--all", "--format", "html", "--jobs", "1")
    assert_refused(result, PLANTED_FILE, line_of(PLANTED, "[[secret-count]]"), "restricted figure 'secret-count'")
    assert_nothing_written(unchecked)


def test_the_internal_edition_prints_what_the_narrative_refers_to(unchecked, sitrep_cli):
    result = sitrep_cli("build", "--week", WEEK, "--format", "html", "--edition", "internal")
    assert result.exit_code == 0, result.output
    html = next((unchecked / "output").rglob("sitrep-*-internal.html")).read_text(encoding="utf-8")
    for marker in ("7,654,321 people", "https://secret.example/raid", "https://secret.example/path", "4,321 people"):
        assert marker in html


def test_the_internal_pdf_prints_the_restricted_figure_and_no_public_pdf_is_written(unchecked, sitrep_cli):
    refused = sitrep_cli("build", "--week", WEEK, "--format", "pdf")
    assert refused.exit_code == 1 and not list((unchecked / "output").rglob("*.pdf"))
    built = sitrep_cli("build", "--week", WEEK, "--format", "pdf", "--edition", "internal")
    assert built.exit_code == 0, built.output
    [pdf] = (unchecked / "output").rglob("*.pdf")
    assert "internal" in pdf.name
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    assert "7,654,321" in "".join(text.split())


def test_the_report_stage_refuses_whoever_calls_it(unchecked):
    """The library's entry points, below the command line: the context itself is refused."""
    config = load_config(unchecked / "config.yaml")
    store = load_store(config.store_dir, cache=False)
    with pytest.raises(StoreError) as refused:
        build_context(store, config, WEEK, "public")
    assert {p.message.split(":")[0] for p in refused.value.problems} == {f"[[{t}]]" for t in refusals(PLANTED)}
    assert all(p.entry_id in ("overview-w12", "highlights-w12", "outlook-w12") for p in refused.value.problems)
    workspace = Workspace.load(unchecked / "config.yaml")
    with pytest.raises(StoreError):  # what sitrep serve and sitrep build render through
        workspace.render_week(workspace.resolve(WEEK, "public"), "public")
    internal = build_context(store, config, WEEK, "internal")
    assert "7,654,321 people" in internal.overview[0].parts[0].text


def test_a_restricted_narrative_may_refer_to_restricted_entries(planted, sitrep_cli):
    """The rule is about what an edition prints: narrative marked restricted is the internal
    edition's only, and the public edition builds without it."""
    text = PLANTED.replace("    section: overview\n", "    section: overview\n    sensitivity: restricted\n")
    text = text.replace("    section: highlights\n", "    section: highlights\n    sensitivity: restricted\n")
    text = text.replace("    section: outlook\n", "    section: outlook\n    sensitivity: restricted\n")
    write(planted / PLANTED_FILE, text)
    public = sitrep_cli("build", "--week", WEEK, "--format", "html")
    assert public.exit_code == 0, public.output
    html = next((planted / "output").rglob("sitrep-*.html")).read_text(encoding="utf-8")
    for marker in RESTRICTED_MARKERS:
        assert marker not in html


AREA = """\
areas:
  - id: held-area
    name: Held quarter
    updates:
      - {as_of: 2025-03-18, outline: [[33.0, 44.0], [33.1, 44.0], [33.1, 44.1]], cited: [{source: paper, url: "https://paper.example/map"}]}
narrative:
  - id: overview-w12
    week: 2025-W12
    section: overview
    text: Fighters hold the western quarter [[held-area]].
"""


def test_a_reference_to_an_area_prints_its_citation(tmp_path):
    """`sitrep check` accepts [[id]] of an area; the report prints the citations of the area's
    updates that hold by the report's end, as for a route."""
    workspace = series_workspace(tmp_path)
    write(workspace / "facts/zz-area.yaml", AREA)
    loaded = Workspace.load(workspace / "config.yaml")
    context = loaded.context(loaded.resolve(WEEK, "public"), "public")
    [paragraph] = context.overview
    assert paragraph.parts[0].text == "Fighters hold the western quarter" and len(paragraph.parts[0].citations) == 1
    [number] = paragraph.parts[0].citations
    assert context.sources[number - 1].url == "https://paper.example/map"
