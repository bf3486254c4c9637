"""Every number in public prose is cited (issue 23): a public build refuses narrative that states a
number with no source, in every language it is written in, at the text's file and line; `sitrep
check` and the internal edition warn; a year, a day of a month, and what the analyst marks with
backticks are not claims, and the marked words print without their backticks."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import (REPO, assert_nothing_written, assert_refused, line_of, series_workspace, without_progress,
                     write)
from sitrep.errors import StoreError
from sitrep.report.builder import build_context
from sitrep.report.prose import refused_narrative
from sitrep.report.series import series_of
from sitrep.source.config import load_config
from sitrep.source.narrativenumbers import uncited_numbers, unmarked
from sitrep.source.store import load_store

WEEK = "2025-W12"
FILE = "facts/zz-narrative.yaml"
# The overview, in the store's language and in two translations (Arabic-Indic digits).
UNCITED = """\
narrative:
  - id: overview-w12
    week: 2025-W12
    section: overview
    text:
      en: |
        Aid agencies put the town's population at 42,000, of whom 25,000 to 30,000 may try the
        river road; 8,000 have reached the camp since 3 March 2025.
      fr: |
        Les agences estiment la population de la ville à 42 000 personnes, dont 25 000 à 30 000
        pourraient tenter la route du fleuve ; 8 000 ont rejoint le camp depuis le 3 mars 2025.
      ar: |
        تقدّر الوكالات عدد سكان البلدة بـ ٤٢٬٠٠٠ نسمة، قد يحاول ٢٥٬٠٠٠ إلى ٣٠٬٠٠٠ منهم سلوك طريق
        النهر؛ ووصل ٨٬٠٠٠ إلى المخيم منذ ٣ آذار ٢٠٢٥.
"""
# Cited, marked, or no claim at all: every edition prints it.
SOUND = """\
narrative:
  - id: overview-w12
    week: 2025-W12
    section: overview
    text:
      en: |
        The river road, Route `10`, closes for `24` hours at a time [[river-road]]. By 19 March
        2025 [[trapped-w12]] remained in the town.

        Shelling hit the market on 10 March, killing 3 [[shelling-w11]].
      fr: |
        La route du fleuve, la route `10`, ferme `24` heures d'affilée [[river-road]]. Au 19 mars
        2025, [[trapped-w12]] restaient dans la ville.
      ar: |
        يُغلق طريق النهر، الطريق `١٠`، لمدة `٢٤` ساعة في كل مرة [[river-road]]. وحتى ١٩ آذار
        ٢٠٢٥، بقي [[trapped-w12]] في البلدة.
