"""A degraded run: a source failed to refresh, so the case was judged on stored data.

Never a silent gap: the JSON's ``degraded`` names each failed source with its
(redacted) error and every series it feeds, with the last period the store holds and
whether that series is already overdue by the freshness rules; the report and the
summary lead with the same sentence.
"""

from __future__ import annotations

from typing import Any


def degraded_block(
    failed: list[dict[str, Any]] | None, data: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """``None`` when every source answered; else what failed and what it left stale."""
    if not failed:
        return None
    stale = []
    for source in failed:
        for series in source.get("series", []):
            rows = [d for d in data if d["series"] == series]
            if not rows:
                stale.append(
                    {"series": series, "entity": None, "source": source["source"],
                     "last_date": None, "age_days": None, "overdue": True}
                )  # fmt: skip
            for d in rows:
                stale.append(
                    {
                        "series": series,
                        "entity": d["entity"],
                        "source": source["source"],
                        "last_date": d["last_date"],
                        "age_days": d["age_days"],
                        "overdue": bool(d["stale"]),
                    }
                )
    names = ", ".join(f"{f['source']} ({f['error']})" for f in failed)
    listed = "; ".join(_named(s) for s in stale) or "no series of the case"
    message = (
        f"degraded run: {len(failed)} source(s) failed to refresh: {names}; judged on stored "
        f"data, not brought up to date: {listed}"
    )
    return {"failed_sources": list(failed), "stale": stale, "message": message}


def _named(item: dict[str, Any]) -> str:
    who = item["series"] if item["entity"] is None else f"{item['series']}/{item['entity']}"
    if item["last_date"] is None:
        return f"{who} (nothing stored)"
    return f"{who} (last {item['last_date']})"
