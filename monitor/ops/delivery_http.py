"""One HTTP request to a receiver (webhook, Teams Workflows, heartbeat), as a delivery.

Shared by every HTTP target so each treats answers alike: a 2xx is delivered; a
redirect is not (a moved hook must be fixed, and following it could carry a token
elsewhere); 429 and 5xx are transient (retried, ``Retry-After`` honoured); other 4xx
are final. httpx error messages may quote the URL, which for Slack, Teams and
healthchecks *is* the secret, so only the error's type is kept.
"""

from __future__ import annotations

from typing import Any

import httpx

from monitor.core.errors import SendError
from monitor.core.retry import retry_after_seconds

USER_AGENT = "bubble-monitor"


def request(
    method: str,
    url: str,
    what: str,
    timeout: float,
    *,
    json: Any = None,
    content: str | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    """Send once; raise :class:`SendError` (``retry`` set when worth another attempt)."""
    sent = {"User-Agent": USER_AGENT, **(headers or {})}
    if content is not None:
        sent.setdefault("Content-Type", "text/plain; charset=utf-8")
    try:
        response = httpx.request(
            method,
            url,
            json=json,
            content=None if content is None else content.encode("utf-8"),
            headers=sent,
            timeout=timeout,
            follow_redirects=False,
        )
    except httpx.HTTPError as exc:
        raise SendError(f"{type(exc).__name__} sending to the {what}") from None
    if response.status_code >= 300:
        transient = response.status_code >= 500 or response.status_code == 429
        wait = retry_after_seconds(response.headers.get("Retry-After")) if transient else None
        raise SendError(
            f"{what} answered HTTP {response.status_code}", retry=transient, retry_after=wait
        )
