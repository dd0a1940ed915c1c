"""Scheduling logic without waiting: trigger maths, a fake clock, the job called directly."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from monitor.ops import jobs
from monitor.ops.config import Schedule, load_config
from monitor.ops.runhistory import RunStore, make_engine
from monitor.ops.scheduler import build_scheduler, job_defaults, reconcile_jobs
from monitor.ops.triggers import build_trigger, next_fire_times
from monitor.rulebook.loader import bundled_rules_dir

BERLIN = ZoneInfo("Europe/Berlin")


def config_file(tmp_path: Path, schedules: str, extra: str = "") -> Path:
    path = tmp_path / "monitor.toml"
    path.write_text(
        f'[monitor]\ntimezone = "Europe/Berlin"\nout = "out"\n{extra}\n{schedules}',
        encoding="utf-8",
    )
    return path


def test_cron_uses_day_names_and_the_configured_zone() -> None:
    trigger = build_trigger(Schedule("w", [], "30 7 * * mon-fri"), "Europe/Berlin")
    friday_noon = datetime(2026, 3, 27, 12, 0, tzinfo=BERLIN)
    times = next_fire_times(trigger, friday_noon, 3)
    # Friday noon -> Monday, Tuesday, Wednesday at 07:30 Berlin, across the DST switch
    assert [t.strftime("%a %d %H:%M") for t in times] == [
        "Mon 30 07:30",
        "Tue 31 07:30",
        "Wed 01 07:30",
    ]
    assert times[0].utcoffset() == timedelta(hours=2)  # summer time began on 29 March
    sunday = build_trigger(Schedule("s", [], "0 6 * * sun"), "Europe/Berlin")
    assert next_fire_times(sunday, friday_noon, 1)[0].strftime("%a") == "Sun"


def test_optional_seconds_and_interval_kinds() -> None:
    now = datetime(2026, 1, 1, 0, 0, 1, tzinfo=BERLIN)
    every5 = build_trigger(Schedule("t", [], "* * * * *", second="*/5"), "Europe/Berlin")
    assert [t.second for t in next_fire_times(every5, now, 3)] == [5, 10, 15]
    interval = build_trigger(Schedule("i", [], interval_seconds=2), "Europe/Berlin")
    first, second = next_fire_times(interval, now, 2)
    assert second - first == timedelta(seconds=2)


def test_job_defaults_never_skip_silently(tmp_path: Path) -> None:
    config = load_config(config_file(tmp_path, '[[schedule]]\nid = "d"\ncron = "0 7 * * *"\n'))
    assert job_defaults(config) == {
        "coalesce": True,
        "max_instances": 1,
        "misfire_grace_time": 604800,
    }


def persisted(config_path: Path) -> dict[str, Any]:
    """Start a paused scheduler (no job runs), reconcile, return stored next run times."""
    config = load_config(config_path)
    engine = make_engine(config.store)
    scheduler, store = build_scheduler(config, engine, BackgroundScheduler)
    actions = reconcile_jobs(scheduler, store, config)
    scheduler.start(paused=True)
    jobs_now = {job.id: job for job in store.get_all_jobs()}
    scheduler.shutdown(wait=False)
    return {"actions": actions, "jobs": jobs_now, "store": store}


def test_missed_run_survives_restart_and_runs_once(tmp_path: Path) -> None:
    path = config_file(tmp_path, '[[schedule]]\nid = "daily"\ncron = "0 3 * * *"\n')
    first = persisted(path)
    assert first["actions"] == {"daily": "added"}
    job = first["jobs"]["daily"]
    # Fake clock: the daemon was down for three days; three 03:00 fire times passed.
    missed = job.next_run_time - timedelta(days=3)
    store = first["store"]
    store.start(BackgroundScheduler(), "default")
    job._modify(next_run_time=missed)
    store.update_job(job)
    second = persisted(path)
    assert second["actions"] == {"daily": "kept"}  # not replaced: the missed run is kept
    kept = second["jobs"]["daily"]
    assert kept.next_run_time == missed
    fake_now = missed + timedelta(days=2, hours=1)
    run_times = kept._get_run_times(fake_now)
    assert len(run_times) == 3  # 3 missed fire times ...
    assert kept.coalesce and run_times[-1:] == [missed + timedelta(days=2)]  # ... run once
    assert (fake_now - run_times[-1]).total_seconds() < kept.misfire_grace_time


def test_changed_or_removed_schedules_are_replaced(tmp_path: Path) -> None:
    path = config_file(
        tmp_path,
        '[[schedule]]\nid = "a"\ncron = "0 3 * * *"\n[[schedule]]\nid = "b"\ncron = "0 4 * * *"\n',
    )
    persisted(path)
    path = config_file(tmp_path, '[[schedule]]\nid = "a"\ncron = "0 5 * * sat"\n')
    after = persisted(path)
    assert after["actions"] == {"a": "replaced", "b": "removed"}
    assert after["jobs"]["a"].next_run_time.hour == 5
    assert set(after["jobs"]) == {"a"}


@pytest.fixture
def notify_free_config(tmp_path: Path) -> Path:
    rules = tmp_path / "rules"
    shutil.copytree(bundled_rules_dir(), rules, ignore=shutil.ignore_patterns("tests", "*.py"))
    return config_file(
        tmp_path,
        '[[schedule]]\nid = "daily"\ncron = "0 3 * * *"\ncases = ["ai-cycle", "no-such-case"]\n',
        'rules = ["rules"]\n',
    )


def test_job_records_runs_degrades_on_broken_rules_and_survives_crashes(
    notify_free_config: Path,
) -> None:
    jobs._RELOADERS.clear()
    tmp = notify_free_config.parent
    jobs.run_job(str(notify_free_config), "daily")  # the daemon's call, by plain arguments
    store = RunStore(load_config(notify_free_config).store)
    first = {r["case"]: r for r in store.recent(10)}
    assert first["ai-cycle"]["status"] == "ok" and first["ai-cycle"]["stage"] == 0
    assert Path(first["ai-cycle"]["report"]).is_file()
    assert first["ai-cycle"]["firing"] and first["ai-cycle"]["finished"]
    assert first["no-such-case"]["status"] == "failed"  # recorded, and the next case ran
    assert "no-such-case" in first["no-such-case"]["errors"][0]

    rule_file = tmp / "rules" / "stage1-macro.yaml"
    rule_file.write_text(rule_file.read_text().replace("when:", "wehn:", 1))
    config = load_config(notify_free_config)
    outcome = jobs.run_schedule(config, Schedule("daily", ["ai-cycle"]), "test", store)[0]
    assert outcome.status == "degraded"  # evaluated with the last good rules, not skipped
    row = store.recent(1)[0]
    assert row["status"] == "degraded" and row["stage"] == 0
    assert any("last good" in e for e in row["errors"])
    assert any("stage1-macro.yaml" in e for e in row["errors"])


def test_run_job_never_raises(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    jobs.run_job(str(tmp_path / "missing.toml"), "daily")
    assert "failed before it could be recorded" in caplog.text
