"""What one scheduled run does; APScheduler calls :func:`run_job` by its text reference.

Each run re-reads the config, the plugins and the rules (keeping the last good rule
set through :class:`~monitor.ops.reload.RuleReloader`), evaluates every case of the
schedule, records a history row per case, and notifies on change. Nothing escapes:
a failing case is recorded as ``failed`` and the next case, the next run and the
scheduler itself carry on. Failures are never silent either: a case that failed
``[notify] after_failures`` runs in a row is notified once, and again when it
recovers; an output folder that cannot even be locked still gets a ``failed`` row.

The daemon remembers which history database it wrote to (the file's identity and
the last run id). If the file is deleted or swapped under it, the next run warns,
records the loss and sends no change notification: without the previous run there
is no baseline to compare with, and "stage 3 (was unknown)" would be a false alarm.
"""

from __future__ import annotations

import logging
import os
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from monitor.core.redaction import redact
from monitor.engine.scaling import use
from monitor.indicator.registry import load_registry
from monitor.ops.alerting import AlertPlan
from monitor.ops.config import Config, Schedule, load_config, scaling_of
from monitor.ops.heartbeat import ping as ping_heartbeat
from monitor.ops.livecase import refresh_and_load, store_case
from monitor.ops.lock import run_lock
from monitor.ops.notify import Message, build_message, secrets, send_all, what_changed
from monitor.ops.reload import RuleReloader
from monitor.ops.runhistory import RunStore, runs
from monitor.pipeline import run as run_pipeline

log = logging.getLogger("monitor.ops.jobs")

# One reloader per (config, rule folders) for the daemon's lifetime: the memory of
# the last good rule set. A fresh daemon has none and fails a run on broken rules.
_RELOADERS: dict[tuple[str, tuple[str, ...]], RuleReloader] = {}

# The history database each store URL pointed at when this process last used it:
# (device, inode) of the SQLite file (None for other databases) and the last run id.
_HISTORY: dict[str, tuple[tuple[int, int] | None, int]] = {}

BASELINE_LOST = (
    "the run history was deleted or replaced while the daemon ran (run ids restarted); "
    "no change notification: there is no previous run to compare with"
)


@dataclass
class CaseOutcome:
    """What one case's run produced, as recorded (tests read this)."""

    run_id: int
    case: str
    status: str
    stage: int | None = None
    errors: list[str] = field(default_factory=list)
    notifications: list[dict[str, Any]] = field(default_factory=list)
    report: str | None = None


def run_job(config_path: str, schedule_id: str, trigger: str = "scheduled") -> None:
    """The scheduled entry point: plain arguments only, never raises."""
    try:
        config = load_config(Path(config_path))
        schedule = next((s for s in config.schedules if s.id == schedule_id), None)
        if schedule is None:
            schedule = Schedule(schedule_id, list(config.cases))
            log.warning(
                "schedule %s is no longer in the config; running its cases once", schedule_id
            )
        run_schedule(config, schedule, trigger)
    except Exception:  # noqa: BLE001 - a crash in one run must not stop the scheduler
        log.exception("run of %s failed before it could be recorded", schedule_id)


def reloader_for(config: Config) -> RuleReloader:
    key = (str(config.path), tuple(str(p) for p in config.rules))
    if key not in _RELOADERS:
        _RELOADERS[key] = RuleReloader(config.rules)
    return _RELOADERS[key]


def run_schedule(
    config: Config,
    schedule: Schedule,
    trigger: str = "scheduled",
    store: RunStore | None = None,
    as_of: str | None = None,
) -> list[CaseOutcome]:
    """Run every case of ``schedule`` under the output folder's run lock, then ping the
    heartbeat. The daemon and the one-shot ``monitor run --schedule`` both come here;
    ``as_of`` pins the evaluation date (an outside scheduler's logical date).
    """

    own_store = store is None
    lost = _history_lost(config) if own_store else False
    store = store or RunStore(config.store)
    if own_store:
        lost = lost or _history_rewound(config, store)
        if lost:
            log.warning("%s (store %s)", BASELINE_LOST, redact(config.store, secrets(config)))
    outcomes: list[CaseOutcome] = []
    try:
        with run_lock(config.out):
            for case in schedule.cases:
                outcomes.append(
                    run_case(config, schedule.id, case, trigger, store, lost, as_of=as_of)
                )
    except Exception as exc:  # noqa: BLE001 - the lock or the output folder failed first
        done = {o.case for o in outcomes}
        error = f"output folder {config.out} unusable: {type(exc).__name__}: {exc}"
        for case in [c for c in schedule.cases if c not in done]:
            outcomes.append(record_failure(config, schedule.id, case, trigger, store, [error]))
    if own_store:
        remember_history(config, store)
    ping_heartbeat(config, schedule.id, outcomes)
    return outcomes


