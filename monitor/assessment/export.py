"""Data to take away: every alert and indicator value of a report as CSV.

One row per rule and entity at the as-of date (state, value, unit, threshold, score
points), so a desk can filter and sort what the report shows. Text cells that a
spreadsheet would read as a formula (``=``, ``+``, ``-``, ``@``, tab, CR) are prefixed
with ``'``: a rule title or entity name from a file must never run in Excel.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from monitor.assessment.model import Assessment

COLUMNS = (
    "as_of",
    "case",
    "rule",
    "title",
    "stage",
    "counter",
    "indicator",
    "measure",
    "entity",
    "entity_name",
    "state",
    "value",
    "unit",
    "comparator",
    "threshold",
    "since",
    "rule_points",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    if value is None:
        return ""
    return value


def alerts_csv(a: Assessment) -> str:
    """Every (rule, entity) of the assessment with its state and value, as CSV text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in a.rules:
        rows: list[tuple[str | None, str | None, str, float | None, str | None]] = [
            (e.entity, e.name, e.state, e.value, e.since) for e in r.entities
        ] or [(None, None, r.state, r.value, r.since)]
        for entity, name, state, value, since in rows:
            record = (
                a.as_of,
                a.case,
                r.id,
                r.title,
                r.stage,
                r.counter,
                r.indicator,
                r.measure,
                entity,
                name,
                state,
                value,
                r.unit,
                r.comparator,
                r.threshold,
                since,
                r.contribution,
            )
            writer.writerow([_cell(v) for v in record])
    return buffer.getvalue()
