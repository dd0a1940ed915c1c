"""Generated parts of the rule-language reference (``docs/rule-language.md``).

The reference must not drift from the code, so its tables are generated from the
tables the loader and compiler use (keys, functions, units, states, the grammar
itself). A test regenerates them and compares; ``python -m monitor.cli.reference``
rewrites them together with the CLI reference (``--check`` only compares).
Generated blocks sit between ``<!-- generated:NAME -->`` and ``<!-- /generated:NAME -->``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from importlib import resources

import pandas as pd

from monitor.authoring import testfile as ruletestfile
from monitor.core.durations import UNIT_NAMES, Duration
from monitor.core.units import INDICATOR_UNITS, LITERAL_UNITS
from monitor.engine.states import AlertState, compute_states
from monitor.language.compiler import COMPARATORS
from monitor.language.functions import FUNCTIONS
from monitor.language.parser import KEYWORDS
from monitor.rulebook import model as rulemodel

BLOCK = re.compile(
    r"(<!-- generated:(?P<name>[a-z-]+) -->\n)(.*?)(<!-- /generated:(?P=name) -->)", re.S
)

STATE_DOCS = {
    "inactive": "The condition does not hold, and the rule has not fired in the evaluated history.",
    "pending": "The condition holds, but not yet for the rule's `for` duration.",
    "firing": "The condition has held for `for`, or stopped less than `keep_firing_for` ago.",
    "resolved": "The rule fired earlier in the evaluated history and no longer does.",
}


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _keys(docs: Mapping[str, str], keys: set[str], required: tuple[str, ...] = ()) -> str:
    if set(docs) != set(keys):
        raise AssertionError(f"key docs out of step: {sorted(set(docs) ^ set(keys))}")
    rows = [(f"`{k}`", "yes" if k in required else "", docs[k]) for k in sorted(keys)]
    return _table(("key", "required", "meaning"), rows)


def sections() -> dict[str, str]:
    """Every generated block of ``rule-language.md``, freshly built from the code."""

    states = [s.label for s in AlertState]
    if set(states) != set(STATE_DOCS):
        raise AssertionError("state docs out of step with AlertState")
    t = ruletestfile
    out = {
        "file-keys": _keys(rulemodel.FILE_KEY_DOCS, rulemodel.FILE_KEYS, ("rules",)),
        "activate-keys": _keys(rulemodel.ACTIVATE_KEY_DOCS, rulemodel.ACTIVATE_KEYS),
        "rule-keys": _keys(rulemodel.RULE_KEY_DOCS, rulemodel.RULE_KEYS, rulemodel.RULE_REQUIRED),
        "precedent-keys": _keys(rulemodel.PRECEDENT_KEY_DOCS, rulemodel.PRECEDENT_KEYS, ("date",)),
        "severities": _table(
            ("severity", "score weight"),
            [(f"`{k}`", f"{v:g}") for k, v in rulemodel.SEVERITIES.items()],
        ),
        "functions": _table(
            ("function", "reads", "window", "result", "meaning"),
            [
                (f"`{s.signature}`", s.series_kind, s.window, s.result_unit, s.doc)
                for s in FUNCTIONS.values()
            ],
        ),
        "operators": _table(
            ("kind", "written"),
            [
                ("comparison", " ".join(f"`{c}`" for c in COMPARATORS)),
                ("logic", "`and` `or` `not` (in rising order of binding)"),
                ("arithmetic", "`+` `-` `*` `/`, unary `-`, parentheses"),
                ("reserved words", " ".join(f"`{k}`" for k in sorted(KEYWORDS))),
            ],
        ),
        "literal-units": _table(
            ("suffix", "meaning"), [(f"`{k}`", v[1]) for k, v in LITERAL_UNITS.items()]
        ),
        "indicator-units": _table(
            ("indicator unit", "dimension", "scale"),
            [(f"`{k}`", u.dimension or "-", f"{u.scale:g}") for k, u in INDICATOR_UNITS.items()],
        ),
        "durations": _table(("suffix", "meaning"), [(f"`{k}`", v) for k, v in UNIT_NAMES.items()]),
        "states": _table(("state", "meaning"), [(f"`{s}`", STATE_DOCS[s]) for s in states]),
        "state-diagram": state_diagram(),
        "grammar": "```\n"
        + (resources.files("monitor.language") / "expression.lark").read_text(encoding="utf-8")
        + "```\n",
        "test-file-keys": _keys(t.TEST_FILE_KEYS, set(t.TEST_FILE_KEYS), ("rule_files", "tests")),
        "test-keys": _keys(t.TEST_KEYS, set(t.TEST_KEYS), ("name",)),
        "series-keys": _keys(t.SERIES_KEYS, set(t.SERIES_KEYS), ("series", "entity")),
        "alert-eval-keys": _keys(t.ALERT_EVAL_KEYS, set(t.ALERT_EVAL_KEYS), ("at", "alerts")),
        "alert-keys": _keys(t.ALERT_KEYS, set(t.ALERT_KEYS)),
        "stage-eval-keys": _keys(t.STAGE_EVAL_KEYS, set(t.STAGE_EVAL_KEYS), ("at",)),
    }
    return out


def fill(text: str, blocks: Mapping[str, str]) -> str:
    """Replace every generated block in ``text``; an unknown block name is an error."""

    def replace(match: re.Match[str]) -> str:
        name = match.group("name")
        if name not in blocks:
            raise KeyError(f"no generator for block {name!r}")
        return match.group(1) + blocks[name] + match.group(4)

    return BLOCK.sub(replace, text)


# The example of the state diagram: the condition holds on days 3-6 and 8.
DIAGRAM_CONDITION = ". . T T T T . T . . . . . ."
DIAGRAM_LETTERS = {
    AlertState.INACTIVE: ".",
    AlertState.PENDING: "P",
    AlertState.FIRING: "F",
    AlertState.RESOLVED: "R",
}


def state_diagram() -> str:
    """The states the engine computes for the example, one column per evaluation day."""
    flags = [c == "T" for c in DIAGRAM_CONDITION.split()]
    days = pd.date_range("2020-01-01", periods=len(flags), freq="D", unit="us")
    condition = pd.DataFrame({"X": flags}, index=days)
    rows = [
        ("day", [str(d.day) for d in days]),
        ("condition", ["T" if f else "." for f in flags]),
    ]
    for for_, keep in [(2, 3), (2, 0)]:
        table = compute_states(condition, Duration(for_, "d"), Duration(keep, "d"))
        letters = [DIAGRAM_LETTERS[AlertState(int(c))] for c in table.states["X"]]
        rows.append((f"for {for_}d, keep {keep}d", letters))
    width = max(len(label) for label, _ in rows) + 2
    lines = [
        label.ljust(width) + " ".join(cell.rjust(2) for cell in cells) for label, cells in rows
    ]
    return "```\n" + "\n".join(line.rstrip() for line in lines) + "\n```\n"
