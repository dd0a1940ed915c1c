"""A store-backed case declared in monitor.toml, refreshed from FRED before each run.

The FRED server is pytest-httpserver on 127.0.0.1 answering in fredgraph's real CSV
format (``observation_date,FEDFUNDS``). The values it serves are the effective fed
funds rate of 1999-01 to 2000-06 as bundled in the telecom-2000 case (FRED FEDFUNDS,
sourced there); the one revision used below (2000-06 to 6.00) is made up for the test
and says so. The hand calculation the rule rests on: 2000-06 6.53 minus 1999-06 4.76
is +177 bp, above the rule's 150 bp; with the revised 6.00 it is +124 bp, below.
"""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import jsonschema
import pandas as pd
import pytest
from click.testing import CliRunner
from sqlalchemy import text
from werkzeug import Response

from monitor.cli import main
from monitor.data.case import bundled_root
from monitor.data.store import ObservationStore
from monitor.ops.config import ConfigError, load_config
from monitor.ops.jobs import run_schedule
from monitor.ops.runhistory import RunStore

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "docs" / "report.schema.json").read_text("utf-8")
)
RULE = """\
stage: 1
title: Macro - monetary tightening
activate: {min_firing: 1}
rules:
  - id: effective-rate-hikes
    title: Effective fed funds rate up 150 bp or more within 12 months
    indicator: fed_funds_effective
    when: change(12mo) >= THRESHOLD
    for: 0d
    keep_firing_for: 0d
    severity: warning
    description: The 1999-2000 hikes passed through to the market rate.
"""


def fedfunds_csv() -> str:
    """1999-01 .. 2000-06 of the bundled telecom-2000 case, in fredgraph's CSV format."""
    macro = pd.read_csv(bundled_root() / "telecom-2000" / "macro.csv")
    rows = macro[(macro["series"] == "fed_funds_effective") & (macro["date"] >= "1999-01-01")]
    rows = rows[rows["date"] <= "2000-06-01"]
    lines = [f"{d},{v:g}" for d, v in zip(rows["date"], rows["value"], strict=True)]
    assert lines[5] == "1999-06-01,4.76" and lines[-1] == "2000-06-01,6.53"
    return "observation_date,FEDFUNDS\n" + "\n".join(lines) + "\n"


def closed_port() -> int:
    """A local port nobody listens on: the FRED server is down."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_config(tmp_path: Path, fred_url: str, threshold: str = "150bp") -> Path:
    rules = tmp_path / "rules"
    rules.mkdir(exist_ok=True)
    (rules / "stage1.yaml").write_text(RULE.replace("THRESHOLD", threshold), encoding="utf-8")
    path = tmp_path / "monitor.toml"
    path.write_text(
        f"""\
[monitor]
store = "sqlite:///monitor.db"
out = "out"
rules = ["rules"]
cases = ["us-live"]

[[source]]
name = "fred"
kind = "fred"
graph_url = "{fred_url}"
series = [{{id = "FEDFUNDS", series = "fed_funds_effective", unit = "%", lag = 32}}]

[[schedule]]
id = "daily"
cron = "0 6 * * mon-fri"

[[case]]
name = "us-live"
title = "US policy on live data"
sources = ["fred"]
entities = {{US = {{name = "United States"}}}}

[case.series]
fed_funds_effective = {{unit = "%", frequency = "monthly", publication_lag_days = 32}}
""",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def fred(httpserver):
    httpserver.expect_request("/fredgraph.csv", query_string={"id": "FEDFUNDS"}).respond_with_data(
        fedfunds_csv(), content_type="text/csv"
    )
    return httpserver.url_for("")


@pytest.fixture
def slept(monkeypatch) -> list[float]:
    """The retry back-off's waits, recorded instead of slept."""
    waits: list[float] = []
    monkeypatch.setattr(time, "sleep", waits.append)
    return waits


