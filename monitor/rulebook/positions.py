"""Where an error inside a rule's expression sits in the YAML file.

The compiler reports positions inside the expression text; a person needs them in
the file, which depends on how the scalar was written (plain, quoted, ``|`` or ``>``).
"""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
    SingleQuotedScalarString,
)

from monitor.core.errors import ExpressionError
from monitor.core.yamlio import Position, value_position


def expression_position(node: CommentedMap, key: str, exc: ExpressionError, file: str) -> Position:
    """The file position of ``exc`` inside the expression under ``key`` of ``node``."""
    start = value_position(node, key, file)
    value = node[key]
    if isinstance(value, LiteralScalarString | FoldedScalarString):
        return _block_position(start, str(value), exc, file)
    quoted = isinstance(value, DoubleQuotedScalarString | SingleQuotedScalarString)
    if exc.line > 1:  # a multi-line plain or quoted scalar
        return Position(file, start.line + exc.line - 1, exc.col)
    return Position(file, start.line, start.col + exc.col - 1 + (1 if quoted else 0))


def _block_position(start: Position, text: str, exc: ExpressionError, file: str) -> Position:
    """Map a position in a ``|`` or ``>`` block's text back to the file.

    The block's lines follow the indicator line, indented; a literal block joins
    them with newlines and a folded one with spaces, one character either way, so
    an offset into the text walks the source lines in step.
    """
    lines = text.splitlines() or [""]
    offset = sum(len(line) + 1 for line in lines[: exc.line - 1]) + exc.col - 1
    try:
        source = Path(file).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return start
    for row in range(start.line, len(source)):
        line = source[row]
        content = line.strip()
        if offset <= len(content):
            indent = len(line) - len(line.lstrip())
            return Position(file, row + 1, indent + offset + 1)
        offset -= len(content) + 1
    return start
