"""The EDGAR tag mapping: indicator inputs and the us-gaap tags that feed them.

The bundled ``edgar_mapping.yaml`` (package data) maps each input (``revenue``,
``inventory``, ``receivables_reserve``, ...) to a chain of us-gaap tags in order of
preference, because companies change tags over the years. A user's file in the same
layout replaces inputs of the same name and adds new ones. Every problem in a file is
reported at once with ``file:line:col``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from monitor.core.errors import SourceError, YamlSyntaxError
from monitor.core.problems import Problems
from monitor.core.yamlio import key_position, load_file, load_text, node_position, value_position

KINDS = ("duration", "instant")
UNITS = {"$bn": 1e9, "$m": 1e6}  # divisors of the USD values
KEYS = {"kind", "unit", "tags", "quarterly"}
NAME = re.compile(r"^[a-z][a-z0-9_]*\Z")  # an observation series id
TAG = re.compile(r"^[A-Za-z][A-Za-z0-9_]*\Z")
BUNDLED = "edgar_mapping.yaml"


@dataclass(frozen=True)
class TagChain:
    """One input: its series, the tags in order of preference, how to read them."""

    series: str
    kind: str
    unit: str
    tags: tuple[str, ...]
    quarterly: str | None = None

    @property
    def divisor(self) -> float:
        return UNITS[self.unit]


def bundled_mapping() -> dict[str, TagChain]:
    """The mapping shipped with the monitor."""
    text = resources.files("monitor.data.sources").joinpath(BUNDLED).read_text(encoding="utf-8")
    return _parse(load_text(text, BUNDLED), BUNDLED)


def load_mapping(path: Path | None = None) -> dict[str, TagChain]:
    """The bundled mapping, with the inputs of the file at ``path`` replacing or added."""
    chains = bundled_mapping()
    if path is None:
        return chains
    try:
        node = load_file(Path(path))
    except YamlSyntaxError as exc:
        raise SourceError(str(exc)) from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot read the EDGAR mapping ({exc.strerror})") from None
    return {**chains, **_parse(node, str(path))}


def _parse(node: Any, file: str) -> dict[str, TagChain]:
    problems = Problems()
    inputs = node.get("inputs") if isinstance(node, dict) else None
    if not isinstance(inputs, dict):
        problems.add(node_position(node, file), "an EDGAR mapping is a mapping under 'inputs'")
        problems.raise_if_any(lambda m: SourceError("\n".join(m)))
        return {}
    out: dict[str, TagChain] = {}
    for name, entry in inputs.items():
        where = key_position(inputs, name, file)
        if not NAME.match(str(name)):
            problems.add(where, f"input {name!r}: a series id is lower case, digits and _")
        if not isinstance(entry, dict):
            problems.add(where, f"input {name!r}: give kind, unit and tags")
            continue
        for key in entry:
            if str(key) not in KEYS:
                problems.add(key_position(entry, key, file), f"unknown key {key!r}")
        kind, unit, tags = entry.get("kind"), entry.get("unit"), entry.get("tags")
        quarterly = entry.get("quarterly")
        if kind not in KINDS:
            problems.add(
                value_position(entry, "kind", file) if "kind" in entry else where,
                f"input {name!r}: kind must be one of {', '.join(KINDS)}",
            )
        if unit not in UNITS:
            problems.add(
                value_position(entry, "unit", file) if "unit" in entry else where,
                f"input {name!r}: unit must be one of {', '.join(UNITS)}",
            )
        if not isinstance(tags, list) or not tags:
            problems.add(where, f"input {name!r}: list its us-gaap tags under 'tags'")
            tags = []
        for i, tag in enumerate(tags):
            if not isinstance(tag, str) or not TAG.match(tag):
                problems.add(value_position(tags, i, file), f"{tag!r} is not a us-gaap tag name")
        if quarterly is not None and not (isinstance(quarterly, str) and NAME.match(quarterly)):
            problems.add(
                value_position(entry, "quarterly", file),
                "quarterly: a series id (lower case, digits and _)",
            )
        out[str(name)] = TagChain(
            str(name),
            str(kind),
            str(unit),
            tuple(str(t) for t in tags),
            str(quarterly) if quarterly else None,
        )
    problems.raise_if_any(lambda m: SourceError("\n".join(m)))
    return out
