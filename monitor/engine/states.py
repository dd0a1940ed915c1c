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


def _shifted(index: pd.DatetimeIndex, duration: Duration) -> np.ndarray:
    """Each evaluation time plus ``duration`` (calendar months stay calendar months).

    Computed once on the 1-D time axis; cells look their value up by position.
    """
    return pd.DatetimeIndex(index + duration.offset()).to_numpy(dtype=index.dtype)


def _run_start(flag: np.ndarray) -> np.ndarray:
    """Per cell, the row where the current run of ``True`` began (-1 where ``False``)."""
    rows = np.arange(flag.shape[0])[:, None]
    starts = flag & ~np.vstack([np.zeros((1, flag.shape[1]), dtype=bool), flag[:-1]])
    began = np.maximum.accumulate(np.where(starts, rows, -1), axis=0)
    return np.where(flag, began, -1)


def _last_true(flag: np.ndarray) -> np.ndarray:
    """Per cell, the latest row at or before it where ``flag`` held (-1 before any)."""
    rows = np.arange(flag.shape[0])[:, None]
    return np.maximum.accumulate(np.where(flag, rows, -1), axis=0)


def _at(times: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Times at (non-negative) positions; NaT where the position is -1 or past the end."""
    valid = (positions >= 0) & (positions < len(times))
    picked = times[np.clip(positions, 0, len(times) - 1)]
    return np.where(valid, picked, np.datetime64("NaT"))


def _kept_firing(
    condition: np.ndarray, fire_raw: np.ndarray, index: pd.DatetimeIndex, keep: Duration
) -> np.ndarray:
    """Firing with ``keep_firing_for``, as Prometheus evaluates it.

    Prometheus starts counting at the first evaluation at which the condition is
    false (``KeepFiringSince``) and keeps the alert firing while
    ``now - KeepFiringSince < keep_firing_for``. A condition that returns before the
    alert resolved continues the same firing alert (``for`` does not restart); a
    pending alert is not kept at all.
    """
    times = index.to_numpy()
    last_true = _last_true(condition)
    first_false = last_true + 1  # the evaluation after the last one where it held
    kept_until = _at(_shifted(index, keep), first_false)
    now = times[:, None]
    alive = condition | ((last_true >= 0) & (now < kept_until))
    episode = _run_start(alive)
    last_fired = _last_true(fire_raw)
    return alive & (last_fired >= episode) & (episode >= 0)


def compute_states(condition: pd.DataFrame, for_: Duration, keep: Duration) -> StateTable:
    """Run the state machine over every evaluation time and entity column.

    The evaluation times are the frame's index (every day, or the step times): states
    change only there, and ``for`` / ``keep_firing_for`` are compared at those times.
    """
    condition = condition.fillna(False).astype(bool)
    if condition.empty or condition.shape[1] == 0:
        empty = pd.DataFrame(index=condition.index, columns=condition.columns)
        return StateTable(empty.astype("int8"), empty.astype("datetime64[us]"))
    index = pd.DatetimeIndex(condition.index)
    times = index.to_numpy()
    now = times[:, None]
    held = condition.to_numpy()
    run_start = _run_start(held)
    held_for = now >= _at(_shifted(index, for_), run_start)
    fire_raw = held if for_.is_zero() else held & held_for
    firing = fire_raw if keep.is_zero() else _kept_firing(held, fire_raw, index, keep)
    pending = held & ~firing
    ever_fired = np.maximum.accumulate(firing, axis=0)
    resolved = ~firing & ~pending & ever_fired
    codes = (
        pending.astype("int8") * int(AlertState.PENDING)
        + firing.astype("int8") * int(AlertState.FIRING)
        + resolved.astype("int8") * int(AlertState.RESOLVED)
    ).astype("int8")
    since = np.where(
        firing,
        _at(times, _run_start(firing)),
        np.where(
            pending,
            _at(times, run_start),
            np.where(resolved, _at(times, _run_start(resolved)), np.datetime64("NaT")),
        ),
    )
    columns = condition.columns
    return StateTable(
        pd.DataFrame(codes, index=condition.index, columns=columns),
        pd.DataFrame(since, index=condition.index, columns=columns).astype("datetime64[us]"),
    )
