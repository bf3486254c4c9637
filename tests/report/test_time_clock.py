"""The series as of a day (issue 23: "Reports from the future", "Known before its source spoke",
"Hindsight in the header"), through the command line as a user runs it, reading the report's
words, and each stage directly:

- a report is made only for a week that has ended before the as-of day (`--as-of`, else today);
  a date after it is an error at its line; a draft of `sitrep new` makes no report;
- an entry is known on the earliest day a dated citation reported it, else on the last day of
  its date; a report's sources list holds no source that spoke after its end; `trace` says which
  rule set the day;
- "Next report on or around" is a week after the report's date, never what later facts say;
  "no new report for N weeks" counts the real weeks; a past report does not change when a later
  fact is added.
"""

from __future__ import annotations

import datetime as dt
import json
import html as htmlmod
import re
from pathlib import Path

import pytest

from support import assert_refused, line_of, write
from sitrep.commands import serve
from sitrep.commands.new import add_entry
from sitrep.pipeline import Workspace
from sitrep.report.builder import build_context
from sitrep.report.series import series_of
from sitrep.source.dates import known_on, parse_fuzzy_date

CONFIG = """title: Rivertown report
crisis: Rivertown siege
organisation: {name: Desk}
key_metrics: [civilians_trapped, people_displaced]
"""

SOURCES = """sources:
  - {id: agency, name: Relief Agency, kind: un_agency, reliability: A}
  - {id: paper, name: Daily Paper, kind: media, reliability: B}
  - {id: contact, name: Abu Karim, public_name: A local contact, kind: witness, reliability: C, sensitivity: restricted}
places:
  - {id: town, name: Rivertown, kind: town, lat: 33.0, lon: 44.0}
  - {id: camp, name: Hill Camp, kind: camp, lat: 33.1, lon: 44.1}
"""

# On Monday 7 December 2026: reports of 2026-W48 and W49; W50 (7-13 December) has not ended.
DECEMBER = SOURCES + """figures:
  - {id: trapped-nov, metric: civilians_trapped, place: town, as_of: 2026-11-25, value: 9000, unit: people, cited: [{source: agency}]}
  - {id: trapped-dec, metric: civilians_trapped, place: town, as_of: 2026-12-02, value: 8000, unit: people, cited: [{source: agency}]}
"""
MONDAY = "2026-12-07"

# A series with a gap of 43 quiet weeks, and a movement whose only citation is dated after it.
GAP = SOURCES + """figures:
  - {id: trapped-jul, metric: civilians_trapped, place: town, as_of: 2015-07-22, value: 9000, unit: people, cited: [{source: agency}]}
  - {id: trapped-aug, metric: civilians_trapped, place: town, as_of: 2015-07-29, value: 8000, unit: people, cited: [{source: agency, date: 2015-07-29}, {source: paper, date: 2015-08-20}]}
  - {id: displaced-jun, metric: people_displaced, place: camp, as_of: 2016-06-01, value: 500, unit: people, cited: [{source: agency}]}
movements:
  - {id: exodus, period: 2016-06-01/2016-06-05, origin: town, destination: camp, count: {value: 300}, unit: people, summary: Families left for the camp., cited: [{source: paper, date: 2016-06-07}]}
"""
GAP_AS_OF = "2016-07-01"


def workspace(tmp_path: Path, store: str) -> Path:
    write(tmp_path / "config.yaml", CONFIG)
    write(tmp_path / "facts" / "store.yaml", store)
    return tmp_path / "config.yaml"


