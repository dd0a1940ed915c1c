"""A run with the file cache gives the very files a run without it gives (issue 10).

What a scheduled user relies on: the run cache (``MONITOR_CACHE_DIR``) makes a run faster and
changes nothing else. The 2000 side of the analogies panel, the 2000 peak and the
charts are read from the cache on a warm run (the 2000 case is not even loaded), and
the report's HTML and JSON are byte for byte those of an uncached run. The clock is
pinned (the JSON and the archive index carry the time they were written).
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.assessment import analogies
from monitor.core.filecache import CACHE_ENV
from monitor.data import case as case_module
from monitor.pipeline import calibration, publish
from monitor.pipeline import run as run_pipeline
from monitor.reports import archive


class FrozenClock(datetime):
    @classmethod
    def now(cls, tz=None):  # type: ignore[no-untyped-def,override]
        return datetime(2026, 1, 5, 8, 0, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONITOR_TODAY", "2026-01-05")
    monkeypatch.setattr(publish, "datetime", FrozenClock)
    monkeypatch.setattr(archive, "datetime", FrozenClock)


def fresh_process() -> None:
    """Forget what this process has cached, as a new ``monitor run`` would."""
    analogies._CACHE.clear()
    calibration._CACHE.clear()


def run_once(out: Path) -> dict[str, bytes]:
    shutil.rmtree(out, ignore_errors=True)
    fresh_process()
    run_pipeline("ai-cycle", out_dir=out)  # the latest data: the analogies panel is filled
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


def test_cached_runs_write_the_same_bytes_as_an_uncached_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    monkeypatch.setenv(CACHE_ENV, "off")
    uncached = run_once(out)
    cache = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(cache))
    cold = run_once(out)
    kinds = {p.parent.name for p in cache.glob("*/*.json")}
    assert {"analogies", "peak-2000", "charts"} <= kinds
    # a warm run must not touch the 2000 case: every 2000 figure comes from the cache
    loaded: list[str] = []
    real = case_module.load_case
    monkeypatch.setattr(analogies, "load_case", lambda name: loaded.append(name) or real(name))
    warm = run_once(out)
    assert loaded == []
    assert sorted(warm) == sorted(cold) == sorted(uncached)
    assert any(name.endswith(".html") for name in uncached)
    for name in uncached:
        assert cold[name] == uncached[name], f"{name}: a cold cache changed the output"
        assert warm[name] == uncached[name], f"{name}: a warm cache changed the output"
    document = json.loads(warm["latest.json"])
    assert len(document["analogies"]) == 4, "the analogies panel is there, read from the cache"
    assert document["summary"], "and the calibration against the 2000 peak"


def test_a_corrupt_entry_is_recomputed_not_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(cache))
    out = tmp_path / "out"
    good = run_once(out)
    for entry in cache.glob("*/*.json"):
        entry.write_text('{"format": "value-v1", "key": "someone else\'s", "value": 1}')
    assert run_once(out) == good
    for entry in cache.glob("*/*.json"):
        entry.write_text("not json {")
    assert run_once(out) == good
