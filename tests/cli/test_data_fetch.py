"""``monitor data fetch`` and ``monitor data sources`` from [[source]] tables, against a
local server replaying FRED's download format; a source that is down is named."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from monitor.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "fixtures" / "fred"


def config(tmp_path: Path, url: str) -> Path:
    (tmp_path / "facts.yaml").write_text(
        "facts:\n  - {series: compute_commitment_gw, entity: OPENAI, value: 50,"
        " period: 2025-10-31, published: 2025-10-31, unit: GW,"
        " source: 'GMF Research report Oct 2025, sec. 4'}\n",
        encoding="utf-8",
    )
    path = tmp_path / "monitor.toml"
    path.write_text(
        f"""
[monitor]
store = "sqlite:///{tmp_path / "monitor.db"}"

[[source]]
name = "fred"
kind = "fred"
graph_url = "{url}"
series = [{{id = "NASDAQCOM", series = "nasdaq_close", unit = "index", frequency = "daily"}}]

[[source]]
name = "facts"
kind = "facts"
path = "facts.yaml"
""",
        encoding="utf-8",
    )
    return path


def invoke(*args: str):
    return CliRunner().invoke(main, ["data", *args], catch_exceptions=False)


def test_fetch_fills_the_store_and_sources_shows_the_check(tmp_path, httpserver):
    httpserver.expect_request("/fredgraph.csv").respond_with_data(
        (FIXTURES / "fredgraph_csv_oldheader_NASDAQCOM_excerpt.csv").read_text()
    )
    path = config(tmp_path, httpserver.url_for("").rstrip("/"))
    result = invoke("fetch", "--config", str(path))
    assert result.exit_code == 0, result.output
    assert "fred: 14 added" in result.stdout and "facts: 1 added" in result.stdout
    again = invoke("fetch", "--config", str(path), "--source", "fred")
    assert "fred: 0 added, 14 already stored" in again.stdout
    listed = invoke("sources", "--config", str(path))
    assert "fred" in listed.stdout and "nasdaq_close" in listed.stdout
    assert "(ok)" in listed.stdout


def test_a_source_that_is_down_is_named_and_the_rest_still_run(tmp_path, httpserver):
    httpserver.expect_request("/fredgraph.csv").respond_with_data("not found", status=404)
    path = config(tmp_path, httpserver.url_for("").rstrip("/"))
    result = invoke("fetch", "--config", str(path))
    assert result.exit_code == 1
    assert "error: fred: fred answered 404" in result.stderr
    assert "facts: 1 added" in result.stdout
    assert "(failed)" in invoke("sources", "--config", str(path)).stdout


def test_a_bad_source_table_names_its_line(tmp_path):
    path = tmp_path / "monitor.toml"
    path.write_text('[[source]]\nname = "x"\nkind = "ftp"\n', encoding="utf-8")
    result = invoke("sources", "--config", str(path))
    assert result.exit_code == 1
    assert "monitor.toml:3" in result.stderr and "kind: must be one of fred, file, facts" in (
        result.stderr
    )
