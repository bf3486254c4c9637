"""The editor's forms (sitrep/edit/forms.py, formfields.py, formdata.py): generated from the store's
schema for every kind, an entry posted back exactly as it was for every entry of the example store,
the HTML a browser parses (labels, problems beside their fields, pickers, restricted, staleness),
and bad input as problems, not exceptions."""

from __future__ import annotations

import datetime as dt
from typing import Optional

import pytest

from sitrep.edit import formfields
from sitrep.edit.formdata import FormProblems, data_from_form, form_values, list_action
from sitrep.edit.formfields import UnknownKind, form_for, walk, written_order
from sitrep.edit.forms import Pickers, explain_fuzzy_date, render_form
from sitrep.errors import SitrepError
from sitrep.language import fingerprint
from sitrep.render.htmltree import elements, parse
from support import posted_by_browser
from sitrep.source import schema
from sitrep.source.schema import KINDS
from sitrep.source.store import find_store_files, load_store
from sitrep.source.yamlsource import parse_yaml_bytes
from support import REPO

FACTS = REPO / "facts"


def example_entries():
    """(kind, entry data) of every entry of the example store, dates as the text written."""
    def as_written(value):
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, dict):
            return {key: as_written(item) for key, item in value.items()}
        if isinstance(value, list):
            return [as_written(item) for item in value]
        return value

    for path in find_store_files(FACTS):
        data = parse_yaml_bytes(path.read_bytes(), path.name).data or {}
        for kind, entries in data.items():
            for entry in entries or []:
                yield kind, as_written(entry)


def html_of(kind, data, **options):
    options = {"token": "tok", "digest": "dig", "action": "/save", **options}
    return parse(render_form(kind, data, **options), located=False)


def by_id(document, element_id):
    return next(e for e in elements(document) if (e.attrs or {}).get("id") == element_id)


def text(element) -> str:
    return " ".join(element.to_text().split())


def fields_of(form):
    return {field.name: field for field in walk(form.fields)}


# --- Generated from the schema -----------------------------------------------------------------

@pytest.mark.parametrize("kind", list(KINDS))
def test_every_field_of_every_kind_has_its_widget(kind):
    form = form_for(kind)
    fields = fields_of(form)
    assert [f.path[-1] for f in form.fields] == written_order(KINDS[kind])
    assert sorted(written_order(KINDS[kind])) == sorted(KINDS[kind].model_fields)
    assert form.fields[0].path == ("id",)  # every entry is written id first
    for field in walk(form.fields):
        assert field.widget in formfields.WIDGETS, field
        assert field.name == ".".join(map(str, field.path))
        assert field.label
    assert fields["id"].required and fields["id"].widget == "text"
    if "sensitivity" in fields:
        assert fields["sensitivity"].widget == "flag" and not fields["sensitivity"].required
        assert fields["sensitivity"].choices == ("public", "restricted")


def test_widgets_follow_the_types_of_the_schema():
    incident = fields_of(form_for("incidents"))
    assert incident["type"].widget == "choice" and "air_strikes" in incident["type"].choices
    assert incident["date"].widget == "fuzzy-date" and incident["date"].required
    assert incident["summary"].widget == "local-text"
    assert incident["perpetrator"].widget == "reference" and incident["perpetrator"].refers_to == "actors"
    assert not incident["perpetrator"].required
    assert incident["victims"].widget == "group" and incident["victims.killed.value"].widget == "number"
    assert incident["cited"].widget == "list" and incident["cited"].required
    assert incident["cited.*.source"].refers_to == "sources" and incident["cited.*.via"].refers_to == "sources"
    assert incident["cited.*.credibility"].widget == "integer"
    assert incident["cited.*.via"].help.startswith("the outlet that carried")  # schema.py's comment
    route = fields_of(form_for("routes"))
    assert route["via.*"].refers_to == "places" and route["updates.*.controlled_by.*"].refers_to == "actors"
    assert route["updates.*.hazards.*"].widget == "choice"
    place = fields_of(form_for("places"))
    assert place["names"].shape == "mapping" and place["parent"].refers_to == "places"
    assert fields_of(form_for("movements"))["route"].refers_to == "routes"
    assert fields_of(form_for("areas"))["updates.*.outline.*"].shape == "pair"
    assert form_for("incidents").field("cited.1.source") == incident["cited.*.source"]
    assert form_for("incidents").field(("cited", 0, "date")) == incident["cited.*.date"]


