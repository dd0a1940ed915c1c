"""Notifications: email (SMTP), a JSON webhook and Teams, sent only when something changed.

"Changed" means the overall stage moved, or a critical rule started firing, compared
with the previous recorded run of the same case (a first run compares against
stage 0 with nothing firing, so a new install reports an already-raised alarm once).
Every send is retried with exponential backoff; the outcome is returned for the run
history and never raised, so a dead mail server cannot fail a run. Secrets come
only from environment variables named in the config, and :func:`redact` scrubs
their values from every error message before it is logged or stored. The text of
each message may be reworded per target (:mod:`monitor.ops.templates`); the Teams
card lives in :mod:`monitor.ops.teams`.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from monitor.core.errors import SendError
from monitor.core.redaction import redact
from monitor.core.retry import RetryableError, RetryPolicy, retry
from monitor.ops.config import Config
from monitor.ops.delivery_http import request
from monitor.ops.runhistory import Previous
from monitor.ops.targets import EmailTarget, WebhookTarget
from monitor.ops.teams import send_teams
from monitor.ops.templates import PLAIN, SLACK, SUBJECT, context_for, render_or_default

log = logging.getLogger("monitor.ops.notify")


@dataclass
class Message:
    subject: str
    text: str
    payload: dict[str, Any]
    attachment: Path | None = None
    kind: str = "change"  # change | failure | test: what a template sees as ``kind``

    def context(self) -> dict[str, Any]:
        """The variables a message template sees."""
        return context_for(self.kind, self.payload, self.text, self.subject)


@dataclass
class Delivery:
    channel: str
    ok: bool
    attempts: int
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def what_changed(previous: Previous | None, stage: int, critical: set[str]) -> list[str]:
    """Reasons to notify (empty: stay quiet)."""
    before_stage = 0 if previous is None else previous.stage
    before_critical: Iterable[str] = () if previous is None else previous.critical
    reasons = []
    if stage != before_stage:
        reasons.append(f"stage changed from {before_stage} to {stage}")
    new = sorted(set(critical) - set(before_critical))
    if new:
        reasons.append("critical rule(s) started firing: " + ", ".join(new))
    return reasons


def build_message(
    *,
    case: str,
    title: str,
    as_of: str,
    stage: int,
    previous_stage: int | None,
    score: float,
    firing: list[str],
    reasons: list[str],
    report: str | None,
    status: str,
) -> Message:
    """A plain-text summary (email body, Slack ``text``) and the same facts as JSON."""
    lines = [
        f"{title} ({case}) as of {as_of}",
        f"Stage {stage} (was {previous_stage if previous_stage is not None else 'unknown'}), "
        f"score {score:.1f}/100, run {status}",
        "",
        *[f"- {reason}" for reason in reasons],
        "",
        f"Rules firing ({len(firing)}): " + (", ".join(firing) or "none"),
    ]
    if report:
        lines.append(f"Report: {report}")
    payload = {
        "case": case,
        "title": title,
        "as_of": as_of,
        "stage": stage,
        "previous_stage": previous_stage,
        "score": score,
        "firing": firing,
        "reasons": reasons,
        "report": report,
        "status": status,
    }
    first = reasons[0] if reasons else ""
    subject = f"[monitor] {case}: stage {stage}, score {score:.0f} - {first}"
    return Message(subject.strip(" -"), "\n".join(lines), payload, Path(report) if report else None)


def probe_message() -> Message:
    text = "Test notification from the bubble monitor: delivery works."
    return Message("[monitor] test notification", text, {"test": True}, kind="test")


def secrets(config: Config) -> list[str]:
    """Values of every secret-bearing environment variable the config names."""
    names = []
    if config.email and config.email.password_env:
        names.append(config.email.password_env)
    if config.webhook:
        names += [n for n in (config.webhook.url_env, config.webhook.token_env) if n]
    if config.teams:
        names.append(config.teams.url_env)
    if config.heartbeat and config.heartbeat.url_env:
        names.append(config.heartbeat.url_env)
    return [v for v in (os.environ.get(n) for n in names) if v]


def send_all(
    config: Config, message: Message, sleep: Callable[[float], None] = time.sleep
) -> list[Delivery]:
    """Send to every configured target; one :class:`Delivery` per target."""
    hidden = secrets(config)
    sends: list[tuple[str, Callable[[], None]]] = []
    if (email := config.email) is not None:
        sends.append(("email", lambda: send_email(email, message)))
    if (hook := config.webhook) is not None:
        sends.append(("webhook", lambda: send_webhook(hook, message)))
    if (teams := config.teams) is not None:
        sends.append(("teams", lambda: send_teams(teams, message)))
    return [retry_send(channel, send, config, hidden, sleep) for channel, send in sends]


def retry_send(
    channel: str,
    send: Callable[[], None],
    config: Config,
    hidden: list[str],
    sleep: Callable[[float], None],
) -> Delivery:
    policy = RetryPolicy(attempts=config.retries, backoff_seconds=config.backoff_seconds)

    def attempt() -> None:
        try:
            send()
        except SendError as exc:
            if exc.retry:
                raise RetryableError(str(exc), exc.retry_after) from None
            raise
        except Exception as exc:  # noqa: BLE001 - a network or SMTP error may be transient
            raise RetryableError(f"{type(exc).__name__}: {exc}") from None

    def failed(number: int, exc: Exception) -> None:
        log.warning(
            "%s notification attempt %d/%d failed: %s",
            channel,
            number,
            policy.attempts,
            _message(exc, hidden),
        )

    outcome = retry(attempt, policy, sleep=sleep, on_failure=failed)
    if outcome.error is None:
        log.info("%s notification sent (attempt %d)", channel, outcome.attempts)
        return Delivery(channel, True, outcome.attempts)
    return Delivery(channel, False, outcome.attempts, _message(outcome.error, hidden))


def _message(exc: Exception, hidden: list[str]) -> str:
    if isinstance(exc, SendError | RetryableError):
        return redact(str(exc), hidden)
    return redact(f"{type(exc).__name__}: {exc}", hidden)


def send_email(target: EmailTarget, message: Message) -> None:
    """One SMTP delivery: STARTTLS, SSL or plain; the HTML report attached."""
    variables = message.context()
    mail = EmailMessage()
    mail["Subject"] = render_or_default(
        target.templates, "subject_template", "{{ subject }}", SUBJECT, variables
    )
    mail["From"] = target.sender
    mail["To"] = ", ".join(target.to)
    mail.set_content(
        render_or_default(target.templates, "body_template", "{{ summary }}", PLAIN, variables)
    )
    if message.attachment is not None and message.attachment.is_file():
        mail.add_attachment(
            message.attachment.read_bytes(),
            maintype="text",
            subtype="html",
            filename=message.attachment.name,
        )
    password = None
    if target.password_env:
        password = os.environ.get(target.password_env)
        if password is None:
            raise SendError(f"environment variable {target.password_env} is not set", retry=False)
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if target.security == "ssl":
        smtp = smtplib.SMTP_SSL(target.host, target.port, timeout=target.timeout, context=context)
    else:
        smtp = smtplib.SMTP(target.host, target.port, timeout=target.timeout)
    with smtp:
        if target.security == "starttls":
            smtp.starttls(context=context)
        if target.username and password is not None:
            smtp.login(target.username, password)
        smtp.send_message(mail)


def send_webhook(target: WebhookTarget, message: Message) -> None:
    """One POST of the JSON payload with a Slack-compatible ``text`` field.

    The payload is data; only ``text`` comes from a template (Slack-escaped values).
    """

    url = target.url
    if target.url_env:
        url = os.environ.get(target.url_env)
        if not url:
            raise SendError(f"environment variable {target.url_env} is not set", retry=False)
    headers = {}
    if target.token_env:
        token = os.environ.get(target.token_env)
        if not token:
            raise SendError(f"environment variable {target.token_env} is not set", retry=False)
        headers["Authorization"] = f"Bearer {token}"
    assert url is not None
    context = message.context()
    text = render_or_default(target.templates, "text_template", "{{ summary }}", SLACK, context)
    body = {"text": text, **message.payload}
    request("POST", url, "webhook", target.timeout, json=body, headers=headers)
