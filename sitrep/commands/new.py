"""`sitrep new KIND`: add a skeleton entry to a store file without touching what is there.

The new entry is inserted as text at the end of the file's list of that kind (or, when the
file has none, as a new list at its end): every byte already in the file stays where and
as it was, comments and layout included. The result is parsed and validated before it is
written, and written atomically, so a store is never left half-edited.

A new fact starts as a draft: `sensitivity: restricted` keeps it out of public editions and
its TODO text makes `sitrep check` warn, until the analyst has filled it in.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

from sitrep.edit.yamledit import insert_entry_text
from sitrep.errors import Problem, StoreError, display_path
from sitrep.output import write_atomic
from sitrep.source.config import Config
from sitrep.source.entries import Store
from sitrep.source.regularfiles import YamlLoadError
from sitrep.source.schema import KIND_SINGULAR, KINDS
from sitrep.source.store import find_store_files
from sitrep.source.yamlsource import parse_yaml_bytes

# `sitrep new figure` adds to `figures:`.
KIND_KEYS = {singular: key for key, singular in KIND_SINGULAR.items()}

DRAFT = "sensitivity: restricted  # draft: delete this line once the entry is filled in and checked"

# The skeleton of each kind, at zero indentation; {id}, {today}, {place}, {place2}, {source},
# {week} are filled in. Values are valid, so the store still checks; TODO marks what to replace.
SKELETONS = {
    "source": """- id: {id}
  name: TODO name of the outlet, agency or person
  kind: media  # media, official, un_agency, ngo, witness, armed_group, ... (docs/store.md: Vocabularies)
  reliability: F  # Admiralty A (completely reliable) to E (unreliable); F: cannot be judged yet
  sensitivity: restricted  # a restricted source is never named in a public edition
  public_name: TODO how a public edition should refer to this source
""",
    "place": """- id: {id}
  name: TODO place name
  names: {{ar: TODO}}  # the name in other languages, by language code
  kind: town  # city, town, district, neighbourhood, camp, checkpoint, ... (docs/store.md: Vocabularies)
  # lat: 33.35
  # lon: 43.78
""",
    "actor": """- id: {id}
  name: TODO actor name
  kind: armed_group  # armed_group, state_force, government, ... (docs/store.md: Vocabularies)
""",
    "figure": """- id: {id}
  metric: civilians_trapped  # docs/store.md: Vocabularies, metrics
  place: {place}
  as_of: {today}  # a day, an ISO week (2016-W26), a month (2016-06) or a year
  value: 0  # TODO the reported number; or low: and high: for a range
  qualifier: exact  # exact, about, at_least, at_most, more_than, less_than
  unit: people
  note: TODO what exactly was reported
  cited:
    - {{source: {source}, date: {today}, credibility: 6}}  # credibility 1 (confirmed) to 6 (cannot be judged)
  {draft}
""",
    "incident": """- id: {id}
  type: attack_on_civilians  # docs/store.md: Vocabularies, incident types
  date: {today}
  place: {place}
  # perpetrator: an actor id
  status: alleged  # alleged, corroborated (independent sources agree), verified
  summary: TODO what happened, in your own words
  cited:
    - {{source: {source}, date: {today}, credibility: 6}}
  {draft}
""",
    "route": """- id: {id}
  name: TODO route name
  origin: {place}
  destination: {place2}
  updates:
    - as_of: {today}
      status: unsafe  # open, restricted, closed, unsafe
      hazards: []  # snipers, ieds, river_crossing, ... (docs/store.md: Vocabularies)
      summary: TODO what was reported about the route
      cited:
        - {{source: {source}, date: {today}, credibility: 6}}
  {draft}
""",
    "area": """- id: {id}
  name: TODO the area, and who holds it
  shape: area  # area (an outline), or front_line (a line)
  updates:
    - as_of: {today}
      controlled_by: []  # actor ids; none: contested, or not reported
      outline: [[33.36, 43.76], [33.37, 43.80], [33.33, 43.81]]  # TODO [latitude, longitude] points; or file: a GeoJSON file
      cited:
        - {{source: {source}, date: {today}, credibility: 6}}
  {draft}
""",
    "movement": """- id: {id}
  period: {today}
  origin: {place}
  destination: {place2}
  # count: {{value: 100, qualifier: about}}  # omit when no count was reported
  summary: TODO who moved, how, and what happened on the way
  cited:
    - {{source: {source}, date: {today}, credibility: 6}}
  {draft}
""",
    "narrative": """- id: {id}
  week: {week}
  section: overview  # overview, highlights, trapped, routes, movements, abuses, context, outlook
  text: >-
    TODO the analyst's paragraph for this week.
  {draft}
