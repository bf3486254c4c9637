"""Citations read 1, 2, 3 down the page, and the numbers in one bracket read upwards: [1, 2],
never [2, 1] (report/citations.py numbers them in reading order; render/templates.py renumbers
for a template that prints in another order).

The week below is built so that the order in which the report stage first numbers its
citations is not the order a reader meets them: the overview cites the paper and then the
agency (the analyst's words are expanded first), while the key figures, printed before the
overview, cite the agency first. Renumbered in reading order, the overview's bracket holds
the agency's 1 and the paper's 2, and must print them as [1, 2].
"""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass
from pathlib import Path

import pytest

from support import series_workspace, write
from sitrep.pipeline import Workspace
from sitrep.report.citations import READING_ORDER

WEEK = "2025-W12"
NARRATIVE = """\
narrative:
  - id: overview-w12
    week: 2025-W12
    section: overview
    text: The roads out of the town stayed blocked [[blockade-march]].
"""


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    folder = series_workspace(tmp_path)
    write(folder / "facts/narrative.yaml", NARRATIVE)
    return Workspace.load(folder / "config.yaml")


def citation_lists(value) -> list[list[int]]:
    """Every `citations` list in a part of the context, in the order its fields hold them."""
    if isinstance(value, list):
        return [numbers for item in value for numbers in citation_lists(item)]
    if is_dataclass(value):
        found = []
        for field in fields(value):
            if field.name == "citations":
                found.append(getattr(value, field.name))
            elif field.name not in ("sourcing", "place", "trend"):
                found.extend(citation_lists(getattr(value, field.name)))
        return found
    return []


def first_appearances(numbers) -> list[int]:
    return list(dict.fromkeys(numbers))


def test_the_overview_bracket_reads_upwards_after_renumbering(workspace):
    context = workspace.context(workspace.resolve(WEEK, "public"), "public")
    [paragraph] = context.overview
    [bracket] = [part.citations for part in paragraph.parts if part.citations]
    names = {row.number: row.name for row in context.sources}
    assert [names[n] for n in bracket] == ["Relief Agency", "Daily Paper"]  # the agency was read first, on page one
    assert bracket == [1, 2]


def test_every_bracket_of_the_context_is_ascending_and_numbers_follow_the_reading_order(workspace):
    context = workspace.context(workspace.resolve(WEEK, "public"), "public")
    for part in READING_ORDER.values():
        for name in part:
            for numbers in citation_lists(getattr(context, name.split(".")[0])):
                assert numbers == sorted(set(numbers)), f"{name}: {numbers}"
    read = [n for section in context.sections for name in READING_ORDER.get(section, ())
            for numbers in citation_lists(getattr(context, name.split(".")[0])) for n in numbers]
    assert first_appearances(read) == list(range(1, len(context.sources) + 1))
    assert [row.number for row in context.sources] == list(range(1, len(context.sources) + 1))


SUPERSCRIPT = re.compile(r'<sup class="cite">(.*?)</sup>', re.S)
LINK = re.compile(r'href="#source-(\d+)"')


def test_the_printed_report_numbers_each_bracket_upwards_and_in_reading_order(workspace):
    html = workspace.render_week(workspace.resolve(WEEK, "public"), "public").html.text
    brackets = [[int(n) for n in LINK.findall(sup)] for sup in SUPERSCRIPT.findall(html)]
    assert any(len(b) > 1 for b in brackets), "no bracket of several citations: the test would prove nothing"
    for bracket in brackets:
        assert bracket == sorted(set(bracket)), f"a bracket prints {bracket}"
    listed = [int(n) for n in re.findall(r'<li id="source-(\d+)"', html)]
    cited = first_appearances(n for b in brackets for n in b)
    assert cited == list(range(1, len(listed) + 1)) and listed == cited
