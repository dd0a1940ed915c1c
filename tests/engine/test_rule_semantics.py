"""Rule semantics a user can rely on: decimal thresholds, window axes, the evaluation step.

Each expected number is worked out by hand in the test from the rows it builds.
(``test_prometheus_states.py`` covers ``for`` and ``keep_firing_for``.)
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.core.plaindata import display_number
from monitor.engine.context import EvaluationContext, SeriesTiming
from monitor.engine.steps import MONTH_END, step_times
from monitor.language.compiler import COMPARATORS, IndicatorInfo, compile_condition
from monitor.language.windows import evaluation_grid
from monitor.pipeline import assess_case, assess_dates, load_inputs
from monitor.pipeline.assess import timeline_for

T = pd.Timestamp
GRID = evaluation_grid(T("2019-01-01"), T("2021-12-31"))
INFOS = {"rate": IndicatorInfo("%"), "pmi": IndicatorInfo("index"), "px": IndicatorInfo("index")}
CALENDAR = SeriesTiming(axis="calendar")
MONTHLY = SeriesTiming(axis="period")
DAILY_PERIODS = SeriesTiming(axis="period", short_periods=True)


def frame(rows: list[tuple[str, float, str]], entity: str = "US") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "entity": [entity] * len(rows),
            "date": pd.to_datetime([r[0] for r in rows]).astype("datetime64[us]"),
            "value": [float(r[1]) for r in rows],
            "published": pd.to_datetime([r[2] for r in rows]).astype("datetime64[us]"),
        }
    )


def context(name: str, rows: list[tuple[str, float, str]], timing: SeriesTiming):
    return EvaluationContext(GRID, {name: frame(rows)}, {name: timing})


def holds(ctx: EvaluationContext, text: str, primary: str, day: str) -> bool:
    condition = compile_condition(text, primary, INFOS)
    return bool(condition.evaluate(ctx).loc[T(day), "US"])


def measured(ctx: EvaluationContext, text: str, primary: str, day: str) -> float:
    condition = compile_condition(text, primary, INFOS)
    return float(condition.measured(ctx).loc[T(day), "US"])


# -- decimal thresholds ----------------------------------------------------------------


def test_a_rate_raised_by_one_point_meets_100bp() -> None:
    # 0.13% a year ago, 1.13% now: a rise of exactly 100 bp (binary floating point
    # makes 1.13 - 0.13 = 0.9999999999999999)
    ctx = context("rate", [("2019-06-01", 0.13, "2019-06-01"), ("2020-06-01", 1.13, "2020-06-01")],
                  CALENDAR)  # fmt: skip
    assert holds(ctx, "change(12mo) >= 100bp", "rate", "2020-06-01")
    assert holds(ctx, "change(12mo) >= 1pp", "rate", "2020-06-01")
    assert not holds(ctx, "change(12mo) > 100bp", "rate", "2020-06-01")


def test_half_a_point_over_twelve_months_meets_half_a_point() -> None:
    ctx = context("rate", [("2019-06-01", 3.6, "2019-06-01"), ("2020-06-01", 4.1, "2020-06-01")],
                  CALENDAR)  # fmt: skip
    assert holds(ctx, "change(12mo) >= 0.5pp", "rate", "2020-06-01")
    assert holds(ctx, "change(12mo) <= 0.5pp", "rate", "2020-06-01")
    assert holds(ctx, "change(12mo) == 50bp", "rate", "2020-06-01")


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=-(10**6), max_value=10**6),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.integers(min_value=0, max_value=4),
)
def test_decimal_pairs_compare_as_written(a: int, b: int, decimals: int) -> None:
    """Decimals with up to four places: the tolerant comparison agrees with exact maths."""
    x, y = a / 10**decimals, b / 10**decimals  # the nearest binary floats to a, b decimals
    difference = (a - b) / 10**decimals
    for symbol, exact in [(">=", a >= b), ("<=", a <= b), (">", a > b), ("<", a < b),
                          ("==", a == b), ("!=", a != b)]:  # fmt: skip
        assert bool(COMPARATORS[symbol](x, y)) == exact, (x, symbol, y)
    # the decimal sum x - y compared with its written value holds both ways
    written = round(difference, decimals)
    assert COMPARATORS[">="](x - y, written) and COMPARATORS["<="](x - y, written)


def test_values_print_at_the_precision_of_the_data() -> None:
    assert display_number(1.13 - 0.13) == "1"
    assert display_number(4.1 - 3.6) == "0.5"
    assert display_number(0.125) == "0.125"
    assert display_number(-2.75) == "-2.75"
    assert display_number(1234567.0) == "1234567"


# -- window axes -----------------------------------------------------------------------

# A monthly PMI whose figures are published on varying days: April 2019 on 19 May
# 2019, April 2020 on 14 May 2020. March figures a month earlier.
PMI = [
    ("2019-03-01", 52.0, "2019-04-01"),
    ("2019-04-01", 55.0, "2019-05-19"),
    ("2020-03-01", 50.0, "2020-04-01"),
    ("2020-04-01", 51.0, "2020-05-14"),
]


def test_periodic_change_compares_the_same_period_a_year_earlier() -> None:
    ctx = context("pmi", PMI, MONTHLY)
    # on 16 May 2020 the latest period is April 2020 (51); the same period a year
    # earlier is April 2019 (55), known now: 51 - 55 = -4. (Calendar time would have
    # compared with what was known on 16 May 2019: March 2019, 52, thirteen months.)
    assert measured(ctx, "change(12mo) > -100", "pmi", "2020-05-16") == pytest.approx(-4.0)
    assert measured(ctx, "change(12mo) > -100", "pmi", "2020-05-13") == pytest.approx(-2.0)
    calendar = context("pmi", PMI, CALENDAR)
    assert measured(calendar, "change(12mo) > -100", "pmi", "2020-05-16") == pytest.approx(-1.0)


def test_periodic_change_leaves_a_missing_period_a_gap() -> None:
    ctx = context("pmi", [("2019-03-01", 52.0, "2019-04-01"), ("2020-04-01", 51.0, "2020-05-14")],
                  MONTHLY)  # fmt: skip
    condition = compile_condition("change(12mo) > -100", "pmi", INFOS)
    assert math.isnan(condition.measured(ctx).loc[T("2020-05-20"), "US"])


def test_periodic_change_reads_the_earlier_period_as_known_now() -> None:
    # April 2019 was first published as 55, revised to 54 on 1 March 2020
    rows = [*PMI, ("2019-04-01", 54.0, "2020-03-01")]
    ctx = context("pmi", rows, MONTHLY)
    assert measured(ctx, "change(12mo) > -100", "pmi", "2020-05-16") == pytest.approx(-3.0)


def test_six_month_change_at_a_month_end_spans_six_periods() -> None:
    # monthly figures published on the 20th: at 31 July 2020 the latest is June
    # (published 20 July); six periods earlier is December 2019. Calendar time
    # would read what was known on 31 January 2020: December 2019 as well here, but
    # on 19 July (June not yet out) the latest is May, compared with November.
    rows = [(f"{d}-01", v, p) for d, v, p in [
        ("2019-11", 1.0, "2019-12-20"), ("2019-12", 2.0, "2020-01-20"),
        ("2020-05", 4.0, "2020-06-20"), ("2020-06", 7.0, "2020-07-20"),
    ]]  # fmt: skip
    ctx = context("pmi", rows, MONTHLY)
    assert measured(ctx, "change(6mo) > -100", "pmi", "2020-07-31") == pytest.approx(5.0)
    assert measured(ctx, "change(6mo) > -100", "pmi", "2020-07-19") == pytest.approx(3.0)


def test_daily_series_match_the_last_close_within_a_week() -> None:
    rows = [("2019-06-28", 100.0, "2019-06-28"), ("2020-06-30", 120.0, "2020-06-30")]
    ctx = context("px", rows, DAILY_PERIODS)
    # 30 June 2019 was a Sunday: the close of Friday 28 June stands for it
    assert measured(ctx, "pct_change(12mo) > -100", "px", "2020-06-30") == pytest.approx(20.0)


def test_a_policy_rate_keeps_calendar_time() -> None:
    # decisions stand until changed: the rate in force now against 12 months ago
    rows = [("2019-01-30", 2.5, "2019-01-30"), ("2019-07-31", 2.25, "2019-07-31"),
            ("2020-03-15", 0.25, "2020-03-15")]  # fmt: skip
    ctx = context("rate", rows, CALENDAR)
    # 1 July 2020: 0.25 now, 2.5 in force on 1 July 2019 (the July cut came on the 31st)
    assert measured(ctx, "change(12mo) > -100", "rate", "2020-07-01") == pytest.approx(-2.25)
    assert measured(ctx, "change(12mo) > -100", "rate", "2020-08-01") == pytest.approx(-2.0)
    assert measured(ctx, "change(12mo) > -100", "rate", "2020-03-14") == pytest.approx(-0.25)


def test_the_bundled_indicators_declare_their_axes() -> None:
    registry = load_inputs("telecom-2000").registry
    assert registry.get("policy_rate").axis() == "calendar"
    assert registry.get("pmi").axis() == "period"
    assert registry.get("credit_spread").axis() == "period"


def test_rolling_windows_use_calendar_months() -> None:
    # a spike on 31 March 2019 is outside the 12 months before 31 March 2020;
    # one on 1 April 2019 is inside (the window is (t - 12mo, t])
    for spike, inside in [("2019-03-31", False), ("2019-04-01", True)]:
        rows = [("2019-01-01", 1.0, "2019-01-01"), (spike, 9.0, spike),
                (pd.Timestamp(spike) + pd.Timedelta(days=1), 1.0,
                 pd.Timestamp(spike) + pd.Timedelta(days=1))]  # fmt: skip
        rows = [(str(pd.Timestamp(d).date()), v, str(pd.Timestamp(p).date())) for d, v, p in rows]
        ctx = context("px", rows, CALENDAR)
        peak = measured(ctx, "max(12mo) > -100", "px", "2020-03-31")
        assert peak == (9.0 if inside else 1.0)


# -- the evaluation step ---------------------------------------------------------------


def test_month_end_step_times_are_month_ends_and_the_last_day() -> None:
    days = evaluation_grid(T("2020-01-15"), T("2020-04-10"))
    times = step_times(days, MONTH_END)
    assert [str(t.date()) for t in times] == ["2020-01-31", "2020-02-29", "2020-03-31",
                                              "2020-04-10"]  # fmt: skip


@pytest.fixture(scope="module")
def telecom():
    return load_inputs("telecom-2000")


def test_an_event_between_month_ends_is_seen_at_the_next_one(telecom) -> None:
    # Lucent's first profit warning, 6 January 2000: the daily step sees it that day,
    # the month-end step at 31 January 2000
    daily = assess_case(telecom.case, T("2000-01-31"), registry=telecom.registry).timeline
    monthly = assess_dates(telecom, [T("2000-01-31")], MONTH_END)
    rule = "profit-warning"
    assert rule in daily.results
    states = daily.results[rule].table.states
    assert int(states.loc[T("2000-01-06")].max()) == 2  # firing on the day
    (assessment,) = monthly
    fired = {r.id: r for r in assessment.rules}[rule]
    assert fired.state == "firing"
    assert fired.since == "2000-01-31"


def test_a_run_at_a_month_end_equals_the_longer_timeline_at_that_date(telecom) -> None:
    dates = [T("2000-06-30"), T("2001-03-31"), T("2001-12-31")]
    replay = assess_dates(telecom, dates, MONTH_END)
    for date, from_long in zip(dates, replay, strict=True):
        single = assess_dates(telecom, [date], MONTH_END)[0]
        assert (single.stage, single.score) == (from_long.stage, from_long.score)
        assert [(r.id, r.state, r.since) for r in single.rules] == [
            (r.id, r.state, r.since) for r in from_long.rules
        ]


def test_the_2000_chronology_holds_at_the_month_end_step(telecom) -> None:
    """Same months as the daily step: May 2000, July 2000, April 2001 (seen at month ends)."""
    timeline = timeline_for(telecom, T("2003-12-31"), MONTH_END)
    entries = {}
    for stage in (1, 2, 3):
        active = timeline.stage_active[stage]
        active = active[active.index > T("1999-09-30")]
        started = active & ~active.shift(1, fill_value=False)
        entries[stage] = started[started].index[0]
    assert [str(entries[s].date()) for s in (1, 2, 3)] == ["2000-05-31", "2000-07-31", "2001-04-30"]
