"""A dataset's names matched to the store's entries (exchange/matching.py, source/names.py), and
why the rest are proposed (exchange/proposals.py): the Matcher directly, positives and the
negatives that must stay proposals (a wrong match puts numbers on the wrong place), then an
ACLED import of the example workspace through the command line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from support import acled_attacks, acled_file, copy_example, event_rows

from sitrep.exchange import proposals
from sitrep.exchange.matching import Matcher
from sitrep.source.names import actor_key, place_key, trailers_agree
from sitrep.source.schema import Actor, Place, Source

GOVERNORATE = ("governorate",)
DISTRICT = ("district",)
LOCATIONS = ("city", "town", "village", "neighbourhood", "area", "camp", "checkpoint", "crossing")


def place(id, name, kind, lat=None, lon=None, **more) -> Place:
    return Place.model_validate({"id": id, "name": name, "kind": kind, "lat": lat, "lon": lon, **more})


def actor(id, name, kind="armed_group", **more) -> Actor:
    return Actor.model_validate({"id": id, "name": name, "kind": kind, **more})


def matcher(*entries, home: str | None = "iraq") -> Matcher:
    """A matcher of these entries, for a workspace of Iraq (config.yaml's region IQ)."""
    return Matcher({e.id: e for e in entries if isinstance(e, Place)}, {e.id: e for e in entries if isinstance(e, Actor)},
                   {e.id: e for e in entries if isinstance(e, Source)}, home=home)


def why(m: Matcher, kind: str, entry_id: str) -> str:
    return proposals.why(m, kind, getattr(m, kind)[entry_id])


ANBAR = place("anbar", "Anbar governorate", "governorate", 32.55, 41.92, aliases=["Al-Anbar"])


# --- Places: aliases, names as datasets write them, and what must not match -----------------------

def test_an_alias_matches_as_a_name_folded_and_a_pcode_among_aliases_as_the_pcode():
    m = matcher(place("fallujah", "Fallujah", "city", 33.35, 43.78, aliases=["Falluja", "IQG01Q02"]))
    assert m.place("  FALLUJA ", 33.36, 43.79, "town", None, kinds=LOCATIONS) == "fallujah"
    assert m.place("Falūjā", 33.36, 43.79, "town", None, kinds=LOCATIONS) != "fallujah"  # another spelling: not an alias
    assert m.place("Fallujah district", None, None, "district", None, "IQG01Q02", kinds=DISTRICT) == "fallujah"


@pytest.mark.parametrize("name", ["Anbar", "Al-Anbar", "Al Anbar", "AL ANBAR", "Anbar Governorate",
                                  "Muhafazat al-Anbar", "Governorate of Anbar", "Anbar province", "El-Anbar"])
def test_a_governorate_is_matched_without_its_generic_word_and_article(name):
    assert matcher(ANBAR).place(name, None, None, "governorate", None, kinds=GOVERNORATE) == "anbar"


def test_only_the_generic_words_of_the_kinds_matched_are_dropped():
    m = matcher(ANBAR)
    assert m.place("Anbar Governorate", None, None, "governorate", None, kinds=GOVERNORATE) == "anbar"
    for name in ("Anbar district", "Anbar city", "Anbari", "Anba", "Al-Anbar Qadaa"):
        assert m.place(name, None, None, "governorate", None, kinds=GOVERNORATE) != "anbar", name


def test_without_kinds_a_name_is_matched_as_written_only():
    m = matcher(ANBAR)
    assert m.place("Anbar", None, None, "governorate", None) != "anbar"
    assert m.place("al-anbar", None, None, "governorate", None) == "anbar"  # the alias, folded


def test_two_places_anbar_of_different_kinds_each_get_their_own_rows():
    district = place("anbar-district", "Anbar", "district")
    m = matcher(ANBAR, district)
    assert m.place("Anbar", None, None, "governorate", None, kinds=GOVERNORATE) == "anbar"
    assert m.place("Anbar", None, None, "district", None, kinds=DISTRICT) == "anbar-district"
    assert m.place("Al-Anbar Qadaa", None, None, "district", None, kinds=DISTRICT) == "anbar-district"


def test_haditha_the_town_is_not_haditha_the_district():
    town = place("haditha", "Haditha", "town", 34.14, 42.38)
    m = matcher(town)
    proposed = m.place("Haditha", None, None, "district", "anbar", "IQG01Q03", kinds=DISTRICT)
    assert proposed != "haditha" and proposed in m.proposed["places"]
    assert why(m, "places", proposed) == "closest: Haditha (haditha), a town (kind differs: a district was wanted)"
    district = place("haditha-district", "Haditha district", "district")
    m = matcher(town, district)
    assert m.place("Haditha", None, None, "district", None, kinds=DISTRICT) == "haditha-district"
    assert m.place("Haditha", 34.141, 42.381, "town", None, kinds=LOCATIONS) == "haditha"
    assert m.place("Haditha District", 34.20, 42.30, "area", None, kinds=LOCATIONS) not in ("haditha", "haditha-district")


def test_karma_is_not_karmah_but_named_as_the_closest():
    karmah = place("karmah", "Karmah", "town", 33.40, 43.91)
    m = matcher(ANBAR, karmah)
    proposed = m.place("Karma", 33.42, 43.93, "town", "anbar", kinds=LOCATIONS)
    assert proposed == "place.karma.anbar"
    assert why(m, "places", proposed) == ("closest: Karmah (karmah), a town (name differs: 'Karma', 3 km away); "
                                          "add 'Karma' to its aliases to match")
    far = m.place("Nowhere", 33.0, 42.0, "village", "anbar", kinds=LOCATIONS)
    assert why(m, "places", far) == "no place of the store is named alike"


def test_a_place_of_the_same_name_too_far_another_pcode_or_without_coordinates_says_so():
    m = matcher(place("hit", "Hit", "town", 33.64, 42.83), place("rutba", "Rutba", "town"),
                place("qaim", "Al-Qaim district", "district", pcode="IQG01Q04"))
    assert why(m, "places", m.place("Hit", 34.20, 42.30, "town", None, kinds=LOCATIONS)) == \
        "closest: Hit (hit), a town (79 km away: the same name matches within 25 km)"
    assert why(m, "places", m.place("Rutba", 33.04, 40.28, "town", None, kinds=LOCATIONS)).endswith(
        "(it has no coordinates to compare with the row's; add lat: and lon:)")
    assert why(m, "places", m.place("Qaim", None, None, "district", None, "IQG01Q09", kinds=DISTRICT)) == \
        "closest: Al-Qaim district (qaim), a district (P-code differs: IQG01Q04, not the row's IQG01Q09)"


def test_two_places_one_alias_are_not_chosen_between_and_an_exact_alias_beats_a_folded_name():
    other = place("anbar-2", "Anbar (old boundaries)", "governorate", aliases=["Anbar"])
    assert matcher(ANBAR, other).place("Anbar", None, None, "governorate", None, kinds=GOVERNORATE) == "anbar-2"
    m = matcher(ANBAR.model_copy(update={"aliases": ["Anbar"]}), other)
    proposed = m.place("Anbar", None, None, "governorate", None, kinds=GOVERNORATE)
    assert proposed not in ("anbar", "anbar-2")
    assert why(m, "places", proposed) == ("ambiguous: 'Anbar' names Anbar governorate (anbar) and Anbar (old "
                                          "boundaries) (anbar-2), of the same kind; an import will not choose: "
                                          "keep the name or alias on one of them")


def test_the_stores_own_place_wins_over_an_earlier_proposal_of_the_same_name():
    held = place("place.al-anbar", "Al Anbar", "governorate")
    m = Matcher.for_import({"places": {"anbar": ANBAR}, "actors": {}, "sources": {}},
                           {"places": [held], "actors": [], "sources": []})
    assert m.place("Al Anbar", None, None, "governorate", None, kinds=GOVERNORATE) == "anbar"
    assert why(m, "places", "place.al-anbar") == ("the store's Anbar governorate (anbar) now matches it: "
                                                  "import the file again to use it")


# --- Countries ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, code", [("Iraq", "IRQ"), ("Republic of Iraq", "IRQ"), ("IRAQ", None), ("Irak", None),
                                        ("Iraq", "368"), ("Iraq", "IQ"), ("العراق", None)])
