"""The project's own exceptions: everything a user can cause ends in one of these."""

from __future__ import annotations


class MonitorError(Exception):
    """Base class: an error a user can fix, with a message that says where."""


class CaseError(MonitorError):
    """A case folder or its metadata is unusable."""


class IndicatorError(MonitorError):
    """An indicator plugin failed to load or produced unusable output."""


class ExpressionError(MonitorError):
    """A rule condition does not parse or does not type-check.

    ``line`` and ``col`` are 1-based positions inside the expression text, so the
    rule loader can translate them into positions in the YAML file.
    """

    def __init__(self, message: str, line: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col


class RuleFileError(MonitorError):
    """One or more rule files are invalid; carries every problem found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems
