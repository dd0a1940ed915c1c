"""The ``monitor schedule`` daemon: APScheduler 3.11 ``BlockingScheduler`` in the foreground.

Choices, and why:

- Jobs reference ``monitor.ops.jobs:run_job`` *by text* with plain arguments (config
  path, schedule id), so they pickle into the persistent job store and survive
  restarts and code upgrades.
- Job state persists in APScheduler's ``SQLAlchemyJobStore`` in the same database
  as the run history. A run missed while the daemon was down is then still "due"
  when it starts again; ``coalesce=True`` folds any number of missed fire times
  into one run and ``misfire_grace_time`` (``job_defaults``; APScheduler's default
  of 1 s silently skips runs) bounds how stale a missed run may be. APScheduler
  writes the next fire time when it *hands* a job to the executor, so a run is
  never repeated, even if the daemon is killed during it.
- ``add_job(replace_existing=True)`` on start would recompute ``next_run_time`` and
  forget the missed run (agronholm/apscheduler#696), so :func:`reconcile_jobs` leaves
  a stored job alone when its trigger is unchanged and only refreshes its options.
- Cron day-of-week is given by name: ``CronTrigger.from_crontab("... 0")`` means
  *Monday* in APScheduler 3 (Sunday in crontab), so the config refuses digits there.
- SIGTERM/SIGINT start ``shutdown(wait=True)`` on a helper thread (not inside the
  signal handler, which may interrupt the scheduler while it holds its own locks):
  the running job finishes, the main loop returns, the process exits 0.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from monitor.core.atomic import recover
from monitor.core.redaction import redact
from monitor.ops.jobs import remember_history
from monitor.ops.lock import daemon_lock, run_lock
from monitor.ops.runhistory import RunStore, make_engine
from monitor.ops.triggers import build_trigger

if TYPE_CHECKING:
    from apscheduler.schedulers.base import BaseScheduler

    from monitor.ops.config import Config

JOB_FUNC = "monitor.ops.jobs:run_job"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
log = logging.getLogger("monitor.ops.scheduler")


def job_defaults(config: Config) -> dict[str, Any]:
    return {
        "coalesce": True,
        "max_instances": 1,
        "misfire_grace_time": config.misfire_grace_seconds,
    }


def build_scheduler(
    config: Config, engine: Any, scheduler_class: type[BaseScheduler] | None = None
) -> tuple[Any, SQLAlchemyJobStore]:
    """A scheduler with the persistent store (``default``) and a memory one (``once``).

    ``scheduler_class`` defaults to ``BlockingScheduler``; tests pass a background one.
    """

    store = SQLAlchemyJobStore(engine=engine, tablename="apscheduler_jobs")
    scheduler = (scheduler_class or BlockingScheduler)(
        jobstores={"default": store, "once": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(max_workers=2)},
        job_defaults=job_defaults(config),
        timezone=ZoneInfo(config.timezone),
    )
    return scheduler, store


def reconcile_jobs(
    scheduler: BaseScheduler, store: SQLAlchemyJobStore, config: Config
) -> dict[str, str]:
    """Make the stored jobs match the config without forgetting missed runs.

    Returns ``{job id: "kept" | "added" | "replaced" | "removed"}``. A kept job keeps
    its stored ``next_run_time`` (possibly in the past: that is the missed run).
    """
    store.start(scheduler, "default")  # creates the table; the scheduler calls it again
    existing = {job.id: job for job in store.get_all_jobs()}
    actions: dict[str, str] = {}
    for schedule in config.schedules:
        trigger = build_trigger(schedule, config.timezone)
        args = (str(config.path), schedule.id)
        old = existing.pop(schedule.id, None)
        if old is not None and repr(old.trigger) == repr(trigger):
            old._modify(
                func=JOB_FUNC, args=args, kwargs={}, name=schedule.id, **job_defaults(config)
            )
            store.update_job(old)
            actions[schedule.id] = "kept"
            continue
        if old is not None:
            store.remove_job(schedule.id)
        scheduler.add_job(
            JOB_FUNC,
            trigger,
            args=args,
            id=schedule.id,
            name=schedule.id,
            jobstore="default",
            replace_existing=True,
        )
        actions[schedule.id] = "replaced" if old is not None else "added"
    for job_id in existing:
        store.remove_job(job_id)
        actions[job_id] = "removed"
    return actions


def stored_next_run_times(config: Config) -> dict[str, datetime | None]:
    """Persisted next run per job id (for ``--list``); empty if nothing is stored yet."""

    engine = make_engine(config.store)
    try:
        if not inspect(engine).has_table("apscheduler_jobs"):
            return {}
        scheduler, store = build_scheduler(config, engine)
        store.start(scheduler, "default")
        return {job.id: job.next_run_time for job in store.get_all_jobs()}
    finally:
        engine.dispose()


class RedactSecrets(logging.Filter):
    """Replace secret values in every log line, whoever logs it.

    Libraries log what they send (httpx logs each request URL at INFO, and a webhook
    URL is itself a secret), so redaction happens at the handler, not at each caller.
    """

    def __init__(self, hidden: list[str]) -> None:
        super().__init__()
        self.hidden = hidden

    def filter(self, record: logging.LogRecord) -> bool:

        message = record.getMessage()
        cleaned = redact(message, self.hidden)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.hidden)
        return True


def setup_logging(level: int = logging.INFO, hidden: list[str] | None = None) -> None:
    """One line per event on stderr (journald adds its own timestamp; ours is local)."""
    logging.basicConfig(level=level, format=LOG_FORMAT)
    logging.getLogger("apscheduler").setLevel(logging.INFO)
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if hidden:
        for handler in logging.getLogger().handlers:
            handler.addFilter(RedactSecrets(hidden))


def serve(config: Config, run_now: bool = False) -> int:
    """Run the daemon until SIGTERM/SIGINT; returns the exit code (0 on a clean stop)."""

    with daemon_lock(config.lock_base()) as lock_path:
        engine = make_engine(config.store)
        history = RunStore(engine=engine)
        closed = history.close_interrupted()
        if closed:
            log.warning("marked %d interrupted run(s) from a previous daemon as failed", closed)
        remember_history(config, history)  # to notice the database deleted under us
        _recover_archive(config.out)
        scheduler, store = build_scheduler(config, engine)
        for job_id, action in reconcile_jobs(scheduler, store, config).items():
            log.info("job %s: %s", job_id, action)
        if run_now:
            for schedule in config.schedules:
                scheduler.add_job(
                    JOB_FUNC,
                    "date",
                    args=(str(config.path), schedule.id, "run-now"),
                    id=f"{schedule.id}@run-now",
                    name=f"{schedule.id} (run now)",
                    jobstore="once",
                    run_date=datetime.now(ZoneInfo(config.timezone)),
                )
        stopping = threading.Event()

        def stop() -> None:
            for _ in range(200):  # the signal may arrive before start() has begun
                try:
                    scheduler.shutdown(wait=True)
                    return
                except SchedulerNotRunningError:
                    time.sleep(0.05)

        stopper = threading.Thread(target=stop, name="monitor-stop")

        def on_signal(signum: int, _frame: FrameType | None) -> None:
            if stopping.is_set():
                return
            stopping.set()
            log.info(
                "%s received: letting the running job finish, then exiting",
                signal.Signals(signum).name,
            )
            stopper.start()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        log.info(
            "scheduler started (store %s, lock %s, timezone %s)",
            _safe_url(config.store),
            lock_path,
            config.timezone,
        )
        scheduler.start()
        if stopper.is_alive():
            stopper.join()
        engine.dispose()
        log.info("scheduler stopped")
    return 0


def _recover_archive(out: Path) -> None:
    """Undo a publish a killed daemon left half-done and remove orphan temporary files."""
    try:
        with run_lock(out):
            removed = recover(out)
    except OSError as exc:  # an unusable folder: each run records it as failed
        log.error("output folder %s unusable: %s", out, exc)
        return
    if removed:
        log.warning("removed %d orphan temporary file(s) from %s", len(removed), out)


def _safe_url(url: str) -> str:
    """The store URL without a password, for logs."""

    return make_url(url).render_as_string(hide_password=True)
