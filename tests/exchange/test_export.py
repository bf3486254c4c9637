"""`sitrep export hxl|acled|json`, run as a user runs it on the example store, each export read
back as the tools it is for read it: HXL with libhxl (HDX's reference library, and its default
validation schema), ACLED's CSV with the csv module, the JSON with its JSON Schema. A public export
holds nothing restricted, and exports are the same bytes every time."""

from __future__ import annotations

import csv
import io
import json
import shutil
import stat
from pathlib import Path

import hxl
import jsonschema
import pytest
from hxl.input import InputOptions

from sitrep.exchange import acled
from sitrep.exchange.hxl_export import hxl_date
from sitrep.exchange.json_export import REPORT_SCHEMA
from sitrep.source.dates import parse_fuzzy_date
from support import REPO, write

# What `sitrep weeks` lists for the example (docs/commands.md, "sitrep weeks").
SERIES = {"2015-W31": {"figures": 1, "incidents": 12, "routes": 1},
          "2016-W26": {"figures": 6, "incidents": 8, "routes": 1, "movements": 1}}
KINDS = ("incidents", "figures", "routes", "movements")


@pytest.fixture
def ws(workspace: Path, monkeypatch) -> Path:
    monkeypatch.chdir(workspace)
    return workspace


def run_export(sitrep_cli, *args):
    result = sitrep_cli("export", *args)
    assert result.exit_code == 0, result.output
    return result


def hxl_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """The table as libhxl reads it: its hashtags (with attributes), and each row by hashtag."""
    data = hxl.data(str(path), InputOptions(allow_local=True))
    tags = [column.display_tag for column in data.columns]
    return tags, [dict(zip(tags, row.values)) for row in data]


def hxl_issues(path: Path) -> list:
    """What libhxl's built-in schema (the one HDX's validator uses by default) finds wrong."""
    issues = []
    hxl.schema(callback=issues.append).validate(hxl.data(str(path), InputOptions(allow_local=True)))
    return issues


