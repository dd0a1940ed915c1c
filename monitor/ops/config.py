"""``monitor.toml``: one file that says what to run, when, where, and whom to tell.

Read with :mod:`tomllib`, validated by hand so every error names the key *and the
line* (``monitor.toml:12: [[schedule]] #1 cron: ...``; positions come from
:mod:`monitor.ops.configcheck`). The notification targets and the heartbeat are read
by :mod:`monitor.ops.targets`, the ``[[source]]`` tables by :mod:`monitor.ops.sourceconfig`.

Relative paths resolve against the config file's folder, not the working
directory, so a daemon started by systemd from ``/`` finds the same files.
Secrets never live in the file: only the *names* of environment variables do.
"""

from __future__ import annotations

import importlib.util
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitor.core.errors import ConfigError
from monitor.data.storecase import StoreCaseSpec
from monitor.engine.scaling import DEFAULT_CHUNK_SIZE, Scaling
from monitor.ops.caseconfig import parse_cases
from monitor.ops.configcheck import SECRET_KEYS, ConfigChecker, key_line
from monitor.ops.inhibition import read_setting as read_inhibit
from monitor.ops.sourceconfig import SourceConfig, parse_sources
from monitor.ops.targets import (
    EmailTarget,
    HeartbeatTarget,
    TeamsTarget,
    WebhookTarget,
    parse_email,
    parse_heartbeat,
    parse_teams,
    parse_webhook,
)
from monitor.ops.triggers import build_trigger

CONFIG_NAME = "monitor.toml"
DAY_FIELD_DIGIT = re.compile(r"\d")
_Checker = ConfigChecker  # the name the readers below use
__all__ = [
    "CONFIG_NAME",
    "SECRET_KEYS",
    "Config",
    "ConfigChecker",
    "ConfigError",
    "EmailTarget",
    "HeartbeatTarget",
    "Schedule",
    "TeamsTarget",
    "WebhookTarget",
    "find_config",
    "key_line",
    "load_config",
]


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
    teams: TeamsTarget | None = None
    heartbeat: HeartbeatTarget | None = None
    retries: int = 3
    backoff_seconds: float = 2.0
    after_failures: int = 1
    inhibit: bool = True  # see monitor.ops.inhibition
    sources: list[SourceConfig] = field(default_factory=list)
    store_cases: list[StoreCaseSpec] = field(default_factory=list)  # [[case]] tables

    @property
    def folder(self) -> Path:
        return self.path.parent

    def has_targets(self) -> bool:
        """Whether any notification target (e-mail, webhook, Teams) is configured."""
        return any(t is not None for t in (self.email, self.webhook, self.teams))

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


TOP_KEYS = {"monitor", "schedule", "notify", "source", "heartbeat", "case"}
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
NOTIFY_KEYS = {
    "email",
    "webhook",
    "teams",
    "retries",
    "backoff_seconds",
    "after_failures",
    "inhibit",
}
MAX_RETRIES = 10
MAX_BACKOFF_SECONDS = 300.0
MAX_AFTER_FAILURES = 1000


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
    config.inhibit = read_inhibit(notify, lambda m: check.error("notify", "inhibit", m))
    config.email = parse_email(check, check.get(notify, "email", dict, "notify", None))
    config.webhook = parse_webhook(check, check.get(notify, "webhook", dict, "notify", None))
    config.teams = parse_teams(check, check.get(notify, "teams", dict, "notify", None))
    config.heartbeat = parse_heartbeat(check, check.get(data, "heartbeat", dict, None, None))
    config.sources = parse_sources(check, data.get("source", []), base)
    names = [s.name for s in config.sources]
    config.store_cases = parse_cases(check, data.get("case", []), names, path)
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
