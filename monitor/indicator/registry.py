"""Indicator discovery through pluggy, as datasette does it.

Built-in indicator modules are registered by module name (datasette's
``DEFAULT_PLUGINS``), so they work whatever the installed package metadata says;
third-party packages register through the ``monitor.indicators`` entry-point group,
and a config may add a folder of extra modules. A plugin that fails to import or
registers something unusable is reported and left out, and every other plugin keeps
working.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy

from monitor.core.errors import IndicatorError
from monitor.indicator.base import Indicator
from monitor.indicator.hookspecs import ENTRY_POINT_GROUP, PROJECT, IndicatorSpec

# The built-in families (the top-level ``indicators/`` folder, installed as
# ``monitor.indicators``), imported by name like any plugin module.
DEFAULT_PLUGINS = (
    "monitor.indicators.macro",
    "monitor.indicators.markets",
    "monitor.indicators.vendor_financing",
    "monitor.indicators.concentration",
    "monitor.indicators.reserves",
    "monitor.indicators.capacity",
    "monitor.indicators.investment",
    "monitor.indicators.return_test",
    "monitor.indicators.events",
    "monitor.indicators.exuberance",
    "monitor.indicators.exuberance_lppls",
)


@dataclass(frozen=True)
class PluginFailure:
    plugin: str
    error: str

    def __str__(self) -> str:
        return f"plugin {self.plugin!r}: {self.error}"


@dataclass
class Registry:
    """Every usable indicator by name, and every plugin problem met on the way."""

    indicators: dict[str, Indicator] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    failures: list[PluginFailure] = field(default_factory=list)

    def get(self, name: str) -> Indicator:
        try:
            return self.indicators[name]
        except KeyError:
            known = ", ".join(sorted(self.indicators))
            raise IndicatorError(f"unknown indicator {name!r}; known: {known}") from None

    def names(self) -> list[str]:
        return sorted(self.indicators)


def _import(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except Exception as exc:  # noqa: BLE001 - a broken plugin must not stop the others
        return exc


def _builtin_modules() -> list[tuple[str, Any]]:
    return [(name.rsplit(".", 1)[1], _import(name)) for name in DEFAULT_PLUGINS]


def _entry_point_modules() -> list[tuple[str, Any]]:
    loaded: list[tuple[str, Any]] = []
    for entry in metadata.entry_points(group=ENTRY_POINT_GROUP):
        if entry.value in DEFAULT_PLUGINS:
            continue  # an older install's metadata naming a built-in: already registered
        try:
            loaded.append((entry.name, entry.load()))
        except Exception as exc:  # noqa: BLE001 - a broken plugin must not stop the others
            loaded.append((entry.name, exc))
    return loaded


def _folder_modules(folder: Path) -> list[tuple[str, Any]]:
    loaded: list[tuple[str, Any]] = []
    for path in sorted(folder.glob("*.py")):
        if path.name.startswith("_"):
            continue
        name = f"monitor_extra_{path.stem}"
        try:
            spec = importlib.util.spec_from_file_location(name, path)
            if spec is None or spec.loader is None:
                raise ImportError(f"cannot import {path}")
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
            loaded.append((str(path), module))
        except Exception as exc:  # noqa: BLE001
            loaded.append((str(path), exc))
    return loaded


def load_registry(extra_folders: Iterable[Path] = ()) -> Registry:
    """Register the built-ins, then entry-point plugins, then extra folders."""
    manager = pluggy.PluginManager(PROJECT)
    manager.add_hookspecs(IndicatorSpec)
    registry = Registry()
    candidates = _builtin_modules() + _entry_point_modules()
    for folder in extra_folders:
        candidates += _folder_modules(Path(folder))
    for name, module in candidates:
        if isinstance(module, Exception):
            registry.failures.append(PluginFailure(name, f"import failed: {module!r}"))
            continue
        _register_one(manager, registry, name, module, Indicator)
    return registry


def _register_one(
    manager: pluggy.PluginManager,
    registry: Registry,
    name: str,
    module: ModuleType,
    base: type[Indicator],
) -> None:
    try:
        manager.register(module, name=name)
        hook = manager.subset_hook_caller(
            "monitor_indicators",
            remove_plugins=[p for p in manager.get_plugins() if p is not module],
        )
        results = hook()
    except Exception as exc:  # noqa: BLE001
        registry.failures.append(PluginFailure(name, f"registration failed: {exc!r}"))
        return
    for classes in results:
        for cls in classes or ():
            problem = _class_problem(cls, base)
            if problem is None and cls.name in registry.indicators:
                first = registry.origins[cls.name]
                problem = f"duplicate indicator name {cls.name!r} (first from {first})"
            if problem:
                registry.failures.append(PluginFailure(name, problem))
                continue
            registry.indicators[cls.name] = cls()
            registry.origins[cls.name] = name


def _class_problem(cls: Any, base: type[Indicator]) -> str | None:
    if not (isinstance(cls, type) and issubclass(cls, base)):
        return f"{cls!r} is not an Indicator subclass"
    for attribute in ("name", "title", "unit"):
        if not isinstance(getattr(cls, attribute, None), str):
            return f"{cls.__name__} lacks a string {attribute!r}"
    if cls.compute is base.compute:
        return f"{cls.__name__} does not implement compute()"
    return None
