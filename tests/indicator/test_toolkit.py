"""The plugin toolkit: combined values are published when the later of their parts is."""

from __future__ import annotations

import pandas as pd

from monitor.indicator import combine


def frame_of(rows: list[tuple[str, str, float, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["entity", "date", "value", "published"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["published"] = pd.to_datetime(frame["published"])
    return frame


def test_combine_takes_later_published_either_way():
    left = frame_of(
        [("A", "2000-01-01", 2.0, "2000-03-01"), ("B", "2000-01-01", 3.0, "2000-01-15")]
    )
    right = frame_of(
        [("A", "2000-01-01", 4.0, "2000-02-01"), ("B", "2000-01-01", 6.0, "2000-04-01")]
    )
    out = combine(left, right, "ratio", scale=100.0).set_index("entity")
    assert out.loc["A", "value"] == 50 and out.loc["B", "value"] == 50
    assert out.loc["A", "published"] == pd.Timestamp("2000-03-01")
    assert out.loc["B", "published"] == pd.Timestamp("2000-04-01")
