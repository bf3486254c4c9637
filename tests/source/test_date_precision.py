"""Precision is never invented (issue 23): a span prints each end as precisely as it was written, in
English, French and Arabic; the trend chart's words keep each report's qualifier; and `sitrep
weeks` counts a route once, saying how many of its updates a report brings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from support import STORE, series_workspace, write
from sitrep.language import Language, speaking
from sitrep.source.dates import format_fuzzy, parse_fuzzy_date

ENGLISH, FRENCH, ARABIC = Language("en"), Language("fr"), Language("ar", "IQ", "native")


@pytest.mark.parametrize("written, language, printed", [
    ("2025-01-15/2025-02", ENGLISH, "15 January – February 2025"),
    ("2025-01-15/2025-02", FRENCH, "15 janvier – février 2025"),
    ("2025-01-15/2025-02", ARABIC, "١٥ كانون الثاني – شباط ٢٠٢٥"),
    ("2016-W23/2016-06", ENGLISH, "week 23 – June 2016"),
    ("2016-W23/2016-06", FRENCH, "semaine 23 – juin 2016"),
    ("2016-W23/2016-06", ARABIC, "الأسبوع ٢٣ – حزيران ٢٠١٦"),
    ("2015/2016-03", ENGLISH, "2015 – March 2016"),
    ("2015/2016-03", FRENCH, "2015 – mars 2016"),
    ("2015/2016-03", ARABIC, "٢٠١٥ – آذار ٢٠١٦"),
    ("2024-12-15/2025-02", ENGLISH, "15 December 2024 – February 2025"),
    ("2025-01/2025-03", ENGLISH, "January – March 2025"),
    ("2016-06/2016-06", ENGLISH, "June 2016"),
    ("2016-W52/2017-W02", ENGLISH, "week 52 of 2016 – week 2 of 2017"),
    ("2016-06-01/2016-06-15", ENGLISH, "1–15 June 2016"),  # two days: as before
    ("2016-05-30/2016-06-05", ARABIC, "٣٠ أيار – ٥ حزيران ٢٠١٦"),
])
def test_each_end_of_a_span_prints_as_precisely_as_written(written, language, printed):
    with speaking(language):
        assert format_fuzzy(parse_fuzzy_date(written)) == printed


SPAN_INCIDENT = """\
incidents:
  - {id: raids-feb-march, type: attack_on_civilians, date: 2025-02-15/2025-03, place: town, status: alleged,
     summary: Night raids on the old quarter., cited: [{source: paper, date: 2025-03-18}]}
"""


def _text(html: str) -> str:
    html = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.parametrize("language, printed", [
    ("en", "15 February – March 2025"),
    ("fr", "15 février – mars 2025"),
    ("ar", "١٥ شباط – آذار ٢٠٢٥"),
])
def test_the_report_prints_a_span_as_recorded(tmp_path, monkeypatch, sitrep_cli, language, printed):
    workspace = series_workspace(tmp_path)
    config = workspace / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "languages: [en, fr, ar]\nregion: IQ\ndigits: native\n",
                      encoding="utf-8")
    write(workspace / "facts/zz-span.yaml", SPAN_INCIDENT)
    monkeypatch.chdir(workspace)
    built = sitrep_cli("build", "--week", "2025-W12", "--format", "html", "--language", language)
    assert built.exit_code == 0, built.output
    [report] = (workspace / "output" / "2025-W12").glob("*.html")
    text = _text(report.read_text(encoding="utf-8"))
    assert printed in text
    assert "31 March 2025" not in text and "31 mars" not in text and "٣١ آذار" not in text  # never invented


def test_the_trend_charts_words_keep_the_qualifier(tmp_path, monkeypatch, sitrep_cli):
    """Rivertown's killed figure is 'at least 40' in both its reports: a screen reader hears so."""
    monkeypatch.chdir(series_workspace(tmp_path))
    built = sitrep_cli("build", "--week", "2025-W11", "--format", "html")
    assert built.exit_code == 0, built.output
    html = next((tmp_path / "ws/output/2025-W11").glob("*.html")).read_text(encoding="utf-8")
    [words] = [label for label in re.findall(r'aria-label="([^"]*)"', html) if label.startswith("Civilians killed")]
    assert "5 March 2025: at least 40; 12 March 2025: at least 40" in words, words


def test_weeks_counts_a_route_once_and_says_its_updates(tmp_path, monkeypatch, sitrep_cli):
    """A route restricted, then closed, in one week: one route, two updates (before: '2 routes')."""
    workspace = series_workspace(tmp_path)
    store = STORE.replace("      - {as_of: 2025-03-12, status: open, cited: [{source: agency}]}\n",
                          "      - {as_of: 2025-03-17, status: restricted, cited: [{source: agency}]}\n")
    assert store != STORE
    write(workspace / "facts/store.yaml", store)
    monkeypatch.chdir(workspace)
    result = sitrep_cli("weeks")
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert lines["2025-W12"].endswith("1 route (2 updates)"), lines["2025-W12"]
    assert lines["2025-W10"].endswith(", 1 route"), lines["2025-W10"]
    assert "routes" not in result.stdout
