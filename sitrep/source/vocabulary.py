"""The controlled vocabularies of the store: every code an analyst may write, with the label
a reader sees. docs/store.md lists them (a test keeps the two in step)."""

from __future__ import annotations

from dataclasses import dataclass

from sitrep.language import N_, NP_  # marks labels for the message catalogues; translated where printed


@dataclass(frozen=True)
class IncidentType:
    label: str
    category: str  # "abuse": documented against civilians; "event": context (fighting, control)
    description: str


INCIDENT_TYPES: dict[str, IncidentType] = {
    # Abuses against civilians.
    "killing_of_fleeing_civilians": IncidentType(
        N_("Killing or shooting of fleeing civilians"), "abuse", N_("Civilians shot at, wounded or killed while trying to leave.")),
    "human_shields": IncidentType(
        N_("Use of civilians as human shields"), "abuse", N_("Civilians kept or moved near fighters or targets to deter attack.")),
    "forced_blood_donation": IncidentType(
        N_("Forced blood donation"), "abuse", N_("Civilians made to give blood, typically for wounded fighters.")),
    "explosive_devices_in_civilian_sites": IncidentType(
        N_("Explosive devices in homes and public buildings"), "abuse",
        N_("Improvised explosive devices or booby traps placed in homes, mosques, schools or on roads civilians use.")),
    "property_confiscation": IncidentType(
        N_("Confiscation of property"), "abuse", N_("Homes, land, money or goods seized from civilians.")),
    "movement_restriction": IncidentType(
        N_("Preventing civilians from leaving"), "abuse",
        N_("Civilians stopped, threatened or punished for trying to leave; families forced to stay.")),
    "denial_of_food_or_medical_care": IncidentType(
        N_("Denial of food or medical care"), "abuse", N_("Civilians deprived of food, water, medicine or treatment.")),
    "arbitrary_detention": IncidentType(
        N_("Arbitrary detention or abduction"), "abuse", N_("Civilians held without legal basis, abducted or disappeared.")),
    "torture_or_ill_treatment": IncidentType(
        N_("Torture or ill-treatment"), "abuse", N_("Beatings, torture or degrading treatment of civilians or detainees.")),
    "sexual_violence": IncidentType(
        N_("Sexual violence"), "abuse", N_("Rape or other sexual violence.")),
    "forced_recruitment": IncidentType(
        N_("Forced recruitment"), "abuse", N_("Civilians, including children, forced to fight or serve an armed group.")),
    "attack_on_civilians": IncidentType(
        N_("Attack on civilians or civilian objects"), "abuse", N_("Shelling, air strikes or other attacks that hit civilians.")),
    # Context: events that shape the situation but are not abuses in themselves.
    "military_operation": IncidentType(
        N_("Military operation"), "event", N_("An offensive, advance or operation by armed forces.")),
    "change_of_control": IncidentType(
        N_("Change of territorial control"), "event", N_("An area taken or retaken by a party to the conflict.")),
    "air_strikes": IncidentType(
        N_("Air strikes"), "event", N_("Bombing from the air by any party.")),
    "support_to_armed_group": IncidentType(
        N_("Support to an armed group"), "event", N_("Money, weapons or allegiance given to an armed group.")),
}

INCIDENT_STATUSES: dict[str, str] = {
    "alleged": N_("Alleged"),  # reported, not yet confirmed by an independent source
    "corroborated": N_("Corroborated"),  # consistent reports from independent sources
    "verified": N_("Verified"),  # confirmed by the publishing organisation's own means
}


@dataclass(frozen=True)
class Metric:
    label: str
    section: str  # the report section where figures of this metric appear


METRICS: dict[str, Metric] = {
    "civilians_trapped": Metric(N_("Civilians trapped"), "trapped"),
    "civilians_killed": Metric(N_("Civilians killed"), "abuses"),
    "civilians_injured": Metric(N_("Civilians injured"), "abuses"),
    # ACLED's deaths in political violence (HDX HAPI): combatants' too, so never civilians killed.
    "conflict_fatalities": Metric(N_("Deaths in political violence (all parties)"), "context"),
    "people_displaced": Metric(N_("People displaced"), "movements"),
    "arrivals": Metric(N_("Arrivals at sites of safety"), "movements"),
    "people_in_camps": Metric(N_("People in camps"), "movements"),
    "meals_per_day": Metric(N_("Meals per day available to civilians"), "trapped"),
    "duration_of_control": Metric(N_("Time under armed-group control"), "context"),
    "distance_to_capital": Metric(N_("Distance to the capital"), "context"),
    "distance_to_city_centre": Metric(N_("Distance to the city centre"), "context"),
}

UNITS: dict[str, tuple[str, str]] = {  # code: (singular, plural)
    "people": NP_("person", "people"),
    "families": NP_("family", "families"),
    "households": NP_("household", "households"),
    "meals": NP_("meal", "meals"),
    "km": NP_("km", "km"),
    "miles": NP_("mile", "miles"),
    "days": NP_("day", "days"),
    "weeks": NP_("week", "weeks"),
    "months": NP_("month", "months"),
    "years": NP_("year", "years"),
}

