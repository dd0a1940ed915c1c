"""Reading monitor.toml values with positions: every problem names file, line and key.

tomllib keeps no positions, so :func:`key_line` finds them by scanning the text for
``[table]`` / ``[[array]]`` headers and ``key =`` lines: good enough for the flat files
we document, and it falls back to the table header (or line 1) when a key hides in an
inline table. :class:`ConfigChecker` collects every problem while the readers of
:mod:`monitor.ops.config`, :mod:`monitor.ops.targets` and :mod:`monitor.ops.sourceconfig`
take values out, so a config is reported whole, once.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from monitor.core.problems import Problems
from monitor.core.yamlio import Position

SECRET_KEYS = {"password", "token", "secret", "api_key"}


def key_line(text: str, table: str | None, key: str | None, index: int = 0) -> int:
    """1-based line of ``key`` in ``[table]`` (or the ``index``-th ``[[table]]``).

    ``table=None`` means the top level (before any header). Returns the header's
    line when the key is not found on its own line, and 1 when nothing matches.
    """
    current: str | None = None
    seen: dict[str, int] = {}
    header_line = 1 if table is None else 0
    in_target = table is None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        header = re.match(r"^\[\[?\s*([^\]]+?)\s*\]\]?", line)
        if header:
            current = header.group(1).replace('"', "").replace(" ", "")
            count = seen.get(current, -1) + 1
            seen[current] = count
            in_target = current == table and count == index
            if in_target:
                header_line = number
            continue
        if in_target and key and re.match(rf'^"?{re.escape(key)}"?\s*=', line):
            return number
    return header_line or 1


class ConfigChecker:
    """Collects problems as ``file:line: where key: message`` while reading values."""

    def __init__(self, path: Path, text: str) -> None:
        self.path, self.text = path, text
        self.problems = Problems()

    def error(self, table: str | None, key: str | None, message: str, index: int = 0) -> None:
        line = key_line(self.text, table, key, index)
        where = (
            ""
            if table is None
            else (
                f"[[{table}]] #{index + 1} "
                if table in ("schedule", "source", "case")
                else f"[{table}] "
            )
        )
        label = f"{where}{key or ''}".strip()
        self.problems.add(
            Position(str(self.path), line, 0), f"{label}: {message}" if label else message
        )

    def unknown(
        self, data: dict[str, Any], allowed: set[str], table: str | None, index: int = 0
    ) -> None:
        for key in sorted(set(data) - allowed):
            if key in SECRET_KEYS:
                self.error(
                    table,
                    key,
                    f"secrets are not allowed in the file: set {key}_env "
                    "to the name of an environment variable",
                    index,
                )
            else:
                self.error(
                    table, key, f"unknown key (allowed: {', '.join(sorted(allowed))})", index
                )

    def get(
        self,
        data: dict[str, Any],
        key: str,
        kind: type | tuple[type, ...],
        table: str | None,
        default: Any = None,
        index: int = 0,
    ) -> Any:
        if key not in data:
            return default
        value = data[key]
        if isinstance(value, bool) and kind in (int, float, (int, float)):
            self.error(table, key, "expected a number", index)
            return default
        if not isinstance(value, kind):
            name = kind.__name__ if isinstance(kind, type) else "number"
            self.error(table, key, f"expected {name}, got {type(value).__name__}", index)
            return default
        return value

    def strings(
        self, data: dict[str, Any], key: str, table: str | None, default: list[str], index: int = 0
    ) -> list[str]:
        value = data.get(key, default)
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(table, key, "expected a string or a list of strings", index)
            return default
        return list(value)
