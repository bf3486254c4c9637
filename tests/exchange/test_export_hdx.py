"""The exports as HDX reads them (issue 24): HXL hashtags as HDX's own conflict and displacement
files use them, a country per row found from the row's place (or the country ACLED coded), and an
imported event's sources in ACLED's order. Each export is made as a user makes it, on a copy of
the example workspace, and read back as the tools it is for read it (libhxl, csv, JSON Schema)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import hxl
import jsonschema
import pytest
from hxl.input import InputOptions

from sitrep.exchange import acled
from sitrep.exchange.json_export import REPORT_SCHEMA
from sitrep.exchange.places import Country, coded_country, country_named, locate, place_country
from sitrep.source.schema import Place
from support import write

KINDS = ("incidents", "figures", "routes", "movements")


@pytest.fixture
def ws(workspace: Path, monkeypatch) -> Path:
    monkeypatch.chdir(workspace)
    return workspace


def run(sitrep_cli, *args) -> str:
    result = sitrep_cli(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def hxl_table(path: Path) -> hxl.model.Dataset:
    return hxl.data(str(path), InputOptions(allow_local=True)).cache()


def acled_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# --- HXL tags as HDX uses them -----------------------------------------------------------------------

# Admin areas with P-codes, displaced people counted in people and in families, and a range.
HDX_FACTS = """\
places:
  - {id: zz-district, name: Zz district, kind: district, parent: anbar, pcode: IQG01D99, lat: 33.30, lon: 43.70}
  - {id: zz-village, name: Zz village, kind: village, parent: zz-district, pcode: IQG01D99V01}
figures:
  - {id: zz-idps, metric: people_displaced, place: zz-village, as_of: 2016-06-28, value: 1250, unit: people,
     cited: [{source: ibtimes}]}
  - {id: zz-idps-range, metric: people_displaced, place: zz-district, as_of: 2016-06-28, low: 3000, high: 4000,
     qualifier: about, unit: people, cited: [{source: ibtimes}]}
  - {id: zz-idp-families, metric: people_displaced, place: zz-district, as_of: 2016-06-28, value: 80, unit: families,
     cited: [{source: ibtimes}]}
incidents:
  - {id: zz-shelling, type: attack_on_civilians, date: 2016-06-28, place: zz-village, perpetrator: isis,
     status: alleged, summary: Shells hit a market., cited: [{source: ibtimes}]}
  - {id: zz-clash, type: military_operation, date: 2016-06-29, place: zz-district, perpetrator: iraqi-security-forces,
     victims: {fatalities: {value: 12}}, status: alleged, summary: A clash., cited: [{source: ibtimes}]}
