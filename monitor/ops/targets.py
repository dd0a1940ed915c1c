"""Where messages go: the ``[notify.email]``, ``[notify.webhook]``, ``[notify.teams]``
and ``[heartbeat]`` tables of monitor.toml, and the checks on their templates.

Kept apart from :mod:`monitor.ops.config` (which reads the rest of the file) because
each target brings its own rules: which secrets it needs and where they may travel,
and which message templates it accepts. Problems go through the config's checker
(``check``: ``error``/``unknown``/``get``/``strings``), so every one names the file,
line and key like the rest of the config.

Secrets only ever come from environment variables named here: an SMTP password, a
webhook token, a Slack URL, the Teams Workflows URL (its ``sig=`` parameter is a
signature anyone holding the URL can post with), a heartbeat URL with a check's key.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from monitor.ops.templates import PLAIN, SLACK, SUBJECT, TEAMS, TEAMS_TITLE, Flavour, problems

EMAIL_TEMPLATES = {"subject_template": SUBJECT, "body_template": PLAIN}
WEBHOOK_TEMPLATES = {"text_template": SLACK}
TEAMS_TEMPLATES = {"title_template": TEAMS_TITLE, "text_template": TEAMS}

EMAIL_KEYS = {
    "host",
    "port",
    "security",
    "from",
    "to",
    "username",
    "password_env",
    "timeout",
    "enabled",
    *EMAIL_TEMPLATES,
}
WEBHOOK_KEYS = {"url", "url_env", "token_env", "timeout", "enabled", *WEBHOOK_TEMPLATES}
TEAMS_KEYS = {"url_env", "timeout", "enabled", *TEAMS_TEMPLATES}
HEARTBEAT_KEYS = {"url", "url_env", "method", "send_summary", "timeout", "enabled"}
METHODS = ("POST", "GET")


@dataclass
class EmailTarget:
    host: str
    port: int
    security: str  # starttls | ssl | none
    sender: str
    to: list[str]
    username: str | None = None
    password_env: str | None = None
    timeout: float = 30.0
    templates: dict[str, str] = field(default_factory=dict)


@dataclass
class WebhookTarget:
    url: str | None = None
    url_env: str | None = None
    token_env: str | None = None
    timeout: float = 10.0
    templates: dict[str, str] = field(default_factory=dict)


@dataclass
class TeamsTarget:
    """A Teams channel or chat through a Power Automate Workflows webhook."""

    url_env: str
    timeout: float = 10.0
    templates: dict[str, str] = field(default_factory=dict)


@dataclass
class HeartbeatTarget:
    """A healthchecks-style check pinged after every run (``/fail`` appended on failure)."""

    url: str | None = None
    url_env: str | None = None
    method: str = "POST"
    send_summary: bool = True
    timeout: float = 10.0

    def resolved_url(self) -> str | None:
        return self.url if self.url is not None else os.environ.get(self.url_env or "") or None


def _templates(
    check: Any, table: str, data: dict[str, Any], flavours: dict[str, Flavour]
) -> dict[str, str]:
    """The target's templates, each parsed and trial-rendered now (not at send time)."""
    found: dict[str, str] = {}
    for key, flavour in flavours.items():
        source = check.get(data, key, str, table, None)
        if source is None:
            continue
        wrong = problems(source, flavour)
        for problem in wrong:
            check.error(table, key, problem)
        if not wrong:
            found[key] = source
    return found


def parse_email(check: Any, data: dict[str, Any] | None) -> EmailTarget | None:
    t = "notify.email"
    if data is None:
        return None
    check.unknown(data, EMAIL_KEYS, t)
    if not check.get(data, "enabled", bool, t, True):
        return None
    host = check.get(data, "host", str, t, None)
    sender = check.get(data, "from", str, t, None)
    to = check.strings(data, "to", t, [])
    for key, value in (("host", host), ("from", sender), ("to", to)):
        if not value:
            check.error(t, key, "required")
    security = check.get(data, "security", str, t, "starttls")
    if security not in ("starttls", "ssl", "none"):
        check.error(t, "security", "expected starttls, ssl or none")
    port = check.get(data, "port", int, t, {"ssl": 465, "none": 25}.get(security, 587))
    password_env = check.get(data, "password_env", str, t, None)
    if security == "none" and password_env and not loopback(host):
        check.error(
            t,
            "security",
            "a password is never sent unencrypted to another host: "
            "use starttls or ssl (none is for a relay on this machine)",
        )
    return EmailTarget(
        host or "",
        port,
        security,
        sender or "",
        to,
        check.get(data, "username", str, t, None),
        password_env,
        float(check.get(data, "timeout", (int, float), t, 30.0)),
        _templates(check, t, data, EMAIL_TEMPLATES),
    )


