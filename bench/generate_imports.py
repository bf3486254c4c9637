"""Generated files of the real datasets' shape, for the tests and the benchmark of `sitrep
import` (no real ACLED or DTM data ships with sitrep: their terms limit redistribution).

    python bench/generate_imports.py acled 100000 acled.csv [--seed 1] [--start 2016-01-01 --end 2016-12-31]
    python bench/generate_imports.py dtm 400 dtm.csv

ACLED rows carry every column of ACLED's export (acled.COLUMNS), every sub-event type (protests
and agreements too, which sitrep leaves out), its precision codes, several outlets per row, and
places both known to the example store (Fallujah, Ramadi...) and generated villages. The events
are invented: the names of places and armed forces are real, nothing else is.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
from pathlib import Path

from sitrep.exchange import acled

# (name, admin1, admin2, lat, lon): real places of Anbar and nearby, as ACLED names them.
PLACES = [
    ("Falluja", "Al Anbar", "Falluja", 33.3500, 43.7833), ("Ramadi", "Al Anbar", "Ramadi", 33.4206, 43.3078),
    ("Al Karma", "Al Anbar", "Falluja", 33.4000, 43.9100), ("Saqlawiyah", "Al Anbar", "Falluja", 33.3850, 43.6800),
    ("Amiriyat al-Falluja", "Al Anbar", "Falluja", 33.1500, 43.8700), ("Hit", "Al Anbar", "Hit", 33.6417, 42.8253),
    ("Haditha", "Al Anbar", "Haditha", 34.1397, 42.3781), ("Al Qaim", "Al Anbar", "Al-Ka'im", 34.3800, 41.0900),
    ("Rutba", "Al Anbar", "Al-Rutba", 33.0381, 40.2848), ("Abu Ghraib", "Baghdad", "Abu Ghraib", 33.2917, 44.0650),
    ("Baghdad", "Baghdad", "Karkh", 33.3152, 44.3661), ("Tikrit", "Salah al-Din", "Tikrit", 34.6000, 43.6800),
    ("Baiji", "Salah al-Din", "Baiji", 34.9300, 43.4900), ("Samarra", "Salah al-Din", "Samarra", 34.1983, 43.8742),
    ("Mosul", "Ninewa", "Mosul", 36.3350, 43.1189), ("Kirkuk", "Kirkuk", "Kirkuk", 35.4681, 44.3922),
]
GOVERNORATES = ["Al Anbar", "Baghdad", "Salah al-Din", "Ninewa", "Kirkuk", "Diyala"]
ACTORS = [  # (name, inter code as ACLED's export writes it)
    ("Military Forces of Iraq (2014-)", "State forces"), ("Police Forces of Iraq (2014-)", "State forces"),
    ("Islamic State (Iraq)", "Rebel group"), ("Popular Mobilization Forces", "Political militia"),
    ("Unidentified Armed Group (Iraq)", "Political militia"), ("Civilians (Iraq)", "Civilians"),
    ("Protesters (Iraq)", "Protesters"), ("Military Forces of the United States (2009-2017)", "External/Other forces"),
    ("Albu Nimr Tribal Militia (Iraq)", "Identity militia"),
]
OUTLETS = ["Iraqi News", "Alsumaria News", "Shafaq News", "Rudaw", "Xinhua", "Anadolu Agency", "Al Mada",
           "Asharq Al-Awsat", "Kurdistan 24", "Reuters", "Al Sabah", "Twitter", "Iraq Oil Report", "Baghdad Post"]
# How common each sub-event type is (roughly Iraq's mix): most are fighting and explosions.
SUB_EVENT_WEIGHTS = {
    "Armed clash": 22, "Shelling/artillery/missile attack": 14, "Air/drone strike": 14,
    "Remote explosive/landmine/IED": 16, "Attack": 10, "Abduction/forced disappearance": 3, "Sexual violence": 0.2,
    "Government regains territory": 1, "Non-state actor overtakes territory": 0.5, "Suicide bomb": 1.5,
    "Grenade": 0.5, "Chemical weapon": 0.05, "Peaceful protest": 8, "Protest with intervention": 1,
    "Excessive force against protesters": 0.3, "Violent demonstration": 1, "Mob violence": 0.5, "Agreement": 0.3,
    "Arrests": 2, "Change to group/activity": 1, "Disrupted weapons use": 2, "Headquarters or base established": 0.3,
    "Looting/property destruction": 1, "Non-violent transfer of territory": 0.2, "Other": 0.5,
}


def acled_rows(rows: int, *, seed: int = 1, start: dt.date = dt.date(2016, 1, 1), end: dt.date = dt.date(2016, 12, 31),
               villages: int = 400, first_id: int = 1, timestamp: int = 1_600_000_000):
    """`rows` ACLED-shaped rows (dicts of acled.COLUMNS), dated from `start` to `end`."""
    rng = random.Random(seed)
    places = list(PLACES)
    for n in range(villages):
        governorate = rng.choice(GOVERNORATES)
        places.append((f"Village {n + 1} ({governorate})", governorate, f"District {n % 40 + 1}",
                       round(rng.uniform(32.0, 36.5), 4), round(rng.uniform(40.0, 45.5), 4)))
    subs, weights = list(SUB_EVENT_WEIGHTS), list(SUB_EVENT_WEIGHTS.values())
    span = (end - start).days + 1
    for i in range(rows):
        sub = rng.choices(subs, weights)[0]
        event = acled.EVENT_TYPE_OF_SUB[sub]
        name, admin1, admin2, lat, lon = rng.choice(places) if rng.random() < 0.9 else rng.choice(PLACES[:5])
        actor1, inter1 = (("Protesters (Iraq)", "Protesters") if event == "Protests" else rng.choice(ACTORS[:5] + ACTORS[7:]))
        actor2, inter2 = rng.choice([("", ""), ("Civilians (Iraq)", "Civilians"), *ACTORS[:3]])
        day = start + dt.timedelta(days=rng.randrange(span))
        precision = rng.choices([1, 2, 3], [90, 8, 2])[0]
        fatalities = rng.choices([0, 1, 2, 3, 5, 10, 25], [50, 20, 10, 8, 6, 4, 2])[0]
        outlets = rng.sample(OUTLETS, rng.choice([1, 1, 1, 2, 3]))
        targeting = "Civilian targeting" if event == "Violence against civilians" or (
            actor2.startswith("Civilians") and event == "Explosions/Remote violence") else ""
        yield {
            "event_id_cnty": f"IRQ{first_id + i}", "event_date": day.isoformat(), "year": str(day.year),
            "time_precision": str(precision), "disorder_type": acled.DISORDER_TYPE_OF_EVENT[event],
            "event_type": event, "sub_event_type": sub, "actor1": actor1, "assoc_actor_1": "", "inter1": inter1,
            "actor2": actor2, "assoc_actor_2": "", "inter2": inter2,
            "interaction": f"{inter1}-{inter2}" if inter2 else f"{inter1} only", "civilian_targeting": targeting,
            "iso": "368", "region": "Middle East", "country": "Iraq", "admin1": admin1, "admin2": admin2, "admin3": "",
            "location": name, "latitude": f"{lat:.4f}", "longitude": f"{lon:.4f}",
            "geo_precision": str(rng.choices([1, 2, 3], [80, 15, 5])[0]), "source": "; ".join(outlets),
            "source_scale": rng.choice(["National", "Subnational", "Local partner-National", "International"]),
            "notes": f"On {day:%d %B %Y}, a generated {sub.lower()} event near {name} ({admin1}); "
                     f"{fatalities} reported fatalities. [generated]",
            "fatalities": str(fatalities), "tags": "", "timestamp": str(timestamp + i),
        }


def write_acled(path: Path | str, rows: int, **options) -> Path:
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=acled.COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(acled_rows(rows, **options))
    return path


DTM_COLUMNS = ("id", "operation", "admin0Name", "admin0Pcode", "admin1Name", "admin1Pcode", "admin2Name",
               "admin2Pcode", "numPresentIdpInd", "reportingDate", "yearReportingDate", "monthReportingDate",
               "roundNumber", "displacementReason", "numberMales", "numberFemales", "idpOriginAdmin1Name",
               "idpOriginAdmin1Pcode", "operationStatus", "assessmentType")
DTM_DISTRICTS = [("Al Anbar", "IQG01", "Falluja", "IQG01Q02"), ("Al Anbar", "IQG01", "Ramadi", "IQG01Q06"),
                 ("Baghdad", "IQG07", "Abu Ghraib", "IQG07Q01"), ("Salah al-Din", "IQG18", "Tikrit", "IQG18Q07")]


def dtm_rows(rounds: int = 4, *, seed: int = 1, start: dt.date = dt.date(2016, 5, 31)):
    """Rows of DTM's API export of IDPs by admin 2 area: each district, each round (a month
    apart), split by displacement reason."""
    rng = random.Random(seed)
    n = 0
    for r in range(rounds):
        day = start + dt.timedelta(days=30 * r)
        for admin1, pcode1, admin2, pcode2 in DTM_DISTRICTS:
            for reason in ("Conflict", "Other"):
                n += 1
                people = rng.randrange(500, 40000)
                yield {"id": str(n), "operation": "Iraq conflict", "admin0Name": "Iraq", "admin0Pcode": "IRQ",
                       "admin1Name": admin1, "admin1Pcode": pcode1, "admin2Name": admin2, "admin2Pcode": pcode2,
                       "numPresentIdpInd": str(people), "reportingDate": f"{day.isoformat()}T00:00:00",
                       "yearReportingDate": str(day.year), "monthReportingDate": str(day.month),
                       "roundNumber": str(80 + r), "displacementReason": reason, "numberMales": "",
                       "numberFemales": "", "idpOriginAdmin1Name": "Al Anbar", "idpOriginAdmin1Pcode": "IQG01",
                       "operationStatus": "Active", "assessmentType": "BA"}


def write_dtm(path: Path | str, rounds: int = 4, **options) -> Path:
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=DTM_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(dtm_rows(rounds, **options))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", choices=["acled", "dtm"])
    parser.add_argument("rows", type=int, help="ACLED: rows; DTM: rounds")
    parser.add_argument("path", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--start", type=dt.date.fromisoformat, default=dt.date(2016, 1, 1))
    parser.add_argument("--end", type=dt.date.fromisoformat, default=dt.date(2016, 12, 31))
    args = parser.parse_args()
    if args.dataset == "acled":
        write_acled(args.path, args.rows, seed=args.seed, start=args.start, end=args.end)
    else:
        write_dtm(args.path, args.rows, seed=args.seed)


if __name__ == "__main__":
    main()