""",
}

# What each kind's skeleton refers to, and must find in the store.
NEEDS = {"figure": ("places", "sources"), "incident": ("places", "sources"), "route": ("places", "sources"),
         "movement": ("places", "sources")}

@dataclass
class NewEntry:
    kind: str
    id: str
    file: Path
    line: int  # where the new entry starts


def add_entry(config: Config, store: Store, kind: str, file: Path | None = None,
              entry_id: str | None = None, today: dt.date | None = None) -> NewEntry:
    """Insert a skeleton `kind` entry into `file` (default: the store file that already holds
    the most entries of that kind). Raises StoreError when it cannot be done safely."""
    today = today or dt.date.today()
    key = KIND_KEYS[kind]
    path = Path(file).resolve() if file else _default_file(config, store, key)
    shown = display_path(path)
    if path.exists() and not path.is_file():
        raise StoreError(Problem(shown, 0, "this is a folder, not a store file",
                                 expected=f"a .yaml file inside {display_path(config.store_dir)}/"))
    if not path.is_relative_to(config.store_dir) or path.suffix.lower() not in (".yaml", ".yml"):
        raise StoreError(Problem(shown, 0, "sitrep new adds entries to the store's own files only",
                                 expected=f"a .yaml file inside {display_path(config.store_dir)}/"))
    taken = {i for k in KINDS for i in store.kind(k)}
    entry_id = entry_id or _fresh_id(kind, today, taken)
    if entry_id in taken:
        origin = store.origins[entry_id]
        raise StoreError(Problem("sitrep new", 0, f"the id '{entry_id}' is already used at {origin.file}:{origin.line}",
                                 expected="a new, unique id"))
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", entry_id):
        raise StoreError(Problem("sitrep new", 0, f"'{entry_id}' is not a valid id",
                                 expected="letters, digits, '.', '_' or '-', starting with a letter or digit"))
    skeleton = _skeleton(store, kind, entry_id, today)
    original = path.read_bytes() if path.exists() else b""
    updated = _insert(original, shown, key, skeleton)
    line = _validate(updated, shown, key, entry_id)
    mode = path.stat().st_mode & 0o777 if path.exists() else None
    write_atomic(path, updated)
    if mode is not None:
        os.chmod(path, mode)
    return NewEntry(kind, entry_id, path, line)


def _default_file(config: Config, store: Store, key: str) -> Path:
    """The store file holding the most entries of this kind (the last such file on a tie),
    or a new <kind>.yaml in the store folder when none does."""
    counts: dict[str, int] = {}
    for entry_id in store.kind(key):
        shown = store.origins[entry_id].file
        counts[shown] = counts.get(shown, 0) + 1
    files = [p for p in find_store_files(config.store_dir) if display_path(p) in counts]
    if files:
        return max(reversed(files), key=lambda p: counts[display_path(p)])
    return config.store_dir / f"{key}.yaml"


def _fresh_id(kind: str, today: dt.date, taken: set[str]) -> str:
    base = f"new-{kind}-{today.isoformat()}"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _skeleton(store: Store, kind: str, entry_id: str, today: dt.date) -> str:
    for needed in NEEDS.get(kind, ()):
        if not store.kind(needed):
            raise StoreError(Problem("sitrep new", 0, f"a new {kind} refers to {needed}, and the store has none yet",
                                     expected=f"at least one entry under '{needed}:'",
                                     hint=f"add one first: sitrep new {needed[:-1]}"))
    places = list(store.places)
    year, week, _ = today.isocalendar()
    return SKELETONS[kind].format(
        id=entry_id, today=today.isoformat(), draft=DRAFT, week=f"{year}-W{week:02d}",
        place=places[0] if places else "", place2=places[1] if len(places) > 1 else (places[0] if places else ""),
        source=next(iter(store.sources), ""),
    )


def _insert(original: bytes, shown: str, key: str, skeleton: str) -> bytes:
    """The file with the skeleton inserted at the end of its `key:` list (the editor's rule,
    sitrep.edit.yamledit). Only new bytes are added; the existing ones are not changed."""
    try:
        text = original.decode("utf-8")
    except UnicodeDecodeError:
        raise StoreError(Problem(shown, 0, "this file is not UTF-8 text; sitrep new will not edit it",
                                 expected="a UTF-8 YAML file")) from None
    return insert_entry_text(text, shown, key, skeleton).encode("utf-8")


def _validate(updated: bytes, shown: str, key: str, entry_id: str) -> int:
    """Parse the edited file and make sure the new entry is where it should be: a file we
    cannot safely edit is refused rather than damaged. Returns the new entry's line."""
    try:
        doc = parse_yaml_bytes(updated, shown)
    except YamlLoadError as exc:
        raise StoreError(Problem(shown, 0, "sitrep new would leave this file unreadable, so it was not changed",
                                 expected="a file that parses before the edit",
                                 hint=f"fix it first: {exc.problem}")) from None
    entries = doc.data.get(key) if isinstance(doc.data, dict) else None
    index = next((i for i, e in enumerate(entries) if isinstance(e, dict) and e.get("id") == entry_id), None) \
        if isinstance(entries, list) else None
    if index is None:
        raise StoreError(Problem(shown, 0, f"could not add the entry to '{key}:' in this file without rewriting it",
                                 expected=f"'{key}:' as a block list ('- id: ...' items)",
                                 hint="add the entry by hand, or pass --file to add it to another file"))
    return doc.line_of((key, index))
