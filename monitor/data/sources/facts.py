"""Facts: hand-entered figures no API carries, in one YAML file.

A customer-concentration percentage from a 10-Q, a GW commitment, a deal's
announcement date: each fact is typed once with where it comes from and when it
became public, so it is evaluated point in time like any series::

    facts:
      - series: customer_share_top2
        entity: NVDA
        value: 39
        period: 2025-07-27        # the date the figure is about
        published: 2025-08-27     # when it became public
        unit: "%"
        source: "NVIDIA 10-Q for the quarter ended 2025-07-27"
        note: optional free text

Every problem in the file (a missing key, an unknown key, a bad date) is reported at
once with ``file:line:col``; a fact that fails the observation checks (published before
its period) is quarantined with its line, like a bad CSV row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from monitor.core.errors import SourceError, YamlSyntaxError
from monitor.core.problems import Problems
from monitor.core.yamlio import key_position, load_file, node_position, value_position
from monitor.data.observations import ValidatedObservations, empty_frame, validate
from monitor.data.sources.base import SeriesInfo

REQUIRED = ("series", "entity", "value", "period", "published", "unit", "source")
KEYS = {*REQUIRED, "note"}


class FactsSource:
    """A YAML file of facts as a :class:`~monitor.data.sources.base.Source`."""

    def __init__(self, path: Path, name: str = "facts") -> None:
        self.path = Path(path)
        self.name = name

    def _facts(self) -> tuple[list[dict[str, Any]], list[int]]:
        file = str(self.path)
        try:
            node = load_file(self.path)
        except YamlSyntaxError as exc:
            raise SourceError(str(exc)) from None
        except OSError as exc:
            raise SourceError(f"{file}: cannot read ({exc.strerror})") from None
        problems = Problems()
        facts = node.get("facts") if isinstance(node, dict) else None
        if not isinstance(facts, list):
            where = node_position(node, file)
            problems.add(where, "a facts file is a mapping with a list under 'facts'")
            problems.raise_if_any(lambda m: SourceError("\n".join(m)))
        out, lines = [], []
        for index, fact in enumerate(facts or []):
            where = value_position(facts, index, file)
            if not isinstance(fact, dict):
                problems.add(where, "a fact is a mapping of series, entity, value, ...")
                continue
            for key in fact:
                if str(key) not in KEYS:
                    problems.add(key_position(fact, key, file), f"unknown key {key!r}")
            for key in REQUIRED:
                if fact.get(key) in (None, ""):
                    problems.add(where, f"fact needs {key!r}")
            for key in ("period", "published"):
                if fact.get(key) not in (None, "") and _date(fact[key]) is None:
                    problems.add(value_position(fact, key, file), f"{key} must be an ISO date")
            value = fact.get("value")
            if value is not None and (isinstance(value, bool) or not _is_number(value)):
                problems.add(value_position(fact, "value", file), "value must be a number")
            out.append({k: fact.get(k) for k in KEYS})
            lines.append(where.line)
        problems.raise_if_any(lambda m: SourceError("\n".join(m)))
        return out, lines

    def fetch(self, since: pd.Timestamp | None = None) -> ValidatedObservations:
        facts, lines = self._facts()
        if not facts:
            return ValidatedObservations(empty_frame())
        raw = pd.DataFrame(
            {
                "series": [str(f["series"]) for f in facts],
                "entity": [str(f["entity"]) for f in facts],
                "date": [str(f["period"]) for f in facts],
                "value": [str(f["value"]) for f in facts],
                "published": [str(f["published"]) for f in facts],
                "unit": [str(f["unit"]) for f in facts],
                "source": [str(f["source"]) for f in facts],
                "note": [str(f["note"] or "") for f in facts],
            },
            index=lines,  # problems point at the fact's line in the file
        )
        if since is not None:
            raw = raw[pd.to_datetime(raw["date"]) >= since]
        return validate(raw, str(self.path), first_line=0)

    def describe(self) -> list[SeriesInfo]:
        facts, _ = self._facts()
        seen: dict[str, SeriesInfo] = {}
        for fact in facts:
            series = str(fact["series"])
            seen.setdefault(
                series,
                SeriesInfo(series, series, series, str(fact["unit"]), "event", str(fact["source"])),
            )
        return list(seen.values())


def _date(value: Any) -> pd.Timestamp | None:
    try:
        stamp = pd.Timestamp(str(value))
    except (ValueError, TypeError):
        return None
    return None if pd.isna(stamp) else stamp


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True
