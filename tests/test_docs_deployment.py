"""docs/deployment.md stays true: every config snippet loads, its commands run.

- every ```toml block loads with ``load_config`` (each snippet is a whole config);
- the template examples render for a change, a failure and a test message;
- the variable table lists exactly the variables templates see;
- the cron line, the systemd service's ``ExecStart`` (its timer has ``Persistent=true``)
  and the Airflow DAG's ``bash_command`` (rendered with Jinja as Airflow does, ``{{ ds }}``
  the logical date) are run against a local config: each records a history row.

Paths: ``/srv/monitor`` becomes a temporary folder and ``/srv/monitor/.venv/bin/monitor``
this interpreter's ``-m monitor``; the config the commands run is a local one with the
schedule id the doc names (the doc's own config would e-mail example.org).
"""

from __future__ import annotations

import ast
import configparser
import os
import re
import shlex
import sqlite3
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest

from monitor.ops.config import load_config
from monitor.ops.notify import Message
from monitor.ops.templates import PLAIN, SUBJECT, VARIABLES, render

DOC = Path(__file__).resolve().parents[1] / "docs" / "deployment.md"
TEXT = DOC.read_text(encoding="utf-8")
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.M | re.S)


def blocks(language: str) -> list[str]:
    return [body for lang, body in FENCE.findall(TEXT) if lang == language]


@pytest.mark.parametrize("index", range(len(blocks("toml"))))
def test_every_config_snippet_loads(index: int, tmp_path: Path) -> None:
    path = tmp_path / "monitor.toml"
    path.write_text(blocks("toml")[index], encoding="utf-8")
    load_config(path)  # raises ConfigError naming file, line and key


def test_the_template_examples_render_every_kind_of_message(tmp_path: Path) -> None:
    templated = [b for b in blocks("toml") if "_template" in b]
    assert len(templated) >= 2
    change = Message(
        "[monitor] subject",
        "summary",
        {"case": "ai-cycle", "title": "AI cycle", "as_of": "2026-08-07", "stage": 2,
         "previous_stage": 1, "score": 41.6, "firing": ["a"], "reasons": ["stage changed"],
         "report": "out/r.html", "status": "ok"},
    )  # fmt: skip
    failure = Message("s", "t", {"case": "ai-cycle", "failures_in_a_row": 2,
                                 "errors": ["boom"]}, kind="failure")  # fmt: skip
    path = tmp_path / "monitor.toml"
    path.write_text(templated[0], encoding="utf-8")
    email = load_config(path).email
    assert email is not None
    body = email.templates["body_template"]
    assert render(email.templates["subject_template"], SUBJECT, change.context()) == (
        "[bubble] ai-cycle: stage 2"
    )
    assert render(body, PLAIN, change.context()) == (
        "AI cycle as of 2026-08-07: stage 2, score 42/100.\n\n* stage changed\n\nReport: out/r.html"
    )
    assert render(body, PLAIN, failure.context()) == ("ai-cycle has failed 2 run(s) in a row: boom")


def test_the_variable_table_lists_every_variable() -> None:
    table = TEXT.split("Variables a template sees")[1].split("**Data never")[0]
    assert set(re.findall(r"^\| `(\w+)` \|", table, re.M)) == set(VARIABLES)


def local_config(folder: Path, schedule_id: str) -> Path:
    path = folder / "monitor.toml"
    path.write_text(
        '[monitor]\ncases = ["telecom-2000"]\nout = "out"\nstore = "sqlite:///monitor.db"\n'
        f'[[schedule]]\nid = "{schedule_id}"\ncron = "30 7 * * mon-fri"\n',
        encoding="utf-8",
    )
    return path


def run_command(command: str, srv: Path) -> list[sqlite3.Row]:
    """Run a documented command line with /srv/monitor mapped to ``srv``."""
    command = command.replace("/srv/monitor/.venv/bin/monitor", "MONITOR")
    command = command.replace("/srv/monitor", str(srv))
    argv = shlex.split(command)
    assert argv[0] == "MONITOR", command
    match = re.search(r"--schedule (\S+)", command)
    assert match, command
    local_config(srv, match.group(1))
    done = subprocess.run(
        [sys.executable, "-m", "monitor", *argv[1:]],
        capture_output=True,
        text=True,
        cwd=srv,
        env={**os.environ},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(srv / "monitor.db") as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute("select * from runs").fetchall()


def test_the_cron_line_runs(tmp_path: Path) -> None:
    [cron] = blocks("cron")
    [line] = [x for x in cron.splitlines() if x.strip() and not x.startswith("#")]
    fields = line.split(None, 5)
    assert fields[:5] == ["30", "7", "*", "*", "1-5"]
    [row] = run_command(fields[5], tmp_path)
    assert (row["status"], row["trigger"], row["job_id"]) == ("ok", "scheduled", "weekday-morning")


def units() -> dict[str, configparser.ConfigParser]:
    parsed = {}
    for body in blocks("ini"):
        unit = configparser.ConfigParser(strict=False, interpolation=None)
        unit.optionxform = str  # type: ignore[assignment,method-assign]
        unit.read_string(body)
        parsed[unit.get("Unit", "Description")] = unit
    return parsed


def test_the_systemd_timer_runs_the_one_shot_service(tmp_path: Path) -> None:
    found = units()
    [timer] = [u for u in found.values() if u.has_section("Timer")]
    assert timer.get("Timer", "Persistent") == "true"
    service_name = timer.get("Timer", "Unit")
    assert f"/etc/systemd/system/{service_name}" in TEXT
    [service] = [
        u for u in found.values()
        if u.has_section("Service") and u.get("Service", "Type", fallback="") == "oneshot"
    ]  # fmt: skip
    command = service.get("Service", "ExecStart")
    assert "run --schedule" in command
    [row] = run_command(command, tmp_path)
    assert row["status"] == "ok"


def test_the_airflow_dag_passes_the_logical_date(tmp_path: Path) -> None:
    [dag] = [b for b in blocks("python") if "BashOperator" in b]
    tree = ast.parse(dag)  # valid Python (Airflow itself is not installed here)
    [call] = [
        n for n in ast.walk(tree)
        if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "BashOperator"
    ]  # fmt: skip
    [command_node] = [k.value for k in call.keywords if k.arg == "bash_command"]
    command = ast.literal_eval(command_node)
    assert "--as-of {{ ds }}" in command
    rendered = jinja2.Template(command).render(ds="2000-06-30")  # what Airflow hands bash
    [row] = run_command(rendered, tmp_path)
    assert row["as_of"] == "2000-06-30" and row["status"] == "ok"
