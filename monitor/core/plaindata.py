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
