"""The silence store, and a scheduled run in-process: the report marks a silence safely."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import jsonschema
import pytest
from sqlalchemy import select

from monitor.ops import jobs
from monitor.ops.config import Schedule, load_config
from monitor.ops.runhistory import RunStore
from monitor.ops.silences import SilenceError, SilenceStore, alert_notices

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "report.schema.json").read_text(encoding="utf-8"))
TODAY = date(2026, 12, 1)


def test_add_list_expire(tmp_path: Path) -> None:
    store = SilenceStore(RunStore(f"sqlite:///{tmp_path / 'h.db'}").engine)
    first = store.add("fed-easing", None, "2026-12-15", "  seen\n it ", "alice")
    second = store.add("bad-debt-reserve-surge", "LU", "2026-12-02", "known", "bob")
    assert first.reason == "seen it" and second.target == "bad-debt-reserve-surge:LU"
    assert [s.id for s in store.active(TODAY)] == [1, 2]
    assert [s.id for s in store.active(date(2026, 12, 2))] == [1]  # #2 ended that day
    done = store.expire(1, "carol", TODAY)
    assert done.expired is not None and done.expired_by == "carol"
    assert store.active(TODAY) == [second]
    with pytest.raises(SilenceError, match="already expired"):
        store.expire(1, "carol", TODAY)
    with pytest.raises(SilenceError, match="no silence #9"):
        store.expire(9, "carol", TODAY)
    with pytest.raises(SilenceError, match="--reason is empty"):
        store.add("fed-easing", None, "2026-12-15", " \n ", "alice")
    with pytest.raises(SilenceError, match="control characters"):
        store.add("fed-easing", None, "2026-12-15", "ok \x1b[2J", "alice")
    with pytest.raises(SilenceError, match="at most 500"):
        store.add("fed-easing", None, "2026-12-15", "x" * 501, "alice")


def test_a_scheduled_run_marks_the_silence_in_report_and_json_and_escapes_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "monitor.toml"
    path.write_text(
        '[monitor]\nout = "out"\ncases = ["telecom-2000"]\nstore = "sqlite:///h.db"\n'
        "[notify]\ninhibit = false\n",
        encoding="utf-8",
    )
    config = load_config(path)
    assert config.inhibit is False
    store = RunStore(config.store)
    hostile = "<script>alert(1)</script> & co"
    SilenceStore(store.engine).add("bad-debt-reserve-surge", "LU", "2026-12-15", hostile, "al")
    jobs._RELOADERS.clear()
    [outcome] = jobs.run_schedule(config, Schedule("daily", ["telecom-2000"]), "test", store)
    assert outcome.status == "ok" and outcome.report is not None
    document = json.loads(Path(outcome.report).with_suffix(".json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    notices = document["notices"]
    assert notices["inhibit"] is False
    assert notices["due"] == ["stage changed from 0 to 3"]  # the silenced rule is not news
    [held] = notices["withheld"]
    assert held["rule"] == "bad-debt-reserve-surge" and held["silences"] == [1]
    html = Path(outcome.report).read_text(encoding="utf-8")
    assert hostile not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    with store.engine.connect() as conn:
        row = conn.execute(select(alert_notices)).one()
    assert row.run_id == outcome.run_id and row.stages == [3]
    assert [n["key"] for n in row.withheld] == ["rule:bad-debt-reserve-surge"]


def test_inhibit_must_be_a_boolean(tmp_path: Path) -> None:
    path = tmp_path / "monitor.toml"
    path.write_text('[notify]\ninhibit = "yes"\n', encoding="utf-8")
    with pytest.raises(Exception, match=r"monitor.toml:2: \[notify\] inhibit: expected true"):
        load_config(path)


def test_unreadable_silences_notify_without_them_and_say_so(tmp_path: Path) -> None:
    path = tmp_path / "monitor.toml"
    path.write_text(
        '[monitor]\nout = "out"\ncases = ["telecom-2000"]\nstore = "sqlite:///h.db"\n',
        encoding="utf-8",
    )
    config = load_config(path)
    store = RunStore(config.store)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE silences")  # a damaged history
    jobs._RELOADERS.clear()
    [outcome] = jobs.run_schedule(config, Schedule("daily", ["telecom-2000"]), "test", store)
    assert outcome.status == "degraded" and outcome.report is not None
    assert any("silences and inhibition unavailable" in e for e in outcome.errors)
    document = json.loads(Path(outcome.report).with_suffix(".json").read_text(encoding="utf-8"))
    assert "notices" not in document  # nothing withheld: the run notifies as before
