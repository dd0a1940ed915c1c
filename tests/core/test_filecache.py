"""The file cache: in the user cache by default, off by MONITOR_CACHE_DIR=off, plain JSON.

Never a stale or foreign hit.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.core import filecache
from monitor.core.fingerprint import Fingerprint


def counting(value: object) -> tuple[list[int], object]:
    calls: list[int] = []

    def compute() -> object:
        calls.append(1)
        return value

    return calls, compute


def test_without_the_variable_entries_go_to_the_user_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(filecache.CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    calls, compute = counting({"score": 58.7})
    assert filecache.cached("peak", "k", compute) == {"score": 58.7}
    assert filecache.cached("peak", "k", compute) == {"score": 58.7}
    assert len(calls) == 1
    assert (tmp_path / "bubble-monitor" / "peak" / "k.json").is_file()


@pytest.mark.parametrize("off", ["off", "OFF", "", "none"])
def test_off_stores_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, off: str) -> None:
    monkeypatch.setenv(filecache.CACHE_ENV, off)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    calls, compute = counting({"score": 58.7})
    assert filecache.cached("peak", "k", compute) == {"score": 58.7}
    assert filecache.cached("peak", "k", compute) == {"score": 58.7}
    assert len(calls) == 2 and not list(tmp_path.iterdir())


def test_a_hit_returns_what_the_miss_stored_as_plain_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(filecache.CACHE_ENV, str(tmp_path))
    key = Fingerprint().add_value("case", "telecom-2000").hexdigest()
    value = {"score": 58.7, "date": "2001-12-02", "readings": [0.1, None, "x"]}
    calls, compute = counting(value)
    assert filecache.cached("peak", key, compute) == value
    assert filecache.cached("peak", key, compute) == value
    assert len(calls) == 1
    entry = json.loads((tmp_path / "peak" / f"{key}.json").read_text(encoding="utf-8"))
    assert entry == {"format": "value-v1", "key": key, "value": value}
    other = Fingerprint().add_value("case", "telecom-2001").hexdigest()
    assert filecache.cached("peak", other, lambda: 1) == 1  # another key, another entry


def test_a_value_that_is_not_plain_data_is_used_but_never_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(filecache.CACHE_ENV, str(tmp_path))
    marker = object()
    assert filecache.cached("odd", "k", lambda: marker) is marker
    assert not (tmp_path / "odd" / "k.json").exists()


def test_an_unwritable_cache_is_skipped_not_fatal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(filecache.CACHE_ENV, str(blocker))
    assert filecache.cached("peak", "k", lambda: [1, 2]) == [1, 2]
