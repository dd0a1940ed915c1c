"""``monitor.toml``: one file that says what to run, when, where, and whom to tell.

Read with :mod:`tomllib`, validated by hand so every error names the key *and the
line* (``monitor.toml:12: [[schedule]] #1 cron: ...``). tomllib keeps no positions,
so :func:`key_line` finds them by scanning the text for ``[table]`` / ``[[array]]``
headers and ``key =`` lines: good enough for the flat files we document, and it
falls back to the table header (or line 1) when a key hides in an inline table.

Relative paths resolve against the config file's folder, not the working
directory, so a daemon started by systemd from ``/`` finds the same files.
Secrets never live in the file: only the *names* of environment variables do.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import re
import socket
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitor.core.errors import ConfigError
from monitor.core.problems import Problems
from monitor.core.yamlio import Position
from monitor.engine.scaling import DEFAULT_CHUNK_SIZE, Scaling
from monitor.ops.sourceconfig import SourceConfig, parse_sources
from monitor.ops.triggers import build_trigger

CONFIG_NAME = "monitor.toml"
SECRET_KEYS = {"password", "token", "secret", "api_key"}
DAY_FIELD_DIGIT = re.compile(r"\d")


@dataclass
class Schedule:
    """One scheduled job: a fixed id (the job-store key) and when it fires."""

    id: str
    cases: list[str]
    cron: str | None = None
    second: str | None = None
    interval_seconds: int | None = None

    def describe(self) -> str:
        if self.interval_seconds is not None:
            return f"every {self.interval_seconds}s"
        sec = f" (second {self.second})" if self.second else ""
        return f"cron {self.cron}{sec}"


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


@dataclass
class WebhookTarget:
    url: str | None = None
    url_env: str | None = None
    token_env: str | None = None
    timeout: float = 10.0


@dataclass
class Config:
    path: Path
    timezone: str = "UTC"
    out: Path = Path("out")
    rules: list[Path] = field(default_factory=list)
    plugins: list[Path] = field(default_factory=list)
    store: str = "sqlite:///monitor.db"
    misfire_grace_seconds: int = 7 * 24 * 3600
    step: str = "daily"
    pdf: bool = False
    chunk_size: int = DEFAULT_CHUNK_SIZE
    workers: int | None = None
    scheduler: str | None = None
    cases: list[str] = field(default_factory=lambda: ["ai-cycle"])
    schedules: list[Schedule] = field(default_factory=list)
    email: EmailTarget | None = None
    webhook: WebhookTarget | None = None
    retries: int = 3
    backoff_seconds: float = 2.0
    after_failures: int = 1
    sources: list[SourceConfig] = field(default_factory=list)

    @property
    def folder(self) -> Path:
        return self.path.parent

    def sqlite_path(self) -> Path | None:
        """The database file when the store is SQLite on disk (locks live beside it)."""
        prefix = "sqlite:///"
        if self.store.startswith(prefix) and self.store[len(prefix) :] not in ("", ":memory:"):
            return Path(self.store[len(prefix) :])
        return None

    def lock_base(self) -> Path:
        """Where the daemon lock goes: beside the SQLite file, else beside the config."""
        db = self.sqlite_path()
        return db if db is not None else self.folder / ".monitor-store"


def key_line(text: str, table: str | None, key: str | None, index: int = 0) -> int:
    """1-based line of ``key`` in ``[table]`` (or the ``index``-th ``[[table]]``).

    ``table=None`` means the top level (before any header). Returns the header's
    line when the key is not found on its own line, and 1 when nothing matches.
    """
    current: str | None = None
    seen: dict[str, int] = {}
    header_line = 1 if table is None else 0
    in_target = table is None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        header = re.match(r"^\[\[?\s*([^\]]+?)\s*\]\]?", line)
        if header:
            current = header.group(1).replace('"', "").replace(" ", "")
            count = seen.get(current, -1) + 1
            seen[current] = count
            in_target = current == table and count == index
            if in_target:
                header_line = number
            continue
        if in_target and key and re.match(rf'^"?{re.escape(key)}"?\s*=', line):
            return number
    return header_line or 1


class _Checker:
    """Collects problems as ``file:line: where key: message`` while reading values."""

    def __init__(self, path: Path, text: str) -> None:
        self.path, self.text = path, text
        self.problems = Problems()

    def error(self, table: str | None, key: str | None, message: str, index: int = 0) -> None:
        line = key_line(self.text, table, key, index)
        where = (
            ""
            if table is None
            else (
                f"[[{table}]] #{index + 1} " if table in ("schedule", "source") else f"[{table}] "
            )
        )
        label = f"{where}{key or ''}".strip()
        self.problems.add(
            Position(str(self.path), line, 0), f"{label}: {message}" if label else message
        )

    def unknown(
        self, data: dict[str, Any], allowed: set[str], table: str | None, index: int = 0
    ) -> None:
        for key in sorted(set(data) - allowed):
            if key in SECRET_KEYS:
                self.error(
                    table,
                    key,
                    f"secrets are not allowed in the file: set {key}_env "
                    "to the name of an environment variable",
                    index,
                )
            else:
                self.error(
                    table, key, f"unknown key (allowed: {', '.join(sorted(allowed))})", index
                )

    def get(
        self,
        data: dict[str, Any],
        key: str,
        kind: type | tuple[type, ...],
        table: str | None,
        default: Any = None,
        index: int = 0,
    ) -> Any:
        if key not in data:
            return default
        value = data[key]
        if isinstance(value, bool) and kind in (int, float, (int, float)):
            self.error(table, key, "expected a number", index)
            return default
        if not isinstance(value, kind):
            name = kind.__name__ if isinstance(kind, type) else "number"
            self.error(table, key, f"expected {name}, got {type(value).__name__}", index)
            return default
        return value

    def strings(
        self, data: dict[str, Any], key: str, table: str | None, default: list[str], index: int = 0
    ) -> list[str]:
        value = data.get(key, default)
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(table, key, "expected a string or a list of strings", index)
            return default
        return list(value)


TOP_KEYS = {"monitor", "schedule", "notify", "source"}  # a [case] table was accepted, never read
MAX_INTERVAL_SECONDS = 366 * 24 * 3600  # a year; Python's timedelta overflows far later
STORE_DRIVERS = {"sqlite", "postgresql", "mysql", "mariadb", "oracle", "mssql"}
MONITOR_KEYS = {
    "timezone",
    "out",
    "rules",
    "plugins",
    "store",
    "misfire_grace_seconds",
    "cases",
    "step",
    "pdf",
    "chunk_size",
    "workers",
    "scheduler",
}
STEPS = ("daily", "month-end")
SCHEDULE_KEYS = {"id", "cron", "second", "interval_seconds", "cases"}
NOTIFY_KEYS = {"email", "webhook", "retries", "backoff_seconds", "after_failures"}
MAX_RETRIES = 10
MAX_BACKOFF_SECONDS = 300.0
MAX_AFTER_FAILURES = 1000
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
}
WEBHOOK_KEYS = {"url", "url_env", "token_env", "timeout", "enabled"}


def load_config(path: Path) -> Config:
    """Read and validate ``path``; raise :class:`ConfigError` listing every problem."""
    path = Path(path).resolve()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read: {exc.strerror}"]) from None
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise ConfigError([f"{path}:{line}: not UTF-8 text ({exc.reason})"]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: {exc}"]) from None
    check = _Checker(path, text)
    check.unknown(data, TOP_KEYS, None)
    config = Config(path=path)
    base = path.parent

    def resolve(p: str) -> Path:
        return (base / p).resolve()

    mon = check.get(data, "monitor", dict, None, {})
    check.unknown(mon, MONITOR_KEYS, "monitor")
    config.timezone = check.get(mon, "timezone", str, "monitor", "UTC")
    try:
        ZoneInfo(config.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        check.error("monitor", "timezone", f"unknown time zone {config.timezone!r}")
    config.out = resolve(check.get(mon, "out", str, "monitor", "out"))
    if config.out.exists() and not config.out.is_dir():
        check.error("monitor", "out", f"{config.out} exists and is not a folder")
    config.rules = [resolve(p) for p in check.strings(mon, "rules", "monitor", [])]
    config.plugins = [resolve(p) for p in check.strings(mon, "plugins", "monitor", [])]
    store = check.get(mon, "store", str, "monitor", "sqlite:///monitor.db")
    if store.startswith("sqlite:///") and store[10:] and store[10:] != ":memory:":
        store = "sqlite:///" + str(resolve(store[10:]))
    elif "://" not in store:
        check.error("monitor", "store", "expected a SQLAlchemy URL such as sqlite:///monitor.db")
    else:
        _store_url(check, store)
    config.store = store
    grace = check.get(mon, "misfire_grace_seconds", int, "monitor", config.misfire_grace_seconds)
    if grace < 1:
        check.error("monitor", "misfire_grace_seconds", "must be at least 1")
    config.misfire_grace_seconds = grace
    config.step = check.get(mon, "step", str, "monitor", config.step)
    if config.step not in STEPS:
        check.error("monitor", "step", f"must be one of {', '.join(STEPS)}")
    config.pdf = check.get(mon, "pdf", bool, "monitor", config.pdf)
    _scaling(check, mon, config)
    config.cases = check.strings(mon, "cases", "monitor", ["ai-cycle"])
    if not config.cases:
        check.error("monitor", "cases", "name at least one case")
    config.cases = [c if "/" not in c else str(resolve(c)) for c in config.cases]

    schedules = check.get(data, "schedule", list, None, [])
    for i, sched in enumerate(schedules):
        parsed = _schedule(check, sched, i, config)
        if parsed:
            config.schedules.append(parsed)
    ids = [s.id for s in config.schedules]
    for i, sid in enumerate(ids):
        if sid in ids[:i]:
            check.error("schedule", "id", f"duplicate schedule id {sid!r}", i)

    notify = check.get(data, "notify", dict, None, {})
    check.unknown(notify, NOTIFY_KEYS, "notify")
    config.retries = check.get(notify, "retries", int, "notify", 3)
    if not 1 <= config.retries <= MAX_RETRIES:
        check.error("notify", "retries", f"expected a whole number from 1 to {MAX_RETRIES}")
        config.retries = 3
    backoff = check.get(notify, "backoff_seconds", (int, float), "notify", 2.0)
    if not 0 <= backoff <= MAX_BACKOFF_SECONDS:
        check.error(
            "notify", "backoff_seconds", f"expected seconds from 0 to {MAX_BACKOFF_SECONDS:g}"
        )
        backoff = 2.0
    config.backoff_seconds = float(backoff)
    config.after_failures = check.get(notify, "after_failures", int, "notify", 1)
    if not 1 <= config.after_failures <= MAX_AFTER_FAILURES:
        check.error(
            "notify",
            "after_failures",
            f"expected a whole number from 1 to {MAX_AFTER_FAILURES} (failed runs in a row)",
        )
        config.after_failures = 1
    config.email = _email(check, check.get(notify, "email", dict, "notify", None))
    config.webhook = _webhook(check, check.get(notify, "webhook", dict, "notify", None))
    config.sources = parse_sources(check, data.get("source", []), base)
    check.problems.raise_if_any(ConfigError)
    return config


def _store_url(check: _Checker, store: str) -> None:
    """A store URL names a known database, carries no password and its driver is installed."""
    parts = urlsplit(store)
    dialect, _, driver = parts.scheme.partition("+")
    if dialect not in STORE_DRIVERS:
        known = ", ".join(sorted(STORE_DRIVERS))
        check.error("monitor", "store", f"unknown database {dialect!r} (known: {known})")
        return
    if parts.password:
        check.error(
            "monitor",
            "store",
            "a password in the store URL: secrets come only from the environment "
            "(use a passwordless URL with the database's own client config, e.g. PGPASSFILE)",
        )
    module = DRIVER_MODULES.get(driver or dialect)
    if module is not None and importlib.util.find_spec(module) is None:
        check.error(
            "monitor",
            "store",
            f"the {dialect} driver {module!r} is not installed (pip install {module})",
        )


DRIVER_MODULES = {
    "postgresql": "psycopg2",
    "psycopg2": "psycopg2",
    "psycopg": "psycopg",
    "mysql": "MySQLdb",
    "pymysql": "pymysql",
    "mariadb": "MySQLdb",
}


def _schedule(check: _Checker, sched: Any, i: int, config: Config) -> Schedule | None:
    t = "schedule"
    if not isinstance(sched, dict):
        check.error(None, "schedule", "use [[schedule]] tables")
        return None
    check.unknown(sched, SCHEDULE_KEYS, t, i)
    sid = check.get(sched, "id", str, t, None, i)
    if not sid or not re.match(r"^[A-Za-z0-9_.-]+\Z", sid):
        check.error(t, "id", "required: letters, digits, '.', '_' or '-'", i)
    cron = check.get(sched, "cron", str, t, None, i)
    interval = check.get(sched, "interval_seconds", int, t, None, i)
    second = check.get(sched, "second", (str, int), t, None, i)
    if (cron is None) == (interval is None):
        check.error(t, "cron", "give exactly one of cron or interval_seconds", i)
    if interval is not None and not 1 <= interval <= MAX_INTERVAL_SECONDS:
        check.error(t, "interval_seconds", f"must be from 1 to {MAX_INTERVAL_SECONDS}", i)
    if cron is not None:
        fields = cron.split()
        if len(fields) != 5:
            check.error(
                t,
                "cron",
                f"expected 5 fields (minute hour day month weekday), got {len(fields)}",
                i,
            )
        elif DAY_FIELD_DIGIT.search(fields[4]):
            check.error(
                t,
                "cron",
                "write weekdays as names (mon-fri, sun): APScheduler 3 "
                "numbers Monday 0, crontab numbers Sunday 0",
                i,
            )
        else:
            try:
                build_trigger(
                    Schedule("x", [], cron, None if second is None else str(second)),
                    config.timezone,
                )
            except ValueError as exc:
                check.error(t, "cron", str(exc), i)
    cases = check.strings(sched, "cases", t, config.cases, i)
    if not sid or (cron is None) == (interval is None):
        return None
    return Schedule(sid, cases, cron, None if second is None else str(second), interval)


def _email(check: _Checker, data: dict[str, Any] | None) -> EmailTarget | None:
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
    if security == "none" and password_env and not _loopback(host):
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
    )


def _loopback(host: str | None) -> bool:
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


def _plain_http_to_another_host(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme.lower() == "http" and not _loopback(parts.hostname)


def _webhook(check: _Checker, data: dict[str, Any] | None) -> WebhookTarget | None:
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
    if token_env and target and _plain_http_to_another_host(target):
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
    )


def find_config(path: Path | None = None, cwd: Path | None = None) -> Config | None:
    """The config named by ``--config``, else ``monitor.toml`` in the working folder.

    Returns None when no path was given and the working folder has none (commands
    then fall back to their built-in defaults); raises :class:`ConfigError` when an
    explicitly named file is missing or any file is invalid.
    """
    if path is not None:
        if not Path(path).is_file():
            raise ConfigError([f"{path}: config file not found"])
        return load_config(Path(path))
    candidate = (cwd or Path.cwd()) / CONFIG_NAME
    return load_config(candidate) if candidate.is_file() else None


def _scaling(check: _Checker, mon: dict[str, Any], config: Config) -> None:
    """``chunk_size``, ``workers``, ``scheduler``: how runs scale (docs/scaling.md)."""
    config.chunk_size = check.get(mon, "chunk_size", int, "monitor", config.chunk_size)
    if config.chunk_size < 1:
        check.error("monitor", "chunk_size", "must be at least 1")
        config.chunk_size = DEFAULT_CHUNK_SIZE
    config.workers = check.get(mon, "workers", int, "monitor", config.workers)
    if config.workers is not None and config.workers < 1:
        check.error("monitor", "workers", "must be at least 1")
        config.workers = None
    config.scheduler = check.get(mon, "scheduler", str, "monitor", config.scheduler)
    if config.workers is not None and config.scheduler is not None:
        check.error("monitor", "scheduler", "give workers (a local cluster) or scheduler, not both")
        config.scheduler = None


def scaling_of(config: Config) -> Scaling:
    return Scaling(config.chunk_size, config.workers, config.scheduler)
