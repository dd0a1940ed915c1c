"""``monitor run --reproduce RUN_ID``: re-evaluate a past run and show that it matches.

The run's history row holds its answer (stage, score, firing rules) and its fingerprint.
A store-backed case is read from the store as it stood then: only rows up to the
highest id the run saw, so a revision imported later is left out, and the source check
times it recorded. A case folder is read as it is now; if any of its files changed since
the run, the reproduction says which and does not claim a match. The rules and plugins
are today's: where their fingerprint differs from the run's, the changed files are
named, and the answer decides whether the run still reproduces.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from monitor.core.errors import MonitorError
from monitor.data.store import ObservationStore
from monitor.ops.config import Config
from monitor.ops.livecase import load_live, store_case
from monitor.ops.runhistory import RunStore
from monitor.pipeline import assess_inputs, load_inputs
from monitor.pipeline.provenance import data_part, run_fingerprint


@dataclass
class Reproduction:
    run_id: int
    case: str
    as_of: str
    matches: bool = True
    differences: list[str] = field(default_factory=list)  # why it does not match
    notes: list[str] = field(default_factory=list)  # changed inputs that did not matter

    def lines(self) -> list[str]:
        head = f"run {self.run_id} ({self.case} as of {self.as_of}): "
        if self.matches:
            out = [head + "reproduced: same stage, score and firing rules"]
        else:
            out = [head + "NOT reproduced"]
        out += [f"  {d}" for d in self.differences]
        out += [f"  note: {n}" for n in self.notes]
        return out


def _changed(then: dict[str, str], now: dict[str, str], what: str) -> list[str]:
    """Per-file differences between two {file: digest} maps, in words."""
    out = []
    for name in sorted(set(then) | set(now)):
        if name not in now:
            out.append(f"{what} {name} is gone")
        elif name not in then:
            out.append(f"{what} {name} is new since the run")
        elif then[name] != now[name]:
            out.append(f"{what} {name} changed since the run")
    return out


def reproduce(config: Config, run_id: int) -> Reproduction:
    """Re-evaluate run ``run_id`` of the config's history; raise if it cannot be tried."""
    row = RunStore(config.store).get(run_id)
    if row is None:
        raise MonitorError(f"no run {run_id} in the history ({config.store})")
    fingerprint: dict[str, Any] = row.get("fingerprint") or {}
    if row["stage"] is None or not fingerprint:
        raise MonitorError(
            f"run {run_id} ({row['status']}) recorded no assessment and fingerprint to reproduce"
        )
    data = fingerprint.get("data", {})
    out = Reproduction(run_id, str(row["case"]), str(row["as_of"]))
    if data.get("kind") == "store":
        spec = store_case(config, str(row["case"]))
        if spec is None:
            raise MonitorError(f"case {row['case']!r} is no longer a [[case]] in {config.path}")
        checked = {k: pd.Timestamp(v) for k, v in data.get("checked", {}).items()}
        case: Any = load_live(
            config, spec, ObservationStore(config.store), int(data["max_id"]), checked
        )
        if case.snapshot["digest"] != data.get("digest"):
            out.differences.append(
                f"the rows the case reads up to store id {data['max_id']} differ from the "
                "run's (its [[case]] series changed, or rows were deleted or rewritten)"
            )
    else:
        case = str(data.get("path") or row["case"])
        if not Path(case).is_dir():
            raise MonitorError(f"the case folder of run {run_id} is gone: {case}")
    inputs = load_inputs(case, config.rules, config.plugins)
    if data.get("kind") != "store":
        changed = _changed(data.get("files", {}), data_part(inputs.case)["files"], "case file")
        out.differences += changed
    step = str(fingerprint.get("step") or config.step)
    result = assess_inputs(inputs, pd.Timestamp(str(row["as_of"])), step)
    now = run_fingerprint(inputs, step)
    out.notes += _changed(
        fingerprint.get("rules", {}).get("files", {}), now["rules"]["files"], "rule file"
    )
    then_plugins = fingerprint.get("plugins", {}).get("indicators", {})
    now_plugins = now["plugins"]["indicators"]
    out.notes += _changed(
        {k: str(v) for k, v in then_plugins.items()},
        {k: str(v) for k, v in now_plugins.items()},
        "indicator",
    )
    if fingerprint.get("version") != now["version"]:
        out.notes.append(f"monitor version {fingerprint.get('version')} then, {now['version']} now")
    a = result.assessment
    firing = sorted(r.id for r in a.rules if r.state == "firing")
    before = sorted(row["firing"] or [])
    answer = []
    if int(a.stage) != int(row["stage"]):
        answer.append(f"stage {row['stage']} then, {a.stage} now")
    if not math.isclose(float(a.score), float(row["score"]), abs_tol=1e-9):
        answer.append(f"score {float(row['score']):.1f} then, {float(a.score):.1f} now")
    if firing != before:
        gone = sorted(set(before) - set(firing))
        new = sorted(set(firing) - set(before))
        answer.append(
            "firing rules differ: "
            + "; ".join(
                p
                for p in (
                    f"no longer firing: {', '.join(gone)}" if gone else "",
                    f"now firing: {', '.join(new)}" if new else "",
                )
                if p
            )
        )
    out.differences = answer + out.differences
    if answer or out.differences:
        out.matches = False
        out.differences += out.notes  # the changed inputs explain the mismatch
        out.notes = []
    return out