def acled_rows(text: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    return list(reader.fieldnames), list(reader)


def report_schema() -> jsonschema.Draft202012Validator:
    schema = json.loads(REPORT_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


# --- HXL -------------------------------------------------------------------------------------------

def test_hxl_incidents_read_back_with_libhxl(ws, sitrep_cli, tmp_path):
    out = tmp_path / "incidents.csv"
    run_export(sitrep_cli, "hxl", "--kind", "incidents", "--week", "2016-W26", "-o", out)
    tags, rows = hxl_rows(out)
    for tag in ("#event+id", "#date+occurred", "#event+type", "#adm1+name", "#loc+name", "#geo+lat", "#geo+lon",
                "#affected+killed", "#group+name+first+perp", "#adm1+code", "#meta+source", "#meta+url", "#status", "#country+code"):
        assert tag in tags, tag
    assert len(rows) == SERIES["2016-W26"]["incidents"]
    shot = next(r for r in rows if r["#event+id"] == "fallujah-fleeing-shot-2016-06")
    assert (shot["#geo+lat"], shot["#geo+lon"]) == ("33.35", "43.78")  # Fallujah's, as places.yaml gives them
    assert (shot["#adm1+name"], shot["#loc+name"], shot["#country+code"]) == ("Anbar governorate", "Fallujah", "IRQ")
    assert (shot["#date+occurred"], shot["#date+start"], shot["#date+end"]) == ("2016-06", "2016-06-01", "2016-06-30")
    assert (shot["#affected+killed"], shot["#meta+qualifier+killed"]) == ("30", "at_least")
    assert shot["#group+name+first+perp"] == "Islamic State (ISIS)" and shot["#event+type+code"] == "killing_of_fleeing_civilians"
    assert shot["#meta+source"] == ("Iraqi military spokesman (unnamed) (via NBC News); "
                                    "Online news round-up on Fallujah (outlet not identified)")
    assert shot["#meta+url"] == "https://www.nbcnews.com/" and shot["#meta+grade"] == "C3"
    order = [(r["#date+start"], r["#date+end"], r["#event+id"]) for r in rows]
    assert order == sorted(order)  # by date, then id


def test_hxl_writes_a_table_per_kind_into_a_folder_and_libhxl_finds_no_error(ws, sitrep_cli, tmp_path):
    folder = tmp_path / "exports"
    written = run_export(sitrep_cli, "hxl", "--week", "2016-W26", "-o", folder)
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{kind}.csv" for kind in KINDS)
    assert all(f"exports/{kind}.csv" in written.stdout for kind in KINDS)
    for kind in KINDS:
        _, rows = hxl_rows(folder / f"{kind}.csv")
        assert len(rows) == SERIES["2016-W26"][kind], kind
        errors = [i for i in hxl_issues(folder / f"{kind}.csv") if i.rule.severity == "error"]
        assert not errors, [(kind, i.message, i.value) for i in errors]
    _, [route] = hxl_rows(folder / "routes.csv")
    assert (route["#meta+id"], route["#meta+update"], route["#access+status"]) == ("fallujah-south-to-amiriyat", "1", "unsafe")
    assert route["#access+hazard"] == "armed_group_fire; snipers; ieds"
    assert (route["#loc+name+origin"], route["#loc+name+dest"]) == ("Fallujah", "Amiriyat al-Fallujah camp")
    _, figures = hxl_rows(folder / "figures.csv")
    trapped = next(f for f in figures if f["#indicator+code"] == "civilians_trapped")
    # A range has no single value: its low and high, and how the source qualified them.
    assert (trapped["#indicator+num"], trapped["#indicator+num+min"], trapped["#indicator+num+max"]) == ("", "30000", "40000")
    assert trapped["#meta+qualifier"] == "about"


def test_every_hxl_date_reads_as_the_date_it_is(tmp_path):
    # libhxl misreads ISO's 2016-W23, and reads a span as some other day: HXL's week form, and no span.
    for written, read in (("2016-06-03", "2016-06-03"), ("2016-W23", "2016W23"), ("2016-06", "2016-06"), ("2016", "2016")):
        assert hxl.datatypes.normalise_date(hxl_date(parse_fuzzy_date(written))) == read
    assert hxl_date(parse_fuzzy_date("2016-06-01/2016-06-15")) == ""
    # HDX's validation would refuse the store's own form: the check above is not a formality.
    as_written = write(tmp_path / "as-written.csv", "date\n#date+occurred\n2016-W23\n")
    assert [i.rule.severity for i in hxl_issues(as_written)] == ["error"]


def test_several_hxl_tables_need_a_folder(ws, sitrep_cli, tmp_path):
    refused = sitrep_cli("export", "hxl")
    assert refused.exit_code == 1 and refused.stdout == ""
    assert "4 tables (incidents, figures, routes, movements) cannot all go to standard output" in refused.stderr
    assert "-o FOLDER" in refused.stderr and "Traceback" not in refused.output
    a_file = write(tmp_path / "exports.csv", "x")
    refused = sitrep_cli("export", "hxl", "--kind", "incidents", "--kind", "routes", "-o", a_file)
    assert refused.exit_code == 1 and "is a file, and several tables need a folder" in refused.stderr
    assert a_file.read_text() == "x"
    refused = sitrep_cli("export", "hxl", "--kind", "routes", "-o", tmp_path)
    assert refused.exit_code == 1 and "is a folder, and one table is written to a file" in refused.stderr


def test_one_table_goes_to_standard_output_as_it_goes_to_a_file(ws, sitrep_cli, tmp_path):
    printed = run_export(sitrep_cli, "hxl", "--kind", "figures")
    run_export(sitrep_cli, "hxl", "--kind", "figures", "-o", tmp_path / "new" / "folder" / "figures.csv")
    assert printed.stdout.encode("utf-8") == (tmp_path / "new/folder/figures.csv").read_bytes()  # folders made as needed
    assert printed.stdout.splitlines()[1].startswith("#meta+id,#date+report,")


# --- ACLED -----------------------------------------------------------------------------------------

# A week-dated attack on civilians by the coalition, at a quarter with no coordinates of its own,
# with a range of dead: ACLED's week precision, the coordinates of the city, its lowest number.
COALITION_STRIKE = """\
places:
  - {id: nameless-quarter, name: Nameless quarter, kind: neighbourhood, parent: fallujah}
incidents:
  - id: coalition-strike-2016-w25
    type: attack_on_civilians
    date: 2016-W25
    place: nameless-quarter
    perpetrator: us-led-coalition
    victims: {killed: {low: 5, high: 9, qualifier: about}}
    status: alleged
    summary: An air strike hit a house.
    cited: [{source: ibtimes}]
"""


def test_acled_rows_read_back_with_acleds_columns_and_codes(ws, sitrep_cli):
    write(ws / "facts/zz-strike.yaml", COALITION_STRIKE)
    header, rows = acled_rows(run_export(sitrep_cli, "acled", "--week", "2016-W26").stdout)
    assert header == list(acled.COLUMNS)
    assert len(rows) == SERIES["2016-W26"]["incidents"]
    by_id = {r["event_id_cnty"]: r for r in rows}
    shot = by_id["SITREP-fallujah-fleeing-shot-2016-06"]
    assert (shot["event_date"], shot["year"], shot["time_precision"]) == ("2016-06-15", "2016", "3")  # a month: its middle
    assert (shot["disorder_type"], shot["event_type"], shot["sub_event_type"]) == (
        "Political violence", "Violence against civilians", "Attack")
    assert (shot["actor1"], shot["inter1"], shot["actor2"], shot["inter2"]) == (
        "Islamic State (ISIS)", "Rebel group", "Civilians (Iraq)", "Civilians")
    assert (shot["interaction"], shot["civilian_targeting"]) == ("Rebel group-Civilians", "Civilian targeting")
    assert (shot["iso"], shot["country"], shot["admin1"], shot["location"]) == ("368", "Iraq", "Anbar governorate", "Fallujah")
    assert (shot["latitude"], shot["longitude"], shot["geo_precision"]) == ("33.3500", "43.7800", "1")
    assert (shot["fatalities"], shot["timestamp"]) == ("30", "")
    # A type ACLED has no equivalent for: no event type, and the row says so.
    blood = by_id["SITREP-fallujah-blood-taken-2016-06"]
    assert (blood["event_type"], blood["sub_event_type"], blood["disorder_type"]) == ("", "", "")
    assert "sitrep_type=forced_blood_donation; no ACLED equivalent" in blood["tags"]
    # A change of control by a state force, an event: ACLED's "Government regains territory", one actor.
    retaken = by_id["SITREP-shuhada-retaken-2016-06"]
    assert (retaken["sub_event_type"], retaken["interaction"], retaken["actor2"]) == (
        "Government regains territory", "State forces only", "")

    _, [strike] = acled_rows(run_export(sitrep_cli, "acled", "--week", "2016-W25").stdout)
    assert (strike["event_date"], strike["time_precision"]) == ("2016-06-23", "2")  # a week: its Thursday
    assert (strike["latitude"], strike["geo_precision"], strike["location"]) == ("33.3500", "2", "Nameless quarter")
    assert (strike["inter1"], strike["interaction"]) == ("External/Other forces", "Civilians-External/Other forces")
    assert strike["fatalities"] == "5" and "sitrep_fatalities=about 5–9" in strike["tags"]


ACLED_ROW = """\
event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,inter1,\
actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,location,latitude,\
longitude,geo_precision,source,source_scale,notes,fatalities,tags,timestamp
IRQ1234,2016-06-20,2016,1,Political violence,Violence against civilians,Attack,Islamic State (Iraq),,Rebel group,\
Civilians (Iraq),,Civilians,Rebel group-Civilians,Civilian targeting,368,Middle East,Iraq,Al-Anbar,Falluja,,Falluja,\
33.3500,43.7800,1,Shafaq News,National,Gunmen shot two civilians.,2,,1618524706
"""


def test_an_imported_acled_event_goes_back_out_with_its_own_id(ws, sitrep_cli, tmp_path):
    imported = sitrep_cli("import", "acled", write(tmp_path / "acled.csv", ACLED_ROW))
    assert imported.exit_code == 0, imported.output
    _, [row] = acled_rows(run_export(sitrep_cli, "acled", "--week", "2016-W25").stdout)
    assert (row["event_id_cnty"], row["event_date"], row["time_precision"], row["timestamp"]) == (
        "IRQ1234", "2016-06-20", "1", "1618524706")
    assert (row["sub_event_type"], row["fatalities"], row["source"]) == ("Attack", "2", "Shafaq News")
    assert row["notes"] == "Gunmen shot two civilians."


def test_all_exports_every_report_and_week_one(ws, sitrep_cli):
    _, every = acled_rows(run_export(sitrep_cli, "acled", "--all").stdout)
    assert len(every) == len({r["event_id_cnty"] for r in every}) == 20
    assert sum(counts.get("incidents", 0) for counts in SERIES.values()) == 20
    _, one = acled_rows(run_export(sitrep_cli, "acled", "--week", "2015-W31").stdout)
    assert len(one) == 12 and {r["event_id_cnty"] for r in one} < {r["event_id_cnty"] for r in every}
    out = ws / "all-incidents.csv"
    run_export(sitrep_cli, "hxl", "--all", "--kind", "incidents", "-o", out)
    _, rows = hxl_rows(out)
    assert len(rows) == 20 and {r["#date+report"] for r in rows} == {"2015W31", "2016W26"}
    assert sum(r["#date+report"] == "2016W26" for r in rows) == 8
    order = [(r["#date+start"], r["#date+end"], r["#event+id"]) for r in rows]
    assert order == sorted(order)  # by date, then id


# --- JSON ------------------------------------------------------------------------------------------

def resolvable(report: dict) -> None:
    """Every citation points to a line of the sources list, and every line is cited."""
    numbers = [s["number"] for s in report["sources"]]
    assert numbers == list(range(1, len(numbers) + 1))
    cited = {c["source"] for kind in report["facts"].values() for fact in kind for c in fact["citations"]}
    assert cited == set(numbers)


def test_json_is_a_reliefweb_shaped_report_valid_against_its_schema(ws, sitrep_cli):
    validator = report_schema()
    report = json.loads(run_export(sitrep_cli, "json").stdout)
    validator.validate(report)
    resolvable(report)
    rw = report["report"]
    assert rw["title"] == "Fallujah Situation Report No. 2, 27 June – 3 July 2016"
    assert rw["date"]["original"] == "2016-07-03T00:00:00+00:00"
    assert rw["primary_country"] == {"name": "Iraq", "iso3": "irq"} and rw["country"] == [rw["primary_country"]]
    assert rw["format"] == [{"name": "Situation Report"}] and rw["language"] == [{"name": "English", "code": "en"}]
    assert rw["source"][0]["name"] == "sitrep example desk (illustrative, not a real organisation)"
    assert report["sitrep"] | {"crisis": ""} == {"title": "Fallujah Situation Report", "crisis": "", "week": "2016-W26",
                                                 "number": 2, "period": {"start": "2016-06-27", "end": "2016-07-03"},
                                                 "edition": "public"}
    assert {kind: len(facts) for kind, facts in report["facts"].items()} == SERIES["2016-W26"]
    shot = next(i for i in report["facts"]["incidents"] if i["id"] == "fallujah-fleeing-shot-2016-06")
    assert shot["victims"]["killed"] == {"value": 30, "low": None, "high": None, "qualifier": "at_least"}
    first = report["sources"][shot["citations"][0]["source"] - 1]
    assert (first["id"], first["via"], first["date"], first["url"]) == (
        "iraqi-military-spokesman", "NBC News", "2016-06", "https://www.nbcnews.com/")
    # The schema is no formality: a fact with a key it does not know, or without its citations, fails.
    shot["unknown"] = 1
    assert not validator.is_valid(report)
    del shot["unknown"], shot["citations"]
    assert not validator.is_valid(report)


def test_json_of_the_whole_series_is_one_report_per_week(ws, sitrep_cli):
    reports = json.loads(run_export(sitrep_cli, "json", "--all", "--edition", "internal").stdout)
    report_schema().validate(reports)
    assert [r["sitrep"]["week"] for r in reports] == list(SERIES)
    assert [r["sitrep"]["number"] for r in reports] == [1, 2]
    for report in reports:
        resolvable(report)
        counts = {kind: n for kind, facts in report["facts"].items() if (n := len(facts))}
        assert counts == SERIES[report["sitrep"]["week"]]


# --- Editions: withheld means withheld -------------------------------------------------------------

# Restricted sources (every field a marker but the public names), public facts that cite them
# (their citations' notes, URLs and dates markers), and restricted facts of every kind, with a
# place and an actor only they name and a week of their own (2016-W27).
PLANTED = """\
sources:
  - {id: zqx-informant, name: Zqxinformantname, kind: witness, reliability: C, url: "https://example.org/zqxinformanturl",
     description: Zqxinformantdesc, sensitivity: restricted, public_name: A resident of Fallujah}
  - {id: zqx-courier, name: Zqxcouriername, kind: local_source, reliability: D, url: "https://example.org/zqxcourierurl",
     sensitivity: restricted, public_name: Zqxcourieralias}
  - {id: zqx-relay, name: Zqxrelayname, kind: local_source, reliability: C, url: "https://example.org/zqxrelayurl",
     sensitivity: restricted, public_name: A relay contact}
  - {id: zqx-nameless, name: Zqxnamelessname, kind: ngo, reliability: F, sensitivity: restricted}
places:
  - {id: zqx-place, name: Zqxplacename, kind: area, parent: fallujah, pcode: ZQXPCODE, lat: 33.36, lon: 43.79}
actors:
  - {id: zqx-actor, name: Zqxactorname, kind: militia}
figures:
  - id: public-killed-from-an-informant
    metric: civilians_killed
    place: fallujah
    as_of: 2016-06
    value: 45
    unit: people
    cited:
      - {source: zqx-informant, via: zqx-courier, date: 2003-02-19, url: "https://example.org/zqxciteurl",
         credibility: 2, note: Zqxcitenote}
  - id: public-camp-figure-from-a-nameless-source
    metric: people_in_camps
    place: amiriyat-camp
    as_of: 2016-06
    value: 1200
    unit: people
    cited: [{source: zqx-nameless, date: 2016-06-14, credibility: 3, note: Zqxnamelessnote}]
  - id: zqx-restricted-figure
    metric: civilians_trapped
    place: zqx-place
    as_of: 2016-W25
    value: 9876543
    unit: people
    note: Zqxfigurenote
    cited: [{source: zqx-informant, date: 2016-06-22, url: "https://example.org/zqxfigurecite"}]
    sensitivity: restricted
incidents:
  - id: public-incident-from-contacts
    type: movement_restriction
    date: 2016-06
    place: fallujah
    perpetrator: isis
    status: alleged
    summary: Public probe summary, reported by contacts whose identity is withheld.
    cited:
      - {source: zqx-informant, via: fox-news, credibility: 3}
      - {source: ibtimes, via: zqx-relay, date: 2004-03-21, url: "https://example.org/zqxrelaycite", note: Zqxrelaynote}
  - id: zqx-restricted-incident
    type: human_shields
    date: 2016-06
    place: zqx-place
    perpetrator: zqx-actor
    victims: {killed: {value: 8765432}, description: Zqxvictimsdesc}
    status: alleged
    summary: Zqxincidentsummary
    cited: [{source: zqx-courier, note: Zqxincidentcitenote}]
    sensitivity: restricted
  - id: zqx-restricted-only-week
    type: arbitrary_detention
    date: 2016-07-06
    place: zqx-place
    status: alleged
    summary: Zqxonlyweeksummary
    cited: [{source: ibtimes}]
    sensitivity: restricted
routes:
  - id: zqx-restricted-route
    name: Zqxroutename
    origin: fallujah
    destination: zqx-place
    updates:
      - {as_of: 2016-W25, status: closed, controlled_by: [zqx-actor], summary: Zqxrouteupdatesummary,
         cited: [{source: zqx-relay, note: Zqxroutecitenote}]}
    sensitivity: restricted
movements:
  - id: zqx-restricted-movement
    period: 2016-06
    origin: fallujah
    destination: zqx-place
    route: zqx-restricted-route
    count: {value: 7654321}
    summary: Zqxmovementsummary
    cited: [{source: zqx-relay}]
    sensitivity: restricted
"""

# Never in a public export: every planted name, id, note and URL holds 'zqx'; the withheld
# citations' dates; the restricted numbers; the restricted-only week.
SECRETS = ("zqx", "2003-02-19", "2016-06-14", "2004-03-21", "2016-06-22", "9876543", "8765432", "7654321",
           "2016W27", "2016-W27")
# What the internal exports show of them: the search finds what is there.
SHOWN_INTERNALLY = ("zqxinformantname", "zqx-informant", "zqxcitenote", "zqxciteurl", "2003-02-19", "zqxrelaynote",
                    "zqxrelaycite", "2004-03-21", "zqxnamelessname", "zqxplacename", "zqxpcode", "zqxactorname",
                    "9876543", "8765432", "7654321", "zqxincidentsummary", "zqxroutename", "zqxrouteupdatesummary",
                    "zqxmovementsummary", "zqxonlyweeksummary", "2016w27")
PUBLIC_NAMES = ("A resident of Fallujah", "A relay contact", "Unnamed source")


@pytest.fixture
def planted(ws, sitrep_cli) -> Path:
    write(ws / "facts/zz-planted.yaml", PLANTED)
    check = sitrep_cli("check")
    assert check.exit_code == 0, check.output
    return ws


def every_export(sitrep_cli, folder: Path, edition: str) -> dict[str, str]:
    """Every export of the whole series in one edition, by name."""
    run_export(sitrep_cli, "hxl", "--all", "--edition", edition, "-o", folder)
    texts = {path.name: path.read_text(encoding="utf-8") for path in sorted(folder.iterdir())}
    for format in ("acled", "json"):
        texts[format] = run_export(sitrep_cli, format, "--all", "--edition", edition).stdout
    texts["json, latest week"] = run_export(sitrep_cli, "json", "--edition", edition).stdout
    return texts


def test_a_public_export_holds_nothing_restricted_and_an_internal_one_all(planted, sitrep_cli, tmp_path):
    public = every_export(sitrep_cli, tmp_path / "public", "public")
    assert sorted(public) == ["acled", "figures.csv", "incidents.csv", "json", "json, latest week", "movements.csv",
                              "routes.csv"]
    leaks = [(secret, name) for name, text in public.items() for secret in SECRETS if secret in text.lower()]
    assert not leaks, leaks
    # The public facts citing withheld sources are there, crediting them by their public names.
    everything = "\n".join(public.values())
    for shown in ("Public probe summary", "public-killed-from-an-informant", *PUBLIC_NAMES):
        assert shown in everything, shown
    for name in ("incidents.csv", "acled", "json"):
        assert "A resident of Fallujah" in public[name], name
    assert "International Business Times (via A relay contact)" in public["incidents.csv"]  # as the report credits it
    report = json.loads(public["json, latest week"])
    withheld = [s for s in report["sources"] if s["withheld"]]
    assert withheld and all(s["date"] is None and s["url"] is None and s["note"] is None for s in withheld)
    assert {s["name"] for s in withheld} == {"A resident of Fallujah", "Unnamed source", "International Business Times"}
    assert {s["via"] for s in withheld} == {None, "A relay contact"}  # the public outlet a withheld source relayed

    internal = every_export(sitrep_cli, tmp_path / "internal", "internal")
    assert {name for name in internal if name.endswith(".csv")} == {f"{kind}-internal.csv" for kind in KINDS}
    together = "\n".join(internal.values()).lower()
    missing = [marker for marker in SHOWN_INTERNALLY if marker.lower() not in together]
    assert not missing, missing
    # Readable by their owner only, as the internal edition's reports are.
    assert stat.S_IMODE((tmp_path / "internal/incidents-internal.csv").stat().st_mode) == 0o600


# --- Determinism -----------------------------------------------------------------------------------

def test_exports_are_the_same_bytes_every_time_cache_or_not(ws, sitrep_cli, tmp_path):
    def export_all(folder: Path) -> dict[str, bytes]:
        run_export(sitrep_cli, "hxl", "--all", "-o", folder)
        run_export(sitrep_cli, "acled", "--all", "-o", folder / "acled.csv")
        run_export(sitrep_cli, "json", "--all", "-o", folder / "report.json")
        return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}

    first = export_all(tmp_path / "first")  # the store parsed, and the cache written
    assert (ws / ".sitrep-cache").is_dir()
    again = export_all(tmp_path / "again")  # read from the cache
    shutil.rmtree(ws / ".sitrep-cache")
    fresh = export_all(tmp_path / "fresh")
    assert first == again == fresh
    for name, data in first.items():
        assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data, name
        data.decode("utf-8")


# --- Mistakes --------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, message", [
    ({"format": "xml"}, "sitrep exports no format 'xml' (expected one of: hxl, acled, json)"),
    ({"format": "hxl", "kinds": ["areas"]}, "sitrep exports no kind 'areas'"),
    ({"format": "json", "edition": "secret"}, "sitrep exports no edition 'secret'"),
    ({"format": "json", "week": "2016-W26", "all_weeks": True}, "--week and --all do not go together"),
])
def test_the_library_refuses_what_does_not_exist(ws, kwargs, message):
    from sitrep.errors import SitrepError
    from sitrep.exchange.export import export

    with pytest.raises(SitrepError) as refused:
        export("config.yaml", **kwargs)
    assert message in str(refused.value)


