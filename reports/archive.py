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

Everything is rendered in memory first and written afterwards, each file atomically
(:func:`monitor.core.atomic.write_text`), so a failed render leaves every previous file
untouched and a crash mid-way never leaves half a file.
"""

from __future__ import annotations

import glob
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from monitor.core.atomic import write_text
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
    table: str | None = None,
) -> Published:
    """Write one report into the archive and refresh the index and ``latest.*``.

    ``payload`` is the report's JSON (``Assessment.to_json()``) with ``report`` already
    pointing at the dated HTML file; ``html`` is the rendered report; ``table`` (if
    given) is its CSV of every alert and indicator value, written beside it.
    """

    folder = Path(out_dir)
    name = stem(str(payload["case"]), str(payload["as_of"]))
    html_path, json_path = folder / f"{name}.html", folder / f"{name}.json"
    text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    written = datetime.now(UTC).isoformat(timespec="seconds")
    entries = [e for e in load_manifest(folder) if e.get("html") != f"{name}.html"]
    entries.append(_entry(payload, written))
    newest = _newest(entries)
    is_latest = newest is not None and newest["html"] == f"{name}.html"
    # render everything before touching the disk
    index_html = render_index(group_by_case(entries), newest, template_dir)
    manifest = json.dumps({"reports": entries}, indent=2, ensure_ascii=False) + "\n"
    latest_html, latest_json = (html, text) if is_latest else _stored_latest(folder, newest)
    write_text(html_path, html)
    write_text(json_path, text)
    if table is not None:
        write_text(folder / f"{name}.csv", table)
    write_text(folder / MANIFEST, manifest)
    write_text(folder / INDEX, index_html)
    if latest_html is not None and latest_json is not None:
        write_text(folder / LATEST_JSON, latest_json)
        write_text(folder / LATEST_HTML, latest_html)
    return Published(
        html_path, json_path, folder / INDEX, folder / LATEST_HTML, folder / LATEST_JSON, is_latest
    )


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