def test_a_country_is_matched_by_its_iso_codes_name_or_alias_without_a_pcode(name, code):
    iraq = place("iraq", "Iraq", "country", 33.2, 43.7, names={"ar": "العراق", "fr": "Irak"})
    assert matcher(iraq).place(name, None, None, "country", None, code, kinds=("country",)) == "iraq"


def test_another_country_is_proposed_with_its_code_and_a_pcode_matches_first():
    iraq = place("iraq", "Iraq", "country", pcode="IRQ")
    m = matcher(iraq, place("kenya", "Kenya", "country", aliases=["KEN"]))
    assert m.place("Iraq", None, None, "country", None, "IRQ", kinds=("country",)) == "iraq"
    assert m.place("Kenya Republic", None, None, "country", None, "KEN", kinds=("country",)) == "kenya"
    syria = m.place("Syria", None, None, "country", None, "SYR", kinds=("country",))
    assert m.places[syria].pcode == "SYR" and syria in m.proposed["places"]
    assert m.place("Iraq", None, None, "country", None, "SYR", kinds=("country",)) == syria  # the code decides


# --- Actors ---------------------------------------------------------------------------------------

ISIS = actor("isis", "Islamic State (ISIS)", aliases=["ISIL", "Daesh"])
FORCES = actor("isf", "Iraqi security forces", "state_force", aliases=["Military Forces of Iraq (2014-2018)"])


