"""``monitor data fetch --source edgar`` and ``monitor data sources`` from a
``kind = "edgar"`` [[source]] table, against a local server replaying the real AMD
companyfacts excerpt; the User-Agent is required and its absence names the key."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from monitor.cli import main

FIXTURE = (
    Path(__file__).resolve().parents[1]
    / "data"
    / "fixtures"
    / "edgar"
    / "sec_companyfacts_AMD_CIK0000002488_excerpt.json"
)
PATH = "/api/xbrl/companyfacts/CIK0000002488.json"
AGENT = "Test Runner test@example.com"


def config(tmp_path: Path, table: str) -> Path:
    path = tmp_path / "monitor.toml"
    path.write_text(
        f'[monitor]\nstore = "sqlite:///{tmp_path / "monitor.db"}"\n\n[[source]]\n{table}',
        encoding="utf-8",
    )
    return path


def amd_only(url: str, agent: str = AGENT) -> str:
    return (
        f'name = "edgar"\nkind = "edgar"\nuser_agent = "{agent}"\napi_url = "{url}"\n'
        'defaults = false\ncompanies = [{cik = 2488, entity = "AMD"}]\n'
    )


def invoke(*args: str):
    return CliRunner().invoke(main, ["data", *args], catch_exceptions=False)


def test_fetch_twice_adds_nothing_the_second_time_and_show_has_the_vintages(tmp_path, httpserver):
    httpserver.expect_request(PATH, headers={"User-Agent": AGENT}).respond_with_data(
        FIXTURE.read_text(encoding="utf-8"), content_type="application/json"
    )
    path = config(tmp_path, amd_only(httpserver.url_for("").rstrip("/")))
    first = invoke("fetch", "--config", str(path), "--source", "edgar")
    assert first.exit_code == 0, first.output
    # revenue 2 + revenue_quarterly 5 + inventory 3 + inventory_quarterly 4 (see the README)
    assert "edgar: 14 added, 0 already stored" in first.stdout
    again = invoke("fetch", "--config", str(path), "--source", "edgar")
    assert "edgar: 0 added, 14 already stored" in again.stdout
    shown = invoke("show", "inventory", "--entity", "AMD", "--json", "--config", str(path))
    assert json.loads(shown.stdout) == [
        {"date": "2016-12-31", "value": 0.751, "published": "2017-02-21"},
        {"date": "2016-12-31", "value": 0.691, "published": "2019-02-08"},  # restated
        {"date": "2020-12-26", "value": 1.399, "published": "2021-01-29"},
    ]
    before = invoke(
        "show",
        "inventory",
        "--entity",
        "AMD",
        "--as-of",
        "2018-12-31",
        "--json",
        "--config",
        str(path),
    )
    assert [r["value"] for r in json.loads(before.stdout)] == [0.751]
    listed = invoke("sources", "--config", str(path))
    assert "edgar" in listed.stdout and "AMD (CIK0000002488)" in listed.stdout
    assert "(ok)" in listed.stdout


def test_the_default_companies_are_listed_with_their_ciks(tmp_path):
    path = config(tmp_path, f'name = "sec"\nkind = "edgar"\nuser_agent = "{AGENT}"\n')
    listed = invoke("sources", "--config", str(path))
    assert listed.exit_code == 0, listed.output
    for company in (
        "NVDA (CIK0001045810)",
        "AMD (CIK0000002488)",
        "AVGO (CIK0001730168)",
        "ORCL (CIK0001341439)",
        "CRWV (CIK0001769628)",
        "MSFT (CIK0000789019)",
    ):
        assert company in listed.stdout


def test_a_missing_user_agent_names_the_key_and_its_line(tmp_path):
    path = config(tmp_path, 'name = "edgar"\nkind = "edgar"\n')
    result = invoke("sources", "--config", str(path))
    assert result.exit_code == 1
    assert "monitor.toml" in result.stderr and "user_agent" in result.stderr
    assert "the SEC requires one" in result.stderr


def test_a_bad_company_entry_is_reported(tmp_path):
    table = (
        f'name = "edgar"\nkind = "edgar"\nuser_agent = "{AGENT}"\n'
        'companies = [{cik = "0001045810", entity = "NVDA", ticker = "NVDA"}]\n'
    )
    result = invoke("sources", "--config", str(config(tmp_path, table)))
    assert result.exit_code == 1
    assert "cik: the SEC's number" in result.stderr and "ticker" in result.stderr


def test_a_server_error_names_the_source_and_cik_and_keeps_the_store(tmp_path, httpserver):
    httpserver.expect_request(PATH).respond_with_data("Not Found", status=404)
    path = config(tmp_path, amd_only(httpserver.url_for("").rstrip("/")))
    result = invoke("fetch", "--config", str(path), "--source", "edgar")
    assert result.exit_code == 1
    assert "error: edgar: edgar CIK0000002488 (AMD) answered 404" in result.stderr