"""


@pytest.fixture
def hdx_ws(ws) -> Path:
    places = ws / "facts/places.yaml"
    text = places.read_text(encoding="utf-8")
    places.write_text(text.replace("kind: governorate\n", "kind: governorate\n    pcode: IQG01\n", 1), encoding="utf-8")
    write(ws / "facts/zz-hdx.yaml", HDX_FACTS)
    return ws


def test_libhxl_finds_hdx_tags_in_every_table_and_validation_stays_clean(hdx_ws, sitrep_cli, tmp_path):
    run(sitrep_cli, "export", "hxl", "--all", "-o", tmp_path / "hxl")
    tables = {kind: hxl_table(tmp_path / "hxl" / f"{kind}.csv") for kind in KINDS}
    for kind, data in tables.items():
        errors = []
        hxl.schema(callback=errors.append).validate(data)
        assert not [e for e in errors if e.rule.severity == "error"], (kind, [(e.message, e.value) for e in errors])
        assert data.get_value_set("#country+code") <= {"IRQ"}, kind  # every row has its country

    incidents = {row.get("#event+id"): row for row in tables["incidents"]}
    shelling = incidents["zz-shelling"]
    # A tool written for HDX's ACLED files asks for actor1 as #group+name+first: it finds the perpetrator.
    assert shelling.get("#group+name+first") == shelling.get("#group+perp+name") == "Islamic State (ISIS)"
    assert shelling.get("#group+perp+type") == "armed_group"
    assert not [c for c in tables["incidents"].columns if c.tag == "#org"]  # perpetrators are no organisations
    assert (shelling.get("#adm1+name"), shelling.get("#adm1+code")) == ("Anbar governorate", "IQG01")
    assert (shelling.get("#adm2+name"), shelling.get("#adm2+code")) == ("Zz district", "IQG01D99")
    assert (shelling.get("#loc+code"), shelling.get("#country+code")) == ("IQG01D99V01", "IRQ")
    # Deaths of uncoded civilian status: in their own columns, never among the civilians killed.
    clash = dict(zip([c.display_tag for c in tables["incidents"].columns], incidents["zz-clash"].values))
    assert (clash["#affected+killed+status_uncoded"], clash["#affected+killed"]) == ("12", "")
    # An area above the district: its governorate's code, no district.
    fleeing = incidents["fallujah-fleeing-shot-2016-06"]
    assert (fleeing.get("#adm1+code"), fleeing.get("#adm2+code")) == ("IQG01", None)  # libhxl: None for empty

    figures = {row.get("#meta+id"): row for row in tables["figures"]}
    assert (figures["zz-idps"].get("#affected+idps"), figures["zz-idps"].get("#indicator+num")) == ("1250", "1250")
    # A range leaves the count empty, as #indicator+num does (its ends are +min and +max); families are no people.
    assert (figures["zz-idps-range"].get("#affected+idps"), figures["zz-idps-range"].get("#indicator+num+min")) == (
        None, "3000")
    assert figures["zz-idp-families"].get("#affected+idps") is None
    assert figures["fallujah-trapped-2016-06"].get("#affected+idps") is None  # another metric
    assert sum(int(v) for v in tables["figures"].get_value_set("#affected+idps") if v) == 1250

    routes = list(tables["routes"])
    assert {r.get("#group+name+control") for r in routes} >= {"Islamic State (ISIS)"}
    assert not [c for c in tables["routes"].columns if c.tag == "#org"]


def test_deaths_of_uncoded_civilian_status_are_in_every_export_and_never_civilians_killed(hdx_ws, sitrep_cli):
    rows = {r["event_id_cnty"]: r for r in acled_csv(run(sitrep_cli, "export", "acled", "--all"))}
    assert rows["SITREP-zz-clash"]["fatalities"] == "12"
    reports = json.loads(run(sitrep_cli, "export", "json", "--all"))
    jsonschema.Draft202012Validator(json.loads(REPORT_SCHEMA.read_text(encoding="utf-8"))).validate(reports)
    clash = next(i for r in reports for i in r["facts"]["incidents"] if i["id"] == "zz-clash")
    assert clash["victims"]["fatalities"]["value"] == 12 and clash["victims"]["killed"] is None


# --- A country per row -------------------------------------------------------------------------------

# ACLED's current export (acled.COLUMNS) of two invented Kenyan events, imported into the example's
# Iraq workspace: each keeps the country ACLED coded (Kenya, ISO 3166 numeric 404) in every export.
KENYA = (",".join(acled.COLUMNS) + "\n" + """\
KEN9901,2016-06-21,2016,1,Political violence,Violence against civilians,Attack,Unidentified Armed Group (Kenya),,\
Political militia,Civilians (Kenya),,Civilians,Political militia-Civilians,Civilian targeting,404,Eastern Africa,\
Kenya,Nairobi,Starehe,,Nairobi-Starehe,-1.2833,36.8167,1,The Star (Kenya); Nation (Kenya),National,\
Gunmen shot a trader at a market.,1,,1618524706
KEN9902,2016-06-22,2016,2,Political violence,Battles,Armed clash,Police Forces of Kenya (2013-2022),,State forces,\
Unidentified Armed Group (Kenya),,Political militia,State forces-Political militia,,404,Eastern Africa,Kenya,\
Mandera,Mandera East,,Mandera,3.9366,41.8670,2,Radio Citizen; The Star (Kenya); Kenya News Agency,Subnational,\
Police and gunmen exchanged fire near a well.,3,,1618524800
""")


@pytest.fixture
def kenya_ws(ws, sitrep_cli) -> Path:
    run(sitrep_cli, "import", "acled", write(ws / "kenya.csv", KENYA))
    return ws


def test_kenyan_rows_in_an_iraq_workspace_say_kenya_in_every_export(kenya_ws, sitrep_cli, tmp_path):
    run(sitrep_cli, "export", "hxl", "--all", "--kind", "incidents", "-o", tmp_path / "incidents.csv")
    incidents = {row.get("#event+id"): row for row in hxl_table(tmp_path / "incidents.csv")}
    for record in ("acled-ken9901", "acled-ken9902"):
        assert (incidents[record].get("#country+code"), incidents[record].get("#country+name")) == ("KEN", "Kenya")
    assert incidents["fallujah-fleeing-shot-2016-06"].get("#country+code") == "IRQ"  # a curated one: Iraq

    rows = {r["event_id_cnty"]: r for r in acled_csv(run(sitrep_cli, "export", "acled", "--all"))}
    assert (rows["KEN9901"]["iso"], rows["KEN9901"]["country"]) == ("404", "Kenya")
    assert (rows["SITREP-fallujah-fleeing-shot-2016-06"]["iso"], rows["SITREP-fallujah-fleeing-shot-2016-06"]["country"]) \
        == ("368", "Iraq")

    reports = json.loads(run(sitrep_cli, "export", "json", "--all"))
    schema = jsonschema.Draft202012Validator(json.loads(REPORT_SCHEMA.read_text(encoding="utf-8")))
    schema.validate(reports)
    week = next(r for r in reports if any(i["id"] == "acled-ken9901" for i in r["facts"]["incidents"]))
    shot = next(i for i in week["facts"]["incidents"] if i["id"] == "acled-ken9901")
    assert shot["place"]["country"] == {"name": "Kenya", "iso3": "KEN"}
    # ReliefWeb's countries: the workspace's region first (its primary country), then Kenya.
    assert week["report"]["primary_country"] == {"name": "Iraq", "iso3": "irq"}
    assert {"name": "Kenya", "iso3": "ken"} in week["report"]["country"]


def test_a_country_acled_names_otherwise_than_cldr_is_one_country_of_the_report(ws, sitrep_cli):
    config = ws / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("region: IQ", "region: CD"), encoding="utf-8")
    congo = KENYA.splitlines()[0] + "\n" + KENYA.splitlines()[1].replace(",404,Eastern Africa,Kenya,", (
        ",180,Middle Africa,Democratic Republic of Congo,")).replace("KEN9901", "DRC9901") + "\n"
    run(sitrep_cli, "import", "acled", write(ws / "congo.csv", congo))
    report = json.loads(run(sitrep_cli, "export", "json", "--week", "2016-W25"))
    [event] = [i for i in report["facts"]["incidents"] if i["id"] == "acled-drc9901"]
    assert event["place"]["country"] == {"name": "Democratic Republic of Congo", "iso3": "COD"}  # ACLED's name
    assert report["report"]["country"] == [{"name": "Congo - Kinshasa", "iso3": "cod"}]  # once, CLDR's name


def test_curated_entries_take_their_country_from_their_places_parents_not_the_region(ws, sitrep_cli, tmp_path):
    config = ws / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("region: IQ", "region: JO"), encoding="utf-8")
    write(ws / "facts/zz-nowhere.yaml", """\
