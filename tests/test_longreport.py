"""bench/longreport.py, the prototype docs/performance.md ("Long reports") reports on: a long
report cut into parts, laid out in forked processes and joined into one tagged PDF. These keep
its findings true as WeasyPrint moves on: every footer numbered in the whole document, the
structure tree's keys renumbered, every link and bookmark kept (behaviour, never timing)."""

from __future__ import annotations

import re
import sys

import pytest

from support import REPO

sys.path.insert(0, str(REPO / "bench"))

import longreport  # noqa: E402


@pytest.fixture(scope="module")
def week(tmp_path_factory):
    """A week of 40 facts (about ten pages): its HTML and how sitrep lays it out."""
    return longreport.long_week(tmp_path_factory.mktemp("long") / "ws", 40)


def test_the_parts_hold_the_report_once_and_link_across(week):
    html, _ = week
    parts = longreport.split(html, 2)
    ids = [re.findall(r' id="([^"]+)"', part) for part in parts]
    assert sorted(ids[0] + ids[1]) == sorted(re.findall(r' id="([^"]+)"', html))  # every anchor, once
    assert 'class="report-header"' in parts[0] and 'class="report-header"' not in parts[1]
    assert 'class="report-footer"' in parts[1] and 'class="report-footer"' not in parts[0]
    # a citation in the first part points at the sources list in the second, until join() mends it
    assert f'href="{longreport.ELSEWHERE}source-' in parts[0]


def test_the_joined_pdf_is_numbered_tagged_and_linked_as_one_document(week):
    html, options = week
    reference, _ = longreport.serial(html, options)
    joined, steps = longreport.parallel(html, options, 2)
    found = longreport.checks(joined, reference, "Anbar and Ninewa Situation Report (synthetic)")
    pages = found["pages"][0]
    assert pages == sum(steps["pages"]) and len(steps["pages"]) == 2
    assert found["footers right"] == pages  # "Page N of M" counts the whole document
    assert found["running headers"] == pages - 1  # the title carried into the second part
    assert found["StructParents without a ParentTree entry"] == found["duplicate StructParents"] == 0
    assert found["links"] == found["serial links"] > 0
    assert found["links left to a URI"] == found["links to no destination"] == 0
    outline, serial_outline = found["outline entries (serial)"]
    assert outline == serial_outline
    assert found["pdfua findings (serial)"] == (0, 0)
