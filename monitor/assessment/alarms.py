"""Signal periods named the way an analyst reads them, beside KLR's counts.

KLR's counts say how many steps were hits or false alarms; a reader also wants the
periods named. Three kinds:

- a *false alarm*: a signal period in calm times, with steps no onset followed within
  the horizon (the telecom case's 1995 rate hikes and PMI dip);
- an episode's *aftermath*: a period that overlaps an episode or starts within the
  horizon after its end; KLR count its later steps as false alarms too, but it is the
  crash still signalling, not a calm-time alarm;
- an *early hit*: a period counted as hits that began more than ``ANALYST_MONTHS``
  before the onset (the telecom case's 1998 signals): a hit by KLR's rule, a false
  alarm to an analyst at the time, who saw nothing follow for a year.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from monitor.assessment import klr
from monitor.assessment.periods import Period, months_between, periods
from monitor.core.plaindata import iso_date
from monitor.data.case import Case

ANALYST_MONTHS = 12


def _iso(stamp: pd.Timestamp) -> str:
    return stamp.date().isoformat()


def _named_periods(
    signal: pd.Series, windows: list[klr.Window], horizon: int
) -> list[tuple[Period, int, int]]:
    """Each signal period with its number of hit steps (A) and false-alarm steps (B)."""
    ahead, scored = klr.classify(pd.DatetimeIndex(signal.index), windows, horizon)
    on = signal.fillna(False).astype(bool)
    out = []
    for run in periods(on):
        inside = (on.index >= run.start) & (on.index <= run.last(on.index[-1]))
        hits = int((inside & ahead & scored).sum())
        false = int((inside & ~ahead & scored).sum())
        out.append((run, hits, false))
    return out


def _after_episode(run: Period, case: Case, horizon: int) -> str | None:
    """The episode a signal period belongs to the aftermath of, if any.

    A period that overlaps an episode, or starts within the horizon after its end, is
    the crash and its aftermath still signalling: KLR's rule counts its steps after the
    end as false alarms (B), but an analyst would not call them calm-time alarms.
    """
    for episode in case.episodes:
        aftermath_end = episode.end + pd.DateOffset(months=horizon)
        if run.start <= aftermath_end and (run.end is None or run.end >= episode.onset):
            return episode.id
    return None


def name_signal_periods(
    signals: dict[str, tuple[str, int, pd.Series]], case: Case, horizon: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The false alarms (calm times or an episode's aftermath) and the early hits.

    ``signals`` maps a rule id or "stage N" to (title, stage, boolean signal series).
    """
    false_alarms: list[dict[str, Any]] = []
    early: list[dict[str, Any]] = []
    windows = [klr.Window(e.onset, e.end) for e in case.episodes]
    if not windows:
        return false_alarms, early
    for key, (title, _stage, signal) in signals.items():
        named = _named_periods(signal, windows, horizon)
        for run, hits, false in named:
            span = {"rule": key, "title": title, "start": _iso(run.start), "end": iso_date(run.end)}
            if false:
                after = _after_episode(run, case, horizon)
                false_alarms.append({**span, "steps": false, "after_episode": after})
            if not hits:
                continue
            for episode in case.episodes:
                ahead = months_between(run.start, episode.onset)
                window_start = episode.onset - pd.DateOffset(months=horizon)
                touches = run.start < episode.onset and (run.end is None or run.end > window_start)
                if touches and ahead > ANALYST_MONTHS:
                    ran_into = run.end is None or run.end >= episode.onset
                    early.append(
                        {
                            **span,
                            "episode": episode.id,
                            "months_before": ahead,
                            "steps": hits,
                            "ran_into_onset": ran_into,
                        }
                    )
    false_alarms.sort(key=lambda x: (x["start"], x["rule"]))
    early.sort(key=lambda x: (x["start"], x["rule"]))
    return false_alarms, early
