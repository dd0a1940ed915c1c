"""Durations (``12mo``, ``4q``, ``90d``): parsing, lengths and calendar offsets."""

from __future__ import annotations

import pandas as pd
import pytest

from monitor.core.durations import Duration, parse_duration


@pytest.mark.parametrize(
    ("text", "amount", "unit", "months", "days"),
    [
        ("12mo", 12, "mo", 12, 12 * 30.4375),
        ("1y", 1, "y", 12, 12 * 30.4375),
        ("4q", 4, "q", 12, 12 * 30.4375),
        ("90d", 90, "d", None, 90),
        ("2w", 2, "w", None, 14),
    ],
)
def test_parse_duration(text: str, amount: float, unit: str, months, days: float) -> None:
    duration = parse_duration(text)
    assert duration == Duration(amount, unit)
    assert duration.months == months
    assert duration.days == pytest.approx(days)
    assert str(duration) == text


def test_calendar_duration_offsets_are_calendar_months() -> None:
    assert pd.Timestamp("2021-03-31") - parse_duration("12mo").offset() == pd.Timestamp(
        "2020-03-31"
    )
    assert pd.Timestamp("2021-05-31") - parse_duration("1q").offset() == pd.Timestamp("2021-02-28")
    with pytest.raises(ValueError, match="invalid duration"):
        parse_duration("3 months")
