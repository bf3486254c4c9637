"""Page one answers what a decision-maker asks first: what changed since the last report, how
many are trapped, which way out is open, whom to ask, and when the next report comes. Read back
from the built PDF's first page, on the example's latest week and on a busy generated week, on
A4 and on Letter."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from support import copy_example

WEEK = "2016-W26"
BUSY = "2016-W27"  # 4-10 July 2016: the week after the example's latest


def page_text(pdf: Path, page: int) -> str:
    return " ".join(PdfReader(pdf).pages[page].extract_text().split())


def build(sitrep_cli, ws: Path, week: str) -> Path:
    result = sitrep_cli("build", "--config", ws / "config.yaml", "--week", week, "--language", "en", "--format", "pdf")
    assert result.exit_code == 0, result.stderr
    return ws / "output" / week / f"fallujah-sitrep-{week}.pdf"


def set_paper(ws: Path, paper: str) -> None:
    config = (ws / "config.yaml").read_text(encoding="utf-8")
    (ws / "config.yaml").write_text(re.sub(r"^paper: .*$", f"paper: {paper}", config, flags=re.M), encoding="utf-8")


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_page_one_of_the_latest_week_answers_the_first_questions(tmp_path, sitrep_cli, paper):
    ws = copy_example(tmp_path / "ws")
    set_paper(ws, paper)
    one = page_text(build(sitrep_cli, ws, WEEK), 0)
    # In this order: what changed, the key figures, the routes, whom to ask.
    order = [one.index(words) for words in ("Since the last report (No. 1)", "Key figures", "Routes at a glance",
                                            "For further information")]
    assert order == sorted(order)
    # The analyst's lines first, each number cited; then the new incidents counted by type.
    since = one[order[0]:order[1]]
    assert since.index("At least 30 people[1]") < since.index("New reports of abuses: killing or shooting of fleeing")
    # How many are trapped, with its citation and its attribution (a single weak source).
    assert "30,000–40,000Civilians trapped" in one
    assert "Reported by Online news round-up on Fallujah (outlet not identified) — one source, grade F3[2]" in one
    # Every route out with its status as of its date, and its main hazard.
    assert "Fallujah south to Amiriyat al-Fallujah camp Unsafe[1, 6] June 2016 Fire on people leaving" in one
    assert "Example Analyst, Information management officer · im-officer@example.org · +964 770 000 0000" in one
    assert "Next report on or around 10 July 2016." in one


BUSY_STORE = """\
routes:
{routes}
figures:
  - id: trapped-busy
    metric: civilians_trapped
    place: fallujah
    as_of: 2016-07-05
    value: 25000
    qualifier: about
    unit: people
    cited: [{{source: iraqi-officials, date: 2016-07-05, credibility: 2}}]
incidents:
{incidents}
"""
ROUTE = """\
  - id: busy-route-{n}
    name: Busy road {n}
    origin: fallujah
    destination: {destination}
    updates:
      - as_of: 2016-06-28
        status: open
        cited: [{{source: iraqi-officials}}]
      - as_of: 2016-07-06
        status: {status}
        hazards: [{hazard}]
        cited: [{{source: iraqi-military-spokesman, via: nbc-news}}]
"""
INCIDENT = """\
  - id: busy-incident-{n}
    type: {type}
    date: 2016-07-0{day}
    place: {place}
    status: alleged
    summary: Incident {n} of the busy week, as reported.
    cited: [{{source: {source}}}]
