"""Turning pandas and numpy scalars into plain JSON-ready values.

Assessments, histories and analogies are plain data (ISO dates, floats, ``None`` for
gaps) so templates and other tools never see pandas objects; one conversion here
keeps them all agreeing on what counts as a gap.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd


def number(value: Any, digits: int = 6) -> float | None:
    """A finite float rounded to ``digits``, or ``None`` for missing and infinite values."""
    if value is None or pd.isna(value):
        return None
    result = float(value)
    return round(result, digits) if math.isfinite(result) else None


def iso_date(value: Any) -> str | None:
    """``YYYY-MM-DD``, or ``None`` for a missing date."""
    if value is None or pd.isna(value):
        return None
    return str(pd.Timestamp(value).date().isoformat())


SIGNIFICANT_DIGITS = 12  # below the data's own precision, above binary float noise


def display_number(value: float) -> str:
    """A number as people wrote it: 1.13 - 0.13 shows as ``1``, 0.125 as ``0.125``.

    Rounding to twelve significant digits removes floating-point noise
    (0.9999999999999999) without hiding any digit a data file or a threshold carries.
    """
    text = f"{value:.{SIGNIFICANT_DIGITS}g}"
    if "e" in text:
        return text
    return text.rstrip("0").rstrip(".") if "." in text else text


def short_number(value: float | None) -> str:
    """A label value: two decimals below 10, one below 100, none from 100 (``n/a``)."""
    if value is None:
        return "n/a"
    digits = 2 if abs(value) < 10 else 1 if abs(value) < 100 else 0
    text = f"{value:,.{digits}f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return text if text not in ("-0", "") else "0"