def run_once(config_path: Path):
    config = load_config(config_path)
    [outcome] = run_schedule(config, config.schedules[0], "test")
    row = RunStore(config.store).get(outcome.run_id)
    assert row is not None
    return config, outcome, row


def test_a_scheduled_run_refreshes_its_sources_then_judges_today(tmp_path, fred, monkeypatch):
    monkeypatch.setenv("MONITOR_TODAY", "2000-08-10")
    config, outcome, row = run_once(write_config(tmp_path, fred))
    assert ObservationStore(config.store).count() == 18  # 1999-01 .. 2000-06, fetched first
    assert (row["status"], row["as_of"], row["stage"]) == ("ok", "2000-08-10", 1)
    assert row["firing"] == ["effective-rate-hikes"]
    document = json.loads(Path(row["json_report"]).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    assert document["as_of"] == "2000-08-10" and document["degraded"] is None
    # 2000-06-01 + 32 days' lag = published 2000-07-03, 38 days before today; the next
    # value is due 2000-06-01 + 31 + 32 = 2000-08-03 (+10 days' grace): not yet stale
    assert document["data_as_of"] == "2000-07-03" and document["days_behind_today"] == 38
    assert document["stale_inputs"] == 0
    fp = document["fingerprint"]
    assert fp["data"] == {**fp["data"], "kind": "store", "max_id": 18, "rows": 18}
    assert list(fp["data"]["checked"]) == ["fed_funds_effective"]  # the source answered
    assert row["fingerprint"] == fp  # the history row carries the same fingerprint
    assert set(fp["rules"]["files"].values()) and fp["version"]


def test_the_fred_server_down_gives_a_degraded_run_on_stored_data(
    tmp_path, fred, monkeypatch, slept
):
    monkeypatch.setenv("MONITOR_TODAY", "2000-08-10")
    run_once(write_config(tmp_path, fred))
    monkeypatch.setenv("MONITOR_TODAY", "2000-09-20")
    down = write_config(tmp_path, f"http://127.0.0.1:{closed_port()}/")
    config, outcome, row = run_once(down)
    assert len(slept) == 3  # four attempts, three back-offs (monitor.core.retry)
    assert (row["status"], row["as_of"], row["stage"]) == ("degraded", "2000-09-20", 1)
    assert "fred" in row["errors"][0] and "not brought up to date" in row["errors"][0]
    assert ObservationStore(config.store).count() == 18  # the stored data, nothing lost
    document = json.loads(Path(row["json_report"]).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    [failed] = document["degraded"]["failed_sources"]
    assert failed["source"] == "fred" and failed["series"] == ["fed_funds_effective"]
    assert "connection failed" in failed["error"] and "after 4 attempts" in failed["error"]
    [stale] = document["degraded"]["stale"]
    # due 2000-06-01 + 31 + 32 = 2000-08-03, plus 10 days' grace: overdue by 2000-09-20
    assert stale == {
        "series": "fed_funds_effective",
        "entity": "US",
        "source": "fred",
        "last_date": "2000-06-01",
        "age_days": 79,
        "overdue": True,
    }
    html = Path(row["report"]).read_text(encoding="utf-8")
    assert 'id="degraded"' in html and "fed_funds_effective/US" in html


def test_a_revision_imported_after_a_run_does_not_break_its_reproduction(
    tmp_path, fred, monkeypatch
):
    monkeypatch.setenv("MONITOR_TODAY", "2000-08-10")
    path = write_config(tmp_path, fred)
    config, first, _ = run_once(path)
    revised = tmp_path / "revised.csv"  # a made-up revision of 2000-06, for this test only
    revised.write_text(
        "series,entity,date,value,published,unit,source\n"
        "fed_funds_effective,US,2000-06-01,6.00,2000-08-10,%,test revision\n",
        encoding="utf-8",
    )
    imported = CliRunner().invoke(main, ["data", "import", str(revised), "--config", str(path)])
    assert imported.exit_code == 0, imported.output
    result = CliRunner().invoke(
        main, ["run", "--reproduce", str(first.run_id), "--config", str(path)]
    )
    assert result.exit_code == 0, result.output
    assert "reproduced: same stage, score and firing rules" in result.output
    # a new run sees the revision: +124 bp is below the threshold
    store = RunStore(config.store)
    later = store.get(run_schedule(config, config.schedules[0], "test")[0].run_id)
    assert later is not None and later["firing"] == [] and later["stage"] == 0


def test_a_changed_rule_file_is_reported_as_a_mismatch(tmp_path, fred, monkeypatch):
    monkeypatch.setenv("MONITOR_TODAY", "2000-08-10")
    path = write_config(tmp_path, fred)
    _, first, _ = run_once(path)
    write_config(tmp_path, fred, threshold="200bp")  # +177 bp no longer fires
    result = CliRunner().invoke(
        main, ["run", "--reproduce", str(first.run_id), "--config", str(path)]
    )
    assert result.exit_code == 1
    assert "NOT reproduced" in result.output
    assert "stage 1 then, 0 now" in result.output
    assert "no longer firing: effective-rate-hikes" in result.output
    assert "stage1.yaml changed since the run" in result.output


def test_a_case_folder_run_reproduces_until_its_files_change(tmp_path, monkeypatch):
    folder = tmp_path / "case"
    folder.mkdir()
    (folder / "case.yaml").write_text(
        "name: us-folder\ntitle: US policy (files)\nseries:\n"
        "  fed_funds_effective: {unit: '%', frequency: monthly, publication_lag_days: 32}\n",
        encoding="utf-8",
    )
    csv = "series,entity,date,value,published,unit,source\n" + "".join(
        f"fed_funds_effective,US,{line.split(',')[0]},{line.split(',')[1]},,%,FRED FEDFUNDS\n"
        for line in fedfunds_csv().splitlines()[1:]
    )
    (folder / "fed.csv").write_text(csv, encoding="utf-8")
    path = write_config(tmp_path, "http://127.0.0.1:9/")
    text = path.read_text(encoding="utf-8").replace('cases = ["us-live"]', f'cases = ["{folder}"]')
    path.write_text(text, encoding="utf-8")
    _, first, row = run_once(path)
    assert row["status"] == "ok" and row["fingerprint"]["data"]["kind"] == "files"
    again = CliRunner().invoke(
        main, ["run", "--reproduce", str(first.run_id), "--config", str(path)]
    )
    assert again.exit_code == 0, again.output
    (folder / "fed.csv").write_text(csv.replace("2000-06-01,6.53", "2000-06-01,6.00"))
    changed = CliRunner().invoke(
        main, ["run", "--reproduce", str(first.run_id), "--config", str(path)]
    )
    assert changed.exit_code == 1
    assert "case file fed.csv changed since the run" in changed.output


def test_case_table_mistakes_name_their_line(tmp_path):
    path = tmp_path / "monitor.toml"
    path.write_text(
        '[[source]]\nname = "fred"\nkind = "fred"\n'
        'series = [{id = "FEDFUNDS", series = "fed_funds_effective", unit = "%"}]\n\n'
        '[[case]]\nname = "ai-cycle"\nsources = ["fedd"]\ncolour = "red"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        load_config(path)
    problems = "\n".join(info.value.problems)
    assert ":7: [[case]] #1 name: 'ai-cycle' is a bundled case" in problems
    assert ":8: [[case]] #1 sources: no [[source]] named 'fedd' (fred)" in problems
    assert ":9: [[case]] #1 colour: unknown key" in problems
    assert ":6: [[case]] #1 series: name the series the case reads" in problems


def test_a_manual_run_of_a_store_case_is_judged_today(tmp_path, fred, monkeypatch):
    monkeypatch.setenv("MONITOR_TODAY", "2000-08-10")
    path = write_config(tmp_path, fred)
    fetched = CliRunner().invoke(main, ["data", "fetch", "--config", str(path)])
    assert fetched.exit_code == 0, fetched.output
    result = CliRunner().invoke(main, ["run", "--config", str(path), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (document["case"], document["as_of"], document["stage"]) == ("us-live", "2000-08-10", 1)


def test_the_documented_store_case_loads_as_written(tmp_path):
    store_md = Path(__file__).resolve().parents[2] / "docs" / "store.md"
    text = store_md.read_text(encoding="utf-8")
    block = text.split("<!-- example:store-case -->")[1].split("<!-- /example:store-case -->")[0]
    path = tmp_path / "monitor.toml"
    path.write_text(block.split("```toml\n")[1].split("```")[0], encoding="utf-8")
    config = load_config(path)
    [case] = config.store_cases
    assert (case.name, case.sources, config.cases) == ("us-live", ["fred"], ["us-live"])
    assert case.stored_name("payrolls") == "payems"
    assert [e.onset.date().isoformat() for e in case.episodes] == ["2007-12-01"]


def test_a_failing_source_never_puts_its_key_in_the_history_json_or_report(
    tmp_path, httpserver, monkeypatch, slept
):
    key = "fredkey-0123456789abcdef0123"
    monkeypatch.setenv("FRED_API_KEY", key)
    monkeypatch.setenv("MONITOR_TODAY", "2000-08-10")
    httpserver.expect_request("/series/observations").respond_with_handler(
        lambda request: Response(f"internal error for {request.url}", status=500)
    )
    path = write_config(tmp_path, httpserver.url_for(""))
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        'graph_url = "', f'api_url = "{httpserver.url_for("").rstrip("/")}"\ngraph_url = "'
    )
    text = text.replace("lag = 32}", 'lag = 32, mode = "api"}')
    path.write_text(text, encoding="utf-8")
    config, outcome, row = run_once(path)
    assert row["status"] == "degraded" and "answered 500" in row["errors"][0]
    document = Path(row["json_report"]).read_text(encoding="utf-8")
    html = Path(row["report"]).read_text(encoding="utf-8")
    for where in (json.dumps(row["errors"]), document, html):
        assert key not in where
    [stale] = json.loads(document)["degraded"]["stale"]
    assert stale["entity"] is None and stale["last_date"] is None  # nothing stored: named


def test_reproduce_names_what_it_cannot_reproduce(tmp_path, fred, monkeypatch):
    monkeypatch.setenv("MONITOR_TODAY", "2000-08-10")
    path = write_config(tmp_path, fred)
    missing = CliRunner().invoke(main, ["run", "--reproduce", "7", "--config", str(path)])
    assert missing.exit_code == 1 and "no run 7 in the history" in missing.output
    config = load_config(path)
    store = RunStore(config.store)
    failed = store.start("daily", "scheduled", "us-live")
    store.finish(failed, "failed", errors=["boom"])
    result = CliRunner().invoke(main, ["run", "--reproduce", str(failed), "--config", str(path)])
    assert result.exit_code == 1 and "recorded no assessment" in result.output


def test_a_store_rewritten_under_a_run_is_not_called_reproduced(tmp_path, fred, monkeypatch):
    monkeypatch.setenv("MONITOR_TODAY", "2000-08-10")
    path = write_config(tmp_path, fred)
    config, first, _ = run_once(path)
    store = ObservationStore(config.store)
    with store.engine.begin() as conn:  # a row the run saw deleted behind the monitor's back
        conn.execute(text("DELETE FROM observations WHERE date = '1999-01-01'"))
    result = CliRunner().invoke(
        main, ["run", "--reproduce", str(first.run_id), "--config", str(path)]
    )
    assert result.exit_code == 1
    assert "the rows the case reads up to store id 18 differ from the run's" in result.output