def test_a_field_added_to_the_schema_appears_in_the_form_by_itself(monkeypatch):
    class Witnessed(schema.Citation):
        witness_count: Optional[int] = None  # how many saw it

    class NewIncident(schema.Incident):
        cited: list[Witnessed]
        lead_investigator: Optional[schema.Id] = None

    monkeypatch.setitem(KINDS, "incidents", NewIncident)
    fields = fields_of(form_for("incidents"))
    assert fields["lead_investigator"].widget == "text" and not fields["lead_investigator"].required
    assert fields["cited.*.witness_count"].widget == "integer"
    assert fields["cited.*.source"].refers_to == "sources"
    posted = {"id": "x", "lead_investigator": "someone", "cited.0.source": "s", "cited.0.witness_count": "4"}
    assert data_from_form("incidents", posted) == {"id": "x", "cited": [{"source": "s", "witness_count": 4}],
                                                   "lead_investigator": "someone"}
    document = html_of("incidents", {"id": "x", "lead_investigator": "someone"})
    assert text(next(e for e in elements(document) if (e.attrs or {}).get("for") == "f-lead_investigator")) == \
        "lead investigator"


def test_an_unknown_kind_is_a_readable_error():
    with pytest.raises(UnknownKind, match=r"there is no form for 'incident'; expected one of: sources, .*incidents") as caught:
        form_for("incident")
    assert isinstance(caught.value, SitrepError)


# --- Posted and back -------------------------------------------------------------------------------

ENTRIES = list(example_entries())


@pytest.mark.parametrize("kind, data", ENTRIES, ids=[f"{kind}:{data['id']}" for kind, data in ENTRIES])
def test_every_example_entry_comes_back_from_its_form_unchanged(kind, data):
    back = data_from_form(kind, form_values(kind, data))
    assert back == data
    order = written_order(KINDS[kind])
    assert list(back) == sorted(back, key=order.index)  # keys in the order the store writes them


@pytest.mark.parametrize("kind, data", ENTRIES, ids=[f"{kind}:{data['id']}" for kind, data in ENTRIES])
def test_what_a_browser_posts_of_an_untouched_form_is_the_entry(kind, data):
    assert data_from_form(kind, posted_by_browser(html_of(kind, data))) == data


@pytest.mark.parametrize("kind", list(KINDS))
def test_an_untouched_empty_form_posts_nothing_chosen_for_the_writer(kind):
    assert data_from_form(kind, posted_by_browser(html_of(kind, {}))) == {}


def test_the_example_store_holds_every_kind_for_the_round_trip():
    assert {kind for kind, _ in ENTRIES} == set(KINDS)


def test_posted_fields_are_typed_and_empty_ones_dropped():
    posted = {"id": "f1", "metric": "civilians_trapped", "place": "fallujah", "as_of": "2016-06", "low": "30,000",
              "high": "40000.5", "value": "", "qualifier": "exact", "unit": "people", "note": "  ",
              "cited.0.source": "a", "cited.0.credibility": "3", "cited.3.source": "b", "cited.5.source": "",
              "sensitivity": "public", "_token": "t"}
    assert data_from_form("figures", posted) == {
        "id": "f1", "metric": "civilians_trapped", "place": "fallujah", "as_of": "2016-06", "low": 30000,
        "high": 40000.5, "unit": "people", "cited": [{"source": "a", "credibility": 3}, {"source": "b"}]}
    # A default the entry wrote stays written.
    written = {**posted, "sensitivity._written": "1"}
    assert data_from_form("figures", written)["sensitivity"] == "public"


def test_a_word_in_a_number_field_is_a_problem_of_that_field():
    posted = {"id": "f1", "low": "thirty", "cited.0.source": "a", "cited.0.credibility": "3.5"}
    with pytest.raises(FormProblems) as caught:
        data_from_form("figures", posted)
    assert caught.value.field_problems == {
        "low": ["'thirty' is not a number; expected a number such as 30, 30,000 or 2.5"],
        "cited.0.credibility": ["'3.5' is not a whole number; expected digits only, such as 3"]}
    assert caught.value.data["low"] == "thirty"  # kept as typed, for the form to show again
    document = html_of("figures", caught.value.data, problems=caught.value.field_problems)
    assert by_id(document, "f-low").attrs["value"] == "thirty"
    assert by_id(document, "f-low").attrs["aria-describedby"].split()[-1] == "f-low-problems"
    assert "'thirty' is not a number" in text(by_id(document, "f-low-problems"))