def text_of(path: Path) -> str:
    """The words of an HTML report as a reader sees them (no styles, scripts or drawings)."""
    page = re.sub(r"<style.*?</style>|<script.*?</script>|<svg.*?</svg>", " ", path.read_text(encoding="utf-8"), flags=re.S)
    return " ".join(htmlmod.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def report(config: Path, week: str) -> str:
    return text_of(config.parent / "output" / week / f"sitrep-{week}.html")


@pytest.fixture(scope="module")
def gap_series(tmp_path_factory) -> Path:
    """The gap series built once, every report as HTML, as of 1 July 2016."""
    from typer.testing import CliRunner

    from sitrep.commands.app import app

    config = workspace(tmp_path_factory.mktemp("gap"), GAP)
    result = CliRunner().invoke(app, ["build", "--all", "-f", "html", "-q", "-j", "1", "--as-of", GAP_AS_OF,
                                      "-c", str(config)])
    assert result.exit_code == 0, result.output
    return config


# --- No report of an unfinished week; --as-of -------------------------------------------------

def test_a_week_not_yet_ended_has_no_report(tmp_path, sitrep_cli):
    config = workspace(tmp_path, DECEMBER + "  - {id: trapped-today, metric: civilians_trapped, place: town, "
                                            "as_of: 2026-12-07, value: 7000, unit: people, cited: [{source: agency}]}\n")
    weeks = sitrep_cli("weeks", "--as-of", MONDAY, "-c", config)
    assert weeks.exit_code == 0, weeks.stderr
    assert weeks.stdout.splitlines()[:2] == ["2026-W48  No. 1   23–29 November 2026            1 figure",
                                             "2026-W49  No. 2   30 November – 6 December 2026  1 figure"]
    assert "2026-W50  waiting: 1 figure; its report is made once the week ends on 13 December 2026" in weeks.stdout
    built = sitrep_cli("build", "--as-of", MONDAY, "-f", "html", "-c", config)
    assert built.exit_code == 0, built.stderr
    assert "Report 2 for 2026-W49" in built.stdout and "2026-W50" not in built.stdout
    assert "Next report on or around 13 December 2026" in report(config, "2026-W49")
    asked = sitrep_cli("build", "--as-of", MONDAY, "--week", "2026-W50", "-f", "html", "-c", config)
    assert asked.exit_code == 1
    assert "week 2026-W50 ends on 13 December 2026, and a report is made once its week has ended" in asked.stderr
    assert not (config.parent / "output" / "2026-W50").exists()
    # The next Monday, the week has ended: its report is made.
    later = sitrep_cli("build", "--as-of", "2026-12-14", "-f", "html", "-c", config)
    assert later.exit_code == 0 and "Report 3 for 2026-W50" in later.stdout


def test_export_and_serve_report_no_unfinished_week(tmp_path, sitrep_cli, monkeypatch):
    """The two other ways a report leaves the desk: an export of the series, and the preview."""
    today = ("  - {id: trapped-today, metric: civilians_trapped, place: town, as_of: 2026-12-07, value: 7000,"
             " unit: people, cited: [{source: agency}]}\n")
    config = workspace(tmp_path, DECEMBER + today)
    monkeypatch.chdir(tmp_path)

    def exported(as_of: str) -> list[str]:
        result = sitrep_cli("export", "json", "--all", "--as-of", as_of, "-c", config)
        assert result.exit_code == 0, result.stderr
        return [r["sitrep"]["week"] for r in json.loads(result.stdout)]

    assert exported(MONDAY) == ["2026-W48", "2026-W49"]
    assert exported("2026-12-14") == ["2026-W48", "2026-W49", "2026-W50"]
    refused = sitrep_cli("export", "json", "--week", "2026-W50", "--as-of", MONDAY, "-c", config)
    assert refused.exit_code == 1 and "a report is made once its week has ended" in refused.stderr
    context, _body, _config = serve.render_report(config, None, as_of=dt.date(2026, 12, 7))
    assert context.week == "2026-W49"


def test_build_all_neither_builds_nor_indexes_an_unfinished_week(tmp_path, sitrep_cli):
    config = workspace(tmp_path, DECEMBER.replace("2026-12-02", "2026-12-07"))
    built = sitrep_cli("build", "--all", "--as-of", MONDAY, "-f", "html", "-j", "1", "-c", config)
    assert built.exit_code == 0, built.stderr
    assert "1 of 1 report built" in built.stdout
    assert sorted(p.name for p in (config.parent / "output").iterdir() if p.name.startswith("2026")) == ["2026-W48"]
    assert "2026-W50" not in (config.parent / "output" / "index.html").read_text(encoding="utf-8")


def test_a_future_date_is_an_error_at_its_line(tmp_path, sitrep_cli, monkeypatch):
    store = DECEMBER + ("  - {id: trapped-typo, metric: civilians_trapped, place: town, as_of: 2027-01-15, value: 7000,"
                        " unit: people, cited: [{source: agency}]}\n"
                        "  - {id: cited-later, metric: civilians_trapped, place: town, as_of: 2026-12-01, value: 7500,"
                        " unit: people, cited: [{source: paper, date: 2026-12-24}]}\n")
    config = workspace(tmp_path, store)
    monkeypatch.chdir(tmp_path)
    for command in ("check", "build"):
        result = sitrep_cli(command, "--as-of", MONDAY)
        assert_refused(result, "facts/store.yaml", line_of(store, "trapped-typo"), "[trapped-typo] date 2027-01-15 is in "
                       "the future: after 7 December 2026, the day this run is as of")
        assert_refused(result, "facts/store.yaml", line_of(store, "cited-later"), "[cited-later] citation date 2026-12-24 "
                       "is in the future")
        assert "a future date is most often a typo" in result.stderr
    assert not (config.parent / "output").exists()
    # As of a later day, the same store is sound (the check is not cached as if the day did not matter).
    assert sitrep_cli("check", "--as-of", "2027-01-31", "-c", config).exit_code == 0
    assert sitrep_cli("check", "--as-of", MONDAY, "-c", config).exit_code == 1


def test_a_bad_as_of_is_a_mistaken_command_line(tmp_path, sitrep_cli):
    config = workspace(tmp_path, DECEMBER)
    for command in ("build", "check", "weeks", "export json", "trace trapped-dec"):
        result = sitrep_cli(*command.split(), "--as-of", "2026-13-01", "-c", config)
        assert result.exit_code == 2
        assert result.stderr.strip() == (f"sitrep {command.split()[0]}: error: --as-of must be a real day, YYYY-MM-DD "
                                         "(got '2026-13-01', which is not one)")


def test_a_draft_of_sitrep_new_makes_no_report(tmp_path, sitrep_cli):
    config = workspace(tmp_path, DECEMBER)
    checked = Workspace.load(config, as_of=dt.date(2026, 12, 7))
    add_entry(checked.config, checked.store, "figure", config.parent / "facts" / "store.yaml", today=dt.date(2026, 12, 7))
    weeks = sitrep_cli("weeks", "--edition", "internal", "--as-of", MONDAY, "-c", config)
    assert "No. 3" not in weeks.stdout and "2026-W50  waiting: 1 figure" in weeks.stdout
    built = sitrep_cli("build", "--edition", "internal", "--as-of", MONDAY, "-f", "html", "-c", config)
    assert built.exit_code == 0, built.stderr
    assert "Report 2 for 2026-W49" in built.stdout
    trace = sitrep_cli("trace", "new-figure-2026-12-07", "--as-of", MONDAY, "-c", config)
    assert "It waits for the report of 2026-W50, made once the week ends on 13 December 2026" in trace.stdout


def test_the_series_is_as_of_its_day_in_the_library(tmp_path):
    config = workspace(tmp_path, DECEMBER)
    store = Workspace.load(config, as_of=dt.date(2026, 12, 6)).store
    assert store.as_of == dt.date(2026, 12, 6)
    settings = Workspace.load(config, as_of=dt.date(2026, 12, 6)).config.series
    assert [str(w) for w in series_of(store, settings).reports] == ["2026-W48"]  # W49 ends on the 6th: not over
    assert [str(w) for w in series_of(store, settings, as_of=dt.date(2026, 12, 7)).reports] == ["2026-W48", "2026-W49"]
    loaded = Workspace.load(config, as_of=dt.date(2026, 12, 7))
    assert build_context(loaded.store, loaded.config).week == "2026-W49"
    assert build_context(loaded.store, loaded.config, as_of=dt.date(2026, 12, 6)).week == "2026-W48"


# --- Known when first reported ------------------------------------------------------------------

def test_known_on_the_earliest_citation_even_after_its_own_date():
    date = parse_fuzzy_date("2016-06-01/2016-06-05")
    assert known_on(date, [parse_fuzzy_date("2016-06-07")]) == (
        dt.date(2016, 6, 7), "a citation reported it on 7 June 2016")
    assert known_on(date, [parse_fuzzy_date("2016-06-09"), parse_fuzzy_date("2016-06-03")])[0] == dt.date(2016, 6, 3)
    assert known_on(date, [parse_fuzzy_date("2016-06")]) == (dt.date(2016, 6, 30), "a citation reported it in June 2016")
    assert known_on(date, [parse_fuzzy_date("2016-W23")])[0] == dt.date(2016, 6, 12)  # a week: its last day
    assert known_on(date, [None]) == (dt.date(2016, 6, 5), "the last day of its date, 1–5 June 2016")


def test_a_movement_enters_when_its_source_reported_it(gap_series, sitrep_cli):
    # 1-5 June, first reported on 7 June: not in the report as of 5 June, but in the one as of 12 June.
    assert "Families left for the camp" not in report(gap_series, "2016-W22")
    later = report(gap_series, "2016-W23")
    assert "Information as of 12 June 2016" in later and "Families left for the camp" in later
    assert "Daily Paper , 7 June 2016." in later  # its sources list
    trace = sitrep_cli("trace", "exodus", "--as-of", GAP_AS_OF, "-c", gap_series).stdout
    assert ("It enters report No. 4 (2016-W23, 6–12 June 2016) as news: known on 7 June 2016, a citation "
            "reported it on 7 June 2016 (paper).") in trace
    trace = sitrep_cli("trace", "trapped-jul", "--as-of", GAP_AS_OF, "-c", gap_series).stdout
    assert "known on 22 July 2015, its date, 22 July 2015." in trace


def test_no_source_in_a_report_spoke_after_its_end(gap_series):
    # trapped-aug is cited by the agency on 29 July and by the paper on 20 August: report 2 ends on 2 August.
    second = report(gap_series, "2015-W31")
    assert "Daily Paper" not in second and "20 August 2015" not in second
    for week in ("2015-W30", "2015-W31", "2016-W22", "2016-W23"):
        checked = Workspace.load(gap_series, as_of=dt.date(2016, 7, 1))
        context = build_context(checked.store, checked.config, week)
        for source in context.sources:
            if source.date:
                assert parse_fuzzy_date(_iso(source.date)).end <= context.period_end, (week, source)


def _iso(printed: str) -> str:
    return dt.datetime.strptime(printed, "%d %B %Y").date().isoformat()


def test_a_public_edition_dates_a_withheld_citation_by_its_week_at_most(tmp_path):
    store = SOURCES + """figures:
  - {id: late-word, metric: people_displaced, place: camp, as_of: 2016-06-01, value: 40, unit: people, cited: [{source: contact, date: 2016-06-15}]}
  - {id: early-word, metric: civilians_trapped, place: town, as_of: 2016-06, value: 50, unit: people, cited: [{source: contact, date: 2016-06-02}]}
"""
    config = workspace(tmp_path, store)
    loaded = Workspace.load(config, as_of=dt.date(2016, 8, 1))
    internal = {a.entry.id: a.known_on for a in loaded.series("internal").arrivals}
    public = {a.entry.id: a.known_on for a in loaded.series("public").arrivals}
    # Reported after its date by a withheld source: not before it spoke, and no more than its week.
    assert internal["late-word"] == dt.date(2016, 6, 15) and public["late-word"] == dt.date(2016, 6, 19)
    # Reported before its date ended: a public edition tells nothing of when the source spoke.
    assert internal["early-word"] == dt.date(2016, 6, 2) and public["early-word"] == dt.date(2016, 6, 30)


# --- No hindsight ---------------------------------------------------------------------------------

def test_next_report_is_a_week_after_and_gaps_are_their_real_length(gap_series):
    second = report(gap_series, "2015-W31")
    assert "Next report on or around 9 August 2015" in second and "June 2016" not in second
    third = report(gap_series, "2016-W22")
    assert "No longer reported (no new report for 44 weeks)" in third
    assert "(44 weeks earlier)" in third


def test_a_past_report_does_not_change_when_a_later_fact_is_added(tmp_path, sitrep_cli):
    config = workspace(tmp_path, GAP)
    assert sitrep_cli("build", "--all", "-f", "html", "-j", "1", "--as-of", GAP_AS_OF, "-c", config).exit_code == 0
    before = (config.parent / "output" / "2015-W31" / "sitrep-2015-W31.html").read_bytes()
    write(config.parent / "facts" / "later.yaml", "figures:\n  - {id: trapped-2016, metric: civilians_trapped, "
          "place: town, as_of: 2016-06-20, value: 100, unit: people, cited: [{source: agency}]}\n")
    again = sitrep_cli("build", "--all", "-f", "html", "-j", "1", "--as-of", GAP_AS_OF, "-c", config)
    assert again.exit_code == 0, again.stderr
    assert "1 of 5 reports built, 4 up to date" in again.stdout  # only the new week's report
    assert (config.parent / "output" / "2015-W31" / "sitrep-2015-W31.html").read_bytes() == before
    forced = sitrep_cli("build", "--week", "2015-W31", "--force", "-f", "html", "--as-of", GAP_AS_OF, "-c", config)
    assert forced.exit_code == 0
    assert report(config, "2015-W31") == text_of_bytes(before)


def text_of_bytes(data: bytes) -> str:
    page = re.sub(r"<style.*?</style>|<script.*?</script>|<svg.*?</svg>", " ", data.decode("utf-8"), flags=re.S)
    return " ".join(htmlmod.unescape(re.sub(r"<[^>]+>", " ", page)).split())
