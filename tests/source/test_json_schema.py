"""The JSON Schema that editors use agrees with the store's own validation."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from sitrep.source.schema import SCHEMA_FILE_NAME, store_json_schema
from support import REPO



def as_editor_sees(path: Path):
    """The YAML language server reads YAML 1.2: dates are strings, not date objects."""
    def stringify(value):
        if isinstance(value, (dt.date, dt.datetime)):
            return value.isoformat()
        if isinstance(value, dict):
            return {k: stringify(v) for k, v in value.items()}
        if isinstance(value, list):
            return [stringify(v) for v in value]
        return value
    return stringify(yaml.safe_load(path.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def validator():
    schema = store_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("path", sorted((REPO / "facts").glob("*.yaml")), ids=lambda p: p.name)
def test_schema_accepts_the_example_store(validator, path):
    errors = list(validator.iter_errors(as_editor_sees(path)))
    assert not errors, [e.message for e in errors]


@pytest.mark.parametrize("mistake", [
    {"figures": [{"id": "x", "metric": "civilians_trapped", "plac": "fallujah", "as_of": "2016-06", "value": 1,
                  "unit": "people", "cited": [{"source": "nbc-news"}]}]},
    {"figures": [{"id": "x", "metric": "trapped", "place": "fallujah", "as_of": "2016-06", "value": 1,
                  "unit": "people", "cited": [{"source": "nbc-news"}]}]},
    {"incidents": [{"id": "x", "type": "human_shields", "date": "June 2016", "place": "fallujah",
                    "status": "alleged", "summary": "s", "cited": [{"source": "nbc-news"}]}]},
    {"sources": [{"id": "Bad Id", "name": "n", "kind": "media", "reliability": "B"}]},
    {"sources": [{"id": "s", "name": "n", "kind": "media", "reliability": "G"}]},
    {"routes": [{"id": "r", "origin": "a", "destination": "b", "updates": []}]},
    {"figures": [{"id": "x", "metric": "civilians_trapped", "place": "p", "as_of": "2016-06", "value": "many",
                  "unit": "people", "cited": []}]},
    {"facts": []},
], ids=["unknown-key", "unknown-metric", "non-date", "bad-id", "bad-grade", "no-updates", "text-number", "unknown-kind"])
def test_schema_rejects_broken_entries(validator, mistake):
    assert list(validator.iter_errors(mistake))


def test_committed_schema_file_is_current():
    committed = json.loads((REPO / "facts" / SCHEMA_FILE_NAME).read_text(encoding="utf-8"))
    assert committed == store_json_schema(), "run `sitrep schema` and commit facts/sitrep.schema.json"


def test_schema_command_prints_and_writes(workspace, sitrep_cli):
    printed = sitrep_cli("schema", "--output", "-")
    assert printed.exit_code == 0 and json.loads(printed.stdout)["title"] == "sitrep fact store file"
    written = sitrep_cli("schema", "--config", workspace / "config.yaml")
    assert written.exit_code == 0
    assert json.loads((workspace / "facts" / SCHEMA_FILE_NAME).read_text()) == store_json_schema()
