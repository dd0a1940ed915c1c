"""GET with retries, for every networked source: one place for timeouts and back-off.

Throttling (429, with its ``Retry-After``), server errors (5xx) and timeouts are
retried through :mod:`monitor.core.retry`; any other answer is final. Errors name the
source and never contain a secret (an API key in the query string).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from monitor.core.errors import SourceError
from monitor.core.redaction import redact
from monitor.core.retry import RetryableError, RetryPolicy, retry, retry_after_seconds

DEFAULT_POLICY = RetryPolicy(attempts=4, backoff_seconds=2.0, max_backoff_seconds=60.0)


def _hide(text: str, secrets: tuple[str, ...]) -> str:
    return redact(text, [s for s in secrets if s])


def get(
    source: str,
    url: str,
    params: dict[str, Any] | None = None,
    *,
    headers: dict[str, str] | None = None,
    timeout: float = 30.0,
    policy: RetryPolicy = DEFAULT_POLICY,
    secrets: tuple[str, ...] = (),
    sleep: Callable[[float], None] = time.sleep,
    describe_error: Callable[[httpx.Response], str] | None = None,
    throttle: Callable[[], None] | None = None,
) -> httpx.Response:
    """The 200 answer to ``GET url``, or a :class:`SourceError` naming ``source``.

    ``throttle`` is called before every attempt (a rate limiter's ``wait``), so
    retries count against a service's request limit too.
    """

    def attempt() -> httpx.Response:
        if throttle is not None:
            throttle()
        try:
            response = httpx.get(url, params=params, headers=headers, timeout=timeout)
        except httpx.TimeoutException:
            raise RetryableError(f"{source}: no answer within {timeout:g} s") from None
        except httpx.TransportError as exc:
            raise RetryableError(f"{source}: connection failed ({type(exc).__name__})") from None
        if response.status_code == 200:
            return response
        detail = describe_error(response) if describe_error else response.text[:200]
        message = f"{source} answered {response.status_code}: {detail}"
        if response.status_code == 429 or response.status_code >= 500:
            raise RetryableError(message, retry_after_seconds(response.headers.get("Retry-After")))
        raise SourceError(message)

    outcome = retry(attempt, policy, sleep=sleep)
    if outcome.value is not None:
        return outcome.value
    error = outcome.error
    tries = f" (after {outcome.attempts} attempts)" if outcome.attempts > 1 else ""
    raise SourceError(_hide(f"{error}{tries}", secrets)) from None
