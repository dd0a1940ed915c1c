"""Checking a plugin's output, so one faulty plugin cannot poison an evaluation."""

from __future__ import annotations

import pandas as pd

from monitor.core.errors import IndicatorError
from monitor.indicator.base import OUTPUT_COLUMNS, Indicator


def validate_output(indicator: Indicator, frame: pd.DataFrame) -> pd.DataFrame:
    """Check a plugin's output so one faulty plugin cannot poison an evaluation."""
    if not isinstance(frame, pd.DataFrame):
        raise IndicatorError(f"indicator {indicator.name!r} returned {type(frame).__name__}")
    missing = [c for c in OUTPUT_COLUMNS if c not in frame.columns]
    if missing:
        raise IndicatorError(f"indicator {indicator.name!r} output lacks columns {missing}")
    out = frame.copy()
    try:
        out["value"] = out["value"].astype("float64")
        out["date"] = pd.to_datetime(out["date"]).astype("datetime64[us]")
        out["published"] = pd.to_datetime(out["published"]).astype("datetime64[us]")
        out["entity"] = out["entity"].astype("str")
    except (TypeError, ValueError) as exc:
        raise IndicatorError(f"indicator {indicator.name!r} output has bad types: {exc}") from exc
    if out["published"].isna().any() or out["date"].isna().any():
        raise IndicatorError(f"indicator {indicator.name!r} output has missing dates")
    out = out.dropna(subset=["value"])
    extra = [c for c in out.columns if c not in OUTPUT_COLUMNS]
    return (
        out[OUTPUT_COLUMNS + extra]
        .sort_values(["entity", "date", "published"])
        .reset_index(drop=True)
    )
