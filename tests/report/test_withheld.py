"""Withheld means withheld: a public edition shows nothing of a restricted source but its public
name, and nothing at all of a restricted fact.

A unique marker is planted in every string field of restricted sources (and of every citation
of them) and of restricted facts of each kind, and in the ids. Then every file the public
archive writes under output/ is searched for every marker: the HTML, the PDF (its extracted
text, metadata, bookmarks, attachments, and its raw bytes with every stream decompressed),
output/index.html and the build manifest; and so are `sitrep serve`'s page and PDF. The internal
edition is searched the same way and must show the markers, so the search is known to work.
"""

from __future__ import annotations

import datetime as dt
import http.client
import io
import re
import zlib
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pypdf import PdfReader

from support import without_embedded_files, write
from sitrep.language import Language, format_decimal, gettext, speaking
from sitrep.source.dates import format_day
from sitrep.source.config import load_config
from sitrep.report.builder import build_context
from sitrep.render.templates import render_html
from sitrep.report.series import series_of
from sitrep.commands.serve import ReportServer
from sitrep.source.store import load_store

# --- The planted store -------------------------------------------------------------------------

# Restricted sources, each with a public name. The informant is cited by public facts through
# a restricted go-between (the courier) and through a public outlet; the relay carries a public
# outlet's report; the nameless one has no public name at all.
WITHHELD_SOURCES = """\
sources:
  - id: marker-informant
    name: Zqxinformantname, baker in the old market
    kind: witness
    reliability: C
    url: https://example.org/zqxinformanturl
    description: Zqxinformantdesc, met through his cousin.
    sensitivity: restricted
    public_name: A resident of Fallujah

  - id: marker-courier
    name: Zqxcouriername
    kind: local_source
    reliability: D
    url: https://example.org/zqxcourierurl
    description: Zqxcourierdesc
    sensitivity: restricted
    public_name: Zqxcourieralias

  - id: marker-relay
    name: Zqxrelayname
    kind: local_source
    reliability: C
    url: https://example.org/zqxrelayurl
    description: Zqxrelaydesc
    sensitivity: restricted
    public_name: A relay contact

  - id: marker-nameless
    name: Zqxnamelessname
    kind: ngo
    reliability: F
    url: https://example.org/zqxnamelessurl
    description: Zqxnamelessdesc
    sensitivity: restricted

places:
  - id: marker-place
    name: Zqxplacename
    kind: area
    parent: fallujah
    notes: Zqxplacenotes

actors:
  - id: marker-actor
    name: Zqxactorname
    kind: militia
    notes: Zqxactornotes
"""

# Public facts that cite the restricted sources: these are shown, crediting public names only.
PUBLIC_FACTS_CITING_THEM = """\
figures:
  - id: public-killed-from-an-informant
    metric: civilians_killed
    place: fallujah
    as_of: 2016-06
    value: 45
    unit: people
    cited:
      - source: marker-informant
        via: marker-courier
        date: 2003-02-19
        url: https://example.org/zqxciteurl
        credibility: 2
        note: Zqxcitenote, met at his shop after dark

  - id: public-camp-figure-from-a-nameless-source
    metric: people_in_camps
    place: amiriyat-camp
    as_of: 2016-06
    value: 1200
    unit: people
    cited:
      - {source: marker-nameless, date: 2016-06-14, credibility: 3, note: Zqxnamelessnote}

incidents:
  - id: public-incident-from-contacts
    type: movement_restriction
    date: 2016-06
    place: fallujah
    perpetrator: isis
    status: alleged
    summary: Public probe summary, reported by contacts whose identity is withheld.
    cited:
      - {source: marker-informant, via: fox-news, credibility: 3}
      - source: ibtimes
        via: marker-relay
        date: 2004-03-21
        url: https://example.org/zqxrelaycite
        credibility: 3
        note: Zqxrelaynote
"""

# Restricted facts of every kind, reaching every part of the report: key figures (a trend
# point, and the 'no longer reported' line the week after), a route whose status changes, the
# deadliest abuse (automatic highlights), a movement, narrative, and a week of their own.
RESTRICTED_FACTS = """\
figures:
  - id: marker-restricted-figure
    metric: civilians_trapped
    place: marker-place
    as_of: 2016-W25
    value: 9876543
    unit: people
    note: Zqxkeyfigurenote
    cited:
      - {source: marker-informant, date: 2016-06-22, credibility: 2, note: Zqxfigurecitenote, url: https://example.org/zqxfigurecite}
    sensitivity: restricted

  - id: marker-restricted-meals
    metric: meals_per_day
    place: marker-place
    as_of: 2016-06
    value: 6
    unit: meals
    note: Zqxfigurenote
    cited:
      - {source: marker-relay, credibility: 3}
    sensitivity: restricted

incidents:
  - id: marker-restricted-incident
    type: human_shields
    date: 2016-06
    place: marker-place
    perpetrator: marker-actor
    victims:
      killed: {value: 8765432}
      description: Zqxvictimsdesc
    status: alleged
    summary: Zqxincidentsummary
    cited:
      - {source: marker-courier, note: Zqxincidentcitenote}
    sensitivity: restricted

  - id: marker-restricted-only-week
    type: arbitrary_detention
    date: 2016-07-06
    place: marker-place
    perpetrator: marker-actor
    status: alleged
    summary: Zqxonlyweeksummary
    cited:
      - {source: ibtimes, note: Zqxonlyweekcitenote}
    sensitivity: restricted

routes:
  - id: marker-restricted-route
    name: Zqxroutename
    origin: fallujah
    destination: marker-place
    updates:
      - as_of: 2016-W24
        status: open
        summary: Zqxroutebefore
        cited: [{source: marker-relay}]
      - as_of: 2016-W25
        status: closed
        hazards: [snipers]
        controlled_by: [marker-actor]
        summary: Zqxrouteupdatesummary
        cited: [{source: marker-informant, note: Zqxroutecitenote}]
      - as_of: 2016-W26
        status: closed
        summary: Zqxroutelatest
        cited: [{source: ibtimes}]
    sensitivity: restricted

movements:
  - id: marker-restricted-movement
    period: 2016-06
    origin: fallujah
    destination: marker-place
    route: marker-restricted-route
    count: {value: 7654321}
    summary: Zqxmovementsummary
    cited:
      - {source: marker-relay, note: Zqxmovementcitenote}
    sensitivity: restricted

narrative:
  - id: marker-restricted-overview
    week: 2016-W26
    section: overview
    text: Zqxnarrativetext
    author: Zqxnarrativeauthor
    sensitivity: restricted

  - id: marker-restricted-highlights
    week: 2016-W24
    section: highlights
    items: [Zqxnarrativeitem]
    sensitivity: restricted
"""

# Every marker, as it would appear if it leaked (numbers and dates as the report prints them).
MARKERS = [
    # the restricted sources: every field but the public name
    "zqxinformantname", "zqxinformantdesc", "zqxinformanturl",
    "zqxcouriername", "zqxcourierdesc", "zqxcourierurl",
    "zqxcourieralias",  # the courier's public name: it is only ever the informant's go-between (a withheld via)
    "zqxrelayname", "zqxrelaydesc", "zqxrelayurl",
    "zqxnamelessname", "zqxnamelessdesc", "zqxnamelessurl",
    "Non-governmental organisation",  # the nameless source's kind
    # the citations of them on public facts: note, url, date
    "zqxcitenote", "zqxciteurl", "19 February 2003", "2003-02-19",
    "zqxnamelessnote", "14 June 2016", "2016-06-14",
    "zqxrelaynote", "zqxrelaycite", "21 March 2004", "2004-03-21",
    # the restricted facts, and what only they refer to
    "zqxplacename", "zqxplacenotes", "zqxactorname", "zqxactornotes",
    "zqxkeyfigurenote", "zqxfigurenote", "zqxfigurecitenote", "marker-restricted-meals", "zqxfigurecite", "9,876,543", "22 June 2016",
    "zqxincidentsummary", "zqxvictimsdesc", "zqxincidentcitenote", "8,765,432",
    "zqxonlyweeksummary", "zqxonlyweekcitenote", "2016-W27",
    "zqxroutename", "zqxroutebefore", "zqxrouteupdatesummary", "zqxroutecitenote", "zqxroutelatest",
    "zqxmovementsummary", "zqxmovementcitenote", "7,654,321",
    "zqxnarrativetext", "zqxnarrativeauthor", "zqxnarrativeitem",
    # every restricted id
    "marker-informant", "marker-courier", "marker-relay", "marker-nameless", "marker-place", "marker-actor",
    "marker-restricted-figure", "marker-restricted-incident", "marker-restricted-only-week",
    "marker-restricted-route", "marker-restricted-movement", "marker-restricted-overview",
    "marker-restricted-highlights",
]
# The example workspace builds Arabic and French editions too: the restricted numbers, dates and
# the source kind as those print them ('٩٬٨٧٦٬٥٤٣', '9 876 543', '١٩ شباط ٢٠٠٣', 'Organisation non gouvernementale').
RESTRICTED_NUMBERS = (9876543, 8765432, 7654321)
RESTRICTED_DAYS = (dt.date(2003, 2, 19), dt.date(2016, 6, 14), dt.date(2004, 3, 21), dt.date(2016, 6, 22))
LOCALIZED_KIND = []
for _tag in ("ar", "fr"):
    with speaking(Language(_tag, "IQ", "native")):
        MARKERS += [format_decimal(n) for n in RESTRICTED_NUMBERS]
        MARKERS += [format_day(day) for day in RESTRICTED_DAYS]
        LOCALIZED_KIND.append(gettext("Non-governmental organisation"))
