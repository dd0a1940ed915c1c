"""``monitor runs --check``: an outside monitor learns when this one has died."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import update

from monitor.cli import main
from monitor.core.durations import Duration
from monitor.ops.health import check_last_success
from monitor.ops.runhistory import RunStore, runs


def _finished(store: RunStore, run_id: int, when: datetime) -> None:
    with store.engine.begin() as conn:
        conn.execute(update(runs).where(runs.c.id == run_id).values(finished=when.isoformat()))


def test_the_last_successful_run_is_judged_against_its_maximum_age(tmp_path: Path) -> None:
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # a fixed clock, never the real one
    store = RunStore(f"sqlite:///{tmp_path / 'hist.db'}")
    assert not check_last_success(store, Duration(2, "d"), now).ok  # nothing recorded
    good = store.start("daily", "scheduled", "ai-cycle")
    store.finish(good, "ok", stage=0, score=1.0)
    _finished(store, good, now - timedelta(days=3))
    failed = store.start("daily", "scheduled", "ai-cycle")
    store.finish(failed, "failed")  # a newer failure does not count as alive
    stale = check_last_success(store, Duration(2, "d"), now)
    assert not stale.ok and f"#{good}" in stale.message and "72.0 h ago" in stale.message
    assert check_last_success(store, Duration(4, "d"), now).ok


def test_runs_check_exits_non_zero_on_a_stale_history(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "monitor.toml").write_text('[monitor]\nstore = "sqlite:///hist.db"\n')
    store = RunStore(f"sqlite:///{tmp_path / 'hist.db'}")
    run_id = store.start("daily", "scheduled", "ai-cycle")
    store.finish(run_id, "ok", stage=0, score=1.0)
    _finished(store, run_id, datetime.now(UTC) - timedelta(days=10))
    runner = CliRunner()
    stale = runner.invoke(main, ["runs", "--check", "--max-age", "7d"])
    assert stale.exit_code == 1 and "stale" in stale.output
    fresh = runner.invoke(main, ["runs", "--check", "--max-age", "2w"])
    assert fresh.exit_code == 0 and fresh.output.startswith("ok:")
    bad = runner.invoke(main, ["runs", "--check", "--max-age", "soon"])
    assert bad.exit_code == 2 and "invalid duration" in bad.output
