"""``monitor backtest``: the JSON contract, equality with ``monitor run``, clear errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from monitor.cli.main import main
from monitor.pipeline.backtest import backtest

KEYS = {
    "schema_version",
    "case",
    "from",
    "to",
    "step",
    "horizon_months",
    "stage_entries",
    "rules",
    "metrics",
    "report",
}
SAMPLE = [
    "1995-06-30",
    "1998-10-31",
    "2000-01-31",
    "2000-05-31",
    "2000-07-31",
    "2000-12-31",
    "2001-04-30",
    "2001-12-31",
    "2002-12-31",
]


@pytest.fixture(scope="module")
def backtest_json(tmp_path_factory):
    out = tmp_path_factory.mktemp("bt")
    result = CliRunner().invoke(
        main,
        ["backtest", "--case", "telecom-2000", "--to", "2003-12-31", "--out", str(out), "--json"],
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_json_has_exactly_the_contract_keys(backtest_json):
    data = backtest_json
    assert set(data) == KEYS
    assert data["schema_version"] == 1
    assert (data["case"], data["from"], data["to"]) == ("telecom-2000", "1994-01-31", "2003-12-31")
    assert (data["step"], data["horizon_months"]) == ("month-end", 24)
    assert set(data["stage_entries"]) == {"1", "2", "3"}
    for rule in data["rules"]:
        assert set(rule) == {"rule", "entity", "first_firing", "firing_periods", "lead_months"}
        assert set(rule["lead_months"]) == {"telecom-bust"}
        for start, end in rule["firing_periods"]:
            assert start <= (end or "9999")
    for metric in data["metrics"]:
        assert set(metric) == {"rule", "a", "b", "c", "d", "hit_rate", "false_alarm_rate", "nsr"}
    assert data["report"].endswith("backtest-telecom-2000-1994-01-31-to-2003-12-31.html")


def _firing_at(rules, day):
    """(rule, entity) pairs whose firing periods contain ``day``."""
    return {
        (r["rule"], r["entity"])
        for r in rules
        for start, end in r["firing_periods"]
        if start <= day and (end is None or day <= end)
    }


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    out = tmp_path_factory.mktemp("model")
    return backtest("telecom-2000", end="2003-12-31", out_dir=out).model


@pytest.mark.parametrize("day", SAMPLE)
def test_every_rule_and_the_stage_equal_monitor_run(backtest_json, model, tmp_path, day):
    result = CliRunner().invoke(
        main,
        [
            "run",
            "--case",
            "telecom-2000",
            "--as-of",
            day,
            "--step",
            "month-end",
            "--out",
            str(tmp_path),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    run = json.loads(result.output)
    firing = {
        (r["id"], e["entity"])
        for r in run["rules"]
        for e in r["entities"]
        if e["state"] == "firing"
    }
    assert _firing_at(backtest_json["rules"], day) == firing
    step = next(s for s in model.timeline if s["date"] == day)
    assert step["stage"] == run["stage"]
    assert step["score"] == run["score"]
    for stage in model.stages:
        active = any(
            p["start"] <= day and (p["end"] is None or day <= p["end"]) for p in stage.periods
        )
        assert active == next(s["active"] for s in run["stages"] if s["stage"] == stage.stage)


def test_ai_cycle_json_has_no_counts(tmp_path):
    result = CliRunner().invoke(
        main, ["backtest", "--case", "ai-cycle", "--out", str(tmp_path), "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["metrics"] == []
    assert data["stage_entries"]["1"] == "2023-02-28"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--horizon", "90d"], "--horizon '90d': give whole months"),
        (["--horizon", "soon"], "--horizon:"),
        (["--from", "2001-01-01", "--to", "2000-01-01"], "--from 2001-01-01 is after --to"),
        (["--to", "yesterday-ish"], "--to 'yesterday-ish': not a date"),
        (["--calibrate", "no-such-rule"], "--calibrate: no rule 'no-such-rule'"),
        (["--calibrate", "pmi-contraction", "--literal", "3"], "has 2 numeric literal(s)"),
        (["--from", "2010-01-01"], "no evaluation step between 2010-01-01"),
    ],
)
def test_bad_options_fail_with_a_clear_message(tmp_path, args, message):
    result = CliRunner().invoke(
        main, ["backtest", "--case", "telecom-2000", "--out", str(tmp_path), *args]
    )
    assert result.exit_code == 1
    assert message in result.output
    assert not list(tmp_path.glob("*.html"))
