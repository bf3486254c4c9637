"""The store's aliases checked (source/aliases.py): an alias that an import could not tell from
another entry's name or alias is a warning, at the alias's own line, naming the other entry and
where it is; aliases that keep entries apart are not."""

from __future__ import annotations

from pathlib import Path

from support import copy_example, write
from sitrep.source.store import load_store


def warnings_for(tmp_path: Path, text: str) -> list[str]:
    write(tmp_path / "store.yaml", text)
    return [str(w).replace(f"{tmp_path}/", "") for w in load_store(tmp_path, cache=False).warnings
            if "the alias" in str(w)]


PLACES = """places:
  - {id: anbar, name: Anbar governorate, kind: governorate, lat: 32.5, lon: 41.9}
  - id: anbar-old
    name: Anbar (old boundaries)
    kind: governorate
    lat: 32.5
    lon: 41.9
    aliases: [Ramadi, Al-Anbar]
  - {id: ramadi, name: Ramadi, kind: city, lat: 33.42, lon: 43.3, aliases: [Anbar]}
  - {id: hit, name: Hit, kind: town, lat: 33.6, lon: 42.8, aliases: [hīt town]}
  - {id: hit-district, name: Hit district, kind: district, aliases: [Hit]}
"""


def test_an_alias_naming_another_place_of_the_same_kind_is_a_warning_at_its_line(tmp_path):
    found = warnings_for(tmp_path, PLACES)
    # 'Al-Anbar' is how an import reads the governorate 'Anbar governorate'; 'Ramadi' and 'Anbar'
    # name places of other kinds ('Ramadi' the city is no governorate); 'hīt town' is Hit's own name.
    assert found == ["store.yaml:8: warning: [anbar-old] the alias 'Al-Anbar' names 'anbar' (store.yaml:2) too, "
                     "another governorate: an import cannot tell which a dataset's 'Al-Anbar' is, and proposes a new "
                     "place instead; keep the alias on one of them"]


def test_one_alias_on_two_actors_is_a_warning_on_each(tmp_path):
    found = warnings_for(tmp_path, """actors:
  - {id: isis, name: Islamic State, kind: armed_group, aliases: [Daesh, ISIL]}
  - {id: other, name: Another group, kind: armed_group, aliases: [DAESH]}
  - {id: forces, name: Iraqi forces, kind: state_force, aliases: [Islamic state]}
""")
    assert len(found) == 3
    assert found[0].startswith("store.yaml:2: warning: [isis] the alias 'Daesh' names 'other' (store.yaml:3) too")
    assert found[1].startswith("store.yaml:3: warning: [other] the alias 'DAESH' names 'isis' (store.yaml:2) too")
    assert found[2].startswith("store.yaml:4: warning: [forces] the alias 'Islamic state' names 'isis' (store.yaml:2)")


def test_the_examples_aliases_raise_no_warning_and_check_names_the_clash(tmp_path, sitrep_cli):
    ws = copy_example(tmp_path / "ws")
    check = sitrep_cli("check", "--config", ws / "config.yaml")
    assert check.exit_code == 0 and "the alias" not in check.stdout + check.stderr, check.stderr
    with (ws / "facts/places.yaml").open("a", encoding="utf-8") as places:
        places.write("\n  - id: anbar-2\n    name: Western Anbar\n    kind: governorate\n    aliases: [Anbar]\n")
    check = sitrep_cli("check", "--config", ws / "config.yaml")
    assert check.exit_code == 0
    said = (check.stdout + check.stderr).replace(f"{ws}/", "")
    assert "facts/places.yaml:104: warning: [anbar-2] the alias 'Anbar' names 'anbar' (facts/places.yaml:12) too" in said
