"""Optional dependencies, loaded in one place that says which extra to install.

The core install stays small; features such as distributed evaluation or PDF output
need packages behind an extra (``pip install "bubble-monitor[dask]"``). Importing
them through :func:`require` keeps the import at the point of use without a bare
function-level import, and turns a missing package into a message, not a traceback.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from monitor.core.errors import MissingExtra


def require(module: str, extra: str) -> ModuleType:
    """Import ``module`` or raise :class:`MissingExtra` naming the extra that provides it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtra(
            f'{module} is not installed: pip install "bubble-monitor[{extra}]" ({exc})'
        ) from None
