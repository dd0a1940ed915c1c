"""Sanity bounds shared by every door that takes numbers or text from outside.

One place so the rule files, the data files and the config agree on what is absurd.
"""

from __future__ import annotations

import math

MAX_MAGNITUDE = 1e15
"""The largest magnitude a rule literal, weight, precedent or observation may have.

The largest figures the monitor handles are market capitalisations and debt in
dollars: the whole world's equity market is about 1.2e14 USD, so 1e15 leaves room for
any honest figure in any currency unit used here, while values near float's limit
(1e308) make the charts' axis scaling fail ("Singular matrix") and sums overflow.
"""

SHOWN_BAD_ROWS = 20
"""Quarantined rows listed in full on the terminal and in the report; the rest are
counted, and every one is in the ``.quarantine.csv`` published beside the report."""

HISTORY_ENTITIES = 25
"""Entities whose month-end history a rule's assessment keeps (the lead and the most
serious first). A universe of thousands would otherwise carry a history per entity
(millions of points) that no chart draws; every entity's current reading stays in the
rule's ``entities``."""

MAX_FIELD_CHARS = 128 * 1024
"""The longest single CSV field accepted (Python's csv default); longer is quarantined."""


def finite_number(value: object) -> float | None:
    """``value`` as a float when it is a real, finite number within MAX_MAGNITUDE.

    ``None`` for booleans, non-numbers, NaN, infinities and absurd magnitudes (a
    400-digit integer included: it is compared before any conversion can overflow).
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, int):
        return float(value) if abs(value) <= MAX_MAGNITUDE else None
    if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
        return None
    return float(value)
