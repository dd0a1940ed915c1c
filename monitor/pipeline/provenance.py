"""A run's fingerprint: what its answer depended on, so it can be reproduced later.

Four parts, each digested with :class:`monitor.core.fingerprint.Fingerprint`: the rule
files (one digest per file, so a reproduction names the file that changed), the
indicator plugins (each indicator's class and the source file of its module), the data
(a store-backed case: the highest store row id the run saw, the row count and a digest
of the rows; a case folder: one digest per file) and the monitor's version with the
evaluation step. ``digest`` covers all of them.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

from monitor.core.fingerprint import Fingerprint
from monitor.core.version import __version__
from monitor.data.case import Case
from monitor.indicator.registry import Registry
from monitor.pipeline.inputs import Inputs


def file_digest(path: str | Path) -> str:
    return Fingerprint().add_file(path).hexdigest()


def _digest(part: dict[str, Any]) -> str:
    return Fingerprint().add_value("part", part).hexdigest()


def plugin_modules(registry: Registry) -> dict[str, dict[str, str]]:
    """Indicator name -> its class and a digest of the module file that defines it."""
    out = {}
    for name in registry.names():
        kind = type(registry.get(name))
        try:
            source = inspect.getfile(kind)
        except (TypeError, OSError):
            source = ""
        out[name] = {
            "class": f"{kind.__module__}.{kind.__qualname__}",
            "digest": file_digest(source) if source else "",
        }
    return out


def _relative(path: Path, folder: Path) -> str:
    return path.relative_to(folder).as_posix() if path.is_relative_to(folder) else str(path)


def data_part(case: Case) -> dict[str, Any]:
    """The store snapshot of a store-backed case, else a digest per file the case read
    (``case.yaml`` and its data files; a README or an ``out/`` folder inside it does not
    count)."""
    if case.snapshot is not None:
        return dict(case.snapshot)
    folder = Path(case.path)
    read = case.files or [p for p in folder.rglob("*") if p.is_file()]
    files = {_relative(p, folder): file_digest(p) for p in sorted(read)}
    return {"kind": "files", "path": str(folder), "files": files, "digest": _digest(files)}


def run_fingerprint(inputs: Inputs, step: str) -> dict[str, Any]:
    """The fingerprint a run records in its JSON and its history row."""
    rules = {str(p): file_digest(p) for p in inputs.ruleset.files}
    plugins = plugin_modules(inputs.registry)
    data = data_part(inputs.case)
    parts = {
        "rules": {"digest": _digest(rules), "files": rules},
        "plugins": {"digest": _digest(plugins), "indicators": plugins},
        "data": data,
        "version": __version__,
        "step": step,
    }
    digest = Fingerprint()
    for key in ("rules", "plugins", "data"):
        digest.add_value(key, parts[key])
    digest.add_value("version", __version__).add_value("step", step)
    return {"digest": digest.hexdigest(), **parts}
