"""Run history: rows, the previous assessment for change detection, `monitor runs`."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from monitor.cli import main
from monitor.ops.runhistory import RunStore


def test_rows_previous_and_interrupted(tmp_path: Path) -> None:
    store = RunStore(f"sqlite:///{tmp_path / 'h.db'}")
    first = store.start("daily", "scheduled", "ai-cycle")
    assert store.previous("ai-cycle", first) is None
    store.finish(
        first,
        "ok",
        stage=1,
        score=20.0,
        firing=["a", "b"],
        critical=["b"],
        report="r.html",
        as_of="2026-01-01",
    )
    failed = store.start("daily", "scheduled", "ai-cycle")
    store.finish(failed, "failed", errors=["boom"])
    third = store.start("daily", "scheduled", "ai-cycle")
    previous = store.previous("ai-cycle", third)  # the failed run has no assessment
    assert previous is not None and previous.run_id == first
    assert previous.stage == 1 and previous.critical == {"b"} and previous.firing == {"a", "b"}
    assert store.previous("telecom-2000", third) is None
    manual = store.start("manual", "manual", "ai-cycle")
    assert store.close_interrupted() == 1  # the third; a manual run is not the daemon's
    rows = {r["id"]: r for r in store.recent(10)}
    assert rows[third]["status"] == "failed" and "interrupted" in rows[third]["errors"][0]
    assert rows[manual]["status"] == "running"
    assert [r["id"] for r in store.recent(2)] == [manual, third]
    assert store.count("daily") == 3


def test_runs_command(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "monitor.toml").write_text('[monitor]\nstore = "sqlite:///hist.db"\n')
    runner = CliRunner()
    empty = runner.invoke(main, ["runs"])
    assert empty.exit_code == 0 and "no runs" in empty.output
    store = RunStore(f"sqlite:///{tmp_path / 'hist.db'}")
    for i in range(3):
        run_id = store.start("daily", "scheduled", "ai-cycle")
        store.finish(
            run_id,
            "degraded" if i == 2 else "ok",
            stage=i,
            score=10.0 * i,
            firing=["x"],
            critical=[],
            report=f"out/r{i}.html",
            errors=["rule reload failed"] if i == 2 else [],
            notifications=[
                {
                    "channel": "webhook",
                    "ok": False,
                    "attempts": 3,
                    "error": "webhook answered HTTP 500",
                }
            ]
            if i == 2
            else [],
        )
    listed = runner.invoke(main, ["runs", "--limit", "2"])
    assert listed.exit_code == 0
    lines = [line for line in listed.output.splitlines() if line.startswith("#")]
    assert len(lines) == 2 and "degraded" in lines[0] and "out/r2.html" in lines[0]
    assert "rule reload failed" in listed.output and "HTTP 500" in listed.output
    as_json = json.loads(runner.invoke(main, ["runs", "--json"]).output)
    assert [r["stage"] for r in as_json] == [2, 1, 0]
    assert set(as_json[0]) >= {
        "started",
        "finished",
        "status",
        "stage",
        "score",
        "firing",
        "report",
        "errors",
        "notifications",
        "case",
        "job_id",
    }
