"""A file cache of plain JSON values under ``MONITOR_CACHE_DIR``, keyed by a fingerprint.

Why: a scheduled run recomputes things that have not changed since the last run (the
2000 case reloaded for the analogies panel, its peak score, the report's charts). A
value is stored as ``<MONITOR_CACHE_DIR>/<kind>/<key>.json`` (plain JSON, never pickle:
a cache file can be read, never run) where ``key`` is a
:class:`monitor.core.fingerprint.Fingerprint` digest of everything the value depends
on, so a changed input is a different file, not a stale hit. On by default, like any
user cache (``$XDG_CACHE_HOME/bubble-monitor``, else ``~/.cache/bubble-monitor``): a
scheduled run should not pay twice for what has not changed. ``MONITOR_CACHE_DIR``
names another folder, or ``off`` to keep nothing; the indicator path cache uses the same
root. A corrupt or foreign entry is recomputed, never trusted, and a cache that cannot
be written is skipped.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from monitor.core.atomic import write_text

CACHE_ENV = "MONITOR_CACHE_DIR"
FORMAT = "value-v1"


OFF = {"", "off", "none", "0", "false", "no"}
APP = "bubble-monitor"


def cache_root() -> Path | None:
    """The cache's folder: ``MONITOR_CACHE_DIR``, ``off`` (None), else the user cache."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen is not None:
        chosen = chosen.strip()
        return None if chosen.lower() in OFF else Path(chosen).expanduser()
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    if base:
        return Path(base) / APP
    try:
        return Path.home() / ".cache" / APP
    except RuntimeError:  # no home directory to speak of: no cache
        return None


def folder(kind: str) -> Path | None:
    """Where entries of ``kind`` live, or None when the cache is off."""
    root = cache_root()
    return root / kind if root is not None else None


def cached(kind: str, key: str, compute: Callable[[], Any]) -> Any:
    """The stored value for ``key`` if sound, else ``compute()`` (stored, then returned).

    ``compute`` must return plain JSON data (dicts with text keys, lists, text,
    numbers, None): what a hit returns is what a miss stored, so both are equal.
    """
    where = folder(kind)
    if where is None:
        return compute()
    path = where / f"{key}.json"
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(entry, dict) and entry.get("format") == FORMAT and entry.get("key") == key:
            return entry["value"]
    except (OSError, ValueError, KeyError):
        pass
    value = compute()
    try:
        text = json.dumps({"format": FORMAT, "key": key, "value": value})
    except (TypeError, ValueError):  # not plain data: used as it is, never stored
        return value
    with contextlib.suppress(OSError):
        write_text(path, text)  # atomic: a concurrent run never reads half an entry
    return json.loads(text)["value"]
