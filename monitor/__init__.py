"""Early-warning monitor for investment bubbles.

The 2000 telecom bust, encoded as rule files over pluggable indicators, evaluated
point in time and reported as self-contained HTML. Importing this package is cheap
on purpose: ``monitor --help`` must not pull in pandas, so the two names a plugin
needs (``from monitor import Indicator, hookimpl``) resolve on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from monitor.core.version import __version__

if TYPE_CHECKING:
    from monitor.indicator.base import Indicator
    from monitor.indicator.hookspecs import hookimpl

_PLUGIN_API = {"Indicator": "monitor.indicator.base", "hookimpl": "monitor.indicator.hookspecs"}

__all__ = ["Indicator", "__version__", "hookimpl"]


def __getattr__(name: str) -> Any:
    if name in _PLUGIN_API:
        return getattr(importlib.import_module(_PLUGIN_API[name]), name)
    raise AttributeError(f"module 'monitor' has no attribute {name!r}")
