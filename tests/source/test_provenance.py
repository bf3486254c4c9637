"""Provenance the reader can see: independent sources, best Admiralty grade, incident status,
and 'reported by' wording for a single low-grade claim — from the grading rules up to the
text of the built PDF."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pypdf import PdfReader

from support import write
from sitrep.source.config import load_config
from sitrep.source.provenance import grade
from sitrep.render.templates import render_html
from sitrep.report.builder import build_context
from sitrep.source.schema import Citation, Source
from sitrep.source.store import load_store

SOURCES = {
    "agency": Source(id="agency", name="Agency", kind="un_agency", reliability="A"),
    "paper": Source(id="paper", name="Paper", kind="media", reliability="B"),
    "wire": Source(id="wire", name="Wire", kind="media", reliability="C"),
    "rumour": Source(id="rumour", name="Rumour mill", kind="media", reliability="E"),
    "unknown": Source(id="unknown", name="Unknown blog", kind="media", reliability="F"),
}


def cites(*pairs) -> list[Citation]:
    return [Citation(**pair) for pair in pairs]


# --- The grading rules --------------------------------------------------------------------------

def test_independence_is_counted_by_originator_not_by_outlet():
    # One official quoted by two outlets is one source; two officials are two.
    one = grade(cites({"source": "wire", "via": "paper"}, {"source": "wire", "via": "agency"}), SOURCES)
    two = grade(cites({"source": "wire"}, {"source": "paper"}), SOURCES)
    assert one.independent_sources == 1
    assert two.independent_sources == 2


def test_best_grade_takes_the_best_reliability_and_the_best_credibility():
    graded = grade(cites({"source": "wire", "credibility": 4}, {"source": "paper", "credibility": 2}), SOURCES)
    assert graded.code == "B2"
    assert graded.originators == ("paper", "wire")


def test_reliability_that_cannot_be_judged_ranks_below_unreliable():
    assert grade(cites({"source": "unknown"}, {"source": "rumour"}), SOURCES).reliability == "E"


def test_information_not_graded_leaves_the_letter_alone():
    assert grade(cites({"source": "paper"}), SOURCES).code == "B"
    assert grade(cites({"source": "paper", "credibility": 6}), SOURCES).code == "B6"


@pytest.mark.parametrize("citations, weak", [
    ([{"source": "paper", "credibility": 2}], False),  # one sound source: stated
    ([{"source": "wire"}], False),  # C is still fair
    ([{"source": "rumour"}], True),  # one unreliable source: attributed
    ([{"source": "unknown", "credibility": 3}], True),  # reliability cannot be judged
    ([{"source": "paper", "credibility": 4}], True),  # a good source, but doubtful information
    ([{"source": "rumour"}, {"source": "unknown"}], False),  # two independent sources
    ([{"source": "rumour", "via": "paper"}, {"source": "rumour", "via": "agency"}], True),  # relays add nothing
])
def test_a_single_low_grade_claim_is_weak(citations, weak):
    assert grade(cites(*citations), SOURCES).weak is weak


def test_explanation_spells_out_the_grade():
    assert grade(cites({"source": "paper", "credibility": 2}), SOURCES).explanation == \
        "Source usually reliable (B); information probably true (2)."


# --- In the report ----------------------------------------------------------------------------

STORE = """sources:
  - {id: agency, name: Relief Agency, kind: un_agency, reliability: A}
  - {id: paper, name: Daily Paper, kind: media, reliability: B}
  - {id: rumour, name: Rumour Channel, kind: media, reliability: E}
  - {id: insider, name: Nadia Example, kind: witness, reliability: D, sensitivity: restricted, public_name: A resident}
places:
  - {id: town, name: Rivertown, kind: town, lat: 33.0, lon: 44.0}
actors:
  - {id: militia, name: The Militia, kind: armed_group}
figures:
  - id: trapped-sound
    metric: civilians_trapped
    place: town
    as_of: 2025-03-20
    value: 12000
    unit: people
    cited: [{source: agency, credibility: 2}, {source: paper, credibility: 2}]
  - id: killed-weak
    metric: civilians_killed
    place: town
    as_of: 2025-03-20
    value: 40
    unit: people
    cited: [{source: rumour, credibility: 3}]
incidents:
  - id: shelling-weak
    date: 2025-03-19
    place: town
    type: attack_on_civilians
    perpetrator: militia
    status: alleged
    summary: Shells were said to have hit the market.
    cited: [{source: insider, credibility: 3}]
  - id: siege-sound
    date: 2025-03-18
    place: town
    type: movement_restriction
    perpetrator: militia
    status: corroborated
    summary: The road into town was blocked.
    cited: [{source: agency, credibility: 1}, {source: paper, credibility: 2}]
