"""Tests run against the installed package, never the checkout beside it.

``pip install .`` maps the top-level ``indicators/``, ``rules/`` and ``reports/``
folders into the ``monitor`` namespace (see ``[tool.setuptools.package-dir]``), so the
bare ``monitor/`` folder of a checkout is not the package users get. ``python -m
pytest`` puts the working directory first on ``sys.path``, where that folder would
shadow the installed package; take it off before anything imports ``monitor``. With
``pip install -e .`` the editable finder maps the checkout itself, so edits are live.
Subprocesses (``python -m monitor ...``) inherit ``PYTHONSAFEPATH``, which keeps the
working directory off their path too.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _is_checkout(entry: str) -> bool:
    return Path(entry or os.getcwd()).resolve() == ROOT


sys.path[:] = [entry for entry in sys.path if not _is_checkout(entry)]
os.environ["PYTHONSAFEPATH"] = "1"
if "monitor" in sys.modules:  # imported from the checkout before this file ran
    for name in [n for n in sys.modules if n == "monitor" or n.startswith("monitor.")]:
        del sys.modules[name]

# No test depends on the day it runs: "today" (freshness, days behind today) is pinned
# to the day the live-data issue was measured; a test that needs another day sets it.
os.environ["MONITOR_TODAY"] = "2026-12-01"

# Indicator results are cached for one test session (MONITOR_CACHE_DIR): the LPPLS fits
# cost about 0.2 s a month and every suite evaluates both bundled cases many times, in this
# process and in CLI subprocesses, which inherit the variable. A fresh folder each session,
# so no test reads a previous session's entries; removed at exit.
_CACHE = tempfile.mkdtemp(prefix="monitor-test-cache-")
os.environ["MONITOR_CACHE_DIR"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)