@pytest.mark.parametrize("name", ["Islamic State (Iraq)", "Islamic State", "islamic  STATE"])
def test_an_actor_is_matched_without_acleds_trailer(name):
    m = matcher(ISIS, FORCES)
    assert m.actor(name, "armed_group") == "isis"
    assert m.actor("DAESH", "armed_group") == m.actor("isil", "armed_group") == "isis"  # aliases, folded


@pytest.mark.parametrize("name", ["Islamic State (Afghanistan)", "Islamic State (Syria)"])
def test_acleds_branch_of_another_country_is_not_the_stores_unqualified_actor(name):
    # In an Iraq workspace the store's 'Islamic State (ISIS)' is the Iraqi one; ACLED's Afghan
    # branch (ISKP) is another group: proposed, never matched, and a person decides.
    m = matcher(ISIS, FORCES)
    proposed = m.actor(name, "armed_group")
    assert proposed != "isis" and proposed in m.proposed["actors"]
    assert matcher(ISIS, FORCES, home="afghanistan").actor("Islamic State (Afghanistan)", "armed_group") == "isis"
    assert matcher(ISIS, FORCES, home=None).actor("Islamic State (Iraq)", "armed_group") != "isis"  # no region: none


def test_acleds_state_forces_match_only_through_an_alias_of_that_period():
    m = matcher(ISIS, FORCES)
    assert m.actor("Military Forces of Iraq (2014-2018)", "state_force") == "isf"
    open_ended = m.actor("Military Forces of Iraq (2014-)", "state_force")
    assert open_ended not in ("isf", "isis")
    assert why(m, "actors", open_ended) == (
        "closest: Iraqi security forces (isf), a state_force ('Military Forces of Iraq (2014-2018)' is of another "
        "country or period); add 'Military Forces of Iraq (2014-)' to its aliases if it is the same")
    police = m.actor("Police Forces of Iraq (2014-2018)", "state_force")
    # Alike (difflib's 0.84) but another word, not another spelling: no closest is named.
    assert police != "isf" and why(m, "actors", police).startswith("no actor of the store is named alike")
    ethiopia = m.actor("Military Forces of Ethiopia (2018-)", "state_force")
    assert why(m, "actors", ethiopia).startswith("no actor of the store is named alike")
    assert why(m, "actors", m.actor("Kurdistan Workers Party", "armed_group")) == (
        "no actor of the store is named alike; if it is one of them, add 'Kurdistan Workers Party' to its aliases")


def test_an_unidentified_group_of_one_country_is_not_anothers():
    m = matcher(actor("uag-iraq", "Unidentified Armed Group (Iraq)"))
    assert m.actor("Unidentified Armed Group (Syria)", "armed_group") != "uag-iraq"
    assert m.actor("Unidentified Armed Group", "armed_group") == "uag-iraq"


