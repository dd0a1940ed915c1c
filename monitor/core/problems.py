"""One collector for every reader that reports all problems at once.

The rule-file parser, the case-metadata checker and the config reader all walk a
document, note each mistake with its place and carry on, then raise once. They share
this collector so a problem reads the same wherever it was found:
``file:line:col: rule "id": message``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from monitor.core.yamlio import Position


@dataclass(frozen=True)
class Problem:
    """One mistake (or, with ``warning=True``, a lint finding) at a place in a file."""

    position: Position
    message: str
    rule: str | None = None
    warning: bool = False

    def __str__(self) -> str:
        where = f' rule "{self.rule}":' if self.rule else ""
        kind = " warning:" if self.warning else ""
        return f"{self.position}:{where}{kind} {self.message}"


class Problems(list[Problem]):
    """Problems in the order found; ``raise_if_any`` turns them into one error."""

    def add(
        self, position: Position, message: str, rule: str | None = None, warning: bool = False
    ) -> None:
        self.append(Problem(position, message, rule, warning))

    def errors(self) -> list[Problem]:
        return [p for p in self if not p.warning]

    def messages(self) -> list[str]:
        return [str(p) for p in self]

    def raise_if_any(self, error: Callable[[list[str]], Exception]) -> None:
        if self.errors():
            raise error(self.messages())