@pytest.mark.parametrize("args, message", [
    (("--week", "2016-W20"), "the series has no report for week 2016-W20"),
    (("--week", "2016-20"), "'2016-20' is not an ISO week"),
])
def test_a_week_without_a_report_is_refused(ws, sitrep_cli, args, message):
    refused = sitrep_cli("export", "json", *args)
    assert refused.exit_code == 1 and message in refused.stderr
    assert refused.stdout == "" and "Traceback" not in refused.output


@pytest.mark.parametrize("args", [
    ("xml",),
    ("json", "--edition", "secret"),
    ("json", "--week", "2016-W26", "--all"),
    ("acled", "--kind", "incidents"),
    ("hxl", "--kind", "areas"),
])
def test_a_mistaken_command_line_exits_2(ws, sitrep_cli, args):
    refused = sitrep_cli("export", *args)
    assert refused.exit_code == 2, refused.output
    assert refused.stdout == "" and "Traceback" not in refused.output


def test_a_broken_store_exports_nothing(ws, sitrep_cli, tmp_path):
    places = ws / "facts/places.yaml"
    places.write_text(places.read_text(encoding="utf-8").replace("kind: city", "kind: cty", 1), encoding="utf-8")
    refused = sitrep_cli("export", "hxl", "-o", tmp_path / "out")
    assert refused.exit_code == 1 and "facts/places.yaml:" in refused.stderr
    assert not (tmp_path / "out").exists()


# --- The manual ------------------------------------------------------------------------------------

def test_the_manuals_samples_are_what_the_exports_print(ws, sitrep_cli):
    section = (REPO / "docs/exports.md").read_text(encoding="utf-8")
    blocks = [block.split("\n", 1) for block in section.split("```")[1::2]]
    samples = [body for info, body in blocks if info in ("csv", "json")]
    printed = {format: run_export(sitrep_cli, *args).stdout
               for format, args in (("hxl", ("hxl", "--kind", "incidents")), ("acled", ("acled",)), ("json", ("json",)))}
    assert len(samples) == 3
    for sample, (format, text) in zip(samples, printed.items()):
        lines = sample.rstrip("\n").splitlines()
        assert text.splitlines()[:len(lines)] == lines, format
