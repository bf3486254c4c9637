"""ACLED's vocabulary, and how sitrep's maps to and from it (docs/exports.md, "ACLED").

ACLED (the Armed Conflict Location & Event Data project) codes one row per event, with its
columns (`COLUMNS`), an event type and sub-event type, and two precision codes:

- time_precision: 1 the day is known; 2 only the week (or weekend) is known, and the date coded
  lies in it; 3 only the month (or a longer period) is known, and the date coded lies in it.
- geo_precision: 1 the town or place itself; 2 near it, or a part of a region named; 3 only the
  region (a province, a district) is known, coded at its centre.

Both directions use the tables here: the export writes sitrep's incident types as ACLED's event
types where one fits (`ACLED_TYPE_OF`, with `None` where ACLED has none: the row says so in its
`tags`); the import reads ACLED's sub-event types as sitrep's (`SITREP_TYPE_OF`), and rows of
the types sitrep does not document (protests, riots, agreements...) are counted and left out.
"""

from __future__ import annotations

import datetime as dt

from sitrep.source.dates import FuzzyDate

# The columns of ACLED's data export, in its order (codebook 2023 onwards).
COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
    "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
)

EVENT_TYPES: dict[str, tuple[str, ...]] = {  # event type: its sub-event types
    "Battles": ("Armed clash", "Government regains territory", "Non-state actor overtakes territory"),
    "Explosions/Remote violence": ("Chemical weapon", "Air/drone strike", "Suicide bomb",
                                   "Shelling/artillery/missile attack", "Remote explosive/landmine/IED", "Grenade"),
    "Violence against civilians": ("Sexual violence", "Attack", "Abduction/forced disappearance"),
    "Protests": ("Peaceful protest", "Protest with intervention", "Excessive force against protesters"),
    "Riots": ("Violent demonstration", "Mob violence"),
    "Strategic developments": ("Agreement", "Arrests", "Change to group/activity", "Disrupted weapons use",
                               "Headquarters or base established", "Looting/property destruction",
                               "Non-violent transfer of territory", "Other"),
}
EVENT_TYPE_OF_SUB = {sub: event for event, subs in EVENT_TYPES.items() for sub in subs}
DISORDER_TYPE_OF_EVENT = {
    "Battles": "Political violence", "Explosions/Remote violence": "Political violence",
    "Violence against civilians": "Political violence", "Riots": "Political violence",
    "Protests": "Demonstrations", "Strategic developments": "Strategic developments",
}

# sitrep's incident type -> ACLED's (event type, sub-event type); None where ACLED has no type
# for it (its codebook records no human shields, blood taken by force, or denial of food).
ACLED_TYPE_OF: dict[str, tuple[str, str] | None] = {
    "killing_of_fleeing_civilians": ("Violence against civilians", "Attack"),
    "human_shields": None,
    "forced_blood_donation": None,
    "explosive_devices_in_civilian_sites": ("Explosions/Remote violence", "Remote explosive/landmine/IED"),
    "property_confiscation": ("Strategic developments", "Looting/property destruction"),
    "movement_restriction": None,
    "denial_of_food_or_medical_care": None,
    "arbitrary_detention": ("Violence against civilians", "Abduction/forced disappearance"),
    "torture_or_ill_treatment": ("Violence against civilians", "Attack"),
    "sexual_violence": ("Violence against civilians", "Sexual violence"),
    "forced_recruitment": None,
    "attack_on_civilians": ("Violence against civilians", "Attack"),
    "military_operation": ("Battles", "Armed clash"),
    "change_of_control": ("Battles", "Non-state actor overtakes territory"),  # "Government regains" for a state force
    "air_strikes": ("Explosions/Remote violence", "Air/drone strike"),
    "support_to_armed_group": ("Strategic developments", "Other"),
}

# ACLED's sub-event type -> sitrep's incident type, for the import; those absent are not imported.
SITREP_TYPE_OF: dict[str, str] = {
    "Armed clash": "military_operation",
    "Government regains territory": "change_of_control",
    "Non-state actor overtakes territory": "change_of_control",
    "Non-violent transfer of territory": "change_of_control",
    "Air/drone strike": "air_strikes",
    "Shelling/artillery/missile attack": "military_operation",
    "Remote explosive/landmine/IED": "explosive_devices_in_civilian_sites",
    "Suicide bomb": "attack_on_civilians",
    "Grenade": "military_operation",
    "Chemical weapon": "attack_on_civilians",
    "Attack": "attack_on_civilians",
    "Abduction/forced disappearance": "arbitrary_detention",
    "Sexual violence": "sexual_violence",
    "Looting/property destruction": "property_confiscation",
}
# Where ACLED marks the event as civilian targeting, a military sub-event is an attack on civilians.
CIVILIAN_TARGETING = "Civilian targeting"

# Actor types (inter1, inter2): ACLED's export writes the words, in the singular ("Rebel group",
# as in its interaction "Rebel group-Civilians"; the codebook's headings say "Rebel Groups");
# older files the digits.
ACTOR_TYPES = {"1": "State forces", "2": "Rebel group", "3": "Political militia", "4": "Identity militia",
               "5": "Rioters", "6": "Protesters", "7": "Civilians", "8": "External/Other forces"}
ACTOR_KIND_OF_TYPE = {  # sitrep's actor kind for the actors an import proposes
    "State forces": "state_force", "Rebel group": "armed_group", "Political militia": "militia",
    "Identity militia": "tribal", "External/Other forces": "coalition",
}

TIME_PRECISIONS = {1: "day", 2: "week", 3: "month"}
GEO_PRECISIONS = {1: "the place itself", 2: "near the place, or part of the region named", 3: "the region only"}
# sitrep's place kinds by the geo_precision of a row placed at them.
GEO_PRECISION_OF_PLACE_KIND = {
    "city": 1, "town": 1, "village": 1, "neighbourhood": 1, "camp": 1, "checkpoint": 1, "crossing": 1,
    "area": 2, "district": 2, "governorate": 3, "country": 3,
}


def time_precision_and_date(date: FuzzyDate) -> tuple[int, dt.date]:
    """ACLED's (time_precision, event_date) for a sitrep date: the day itself (1); a week's
    middle day, its Thursday (2); the middle of a month, or of any longer span (3)."""
    if date.precision == "day":
        return 1, date.start
    middle = date.start + (date.end - date.start) // 2
    if (date.end - date.start).days <= 6:
        return 2, middle
    return 3, middle


def sitrep_date(event_date: dt.date, time_precision: int) -> str:
    """The store's date for an ACLED row: the day (1); the ISO week holding it (2); its month (3)."""
    if time_precision == 1:
        return event_date.isoformat()
    if time_precision == 2:
        year, week, _ = event_date.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{event_date.year}-{event_date.month:02d}"


def acled_type(incident_type: str, perpetrator_kind: str | None) -> tuple[str, str] | None:
    """ACLED's (event type, sub-event type) for a sitrep incident, None where it has none. A
    change of control by a state force is ACLED's "Government regains territory"."""
    mapped = ACLED_TYPE_OF[incident_type]
    if incident_type == "change_of_control" and perpetrator_kind == "state_force":
        return ("Battles", "Government regains territory")
    return mapped
