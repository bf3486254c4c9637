"""The controlled vocabularies of the store: every code an analyst may write, with the label
a reader sees. README.md lists them (a test keeps the two in step)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IncidentType:
    label: str
    category: str  # "abuse": documented against civilians; "event": context (fighting, control)
    description: str


INCIDENT_TYPES: dict[str, IncidentType] = {
    # Abuses against civilians.
    "killing_of_fleeing_civilians": IncidentType(
        "Killing or shooting of fleeing civilians", "abuse", "Civilians shot at, wounded or killed while trying to leave."),
    "human_shields": IncidentType(
        "Use of civilians as human shields", "abuse", "Civilians kept or moved near fighters or targets to deter attack."),
    "forced_blood_donation": IncidentType(
        "Forced blood donation", "abuse", "Civilians made to give blood, typically for wounded fighters."),
    "explosive_devices_in_civilian_sites": IncidentType(
        "Explosive devices in homes and public buildings", "abuse",
        "Improvised explosive devices or booby traps placed in homes, mosques, schools or on roads civilians use."),
    "property_confiscation": IncidentType(
        "Confiscation of property", "abuse", "Homes, land, money or goods seized from civilians."),
    "movement_restriction": IncidentType(
        "Preventing civilians from leaving", "abuse",
        "Civilians stopped, threatened or punished for trying to leave; families forced to stay."),
    "denial_of_food_or_medical_care": IncidentType(
        "Denial of food or medical care", "abuse", "Civilians deprived of food, water, medicine or treatment."),
    "arbitrary_detention": IncidentType(
        "Arbitrary detention or abduction", "abuse", "Civilians held without legal basis, abducted or disappeared."),
    "torture_or_ill_treatment": IncidentType(
        "Torture or ill-treatment", "abuse", "Beatings, torture or degrading treatment of civilians or detainees."),
    "sexual_violence": IncidentType(
        "Sexual violence", "abuse", "Rape or other sexual violence."),
    "forced_recruitment": IncidentType(
        "Forced recruitment", "abuse", "Civilians, including children, forced to fight or serve an armed group."),
    "attack_on_civilians": IncidentType(
        "Attack on civilians or civilian objects", "abuse", "Shelling, air strikes or other attacks that hit civilians."),
    # Context: events that shape the situation but are not abuses in themselves.
    "military_operation": IncidentType(
        "Military operation", "event", "An offensive, advance or operation by armed forces."),
    "change_of_control": IncidentType(
        "Change of territorial control", "event", "An area taken or retaken by a party to the conflict."),
    "air_strikes": IncidentType(
        "Air strikes", "event", "Bombing from the air by any party."),
    "support_to_armed_group": IncidentType(
        "Support to an armed group", "event", "Money, weapons or allegiance given to an armed group."),
}

INCIDENT_STATUSES: dict[str, str] = {
    "alleged": "Alleged",  # reported, not yet confirmed by an independent source
    "corroborated": "Corroborated",  # consistent reports from independent sources
    "verified": "Verified",  # confirmed by the publishing organisation's own means
}


@dataclass(frozen=True)
class Metric:
    label: str
    section: str  # the report section where figures of this metric appear


METRICS: dict[str, Metric] = {
    "civilians_trapped": Metric("Civilians trapped", "trapped"),
    "civilians_killed": Metric("Civilians killed", "abuses"),
    "civilians_injured": Metric("Civilians injured", "abuses"),
    "people_displaced": Metric("People displaced", "movements"),
    "arrivals": Metric("Arrivals at sites of safety", "movements"),
    "people_in_camps": Metric("People in camps", "movements"),
    "meals_per_day": Metric("Meals per day available to civilians", "trapped"),
    "duration_of_control": Metric("Time under armed-group control", "context"),
    "distance_to_capital": Metric("Distance to the capital", "context"),
    "distance_to_city_centre": Metric("Distance to the city centre", "context"),
}

UNITS: dict[str, tuple[str, str]] = {  # code: (singular, plural)
    "people": ("person", "people"),
    "families": ("family", "families"),
    "households": ("household", "households"),
    "meals": ("meal", "meals"),
    "km": ("km", "km"),
    "miles": ("mile", "miles"),
    "days": ("day", "days"),
    "weeks": ("week", "weeks"),
    "months": ("month", "months"),
    "years": ("year", "years"),
}

QUALIFIERS: dict[str, str] = {  # how a reported number should be read
    "exact": "",
    "about": "about",
    "at_least": "at least",
    "at_most": "at most",
    "more_than": "more than",
    "less_than": "less than",
}

ROUTE_STATUSES: dict[str, str] = {
    "open": "Open",
    "restricted": "Restricted",  # passable with permission, at set times, or for some people only
    "unsafe": "Unsafe",  # physically passable, but people using it are at grave risk
    "closed": "Closed",
    "unknown": "Unknown",
}

HAZARDS: dict[str, str] = {
    "snipers": "Snipers",
    "armed_group_fire": "Fire on people leaving",
    "ieds": "Improvised explosive devices",
    "landmines": "Landmines and explosive remnants",
    "shelling": "Shelling",
    "air_strikes": "Air strikes",
    "checkpoints": "Checkpoints",
    "river_crossing": "River crossing",
    "extortion": "Extortion",
    "detention": "Risk of detention",
}

SOURCE_KINDS: dict[str, str] = {
    "media": "News media",
    "government": "Government official or body",
    "military": "Military spokesperson or officer",
    "human_rights_body": "Human rights body",
    "un_agency": "UN agency",
    "ngo": "Non-governmental organisation",
    "witness": "Witness",
    "local_source": "Local source",
    "armed_group": "Member of an armed group",
    "community_leader": "Community or tribal leader",
}

# Admiralty (NATO) source reliability, A-F, and information credibility, 1-6.
RELIABILITY: dict[str, str] = {
    "A": "Completely reliable",
    "B": "Usually reliable",
    "C": "Fairly reliable",
    "D": "Not usually reliable",
    "E": "Unreliable",
    "F": "Reliability cannot be judged",
}
CREDIBILITY: dict[int, str] = {
    1: "Confirmed by other sources",
    2: "Probably true",
    3: "Possibly true",
    4: "Doubtful",
    5: "Improbable",
    6: "Truth cannot be judged",
}

PLACE_KINDS: dict[str, str] = {
    "country": "Country",
    "governorate": "Governorate / province",
    "district": "District",
    "city": "City",
    "town": "Town",
    "village": "Village",
    "neighbourhood": "Neighbourhood",
    "area": "Area",
    "camp": "Camp",
    "checkpoint": "Checkpoint",
    "crossing": "Crossing point",
}

ACTOR_KINDS: dict[str, str] = {
    "state_force": "State armed force",
    "armed_group": "Non-state armed group",
    "militia": "Militia / volunteer force",
    "coalition": "International coalition",
    "tribal": "Tribal group",
    "civilian_authority": "Civilian authority",
}

NARRATIVE_SECTIONS: dict[str, str] = {
    "overview": "Overview",
    "highlights": "Highlights",
    "trapped": "Civilians trapped",
    "routes": "Displacement routes",
    "movements": "Movements",
    "abuses": "Documented abuses",
    "context": "Security context",
    "outlook": "Outlook",
}

SENSITIVITIES = ("public", "restricted")

# The sections of a report, in the order they are printed (and citations numbered); config.yaml's
# `sections:` chooses among them, each drawn by templates/sections/<name>.html.
SECTIONS = ("highlights", "key_figures", "trapped", "routes", "movements", "abuses", "context",
            "other_figures", "outlook", "places", "sources")
