"""Data to take away: the run JSON validates against docs/report.schema.json, the CSV
holds every alert and indicator value, and the report links both."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from monitor.cli import main
from monitor.pipeline import run
from monitor.rulebook.loader import bundled_rules_dir

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "report.schema.json").read_text(encoding="utf-8"))
GOLDEN = sorted((ROOT / "tests" / "golden").glob("*.json"))


def validate(document: dict) -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.Draft202012Validator(SCHEMA).validate(document)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    out = tmp_path_factory.mktemp("schema")
    return run("telecom-2000", as_of="2001-06-30", out_dir=out)


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.stem)
def test_every_golden_document_validates(path):
    validate(json.loads(path.read_text(encoding="utf-8")))


def test_every_emitted_document_validates(published, tmp_path):
    folder = published.html_path.parent
    for name in (published.json_path.name, "latest.json"):
        document = json.loads((folder / name).read_text(encoding="utf-8"))
        assert document["schema_version"] == "1.0"
        validate(document)
    result = CliRunner().invoke(
        main, ["run", "--case", "ai-cycle", "--out", str(tmp_path), "--json"]
    )
    assert result.exit_code == 0, result.output
    validate(json.loads(result.output))


def test_schema_rejects_a_document_missing_its_version(published):
    document = json.loads(published.json_path.read_text(encoding="utf-8"))
    del document["schema_version"]
    with pytest.raises(jsonschema.ValidationError):
        validate(document)


def test_csv_has_every_alert_and_indicator_value_and_the_report_links_it(published):
    a = published.assessment
    path = published.html_path.with_suffix(".csv")
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    expected = sum(max(len(r.entities), 1) for r in a.rules)
    assert len(rows) == expected
    # Lucent's bad-debt reserve, 46.5% of customer loans in 2001 (the case data)
    bad_debt = [r for r in rows if r["rule"] == "bad-debt-reserve-surge" and r["entity"] == "LU"]
    assert bad_debt[0]["state"] == "firing" and float(bad_debt[0]["value"]) == 46.5
    html = published.html_path.read_text(encoding="utf-8")
    assert f'href="{path.name}"' in html and f'href="{published.json_path.name}"' in html


def test_csv_text_cannot_become_a_spreadsheet_formula(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "f.yaml").write_text(
        'title: f\nrules:\n  - id: formula\n    title: "=HYPERLINK(\\"x\\")"\n'
        "    stage: 0\n    indicator: pmi\n    when: value < 200\n    severity: info\n",
        encoding="utf-8",
    )
    result = run("ai-cycle", rule_dirs=[bundled_rules_dir(), rules], out_dir=tmp_path / "o")
    text = result.html_path.with_suffix(".csv").read_text(encoding="utf-8")
    row = next(r for r in csv.DictReader(io.StringIO(text)) if r["rule"] == "formula")
    assert row["title"] == '\'=HYPERLINK("x")'
