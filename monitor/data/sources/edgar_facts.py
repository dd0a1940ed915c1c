"""SEC companyfacts JSON turned into vintaged observation rows (no network here).

A companyfacts document holds, per us-gaap tag and unit, every fact of every filing:
``{start?, end, val, accn, fy, fp, form, filed, frame?}``. A 10-K repeats the prior
years as comparatives and a 10-Q repeats the prior year-end balance, so one period
appears in many filings. The rules, in order:

1. **Tags.** Within each filing (accession) and period, the first tag of the input's
   chain that the filing reports wins. Another filing may use another tag for the same
   period (a company switching to the ASC 606 revenue tag restates old years under
   it); its pick is just another vintage of that period.
2. **Periods.** A duration fact is a quarter (80-100 days: 13 or 14 weeks), a fiscal
   year (350-380 days: 52 or 53 weeks) or a year-to-date figure (6 or 9 months, as
   10-Qs carry beside the quarter); a ``frame`` (``CY2020Q3``, ``CY2020``), where SEC
   set one, decides. Year-to-date figures are not emitted. An instant fact (a balance)
   counts only at the end of a quarter or fiscal year the document reports a flow for.
3. **Series.** Fiscal years (and balances at a fiscal year end) go to the input's own
   series, e.g. ``revenue``; three-month figures and every quarter-end balance go to
   its ``quarterly`` series, e.g. ``revenue_quarterly``. ``date`` is the period's end.
4. **Vintages.** ``filed`` becomes ``published``; a period's facts ordered by filing
   date form its vintages, and a vintage is kept only where the value changed (a fact
   repeated by later filings adds nothing; a restated value is a new vintage). Two
   filings on one day with different values: the later one in the document counts.
5. **Fourth quarters.** Companies rarely tag Q4: it sits in the 10-K only as the year.
   Where the document has no three-month figure for it, Q4 is derived as the fiscal
   year minus its three quarters, but only when all three are present and contiguous
   (Q1 starts on the year's first day, each quarter starts the day after the previous
   one ends) and what is left of the year is a quarter's length; otherwise it stays a
   gap. Each derived vintage is dated on the day the last of its parts, as then
   known, was filed.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd

from monitor.core.errors import SourceError
from monitor.data.sources.edgar_mapping import TagChain

QUARTER_DAYS = (80, 100)
YEAR_DAYS = (350, 380)
QUARTER_FRAME = re.compile(r"^CY\d{4}Q[1-4]\Z")
YEAR_FRAME = re.compile(r"^CY\d{4}\Z")
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Fact:
    """One us-gaap USD fact of one filing."""

    tag: str
    start: date | None
    end: date
    value: float
    accn: str
    filed: date
    form: str
    fy: str
    fp: str
    frame: str
    order: int  # position in the document, to break ties between same-day filings

    @property
    def period(self) -> tuple[date | None, date]:
        return (self.start, self.end)

    def length(self) -> str:
        """``year``, ``quarter``, ``ytd`` (or another span) or ``instant``."""
        if self.start is None:
            return "instant"
        if QUARTER_FRAME.match(self.frame):
            return "quarter"
        if YEAR_FRAME.match(self.frame):
            return "year"
        days = (self.end - self.start).days + 1
        if QUARTER_DAYS[0] <= days <= QUARTER_DAYS[1]:
            return "quarter"
        if YEAR_DAYS[0] <= days <= YEAR_DAYS[1]:
            return "year"
        return "ytd"


@dataclass(frozen=True)
class Vintage:
    """One value of one period as known from ``published`` on."""

    series: str
    start: date | None
    end: date
    value: float  # USD
    published: date
    note: str


def _day(text: Any, where: str) -> date:
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        raise SourceError(f"{where}: {text!r} is not an ISO date") from None


def usd_facts(document: Mapping[str, Any], origin: str) -> dict[str, list[Fact]]:
    """Every us-gaap fact in USD, per tag; a malformed fact names its tag and place."""
    facts = document.get("facts") if isinstance(document, Mapping) else None
    if not isinstance(facts, Mapping):
        raise SourceError(f"{origin}: not a companyfacts answer (no 'facts')")
    gaap = facts.get("us-gaap") or {}
    out: dict[str, list[Fact]] = {}
    order = 0
    for tag, concept in gaap.items():
        rows = (concept or {}).get("units", {}).get("USD", [])
        for i, row in enumerate(rows):
            where = f"{origin}: us-gaap:{tag} USD #{i + 1}"
            try:
                value = float(row["val"])
                fact = Fact(
                    tag=str(tag),
                    start=_day(row["start"], where) if row.get("start") else None,
                    end=_day(row["end"], where),
                    value=value,
                    accn=str(row["accn"]),
                    filed=_day(row["filed"], where),
                    form=str(row.get("form", "")),
                    fy=str(row.get("fy", "")),
                    fp=str(row.get("fp", "")),
                    frame=str(row.get("frame", "")),
                    order=order,
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise SourceError(f"{where}: malformed fact ({exc})") from None
            if math.isfinite(value):
                out.setdefault(str(tag), []).append(fact)
            order += 1
    return out


def period_ends(facts: Mapping[str, list[Fact]]) -> tuple[set[date], set[date]]:
    """The ends of the quarters and of the fiscal years the document reports flows for."""
    quarters: set[date] = set()
    years: set[date] = set()
    for rows in facts.values():
        for fact in rows:
            length = fact.length()
            if length == "quarter":
                quarters.add(fact.end)
            elif length == "year":
                years.add(fact.end)
    return quarters, years


def _picked(chain: TagChain, facts: Mapping[str, list[Fact]]) -> list[Fact]:
    """Per filing and period, the fact of the first tag in the chain that has one."""
    best: dict[tuple[str, date | None, date], tuple[int, Fact]] = {}
    wanted_start = chain.kind == "duration"
    for rank, tag in enumerate(chain.tags):
        for fact in facts.get(tag, []):
            if (fact.start is not None) != wanted_start:
                continue
            key = (fact.accn, *fact.period)
            if key not in best or rank < best[key][0]:
                best[key] = (rank, fact)
    return sorted((f for _, f in best.values()), key=lambda f: (f.filed, f.order))


def _note(fact: Fact) -> str:
    span = f"{fact.start}..{fact.end}" if fact.start else f"at {fact.end}"
    return f"us-gaap:{fact.tag} {span}, {fact.form} accn {fact.accn} (fy {fact.fy} {fact.fp})"


def _changes(rows: Iterable[Vintage]) -> list[Vintage]:
    """One period's vintages: the last of each filing day, then only the changes."""
    by_day: dict[date, Vintage] = {}
    for row in rows:  # in filing order: a later same-day row replaces an earlier one
        by_day[row.published] = row
    kept: list[Vintage] = []
    for day in sorted(by_day):
        row = by_day[day]
        if kept and math.isclose(kept[-1].value, row.value, rel_tol=1e-12, abs_tol=0.0):
            continue
        kept.append(row)
    return kept


