"""Kept for plugins written against the first release (``from monitor.plugins import
hookimpl``); new code imports from :mod:`monitor` or :mod:`monitor.indicator`."""

from monitor.indicator.hookspecs import ENTRY_POINT_GROUP, hookimpl, hookspec
from monitor.indicator.registry import PluginFailure, Registry, load_registry

__all__ = [
    "ENTRY_POINT_GROUP",
    "PluginFailure",
    "Registry",
    "hookimpl",
    "hookspec",
    "load_registry",
]
