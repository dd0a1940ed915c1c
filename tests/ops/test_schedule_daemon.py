"""The real daemon as a subprocess against a temporary store.

It runs, records, writes the report, finishes its job on SIGTERM and exits 0; a
missed run happens exactly once after a simulated downtime; a second daemon on
the same store is refused. Every wait polls with a deadline (no long sleeps).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from monitor.ops.config import load_config
from monitor.ops.runhistory import make_engine
from monitor.ops.scheduler import build_scheduler

DEADLINE = 30.0


class Daemon:
    def __init__(self, config: Path, *args: str) -> None:
        self.log = config.parent / f"daemon-{time.monotonic_ns()}.log"
        self._out = open(self.log, "w")  # noqa: SIM115 - closed in wait()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "monitor", "schedule", "--config", str(config), *args],
            stdout=self._out,
            stderr=subprocess.STDOUT,
            cwd=config.parent,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )

    def text(self) -> str:
        return self.log.read_text()

    def wait_for(self, what: str, condition: Callable[[], bool]) -> None:
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end:
            if condition():
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}; log:\n{self.text()}")

    def started(self) -> None:
        self.wait_for("start", lambda: "Scheduler started" in self.text())

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.wait()

    def wait(self) -> int:
        try:
            return self.proc.wait(timeout=DEADLINE)
        finally:
            self._out.close()


@pytest.fixture
def daemons() -> Iterator[list[Daemon]]:
    started: list[Daemon] = []
    yield started
    for daemon in started:  # never leave a daemon behind, even when a test fails
        if daemon.proc.poll() is None:
            daemon.proc.kill()
            daemon.proc.wait()


def config_file(tmp_path: Path, cron: str) -> Path:
    path = tmp_path / "monitor.toml"
    path.write_text(
        '[monitor]\ntimezone = "Europe/Berlin"\nout = "out"\nstore = "sqlite:///state/monitor.db"\n'
        f'[[schedule]]\nid = "daily"\ncron = "{cron}"\n',
        encoding="utf-8",
    )
    return path


def rows(config: Path) -> list[sqlite3.Row]:
    db = config.parent / "state" / "monitor.db"
    if not db.exists():
        return []
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        try:
            return conn.execute("select * from runs order by id").fetchall()
        except sqlite3.OperationalError:  # table not created yet
            return []


def test_runs_records_reports_and_finishes_on_sigterm(tmp_path: Path, daemons: list[Daemon]):
    config = config_file(tmp_path, "0 3 * * sun")  # never due during the test
    daemon = Daemon(config, "--run-now")
    daemons.append(daemon)
    daemon.wait_for("a running run", lambda: any(r["status"] == "running" for r in rows(config)))
    assert daemon.stop() == 0  # SIGTERM mid-run ...
    [row] = rows(config)
    assert row["status"] == "ok" and row["trigger"] == "run-now"  # ... the run finished
    assert row["finished"] and row["stage"] is not None and row["score"] is not None
    report = Path(row["report"])
    assert report.is_file() and report.parent == tmp_path / "out"
    assert "SIGTERM received" in daemon.text() and "scheduler stopped" in daemon.text()
    assert "Traceback" not in daemon.text()


def test_second_daemon_on_the_same_store_is_refused(tmp_path: Path, daemons: list[Daemon]):
    config = config_file(tmp_path, "0 3 * * sun")
    first = Daemon(config)
    daemons.append(first)
    first.started()
    second = Daemon(config)
    daemons.append(second)
    assert second.wait() == 1
    assert "another monitor daemon" in second.text()
    assert str(first.proc.pid) in second.text()
    assert first.proc.poll() is None  # the first one is unaffected
    assert first.stop() == 0


def simulate_downtime(config_path: Path, days: int) -> None:
    """Move the stored next run back ``days`` days, as if the daemon had been down."""
    config = load_config(config_path)
    engine = make_engine(config.store)
    scheduler, store = build_scheduler(config, engine, BackgroundScheduler)
    store.start(scheduler, "default")
    job = store.lookup_job("daily")
    assert job is not None
    job._modify(next_run_time=job.next_run_time - timedelta(days=days))
    store.update_job(job)
    engine.dispose()


def test_missed_run_happens_exactly_once(tmp_path: Path, daemons: list[Daemon]):
    config = config_file(tmp_path, "0 3 * * *")
    first = Daemon(config)
    daemons.append(first)
    first.started()
    assert first.stop() == 0
    assert rows(config) == []
    simulate_downtime(config, days=3)  # three 03:00 runs were missed

    second = Daemon(config)
    daemons.append(second)
    second.wait_for("the missed run", lambda: any(r["status"] == "ok" for r in rows(config)))
    time.sleep(1.0)  # room for a (wrong) second catch-up run to start
    assert second.stop() == 0
    [row] = rows(config)
    assert row["trigger"] == "scheduled" and row["job_id"] == "daily"

    third = Daemon(config)  # restarting again must not repeat it
    daemons.append(third)
    third.started()
    time.sleep(1.0)
    assert third.stop() == 0
    assert len(rows(config)) == 1
    assert "job daily: kept" in third.text()
