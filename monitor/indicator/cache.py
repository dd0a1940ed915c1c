"""A file cache of indicator paths keyed by a fingerprint of the data (plain JSON, no pickle).

Why: a scheduled run evaluates the same long price history again and again; the
recursion is cheap (milliseconds for 30 years of months, see
benchmarks/bench_exuberance.py) but grows with T^2, and a daily history would not be.
The cache is off unless ``MONITOR_CACHE_DIR`` names a folder; entries live in its
``indicators/`` sub-folder as ``<sha256>.json``. A corrupt or foreign entry is
ignored and recomputed, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from monitor.core.atomic import write_text

CACHE_ENV = "MONITOR_CACHE_DIR"
FORMAT = "path-v1"


def fingerprint(dates: np.ndarray, values: np.ndarray, **params: object) -> str:
    """sha256 of the dates, the exact float values and the parameters."""
    digest = hashlib.sha256()
    digest.update(FORMAT.encode())
    digest.update(json.dumps(params, sort_keys=True).encode())
    digest.update(np.asarray(dates, dtype="datetime64[D]").astype("int64").tobytes())
    digest.update(np.ascontiguousarray(values, dtype=np.float64).tobytes())
    return digest.hexdigest()


def cache_dir() -> Path | None:
    folder = os.environ.get(CACHE_ENV)
    return Path(folder) / "indicators" if folder else None


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
