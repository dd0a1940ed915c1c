"""Silences and inhibition through the real daemon (`monitor schedule` as a subprocess).

Each run is a daemon started with ``--run-now`` (its cron is never due during a test),
sending to a local SMTP server (aiosmtpd) and a local webhook (pytest-httpserver). The
telecom-2000 case at its latest data is in stage 3 with one critical stage-3 rule
(bad-debt-reserve-surge) firing; a desk's own rule file adds a critical rule that
also fires there (the Nasdaq more than half below its 2000 peak: about -58% in
January 2004), in stage 3 or in stage 1 as each test needs.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pytest_httpserver import HTTPServer

from monitor.rulebook.loader import bundled_rules_dir

DEADLINE = 60.0
ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "report.schema.json").read_text(encoding="utf-8"))


class Desk:
    """A monitor.toml in a folder, and the commands a desk runs against it."""

    def __init__(self, folder: Path, port: int, hook: str, today: str = "2026-12-01") -> None:
        self.folder, self.today = folder, today
        (folder / "desk").mkdir()
        rules = [str(bundled_rules_dir()), "desk"]
        (folder / "monitor.toml").write_text(
            '[monitor]\nout = "out"\ncases = ["telecom-2000"]\nstore = "sqlite:///state/m.db"\n'
            f"rules = {json.dumps(rules)}\n"
            '[[schedule]]\nid = "daily"\ncron = "0 3 * * sun"\n'
            "[notify]\nretries = 2\nbackoff_seconds = 0.01\n"
            f'[notify.email]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
            'from = "monitor@example.org"\nto = ["desk@example.org"]\ntimeout = 5\n'
            f'[notify.webhook]\nurl = "{hook}"\n',
            encoding="utf-8",
        )

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "MONITOR_TODAY": self.today,
            "MONITOR_USER": "alice",
        }

    def desk_rule(self, stage: int) -> None:
        (self.folder / "desk" / "desk.yaml").write_text(
            f"stage: {stage}\ntitle: Desk extras\nrules:\n"
            "  - id: desk-nasdaq-halved\n"
            "    title: Nasdaq half or more below its peak\n"
            "    indicator: equity_drawdown\n"
            "    when: value <= -50\n"
            "    severity: critical\n"
            "    description: The desk's own page when the equity market has halved.\n"
            '    references: ["GMF Research report Oct 2025, sec. 2 (stage 1)"]\n',
            encoding="utf-8",
        )

    def monitor(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "monitor", *args, "--config", "monitor.toml"],
            cwd=self.folder,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=DEADLINE,
        )

    def rows(self) -> list[sqlite3.Row]:
        db = self.folder / "state" / "m.db"
        if not db.exists():
            return []
        with sqlite3.connect(db) as conn:
            conn.row_factory = sqlite3.Row
            try:
                return conn.execute("select * from runs order by id").fetchall()
            except sqlite3.OperationalError:
                return []

    def run_daemon_once(self) -> dict[str, Any]:
        """Start the daemon with --run-now, wait for its run to finish, stop it (SIGTERM)."""
        before = len(self.rows())
        log = self.folder / f"daemon-{before}.log"
        with open(log, "w") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "monitor", "schedule", "--config", "monitor.toml"]
                + ["--run-now"],
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=self.folder,
                env=self.env(),
            )
            try:
                wait_for(log, proc, lambda: self._finished(before))
                proc.send_signal(signal.SIGTERM)
                assert proc.wait(timeout=DEADLINE) == 0, log.read_text()
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
        row = self.rows()[-1]
        assert row["status"] == "ok", log.read_text()
        report = Path(row["report"])
        document = json.loads(report.with_suffix(".json").read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator(SCHEMA).validate(document)  # the new fields too
        return {
            "row": row,
            "html": report.read_text(encoding="utf-8"),
            "json": document,
        }

    def _finished(self, before: int) -> bool:
        rows = self.rows()
        return len(rows) > before and rows[-1]["status"] != "running" and rows[-1]["finished"]


def wait_for(log: Path, proc: subprocess.Popen[bytes], condition: Callable[[], Any]) -> None:
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        if condition():
            return
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for the run; log:\n{log.read_text()}")


@pytest.fixture
def desk(tmp_path: Path, smtp: tuple[Any, int], httpserver: HTTPServer) -> Desk:
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    return Desk(tmp_path, smtp[1], httpserver.url_for("/hook"))


def hooks(httpserver: HTTPServer) -> list[dict[str, Any]]:
    return [json.loads(request.get_data()) for request, _ in httpserver.log]


def test_a_silenced_alert_does_not_notify_shows_in_the_report_and_notifies_once_expired(
    desk: Desk, smtp: tuple[Any, int], httpserver: HTTPServer
) -> None:
    inbox = smtp[0]
    first = desk.run_daemon_once()  # the baseline: the bust first seen, 0 -> 3
    assert first["row"]["stage"] == 3 and len(inbox.messages) == 1 and len(hooks(httpserver)) == 1

    desk.desk_rule(stage=3)  # a new critical rule that fires at once ...
    added = desk.monitor(
        "silence", "add", "desk-nasdaq-halved", "--until", "2026-12-15", "--reason", "seen it"
    )
    assert added.returncode == 0, added.stderr
    assert "silence #1: desk-nasdaq-halved until 2026-12-15" in added.stdout
    second = desk.run_daemon_once()  # ... but it is silenced: nobody hears of it
    assert json.loads(second["row"]["firing"]).count("desk-nasdaq-halved") == 1
    assert len(inbox.messages) == 1 and len(hooks(httpserver)) == 1
    assert json.loads(second["row"]["notifications"]) == []
    rule = next(r for r in second["json"]["rules"] if r["id"] == "desk-nasdaq-halved")
    assert rule["state"] == "firing"
    [mark] = rule["silences"]
    assert (mark["id"], mark["until"], mark["reason"], mark["created_by"]) == (
        1,
        "2026-12-15",
        "seen it",
        "alice",
    )
    [held] = second["json"]["notices"]["withheld"]
    assert held["rule"] == "desk-nasdaq-halved" and held["silences"] == [1]
    assert 'data-silence="1"' in second["html"] and "Silenced" in second["html"]
    assert "until <span" in second["html"] and "seen it" in second["html"]

    expired = desk.monitor("silence", "expire", "1")
    assert expired.returncode == 0 and "silence #1 (desk-nasdaq-halved) expired" in expired.stdout
    third = desk.run_daemon_once()  # still firing, no longer silenced: notified once
    assert len(inbox.messages) == 2 and len(hooks(httpserver)) == 2
    text = inbox.bodies()[1]
    assert (
        "critical rule desk-nasdaq-halved has been firing since 2004-01-07; "
        "held back by silence #1 until now"
    ) in text
    assert hooks(httpserver)[1]["reasons"] == [text.splitlines()[3].removeprefix("- ")]
    assert third["json"]["notices"]["withheld"] == []
    desk.run_daemon_once()  # and only once
    assert len(inbox.messages) == 2 and len(hooks(httpserver)) == 2

    listed = desk.monitor("silence", "list", "--all", "--json")
    [row] = json.loads(listed.stdout)
    assert row["status"] == "expired" and row["expired_by"] == "alice"


def test_inhibition_holds_back_a_lower_stage_start_while_stage_3_is_active(
    desk: Desk, smtp: tuple[Any, int], httpserver: HTTPServer
) -> None:
    inbox = smtp[0]
    desk.run_daemon_once()
    assert len(inbox.messages) == 1
    desk.desk_rule(stage=1)  # a critical stage-1 rule starts firing (and stage 1 activates)
    second = desk.run_daemon_once()
    assert second["row"]["stage"] == 3
    assert len(inbox.messages) == 1 and len(hooks(httpserver)) == 1  # held back
    notices = second["json"]["notices"]
    assert notices["inhibit"] is True and notices["due"] == []
    held = {n["key"]: n for n in notices["withheld"]}
    assert set(held) == {"rule:desk-nasdaq-halved", "stage:1"}
    assert held["rule:desk-nasdaq-halved"]["inhibited_by"] == 3
    assert held["rule:desk-nasdaq-halved"]["why"] == [
        "inhibited: stage 3 is active (stage 1 news is held back until it drops)"
    ]
    assert 'data-withheld="rule:desk-nasdaq-halved"' in second["html"]
    assert "inhibited: stage 3 is active" in second["html"]


def test_a_silence_that_ends_by_date_lets_the_next_run_notify(
    desk: Desk, smtp: tuple[Any, int], httpserver: HTTPServer
) -> None:
    inbox = smtp[0]
    desk.desk_rule(stage=3)
    added = desk.monitor(
        "silence", "add", "desk-nasdaq-halved:US", "--until", "2026-12-03", "--reason", "known"
    )
    assert added.returncode == 0, added.stderr
    desk.run_daemon_once()  # first run: the stage change and the unsilenced rule go out
    [text] = inbox.bodies()
    assert "stage changed from 0 to 3" in text
    assert "critical rule(s) started firing: bad-debt-reserve-surge" in text
    assert "desk-nasdaq-halved" not in text.split("Rules firing")[0]
    desk.today = "2026-12-03"  # the silence's end date: it no longer holds
    later = desk.run_daemon_once()
    assert len(inbox.messages) == 2
    assert "critical rule desk-nasdaq-halved has been firing" in inbox.bodies()[1]
    assert later["json"]["notices"]["silences"] == []
    assert hooks(httpserver)[1]["reasons"][0].startswith("critical rule desk-nasdaq-halved")