def test_a_source_one_letter_off_in_an_acronym_is_not_named_closest_but_a_misspelling_is():
    m = matcher(Source.model_validate({"id": "nbc-news", "name": "NBC News", "kind": "media", "reliability": "B"}))
    assert why(m, "sources", m.source("BBC News")) == "no source of the store is named alike"
    assert why(m, "sources", m.source("NBC Nwes")) == ("closest: NBC News (nbc-news) (name differs: 'NBC Nwes'); if it "
                                                       "is the same, name it 'NBC Nwes' in the store or give it the "
                                                       "proposal's id")


def test_a_misspelt_actor_is_proposed_with_the_closest_named():
    m = matcher(ISIS, FORCES)
    proposed = m.actor("Islamic Sate", "armed_group")
    assert proposed != "isis"
    assert why(m, "actors", proposed) == ("closest: Islamic State (ISIS) (isis), an armed_group (name differs: "
                                          "'Islamic Sate'); add 'Islamic Sate' to its aliases to match")


def test_the_folding_rules():
    words = frozenset({"governorate", "of"})
    assert place_key("Al-Anbar Governorate", words) == place_key("Anbar", words) == "anbar"
    assert place_key("Amiriyat al-Fallujah", frozenset()) == "amiriyat fallujah"
    assert place_key("Al", words) == "al" and place_key("Governorate", words) == "governorate"  # never emptied
    assert place_key("Al-Ka'im", frozenset()) == "kaim"
    assert actor_key("Islamic State (Iraq)") == ("islamic state", "iraq")
    assert actor_key("Military Forces of Iraq (2022-) Peshmerga") == ("military forces of iraq (2022-) peshmerga", "")
    assert trailers_agree("iraq", "isis", "iraq") and trailers_agree("", "2014-")
    assert not trailers_agree("iraq", "syria") and not trailers_agree("2014-", "2014-2018")
    assert not trailers_agree("afghanistan", "isis", "iraq") and not trailers_agree("iraq", "", None)


# --- proposed.yaml and the summary, through the command line --------------------------------------

WEEK = dict(start=dt.date(2016, 6, 27), end=dt.date(2016, 7, 3))


@pytest.fixture
def ws(tmp_path):
    return copy_example(tmp_path / "ws")