def record_failure(
    config: Config, job_id: str, case: str, trigger: str, store: RunStore, errors: list[str]
) -> CaseOutcome:
    """Record a case that could not even start as ``failed``, and notify if due."""
    run_id = store.start(job_id, trigger, case)
    log.error("run %d: %s failed: %s", run_id, case, errors[0])
    outcome = CaseOutcome(run_id, case, "failed", errors=errors)
    outcome.notifications = _safe(config, lambda: _notify_failure(config, store, outcome))
    store.finish(run_id, "failed", errors=errors, notifications=outcome.notifications)
    return outcome


def run_case(
    config: Config,
    job_id: str,
    case: str,
    trigger: str,
    store: RunStore,
    baseline_lost: bool = False,
    as_of: str | None = None,
) -> CaseOutcome:
    """Evaluate one case, record it, notify if it changed (or failed, or recovered)."""
    run_id = store.start(job_id, trigger, case)
    log.info("run %d: %s (%s, %s) started", run_id, case, job_id, trigger)
    plan = AlertPlan(store.engine, case, run_id, store.previous(case, run_id), config.inhibit)
    try:
        outcome, values, title = _evaluate(config, case, run_id, as_of, plan)
    except Exception as exc:  # noqa: BLE001
        errors = [redact(f"{type(exc).__name__}: {exc}", secrets(config))]
        log.error("run %d: %s failed: %s\n%s", run_id, case, errors[0], traceback.format_exc())
        failed = CaseOutcome(run_id, case, "failed", errors=errors)
        failed.notifications = _safe(config, lambda: _notify_failure(config, store, failed))
        store.finish(run_id, "failed", errors=errors, notifications=failed.notifications)
        return failed
    if baseline_lost:
        outcome.status = "degraded"
        outcome.errors.append(BASELINE_LOST)
        values["errors"] = outcome.errors
    store.finish(run_id, outcome.status, **values)  # recorded before notifying (which may be slow)
    outcome.notifications = _safe(
        config, lambda: _notify(config, store, outcome, values, title, baseline_lost, plan)
    )
    values["notifications"] = outcome.notifications
    store.finish(run_id, outcome.status, **values)
    log.info(
        "run %d: %s %s, stage %s, score %s, report %s",
        run_id,
        case,
        outcome.status,
        values.get("stage"),
        values.get("score"),
        outcome.report,
    )
    return outcome


def _evaluate(
    config: Config,
    case: str,
    run_id: int,
    as_of: str | None = None,
    plan: AlertPlan | None = None,
) -> tuple[CaseOutcome, dict[str, Any], str]:
    """Run the pipeline; the values are the history row's columns, plus the case title.

    ``plan`` applies silences and inhibition before the report renders, so it shows them.
    """

    registry = load_registry(config.plugins)
    reload = reloader_for(config).load(registry)
    spec = store_case(config, case)  # a [[case]]: refresh its sources first
    live = refresh_and_load(config, spec) if spec is not None else None
    with use(scaling_of(config)):
        result = run_pipeline(
            case if live is None else live.case,
            as_of,
            config.rules,
            config.out,
            config.plugins,
            ruleset=reload.ruleset,
            registry=registry,
            step=config.step,
            pdf=config.pdf,
            failed_sources=None if live is None else live.failed,
            annotate=None if plan is None else plan.annotate,
        )
    a = result.assessment
    errors = list(reload.problems) + list(a.problems)
    if a.degraded is not None:
        errors.insert(0, a.degraded["message"])
    if a.quarantined:
        errors.append(f"{len(a.quarantined)} observation row(s) quarantined")
    firing = [r.id for r in a.rules if r.state == "firing"]
    critical = [
        r.id for r in a.rules if r.state == "firing" and r.severity == "critical" and not r.counter
    ]
    status = "degraded" if errors else "ok"
    report = str(result.html_path) if result.html_path else None
    values = {
        "as_of": a.as_of,
        "stage": int(a.stage),
        "score": float(a.score),
        "firing": firing,
        "critical": critical,
        "report": report,
        "json_report": str(result.json_path) if result.json_path else None,
        "errors": errors,
        "fingerprint": a.fingerprint,
    }
    outcome = CaseOutcome(run_id, case, status, int(a.stage), errors, report=report)
    return outcome, values, a.case_title


