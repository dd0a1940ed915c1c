"""The project's one exception hierarchy: everything a user can cause ends in one of these.

Every type derives from :class:`MonitorError`, so the CLI and the daemon can catch one
class and print a clean message instead of a traceback. Errors that carry several
problems at once (a rule folder, a config file, a test file) derive from
:class:`ProblemsError`, so callers can show each problem on its own line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from monitor.core.yamlio import Position


class MonitorError(Exception):
    """Base class: an error a user can fix, with a message that says where."""


class ProblemsError(MonitorError):
    """Several problems found at once; ``problems`` holds one message per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


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


class YamlSyntaxError(MonitorError):
    """The file is not valid YAML; carries the position of the problem."""

    def __init__(self, position: Position, message: str) -> None:
        super().__init__(f"{position}: {message}")
        self.position = position
        self.message = message


class RuleFileError(ProblemsError):
    """One or more rule files are invalid; carries every problem found."""


class RuleTestError(ProblemsError):
    """A rule-test file is unusable; carries every problem found, with positions."""


class ConfigError(ProblemsError):
    """The config file is unusable; carries every problem, each with file and line."""


class SourceError(MonitorError):
    """A data source (FRED, a file) could not be read or answered with an error."""


class FredError(SourceError):
    """FRED could not be read or answered with an error."""


class TemplateProblem(MonitorError):
    """A template (usually a desk's override) does not render."""


class BacktestError(MonitorError):
    """A backtest cannot run as asked (an empty range, an unknown rule to calibrate)."""


class AlreadyRunning(MonitorError):
    """Another process holds the lock."""


class SendError(MonitorError):
    """A delivery failure whose message is already safe to show; ``retry`` if transient."""

    def __init__(self, message: str, retry: bool = True, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry = retry
        self.retry_after = retry_after


class MissingExtra(MonitorError):
    """An optional dependency is not installed; the message names the extra to install."""