def loopback(host: str | None) -> bool:
    """Whether ``host`` is this machine: by its address, never by how the name begins.

    ``127.0.0.1.evil.example`` is a name anyone can point anywhere; it is resolved
    and every address it resolves to must be a loopback address. A name that does not
    resolve is not loopback.
    """
    if not host:
        return False
    name = host.strip("[]")
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        pass
    if name.lower() == "localhost":  # RFC 6761: always the loopback interface
        return True
    try:
        infos = socket.getaddrinfo(name, None)
    except (OSError, UnicodeError):
        return False
    addresses = {info[4][0] for info in infos}
    return bool(addresses) and all(
        ipaddress.ip_address(str(a).split("%")[0]).is_loopback for a in addresses
    )


def plain_http_to_another_host(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme.lower() == "http" and not loopback(parts.hostname)


def parse_webhook(check: Any, data: dict[str, Any] | None) -> WebhookTarget | None:
    t = "notify.webhook"
    if data is None:
        return None
    check.unknown(data, WEBHOOK_KEYS, t)
    if not check.get(data, "enabled", bool, t, True):
        return None
    url = check.get(data, "url", str, t, None)
    url_env = check.get(data, "url_env", str, t, None)
    if (url is None) == (url_env is None):
        check.error(t, "url", "give exactly one of url or url_env (for URLs that hold a token)")
    token_env = check.get(data, "token_env", str, t, None)
    target = url if url is not None else os.environ.get(url_env or "")
    if token_env and target and plain_http_to_another_host(target):
        check.error(
            t,
            "url" if url is not None else "url_env",
            "a bearer token is never sent over plain http:// to another host: use https "
            "(http is for a receiver on this machine)",
        )
    return WebhookTarget(
        url,
        url_env,
        token_env,
        float(check.get(data, "timeout", (int, float), t, 10.0)),
        _templates(check, t, data, WEBHOOK_TEMPLATES),
    )


def parse_teams(check: Any, data: dict[str, Any] | None) -> TeamsTarget | None:
    t = "notify.teams"
    if data is None:
        return None
    if "url" in data:
        check.error(
            t,
            "url",
            "a Workflows URL carries its signature (sig=...), a secret: put it in an "
            "environment variable and name that variable in url_env",
        )
    check.unknown({k: v for k, v in data.items() if k != "url"}, TEAMS_KEYS, t)
    if not check.get(data, "enabled", bool, t, True):
        return None
    url_env = check.get(data, "url_env", str, t, None)
    if not url_env:
        check.error(t, "url_env", "required: the environment variable holding the Workflows URL")
    target = os.environ.get(url_env or "")
    if target and plain_http_to_another_host(target):
        check.error(
            t,
            "url_env",
            "the signed Workflows URL is never sent over plain http:// to another host: "
            "use https (http is for a receiver on this machine)",
        )
    return TeamsTarget(
        url_env or "",
        float(check.get(data, "timeout", (int, float), t, 10.0)),
        _templates(check, t, data, TEAMS_TEMPLATES),
    )


def parse_heartbeat(check: Any, data: dict[str, Any] | None) -> HeartbeatTarget | None:
    t = "heartbeat"
    if data is None:
        return None
    check.unknown(data, HEARTBEAT_KEYS, t)
    if not check.get(data, "enabled", bool, t, True):
        return None
    url = check.get(data, "url", str, t, None)
    url_env = check.get(data, "url_env", str, t, None)
    if (url is None) == (url_env is None):
        check.error(
            t, "url", "give exactly one of url or url_env (for a URL that holds a check's key)"
        )
    if url is not None and urlsplit(url).scheme.lower() not in ("http", "https"):
        check.error(t, "url", "expected an http:// or https:// URL")
    method = check.get(data, "method", str, t, "POST").upper()
    if method not in METHODS:
        check.error(t, "method", "expected POST or GET")
    return HeartbeatTarget(
        url,
        url_env,
        method,
        check.get(data, "send_summary", bool, t, True),
        float(check.get(data, "timeout", (int, float), t, 10.0)),
    )
