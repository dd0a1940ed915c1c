"""Bundled macro figures against the real public series (FRED / ISM downloads).

The reference files live outside the project (``../shared/reference/``, or the folder
named by ``MONITOR_REFERENCE_DIR``) and are read here, never copied into the project.
A fresh clone does not have them, so the module skips with a reason.

Vintages: PMI and payrolls are revised after release. The bundled payrolls are a 2026
vintage of PAYEMS (case READMEs), the reference copy is an older one, so payroll
levels are compared with a tolerance; PMI re-adjustments only show from 2023 on.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from monitor.data.case import load_case


def _reference_dir() -> Path:
    env = os.environ.get("MONITOR_REFERENCE_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "shared" / "reference"


REFERENCE = _reference_dir()
if not (REFERENCE / "FEDFUNDS.csv").is_file():
    pytest.skip(
        f"reference series not available at {REFERENCE} (set MONITOR_REFERENCE_DIR to a folder "
        "with the raw FRED/ISM downloads); a fresh clone does not ship them",
        allow_module_level=True,
    )

TELECOM = ("1994-01-01", "2003-12-31")


def read_reference(name: str) -> pd.Series:
    """A raw download as a date-indexed float series; blank values (holidays) dropped."""
    path = REFERENCE / name
    if not path.is_file():
        pytest.skip(f"{name} not in {REFERENCE}")
    # raw FRED files: CRLF line ends, blank values on holidays, varying header names
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    date_col, value_col = frame.columns[:2]
    dates = pd.to_datetime(frame[date_col].str.strip(), format="ISO8601")
    values = pd.to_numeric(frame[value_col].str.strip().replace({"": None, ".": None}))
    series = pd.Series(values.to_numpy(dtype="float64"), index=dates, name=name).dropna()
    return series.sort_index()


def month_end_last(daily: pd.Series, weekdays_only: bool = False) -> pd.Series:
    """Last non-blank observation of each month, indexed by month (only complete months)."""
    if weekdays_only:
        daily = daily[daily.index.day_of_week < 5]
    months = daily.index.to_period("M")
    last = daily.groupby(months).tail(1)
    out = pd.Series(last.to_numpy(), index=last.index.to_period("M"))
    out.attrs["dates"] = pd.Series(last.index, index=out.index)
    # the reference's own last month may be incomplete
    end = daily.index.max()
    complete = out.index.to_timestamp(how="end").normalize() <= end
    return out[complete]


@pytest.fixture(scope="module")
def cases():
    return {name: load_case(name).observations for name in ("telecom-2000", "ai-cycle")}


def bundled(cases, case: str, series: str, window: tuple[str, str] | None = None) -> pd.Series:
    obs = cases[case]
    rows = obs[(obs["series"] == series) & (obs["entity"] == "US")]
    out = rows.set_index("date")["value"].sort_index()
    assert out.index.is_unique
    if window:
        out = out[window[0] : window[1]]
    assert not out.empty, f"{case} has no {series} rows"
    return out


def compare(ours: pd.Series, ref: pd.Series) -> pd.DataFrame:
    joined = pd.DataFrame({"bundled": ours, "reference": ref.reindex(ours.index)})
    return joined


# --- telecom-2000: exact matches ---------------------------------------------------


def test_fed_funds_effective_equals_fedfunds_1994_2003(cases):
    ours = bundled(cases, "telecom-2000", "fed_funds_effective", TELECOM)
    assert len(ours) == 120  # every month of 1994-2003
    j = compare(ours, read_reference("FEDFUNDS.csv"))
    assert j["reference"].notna().all()
    assert (j["bundled"] == j["reference"]).all(), j[j["bundled"] != j["reference"]]


def test_ism_pmi_equals_reference_1994_2003(cases):
    ours = bundled(cases, "telecom-2000", "ism_pmi", TELECOM)
    assert len(ours) == 120
    reference = read_reference("ISM_PMI.csv")
    # the bundle runs past the reference (to 2026-05): compare where the reference covers it
    j = compare(ours[ours.index <= reference.index.max()], reference)
    assert j["reference"].notna().all()
    assert (j["bundled"] == j["reference"]).all(), j[j["bundled"] != j["reference"]]


def check_nasdaq(ours: pd.Series) -> int:
    ref = month_end_last(read_reference("NASDAQCOM.csv"))
    months = ours.index.to_period("M")
    covered = months.isin(ref.index)
    assert covered.any()
    got = ours[covered]
    want = ref.reindex(months[covered])
    assert (got.to_numpy() == want.to_numpy()).all(), pd.DataFrame(
        {"bundled": got.to_numpy(), "reference": want.to_numpy()}, index=got.index
    )
    # dated on the last trading day of the month, not the calendar month end
    ref_dates = ref.attrs["dates"].reindex(months[covered])
    assert (got.index == pd.DatetimeIndex(ref_dates.to_numpy())).all()
    return int(covered.sum())


def test_nasdaq_month_end_is_last_trading_day_close(cases):
    ours = bundled(cases, "telecom-2000", "nasdaq_close", TELECOM)
    # 1994-2002 month ends plus 2003-12 (2003-01..11 left out on purpose, see case README)
    assert check_nasdaq(ours) == len(ours) == 9 * 12 + 1


def check_hy(ours: pd.Series) -> int:
    # The case README's convention: the last *weekday* observation of the month (ICE also
    # prints calendar-month-end values on weekends; those are not used). Where the month
    # ends on a weekday this is simply the last non-blank value of the month.
    ref = month_end_last(read_reference("BAMLH0A0HYM2.csv"), weekdays_only=True)
    months = ours.index.to_period("M")
    covered = months.isin(ref.index)
    assert covered.any()
    got = ours[covered]
    want = ref.reindex(months[covered])
    assert (got.to_numpy() == want.to_numpy()).all(), pd.DataFrame(
        {"bundled": got.to_numpy(), "reference": want.to_numpy()}, index=got.index
    )
    assert (got.index.day_of_week < 5).all()
    return int(covered.sum())


def test_hy_spread_month_end_matches_last_weekday_value(cases):
    ours = bundled(cases, "telecom-2000", "hy_spread", TELECOM)
    # the series starts at the end of 1996: 1997-2003 complete
    assert check_hy(ours) == len(ours) == 7 * 12


def test_hy_spread_equals_last_non_blank_value_where_month_ends_on_a_weekday(cases):
    ours = bundled(cases, "telecom-2000", "hy_spread", TELECOM)
    ref = month_end_last(read_reference("BAMLH0A0HYM2.csv"))
    last_dates = ref.attrs["dates"]
    weekday_months = last_dates[last_dates.dt.day_of_week < 5].index
    months = ours.index.to_period("M")
    sel = months.isin(weekday_months)
    assert sel.sum() > 50
    assert (ours[sel].to_numpy() == ref.reindex(months[sel]).to_numpy()).all()


def test_fed_funds_target_decisions_match_dfedtar_next_day(cases):
    ours = bundled(cases, "telecom-2000", "fed_funds_target", TELECOM)
    dfedtar = read_reference("DFEDTAR.csv")
    for date, value in ours.items():
        # decisions: FRED shows the new target from the day after the announcement;
        # the first row is the level in force on 1994-01-01, which holds the next day too
        next_day = dfedtar[dfedtar.index > date].iloc[0]
        assert value == next_day, f"{date.date()}: bundled {value}, DFEDTAR next day {next_day}"


def test_every_dfedtar_change_1994_2003_has_a_decision_row(cases):
    ours = bundled(cases, "telecom-2000", "fed_funds_target", TELECOM)
    dfedtar = read_reference("DFEDTAR.csv")["1993-12-31":"2003-12-31"]
    changes = dfedtar[dfedtar.diff() != 0].iloc[1:]
    decisions = ours.iloc[1:]
    assert len(changes) == len(decisions) == 33
    # this DFEDTAR copy shows each new target from the decision day itself (so the
    # day after holds it too); a change a day later would be the DFEDTARU convention
    gaps = (changes.index - decisions.index).days
    assert ((gaps >= 0) & (gaps <= 1)).all(), list(zip(decisions.index, changes.index, strict=True))
    assert (changes.to_numpy() == decisions.to_numpy()).all()
    # the brief's hiking cycle, public record: 4.75 -> 6.50 by 16 May 2000
    assert ours["1999-06-30"] == 5.0 and ours["2000-05-16"] == 6.5


def test_payrolls_within_3k_of_payems_1994_2003(cases):
    """Vintages differ (bundled: a 2026 vintage; reference: an older copy) by 1-2k."""
    ours = bundled(cases, "telecom-2000", "payrolls", TELECOM)
    assert len(ours) == 120
    j = compare(ours, read_reference("PAYEMS.csv"))
    assert j["reference"].notna().all()
    diff = (j["bundled"] - j["reference"]).abs()
    assert diff.max() <= 3, j[diff > 3]


# --- ai-cycle: where the reference covers it -----------------------------------------

AI = ("2022-01-01", "2026-12-31")


def test_ai_fed_funds_effective_equals_fedfunds(cases):
    ours = bundled(cases, "ai-cycle", "fed_funds_effective", AI)
    reference = read_reference("FEDFUNDS.csv")
    j = compare(ours, reference).dropna()
    # every bundled month the reference covers (it ends 2026-01; the bundle runs to 2026-06)
    assert len(j) == len(ours[ours.index <= reference.index.max()])
    assert (j["bundled"] == j["reference"]).all(), j[j["bundled"] != j["reference"]]


def test_ai_ism_pmi_matches_reference_within_vintage_tolerance(cases):
    """2022 values agree exactly, which also proves the re-dating (release month ->
    month measured) was done right; from 2023 the seasonal re-adjustment between
    vintages moves values by a few tenths (largest seen: 0.3, Dec 2023)."""
    ours = bundled(cases, "ai-cycle", "ism_pmi", AI)
    reference = read_reference("ISM_PMI.csv")
    # the bundle runs past the reference (to 2026-05): compare where the reference covers it
    j = compare(ours[ours.index <= reference.index.max()], reference)
    assert j["reference"].notna().all()
    early = j[:"2022-12-31"]
    assert len(early) == 12
    assert (early["bundled"] == early["reference"]).all(), early
    later = j["2023-01-01":]
    assert (later["bundled"] - later["reference"]).abs().max() <= 0.5


def test_ai_payrolls_match_payems_within_vintage_tolerance(cases):
    """The bundled 2026 vintage includes the 2025 benchmark revision, which lowered
    2024-2025 levels by up to about 1.1 m against the older reference vintage (case
    README). Before that, vintages differ by well under 100k."""
    ours = bundled(cases, "ai-cycle", "payrolls", AI)
    j = compare(ours, read_reference("PAYEMS.csv")).dropna()
    assert len(j) >= 46  # 2022-01 .. 2025-11 at least
    diff = j["bundled"] - j["reference"]
    assert diff[:"2023-12-31"].abs().max() <= 100
    revised = diff["2024-04-01":]
    assert (revised < 0).all(), "the benchmark revision lowers the 2026 vintage"
    assert (revised.abs() / j["reference"]["2024-04-01":]).max() <= 0.0075


def test_ai_nasdaq_month_end_where_covered(cases):
    ours = bundled(cases, "ai-cycle", "nasdaq_close", AI)
    # the reference ends 2025-06-12: months up to 2025-05 are checked
    assert check_nasdaq(ours) == 41


def test_ai_hy_spread_month_end_where_covered(cases):
    ours = bundled(cases, "ai-cycle", "hy_spread", AI)
    # the reference ends 2026-03-26: months up to 2026-02 are checked
    assert check_hy(ours) == 50
