"""A file cache of indicator paths keyed by a fingerprint of the data (plain JSON, no pickle).

Why: a scheduled run evaluates the same long price history again and again; the
recursion is cheap (milliseconds for 30 years of months, see
benchmarks/bench_exuberance.py) but grows with T^2, and a daily history would not be.
The cache lives where the run cache does (``monitor.core.filecache.cache_root``: the
user cache folder, ``MONITOR_CACHE_DIR``, or nothing when that is ``off``), in its
``indicators/`` sub-folder as ``<sha256>.json``. A corrupt or foreign entry is
ignored and recomputed, never trusted.

Statistics that are expensive per date (the LPPLS fits) are cached per *point* instead
(``cached_points``): one entry per date, keyed by a fingerprint of the data up to that
date (``prefix_keys``), so a past date's entry stays valid when a month is added and a
second run computes only the new dates. Points are also memoised in the process.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from monitor.core import filecache
from monitor.core.atomic import write_text
from monitor.core.fingerprint import Fingerprint

CACHE_ENV = filecache.CACHE_ENV
FORMAT = "path-v1"
POINT_FORMAT = "point-v1"
_MEMO: dict[str, tuple[float, ...]] = {}
_MEMO_LIMIT = 200_000


def fingerprint(dates: np.ndarray, values: np.ndarray, **params: object) -> str:
    """sha256 of the dates, the exact float values and the parameters."""
    days = np.asarray(dates, dtype="datetime64[D]").astype("int64")
    exact = np.ascontiguousarray(values, dtype=np.float64)
    return (
        Fingerprint()
        .add_value("format", FORMAT)
        .add_value("params", params)
        .add_value("dates", days.tolist())
        .add_value("values", [v.hex() for v in exact.tolist()])
        .hexdigest()
    )


def prefix_keys(dates: np.ndarray, values: np.ndarray, **params: object) -> list[str]:
    """One key per point: a fingerprint of the parameters and the data up to that point.

    The digest is fed row by row and read after each, so point ``i`` depends on rows
    ``0..i`` only: appending data or changing later rows leaves earlier keys unchanged.
    """
    days = np.asarray(dates, dtype="datetime64[D]").astype("int64").tolist()
    exact = np.ascontiguousarray(values, dtype=np.float64).tolist()
    digest = Fingerprint().add_value("format", POINT_FORMAT).add_value("params", params)
    keys = []
    for day, value in zip(days, exact, strict=True):
        keys.append(digest.add_value("row", [day, value.hex()]).hexdigest())
    return keys


def cache_dir() -> Path | None:
    return filecache.folder("indicators")


def cached(key: str, length: int, compute: Callable[[], np.ndarray]) -> np.ndarray:
    """The stored path for ``key`` if it is sound, else ``compute()`` (then stored)."""
    folder = cache_dir()
    if folder is None:
        return compute()
    path = folder / f"{key}.json"
    try:
        entry = json.loads(path.read_text())
        if entry.get("format") == FORMAT and entry.get("key") == key:
            values = np.array([np.nan if v is None else v for v in entry["values"]], dtype=float)
            if len(values) == length:
                return values
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        pass
    result = compute()
    payload = {
        "format": FORMAT,
        "key": key,
        "values": [None if not np.isfinite(v) else float(v) for v in result],
    }
    folder.mkdir(parents=True, exist_ok=True)
    write_text(path, json.dumps(payload))  # atomic: a concurrent reader never sees half
    return result


def _read_point(folder: Path | None, key: str, width: int) -> tuple[float, ...] | None:
    if folder is None:
        return None
    try:
        entry = json.loads((folder / f"{key}.json").read_text())
        if entry.get("format") == POINT_FORMAT and entry.get("key") == key:
            values = tuple(np.nan if v is None else float(v) for v in entry["values"])
            if len(values) == width:
                return values
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        pass
    return None


def _write_point(folder: Path, key: str, row: tuple[float, ...]) -> None:
    """Store one point; a cache that cannot be written costs time, never the result."""
    payload = {
        "format": POINT_FORMAT,
        "key": key,
        "values": [None if not np.isfinite(v) else float(v) for v in row],
    }
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_text(folder / f"{key}.json", json.dumps(payload))
    except OSError:
        pass


def cached_points(
    keys: Sequence[str],
    width: int,
    compute: Callable[[list[int]], list[tuple[float, ...]]],
) -> list[tuple[float, ...]]:
    """``width`` values per key: memoised, else stored, else ``compute(missing positions)``.

    Only the positions whose entries are missing or unsound are computed; their results
    are stored (plain JSON, written atomically) under ``indicators/points/``.
    """
    base = cache_dir()
    folder = base / "points" if base is not None else None
    out: list[tuple[float, ...] | None] = []
    for key in keys:
        hit = _MEMO.get(key)
        if hit is None:
            hit = _read_point(folder, key, width)
        out.append(hit)
    missing = [i for i, row in enumerate(out) if row is None]
    if missing:
        computed = compute(missing)
        for i, row in zip(missing, computed, strict=True):
            values = tuple(float(v) for v in row)
            out[i] = values
            if folder is not None:
                _write_point(folder, keys[i], values)
    if len(_MEMO) > _MEMO_LIMIT:
        _MEMO.clear()
    result = [row for row in out if row is not None]
    _MEMO.update(zip(keys, result, strict=True))
    return result


def clear_memo() -> None:
    """Forget the points memoised in this process (the files stay)."""
    _MEMO.clear()
