"""The source report's own figures for the period, redrawn from the bundled data.

Its figure 2 (Fed funds with the ISM PMI) and figures 4-10 (Lucent's vendor financing
and its three reserves, in dollars and as shares of revenue). Ratios to revenue are
computed from their bundled parts where both are bundled, and the report's quoted
ratio sits beside each, so a reader can see that the two agree. Nothing is filled in:
Lucent's FY2000 revenue is only implied by the report, so FY2000 has no computed ratio.
Only rows published by the backtest's last step are used.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from monitor.core.plaindata import iso_date, number
from monitor.data.case import Case

# (series of the amount, series of the report's own ratio to revenue, label)
LUCENT_ITEMS = (
    ("vendor_financing_drawn", "vendor_financing_drawn_pct_revenue", "Vendor financing drawn"),
    ("bad_debt_reserve", "bad_debt_reserve_pct_revenue", "Bad-debt reserve"),
    ("inventory_reserve", "inventory_reserve_pct_revenue", "Inventory reserve"),
    ("receivables_reserve", "receivables_reserve_pct_revenue", "Receivables reserve"),
    ("reserves_total", "reserves_total_pct_revenue", "Sum of the three reserves"),
)


def _visible(case: Case, at: pd.Timestamp) -> pd.DataFrame:
    frame = case.observations
    return frame[frame["published"] <= at]


def _points(frame: pd.DataFrame, series: str, entity: str) -> list[dict[str, Any]]:
    rows = frame[(frame["series"] == series) & (frame["entity"] == entity)]
    rows = rows.sort_values(["date", "published"]).drop_duplicates("date", keep="last")
    return [
        {"date": iso_date(d), "value": number(v)}
        for d, v in zip(rows["date"], rows["value"], strict=True)
    ]


def fed_and_pmi(case: Case, at: pd.Timestamp) -> dict[str, Any] | None:
    """Effective Fed funds (monthly average) and the ISM PMI, when the case has both."""
    frame = _visible(case, at)
    fed = _points(frame, "fed_funds_effective", "US")
    pmi = _points(frame, "ism_pmi", "US")
    if not fed or not pmi:
        return None
    return {
        "fed": fed,
        "pmi": pmi,
        "fed_source": _source(frame, "fed_funds_effective"),
        "pmi_source": _source(frame, "ism_pmi"),
    }


def _source(frame: pd.DataFrame, series: str) -> str:
    rows = frame[frame["series"] == series]
    return "" if rows.empty else str(rows["source"].iloc[-1])


def _latest(frame: pd.DataFrame, series: str, entity: str) -> dict[pd.Timestamp, tuple]:
    rows = frame[(frame["series"] == series) & (frame["entity"] == entity)]
    rows = rows.sort_values(["date", "published"]).drop_duplicates("date", keep="last")
    return {
        pd.Timestamp(d): (float(v), pd.Timestamp(p), str(s))
        for d, v, p, s in zip(
            rows["date"], rows["value"], rows["published"], rows["source"], strict=True
        )
    }


def lucent_reserves(case: Case, at: pd.Timestamp, entity: str = "LU") -> dict[str, Any] | None:
    """Per fiscal year: each amount, its computed share of revenue and the report's share."""
    frame = _visible(case, at)
    revenue = _latest(frame, "revenue", entity)
    items = []
    years: set[pd.Timestamp] = set(revenue)
    for amount_series, ratio_series, label in LUCENT_ITEMS:
        amounts = _latest(frame, amount_series, entity)
        quoted = _latest(frame, ratio_series, entity)
        years |= set(amounts) | set(quoted)
        items.append((amount_series, label, amounts, quoted))
    if not any(amounts for _, _, amounts, _ in items):
        return None
    fiscal = sorted(years)
    rows = []
    for amount_series, label, amounts, quoted in items:
        cells = []
        for year in fiscal:
            amount = amounts.get(year)
            base = revenue.get(year)
            computed = None
            if amount is not None and base is not None and base[0] > 0:
                computed = round(amount[0] / base[0] * 100.0, 1)
            known = max([x[1] for x in (amount, base) if x is not None], default=None)
            cells.append(
                {
                    "fiscal_year": f"FY{year.year}",
                    "amount": None if amount is None else amount[0],
                    "computed_pct": computed,
                    "report_pct": None if year not in quoted else quoted[year][0],
                    "known_from": iso_date(known),
                }
            )
        rows.append({"series": amount_series, "label": label, "cells": cells})
    return {
        "entity": entity,
        "fiscal_years": [f"FY{y.year}" for y in fiscal],
        "revenue": [
            {
                "fiscal_year": f"FY{y.year}",
                "value": None if y not in revenue else revenue[y][0],
                "published": None if y not in revenue else iso_date(revenue[y][1]),
                "source": None if y not in revenue else revenue[y][2],
            }
            for y in fiscal
        ],
        "items": rows,
    }