MARKERS += LOCALIZED_KIND

# What no edition prints, so the internal edition cannot vouch for the search finding it: the
# descriptions and notes of sources, places and actors, a key figure's note, narrative authors
# and ids, every id but a fact's (data-fact), the courier's public name (the internal edition
# names the courier), source URLs where the citation has its own, and ISO dates.
NOT_SHOWN_BY_ANY_EDITION = {
    "zqxinformantdesc", "zqxcourierdesc", "zqxrelaydesc", "zqxnamelessdesc", "zqxplacenotes", "zqxactornotes",
    "zqxkeyfigurenote", "zqxnarrativeauthor", "zqxcourieralias", "Non-governmental organisation",
    "zqxcourierurl", "zqxrelayurl",
    "marker-informant", "marker-courier", "marker-relay", "marker-nameless", "marker-place", "marker-actor",
    "marker-restricted-overview", "marker-restricted-highlights",
    "2016-06-14", "2003-02-19", "2004-03-21", *LOCALIZED_KIND,
}
assert NOT_SHOWN_BY_ANY_EDITION <= set(MARKERS)

PUBLIC_NAMES = ("A resident of Fallujah", "A relay contact", "Unnamed source")


@pytest.fixture
def planted(workspace: Path, monkeypatch, sitrep_cli) -> Path:
    monkeypatch.chdir(workspace)
    write(workspace / "facts/zz-withheld-sources.yaml", WITHHELD_SOURCES)
    write(workspace / "facts/zz-public-citing-them.yaml", PUBLIC_FACTS_CITING_THEM)
    write(workspace / "facts/zz-restricted.yaml", RESTRICTED_FACTS)
    check = sitrep_cli("check", "--config", workspace / "config.yaml")
    assert check.exit_code == 0, check.output
    return workspace


# --- Searching what a build wrote --------------------------------------------------------------

def decompressed_pdf_bytes(raw: bytes) -> bytes:
    """The PDF's bytes followed by every stream in it inflated (pages, object streams holding
    the metadata and bookmarks, font maps), so no compressed stream can hide a marker."""
    parts = [raw]
    for match in re.finditer(rb"stream\r?\n", raw):
        inflater = zlib.decompressobj()
        try:
            parts.append(inflater.decompress(raw[match.end():]))
        except zlib.error:
            continue  # not a Flate stream (an image, say): its raw bytes are searched already
    return b"\n".join(parts)


def pdf_views(path_or_bytes: Path | bytes) -> dict[str, str]:
    """Each way a PDF shows text: extracted page text, metadata, bookmarks, attachments (names
    and contents), and its raw bytes inflated (also read as UTF-16, as PDF strings may be)."""
    raw = path_or_bytes if isinstance(path_or_bytes, bytes) else path_or_bytes.read_bytes()
    reader = PdfReader(io.BytesIO(raw))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)

    def titles(items):
        for item in items:
            yield from titles(item) if isinstance(item, list) else [str(item.title)]

    attachments = [f"{name}\n" + "\n".join(c.decode("latin-1") for c in contents)
                   for name, contents in reader.attachments.items()]
    inflated = decompressed_pdf_bytes(raw)
    return {
        "text": text,
        "collapsed text": "".join(text.split()),  # a marker broken over two lines
        "metadata": "\n".join(f"{k} {v}" for k, v in (reader.metadata or {}).items()),
        "bookmarks": "\n".join(titles(reader.outline)),
        "attachments": "\n".join(attachments),
        "bytes": inflated.decode("latin-1"),
        "bytes as UTF-16": inflated.decode("utf-16-be", errors="ignore"),
        "bytes as UTF-16, odd offsets": inflated[1:].decode("utf-16-be", errors="ignore"),
    }


def views_of(path: Path) -> dict[str, str]:
    if path.suffix == ".pdf":
        return {f"PDF {view}": text for view, text in pdf_views(path).items()}
    # An HTML report carries its fonts as base64 (one file that travels): searched without them.
    return {"bytes": without_embedded_files(path.read_bytes().decode("utf-8", errors="replace"))}


