"""Loading YAML rule files into a checked, compiled rule set.

Parsing is separate from evaluation, as Prometheus separates ``rulefmt`` from its
rule manager. Loading collects *every* problem in every file before giving up
(``file:line:col: rule "id": message``) and never returns a half-loaded set: either
all files are good or :class:`RuleFileError` lists what to fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from monitor.core.errors import ExpressionError, RuleFileError
from monitor.core.problems import Problem
from monitor.core.yamlio import Position
from monitor.language.compiler import IndicatorInfo
from monitor.rulebook.activation import compile_activation
from monitor.rulebook.model import (
    Activation,
    Rule,
    RuleSet,
)
from monitor.rulebook.parser import FileParser


def bundled_rules_dir() -> Path:
    return Path(str(resources.files("monitor.rules")))


def rule_files(paths: Iterable[Path]) -> list[Path]:
    """YAML files in the given files or folders (not their ``tests/`` subfolders)."""
    found: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found += sorted(p for p in path.glob("*.y*ml") if p.suffix in (".yaml", ".yml"))
        else:
            found.append(path)
    return found


@dataclass
class CheckResult:
    """Everything :func:`check_rules` found: problems, and the rule set if there were none."""

    problems: list[Problem]
    ruleset: RuleSet | None
    files: list[Path]
    nodes: dict[str, tuple[str, CommentedMap]] = field(default_factory=dict)


def check_rules(paths: Iterable[Path], indicators: Mapping[str, IndicatorInfo]) -> CheckResult:
    """Load every rule file and return every problem (sorted) instead of raising.

    ``nodes`` maps each rule id to its file and YAML node, so lint checks (missing
    description, precedent or test) can point at the rule without parsing again.
    """
    paths = list(paths)
    files = rule_files(paths)
    if not files:
        where = ", ".join(str(p) for p in paths) or "(no path)"
        return CheckResult([Problem(Position(where, 1, 1), "no rule files found")], None, [])
    loaders = []
    problems: list[Problem] = []
    for path in files:
        loader = FileParser(path, indicators)
        loader.load()
        loaders.append(loader)
        problems += loader.problems
    first_seen: dict[str, Position] = {}
    for loader in loaders:
        for rule_id, at in loader.ids:
            if rule_id in first_seen:
                first = first_seen[rule_id]
                problems.append(
                    Problem(
                        at, f"duplicate id (first defined at {first.file}:{first.line})", rule_id
                    )
                )
            else:
                first_seen[rule_id] = at
    seen: dict[str, Rule] = {}
    rules: list[Rule] = []
    for loader in loaders:
        for rule in loader.rules:
            if rule.id not in seen:
                seen[rule.id] = rule
                rules.append(rule)
    activations = _activations(loaders, set(first_seen), problems)
    nodes = {rid: (lo.file, node) for lo in loaders for rid, node in lo.nodes.items()}
    if problems:
        problems.sort(key=lambda p: (p.position.file, p.position.line, p.position.col))
        return CheckResult(problems, None, files, nodes)
    titles = {lo.stage: lo.title for lo in loaders if lo.stage is not None and lo.activation}
    ruleset = RuleSet(rules, activations, [str(f) for f in files], titles)
    return CheckResult([], ruleset, files, nodes)


def load_rules(paths: Iterable[Path], indicators: Mapping[str, IndicatorInfo]) -> RuleSet:
    """Load and compile every rule file; raise :class:`RuleFileError` listing all problems."""
    result = check_rules(paths, indicators)
    if result.ruleset is None:
        raise RuleFileError([str(p) for p in result.problems])
    return result.ruleset


def _activations(
    loaders: list[FileParser], rule_ids: set[str], problems: list[Problem]
) -> dict[int, Activation]:
    activations: dict[int, Activation] = {}
    for loader in loaders:
        activation = loader.activation
        if activation is None:
            continue
        if activation.stage in activations:
            problems.append(
                Problem(
                    Position(loader.file, 1, 1),
                    f"stage {activation.stage} activation is already declared in "
                    f"{activations[activation.stage].file}",
                )
            )
            continue
        if activation.when is not None:
            try:
                activation.evaluate, _ = compile_activation(activation.when, rule_ids)
            except ExpressionError as exc:
                problems.append(Problem(loader.activation_position(exc), exc.message))
                continue
        activations[activation.stage] = activation
    for stage in (1, 2, 3):
        activations.setdefault(stage, Activation(stage, min_firing=1, file="(default)"))
    return activations


def indicator_infos(registry: Any) -> dict[str, IndicatorInfo]:
    """The compiler's view of a plugin registry."""
    return {
        name: IndicatorInfo(indicator.unit, indicator.kind)
        for name, indicator in registry.indicators.items()
    }
