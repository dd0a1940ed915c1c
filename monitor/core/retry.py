"""One retry helper for everything that talks to another machine.

Data sources (FRED, SEC EDGAR) and notifications (SMTP, webhooks) retry the same way:
a bounded number of attempts, exponential backoff with full jitter (so a fleet of
monitors does not hammer a recovering service in step), and a server's
``Retry-After`` honoured when it asks for a pause (HTTP 429 or 503). A failure that
retrying cannot fix (a bad key, a 404) stops at once.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Generic, TypeVar

from monitor.core.errors import MonitorError

T = TypeVar("T")

MAX_RETRY_AFTER_SECONDS = 300.0  # a server asking for longer is treated as down


class RetryableError(MonitorError):
    """A failure worth another attempt; ``retry_after`` is the server's requested pause."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry."""

    attempts: int = 3
    backoff_seconds: float = 2.0
    max_backoff_seconds: float = 60.0
    jitter: bool = True

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), MAX_RETRY_AFTER_SECONDS)
        ceiling = min(self.backoff_seconds * 2 ** (attempt - 1), self.max_backoff_seconds)
        return rng.uniform(0.0, ceiling) if self.jitter else ceiling


@dataclass
class Outcome(Generic[T]):
    """What :func:`retry` ended with: the value, or the last error, and the attempts used."""

    value: T | None
    attempts: int
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def retry(
    call: Callable[[], T],
    policy: RetryPolicy,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
    on_failure: Callable[[int, Exception], None] | None = None,
) -> Outcome[T]:
    """Call until it succeeds, a non-retryable error is raised, or attempts run out.

    Only :class:`RetryableError` is retried; any other exception ends the attempts
    and is returned (never raised), so callers record it instead of crashing.
    """
    rng = rng or random.Random()
    error: Exception | None = None
    for attempt in range(1, max(policy.attempts, 1) + 1):
        try:
            return Outcome(call(), attempt)
        except Exception as exc:  # noqa: BLE001 - every failure is returned, never raised
            error = exc
            if on_failure is not None:
                on_failure(attempt, exc)
            if not isinstance(exc, RetryableError) or attempt >= policy.attempts:
                return Outcome(None, attempt, exc)
            sleep(policy.delay(attempt, exc.retry_after, rng))
    return Outcome(None, max(policy.attempts, 1), error)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """A ``Retry-After`` header in seconds: delta-seconds or an HTTP date; None if absent."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)
