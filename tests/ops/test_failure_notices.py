"""Failures are recorded and notified; a lost run history never raises a false alarm.

Issue 14, items 6 and 10. Notifications go to a local webhook (pytest-httpserver)
that answers as a real receiver would.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from monitor.data.case import bundled_root
from monitor.ops import jobs
from monitor.ops.config import Schedule, load_config
from monitor.ops.runhistory import RunStore


@pytest.fixture(autouse=True)
def _fresh_memory() -> None:
    jobs._RELOADERS.clear()
    jobs._HISTORY.clear()


def _config(tmp_path: Path, httpserver: HTTPServer, case: Path, extra: str = "") -> Path:
    path = tmp_path / "monitor.toml"
    path.write_text(
        f'[monitor]\nout = "{tmp_path / "out"}"\ncases = ["{case}"]\n'
        f'store = "sqlite:///{tmp_path / "state" / "monitor.db"}"\n{extra}'
        "[notify]\nretries = 1\nbackoff_seconds = 0\nafter_failures = 2\n"
        f'[notify.webhook]\nurl = "{httpserver.url_for("/hook")}"\ntimeout = 5\n',
        encoding="utf-8",
    )
    return path


def _posted(httpserver: HTTPServer) -> list[dict[str, object]]:
    return [json.loads(request.get_data()) for request, _ in httpserver.log]


def _case(tmp_path: Path) -> Path:
    case = tmp_path / "telecom"
    shutil.copytree(bundled_root() / "telecom-2000", case)
    return case


def test_notified_after_n_failures_in_a_row_and_on_recovery(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    case = _case(tmp_path)
    config = load_config(_config(tmp_path, httpserver, case))
    schedule = Schedule("daily", [str(case)])
    store = RunStore(config.store)
    (case / "case.yaml").rename(case / "case.yaml.off")  # every run now fails
    statuses = [jobs.run_schedule(config, schedule, "test", store)[0].status for _ in range(3)]
    assert statuses == ["failed"] * 3
    [notice] = _posted(httpserver)  # after the 2nd failure only, not the 1st or 3rd
    assert notice["status"] == "failed" and notice["failures_in_a_row"] == 2
    assert [r["status"] for r in store.recent(3)] == ["failed"] * 3  # every run recorded
    (case / "case.yaml.off").rename(case / "case.yaml")
    recovered = jobs.run_schedule(config, schedule, "test", store)[0]
    assert recovered.status == "ok"
    last = _posted(httpserver)[-1]
    assert last["reasons"][0] == "recovered after 3 failed run(s)"  # type: ignore[index]
    assert jobs.run_schedule(config, schedule, "test", store)[0].notifications == []


def test_an_unusable_output_folder_is_recorded_and_notified(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    case = _case(tmp_path)
    config = load_config(_config(tmp_path, httpserver, case))
    config.out.write_text("a file where the folder should be")  # mkdir and the lock fail
    config.after_failures = 1
    [outcome] = jobs.run_schedule(config, Schedule("daily", [str(case)]), "test")
    assert outcome.status == "failed" and "output folder" in outcome.errors[0]
    [row] = RunStore(config.store).recent(1)
    assert row["status"] == "failed" and row["finished"] and "output folder" in row["errors"][0]
    [notice] = _posted(httpserver)
    assert notice["failures_in_a_row"] == 1


def test_history_deleted_under_a_running_daemon_is_detected_and_never_notified(
    tmp_path: Path, httpserver: HTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    case = _case(tmp_path)
    config = load_config(_config(tmp_path, httpserver, case))
    schedule = Schedule("daily", [str(case)])
    first = jobs.run_schedule(config, schedule, "scheduled")[0]
    assert first.status == "ok" and len(_posted(httpserver)) == 1  # stage 0 -> 3, once
    for path in (tmp_path / "state").iterdir():  # the database and its WAL files
        path.unlink()
    with caplog.at_level(logging.WARNING, logger="monitor.ops.jobs"):
        second = jobs.run_schedule(config, schedule, "scheduled")[0]
    assert second.run_id == 1  # the ids restarted ...
    assert second.status == "degraded" and jobs.BASELINE_LOST in second.errors
    assert second.notifications == [] and len(_posted(httpserver)) == 1  # ... and no alarm
    assert "deleted or replaced" in caplog.text
    third = jobs.run_schedule(config, schedule, "scheduled")[0]
    assert third.status == "ok" and third.notifications == []  # the new baseline holds