"""

CONFIG = """title: Rivertown report
crisis: Rivertown siege
organisation: {name: Desk}
key_metrics: [civilians_trapped, civilians_killed]
"""


@pytest.fixture
def small_workspace(tmp_path: Path) -> Path:
    write(tmp_path / "config.yaml", CONFIG)
    write(tmp_path / "facts" / "store.yaml", STORE)
    return tmp_path


def context_of(workspace: Path, edition: str = "public"):
    config = load_config(workspace / "config.yaml")
    store = load_store(config.store_dir, today=dt.date(2025, 12, 31))
    return build_context(store, config, "2025-W12", edition)


def test_key_figures_carry_their_sourcing(small_workspace):
    figures = {f.metric: f for f in context_of(small_workspace).key_figures}
    trapped, killed = figures["civilians_trapped"], figures["civilians_killed"]
    assert (trapped.sourcing.sources, trapped.sourcing.grade, trapped.sourcing.weak) == (2, "A2", False)
    assert (killed.sourcing.sources, killed.sourcing.grade, killed.sourcing.weak) == (1, "E3", True)
    assert killed.sourcing.attribution == "Reported by Rumour Channel — one source, grade E3"
    assert trapped.sourcing.attribution == ""


def test_a_weak_claim_is_attributed_to_the_public_name_of_a_restricted_source(small_workspace):
    public = context_of(small_workspace, "public")
    incident = next(i for g in public.abuses for i in g.incidents if i.id == "shelling-weak")
    assert incident.sourcing.attribution == "Reported by A resident — one source, grade D3"
    internal = context_of(small_workspace, "internal")
    incident = next(i for g in internal.abuses for i in g.incidents if i.id == "shelling-weak")
    assert "Nadia Example" in incident.sourcing.attribution


def test_automatic_highlights_attribute_weak_claims_and_state_sound_ones(small_workspace):
    texts = [h.text for h in context_of(small_workspace).highlights]
    assert any(t.startswith("Civilians trapped in Rivertown: 12,000") for t in texts)
    assert any(t.startswith("Reported by Rumour Channel — one source, grade E3: Civilians killed") for t in texts)


def test_html_shows_grade_status_and_attribution_next_to_each_fact(small_workspace):
    html = render_html(context_of(small_workspace))
    assert "2 sources · best A1" in html  # the siege: two independent sources, best grade A1
    assert "Corroborated" in html and "Alleged" in html
    shelling_row = html[html.index('data-fact="shelling-weak"'):]
    shelling_row = shelling_row[:shelling_row.index("</tr>")]
    # A row names no source (its citation does, once, in the sources list): it is marked.
    assert "Unconfirmed, one source, D3:" in shelling_row and "A resident" not in shelling_row
    assert "1 source · D3" in shelling_row
    assert "Nadia" not in html
    siege_row = html[html.index('data-fact="siege-sound"'):]
    assert "Unconfirmed" not in siege_row[:siege_row.index("</tr>")]


def test_the_example_pdf_reads_weak_claims_as_reported(example_built):
    workspace, _ = example_built
    pdf = workspace / "output" / "2016-W26" / "fallujah-sitrep-2016-W26.pdf"  # the English edition
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(pdf).pages).split())
    # The trapped figure rests on one source whose reliability cannot be judged (F).
    assert "Reported by Online news round-up on Fallujah (outlet not identified) — one source, grade F3" in text
    assert "(single source" not in text  # no nested brackets after a name that has its own
    assert "Unconfirmed, one source, F3: ISIS told women and children" in text  # a table row: marked
    assert "2 sources · best C3" in text  # people shot while fleeing: two independent sources
    assert "1 source · C3" in text


def test_corroborated_incident_with_a_single_source_is_warned(tmp_path):
    store = STORE.replace("cited: [{source: agency, credibility: 1}, {source: paper, credibility: 2}]",
                          "cited: [{source: agency, credibility: 1}, {source: agency, via: paper}]")
    write(tmp_path / "store.yaml", store)
    warnings = [str(w) for w in load_store(tmp_path, today=dt.date(2025, 12, 31)).warnings]
    line = store.splitlines().index("    status: corroborated") + 1
    assert any(f"store.yaml:{line}: warning: [siege-sound] status is 'corroborated' but the incident cites a single source" in w
               for w in warnings), warnings
