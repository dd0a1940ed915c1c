"""docs/case.schema.json describes every bundled case.yaml and every key the loader knows.

The schema is what editors check a user's case.yaml against; if the loader gains a key
the schema and docs/case-format.md must say so, and the bundled files must pass it.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from monitor.data.case import CASE_KEYS, SERIES_KEYS, bundled_names, bundled_root

jsonschema = pytest.importorskip("jsonschema")

DOCS = Path(__file__).resolve().parents[2] / "docs"
SCHEMA = json.loads((DOCS / "case.schema.json").read_text(encoding="utf-8"))


def as_json(value: Any) -> Any:
    """YAML as an editor's language server sees it: an unquoted date is text."""
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def load(path: Path) -> Any:
    return as_json(YAML(typ="safe").load(path.read_text(encoding="utf-8")))


def test_the_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("name", bundled_names())
def test_bundled_case_yaml_passes_the_schema(name: str):
    document = load(bundled_root() / name / "case.yaml")
    errors = list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(document))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


def test_schema_rejects_what_the_loader_rejects():
    validator = jsonschema.Draft202012Validator(SCHEMA)
    assert not validator.is_valid({"sereis": {}})  # an unknown key
    assert not validator.is_valid({"series": {"pmi": {"publication_lag_days": -1}}})
    assert not validator.is_valid({"series": {"pmi": {"decision": "yes"}}})
    assert not validator.is_valid({"crisis_events": [{"title": "no date"}]})


def test_schema_and_docs_name_every_key_the_loader_knows():
    assert set(SCHEMA["properties"]) == CASE_KEYS
    assert set(SCHEMA["$defs"]["series"]["properties"]) == SERIES_KEYS
    doc = (DOCS / "case-format.md").read_text(encoding="utf-8")
    for key in CASE_KEYS | SERIES_KEYS:
        assert f"| `{key}` |" in doc, key
