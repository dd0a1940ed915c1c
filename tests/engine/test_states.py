"""Alert states with Prometheus ``for`` / ``keep_firing_for`` semantics."""

from __future__ import annotations

import numpy as np
import pandas as pd

from monitor.core.durations import Duration
from monitor.engine.states import AlertState, compute_states

INACTIVE, PENDING, FIRING, RESOLVED = (
    AlertState.INACTIVE,
    AlertState.PENDING,
    AlertState.FIRING,
    AlertState.RESOLVED,
)
GRID = pd.date_range("2020-01-01", "2020-06-30", freq="D", unit="us")
ZERO = Duration(0, "d")
T = pd.Timestamp


def condition(*spans: tuple[str, str], index: pd.DatetimeIndex = GRID) -> pd.Series:
    """True on each inclusive [start, end] span, False elsewhere."""
    flag = pd.Series(False, index=index)
    for start, end in spans:
        flag.loc[T(start) : T(end)] = True
    return flag


def states_of(flag: pd.Series, for_: Duration = ZERO, keep: Duration = ZERO):  # type: ignore[no-untyped-def]
    table = compute_states(pd.DataFrame({"X": flag}), for_, keep)
    return table.states["X"], table.since["X"]


def state(states: pd.Series, day: str) -> AlertState:
    return AlertState(int(states.loc[T(day)]))


def run_lengths(states: pd.Series) -> list[tuple[str, str, str]]:
    """The state sequence as (first day, last day, state label) runs."""
    codes = states.to_numpy()
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    ends = np.r_[starts[1:] - 1, len(codes) - 1]
    return [
        (
            str(states.index[first].date()),
            str(states.index[last].date()),
            AlertState(int(codes[first])).label,
        )
        for first, last in zip(starts, ends, strict=True)
    ]


def test_for_zero_fires_immediately() -> None:
    states, since = states_of(condition(("2020-02-10", "2020-02-20")))
    assert run_lengths(states) == [
        ("2020-01-01", "2020-02-09", "inactive"),
        ("2020-02-10", "2020-02-20", "firing"),
        ("2020-02-21", "2020-06-30", "resolved"),
    ]
    assert since.loc[T("2020-02-10")] == T("2020-02-10")
    assert since.loc[T("2020-02-20")] == T("2020-02-10")
    assert since.loc[T("2020-02-21")] == T("2020-02-21")
    assert since.loc[T("2020-06-30")] == T("2020-02-21")
    assert pd.isna(since.loc[T("2020-01-15")])


def test_for_uses_calendar_months() -> None:
    # one calendar month after 31 January 2020 is 29 February (a leap year), not 1 March
    states, since = states_of(condition(("2020-01-31", "2020-04-15")), Duration(1, "mo"))
    assert run_lengths(states) == [
        ("2020-01-01", "2020-01-30", "inactive"),
        ("2020-01-31", "2020-02-28", "pending"),
        ("2020-02-29", "2020-04-15", "firing"),
        ("2020-04-16", "2020-06-30", "resolved"),
    ]
    assert since.loc[T("2020-02-01")] == T("2020-01-31")  # pending since the run began
    assert since.loc[T("2020-02-28")] == T("2020-01-31")
    assert since.loc[T("2020-02-29")] == T("2020-02-29")  # firing since it fired
    assert since.loc[T("2020-04-15")] == T("2020-02-29")
    assert since.loc[T("2020-05-01")] == T("2020-04-16")


def test_for_in_quarters_and_days() -> None:
    states, _ = states_of(condition(("2020-01-15", "2020-06-30")), Duration(1, "q"))
    assert state(states, "2020-04-14") == PENDING
    assert state(states, "2020-04-15") == FIRING
    states, _ = states_of(condition(("2020-01-15", "2020-06-30")), Duration(10, "d"))
    assert state(states, "2020-01-24") == PENDING
    assert state(states, "2020-01-25") == FIRING


def test_condition_dropping_before_for_goes_back_to_inactive() -> None:
    states, since = states_of(condition(("2020-01-10", "2020-01-25")), Duration(1, "mo"))
    assert run_lengths(states) == [
        ("2020-01-01", "2020-01-09", "inactive"),
        ("2020-01-10", "2020-01-25", "pending"),
        ("2020-01-26", "2020-06-30", "inactive"),
    ]
    assert since.loc[T("2020-01-20")] == T("2020-01-10")
    assert pd.isna(since.loc[T("2020-02-01")])


def test_interrupted_run_restarts_the_for_clock() -> None:
    # 20 days true, one day false, then true again: the 30-day clock starts over
    flag = condition(("2020-01-01", "2020-01-20"), ("2020-01-22", "2020-03-31"))
    states, since = states_of(flag, Duration(30, "d"))
    assert state(states, "2020-01-20") == PENDING
    assert state(states, "2020-01-21") == INACTIVE
    assert state(states, "2020-01-22") == PENDING
    assert since.loc[T("2020-01-22")] == T("2020-01-22")
    assert state(states, "2020-02-20") == PENDING
    assert state(states, "2020-02-21") == FIRING  # 22 Jan + 30 days
    assert since.loc[T("2020-03-01")] == T("2020-02-21")


