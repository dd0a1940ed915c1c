"""Today against 2000: the brief's analogies, side by side, computed from the data.

The brief compares today's AI ecosystem with the telecom bust on a few figures
(NVIDIA's top-customer share against Lucent's, circular financing against vendor
financing, OpenAI's capex/revenue against the CLECs', GPU utilisation against lit
fiber). Hand-written text would go stale and could drift from the data, so each
analogy is declared here as *where to read* each side, and the figures are read from
the assessed case (point in time, today) and the bundled ``telecom-2000`` case (2000).

A figure the bundled data lacks (lit fiber in 2002) is taken from the precedent of
the rule that encodes it and labelled as a figure from the brief, never as data.
Ranges stay ranges (GPU utilisation 50-70%, AMD's warrant $30-40 bn).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from monitor.core import filecache
from monitor.core.fingerprint import Fingerprint
from monitor.core.plaindata import iso_date, number
from monitor.data.case import Case, load_case, resolve
from monitor.engine.timeline import compute_indicators
from monitor.indicator.identity import add_registry
from monitor.indicator.registry import Registry

PRECEDENT_CASE = "telecom-2000"
_CACHE: dict[tuple[Any, ...], Case] = {}


def precedent_case(name: str = PRECEDENT_CASE) -> Case:
    """The 2000 case, loaded once per process while its files are unchanged.

    A scheduler renders a report every run; re-validating the same 1990s data each
    time would double the cost of a run for nothing.
    """

    folder = resolve(name)
    key = (str(folder), *sorted((p.name, p.stat().st_mtime_ns) for p in folder.iterdir()))
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = load_case(name)
    return _CACHE[key]


@dataclass(frozen=True)
class Side:
    """Where one side of an analogy is read from."""

    label: str
    entity: str
    indicator: str | None = None  # an indicator computed by its plugin
    series: str | None = None  # or a raw observation series
    date: str | None = None  # the period to read; None = the latest known at as-of
    range_series: tuple[str, str] | None = None  # low/high series giving a range
    detail: str | None = None  # format string over the indicator row's extra columns
    rule_precedent: str | None = None  # the brief's figure, from this rule's precedent


@dataclass(frozen=True)
class Analogy:
    id: str
    title: str
    why: str
    today: tuple[Side, ...]
    then: Side


ANALOGIES: tuple[Analogy, ...] = (
    Analogy(
        "concentration",
        "Top-customer share of revenue",
        "A vendor whose revenue rests on a few buyers falls with them (similarity 3).",
        (Side("NVIDIA", "NVDA", indicator="customer_concentration", detail="top {top_n:.0f}"),),
        Side(
            "Lucent, FY1999",
            "LU",
            indicator="customer_concentration",
            date="1999-09-30",
            detail="top {top_n:.0f}",
        ),
    ),
    Analogy(
        "financing",
        "Circular financing against vendor financing",
        "Money lent or invested by a vendor returns to it as orders (similarity 2).",
        (
            Side(
                "NVIDIA, commitments to OpenAI and CoreWeave",
                "NVDA",
                indicator="circular_financing",
            ),
            Side(
                "AMD, warrants granted to OpenAI",
                "AMD",
                indicator="circular_financing",
                range_series=("circular_financing_low", "circular_financing_high"),
            ),
        ),
        Side(
            "Lucent, vendor financing committed, FY1999",
            "LU",
            series="vendor_financing_committed",
            date="1999-09-30",
        ),
    ),
    Analogy(
        "capex",
        "Buyers' capex against their revenue",
        "Extreme expectations: buyers spend a multiple of what they earn (similarity 1).",
        (
            Side(
                "OpenAI, planned capex per year / expected revenue",
                "OPENAI",
                indicator="capex_to_revenue",
            ),
        ),
        Side("CLECs (aggregate), 1999", "CLEC", indicator="capex_to_revenue", date="1999-12-31"),
    ),
    Analogy(
        "utilisation",
        "GPU utilisation against lit fiber",
        'No "dark GPUs": the capacity built today is being used (reason for optimism 4).',
        (Side("Data-centre GPUs (estimate)", "MARKET", indicator="gpu_utilization"),),
        Side("US fiber lit in 2002", "US", rule_precedent="gpu-utilization-high"),
    ),
)


def _empty(side: Side) -> dict[str, Any]:
    return {
        "label": side.label,
        "entity": side.entity,
        "value": None,
        "low": None,
        "high": None,
        "unit": "",
        "date": None,
        "published": None,
        "detail": None,
        "source": "",
        "basis": "",
    }


def _sources(frame: pd.DataFrame, series: tuple[str, ...], entity: str) -> str:
    rows = frame[frame["series"].isin(series) & (frame["entity"] == entity)]
    return "; ".join(dict.fromkeys(str(s) for s in rows["source"]))


def _rows(frame: pd.DataFrame, series: str, entity: str) -> pd.DataFrame:
    return frame[(frame["series"] == series) & (frame["entity"] == entity)]


def _pick(rows: pd.DataFrame, date: str | None) -> pd.Series | None:
    if date is not None:
        rows = rows[rows["date"] == pd.Timestamp(date)]
    if rows.empty:
        return None
    return rows.sort_values(["date", "published"]).iloc[-1]


def _read(
    side: Side,
    observations: pd.DataFrame,
    frames: dict[str, pd.DataFrame],
    registry: Registry,
    precedents: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    out = _empty(side)
    if side.rule_precedent is not None:
        precedent = precedents.get(side.rule_precedent)
        if precedent is None:
            return out
        out.update(
            value=number(precedent.get("value"), 4),
            low=number(precedent.get("low"), 4),
            high=number(precedent.get("high"), 4),
            date=precedent.get("date"),
            detail=precedent.get("note"),
            unit=precedent.get("unit", ""),
            source=f"the brief, via the precedent of rule {side.rule_precedent}",
            basis="brief",
        )
        return out
    if side.indicator is not None:
        frame = frames.get(side.indicator)
        if frame is None:
            return out
        row = _pick(frame[frame["entity"] == side.entity], side.date)
        if row is None:
            return out
        plugin = registry.get(side.indicator)
        out.update(unit=plugin.unit, source=_sources(observations, plugin.inputs, side.entity))
        out["basis"] = f"indicator {side.indicator}"
        if "low" in row.index and "high" in row.index:
            out.update(low=number(row["low"], 4), high=number(row["high"], 4))
        if side.detail is not None:
            try:
                out["detail"] = side.detail.format(**row.to_dict())
            except (KeyError, ValueError, TypeError):
                out["detail"] = None
    else:
        series = str(side.series)
        row = _pick(_rows(observations, series, side.entity), side.date)
        if row is None:
            return out
        out.update(unit=str(row["unit"]), source=str(row["source"]), basis=f"series {series}")
    out.update(
        value=number(row["value"], 4),
        date=iso_date(row["date"]),
        published=iso_date(row["published"]),
    )
    if side.range_series is not None:
        bounds = []
        for name in side.range_series:
            picked = _pick(_rows(observations, name, side.entity), side.date)
            bounds.append(None if picked is None else number(picked["value"], 4))
        if None not in bounds:
            out.update(low=bounds[0], high=bounds[1])
    return out


def build(
    case: Case,
    as_of: pd.Timestamp,
    registry: Registry,
    precedents: dict[str, dict[str, Any]],
    then: Case | None = None,
) -> list[dict[str, Any]]:
    """Every analogy with at least one reading today; empty for a case without them.

    ``precedents`` maps rule id -> its precedent (with ``unit``); the 2000 side comes
    from ``then`` (the bundled telecom-2000 case unless given).
    """
    today_obs = case.observations[case.observations["published"] <= as_of]
    names = {s.indicator for a in ANALOGIES for s in (*a.today, a.then) if s.indicator}
    known = set(registry.names())
    today_frames, _ = compute_indicators(today_obs, registry, names & known)
    if not any(
        _read(s, today_obs, today_frames, registry, precedents)["value"] is not None
        for a in ANALOGIES
        for s in a.today
    ):
        return []
    readings = then_readings(registry, precedents, names & known, then)
    out = []
    for analogy in ANALOGIES:
        today = [_read(s, today_obs, today_frames, registry, precedents) for s in analogy.today]
        if all(t["value"] is None for t in today):
            continue
        reading = readings[analogy.id]
        out.append(
            {
                "id": analogy.id,
                "title": analogy.title,
                "why": analogy.why,
                "today": today,
                "then": reading,
            }
        )
    return out


def then_readings(
    registry: Registry,
    precedents: dict[str, dict[str, Any]],
    names: set[str],
    then: Case | None = None,
) -> dict[str, dict[str, Any]]:
    """The 2000 side of every analogy, by analogy id.

    Read from the bundled 2000 case, these change only with its files, the indicators
    and the rules' precedents, so they are kept in the file cache (``MONITOR_CACHE_DIR``)
    under a fingerprint of all three: a run with a warm cache loads no 2000 data at all.
    """

    def compute() -> dict[str, dict[str, Any]]:
        then_case = then or precedent_case()
        observations = then_case.observations
        frames, _ = compute_indicators(observations, registry, names)
        return {a.id: _read(a.then, observations, frames, registry, precedents) for a in ANALOGIES}

    if then is not None:
        return compute()
    digest = Fingerprint().add_value("kind", "analogies-then-v1")
    digest.add_folder(resolve(PRECEDENT_CASE))
    add_registry(digest, registry)
    digest.add_value("precedents", precedents).add_value("names", sorted(names))
    digest.add_value("analogies", [repr(a.then) for a in ANALOGIES])
    readings: dict[str, dict[str, Any]] = filecache.cached("analogies", digest.hexdigest(), compute)
    return readings
