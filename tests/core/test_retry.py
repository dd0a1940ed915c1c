"""The one retry helper (core.retry) that sources and notifications share."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from monitor.core.retry import RetryableError, RetryPolicy, retry, retry_after_seconds


def test_retries_until_success_with_jittered_exponential_backoff() -> None:
    calls: list[int] = []
    slept: list[float] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise RetryableError("busy")
        return "done"

    outcome = retry(flaky, RetryPolicy(attempts=4, backoff_seconds=1.0), sleep=slept.append,
                    rng=random.Random(7))  # fmt: skip
    assert outcome.ok and outcome.value == "done" and outcome.attempts == 3
    assert len(slept) == 2 and 0 <= slept[0] <= 1.0 and 0 <= slept[1] <= 2.0
    no_jitter = RetryPolicy(backoff_seconds=1.0, max_backoff_seconds=3.0, jitter=False)
    assert [no_jitter.delay(n, None, random.Random()) for n in (1, 2, 3, 4)] == [1, 2, 3, 3]


def test_a_non_retryable_error_stops_at_once_and_is_returned() -> None:
    slept: list[float] = []

    def broken() -> None:
        raise ValueError("bad key")

    outcome = retry(broken, RetryPolicy(attempts=5), sleep=slept.append)
    assert not outcome.ok and outcome.attempts == 1 and isinstance(outcome.error, ValueError)
    assert slept == []


def test_attempts_run_out_with_the_last_error() -> None:
    outcome = retry(lambda: (_ for _ in ()).throw(RetryableError("down")),
                    RetryPolicy(attempts=3), sleep=lambda s: None)  # fmt: skip
    assert not outcome.ok and outcome.attempts == 3 and str(outcome.error) == "down"


def test_retry_after_is_honoured_and_bounded() -> None:
    slept: list[float] = []
    attempts: list[int] = []

    def limited() -> int:
        attempts.append(1)
        if len(attempts) == 1:
            raise RetryableError("429", retry_after=12.0)
        if len(attempts) == 2:
            raise RetryableError("429", retry_after=10_000.0)
        return 1

    assert retry(limited, RetryPolicy(attempts=3), sleep=slept.append).ok
    assert slept == [12.0, 300.0]


def test_retry_after_header_forms() -> None:
    now = datetime(2026, 12, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("Tue, 01 Dec 2026 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Tue, 01 Dec 2026 11:00:00 GMT", now) == 0.0
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("soon") is None
