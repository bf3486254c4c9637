"""`sitrep init DIR`: a new workspace that builds at once.

It holds a commented config.yaml, a starter store with one small example entry of each kind
(every one marked EXAMPLE, to replace), the store's JSON Schema for editors, and a templates
folder for the organisation's own templates. The files are written here as text, with their
comments, rather than dumped from data: they are the first thing a new user reads.

The example facts are dated on the last Sunday before today, the end of the last whole week,
so the first report is that week's and says its information is as of a day already past (facts
dated today would make it this week's report, as of a Sunday still to come).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sitrep.errors import Problem, SitrepError, display_path
from sitrep.output import write_atomic
from sitrep.source.schema import SCHEMA_FILE_NAME, store_json_schema
from sitrep.source.vocabulary import DEFAULT_SECTIONS

SCHEMA_LINE = f"# yaml-language-server: $schema={SCHEMA_FILE_NAME}"

CONFIG = """\
# sitrep workspace settings. Paths are relative to this file.
# docs/workspace.md, "The workspace and config.yaml" and "Make the report your own", explains every line.

title: Situation Report                   # EXAMPLE: your report's title
crisis: Example City — example crisis     # EXAMPLE: the subtitle: the place and the crisis
organisation:
  name: Your organisation                 # EXAMPLE: printed in the header and the footer
  contact:                                # the footer's contact lines (one line, or a list)
    - Your desk or team
    - desk@example.org
  # url: https://example.org

store: facts                # the fact store: every .yaml file in this folder
output: output              # where reports are written
templates: templates        # your own templates, searched before the built-ins (sitrep templates)
file_stem: sitrep           # output/<week>/sitrep-<week>.pdf
language: en                # the report's language: en, fr, ar (right to left), en-US...
# languages: [en, ar, fr]   # an edition in each (docs/languages.md, "Editions in several languages")
# pdf_variant: pdf/ua-1     # tagged for screen readers; pdf/a-3a for archives; plain
edition: public             # public leaves out restricted facts; internal includes them
paper: A4                   # A4, Letter, A5 or Legal
key_metrics: [civilians_trapped, civilians_killed, people_displaced, arrivals]
# The series of reports (docs/report.md, "When a fact enters the series"). A fact enters the report of
# the week in which it became known: a fact dated to a month, the week of the month's last day.
# series:
#   first: {week}        # the first report's week (default: the first week with news)
#   quiet_weeks: skip          # skip, or report: a short "no new information" report
#   stale_after_weeks: 8       # then a route status or key figure is "no longer reported"
# Which sections appear, in which order. Uncommented as it is, this is the default; delete a
# name to leave its section out, or add `highlights` for the analyst's highlights as a list of
# their own (by default they open "Since the last report"):
{sections}
disclaimer: Figures are as reported by the sources cited and have not been independently verified.

# The look, with no template to write. Uncomment and change what you need.
# theme:
#   logo: logo.png            # a PNG, JPEG, GIF, WebP or SVG file in this folder
#   colours:                  # quote them: YAML reads '#' as the start of a comment
#     accent: "#1f5f8b"       # headings, rules, links, the header band
#     accent_soft: "#e8f0f6"  # the background of the header's meta line
#   fonts:
#     body: [Noto Sans]       # font families, tried in order before the built-in Noto Sans
#     headings: [Noto Sans]
#     files:                  # font files in this folder, for families the computer does not have
#       - {{family: My Font, file: fonts/MyFont-Regular.ttf}}
#       - {{family: My Font, file: fonts/MyFont-Bold.ttf, weight: bold}}
"""

SOURCES = """\
{schema}
# Who reported: every fact cites one or more sources by id. docs/store.md, "Each kind".

sources:
  # EXAMPLE — replace with a real source, and keep the id short and stable.
  - id: example-news-agency
    name: Example News Agency
    kind: media              # media, government, military, un_agency, ngo, witness, ... (docs/store.md, "Vocabularies")
    reliability: B           # Admiralty: A completely reliable ... E unreliable; F cannot be judged
    url: https://example.org/
"""

PLACES = """\
{schema}
# Places that facts refer to by id: cities, neighbourhoods, camps, checkpoints.

places:
  # EXAMPLE — replace with a real place.
  - id: example-city
    name: Example City
    names: {{ar: مدينة المثال}}   # the name in other languages, by language code
    kind: city
    lat: 33.30                # coordinates, for maps; approximate is fine
    lon: 44.40
  # EXAMPLE — a second place, where the route below leads.
  - id: example-camp
    name: Example Camp
    kind: camp
    lat: 33.20
    lon: 44.30
"""

ACTORS = """\
{schema}
# The parties: armed forces, armed groups, militias, coalitions.

actors:
  # EXAMPLE — replace with a real actor.
  - id: example-armed-group
    name: Example Armed Group
    kind: armed_group        # state_force, armed_group, militia, coalition, tribal, civilian_authority
"""

FACTS = """\
{schema}
# The week's facts. Any number of files, split however suits the team (by month, by topic).
# Every fact cites its sources; the report numbers the citations and lists the sources.

figures:
  # EXAMPLE — a number someone reported. Replace it.
  - id: example-city-trapped
    metric: civilians_trapped
    place: example-city
    as_of: {day}          # a day, or less precise: {month} (a month), {week} (a week)
    low: 1000                  # a range: low and high; or one number: value: 1500
    high: 2000
    qualifier: about
    unit: people
    cited:
      - source: example-news-agency
        date: {day}
        credibility: 3         # Admiralty 1 (confirmed) to 6 (cannot be judged)

