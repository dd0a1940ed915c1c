"""Parsing rule conditions and stage activations with a real grammar.

The grammar (``expression.lark``) admits comparisons, ``and``/``or``/``not``,
arithmetic, numbers with units, durations, indicator names and a whitelist of window
functions. There is no attribute access, no indexing and no call outside the
whitelist, and the text never reaches ``eval``: the tree is compiled to pandas
operations by :mod:`monitor.language.compiler`; the functions themselves are one
table in :mod:`monitor.language.functions`.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

from monitor.core.errors import ExpressionError

MAX_LENGTH = 2000
MAX_DEPTH = 60


KEYWORDS = {"and", "or", "not", "value"}

TOKEN_NAMES = {
    "COMPARATOR": "a comparison (>=, <=, >, <, ==, !=)",
    "NUMBER": "a number",
    "DURATION": "a duration such as 12mo",
    "NAME": "an indicator or function name",
    "RULE_ID": "a rule id",
    "LPAR": "'('",
    "RPAR": "')'",
    "COMMA": "','",
    "UNIT": "a unit (%, pp, bp, bn, tn, m, k, x)",
    "_AND": "'and'",
    "_OR": "'or'",
    "_NOT": "'not'",
    "ADDOP": "'+' or '-'",
    "MULOP": "'*' or '/'",
    "MINUS": "'-'",
    "$END": "end of expression",
}


@cache
def _parser(start: str) -> Lark:
    grammar = (resources.files("monitor.language") / "expression.lark").read_text(encoding="utf-8")
    return Lark(
        grammar, parser="lalr", start=start, propagate_positions=True, maybe_placeholders=False
    )


def _expected(tokens: set[str]) -> str:
    names = sorted({TOKEN_NAMES.get(t, t) for t in tokens if not t.startswith("__")})
    return ", ".join(names[:6])


def _parse(text: str, start: str) -> Tree[Token]:
    if not isinstance(text, str):
        raise ExpressionError(f"expected text, got {type(text).__name__}")
    if not text.strip():
        raise ExpressionError("empty expression")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_LENGTH} characters")
    if text.count("(") > MAX_DEPTH:
        raise ExpressionError(f"expression nested deeper than {MAX_DEPTH} levels")
    try:
        return _parser(start).parse(text)
    except UnexpectedCharacters as exc:
        pos = exc.pos_in_stream or 0
        char = text[pos] if pos < len(text) else ""
        raise ExpressionError(f"unexpected character {char!r}", exc.line, exc.column) from None
    except UnexpectedEOF as exc:
        line, col = _end_position(text)
        raise ExpressionError(
            f"unexpected end of expression; expected {_expected(set(exc.expected))}", line, col
        ) from None
    except UnexpectedToken as exc:
        if exc.token.type == "$END":
            line, col = _end_position(text)
            raise ExpressionError(
                f"unexpected end of expression; expected {_expected(exc.accepts or exc.expected)}",
                line,
                col,
            ) from None
        raise ExpressionError(
            f"unexpected {exc.token!s:.30}; expected {_expected(exc.accepts or exc.expected)}",
            exc.line,
            exc.column,
        ) from None
    except LarkError as exc:  # any other parser failure is still the user's input
        raise ExpressionError(f"cannot parse expression: {exc}") from None
    except RecursionError:
        raise ExpressionError("expression nested too deeply") from None


def _end_position(text: str) -> tuple[int, int]:
    lines = text.rstrip().splitlines() or [""]
    return len(lines), len(lines[-1]) + 1


def parse_condition(text: str) -> Tree[Token]:
    """Parse a rule's ``when`` text; raise :class:`ExpressionError` with a position."""
    return _parse(text, "start")


def parse_activation(text: str) -> Tree[Token]:
    """Parse a stage activation expression over rule ids."""
    return _parse(text, "activation")


def position(node: Tree[Token] | Token) -> tuple[int, int]:
    if isinstance(node, Token):
        return node.line or 1, node.column or 1
    meta = node.meta
    if getattr(meta, "empty", True):
        for child in node.children:
            if isinstance(child, Tree | Token):
                return position(child)
        return 1, 1
    return meta.line, meta.column
