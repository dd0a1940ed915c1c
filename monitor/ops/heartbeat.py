"""A heartbeat after every run: ping a healthchecks-style URL so silence is noticed.

``monitor runs --check`` lets an outside monitor *ask*; a heartbeat *tells*: after each
run of a schedule (the daemon's or a one-shot ``monitor run --schedule``), the
configured URL is requested, and a service such as healthchecks.io, Uptime Kuma or
Cronitor alerts when the pings stop. Conventions, as healthchecks.io defines them:
success requests the URL itself, failure the URL with ``/fail`` appended to its path;
a POST body (the run's summary, one line per case) is kept as the ping's log.

A run is a failure for the heartbeat when any of its cases failed (no report); a
``degraded`` run still published a report and pings success (its summary says why it
degraded). The ping goes through :func:`monitor.core.retry.retry` with the
``[notify]`` retries; it never fails or delays the recorded run beyond those retries,
and a URL from the environment is scrubbed from everything logged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit, urlunsplit

from monitor.core.redaction import redact
from monitor.ops.delivery_http import request
from monitor.ops.notify import Delivery, retry_send, secrets

if TYPE_CHECKING:
    from monitor.ops.config import Config

log = logging.getLogger("monitor.ops.heartbeat")
MAX_SUMMARY_CHARS = 10_000  # healthchecks.io keeps the first 100 kB of a ping body


class Outcome(Protocol):
    """What the heartbeat reads of a case's run (``monitor.ops.jobs.CaseOutcome``)."""

    case: str
    status: str
    stage: int | None
    errors: list[str]
    report: str | None


def fail_url(url: str) -> str:
    """``url`` with ``/fail`` appended to its path, query kept (healthchecks style)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/fail"))


def summary(schedule_id: str, outcomes: Sequence[Outcome]) -> str:
    """One line per case: status, stage, report, first error."""
    lines = [f"schedule {schedule_id}: {len(outcomes)} case(s)"]
    for o in outcomes:
        line = f"{o.case}: {o.status}, stage {'-' if o.stage is None else o.stage}"
        if o.report:
            line += f", report {o.report}"
        if o.errors:
            line += f"; {o.errors[0].splitlines()[0]}"
        lines.append(line)
    return "\n".join(lines)[:MAX_SUMMARY_CHARS]


def ping(
    config: Config,
    schedule_id: str,
    outcomes: Sequence[Outcome],
    sleep: Callable[[float], None] = time.sleep,
) -> Delivery | None:
    """Ping the heartbeat for a finished run; None when none is configured. Never raises."""
    target = config.heartbeat
    if target is None:
        return None
    try:
        failed = not outcomes or any(o.status == "failed" for o in outcomes)
        url = target.resolved_url()
        if url is None:
            error = f"environment variable {target.url_env} is not set"
            log.warning("heartbeat not sent: %s", error)
            return Delivery("heartbeat", False, 0, error)
        where = fail_url(url) if failed else url
        body = summary(schedule_id, outcomes) if target.send_summary else None

        def send() -> None:
            if target.method == "GET":
                request("GET", where, "heartbeat", target.timeout)
            else:
                request("POST", where, "heartbeat", target.timeout, content=body or "")

        return retry_send("heartbeat", send, config, secrets(config), sleep)
    except Exception as exc:  # noqa: BLE001 - a heartbeat never fails a run
        error = redact(f"{type(exc).__name__}: {exc}", secrets(config))
        log.warning("heartbeat not sent: %s", error)
        return Delivery("heartbeat", False, 0, error)


__all__ = ["fail_url", "ping", "summary"]