places:
  - {id: zz-unplaced, name: Zz unplaced, kind: town, lat: 31.9, lon: 35.9}
incidents:
  - {id: zz-unplaced-raid, type: arbitrary_detention, date: 2016-06-28, place: zz-unplaced, status: alleged,
     summary: A raid., cited: [{source: ibtimes}]}
""")
    run(sitrep_cli, "export", "hxl", "--all", "-o", tmp_path / "hxl")
    incidents = {row.get("#event+id"): row for row in hxl_table(tmp_path / "hxl/incidents.csv")}
    shot = incidents["fallujah-fleeing-shot-2016-06"]
    assert (shot.get("#country+code"), shot.get("#country+name")) == ("IRQ", "Iraq")  # from the `iraq` place
    unplaced = incidents["zz-unplaced-raid"]  # no country among its parents: config.yaml's region
    assert (unplaced.get("#country+code"), unplaced.get("#country+name")) == ("JOR", "Jordan")
    route = next(iter(hxl_table(tmp_path / "hxl/routes.csv")))
    assert route.get("#country+code") == "IRQ"  # its origin's

    rows = {r["event_id_cnty"]: r for r in acled_csv(run(sitrep_cli, "export", "acled", "--all"))}
    shot_row = rows["SITREP-fallujah-fleeing-shot-2016-06"]
    assert (shot_row["iso"], shot_row["country"], shot_row["actor2"]) == ("368", "Iraq", "Civilians (Iraq)")
    assert (rows["SITREP-zz-unplaced-raid"]["iso"], rows["SITREP-zz-unplaced-raid"]["country"]) == ("400", "Jordan")

    report = json.loads(run(sitrep_cli, "export", "json", "--week", "2016-W26"))
    place = next(f for f in report["facts"]["incidents"] if f["id"] == "fallujah-fleeing-shot-2016-06")["place"]
    assert place["country"] == {"name": "Iraq", "iso3": "IRQ"}
    assert report["report"]["country"] == [{"name": "Jordan", "iso3": "jor"}, {"name": "Iraq", "iso3": "irq"}]


def test_a_country_place_is_read_by_its_code_name_or_alias():
    def country(**fields) -> Country:
        return place_country(Place.model_validate({"id": "c", "kind": "country", **fields}))

    assert country(name="Iraq") == Country("Iraq", "IRQ", "368")
    assert country(name="Somewhere", pcode="KEN") == Country("Kenya", "KEN", "404")  # as an import proposes it
    assert country(name="Republic of Iraq", aliases=["Irak", "Iraq"]) == Country("Iraq", "IRQ", "368")
    assert country(name="Zzland") == Country("Zzland", "", "")  # unknown to CLDR: its name, no codes
    assert country_named("4") == country_named("004") == country_named("AFG") == country_named("af")
    assert country_named("Narnia") is None
    # ACLED's coding: the code's country under ACLED's name; a name alone when the code is unknown.
    assert coded_country("180", "Democratic Republic of Congo") == Country("Democratic Republic of Congo", "COD", "180")
    assert coded_country("", "Kenya") == Country("Kenya", "KEN", "404")
    assert coded_country("", "") is None


def test_locate_gives_the_admin_codes_and_the_region_only_without_a_country(ws):
    from sitrep.pipeline import Workspace

    store = Workspace.load(ws / "config.yaml").store
    jordan = Country("Jordan", "JOR", "400")
    fallujah = locate(store, "fallujah", jordan)
    assert (fallujah.country, fallujah.admin1, fallujah.admin1_code) == (Country("Iraq", "IRQ", "368"), "Anbar governorate", "")
    assert locate(store, "iraq", jordan).country == Country("Iraq", "IRQ", "368")  # a country is its own


# --- Sources in ACLED's order --------------------------------------------------------------------------

def test_an_imported_file_goes_back_out_as_acled_coded_it_sources_in_their_order(kenya_ws, sitrep_cli):
    exported = {r["event_id_cnty"]: r for r in acled_csv(run(sitrep_cli, "export", "acled", "--all"))}
    for original in acled_csv(KENYA):
        row = exported[original["event_id_cnty"]]
        # Every column as the file has it: "The Star (Kenya); Nation (Kenya)", not sorted.
        assert {c: row[c] for c in acled.COLUMNS} == original, original["event_id_cnty"]
    assert exported["KEN9902"]["source"] == "Radio Citizen; The Star (Kenya); Kenya News Agency"
