"""Synthetic but realistic panels for the engine benchmark, written as a case and rules.

``write_panel(folder, entities, months, rules, seed)`` writes ``case/`` (case.yaml and
one CSV per frequency) and ``rules/`` (one rule file), shaped like the bundled data:

- monthly series (a credit spread and a PMI) per entity, published 20-50 days after
  the month they are about, on varying days, with about 2% of months missing;
- a policy rate per entity that stands until changed (a few decisions a decade);
- annual receivables and their reserve at each fiscal year end, published 62 days
  later, with about 5% of years missing (so the reserve ratio has gaps);
- profit warnings as dated events (about one every three years per entity).

The rules cycle through the shapes the bundled rule files use: a level against a
threshold, ``change()`` on the period axis (monthly spreads, PMI) and on calendar
time (the policy rate), a compound condition, ``count()`` of events, an annual ratio,
with ``for`` and ``keep_firing_for`` set as the bundled rules set them. The numbers
are generated, not data: they exist only to time the engine.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SHAPES = [
    # (indicator, when (with {k} for the threshold variant), for, keep_firing_for)
    ("credit_spread", "value >= {level}", "0d", "0d"),
    ("credit_spread", "change(6mo) >= {bp}bp", "0d", "1mo"),
    ("pmi", "value < 50 and change(12mo) <= -{drop}", "1mo", "0d"),
    ("policy_rate", "change(12mo) >= {hike}bp", "0d", "6mo"),
    ("profit_warnings", "count(12mo) >= {count}", "0d", "0d"),
    ("receivables_reserve_ratio", "value >= {ratio}", "3mo", "0d"),
]
SERIES = {
    "hy_spread": ("monthly", "level", "%"),
    "ism_pmi": ("monthly", "level", "index"),
    "fed_funds_target": ("event", "level", "%"),
    "receivables_net": ("annual", "level", "$bn"),
    "receivables_reserve": ("annual", "level", "$bn"),
    "profit_warning": ("event", "event", "count"),
}
SOURCE = "synthetic (benchmarks/synthetic_panel.py)"


def shape_parameters(k: int) -> dict[str, float]:
    return {
        "level": 6 + k % 5,
        "bp": 50 + 25 * (k % 4),
        "drop": 2 + k % 3,
        "hike": 75 + 25 * (k % 3),
        "count": 1 + k % 2,
        "ratio": 8 + k % 4,
    }


def rule_specs(count: int) -> list[dict[str, str]]:
    specs = []
    for i in range(count):
        indicator, when, for_, keep = SHAPES[i % len(SHAPES)]
        k = i // len(SHAPES)
        specs.append(
            {
                "id": f"r{i:03d}-{indicator.replace('_', '-')}",
                "indicator": indicator,
                "when": when.format(**shape_parameters(k)),
                "for": for_,
                "keep_firing_for": keep,
            }
        )
    return specs


def _frame(series: str, entity: np.ndarray, date: np.ndarray, value: np.ndarray,
           published: np.ndarray) -> pd.DataFrame:  # fmt: skip
    unit = SERIES[series][2]
    return pd.DataFrame(
        {
            "series": series,
            "entity": entity,
            "date": pd.DatetimeIndex(date).strftime("%Y-%m-%d"),
            "value": np.round(value, 4),
            "published": pd.DatetimeIndex(published).strftime("%Y-%m-%d"),
            "unit": unit,
            "source": SOURCE,
        }
    )


def _monthly(rng: np.random.Generator, names: np.ndarray, months: pd.DatetimeIndex,
             series: str, start: float, spread: float) -> pd.DataFrame:  # fmt: skip
    n, t = len(names), len(months)
    steps = rng.normal(0.0, spread, size=(n, t))
    values = start + np.cumsum(steps, axis=1) * 0.3 + rng.normal(0.0, spread, size=(n, t))
    keep = rng.random((n, t)) > 0.02
    entity = np.repeat(names, t).reshape(n, t)[keep]
    date = np.broadcast_to(months.to_numpy(), (n, t))[keep]
    lag = rng.integers(20, 51, size=(n, t))[keep].astype("timedelta64[D]")
    published = (pd.DatetimeIndex(date) + pd.offsets.MonthBegin(1)).to_numpy() + lag
    return _frame(series, entity, date, values[keep], published)


def panel(entities: int, months: int, seed: int = 7) -> pd.DataFrame:
    """Every observation row of the panel (tidy, as the case CSVs hold them)."""
    rng = np.random.default_rng(seed)
    names = np.array([f"E{i:05d}" for i in range(entities)])
    month_index = pd.date_range("1990-01-01", periods=months, freq="MS", unit="us")
    end = month_index[-1] + pd.offsets.MonthEnd(1)
    frames = [
        _monthly(rng, names, month_index, "hy_spread", 5.0, 0.4),
        _monthly(rng, names, month_index, "ism_pmi", 52.0, 1.5),
    ]
    years = pd.date_range(month_index[0], end, freq="YE", unit="us")
    n, y = entities, len(years)
    receivables = rng.uniform(1.0, 20.0, size=(n, y))
    reserve = receivables * rng.uniform(0.01, 0.16, size=(n, y))
    keep = rng.random((n, y)) > 0.05
    entity = np.repeat(names, y).reshape(n, y)[keep]
    date = np.broadcast_to(years.to_numpy(), (n, y))[keep]
    published = date + np.timedelta64(62, "D")
    frames += [
        _frame("receivables_net", entity, date, receivables[keep], published),
        _frame("receivables_reserve", entity, date, reserve[keep], published),
    ]
    span_days = int((end - month_index[0]).days)
    decisions = rng.poisson(span_days / 365.25 * 0.6, size=n) + 1
    rows = []
    for name, count in zip(names, decisions, strict=True):
        days = np.sort(rng.choice(span_days, size=min(count, span_days), replace=False))
        days[0] = 0  # the rate in force from the start
        rates = np.clip(4.0 + np.cumsum(rng.choice([-0.5, -0.25, 0.25, 0.5], size=len(days))),
                        0.25, 9.0)  # fmt: skip
        when = month_index[0].to_numpy() + days.astype("timedelta64[D]")
        rows.append(_frame("fed_funds_target", np.full(len(days), name), when, rates, when))
    frames += rows
    warnings = rng.poisson(span_days / 365.25 / 3.0, size=n)
    entity = np.repeat(names, warnings)
    when = month_index[0].to_numpy() + rng.integers(0, span_days, size=len(entity)).astype(
        "timedelta64[D]"
    )
    warnings_frame = _frame("profit_warning", entity, when, np.ones(len(entity)), when)
    # two warnings of one company on one day would be one duplicated row
    frames.append(warnings_frame.drop_duplicates(["entity", "date"]))
    return pd.concat(frames, ignore_index=True)


def write_panel(folder: Path, entities: int, months: int, rules: int, seed: int = 7) -> Path:
    """Write ``folder/case`` and ``folder/rules``; return the folder."""
    case = folder / "case"
    rule_dir = folder / "rules"
    case.mkdir(parents=True, exist_ok=True)
    rule_dir.mkdir(parents=True, exist_ok=True)
    data = panel(entities, months, seed)
    files = []
    for frequency in ("monthly", "annual", "event"):
        names = [s for s, meta in SERIES.items() if meta[0] == frequency]
        rows = data[data["series"].isin(names)]
        file = f"{frequency}.csv"
        rows.to_csv(case / file, index=False)
        files.append(file)
    series_lines = "\n".join(
        f'  {s}: {{title: {s}, unit: "{unit}", frequency: {freq}, kind: {kind}}}'
        for s, (freq, kind, unit) in SERIES.items()
    )
    (case / "case.yaml").write_text(
        f"name: synthetic-{entities}x{months}\n"
        f"title: Synthetic panel ({entities} entities x {months} months, seed {seed})\n"
        f"files: [{', '.join(files)}]\n"
        f"series:\n{series_lines}\n",
        encoding="utf-8",
    )
    lines = ["stage: 1", "title: Synthetic rules (benchmark)", "activate: {min_firing: 2}",
             "rules:"]  # fmt: skip
    for spec in rule_specs(rules):
        lines += [
            f"  - id: {spec['id']}",
            f"    title: {spec['id']}",
            f"    indicator: {spec['indicator']}",
            f'    when: "{spec["when"]}"',
            f"    for: {spec['for']}",
            f"    keep_firing_for: {spec['keep_firing_for']}",
            "    severity: warning",
        ]
    (rule_dir / "synthetic.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder
