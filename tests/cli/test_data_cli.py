"""``monitor data import / show / validate`` on a store in a temporary folder."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from monitor.cli import main

# FRED's download layout (CRLF, observation_date header); values as FRED FEDFUNDS has them
FEDFUNDS = "observation_date,FEDFUNDS\r\n2025-12-01,3.72\r\n2026-01-01,3.64\r\n2026-02-01,3.64\r\n"


def invoke(*args: str):
    return CliRunner().invoke(main, ["data", *args], catch_exceptions=False)


def test_import_show_reimport_and_a_revision(tmp_path: Path):
    store = f"sqlite:///{tmp_path / 'store.db'}"
    path = tmp_path / "FEDFUNDS.csv"
    path.write_text(FEDFUNDS, encoding="utf-8", newline="")
    first = invoke("import", str(path), "--unit", "%", "--lag", "32", "--store", store)
    assert first.exit_code == 0 and "3 added, 0 already stored" in first.stdout
    shown = invoke("show", "FEDFUNDS", "--entity", "US", "--json", "--store", store)
    assert json.loads(shown.stdout) == [
        {"date": "2025-12-01", "value": 3.72, "published": "2026-01-02"},  # + 32 days
        {"date": "2026-01-01", "value": 3.64, "published": "2026-02-02"},
        {"date": "2026-02-01", "value": 3.64, "published": "2026-03-05"},
    ]
    again = invoke("import", str(path), "--unit", "%", "--lag", "32", "--store", store)
    assert "0 added, 3 already stored" in again.stdout
    # a later download with January revised (hypothetical 3.65)
    path.write_text(FEDFUNDS.replace("2026-01-01,3.64", "2026-01-01,3.65"), newline="")
    clash = invoke("import", str(path), "--unit", "%", "--lag", "32", "--store", store)
    assert clash.exit_code == 1 and "stored 3.64" in clash.stderr
    revised = invoke(
        "import",
        str(path),
        "--unit",
        "%",
        "--lag",
        "32",
        "--revised-on",
        "2026-04-10",
        "--store",
        store,
    )
    assert revised.exit_code == 0 and "1 added" in revised.stdout
    vintages = json.loads(invoke("show", "fedfunds", "--json", "--store", store).stdout)
    january = [(r["value"], r["published"]) for r in vintages if r["date"] == "2026-01-01"]
    assert january == [(3.64, "2026-02-02"), (3.65, "2026-04-10")]
    before = json.loads(
        invoke("show", "fedfunds", "--as-of", "2026-03-31", "--json", "--store", store).stdout
    )
    assert [r["value"] for r in before if r["date"] == "2026-01-01"] == [3.64]
    checked = invoke("validate", "--store", store)
    assert checked.exit_code == 0 and "4 stored row(s), 0 problem(s)" in checked.stdout


def test_a_file_of_one_series_needs_its_series_and_unit(tmp_path: Path):
    path = tmp_path / "pmi.csv"
    path.write_text("Month,PMI\n2026-01-01,52.6\n", encoding="utf-8")
    result = invoke("import", str(path), "--store", f"sqlite:///{tmp_path / 's.db'}")
    assert result.exit_code == 1 and "needs --series and --unit" in result.stderr