def leaks(views: dict[str, str], where: str, markers=MARKERS) -> dict[str, list[str]]:
    """marker -> the places (file and view) it was found in, case-insensitively."""
    found: dict[str, list[str]] = {}
    for view, text in views.items():
        lowered = text.lower()
        for marker in markers:
            if marker.lower() in lowered:
                found.setdefault(marker, []).append(f"{where} ({view})")
    return found


def search_output(output: Path, include) -> dict[str, list[str]]:
    """Every file under output/ that `include(name)` selects, searched for every marker."""
    files = sorted(p for p in output.rglob("*") if p.is_file() and include(p.name))
    assert files, f"nothing under {output}"
    found: dict[str, list[str]] = {}
    for path in files:
        for marker, places in leaks(views_of(path), str(path.relative_to(output))).items():
            found.setdefault(marker, []).extend(places)
    return found


def internal(name: str) -> bool:
    return "internal" in name


# --- The public archive: nothing gets out --------------------------------------------------------

def test_the_public_archive_holds_nothing_of_restricted_entries_and_the_internal_one_all(planted, sitrep_cli):
    output = planted / "output"
    built = sitrep_cli("build", "--config", planted / "config.yaml", "--all", "--force")
    assert built.exit_code == 0, built.output
    assert (output / "index.html").is_file() and (output / ".sitrep-manifest.json").is_file()
    # The public series in its three languages: no report for the restricted-only week.
    assert len(list(output.glob("*/*.pdf"))) == 2 * 3

    found = search_output(output, lambda name: True)  # only the public edition exists yet
    assert not found, "restricted material in the public archive:\n" + "\n".join(
        f"  {marker!r}: {', '.join(places[:4])}" for marker, places in found.items())
    # The public facts that cite withheld sources are there, crediting their public names.
    w26 = output / "2016-W26"
    html = (w26 / "fallujah-sitrep-2016-W26.html").read_text(encoding="utf-8")
    text = " ".join(pdf_views(w26 / "fallujah-sitrep-2016-W26.pdf")["text"].split())
    for shown in ("Public probe summary", *PUBLIC_NAMES):
        assert shown in html and shown in text, shown

    # The internal edition shows them all: the search finds what is there.
    built = sitrep_cli("build", "--config", planted / "config.yaml", "--all", "--force", "--edition", "internal")
    assert built.exit_code == 0, built.output
    shown = search_output(output, internal)
    missing = [m for m in MARKERS if m not in NOT_SHOWN_BY_ANY_EDITION and m not in shown]
    assert not missing, f"the internal edition does not show {missing}"
    # ... in its PDFs too (their text, not just the HTML), in its index and its manifest.
    in_pdf_text = {m for m, places in shown.items() if any("(PDF text)" in p for p in places)}
    assert {"zqxinformantname", "zqxcitenote", "zqxfigurenote", "9,876,543", "zqxroutename"} <= in_pdf_text
    for marker in ("zqxplacename", "9,876,543"):
        assert any(p.startswith("index-internal.html") for p in shown[marker]), marker
        assert any(p.startswith(".sitrep-manifest-internal.json") for p in shown[marker]), marker
    assert any("2016-W27" in p for p in shown["zqxonlyweeksummary"])


# --- sitrep serve: the page and the PDF ----------------------------------------------------------

def get(url: str) -> tuple[int, str, bytes]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        connection.request("GET", parts.path or "/")
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("edition", ["public", "internal"])
def test_serve_withholds_in_a_public_edition_and_shows_all_in_an_internal_one(planted, edition):
    with ReportServer(planted / "config.yaml", week="2016-W26", edition=edition, port=0,
                      log=lambda line: None) as server:
        status, _, page = get(server.url)
        assert status == 200, page[:2000]
        status, content_type, pdf = get(server.url + "report.pdf")
        assert status == 200 and content_type == "application/pdf", pdf[:2000]
    found = leaks({"page": page.decode("utf-8")}, "/")
    for marker, places in leaks({f"PDF {view}": text for view, text in pdf_views(pdf).items()}, "/report.pdf").items():
        found.setdefault(marker, []).extend(places)
    if edition == "public":
        assert not found, f"restricted material served: {found}"
        assert "A resident of Fallujah" in page.decode("utf-8")
    else:  # the week served, 2016-W26, has the informant's citation note and the restricted overview
        for marker in ("zqxinformantname", "zqxcitenote", "zqxnarrativetext", "zqxroutelatest"):
            assert any("page" in p for p in found.get(marker, [])), marker
            assert any("PDF text" in p for p in found.get(marker, [])), marker