def test_a_translation_keeps_its_fingerprint_or_takes_the_current_one():
    original = "Fighters fired on residents."
    posted = {"id": "i", "summary": original + "\r\nThey fled.", "summary._lang": "en",
              "summary._tr.0.lang": "fr", "summary._tr.0.text": "Des combattants ont tiré.", "summary._tr.0.from": "0badf00d",
              "summary._tr.1.lang": "ar", "summary._tr.1.text": "أطلق مقاتلون النار.", "summary._tr.1.current": "1",
              "summary._tr.2.lang": "", "summary._tr.2.text": ""}
    summary = data_from_form("incidents", posted)["summary"]
    now = fingerprint(original + "\nThey fled.")
    assert summary == {"en": original + "\nThey fled.", "fr@0badf00d": "Des combattants ont tiré.",
                       f"ar@{now}": "أطلق مقاتلون النار."}
    with pytest.raises(FormProblems) as caught:
        data_from_form("incidents", {**posted, "summary._lang": "", "summary._tr.0.lang": ""})
    assert list(caught.value.field_problems) == ["summary._tr.0.lang", "summary._lang"]
    assert "summary" not in data_from_form("incidents", {"summary": "", "summary._lang": "en"})


def test_list_items_are_added_and_removed_without_script():
    data = {"id": "r", "updates": [{"as_of": "2016-06", "cited": [{"source": "a"}, {"source": "b"}]}]}
    grown = list_action("routes", data, {"_add": "updates.0.cited"})
    assert grown["updates"][0]["cited"] == [{"source": "a"}, {"source": "b"}, {}]
    assert data["updates"][0]["cited"] == [{"source": "a"}, {"source": "b"}]  # not changed in place
    document = html_of("routes", grown)
    assert by_id(document, "f-updates-0-cited-2-source").attrs["value"] == ""
    shrunk = list_action("routes", data, {"_remove": "updates.0.cited.0"})
    assert shrunk["updates"][0]["cited"] == [{"source": "b"}]
    assert list_action("places", {"id": "p"}, {"_add": "aliases"})["aliases"] == [""]
    buttons = {(e.attrs["name"], e.attrs["value"]) for e in elements(html_of("routes", data)) if e.name == "button"}
    assert {("_add", "updates.0.cited"), ("_remove", "updates.0.cited.1"), ("_add", "via")} <= buttons


# --- The HTML ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def example_pickers():
    return Pickers.from_store(load_store(FACTS, cache=False))


def incident_of_the_example():
    return next(data for kind, data in ENTRIES if kind == "incidents" and isinstance(data.get("summary"), dict))


def test_every_input_has_a_label_and_the_hidden_token_and_digest(example_pickers):
    for kind, data in ENTRIES:
        document = html_of(kind, data, pickers=example_pickers)
        labelled = {e.attrs.get("for") for e in elements(document) if e.name == "label"}
        for element in elements(document):
            attrs = element.attrs or {}
            if element.name in ("input", "select", "textarea") and attrs.get("type") != "hidden":
                inside_label = element.parent.name == "label"
                assert inside_label or attrs.get("id") in labelled, (kind, attrs)
        ids = [e.attrs["id"] for e in elements(document) if "id" in (e.attrs or {})]
        assert len(ids) == len(set(ids)), kind
        for element in elements(document):  # aria-describedby names elements that are there
            assert set((element.attrs or {}).get("aria-describedby", "").split()) <= set(ids), (kind, element.attrs)
        hidden = {e.attrs["name"]: e.attrs["value"] for e in elements(document)
                  if e.name == "input" and e.attrs.get("type") == "hidden"}
        assert hidden["_token"] == "tok" and hidden["_digest"] == "dig"


def test_problems_are_shown_beside_their_field(example_pickers):
    data = incident_of_the_example()
    problems = {"cited.0.source": ["unknown source 'nobody'"], "summary.fr@ac334651": ["stale"],
                "": ["the file changed on disk"]}
    document = html_of("incidents", data, problems=problems, pickers=example_pickers)
    source = by_id(document, "f-cited-0-source")
    assert source.attrs["aria-invalid"] == "true"
    assert "f-cited-0-source-problems" in source.attrs["aria-describedby"].split()
    assert text(by_id(document, "f-cited-0-source-problems")) == "unknown source 'nobody'"
    assert source.parent.attrs["class"] == "field field-reference has-problem"
    assert text(by_id(document, "f-summary-problems")) == "stale"  # a translation's key: on its text
    assert text(by_id(document, "form-problems")) == "the file changed on disk"


