"""What one scheduled run does; APScheduler calls :func:`run_job` by its text reference.

Each run re-reads the config, the plugins and the rules (keeping the last good rule
set through :class:`~monitor.ops.reload.RuleReloader`), evaluates every case of the
schedule, records a history row per case, and notifies on change. Nothing escapes:
a failing case is recorded as ``failed`` and the next case, the next run and the
scheduler itself carry on.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monitor.core.redaction import redact
from monitor.indicator.registry import load_registry
from monitor.ops.config import Config, Schedule, load_config
from monitor.ops.lock import run_lock
from monitor.ops.notify import build_message, secrets, send_all, what_changed
from monitor.ops.reload import RuleReloader
from monitor.ops.runhistory import RunStore
from monitor.pipeline import run as run_pipeline

log = logging.getLogger("monitor.ops.jobs")

# One reloader per (config, rule folders) for the daemon's lifetime: the memory of
# the last good rule set. A fresh daemon has none and fails a run on broken rules.
_RELOADERS: dict[tuple[str, tuple[str, ...]], RuleReloader] = {}


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
    config: Config, schedule: Schedule, trigger: str = "scheduled", store: RunStore | None = None
) -> list[CaseOutcome]:
    """Run every case of ``schedule`` under the output folder's run lock."""

    store = store or RunStore(config.store)
    outcomes = []
    with run_lock(config.out):
        for case in schedule.cases:
            outcomes.append(run_case(config, schedule.id, case, trigger, store))
    return outcomes


def run_case(config: Config, job_id: str, case: str, trigger: str, store: RunStore) -> CaseOutcome:
    """Evaluate one case, record it, notify if it changed; never raises."""
    run_id = store.start(job_id, trigger, case)
    log.info("run %d: %s (%s, %s) started", run_id, case, job_id, trigger)
    try:
        outcome, values, title = _evaluate(config, case, run_id)
    except Exception as exc:  # noqa: BLE001
        errors = [f"{type(exc).__name__}: {exc}"]
        log.error("run %d: %s failed: %s\n%s", run_id, case, errors[0], traceback.format_exc())
        store.finish(run_id, "failed", errors=errors)
        return CaseOutcome(run_id, case, "failed", errors=errors)
    try:
        outcome.notifications = _notify(config, store, outcome, values, title)
    except Exception as exc:  # noqa: BLE001 - notifications never fail a run
        error = redact(repr(exc), secrets(config))[:300]
        outcome.notifications = [{"channel": "all", "ok": False, "error": error}]
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


def _evaluate(config: Config, case: str, run_id: int) -> tuple[CaseOutcome, dict[str, Any], str]:
    """Run the pipeline; the values are the history row's columns, plus the case title."""

    registry = load_registry(config.plugins)
    reload = reloader_for(config).load(registry)
    result = run_pipeline(
        case,
        None,
        config.rules,
        config.out,
        config.plugins,
        ruleset=reload.ruleset,
        registry=registry,
        step=config.step,
        pdf=config.pdf,
    )
    a = result.assessment
    errors = list(reload.problems) + list(a.problems)
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
    }
    outcome = CaseOutcome(run_id, case, status, int(a.stage), errors, report=report)
    return outcome, values, a.case_title


def _notify(
    config: Config, store: RunStore, outcome: CaseOutcome, values: dict[str, Any], title: str
) -> list[dict[str, Any]]:
    """Notify when the stage changed or a critical rule started firing; else stay quiet."""

    if config.email is None and config.webhook is None:
        return []
    previous = store.previous(outcome.case, outcome.run_id)
    reasons = what_changed(previous, values["stage"], set(values["critical"]))
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
