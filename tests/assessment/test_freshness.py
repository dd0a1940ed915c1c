"""Freshness: how far the data is behind today, and which inputs are overdue.

Dates below are hand-counted from the calendar, not read back from the code. The
clock is pinned (``MONITOR_TODAY``), so no test depends on the day it runs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from monitor.assessment.freshness import series_freshness, summarise
from monitor.cli import main
from monitor.data.case import load_case

CASE_YAML = """\
name: fresh
as_of: 2026-02-01
series:
  pmi: {unit: index, frequency: monthly, publication_lag_days: 32}
  target: {unit: "%", frequency: event, publication_lag_days: 0, decision: true}
  deal: {unit: "$bn", frequency: event}
"""
ROWS = """\
series,entity,date,value,published,unit,source
pmi,US,2026-01-01,50.1,,index,test
pmi,US,2026-02-01,50.3,,index,test
pmi,US,2026-03-01,50.7,,index,test
target,US,2026-01-28,3.75,,%,test
deal,X,2025-06-01,10,2025-06-01,$bn,test
"""


@pytest.fixture
def case(tmp_path: Path):
    (tmp_path / "case.yaml").write_text(CASE_YAML, encoding="utf-8")
    (tmp_path / "data.csv").write_text(ROWS, encoding="utf-8")
    return load_case(str(tmp_path))


def by_series(case, day: str) -> dict[str, dict]:
    return {d["series"]: d for d in series_freshness(case, pd.Timestamp(day))}


def test_a_monthly_series_is_stale_once_its_next_value_is_overdue(case):
    # March is published 2026-04-02 (lag 32); April is due 2026-03-01 + 31 + 32 =
    # 2026-05-03, and a release may slip 10 days: fresh on 05-13, stale on 05-14
    assert by_series(case, "2026-05-13")["pmi"]["stale"] is False
    late = by_series(case, "2026-05-14")["pmi"]
    assert late["stale"] is True
    assert late["age_days"] == 42  # 2026-04-02 -> 2026-05-14: 28 + 14 days
    assert late["next_due"] == "2026-05-03"
    assert late["lag_days"] == 32


def test_a_decision_series_is_judged_by_when_its_source_was_checked(case):
    # the target last changed 2026-01-28; in a snapshot its source counts as checked
    # at the snapshot's newest publication (2026-04-02 by mid-May)
    early = by_series(case, "2026-02-10")["target"]
    assert early["stale"] is False and early["checked"] == "2026-02-02"
    assert early["age_days"] == 8
    late = by_series(case, "2026-05-14")["target"]
    assert late["checked"] == "2026-04-02"
    assert late["age_days"] == 42 and late["stale"] is True


def test_an_announcement_is_never_overdue(case):
    assert by_series(case, "2026-12-01")["deal"]["stale"] is False


def test_summary_line_counts_days_before_today_and_stale_inputs(case):
    at = pd.Timestamp("2026-05-14")
    data = series_freshness(case, at)
    fresh = summarise(case, at, pd.Timestamp("2026-12-01"), data)
    assert fresh.data_as_of == "2026-04-02"
    assert fresh.days_behind_today == 243  # 2026-04-02 -> 2026-12-01
    assert fresh.stale_inputs == 2
    assert fresh.line == "data as of 2026-04-02, 243 days before today; 2 inputs stale"


def run(args: list[str], tmp_path: Path) -> str:
    result = CliRunner().invoke(main, ["run", "--out", str(tmp_path), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_bundled_default_states_its_gap_to_today(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("MONITOR_TODAY", "2026-12-01")
    document = json.loads(run(["--json"], tmp_path))
    # the newest publication is the payroll copy of 2026-08-13; 18 + 30 + 31 + 30 + 1 days
    assert document["as_of"] == "2026-08-13"
    assert document["data_as_of"] == "2026-08-13"
    assert document["days_behind_today"] == 110
    stale = {d["series"] for d in document["data"] if d["stale"]}
    assert {"ism_pmi", "nasdaq_close"} <= stale
    assert "fed_funds_target" not in stale  # checked with the snapshot itself
    first = run([], tmp_path / "text").splitlines()[0]
    gap = f"data as of 2026-08-13, 110 days before today; {len(stale)} inputs stale"
    assert first.endswith(gap)
    html = (tmp_path / "ai-cycle-2026-08-13.html").read_text(encoding="utf-8")
    assert "data as of 2026-08-13, 110 days before today" in html


def test_judged_today_the_fomc_target_is_stale_too(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("MONITOR_TODAY", "2026-12-01")
    document = json.loads(run(["--json", "--as-of", "2026-12-01"], tmp_path))
    rows = {d["series"]: d for d in document["data"]}
    # no FOMC decision after 2026-06-17 could be sourced; the snapshot was checked 2026-08-13
    assert rows["fed_funds_target"]["checked"] == "2026-08-13"
    assert rows["fed_funds_target"]["age_days"] == 110
    assert rows["fed_funds_target"]["stale"] is True
