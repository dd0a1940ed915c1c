"""Assessing inputs: one date, or many dates from one timeline.

An assessment at a date is a row of the timeline, so assessing every month of a range
evaluates once (up to the last date) and reads each date from it, never re-running
the pipeline per date. Point in time holds either way: at each evaluation time the
timeline only uses what had been published by then.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from monitor.assessment.model import Assessment, assess
from monitor.data.case import Case
from monitor.engine.chunked import evaluate_chunked
from monitor.engine.distributed import runner_for
from monitor.engine.scaling import current
from monitor.engine.steps import DAILY
from monitor.engine.timeline import Timeline
from monitor.indicator.registry import Registry
from monitor.pipeline.inputs import Inputs, load_inputs
from monitor.rulebook.model import RuleSet


@dataclass
class RunResult:
    case: Case
    timeline: Timeline
    assessment: Assessment
    json_path: Path | None = None
    html_path: Path | None = None
    index_path: Path | None = None
    latest_path: Path | None = None
    pdf_path: Path | None = None


def timeline_for(
    inputs: Inputs,
    end: pd.Timestamp,
    step: str = DAILY,
    dates: Sequence[pd.Timestamp] = (),
    keep_all: bool = False,
) -> Timeline:
    """The case's timeline up to ``end``, chunked and run as the scaling in force says.

    ``dates`` (the dates to be assessed) and month ends are kept when a universe
    larger than one chunk is evaluated; ``keep_all`` keeps every step time.
    """
    case = inputs.case
    scaling = current()
    with runner_for(scaling) as runner:
        return evaluate_chunked(
            case.observations,
            inputs.ruleset,
            inputs.registry,
            end,
            case.evaluation_start(),
            step,
            scaling.chunk_size,
            dates,
            keep_all,
            runner,
        )


def assess_at(inputs: Inputs, timeline: Timeline, as_of: pd.Timestamp) -> Assessment:
    """Read ``timeline`` at ``as_of`` (a date inside its range)."""
    registry = inputs.registry
    titles = {name: registry.get(name).title for name in registry.names()}
    frequencies = {name: registry.get(name).frequency for name in registry.names()}
    reads = {name: list(registry.get(name).inputs) for name in registry.names()}
    assessment = assess(timeline, inputs.case, as_of, titles, frequencies, reads)
    assessment.problems = [str(f) for f in registry.failures] + assessment.problems
    return assessment


def assess_inputs(
    inputs: Inputs, as_of: pd.Timestamp | None = None, step: str = DAILY
) -> RunResult:
    at = pd.Timestamp(as_of) if as_of is not None else inputs.case.latest_date()
    timeline = timeline_for(inputs, at, step, [at])
    return RunResult(inputs.case, timeline, assess_at(inputs, timeline, at))


def assess_dates(
    inputs: Inputs, dates: Sequence[pd.Timestamp], step: str = DAILY
) -> list[Assessment]:
    """Assess every date from one timeline evaluated up to the last of them.

    At the month-end step the dates should be month ends (the step times a longer
    timeline has); at the daily step any date is a step time.
    """
    if not dates:
        return []
    stamps = [pd.Timestamp(d) for d in dates]
    timeline = timeline_for(inputs, max(stamps), step, stamps)
    return [assess_at(inputs, timeline, d) for d in stamps]


def assess_case(
    case: Case,
    as_of: pd.Timestamp | None = None,
    rule_dirs: Sequence[Path] = (),
    registry: Registry | None = None,
    ruleset: RuleSet | None = None,
) -> RunResult:
    """Assess a loaded case; ``ruleset`` (if given) is used instead of loading rule files."""
    return assess_inputs(load_inputs(case, rule_dirs, (), registry, ruleset), as_of)
