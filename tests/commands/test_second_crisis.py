"""Issue 23 on a second crisis: tests/crisis2 (Tell Sahran, invented), written from the README
and docs/store.md, built with the CLI as an analyst builds it (`sitrep build --all --as-of`),
and read as a reader reads it: the text of the HTML (and of one PDF). One test per case of the
issue, named for it; tests/crisis2/show_cases.py prints the same text, before and after."""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from support import REPO

CRISIS = REPO / "tests" / "crisis2"
AS_OF = "2025-11-20"  # a Thursday: 2025-W47 (17–23 November) has not ended

_spec = importlib.util.spec_from_file_location("show_cases", CRISIS / "show_cases.py")
show_cases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(show_cases)


def copy_crisis(target: Path, **extra: str) -> Path:
    target.mkdir(parents=True)
    shutil.copy(CRISIS / "config.yaml", target / "config.yaml")
    shutil.copytree(CRISIS / "facts", target / "facts")
    for name, text in extra.items():
        (target / "facts" / name).write_text(text, encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def built(tmp_path_factory, sitrep_process) -> Path:
    """The series built once: every report, public in each language and internal in English,
    HTML; and one PDF (2025-W06), as the CLI builds them."""
    ws = copy_crisis(tmp_path_factory.mktemp("crisis2") / "ws")
    for args in (("build", "--all", "--format", "html"),
                 ("build", "--all", "--format", "html", "--edition", "internal", "--language", "en"),
                 ("build", "--week", "2025-W06", "--format", "pdf", "--language", "en")):
        done = sitrep_process(*args, "--as-of", AS_OF, "-q", cwd=ws, timeout=300)
        assert done.exit_code == 0, (args, done.stderr)
    return ws


def report(ws: Path, week: str, edition: str = "public", language: str = "en") -> list[tuple[str, str]]:
    suffix = "".join(f"-{part}" for part in (edition if edition != "public" else "", language if language != "en" else "") if part)
    return show_cases.report_lines(ws / "output" / week / f"sahran-sitrep-{week}{suffix}.html")


def lines(ws: Path, week: str, section: str | None = None, *words: str, edition: str = "public") -> list[str]:
    return show_cases.pick(report(ws, week, edition), {section} if section else None, *words, limit=100)


def cli(sitrep_process, ws: Path, *args: str, as_of: str | None = AS_OF):
    return sitrep_process(*args, *(("--as-of", as_of) if as_of else ()), cwd=ws)


def test_box_and_change_name_every_concurrent_last_known_status(built):
    """'open, as of September' (reported on the 30th) and 'restricted, 23 September' overlap:
    page one never lets the vaguer hide the newer, and the closure of 7 October is measured
    against both ('now closed; was restricted (23 September) and open (September)')."""
    box = " ".join(lines(built, "2025-W40", "since-last", "River track"))
    assert "open" in box and "restricted" in box, box
    change = lines(built, "2025-W41", "since-last", "River track")
    assert len(change) == 1 and "now closed" in change[0], change
    was = change[0].split("now closed", 1)[1]
    assert "restricted" in was and "23 September" in was and "open" in was, change
    routes = " ".join(lines(built, "2025-W41", "routes", "now closed"))
    assert "restricted" in routes and "23 September" in routes, routes


def test_key_figure_not_measured_against_a_concurrent_report(built):
    """'3,000 (20 February)' then '5,000 (February)': February does not come after the 20th,
    so nothing is 'up from 3,000'."""
    week = report(built, "2025-W09")
    said = show_cases.pick(week, {"since-last", "key-figures"}, "displaced", "3,000", "5,000", limit=100)
    assert any("5,000" in line for line in said), said
    assert not any("up from 3,000" in line for line in said), said


def test_superseded_update_never_on_page_one(built):
    """Restricted on 4 February, closed on 6 February: page one shows the closure only; the
    routes section still marks the restriction as superseded."""
    glance = lines(built, "2025-W06", "routes-glance", "North road")
    assert len(glance) == 1 and "Closed" in glance[0], glance
    box = " ".join(lines(built, "2025-W06", "since-last"))
    assert "restricted (as of 4 February" not in box, box
    assert "now closed" in box, box
    assert lines(built, "2025-W06", "routes", "since superseded")


def test_no_longer_reported_said_when_its_section_is_empty(built, sitrep_process):
    """After 28 quiet weeks every key figure is stale at once: the key-figures section has
    nothing current, and yet each is said to be no longer reported, with its last value's
    qualifier and citation, as `sitrep trace` says."""
    said = lines(built, "2025-W39", None, "no longer reported")
    text = " ".join(said)
    for figure in (r"civilians trapped in Tell Sahran, last about 14,000", r"people displaced in Tell Sahran, last 3,000–5,000",
                   r"civilians killed in Tell Sahran, last at least 55"):
        assert re.search(figure + r"[^;]*\[[\d, ]+\]", text), (figure, said)
    traced = cli(sitrep_process, built, "trace", "trapped-2025-02-27").stdout
    assert "No longer reported from No. 6" in traced


def reports_listed(weeks_output: str) -> list[str]:
    """The lines of `sitrep weeks` that list a report (a week not yet ended may be listed as
    waiting, with no number)."""
    return [line for line in weeks_output.splitlines() if re.match(r"\d{4}-W\d\d  No\. ", line)]


def test_no_report_of_an_unfinished_week(built, sitrep_process):
    assert not (built / "output" / "2025-W47").exists()
    weeks = reports_listed(cli(sitrep_process, built, "weeks").stdout)
    assert weeks[-1].startswith("2025-W46"), weeks
    done = cli(sitrep_process, built, "weeks", as_of="2025-11-24")  # the Monday after: it has ended
    assert reports_listed(done.stdout)[-1].startswith("2025-W47  No. 12"), done.stdout


def test_future_dated_fact_is_an_error_at_its_line(tmp_path, sitrep_process):
    ws = copy_crisis(tmp_path / "ws", **{"zz-future.yaml": show_cases.FUTURE})
    line = show_cases.FUTURE.splitlines().index("    date: 2025-12-15") + 1
    for command in (("check",), ("build", "--all", "--format", "html", "--language", "en")):
        done = cli(sitrep_process, ws, *command)
        assert done.exit_code == 1, (command, done.stdout, done.stderr)
        assert re.search(rf"^facts/zz-future\.yaml:{line}: error: \[future-2025-12-15\]", done.stderr, re.M), done.stderr
        assert "Traceback" not in done.stderr
    assert not (ws / "output" / "2025-W51").exists()


def test_draft_from_new_never_makes_a_report_of_the_current_week(tmp_path, sitrep_process):
    ws = copy_crisis(tmp_path / "ws")
    assert cli(sitrep_process, ws, "new", "figure", as_of=None).exit_code == 0
    weeks = reports_listed(cli(sitrep_process, ws, "weeks", "--edition", "internal", as_of=None).stdout)
    year, week, _ = dt.date.today().isocalendar()
    assert not any(line.startswith(f"{year}-W{week:02d}") for line in weeks), weeks


def test_known_on_the_day_of_its_first_citation(built, sitrep_process):
    """A movement of 3–9 November whose only citation is of 12 November is not in the report
    as of 9 November, but in the next, with its source of 12 November."""
    assert not lines(built, "2025-W45", "movements", "Families left on foot")
    assert lines(built, "2025-W46", "movements", "Families left on foot")
    assert lines(built, "2025-W46", "sources", "12 November 2025")
    traced = cli(sitrep_process, built, "trace", "flight-2025-11-03").stdout
    enters = [line for line in traced.split("\n\nIn the internal series")[0].splitlines() if "enters" in line]
    assert len(enters) == 1 and "No. 11 (2025-W46" in enters[0] and "12 November 2025" in enters[0], enters


def test_next_report_is_a_week_after(built):
    """Report 5 (as of 2 March 2025) cannot know that 28 weeks of quiet follow."""
    assert lines(built, "2025-W09", "contacts", "Next report") == ["Next report on or around 9 March 2025."]
    assert lines(built, "2025-W09", "header", "Next report") == ["Next report: 9 March 2025"]


def test_gap_named_by_its_real_length(built):
    """The north road's last update (6 February) is 33 weeks old in report 6 (22–28 September)."""
    stale = lines(built, "2025-W39", None, "no new report for")
    assert stale and not any("for 4 weeks" in line for line in stale), stale
    assert all(int(n) >= 28 for line in stale for n in re.findall(r"no new report for (\d+) weeks", line)), stale


def test_uncited_numbers_in_public_prose_are_an_error(tmp_path, sitrep_process):
    ws = copy_crisis(tmp_path / "ws", **{"zz-uncited.yaml": show_cases.UNCITED})
    done = cli(sitrep_process, ws, "build", "--week", "2025-W45", "--format", "html", "--language", "en")
    assert done.exit_code == 1, done.stdout
    assert re.search(r"^facts/zz-uncited\.yaml:\d+: error: \[outlook-uncited-2025-w45\].*42,000", done.stderr, re.M), done.stderr
    assert not (ws / "output" / "2025-W45").exists()
    internal = cli(sitrep_process, ws, "build", "--week", "2025-W45", "--format", "html", "--language", "en",
                   "--edition", "internal")
    assert internal.exit_code == 0, internal.stderr
    assert any("42,000" in line for line in lines(ws, "2025-W45", None, "42,000", edition="internal"))


def test_span_printed_with_each_ends_precision(built):
    """Recorded as 2025-01-15/2025-02: its end is a month, never '28 February'."""
    row = lines(built, "2025-W09", "abuses", "Flour and fuel")
    assert len(row) == 1 and "15 January" in row[0] and "February 2025" in row[0], row
    assert "28 February" not in row[0], row


def test_qualifier_survives_every_sentence(built):
    """'about 22,000–30,000' then 'about 20,000–35,000': every sentence that repeats the new
    value keeps its 'about'."""
    said = lines(built, "2025-W42", "since-last", "20,000") + lines(built, "2025-W42", "key-figures", "20,000")
    assert said
    for line in said:
        assert "20,000–35,000" not in line.replace("about 20,000–35,000", ""), line


def test_weeks_counts_entries_not_updates(built, sitrep_process):
    week = [line for line in cli(sitrep_process, built, "weeks").stdout.splitlines() if line.startswith("2025-W06")]
    assert len(week) == 1 and "1 route" in week[0] and "2 routes" not in week[0], week


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def as_printed(iso: str) -> str:
    """'2025-02-04' as the English edition prints it, '4 February 2025'; '2025-09', 'September 2025'."""
    parts = [int(p) for p in iso.split("-")]
    return " ".join(str(p) for p in ([parts[2]] if len(parts) == 3 else []) + [MONTHS[parts[1] - 1], str(parts[0])])


def test_trace_agrees_with_the_reports(built, sitrep_process):
    """What `sitrep trace` says of each route update, the reports it names say too: an update
    'still shown' in No. N is on that report's page one, a superseded one is not, and a stale
    one is no longer reported after as many weeks as the report says."""
    series = {line.split()[2]: line.split()[0] for line in reports_listed(cli(sitrep_process, built, "weeks").stdout)}
    for route in ("north-road", "river-track"):
        public = cli(sitrep_process, built, "trace", route).stdout.split("\n\nIn the internal series")[0]
        for update in re.findall(r"^  Update .*$", public, re.M):
            date = as_printed(re.match(r"\s*Update \d+ \(([\d-]+)\)", update).group(1))
            shown = re.search(r"Still shown as last reported in No\. ([\d, –]+)\.", update)
            for number in re.findall(r"\d+", shown.group(1)) if shown else ():
                glance = lines(built, series[number], "routes-glance")
                assert any(f"| {date} |" in line for line in glance), (update, number, glance)
            superseded = re.search(r"Superseded in No\. (\d+)", update)
            if superseded:
                glance = lines(built, series[superseded.group(1)], "routes-glance")
                assert not any(f"| {date} |" in line for line in glance), (update, glance)
            stale = re.search(r"No longer reported from No\. (\d+) \([^)]*\): no new report for (\d+ weeks?)", update)
            if stale:
                said = lines(built, series[stale.group(1)], None, "no new report for")
                assert any(f"no new report for {stale.group(2)}" in line and date in line for line in said), (update, said)


def test_each_edition_language_and_the_pdf(built):
    """Every language's edition, the internal one with the witness's account (kept out of the
    public one), and page one of the PDF as a reader's PDF tool gives its text: the road closed
    within the week is shown closed, never also restricted."""
    internal = " ".join(lines(built, "2025-W06", "abuses", edition="internal"))
    assert "held in a school" in internal
    assert not lines(built, "2025-W06", None, "held in a school") and not lines(built, "2025-W06", None, "K7")
    ar = " ".join(line for _s, line in report(built, "2025-W41", language="ar"))
    fr = " ".join(line for _s, line in report(built, "2025-W41", language="fr"))
    assert "تقرير عن الوضع في تل سهران" in ar and "Rapport de situation sur Tell Sahrane" in fr
    pdf = PdfReader(built / "output" / "2025-W06" / "sahran-sitrep-2025-W06.pdf")
    first = pdf.pages[0].extract_text()
    assert "Routes at a glance" in first and "Closed" in first, first
    assert "Restricted" not in first, first  # superseded within the week: not on page one
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "held in a school" not in text and "A resident" not in text


def test_number_marked_as_not_a_claim_passes_and_prints_unmarked(built):
    """The 2025-W42 overview asks for a pause of `72` hours: marked as no claim, the public
    edition prints it, without the mark."""
    said = lines(built, "2025-W42", None, "pause of")
    assert said and "72 hours" in said[0] and "`" not in said[0], said
