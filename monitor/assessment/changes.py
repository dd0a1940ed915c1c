"""What changed since the previous report: the first thing a weekly reader looks for.

The comparison works on the JSON contract (``Assessment.to_json()``) of the previous
report, not on pickled objects, so any archived report, even one written by an older
version, can serve as the baseline. Only the stable keys are used: ``as_of``,
``case``, ``stage``, ``score``, ``stages`` and ``alerts``.
"""

from __future__ import annotations

from typing import Any


def _firing(report: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (str(a.get("rule")), str(a.get("entity"))): a
        for a in report.get("alerts") or []
        if a.get("state") == "firing"
    }


def _active(report: dict[str, Any]) -> set[int]:
    return {int(s["stage"]) for s in report.get("stages") or [] if s.get("active")}


def compare(
    current: dict[str, Any],
    previous: dict[str, Any] | None,
    titles: dict[str, str] | None = None,
    previous_report: str | None = None,
) -> dict[str, Any]:
    """The changes between two assessments of the same case, as plain data.

    ``started``/``stopped`` list (rule, entity) pairs that began or ceased firing;
    ``stages_activated``/``stages_deactivated`` the stages whose activity flipped.
    Without a previous report everything is empty and ``previous`` is ``None``.
    """
    titles = titles or {}
    empty: dict[str, Any] = {
        "previous": None,
        "stage_from": None,
        "stage_to": int(current["stage"]),
        "stage_move": 0,
        "score_delta": None,
        "started": [],
        "stopped": [],
        "stages_activated": [],
        "stages_deactivated": [],
        "any": False,
    }
    if previous is None:
        return empty
    now, before = _firing(current), _firing(previous)

    def item(key: tuple[str, str], alert: dict[str, Any]) -> dict[str, Any]:
        return {
            "rule": key[0],
            "title": titles.get(key[0], key[0]),
            "entity": key[1],
            "stage": alert.get("stage"),
            "value": alert.get("value"),
            "unit": alert.get("unit", ""),
        }

    started = [item(k, now[k]) for k in sorted(set(now) - set(before))]
    stopped = [item(k, before[k]) for k in sorted(set(before) - set(now))]
    stage_from, stage_to = int(previous["stage"]), int(current["stage"])
    score_delta = round(float(current["score"]) - float(previous["score"]), 1)
    activated = sorted(_active(current) - _active(previous))
    deactivated = sorted(_active(previous) - _active(current))
    return {
        "previous": {
            "as_of": previous.get("as_of"),
            "score": previous.get("score"),
            "stage": stage_from,
            "report": previous_report,
        },
        "stage_from": stage_from,
        "stage_to": stage_to,
        "stage_move": stage_to - stage_from,
        "score_delta": score_delta,
        "started": started,
        "stopped": stopped,
        "stages_activated": activated,
        "stages_deactivated": deactivated,
        "any": bool(started or stopped or activated or deactivated or score_delta),
    }