QUALIFIERS: dict[str, str] = {  # how a reported number should be read
    "exact": "",
    "about": N_("about"),
    "at_least": N_("at least"),
    "at_most": N_("at most"),
    "more_than": N_("more than"),
    "less_than": N_("less than"),
}

ROUTE_STATUSES: dict[str, str] = {
    "open": N_("Open"),
    "restricted": N_("Restricted"),  # passable with permission, at set times, or for some people only
    "unsafe": N_("Unsafe"),  # physically passable, but people using it are at grave risk
    "closed": N_("Closed"),
    "unknown": N_("Unknown"),
}

HAZARDS: dict[str, str] = {
    "snipers": N_("Snipers"),
    "armed_group_fire": N_("Fire on people leaving"),
    "ieds": N_("Improvised explosive devices"),
    "landmines": N_("Landmines and explosive remnants"),
    "shelling": N_("Shelling"),
    "air_strikes": N_("Air strikes"),
    "checkpoints": N_("Checkpoints"),
    "river_crossing": N_("River crossing"),
    "extortion": N_("Extortion"),
    "detention": N_("Risk of detention"),
}

SOURCE_KINDS: dict[str, str] = {
    "media": N_("News media"),
    "government": N_("Government official or body"),
    "military": N_("Military spokesperson or officer"),
    "human_rights_body": N_("Human rights body"),
    "un_agency": N_("UN agency"),
    "ngo": N_("Non-governmental organisation"),
    "witness": N_("Witness"),
    "local_source": N_("Local source"),
    "armed_group": N_("Member of an armed group"),
    "community_leader": N_("Community or tribal leader"),
}

# Admiralty (NATO) source reliability, A-F, and information credibility, 1-6.
RELIABILITY: dict[str, str] = {
    "A": N_("Completely reliable"),
    "B": N_("Usually reliable"),
    "C": N_("Fairly reliable"),
    "D": N_("Not usually reliable"),
    "E": N_("Unreliable"),
    "F": N_("Reliability cannot be judged"),
}
CREDIBILITY: dict[int, str] = {
    1: N_("Confirmed by other sources"),
    2: N_("Probably true"),
    3: N_("Possibly true"),
    4: N_("Doubtful"),
    5: N_("Improbable"),
    6: N_("Truth cannot be judged"),
}

# How a fact's grade is explained beside it: 'Source usually reliable (B); information probably true (2).'
RELIABILITY_EXPLAINED: dict[str, str] = {
    "A": N_("Source completely reliable (A)"),
    "B": N_("Source usually reliable (B)"),
    "C": N_("Source fairly reliable (C)"),
    "D": N_("Source not usually reliable (D)"),
    "E": N_("Source unreliable (E)"),
    "F": N_("Source reliability cannot be judged (F)"),
}
CREDIBILITY_EXPLAINED: dict[int, str] = {
    1: N_("information confirmed by other sources (1)"),
    2: N_("information probably true (2)"),
    3: N_("information possibly true (3)"),
    4: N_("information doubtful (4)"),
    5: N_("information improbable (5)"),
    6: N_("information truth cannot be judged (6)"),
}

PLACE_KINDS: dict[str, str] = {
    "country": N_("Country"),
    "governorate": N_("Governorate / province"),
    "district": N_("District"),
    "city": N_("City"),
    "town": N_("Town"),
    "village": N_("Village"),
    "neighbourhood": N_("Neighbourhood"),
    "area": N_("Area"),
    "camp": N_("Camp"),
    "checkpoint": N_("Checkpoint"),
    "crossing": N_("Crossing point"),
}

ACTOR_KINDS: dict[str, str] = {
    "state_force": N_("State armed force"),
    "armed_group": N_("Non-state armed group"),
    "militia": N_("Militia / volunteer force"),
    "coalition": N_("International coalition"),
    "tribal": N_("Tribal group"),
    "civilian_authority": N_("Civilian authority"),
}

NARRATIVE_SECTIONS: dict[str, str] = {
    "overview": N_("Overview"),
    "highlights": N_("Highlights"),
    "trapped": N_("Civilians trapped"),
    "routes": N_("Displacement routes"),
    "movements": N_("Movements"),
    "abuses": N_("Documented abuses"),
    "context": N_("Security context"),
    "outlook": N_("Outlook"),
}

SENSITIVITIES = ("public", "restricted")

# The sections a report can print; config.yaml's `sections:` chooses and orders them, each drawn
# by templates/sections/<name>.html. Page one answers three questions (docs/report.md, "The report"): what
# changed since the last report (since_last), how many are trapped (key_figures), which way out
# is open (routes_glance), with whom to speak (contacts) and the map; the rest follows.
SECTIONS = ("since_last", "key_figures", "routes_glance", "contacts", "map", "overview", "highlights", "trapped",
            "routes", "movements", "abuses", "context", "other_figures", "outlook", "places", "sources")
# Printed when config.yaml does not choose: every section but the analyst's highlights as a list
# of their own, since they open "Since the last report".
DEFAULT_SECTIONS = tuple(name for name in SECTIONS if name != "highlights")
