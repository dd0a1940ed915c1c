"""YAML loading that remembers where every key and value came from.

ruamel.yaml's round-trip loader keeps line and column for each mapping key and
sequence item, so every later error (unknown key, bad expression, duplicate id) can
point at ``file:line:col`` instead of just naming the problem.

Rule files and ``case.yaml`` are input from anyone, so a document is measured before it
is built: walking the parser's events (iteratively, so nothing recurses) bounds how
deep it nests and how large it becomes once every alias is expanded. A "billion laughs"
document is a few hundred bytes whose aliases expand to gigabytes when a value is turned
into text; an anchor reused a handful of times stays well inside the bound.
"""

from __future__ import annotations

import reprlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    ScalarEvent,
)

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


MAX_DEPTH = 64
"""Deepest nesting of mappings and lists; a rule file needs about six levels."""

MAX_EXPANDED_SIZE = 2_000_000
"""Largest document once aliases are expanded: one unit per node plus one per character
of every scalar. The bundled rule files measure a few thousand; the bound leaves three
orders of magnitude for real files while a billion-laughs document stops at once."""


def _measure(text: str, file: str) -> None:
    """Refuse a document nested deeper than MAX_DEPTH or expanding past MAX_EXPANDED_SIZE.

    Sizes are summed from the event stream with an explicit stack: an alias counts
    the whole size of the node it names, an alias inside its own anchor (a recursive
    document) never ends and is refused.
    """
    anchors: dict[str, int] = {}
    stack: list[tuple[str | None, int]] = []  # (anchor, size so far) of open collections
    total = 0
    for event in _yaml().parse(text):
        size: int | None = None
        if isinstance(event, CollectionStartEvent):
            stack.append((event.anchor, 1))
            if len(stack) > MAX_DEPTH:
                raise YamlSyntaxError(_mark(event, file), f"nested deeper than {MAX_DEPTH} levels")
            continue
        if isinstance(event, CollectionEndEvent):
            anchor, size = stack.pop()
            if anchor is not None:
                anchors[anchor] = size
        elif isinstance(event, ScalarEvent):
            size = 1 + len(event.value)
            if event.anchor is not None:
                anchors[event.anchor] = size
        elif isinstance(event, AliasEvent):
            if event.anchor not in anchors:  # still open: the alias is inside its anchor
                raise YamlSyntaxError(
                    _mark(event, file), f"alias *{short_text(event.anchor)} refers to itself"
                )
            size = anchors[event.anchor]
        if size is None:
            continue
        if stack:
            anchor, inner = stack[-1]
            stack[-1] = (anchor, inner + size)
        else:
            total += size
        if total + sum(s for _, s in stack) > MAX_EXPANDED_SIZE:
            raise YamlSyntaxError(
                _mark(event, file),
                f"document expands past {MAX_EXPANDED_SIZE:,} units once its aliases are "
                "expanded (an alias bomb?); reuse anchors sparingly",
            )


def _mark(event: Any, file: str) -> Position:
    mark = event.start_mark
    return Position(file, mark.line + 1, mark.column + 1)


def load_text(text: str, file: str) -> Any:
    """Parse YAML text; raise :class:`YamlSyntaxError` with a position on failure.

    The document is measured first (:func:`_measure`), so a value built here can be
    turned into text without running away.
    """
    try:
        _measure(text, file)
        return _yaml().load(text)
    except RecursionError:  # the bound above makes this unreachable; never a traceback
        raise YamlSyntaxError(Position(file, 1, 1), "nested too deeply") from None
    except ValueError as exc:  # e.g. an integer past Python's 4300-digit conversion limit
        raise YamlSyntaxError(Position(file, 1, 1), short_text(exc, 200)) from None
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


def plain(node: Any, budget: int = MAX_EXPANDED_SIZE) -> Any:
    """Convert ruamel containers to plain dicts and lists (positions dropped).

    At most ``budget`` nodes are produced, so even a structure that did not come
    through :func:`load_text` cannot expand without bound.
    """
    remaining = [budget]

    def convert(value: Any, depth: int) -> Any:
        remaining[0] -= 1
        if remaining[0] < 0 or depth > MAX_DEPTH:
            raise YamlSyntaxError(Position("<yaml>", 1, 1), "value too large to convert")
        if isinstance(value, dict):
            return {
                k if isinstance(k, str) else short_text(k, 200): convert(v, depth + 1)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [convert(v, depth + 1) for v in value]
        return value

    return convert(node, 0)


class _BoundedRepr(reprlib.Repr):
    """reprlib that also bounds ruamel's containers (its fallback would repr them whole)."""

    def repr_CommentedMap(self, x: Any, level: int) -> str:  # noqa: N802 (reprlib's naming)
        return self.repr_dict(x, level)

    def repr_CommentedSeq(self, x: Any, level: int) -> str:  # noqa: N802
        return self.repr_list(x, level)

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > 128:  # repr() of a 5000-digit int raises, and floods otherwise
            return f"<{x.bit_length()}-bit integer>"
        return repr(x)


_REPR = _BoundedRepr()
_REPR.maxstring = 80
_REPR.maxother = 80


def short(value: object) -> str:
    """A bounded repr for messages: a fuzzed or aliased value must not flood the output."""
    return _REPR.repr(value)


def short_text(value: object, limit: int = 80) -> str:
    """``str(value)`` for a scalar, a bounded repr for anything else, cut at ``limit``."""
    huge = isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128
    # text, numbers, dates, exceptions as str() writes them; containers and huge ints bounded
    text = short(value) if huge or isinstance(value, dict | list | tuple | set) else str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
