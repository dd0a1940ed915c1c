"""Data to take away: every alert and indicator value of a report as CSV.

One row per rule and entity at the as-of date (state, value, unit, threshold, score
points), so a desk can filter and sort what the report shows. Text cells that a
spreadsheet would read as a formula are defused (``monitor.core.spreadsheet``): a rule
title or entity name from a file must never run in Excel.
"""

from __future__ import annotations

from typing import Any

from monitor.assessment.model import Assessment
from monitor.core.spreadsheet import csv_text

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


def alerts_csv(a: Assessment) -> str:
    """Every (rule, entity) of the assessment with its state and value, as CSV text."""
    records: list[tuple[Any, ...]] = []
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
            records.append(record)
    return csv_text(COLUMNS, records)


QUARANTINE_COLUMNS = ("file", "line", "column", "check", "value")


def quarantine_csv(quarantined: list[dict[str, Any]]) -> str:
    """Every quarantined row (the terminal and report show only the first few)."""
    return csv_text(
        QUARANTINE_COLUMNS, ([row[c] for c in QUARANTINE_COLUMNS] for row in quarantined)
    )
