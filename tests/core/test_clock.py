"""The clock: MONITOR_TODAY pins today, so runs and tests can state a fixed day."""

from __future__ import annotations

import pandas as pd
import pytest

from monitor.core.clock import today
from monitor.core.errors import MonitorError


def test_pinned_day(monkeypatch):
    monkeypatch.setenv("MONITOR_TODAY", "2026-12-01")
    assert today() == pd.Timestamp("2026-12-01")


def test_a_bad_pin_names_the_variable(monkeypatch):
    monkeypatch.setenv("MONITOR_TODAY", "first of December")
    with pytest.raises(MonitorError, match="MONITOR_TODAY"):
        today()


def test_unpinned_is_a_midnight(monkeypatch):
    monkeypatch.delenv("MONITOR_TODAY", raising=False)
    assert today() == today().normalize()