def _safe(config: Config, send: Any) -> list[dict[str, Any]]:
    """Call a notifier; its failure is an outcome to record, never a failed run."""
    try:
        result: list[dict[str, Any]] = send()
    except Exception as exc:  # noqa: BLE001 - notifications never fail a run
        error = redact(repr(exc), secrets(config))[:300]
        return [{"channel": "all", "ok": False, "error": error}]
    return result


def failures_before(store: RunStore, case: str, run_id: int) -> int:
    """How many finished runs of ``case`` before ``run_id`` failed in a row."""
    query = (
        select(runs.c.status)
        .where(runs.c.case == case, runs.c.id < run_id, runs.c.status != "running")
        .order_by(runs.c.id.desc())
        .limit(MAX_STREAK)
    )
    with store.engine.connect() as conn:
        statuses = [row.status for row in conn.execute(query)]
    streak = 0
    for status in statuses:
        if status != "failed":
            break
        streak += 1
    return streak


MAX_STREAK = 1001  # one past the largest after_failures the config accepts


def _notify_failure(config: Config, store: RunStore, outcome: CaseOutcome) -> list[dict[str, Any]]:
    """Notify once when a case has failed ``after_failures`` runs in a row."""
    if not config.has_targets():
        return []
    streak = failures_before(store, outcome.case, outcome.run_id) + 1
    if streak != config.after_failures:
        return []
    error = outcome.errors[0] if outcome.errors else "unknown error"
    reason = f"{streak} run(s) in a row failed; the latest: {error}"
    text = f"{outcome.case}: the monitor is failing\n\n- {reason}\n\nNo report was published."
    payload = {
        "case": outcome.case,
        "status": "failed",
        "failures_in_a_row": streak,
        "errors": outcome.errors,
    }
    subject = f"[monitor] {outcome.case}: run failed ({streak} in a row)"
    message = Message(subject, text, payload, kind="failure")
    return [d.as_dict() for d in send_all(config, message)]


def _notify(
    config: Config,
    store: RunStore,
    outcome: CaseOutcome,
    values: dict[str, Any],
    title: str,
    baseline_lost: bool = False,
    plan: AlertPlan | None = None,
) -> list[dict[str, Any]]:
    """Notify when the stage changed or a critical rule started firing; else stay quiet.

    A run after ``after_failures`` failures or more in a row also says it recovered.
    With no previous run to compare with because the history was lost, no change
    is claimed. With a ``plan``, silenced and inhibited changes are left out (see
    :mod:`monitor.ops.alerting`).
    """

    if not config.has_targets():
        return []
    previous = store.previous(outcome.case, outcome.run_id)
    reasons = []
    if not (baseline_lost and previous is None):
        if plan is not None and plan.decision is not None:
            reasons = list(plan.decision.reasons)
        else:
            reasons = what_changed(previous, values["stage"], set(values["critical"]))
    failures = failures_before(store, outcome.case, outcome.run_id)
    if failures >= config.after_failures:
        reasons.insert(0, f"recovered after {failures} failed run(s)")
    if not reasons:
        return []
    message = build_message(
        case=outcome.case,
        title=title,
        as_of=values["as_of"],
        stage=values["stage"],
        previous_stage=None if previous is None else previous.stage,
        score=values["score"],
        firing=values["firing"],
        reasons=reasons,
        report=values["report"],
        status=outcome.status,
    )
    return [d.as_dict() for d in send_all(config, message)]


def _sqlite_identity(config: Config) -> tuple[int, int] | None:
    path = config.sqlite_path()
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino)


def _history_lost(config: Config) -> bool:
    """Whether the SQLite history this process wrote to is gone or another file now."""
    known = _HISTORY.get(config.store)
    if known is None or known[0] is None:
        return False
    return _sqlite_identity(config) != known[0]


def _history_rewound(config: Config, store: RunStore) -> bool:
    """Whether the newest run id is below the last one this process wrote (any database)."""
    known = _HISTORY.get(config.store)
    if known is None:
        return False
    with store.engine.connect() as conn:
        newest = conn.execute(select(func.max(runs.c.id))).scalar()
    return int(newest or 0) < known[1]


def remember_history(config: Config, store: RunStore) -> None:
    """Note the history database's identity and newest run id (at start, after each run)."""
    with store.engine.connect() as conn:
        newest = conn.execute(select(func.max(runs.c.id))).scalar()
    _HISTORY[config.store] = (_sqlite_identity(config), int(newest or 0))