# --- The context itself: whatever a template prints, nothing is there to leak -------------------

def contexts(workspace: Path, edition: str):
    config = load_config(workspace / "config.yaml")
    store = load_store(config.store_dir, today=dt.date(2031, 1, 1))
    for week in series_of(store, config.series, edition).reports:
        yield build_context(store, config, week, edition)


def test_no_field_of_a_public_context_holds_anything_restricted(planted):
    # repr() of the context lists every field of every object a template can reach.
    for context in contexts(planted, "public"):
        found = leaks({"context": repr(context)}, context.week)
        assert not found, found
    internal_text = "\n".join(repr(context) for context in contexts(planted, "internal"))
    assert "Zqxinformantdesc" not in internal_text  # descriptions are printed by no edition
    assert "Zqxcitenote" in internal_text and "marker-informant" in internal_text


# --- How the withheld lines read -------------------------------------------------------------------

class _SourceLines(HTMLParser):
    """The text of each line of the sources list, by its number."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[int, str] = {}
        self._current: int | None = None

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "li" and (values.get("id") or "").startswith("source-"):
            self._current = int(values["value"])
            self.lines[self._current] = ""

    def handle_endtag(self, tag):
        if tag == "li":
            self._current = None

    def handle_data(self, data):
        if self._current is not None:
            self.lines[self._current] += data


def source_lines(html: str) -> dict[int, str]:
    parser = _SourceLines()
    parser.feed(html)
    return {number: " ".join(text.split()) for number, text in parser.lines.items()}


def built_html(sitrep_cli, workspace: Path, edition: str) -> str:
    result = sitrep_cli("build", "--config", workspace / "config.yaml", "--week", "2016-W26", "--format", "html",
                        "--edition", edition)
    assert result.exit_code == 0, result.output
    suffix = "-internal" if edition == "internal" else ""
    return (workspace / f"output/2016-W26/fallujah-sitrep-2016-W26{suffix}.html").read_text(encoding="utf-8")


def test_a_withheld_source_keeps_its_numbered_line_and_its_grade_under_its_public_name(planted, sitrep_cli):
    lines = source_lines(built_html(sitrep_cli, planted, "public"))
    withheld = {n: line for n, line in lines.items() if "withheld" in line}
    # One line per withheld source, however many references cite it: the informant's three
    # citations (via the courier, via Fox News, in another fact) are one numbered line.
    assert sorted(withheld.values()) == [
        "A resident of Fallujah (identity withheld). Reliability C, credibility 2–3",
        "International Business Times, as reported by A relay contact (identity withheld). Reliability C, credibility 3",
        "Unnamed source (identity withheld). Reliability F, credibility 3",
    ], withheld
    context = next(c for c in contexts(planted, "public") if c.week == "2016-W26")
    entries = {e.name: e for e in context.sources if e.withheld}
    informant = entries["A resident of Fallujah"]
    assert (informant.source_id, informant.kind, informant.via, informant.date, informant.url, informant.note) == \
        (None, None, None, None, None, None)
    assert (informant.reliability, informant.credibility) == ("C", [2, 3])

    # Facts citing it still say how well sourced they are, naming the public name.
    killed = next(f for f in context.key_figures if f.metric == "civilians_killed")
    assert killed.conflicting
    assert "A resident of Fallujah" in [source for r in killed.reports for source in r.sources]
    camp = next(r for r in context.other_figures if r.id == "public-camp-figure-from-a-nameless-source")
    assert camp.sourcing.attribution == "Reported by Unnamed source — one source, grade F3"
    incident = next(i for g in context.abuses for i in g.incidents if i.id == "public-incident-from-contacts")
    assert incident.sourcing.label == "2 sources · best C3"
    assert {lines[n] for n in incident.citations} == {
        line for line in withheld.values() if "resident" in line or "relay" in line}

    # The internal edition names everyone, with every field of the citation. (Its series differs:
    # the internal edition may date a fact by its withheld citation, so the nameless source's
    # figure, reported on 14 June, is news in the internal report of that week.)
    assert "withheld" not in "\n".join(source_lines(built_html(sitrep_cli, planted, "internal")).values())
    text = "\n".join(line for context in contexts(planted, "internal")
                     for line in source_lines(render_html(context)).values())
    for shown in ("Zqxinformantname", "Zqxcouriername", "19 February 2003", "Zqxcitenote",
                  "https://example.org/zqxciteurl", "Zqxrelayname", "Zqxnamelessname"):
        assert shown in text, shown
    assert "withheld" not in text
