"""The report archive: every report by date, an index, and ``latest.html``/``latest.json``.

Layout of an archive folder (the ``--out`` folder)::

    <case>-<as-of>.html / .json   one report per case and as-of date
    index.json                    the manifest: case, as-of, stage, score per report
    index.html                    every report by date with the score over time
    latest.html / latest.json     copies of the newest report (by as-of date)

Why this shape: the dated files are the audit trail (a rerun for the same date
replaces its own file, nothing else); ``latest.*`` gives readers and tools one stable
address; the manifest keeps the index cheap to rebuild without re-reading every report
(it is rebuilt from the dated JSON files if it is missing or unreadable).

Everything is rendered in memory first and written afterwards as one unit
(:func:`monitor.core.atomic.write_files`: every file to a temporary name, a journal,
then the renames), so a failed render or a full disk leaves every previous file
untouched, and a kill mid-way is completed or undone before the next publish: the dated
pair, ``latest.*`` and ``index.json`` always come from one run.
"""

from __future__ import annotations

import glob
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from monitor.core.atomic import recover, write_files
from monitor.reports.render import render_index

MANIFEST = "index.json"
INDEX = "index.html"
LATEST_HTML = "latest.html"
LATEST_JSON = "latest.json"
DATED_JSON = re.compile(r"^(?P<case>.+)-(?P<date>\d{4}-\d{2}-\d{2})\.json$")


@dataclass
class Published:
    html: Path
    json: Path
    index: Path
    latest_html: Path
    latest_json: Path
    is_latest: bool


def stem(case: str, as_of: str) -> str:
    return f"{case}-{as_of}"


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def previous_report(out_dir: Path, case: str, as_of: str) -> tuple[dict[str, Any], str] | None:
    """The newest archived report of ``case`` dated strictly before ``as_of``.

    Returns the report's JSON and its HTML file name (relative, for a link), or
    ``None``. Strictly before: rerunning the same date compares with the report
    before it, not with itself.
    """
    folder = Path(out_dir)
    if not folder.is_dir():
        return None
    dates = []
    for path in folder.glob(f"{glob.escape(case)}-*.json"):
        match = DATED_JSON.match(path.name)
        if match and match["case"] == case and match["date"] < as_of:
            dates.append(match["date"])
    for date in sorted(dates, reverse=True):
        data = _read_json(folder / f"{stem(case, date)}.json")
        if isinstance(data, dict) and data.get("case") == case and "stage" in data:
            return data, f"{stem(case, date)}.html"
    return None


def _entry(data: dict[str, Any], written: str) -> dict[str, Any]:
    name = stem(str(data["case"]), str(data["as_of"]))
    return {
        "case": str(data["case"]),
        "case_title": str(data.get("case_title", data["case"])),
        "as_of": str(data["as_of"]),
        "stage": int(data["stage"]),
        "score": float(data["score"]),
        "html": f"{name}.html",
        "json": f"{name}.json",
        "written": written,
    }


def load_manifest(out_dir: Path) -> list[dict[str, Any]]:
    """The manifest, rebuilt from the dated JSON files when missing or unreadable."""
    folder = Path(out_dir)
    data = _read_json(folder / MANIFEST)
    if isinstance(data, dict) and isinstance(data.get("reports"), list):
        return [r for r in data["reports"] if isinstance(r, dict) and {"case", "as_of"} <= set(r)]
    entries = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        if not DATED_JSON.match(path.name):
            continue
        report = _read_json(path)
        if isinstance(report, dict) and {"case", "as_of", "stage", "score"} <= set(report):
            entries.append(_entry(report, ""))
    return entries


def _newest(entries: list[dict[str, Any]]) -> dict[str, Any] | None:
    return max(entries, key=lambda e: (e["as_of"], e.get("written", ""))) if entries else None


def group_by_case(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Cases in name order, each with its reports newest first."""
    cases: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        cases.setdefault(entry["case"], []).append(entry)
    out = []
    for case in sorted(cases):
        reports = sorted(cases[case], key=lambda e: e["as_of"], reverse=True)
        out.append({"case": case, "case_title": reports[0]["case_title"], "reports": reports})
    return out


def publish(
    out_dir: Path,
    payload: dict[str, Any],
    html: str,
    template_dir: Path | None = None,
    extra_files: Mapping[str, str] | None = None,
) -> Published:
    """Write one report into the archive and refresh the index and ``latest.*``.

    ``payload`` is the report's JSON (``Assessment.to_json()``) with ``report`` already
    pointing at the dated HTML file; ``html`` is the rendered report. ``extra_files``
    (name -> text, e.g. a CSV beside the JSON) are published in the same unit.
    """

    folder = Path(out_dir)
    recover(folder)  # a unit a kill interrupted is completed before the manifest is read
    name = stem(str(payload["case"]), str(payload["as_of"]))
    html_path, json_path = folder / f"{name}.html", folder / f"{name}.json"
    text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    written = datetime.now(UTC).isoformat(timespec="seconds")
    entries = [e for e in load_manifest(folder) if e.get("html") != f"{name}.html"]
    entries.append(_entry(payload, written))
    newest = _newest(entries)
    is_latest = newest is not None and newest["html"] == f"{name}.html"
    # render everything before touching the disk
    grouped = group_by_case(entries)
    timelines = {g["case"]: _timeline(folder, g, payload) for g in grouped}
    index_html = render_index(grouped, newest, template_dir, timelines)
    manifest = json.dumps({"reports": entries}, indent=2, ensure_ascii=False) + "\n"
    latest_html, latest_json = (html, text) if is_latest else _stored_latest(folder, newest)
    files = {**(extra_files or {}), html_path.name: html, json_path.name: text}
    if latest_html is not None and latest_json is not None:
        files[LATEST_JSON] = latest_json
        files[LATEST_HTML] = latest_html
    files[INDEX] = index_html
    files[MANIFEST] = manifest  # last: the manifest lists only what is in place
    write_files(folder, files)
    return Published(
        html_path, json_path, folder / INDEX, folder / LATEST_HTML, folder / LATEST_JSON, is_latest
    )


def _timeline(folder: Path, group: dict[str, Any], payload: dict[str, Any]) -> list[Any]:
    """The month-end scores of a case's newest report (this run's when it is the newest)."""
    newest = group["reports"][0]
    if newest.get("html") == f"{stem(str(payload['case']), str(payload['as_of']))}.html":
        return list(payload.get("score_history") or [])
    try:
        stored = json.loads((folder / str(newest.get("json", ""))).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    history = stored.get("score_history") if isinstance(stored, dict) else None
    return list(history) if isinstance(history, list) else []


def _stored_latest(folder: Path, newest: dict[str, Any] | None) -> tuple[str | None, str | None]:
    """Keep ``latest.*`` as is, unless missing: then restore it from the newest report."""
    if (folder / LATEST_HTML).is_file() and (folder / LATEST_JSON).is_file():
        return None, None
    if newest is None:
        return None, None
    try:
        html = (folder / newest["html"]).read_text(encoding="utf-8")
        text = (folder / newest["json"]).read_text(encoding="utf-8")
    except OSError:
        return None, None
    return html, text
