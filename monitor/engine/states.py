"""Alert states per (rule, entity) with Prometheus ``for`` / ``keep_firing_for`` semantics.

- *pending*: the condition holds, but not yet for the rule's ``for`` duration;
- *firing*: it has held for ``for``, or stopped less than ``keep_firing_for`` ago
  after firing (anti-flapping);
- *resolved*: it fired earlier in the evaluated history and no longer does;
- *inactive*: none of the above.

All evaluation times are handled at once with column-wise pandas operations.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import pandas as pd

from monitor.core.durations import Duration


class AlertState(IntEnum):
    INACTIVE = 0
    PENDING = 1
    FIRING = 2
    RESOLVED = 3

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass
class StateTable:
    """States (as :class:`AlertState` codes) and the start of each current state."""

    states: pd.DataFrame
    since: pd.DataFrame


def _times(condition: pd.DataFrame) -> pd.DataFrame:
    index = condition.index
    values = np.broadcast_to(index.to_numpy()[:, None], condition.shape)
    return pd.DataFrame(values, index=index, columns=condition.columns)


def _add(times: pd.DataFrame, duration: Duration) -> pd.DataFrame:
    offset = duration.offset()
    return times.apply(lambda column: column + offset)


def _episode_start(flag: pd.DataFrame, times: pd.DataFrame) -> pd.DataFrame:
    """For each time where ``flag`` holds, when its current uninterrupted run began."""
    starts = flag & ~flag.shift(1, fill_value=False)
    return times.where(starts).ffill().where(flag)


def _kept_firing(
    condition: pd.DataFrame, fire_raw: pd.DataFrame, times: pd.DataFrame, keep: Duration
) -> pd.DataFrame:
    """Firing with ``keep_firing_for``: once firing, an alert stays firing while the
    condition holds or last held less than ``keep`` ago, and a return of the condition
    within that window continues the same alert instead of starting a new ``for``.
    """
    last_true = times.where(condition).ffill()
    alive = condition | (last_true.notna() & (times < _add(last_true, keep)))
    episode = (alive & ~alive.shift(1, fill_value=False)).cumsum()
    fired = pd.DataFrame(
        {c: fire_raw[c].groupby(episode[c]).cummax() for c in fire_raw.columns},
        index=fire_raw.index,
    )
    return alive & fired


def compute_states(condition: pd.DataFrame, for_: Duration, keep: Duration) -> StateTable:
    """Run the state machine over every evaluation time and entity column."""
    condition = condition.fillna(False).astype(bool)
    if condition.empty or condition.shape[1] == 0:
        empty = pd.DataFrame(index=condition.index, columns=condition.columns)
        return StateTable(empty.astype("int8"), empty.astype("datetime64[us]"))
    times = _times(condition)
    run_start = _episode_start(condition, times)
    held_long_enough = times >= _add(run_start, for_)
    fire_raw = condition if for_.is_zero() else condition & held_long_enough
    firing = fire_raw if keep.is_zero() else _kept_firing(condition, fire_raw, times, keep)
    pending = condition & ~firing
    ever_fired = firing.cummax()
    resolved = ~firing & ~pending & ever_fired
    states = (
        pending.astype("int8") * AlertState.PENDING
        + firing.astype("int8") * AlertState.FIRING
        + resolved.astype("int8") * AlertState.RESOLVED
    ).astype("int8")
    since = _episode_start(firing, times)
    since = since.fillna(run_start.where(pending))
    stopped = resolved & ~resolved.shift(1, fill_value=False)
    since = since.fillna(times.where(stopped).ffill().where(resolved))
    return StateTable(states, since.astype("datetime64[us]"))