def test_the_source_picker_shows_grades_and_restricted_sources():
    pickers = Pickers(sources=(("news-roundup-2016-06", "Fox News", "B", False), ("omar", "A resident", "F", True)),
                      places=(("fallujah", "Fallujah", ("Falluja",)),))
    document = html_of("incidents", {"id": "i", "place": "fallujah", "cited": [{"source": "omar"}]}, pickers=pickers)
    options = [text(e) for e in elements(by_id(document, "pick-sources")) if e.name == "option"]
    assert options == ["news-roundup-2016-06 — Fox News (B)", "omar — A resident (F) — restricted"]
    places = [text(e) for e in elements(by_id(document, "pick-places")) if e.name == "option"]
    assert places == ["fallujah — Fallujah (also: Falluja)"]
    assert by_id(document, "f-cited-0-source").attrs["list"] == "pick-sources"
    assert text(by_id(document, "f-cited-0-source-note")) == \
        "A resident, graded F; restricted: a public edition prints only its public name"
    assert text(by_id(document, "f-place-note")) == "Fallujah"
    links = [e.attrs["href"] for e in elements(document) if e.name == "a"]
    assert links == ["/new/sources", "/new/sources"]  # beside source and via


def test_a_restricted_entry_is_marked_on_the_whole_form():
    restricted = html_of("incidents", {"id": "i", "sensitivity": "restricted"})
    form = next(e for e in elements(restricted) if e.name == "form")
    assert form.attrs["class"] == "entry-form restricted"
    assert "left out of every public edition" in text(by_id(restricted, "restricted-banner"))
    assert "flag-set" in by_id(restricted, "f-sensitivity").attrs["class"]
    assert by_id(restricted, "f-sensitivity-restricted").attrs.get("checked") is not None
    source = html_of("sources", {"id": "s", "sensitivity": "restricted"})
    assert "prints only this source's public name" in text(by_id(source, "restricted-banner"))
    public = html_of("incidents", {"id": "i"})
    assert not any((e.attrs or {}).get("id") == "restricted-banner" for e in elements(public))
    assert by_id(public, "f-sensitivity-public").attrs.get("checked") is not None  # the default, shown


def test_translations_side_by_side_with_their_staleness():
    data = incident_of_the_example()
    original = data["summary"]["en"]
    current = fingerprint(original)
    stale = {**data, "summary": {"en": original, "fr@0badf00d": "Ancienne traduction.", f"ar@{current}": "نص"}}
    document = html_of("incidents", stale)
    translations = [e for e in elements(by_id(document, "f-summary-set")) if e.name == "div"
                    and "translation" in e.attrs.get("class", "").split()]
    assert [e.attrs["class"] for e in translations] == ["translation stale", "translation",
                                                         "translation new-translation"]
    assert "made from an earlier version of the original (0badf00d" in text(by_id(document, "f-summary-tr-0-stale"))
    assert by_id(document, "f-summary").to_text() == original
    assert by_id(document, "f-summary-lang").attrs["value"] == "en"


def test_a_fuzzy_date_is_explained_beside_it():
    document = html_of("incidents", {"id": "i", "date": "2016-W23"})
    assert text(by_id(document, "f-date-note")) == \
        "week 23 of 2016 (6–12 June 2016) — some day of that week, Monday to Sunday: known on 12 June 2016 at the latest"
    assert "f-date-note" in by_id(document, "f-date").attrs["aria-describedby"].split()


@pytest.mark.parametrize("written, explained", [
    ("2016-06-03", "3 June 2016 — that day: known on that day at the latest"),
    ("2016-06", "June 2016 — the whole month: known on 30 June 2016 at the latest"),
    ("2016", "2016 — the whole year: known on 31 December 2016 at the latest"),
    ("2016-06-01/2016-06-05", "1–5 June 2016 — some time in that span: known on 5 June 2016 at the latest"),
    ("2016-13", "'2016-13' is not a real date (there is no month 13)"),
])
def test_explain_fuzzy_date(written, explained):
    assert explain_fuzzy_date(written) == explained


def test_values_are_escaped():
    document = html_of("places", {"id": "p", "name": '"><script>alert(1)</script>'})
    assert not any(e.name == "script" for e in elements(document))
    assert by_id(document, "f-name").attrs["value"] == '"><script>alert(1)</script>'


def test_the_editors_templates_are_not_listed_as_a_reports():
    from sitrep.commands.templates import builtin_template_names, list_templates

    assert (REPO / "templates/editor/form.html").is_file()
    names = [entry.name for entry in list_templates()] + builtin_template_names()
    assert "report.html" in names and not [name for name in names if name.startswith("editor/")]


def test_an_optional_part_left_empty_is_folded_unless_a_problem_is_in_it():
    def opened(document):
        return {e.children[0].to_text(): "open" in e.attrs for e in elements(document) if e.name == "details"}

    folded = opened(html_of("incidents", {"id": "i", "victims": {"killed": {"value": 3}}}))
    assert folded["victims"] and folded["killed"] and not folded["injured"] and not folded["duration"]
    assert not folded["description"] and not folded["imported"]
    assert opened(html_of("incidents", {"id": "i"}, problems={"duration.unit": ["missing"]}))["duration"]
