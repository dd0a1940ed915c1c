"""YAML loading that remembers where every key and value came from.

ruamel.yaml's round-trip loader keeps line and column for each mapping key and
sequence item, so every later error (unknown key, bad expression, duplicate id) can
point at ``file:line:col`` instead of just naming the problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from monitor.core.errors import YamlSyntaxError


@dataclass(frozen=True, order=True)
class Position:
    """A 1-based place in a file."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        if self.col <= 0:  # readers without columns (TOML) give lines only
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.col}"


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    yaml.preserve_quotes = True
    return yaml


def load_text(text: str, file: str) -> Any:
    """Parse YAML text; raise :class:`YamlSyntaxError` with a position on failure."""
    try:
        return _yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        col = mark.column + 1 if mark is not None else 1
        message = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise YamlSyntaxError(Position(file, line, col), message or "invalid YAML") from None
    except YAMLError as exc:
        raise YamlSyntaxError(Position(file, 1, 1), str(exc).splitlines()[0]) from None


def load_file(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise YamlSyntaxError(Position(str(path), 1, 1), f"not UTF-8 text: {exc.reason}") from None
    return load_text(text, str(path))


def key_position(node: Any, key: Any, file: str) -> Position:
    """Where ``key`` is written inside mapping ``node`` (falls back to the node)."""
    if isinstance(node, CommentedMap):
        try:
            line, col = node.lc.key(key)
            return Position(file, line + 1, col + 1)
        except (KeyError, TypeError):
            pass
    return node_position(node, file)


def value_position(node: Any, key: Any, file: str) -> Position:
    """Where the value of ``key`` (or item ``key`` of a sequence) starts."""
    if isinstance(node, CommentedMap | CommentedSeq):
        try:
            if isinstance(node, CommentedMap):
                line, col = node.lc.value(key)
            else:
                line, col = node.lc.item(key)
            return Position(file, line + 1, col + 1)
        except (KeyError, TypeError, IndexError):
            pass
    return key_position(node, key, file)


def node_position(node: Any, file: str) -> Position:
    lc = getattr(node, "lc", None)
    if lc is not None and lc.line is not None:
        return Position(file, lc.line + 1, lc.col + 1)
    return Position(file, 1, 1)


def plain(node: Any) -> Any:
    """Convert ruamel containers to plain dicts and lists (positions dropped)."""
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    return node