"""


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch) -> Path:
    """Rivertown in three languages, as the current folder."""
    ws = series_workspace(tmp_path)
    config = ws / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "languages: [en, fr, ar]\nregion: IQ\ndigits: native\n",
                      encoding="utf-8")
    monkeypatch.chdir(ws)
    return ws


def test_a_public_build_refuses_an_uncited_number_in_every_language(workspace, sitrep_cli):
    write(workspace / FILE, UNCITED)
    result = sitrep_cli("build", "--week", WEEK, "--format", "html")
    hint = "a number that is not a claim goes between backticks, as in `24` hours"
    assert_refused(result, FILE, line_of(UNCITED, "en: |"), "[overview-w12]",
                   "the narrative (en) states the numbers '42,000', '25,000', '30,000' and '8,000' with no source",
                   "(expected each cited: [[figure-id]] in its place", hint)
    assert_refused(result, FILE, line_of(UNCITED, "fr: |"), "'42 000', '25 000', '30 000' and '8 000'", hint)
    assert_refused(result, FILE, line_of(UNCITED, "ar: |"), "'٤٢٬٠٠٠', '٢٥٬٠٠٠', '٣٠٬٠٠٠' and '٨٬٠٠٠'", hint)
    assert "'3'" not in result.stderr and "2025" not in without_progress(result.stderr)  # a day, a year
    assert_nothing_written(workspace)
    everything = sitrep_cli("build", "--all", "--format", "html", "--jobs", "1")
    assert_refused(everything, FILE, line_of(UNCITED, "en: |"), "'42,000'")
    assert_nothing_written(workspace)


def test_the_last_good_report_is_left_as_it_was(workspace, sitrep_cli):
    built = sitrep_cli("build", "--week", WEEK, "--format", "html", "--language", "en")
    assert built.exit_code == 0, built.output
    [report] = (workspace / "output" / WEEK).glob("*.html")
    before = report.read_bytes()
    write(workspace / FILE, UNCITED)
    refused = sitrep_cli("build", "--week", WEEK, "--format", "html", "--language", "en")
    assert refused.exit_code == 1 and report.read_bytes() == before


def test_check_and_the_internal_edition_warn(workspace, sitrep_cli):
    write(workspace / FILE, UNCITED)
    checked = sitrep_cli("check")
    assert checked.exit_code == 0, checked.output
    warning = next(line for line in checked.stderr.splitlines() if "(en) states" in line)
    assert warning.startswith(f"{FILE}:{line_of(UNCITED, 'en: |')}: warning: [overview-w12]")
    assert "with no source; a public build refuses it" in warning and "between backticks" in warning
    internal = sitrep_cli("build", "--week", WEEK, "--format", "html", "--edition", "internal", "--language", "en")
    assert internal.exit_code == 0, internal.output
    [report] = (workspace / "output" / WEEK).glob("*-internal.html")
    assert "population at 42,000, of whom 25,000 to 30,000" in report.read_text(encoding="utf-8")


def test_a_restricted_narrative_only_warns(workspace, sitrep_cli):
    write(workspace / FILE, UNCITED.replace("    section: overview\n", "    section: overview\n    sensitivity: restricted\n"))
    checked = sitrep_cli("check")
    warning = next(line for line in checked.stderr.splitlines() if "(en) states" in line)
    assert "public build refuses" not in warning
    assert sitrep_cli("build", "--week", WEEK, "--format", "html", "--language", "en").exit_code == 0


@pytest.mark.parametrize("language, expected", [
    ("en", "The river road, Route 10, closes for 24 hours at a time"),
    ("fr", "La route du fleuve, la route 10, ferme 24 heures d'affilée"),
    ("ar", "يُغلق طريق النهر، الطريق ١٠، لمدة ٢٤ ساعة في كل مرة"),
])
def test_marked_numbers_pass_and_print_without_their_marks(workspace, sitrep_cli, language, expected):
    write(workspace / FILE, SOUND)
    checked = sitrep_cli("check")
    assert "with no source" not in checked.stderr, checked.stderr
    built = sitrep_cli("build", "--week", WEEK, "--format", "html", "--language", language)
    assert built.exit_code == 0, built.output
    [report] = (workspace / "output" / WEEK).glob("*.html")
    html = report.read_text(encoding="utf-8")
    assert expected in html and "`" not in html.split("<main", 1)[-1]
    context = build_context(load_store(workspace / "facts", cache=False), load_config(workspace / "config.yaml"),
                            WEEK, "public", language=language)
    assert context.overview[0].parts[0].text.startswith(expected)


def test_the_report_stage_refuses_whoever_calls_it(workspace):
    write(workspace / FILE, UNCITED)
    config = load_config(workspace / "config.yaml")
    store = load_store(config.store_dir, cache=False)
    with pytest.raises(StoreError) as refused:
        build_context(store, config, WEEK, "public")
    assert [p.line for p in refused.value.problems] == [line_of(UNCITED, f"{tag}: |") for tag in ("en", "fr", "ar")]
    assert "42,000" in build_context(store, config, WEEK, "internal").overview[0].parts[0].text


@pytest.mark.parametrize("text, language, expected", [
    ("About 42,000 people; 25,000 to 30,000 fled.", None, ["42,000", "25,000", "30,000"]),
    ("They fled on 3 June 2016, 3–5 June, June 3rd and in 2015–2016.", None, []),
    ("8,000 arrived in June.", None, ["8,000"]),  # beside a month, but no day of it
    ("Le 1er juin 2016, 42 000 personnes ; le 3 févr. aussi.", "fr", ["42 000"]),
    ("في ٣ حزيران ٢٠١٦ فرّ ٤٢٬٠٠٠ شخص، وفي 5 يونيو 2,5 طن.", "ar", ["٤٢٬٠٠٠", "2,5"]),
    ("Route `10` is shut for `24 hours`, as `UN resolution 2139` asks.", None, []),
    ("2,500 fled [[trapped-w12]]. 40 died.", None, ["40"]),  # a reference cites its own sentence only
    ("40 died\n\nThe road [[river-road]] is shut.", None, ["40"]),  # a blank line ends a sentence
    ("Grade F3, week W26 and COVID-19.", None, ["19"]),
])
def test_which_numbers_are_uncited_claims(text, language, expected):
    assert uncited_numbers(text, language) == expected


def test_the_mark_is_removed_and_references_are_untouched():
    assert unmarked("Route `10` [[river-road]] for `24 hours`") == "Route 10 [[river-road]] for 24 hours"
    assert unmarked("an odd ` backtick") == "an odd ` backtick"


def test_the_example_builds_all_its_public_editions():
    """The bundled store's narrative cites every number it states, in every language."""
    config = load_config(REPO / "config.yaml")
    store = load_store(config.store_dir, cache=False)
    assert not [w for w in store.warnings if "with no source" in w.message]
    series = series_of(store, config.series, "public")
    assert refused_narrative(store, series, series.reports, "public") == []  # every language's text judged
