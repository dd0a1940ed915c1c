"""The command-line contract scripts and people rely on (README, "Commands").

``monitor run --json`` is documented as a stable contract; ``monitor indicators show
--json`` is its per-indicator counterpart; ``monitor --help`` must answer without
importing pandas.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import main

PYTHON = sys.executable


def invoke(*args: str):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result


# --- monitor indicators show ------------------------------------------------------------


def test_indicators_show_json_rows():
    result = invoke(
        "indicators", "show", "vendor_financing_share",
        "--case", "telecom-2000", "--entity", "LU", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert isinstance(rows, list) and rows
    for row in rows:
        assert set(row) == {"entity", "date", "value", "unit", "published"}
        assert row["entity"] == "LU" and row["unit"] == "%"
        assert isinstance(row["value"], float)
    by_date = {row["date"]: row for row in rows}
    # brief sec. 3: $1.6 bn / $38.3 bn and $2.96 bn / $21.294 bn of revenue
    assert round(by_date["1999-09-30"]["value"], 1) == 4.2
    assert round(by_date["2001-09-30"]["value"], 1) == 13.9
    # published is an ISO date, and no earlier than the period it is about
    for row in rows:
        assert row["published"] >= row["date"]
        assert len(row["published"]) == 10


def test_indicators_show_as_of_hides_unpublished_years():
    result = invoke(
        "indicators", "show", "vendor_financing_share",
        "--case", "telecom-2000", "--entity", "LU", "--as-of", "2000-12-31", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert [row["date"] for row in json.loads(result.stdout)] == ["1999-09-30"]


def test_indicators_show_unknown_name_is_a_clean_error():
    result = CliRunner().invoke(main, ["indicators", "show", "no_such_indicator", "--json"])
    assert result.exit_code == 1
    assert "no_such_indicator" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_indicators_list_json_names_every_builtin():
    result = invoke("indicators", "list", "--json")
    assert result.exit_code == 0, result.output
    names = {row["name"] for row in json.loads(result.stdout)}
    assert {"vendor_financing_share", "policy_rate", "pmi", "customer_concentration",
            "reserve_ratio", "gpu_utilization"} <= names  # fmt: skip


# --- monitor run --json ----------------------------------------------------------------

ALERT_KEYS = {"rule", "stage", "indicator", "entity", "state", "value", "unit", "since"}


@pytest.fixture(scope="module")
def run_json(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    result = invoke("run", "--json", "--out", str(out))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), out


def is_iso_date(text) -> bool:
    from datetime import date

    try:
        date.fromisoformat(text)
    except (TypeError, ValueError):
        return False
    return True


def test_run_json_top_level(run_json):
    payload, _ = run_json
    assert isinstance(payload, dict)
    required = {"as_of", "case", "stage", "score", "stages", "alerts", "data", "report"}
    assert required <= set(payload)
    assert payload["case"] == "ai-cycle"  # the default case
    assert is_iso_date(payload["as_of"])
    assert isinstance(payload["stage"], int) and not isinstance(payload["stage"], bool)
    assert 0 <= payload["stage"] <= 3
    assert isinstance(payload["score"], int | float)
    assert 0 <= payload["score"] <= 100


def test_run_json_stages(run_json):
    payload, _ = run_json
    stages = payload["stages"]
    assert isinstance(stages, list) and stages
    for s in stages:
        assert {"stage", "active", "firing"} <= set(s)
        assert isinstance(s["stage"], int) and 1 <= s["stage"] <= 3
        assert isinstance(s["active"], bool)
        assert isinstance(s["firing"], list) and all(isinstance(r, str) for r in s["firing"])
    assert sorted(s["stage"] for s in stages) == [1, 2, 3]
    # README: the overall stage is the highest active stage
    active = [s["stage"] for s in stages if s["active"]]
    assert payload["stage"] == max(active, default=0)


def test_run_json_alerts(run_json):
    payload, _ = run_json
    alerts = payload["alerts"]
    assert isinstance(alerts, list)
    assert alerts, "the ai-cycle case has firing rules (e.g. customer concentration)"
    for a in alerts:
        assert set(a) >= ALERT_KEYS
        assert a["state"] in {"pending", "firing", "resolved"}
        assert isinstance(a["stage"], int) and 0 <= a["stage"] <= 3
        assert a["value"] is None or isinstance(a["value"], int | float)
        assert a["since"] is None or is_iso_date(a["since"])
        assert isinstance(a["rule"], str) and isinstance(a["unit"], str)
    # every rule a stage lists as firing has a firing alert
    firing = {a["rule"] for a in alerts if a["state"] == "firing"}
    for s in payload["stages"]:
        assert set(s["firing"]) <= firing


def test_run_json_data_freshness(run_json):
    payload, _ = run_json
    data = payload["data"]
    assert isinstance(data, list) and data
    for row in data:
        assert {"series", "entity", "last_date", "stale"} <= set(row)
        assert isinstance(row["stale"], bool)
        assert is_iso_date(row["last_date"])
        assert row["last_date"] <= payload["as_of"]
    assert {"ism_pmi", "payrolls", "fed_funds_target"} <= {row["series"] for row in data}


def test_run_json_report_and_json_files(run_json):
    payload, out = run_json
    report = Path(payload["report"])
    assert report.is_file() and report.suffix == ".html"
    assert report.parent == out
    assert report.name == f"{payload['case']}-{payload['as_of']}.html"
    assert "<html" in report.read_text(encoding="utf-8").lower()
    written = json.loads(report.with_suffix(".json").read_text(encoding="utf-8"))
    assert written == payload


def test_run_json_as_of_is_honoured(tmp_path):
    result = invoke(
        "run", "--case", "telecom-2000", "--as-of", "2000-12-31", "--json", "--out", str(tmp_path)
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["as_of"] == "2000-12-31" and payload["case"] == "telecom-2000"
    # nothing published after the as-of date is shown as known
    assert all(row["last_date"] <= "2000-12-31" for row in payload["data"])


def test_run_unknown_case_is_a_clean_error(tmp_path):
    result = CliRunner().invoke(main, ["run", "--case", "no-such-case", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "no-such-case" in result.stderr
    assert "Traceback" not in result.output


# --- start-up: no pandas for --help -------------------------------------------------------


def run_python(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYTHON, *args], capture_output=True, text=True, timeout=60, cwd=Path(__file__).parent
    )


def test_python_dash_m_monitor_help_works():
    proc = run_python("-m", "monitor", "--help")
    assert proc.returncode == 0, proc.stderr
    assert "Usage:" in proc.stdout
    assert "run" in proc.stdout and "indicators" in proc.stdout


def test_help_does_not_import_pandas():
    proc = run_python("-X", "importtime", "-m", "monitor", "--help")
    assert proc.returncode == 0, proc.stderr
    imported = [line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()]
    assert "click" in imported  # the import log was captured
    assert not [m for m in imported if m.split(".")[0] in {"pandas", "pandera", "numpy"}]


@pytest.mark.parametrize("argv", [["--help"], ["run", "--help"], ["indicators", "--help"]])
def test_entry_point_help_does_not_import_pandas(argv):
    code = (
        "import sys\n"
        "from monitor.cli import main\n"
        f"sys.argv = ['monitor', *{argv!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "heavy = sorted(m for m in ('pandas', 'pandera', 'numpy') if m in sys.modules)\n"
        "print('HEAVY=' + ','.join(heavy), 'CODE=' + str(code))\n"
    )
    proc = run_python("-c", code)
    assert proc.returncode == 0, proc.stderr
    assert "Usage:" in proc.stdout
    assert "HEAVY= CODE=0" in proc.stdout