incidents:
  # EXAMPLE — an abuse or event that was documented. Replace it.
  - id: example-city-exit-blocked
    type: movement_restriction
    date: {day}
    place: example-city
    perpetrator: example-armed-group
    status: alleged            # alleged, corroborated or verified
    summary: Example only — residents were reported to be stopped from leaving by the southern road.
    cited:
      - source: example-news-agency

routes:
  # EXAMPLE — a way out, with dated status updates. Replace it.
  - id: example-city-to-camp
    origin: example-city
    destination: example-camp
    updates:
      - as_of: {day}
        status: restricted     # open, restricted, unsafe, closed, unknown
        hazards: [checkpoints]
        controlled_by: [example-armed-group]
        summary: Example only — open to women and children, men held for screening.
        cited:
          - source: example-news-agency

movements:
  # EXAMPLE — people who moved between places. Replace it.
  - id: example-arrivals-camp
    period: {day}
    origin: example-city
    destination: example-camp
    route: example-city-to-camp
    count: {{value: 150, qualifier: about}}
    unit: families
    summary: Example only — families arrived at the camp on foot.
    cited:
      - source: example-news-agency
"""

NARRATIVE = """\
{schema}
# The analyst's own words for a week: overview, highlights, notes per section, outlook.

narrative:
  # EXAMPLE — the overview of the example facts' week. Replace it with your own.
  - id: overview-{week_id}
    week: {week}
    section: overview
    text: |
      This is an example report, built from the example entries that sitrep init wrote.
      Replace them with your own facts and run sitrep build again.

      Paragraphs are separated by a blank line.
  # EXAMPLE — highlights: one bullet each. Without them, the report picks the key facts itself.
  # [[an-entry-id]] prints that figure as the tables do, with its qualifier and citation, or
  # cites that entry; a number written without one is a warning (docs/store.md, "Numbers in your own words").
  - id: highlights-{week_id}
    week: {week}
    section: highlights
    items:
      - "[[example-city-trapped]] remain in Example City (example)."
      - The road to Example Camp is restricted (example) [[example-city-to-camp]].
"""

TEMPLATES_README = """\
# Your templates

A template in this folder is used instead of sitrep's built-in template of the same name,
one file at a time; everything else still comes from the built-ins.

    sitrep templates                            # every template, and where it is found
    sitrep templates copy sections/outlook.html # a built-in, copied here to edit
    sitrep templates context                    # the variables templates receive

A template here can extend the built-in it replaces instead of copying it:

    {% extends "builtin:report.html" %}
    {% block extra_style %}h2 { text-transform: uppercase; }{% endblock %}

Colours, fonts, the logo, the paper size and which sections appear need no template:
see `theme:` and `sections:` in config.yaml.
"""


def example_day(today: dt.date) -> dt.date:
    """The day the example facts are dated: the Sunday that ended the last whole ISO week
    before `today` (yesterday on a Monday, a week ago on a Sunday). The first report is that
    week's, and its as-of date (the week's Sunday) is never after today."""
    return today - dt.timedelta(days=today.isoweekday())


def sections_comment() -> str:
    """config.yaml's `sections:` line, commented out: the default list, so that uncommenting it
    changes nothing, wrapped as a YAML flow list that still reads as one once uncommented."""
    lines, line = [], "# sections: ["
    for name in DEFAULT_SECTIONS:
        word = f"{name}, " if name != DEFAULT_SECTIONS[-1] else f"{name}]"
        if len(line) + len(word) > 100:
            lines.append(line.rstrip())
            line = "#" + " " * (len("# sections: [") - 1)
        line += word
    return "\n".join([*lines, line])


def starter_files(today: dt.date) -> dict[str, str]:
    """Each file of a new workspace, by its path inside the workspace, made on `today`."""
    day = example_day(today)
    year, week_number, _ = day.isocalendar()
    week = f"{year}-W{week_number:02d}"
    values = {"schema": SCHEMA_LINE, "sections": sections_comment(), "day": day.isoformat(),
              "month": day.strftime("%Y-%m"), "week": week, "week_id": week.lower()}
    return {
        "config.yaml": CONFIG.format(**values),
        "facts/sources.yaml": SOURCES.format(**values),
        "facts/places.yaml": PLACES.format(**values),
        "facts/actors.yaml": ACTORS.format(**values),
        "facts/example-facts.yaml": FACTS.format(**values),
        "facts/narrative.yaml": NARRATIVE.format(**values),
        f"facts/{SCHEMA_FILE_NAME}": json.dumps(store_json_schema(), indent=2, ensure_ascii=False) + "\n",
        "templates/README.md": TEMPLATES_README,
    }


def init_workspace(folder: Path, today: dt.date | None = None) -> list[Path]:
    """Create a workspace in `folder` (new, or empty). Returns the files written."""
    shown = display_path(folder)
    if folder.exists() and not folder.is_dir():
        raise SitrepError(Problem(shown, 0, "is a file, not a folder", expected="a new or empty folder"))
    if folder.is_dir() and any(folder.iterdir()):
        raise SitrepError(Problem(shown, 0, "the folder is not empty; sitrep init never writes over files",
                                  expected="a new or empty folder",
                                  hint="choose another folder, such as a new sub-folder"))
    written = []
    for name, text in starter_files(today or dt.date.today()).items():
        path = folder / name
        write_atomic(path, text)
        written.append(path)
    return written
