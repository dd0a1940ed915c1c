"""What a cached result computed with a registry's indicators depends on: their code.

A cache kept on disk outlives a process and an upgrade, so naming the indicators is not
enough: the key takes each indicator's class, the bytes of the module that defines it
and the package version. Edit a plugin and every result computed with it misses.
"""

from __future__ import annotations

import inspect
import sys

from monitor.core.fingerprint import Fingerprint
from monitor.core.version import __version__
from monitor.indicator.registry import Registry


def add_registry(digest: Fingerprint, registry: Registry) -> Fingerprint:
    """Add every indicator's name, class and module source to ``digest``."""
    classes = {name: type(registry.get(name)) for name in registry.names()}
    named = {name: f"{cls.__module__}.{cls.__qualname__}" for name, cls in classes.items()}
    digest.add_value("indicators", named)
    modules = sorted({cls.__module__ for cls in classes.values()})
    for module in modules:
        loaded = sys.modules.get(module)
        source = inspect.getsourcefile(loaded) if loaded is not None else None
        if source is not None:
            digest.add_file(source, name=f"module {module}")
        else:
            digest.add_value(f"module {module}", "no source")
    return digest.add_value("bubble_monitor", __version__)