"""


def busy_workspace(tmp_path: Path) -> Path:
    ws = copy_example(tmp_path / "ws")
    destinations = ["amiriyat-camp", "ramadi", "saqlawiyah", "baghdad", "amiriyat-al-fallujah"]
    statuses = ["closed", "unsafe", "restricted", "closed", "unsafe"]
    hazards = ["snipers", "ieds", "checkpoints", "shelling", "river_crossing"]
    routes = "".join(ROUTE.format(n=n + 1, destination=d, status=s, hazard=h)
                     for n, (d, s, h) in enumerate(zip(destinations, statuses, hazards)))
    types = ["killing_of_fleeing_civilians", "human_shields", "arbitrary_detention", "attack_on_civilians",
             "movement_restriction", "air_strikes", "military_operation", "denial_of_food_or_medical_care"]
    places = ["fallujah", "shuhada", "southern-fallujah", "saqlawiyah", "fallujah-outskirts"]
    sources = ["nbc-news", "fox-news", "ibtimes", "iraqi-officials"]
    incidents = "".join(INCIDENT.format(n=n, type=types[n % len(types)], day=4 + n % 6, place=places[n % len(places)],
                                        source=sources[n % len(sources)]) for n in range(40))
    (ws / "facts" / "busy-week.yaml").write_text(BUSY_STORE.format(routes=routes, incidents=incidents),
                                                 encoding="utf-8")
    return ws


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_a_busy_week_keeps_page_one_whole(tmp_path, sitrep_cli, paper):
    ws = busy_workspace(tmp_path)
    set_paper(ws, paper)
    pdf = build(sitrep_cli, ws, BUSY)
    one, two = page_text(pdf, 0), page_text(pdf, 1)
    since = one[one.index("Since the last report"):one.index("Key figures")]
    # What moved: the trapped figure, the five routes in one line, forty incidents counted by type.
    assert "Civilians trapped in Fallujah: about 25,000 people (as of 5 July 2016); down from about" in since
    assert "Routes: Busy road 1 now closed (was open); Busy road 2 now unsafe (was open)" in since
    assert "Busy road 5 now unsafe (was open)." in since
    assert re.search(r"New reports of abuses: .*\(5\).*\.\[[\d, –]+\]", since)
    assert "Other new events: military operation (5), air strikes (5).[" in since
    assert since.count("•") <= 6 or len(re.findall(r"\.\[", since)) <= 6
    # Every route of the strip on page one, whole; then the contacts; nothing cut off the page.
    for n, status in enumerate(["Closed", "Unsafe", "Restricted", "Closed", "Unsafe"], start=1):
        assert re.search(rf"Busy road {n} {status}\[\d+\] 6 July 2016", one), n
    assert one.count(" 6 July 2016") >= 5  # each route's status as of its date
    assert "For further information" in one and "Next report on or around" in one
    # The map, which does not fit, begins page two whole rather than being cut.
    assert "Map of the situation" not in one and two.startswith("Map of the situation")


def test_the_box_keeps_the_new_incidents_when_the_analyst_wrote_much(tmp_path, sitrep_cli):
    """Six lines at most, the analyst's first; what page one shows elsewhere (key figures,
    routes) gives way before the counts of new incidents, which it shows nowhere else."""
    from sitrep.pipeline import Workspace

    ws = busy_workspace(tmp_path)
    (ws / "facts" / "busy-highlights.yaml").write_text(
        "narrative:\n  - id: busy-highlights\n    week: 2016-W27\n    section: highlights\n    items:\n"
        + "".join(f"      - Analyst line `{n}`.\n" for n in range(1, 6)), encoding="utf-8")  # marked: not claims
    workspace = Workspace.load(ws / "config.yaml")
    lines = [line.text for line in workspace.context(workspace.resolve(BUSY, "public"), "public", "en").since_last]
    assert len(lines) == 6 and lines[:5] == [f"Analyst line {n}." for n in range(1, 6)]
    assert lines[5].startswith("New reports of abuses:") and " Other new events: military operation (5)" in lines[5]


def test_a_weak_route_is_marked_on_page_one_too(tmp_path, sitrep_cli):
    ws = copy_example(tmp_path / "ws")
    (ws / "facts" / "weak-route.yaml").write_text(
        "routes:\n  - id: weak-west-road\n    name: Weak west road\n    origin: fallujah\n    destination: ramadi\n"
        "    updates:\n      - as_of: 2016-06-29\n        status: closed\n"
        "        cited: [{source: news-roundup-2016-06, credibility: 5}]\n", encoding="utf-8")
    one = page_text(build(sitrep_cli, ws, WEEK), 0)
    glance = one[one.index("Routes at a glance"):one.index("For further information")]
    assert re.search(r"Weak west road Closed\[\d+\] ?Unconfirmed, one source, F5", glance), glance


@pytest.mark.parametrize("line, message", [
    ("    email: im-officer at example", "contacts.email: 'im-officer at example' is not an e-mail address"),
    ('    phone: "call me"', "contacts.phone: 'call me' is not a phone number"),
])
def test_a_contact_mistake_is_named_at_its_line(tmp_path, sitrep_cli, line, message):
    ws = copy_example(tmp_path / "ws")
    config = (ws / "config.yaml").read_text(encoding="utf-8")
    key = line.split(":")[0]
    config = re.sub(rf"^{key}: .*$", line, config, count=1, flags=re.M)
    (ws / "config.yaml").write_text(config, encoding="utf-8")
    result = sitrep_cli("check", "--config", ws / "config.yaml")
    number = config.splitlines().index(line) + 1
    assert result.exit_code == 1 and f"config.yaml:{number}: error: {message}" in result.stderr, result.stderr