def chain_vintages(chain: TagChain, facts: Mapping[str, list[Fact]]) -> list[Vintage]:
    """The vintages of one input's series (and its quarterly series) from a document."""
    quarter_ends, year_ends = period_ends(facts)
    periods: dict[tuple[str, date | None, date], list[Vintage]] = defaultdict(list)
    for fact in _picked(chain, facts):
        length = fact.length()
        targets: list[str] = []
        if length == "year":
            targets = [chain.series]
        elif length == "quarter" and chain.quarterly:
            targets = [chain.quarterly]
        elif length == "instant":
            if fact.end in year_ends:
                targets.append(chain.series)
            if chain.quarterly and (fact.end in quarter_ends or fact.end in year_ends):
                targets.append(chain.quarterly)
        for series in targets:
            row = Vintage(series, fact.start, fact.end, fact.value, fact.filed, _note(fact))
            periods[(series, fact.start, fact.end)].append(row)
    kept = {key: _changes(rows) for key, rows in periods.items()}
    if chain.kind == "duration" and chain.quarterly:
        kept.update(_fourth_quarters(chain, kept))
    return [row for key in sorted(kept, key=_sort_key) for row in kept[key]]


def _sort_key(key: tuple[str, date | None, date]) -> tuple[str, date, date]:
    return (key[0], key[2], key[1] or key[2])


def _fourth_quarters(
    chain: TagChain, kept: Mapping[tuple[str, date | None, date], list[Vintage]]
) -> dict[tuple[str, date | None, date], list[Vintage]]:
    """Q4 = fiscal year - Q1 - Q2 - Q3 where the document has no Q4 figure of its own."""
    quarterly = str(chain.quarterly)
    quarters = {(s, e): rows for (series, s, e), rows in kept.items() if series == quarterly}
    by_start = {s: (s, e) for s, e in quarters}
    ends = {e for _, e in quarters}
    out: dict[tuple[str, date | None, date], list[Vintage]] = {}
    for (series, start, end), year in kept.items():
        if series != chain.series or start is None or end in ends:
            continue
        parts, cursor = [], start
        for _ in range(3):
            period = by_start.get(cursor)
            if period is None:
                break
            parts.append(quarters[period])
            cursor = period[1] + ONE_DAY
        remainder = (end - cursor).days + 1
        if len(parts) < 3 or not QUARTER_DAYS[0] <= remainder <= QUARTER_DAYS[1]:
            continue  # a quarter missing, not contiguous, or no quarter left: a gap
        rows = _derived(quarterly, cursor, end, year, parts)
        if rows:
            out[(quarterly, cursor, end)] = rows
    return out


def _derived(
    series: str,
    start: date,
    end: date,
    year: list[Vintage],
    parts: list[list[Vintage]],
) -> list[Vintage]:
    days = sorted({v.published for v in year} | {v.published for p in parts for v in p})
    rows = []
    for day in days:
        known = [[v for v in vintages if v.published <= day] for vintages in (year, *parts)]
        if not all(known):
            continue
        latest = [vintages[-1] for vintages in known]
        value = latest[0].value - sum(v.value for v in latest[1:])
        note = (
            f"derived: fiscal year {year[0].start}..{end} minus its three quarters "
            f"(year from {latest[0].note.split(', ', 1)[-1]})"
        )
        rows.append(Vintage(series, start, end, value, day, note))
    return _changes(rows)


def observation_rows(
    vintages: Iterable[Vintage],
    entity: str,
    chain: TagChain,
    source: str,
    since: pd.Timestamp | None = None,
) -> list[dict[str, str]]:
    """Raw observation rows (strings, validated by the caller) in ``chain.unit``."""
    out = []
    for v in vintages:
        if since is not None and pd.Timestamp(v.end) < since:
            continue
        out.append(
            {
                "series": v.series,
                "entity": entity,
                "date": v.end.isoformat(),
                "value": repr(v.value / chain.divisor),
                "published": v.published.isoformat(),
                "unit": chain.unit,
                "source": source,
                "note": v.note,
            }
        )
    return out
