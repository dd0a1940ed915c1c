"""Reloading rule files for every scheduled run, keeping the last good set.

A daemon re-reads its rules before each run so an edit takes effect without a
restart. A broken edit must not silence the monitor: like Prometheus' rule manager,
the reloader keeps evaluating the last set that loaded cleanly, and the run is
marked degraded (with the loader's ``file:line:col`` problems) rather than skipped.
Any failure to load falls back, not only a rule-file error: a parser bug met by a
hostile file (a RecursionError, an OverflowError) must not stop the daemon either.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.core.errors import RuleFileError
from monitor.core.yamlio import short_text
from monitor.pipeline import load_ruleset

if TYPE_CHECKING:
    from monitor.indicator.registry import Registry
    from monitor.rulebook.model import RuleSet


@dataclass
class ReloadResult:
    """The set to evaluate and, when the reload failed, why the old one is used."""

    ruleset: RuleSet
    problems: list[str] = field(default_factory=list)

    @property
    def stale(self) -> bool:
        return bool(self.problems)


class RuleReloader:
    """Holds the last good :class:`RuleSet` for one list of rule folders."""

    def __init__(self, rule_dirs: Sequence[Path] = ()) -> None:
        self.rule_dirs = list(rule_dirs)
        self.last_good: RuleSet | None = None

    def load(self, registry: Registry) -> ReloadResult:
        """Load afresh; on any error fall back to the last good set.

        Raises the error only when there is no good set yet (the first load of a
        daemon's life), because then there is nothing honest to evaluate.
        """

        try:
            ruleset = load_ruleset(registry, self.rule_dirs)
        except RuleFileError as exc:
            if self.last_good is None:
                raise
            problems = ["rule reload failed; evaluating the last good rule set", *exc.problems]
            return ReloadResult(self.last_good, problems)
        except Exception as exc:  # noqa: BLE001 - any failure to load keeps the last good set
            if self.last_good is None:
                raise RuleFileError([f"rules could not be loaded: {short_text(exc, 300)}"]) from exc
            problems = [
                "rule reload failed; evaluating the last good rule set",
                f"{type(exc).__name__}: {short_text(exc, 300)}",
            ]
            return ReloadResult(self.last_good, problems)
        self.last_good = ruleset
        return ReloadResult(ruleset)