def test_an_acled_import_matches_the_examples_anbar_and_islamic_state_and_says_why_it_proposes(ws: Path, sitrep_cli):
    rows = acled_attacks(4, 7, **WEEK)
    rows[0].update(admin1="Anbar", location="Falluja", latitude="33.3500", longitude="43.7833",
                   actor1="Islamic State (Iraq)", inter1="Rebel group")
    rows[1].update(admin1="Al Anbar", location="Amiriyat al-Falluja", latitude="33.1500", longitude="43.8700",
                   actor1="Military Forces of Iraq (2014-)", inter1="State forces")
    rows[2].update(admin1="Anbar Governorate", location="Saqlawiyeh", latitude="33.3600", longitude="43.7100",
                   actor1="Military Forces of Iraq (2018-)", inter1="State forces")
    rows[3].update(admin1="Baghdad", location="Nowhere Village", latitude="33.2000", longitude="44.1000",
                   actor1="Islamic Sate", inter1="Rebel group")
    acled_file(ws / "a.csv", rows)
    result = sitrep_cli("import", "acled", ws / "a.csv", "--config", ws / "config.yaml")
    assert result.exit_code == 0, result.stderr
    matched = dict(event_rows(ws, "record, place"))
    perpetrators = dict(event_rows(ws, "record, perpetrator"))
    ids = [r["event_id_cnty"] for r in rows]
    assert (matched[ids[0]], perpetrators[ids[0]]) == ("fallujah", "isis")
    assert perpetrators[ids[1]] == "iraqi-security-forces"  # the example's alias of ACLED's name
    text = (ws / "bulk/proposed.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    places = {p["name"]: p for p in data["places"]}
    assert places["Amiriyat al-Falluja"]["parent"] == "anbar" and places["Saqlawiyeh"]["parent"] == "anbar"
    assert "Anbar" not in places and "Anbar Governorate" not in places and "Al Anbar" not in places
    assert places["Baghdad"]["kind"] == "governorate"  # not the example's city of Baghdad
    # Each proposal under its reason, in proposed.yaml and (the first few) in the summary.
    assert ("  # closest: Amiriyat al-Fallujah (amiriyat-al-fallujah), a town (name differs: 'Amiriyat al-Falluja', "
            "8 km away); add 'Amiriyat al-Falluja' to its aliases to match\n"
            "  - id: place.amiriyat-al-falluja.anbar\n") in text
    assert "  # closest: Saqlawiyah (saqlawiyah), a town (name differs: 'Saqlawiyeh', 5 km away)" in text
    assert ("  # closest: Baghdad (baghdad), a city (kind differs: a governorate was wanted)\n"
            "  - id: place.baghdad.iraq\n") in text  # under the store's Iraq, ACLED's country
    assert ("  # closest: Iraqi security forces (iraqi-security-forces), a state_force ('Military Forces of Iraq "
            "(2014-2018)' is of another country or period); add 'Military Forces of Iraq (2018-)' to its aliases "
            "if it is the same\n  - id: actor.military-forces-of-iraq-2018\n") in text
    assert "  # no place of the store is named alike\n  - id: place.nowhere-village.baghdad\n" in text
    summary = result.stdout
    assert ("    place place.amiriyat-al-falluja.anbar: closest: Amiriyat al-Fallujah (amiriyat-al-fallujah), a town"
            in summary)
    assert "    actor actor.islamic-sate: closest: Islamic State (ISIS) (isis), an armed_group" in summary
    assert len([line for line in summary.splitlines() if line.startswith("    ")]) == proposals.SUMMARY_REASONS
    assert "no place of the store is named alike" not in summary  # only those naming an entry


def test_adding_the_name_to_an_alias_matches_it_on_the_next_import(ws: Path, sitrep_cli):
    rows = acled_attacks(1, 8, **WEEK)
    rows[0].update(admin1="Anbar", location="Saqlawiyeh", latitude="33.3600", longitude="43.7100")
    acled_file(ws / "a.csv", rows)
    assert sitrep_cli("import", "acled", ws / "a.csv", "--config", ws / "config.yaml").exit_code == 0
    assert dict(event_rows(ws, "record, place"))[rows[0]["event_id_cnty"]] == "place.saqlawiyeh.anbar"
    places = ws / "facts/places.yaml"
    places.write_text(places.read_text(encoding="utf-8").replace(
        "    names: {ar: الصقلاوية, fr: Saqlawiya}\n", "    names: {ar: الصقلاوية, fr: Saqlawiya}\n    aliases: [Saqlawiyeh]\n"),
        encoding="utf-8")
    again = sitrep_cli("import", "acled", ws / "a.csv", "--config", ws / "config.yaml")
    assert again.exit_code == 0 and dict(event_rows(ws, "record, place"))[rows[0]["event_id_cnty"]] == "saqlawiyah"
    assert ("  # the store's Saqlawiyah (saqlawiyah) now matches it: import the file again to use it\n"
            in (ws / "bulk/proposed.yaml").read_text(encoding="utf-8"))


def test_the_summary_names_the_first_reasons_then_counts_the_rest():
    ids = [f"place.p{i}" for i in range(8)]
    why_of = {"places": {pid: (f"closest: P{i} (p{i}), a town" if i != 3 else "no place of the store is named alike")
                         for i, pid in enumerate(ids)}}
    lines = proposals.summary_lines({"places": ids, "actors": [], "sources": []}, why_of, dry_run=False)
    assert lines[0] == "    place place.p0: closest: P0 (p0), a town"
    assert [line.split(":")[0].split()[-1] for line in lines[:5]] == ["place.p0", "place.p1", "place.p2", "place.p4",
                                                                        "place.p5"]
    assert lines[5:] == ["    and 2 more like them, each with its reason in proposed.yaml"]
    assert proposals.summary_lines({"places": ids}, why_of, dry_run=True)[5:] == ["    and 2 more like them"]
