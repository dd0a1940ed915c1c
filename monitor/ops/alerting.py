"""What a scheduled run notifies, once silences and inhibition are applied.

The notifier's changes (the overall stage moved, a critical rule started firing, and
with inhibition a lower stage became active) are *notices*. :func:`decide` splits
them into those to send and those withheld: silenced (:mod:`monitor.ops.silences`) or
inhibited (:mod:`monitor.ops.inhibition`). Withheld notices are stored with the run
(``alert_notices``) and carried to the next run while they stay true, so when the
silence expires or the higher stage drops back, the still-firing alert is notified
exactly once; one that stopped firing meanwhile is dropped. The overall stage change
is never withheld: a silence quiets one alert, not the assessment.

:class:`AlertPlan` runs inside the pipeline (its ``annotate`` hook, before the report
renders) so the HTML and JSON report show what was silenced and held back, and why.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Engine, delete, select

from monitor.assessment.model import Assessment
from monitor.ops.inhibition import inhibited_by
from monitor.ops.runhistory import Previous
from monitor.ops.silences import Silence, SilenceStore, alert_notices, today_date

log = logging.getLogger("monitor.ops.alerting")

RULE = "rule"
STAGE = "stage"


@dataclass(frozen=True)
class Critical:
    """A critical, non-counter rule firing now: its stage and the entities it fires for."""

    stage: int
    entities: tuple[str, ...] = ()
    title: str = ""


@dataclass(frozen=True)
class Facts:
    """The part of an assessment notifications depend on."""

    as_of: str
    stage: int
    active: frozenset[int]
    critical: dict[str, Critical]


@dataclass
class Notice:
    """One thing worth telling; ``why`` is empty when it is sent."""

    key: str  # "rule:<id>" or "stage:<n>"
    kind: str  # RULE | STAGE
    stage: int  # the rule's stage, or the stage that became active
    since: str  # as-of date of the run it first became due
    rule: str | None = None
    title: str = ""
    why: list[str] = field(default_factory=list)
    silences: list[int] = field(default_factory=list)
    inhibited_by: int | None = None
    carried: bool = False  # due at an earlier run, withheld until now
    held: str = ""  # carried: what held it back at the previous run

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Decision:
    reasons: list[str]  # the message's reasons, in order; empty: stay quiet
    sent: list[Notice]
    withheld: list[Notice]


def facts_of(a: Assessment) -> Facts:
    critical = {
        r.id: Critical(r.stage, tuple(e.entity for e in r.entities if e.state == "firing"), r.title)
        for r in a.rules
        if r.state == "firing" and r.severity == "critical" and not r.counter
    }
    return Facts(a.as_of, int(a.stage), frozenset(s.stage for s in a.stages if s.active), critical)


def covering(rule: str, entities: tuple[str, ...], silences: list[Silence]) -> list[Silence]:
    """The silences that quiet ``rule`` now, or [] when some firing entity is not covered.

    A rule-wide silence covers every entity; entity silences cover the rule only when
    every entity it fires for has one, so a new entity firing is still news.
    """
    mine = [s for s in silences if s.rule == rule]
    if any(s.entity is None for s in mine):
        return mine
    if not entities or not mine:
        return []
    if all(any(s.covers(rule, e) for s in mine) for e in entities):
        return [s for s in mine if s.entity in entities]
    return []


def decide(
    facts: Facts,
    previous: Previous | None,
    before_stages: frozenset[int] | None,
    before_withheld: list[dict[str, Any]],
    silences: list[Silence],
    inhibit: bool,
) -> Decision:
    """Split this run's notices into sent and withheld.

    ``previous`` is the last recorded run (None: the first, compared with stage 0 and
    nothing firing); ``before_stages`` the stages active then (None: unknown, so no
    stage-activation notice is claimed); ``before_withheld`` what it held back.
    """
    before_stage = 0 if previous is None else previous.stage
    before_critical = frozenset() if previous is None else previous.critical
    if previous is None:
        before_stages = frozenset()
    stage_changed = facts.stage != before_stage
    candidates: dict[str, Notice] = {}
    for old in before_withheld:
        notice = _carry(old, facts, stage_changed)
        if notice is not None:
            candidates[notice.key] = notice
    for rule_id, crit in sorted(facts.critical.items()):
        key = f"{RULE}:{rule_id}"
        if rule_id not in before_critical and key not in candidates:
            candidates[key] = Notice(key, RULE, crit.stage, facts.as_of, rule_id, crit.title)
    if before_stages is not None:
        for number in sorted(facts.active - before_stages):
            key = f"{STAGE}:{number}"
            if number != facts.stage and key not in candidates:
                candidates[key] = Notice(key, STAGE, number, facts.as_of, title=f"stage {number}")
    sent: list[Notice] = []
    withheld: list[Notice] = []
    for notice in candidates.values():
        notice.why, notice.silences, notice.inhibited_by = [], [], None
        if notice.kind == RULE and notice.rule is not None:
            crit = facts.critical[notice.rule]
            quiet = covering(notice.rule, crit.entities, silences)
            notice.silences = [s.id for s in quiet]
            notice.why += [_silenced(s) for s in quiet]
        notice.inhibited_by = inhibited_by(notice.stage, facts.stage, inhibit)
        if notice.inhibited_by is not None:
            notice.why.append(
                f"inhibited: stage {notice.inhibited_by} is active "
                f"(stage {notice.stage} news is held back until it drops)"
            )
        (withheld if notice.why else sent).append(notice)
    return Decision(_reasons(before_stage, facts.stage, sent), sent, withheld)


def _silenced(s: Silence) -> str:
    return f"silenced by #{s.id} ({s.target}) until {s.until} by {s.created_by}: {s.reason}"


def _carry(old: dict[str, Any], facts: Facts, stage_changed: bool) -> Notice | None:
    """A notice withheld before, if it is still true now (else it is dropped)."""
    kind, stage = old.get("kind"), int(old.get("stage", 0))
    if kind == RULE:
        rule = old.get("rule")
        if rule not in facts.critical:
            return None  # stopped firing while withheld: nothing left to announce
        stage = facts.critical[rule].stage
    elif kind == STAGE:
        if stage not in facts.active:
            return None
        if stage == facts.stage and stage_changed:
            return None  # "stage changed to N" already says it
    else:
        return None
    held = [f"silence #{i}" for i in old.get("silences") or []]
    if old.get("inhibited_by") is not None:
        held.append(f"stage {old['inhibited_by']} being active")
    return Notice(
        str(old["key"]),
        str(kind),
        stage,
        str(old.get("since", facts.as_of)),
        old.get("rule"),
        str(old.get("title", "")),
        carried=True,
        held=" and ".join(held),
    )


def _reasons(before: int, stage: int, sent: list[Notice]) -> list[str]:
    reasons = []
    if stage != before:
        reasons.append(f"stage changed from {before} to {stage}")
    new = [n.rule for n in sent if n.kind == RULE and not n.carried and n.rule]
    if new:
        reasons.append("critical rule(s) started firing: " + ", ".join(sorted(new)))
    for n in sent:
        if n.kind == RULE and n.carried:
            by = f" by {n.held}" if n.held else ""
            reasons.append(
                f"critical rule {n.rule} has been firing since {n.since}; held back{by} until now"
            )
    for n in sent:
        if n.kind == STAGE:
            when = f" on {n.since}" if n.carried else ""
            reasons.append(f"stage {n.stage} became active{when}")
    return reasons


def silence_marks(a: Assessment, silences: list[Silence]) -> dict[str, list[dict[str, Any]]]:
    """Per rule id, the active silences that name it (whatever its state)."""
    marks: dict[str, list[dict[str, Any]]] = {}
    for s in silences:
        marks.setdefault(s.rule, []).append(s.as_dict())
    return {r.id: marks[r.id] for r in a.rules if r.id in marks}


class AlertPlan:
    """The notification decision for one run of one case, made before its report renders."""

    def __init__(
        self,
        engine: Engine,
        case: str,
        run_id: int,
        previous: Previous | None,
        inhibit: bool,
        on: date | None = None,
    ) -> None:
        self.engine, self.case, self.run_id = engine, case, run_id
        self.previous, self.inhibit = previous, inhibit
        self.on = on
        self.decision: Decision | None = None

    def annotate(self, a: Assessment) -> None:
        """Decide and mark the assessment; never fails the run.

        If the silences cannot be read, the run notifies as if there were none (a
        missed crisis costs more than an unwanted message) and says so as a problem.
        """
        try:
            self._annotate(a)
        except Exception as exc:  # noqa: BLE001 - notifications never fail a run
            log.exception("run %d: silences and inhibition unavailable", self.run_id)
            self.decision = None
            a.problems.append(
                f"silences and inhibition unavailable, notified without them: "
                f"{type(exc).__name__}: {exc}"
            )

    def _annotate(self, a: Assessment) -> None:
        """Decide, mark the assessment (rules' silences, ``notices``), record the withheld."""
        active = SilenceStore(self.engine).active(self.on or today_date())
        before_stages, before_withheld = self._before()
        facts = facts_of(a)
        decision = decide(
            facts, self.previous, before_stages, before_withheld, active, self.inhibit
        )
        self.decision = decision
        marks = silence_marks(a, active)
        for rule in a.rules:
            rule.silences = marks.get(rule.id, [])
        a.notices = {
            "inhibit": self.inhibit,
            "due": decision.reasons,
            "withheld": [n.as_dict() for n in decision.withheld],
            "silences": [s.as_dict() for s in active],
        }
        with self.engine.begin() as conn:
            conn.execute(delete(alert_notices).where(alert_notices.c.run_id == self.run_id))
            conn.execute(
                alert_notices.insert().values(
                    run_id=self.run_id,
                    case=self.case,
                    stages=sorted(facts.active),
                    withheld=[n.as_dict() for n in decision.withheld],
                )
            )

    def _before(self) -> tuple[frozenset[int] | None, list[dict[str, Any]]]:
        if self.previous is None:
            return frozenset(), []
        query = select(alert_notices).where(alert_notices.c.run_id == self.previous.run_id)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:  # a run recorded before silences existed
            return None, []
        return frozenset(int(s) for s in row.stages), list(row.withheld or [])