def test_keep_firing_for_then_resolved() -> None:
    flag = condition(("2020-03-01", "2020-03-05"))
    states, since = states_of(flag, ZERO, Duration(10, "d"))
    # Prometheus counts keep_firing_for from the first false evaluation (6 March):
    # firing while less than 10 days have passed since then, resolved on 16 March.
    # (Until the rule-semantics fix this counted from the last true day, 5 March, and
    # resolved a day early, on the 15th.)
    assert run_lengths(states) == [
        ("2020-01-01", "2020-02-29", "inactive"),
        ("2020-03-01", "2020-03-15", "firing"),
        ("2020-03-16", "2020-06-30", "resolved"),
    ]
    assert since.loc[T("2020-03-10")] == T("2020-03-01")
    assert since.loc[T("2020-03-16")] == T("2020-03-16")
    assert since.loc[T("2020-06-30")] == T("2020-03-16")


def test_keep_firing_for_in_calendar_months() -> None:
    flag = condition(("2020-01-20", "2020-01-31"))
    states, _ = states_of(flag, ZERO, Duration(1, "mo"))
    # first false evaluation 1 Feb; one calendar month later is 1 March
    assert state(states, "2020-02-29") == FIRING
    assert state(states, "2020-03-01") == RESOLVED


def test_keep_firing_for_bridges_a_short_gap() -> None:
    flag = condition(("2020-03-01", "2020-03-05"), ("2020-03-09", "2020-03-10"))
    states, since = states_of(flag, ZERO, Duration(10, "d"))
    assert run_lengths(states) == [
        ("2020-01-01", "2020-02-29", "inactive"),
        ("2020-03-01", "2020-03-20", "firing"),
        ("2020-03-21", "2020-06-30", "resolved"),
    ]  # the second run ends 10 March: first false 11 March, + 10 days = 21 March
    assert (since.loc[T("2020-03-01") : T("2020-03-20")] == T("2020-03-01")).all()


def test_keep_firing_for_does_not_apply_to_pending() -> None:
    flag = condition(("2020-03-01", "2020-03-05"))
    states, _ = states_of(flag, Duration(10, "d"), Duration(30, "d"))
    assert (states.loc[T("2020-03-01") : T("2020-03-05")] == PENDING).all()
    assert (states.loc[T("2020-03-06") :] == INACTIVE).all()


def test_condition_returning_during_keep_firing_for_stays_firing() -> None:
    flag = condition(("2020-01-01", "2020-01-20"), ("2020-01-22", "2020-03-31"))
    states, since = states_of(flag, Duration(10, "d"), Duration(3, "d"))
    assert state(states, "2020-01-11") == FIRING
    assert state(states, "2020-01-21") == FIRING  # kept firing
    assert (states.loc[T("2020-01-11") : T("2020-03-31")] == FIRING).all()
    assert since.loc[T("2020-02-15")] == T("2020-01-11")


def test_resolved_alert_can_pend_and_fire_again() -> None:
    flag = condition(("2020-01-01", "2020-01-10"), ("2020-03-01", "2020-03-31"))
    states, since = states_of(flag, Duration(5, "d"))
    assert state(states, "2020-01-06") == FIRING
    assert state(states, "2020-02-01") == RESOLVED
    assert since.loc[T("2020-02-01")] == T("2020-01-11")
    assert state(states, "2020-03-01") == PENDING
    assert since.loc[T("2020-03-03")] == T("2020-03-01")
    assert state(states, "2020-03-06") == FIRING
    assert since.loc[T("2020-03-20")] == T("2020-03-06")
    assert state(states, "2020-04-01") == RESOLVED
    assert since.loc[T("2020-04-10")] == T("2020-04-01")


def test_several_entities_at_once() -> None:
    frame = pd.DataFrame(
        {
            "LU": condition(("2020-02-01", "2020-04-30")),
            "NT": condition(("2020-02-01", "2020-02-10")),
            "CSCO": condition(),
        }
    )
    for_, keep = Duration(1, "mo"), Duration(15, "d")
    table = compute_states(frame, for_, keep)
    assert list(table.states.columns) == ["LU", "NT", "CSCO"]
    assert table.states.index.equals(GRID)
    day = T("2020-03-15")
    assert AlertState(int(table.states.loc[day, "LU"])) == FIRING
    assert AlertState(int(table.states.loc[day, "NT"])) == INACTIVE
    assert AlertState(int(table.states.loc[day, "CSCO"])) == INACTIVE
    assert AlertState(int(table.states.loc[T("2020-02-05"), "NT"])) == PENDING
    assert table.since.loc[day, "LU"] == T("2020-03-01")
    # first false evaluation 1 May; + 15 days = 16 May
    assert AlertState(int(table.states.loc[T("2020-05-15"), "LU"])) == FIRING
    assert AlertState(int(table.states.loc[T("2020-05-16"), "LU"])) == RESOLVED
    # each column behaves exactly as it does on its own
    for column in frame.columns:
        alone = compute_states(frame[[column]], for_, keep)
        pd.testing.assert_series_equal(table.states[column], alone.states[column])
        pd.testing.assert_series_equal(table.since[column], alone.since[column])


def test_missing_condition_counts_as_false() -> None:
    flag = condition(("2020-01-05", "2020-01-10")).astype(object)
    flag.loc[T("2020-01-08")] = np.nan
    states, _ = states_of(flag)
    assert state(states, "2020-01-07") == FIRING
    assert state(states, "2020-01-08") == RESOLVED
    assert state(states, "2020-01-09") == FIRING


def test_no_entities_gives_empty_tables() -> None:
    table = compute_states(pd.DataFrame(index=GRID), Duration(1, "mo"), ZERO)
    assert table.states.shape == (len(GRID), 0)
    assert table.since.shape == (len(GRID), 0)


def test_state_labels() -> None:
    assert [s.label for s in AlertState] == ["inactive", "pending", "firing", "resolved"]
