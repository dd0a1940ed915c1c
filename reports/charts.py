"""Small SVG charts for the report, drawn with matplotlib's Figure API.

Why these choices:

- ``Figure`` directly, never pyplot: no global state, no GUI backend, safe in a
  scheduler thread.
- ``text.parse_math=False``: an entity or title with ``$`` signs is text, not TeX.
- ``svg.fonttype='none'``: text stays ``<text>`` (small files, selectable, escaped by
  matplotlib's XML writer), not glyph outlines.
- ``svg.hashsalt`` fixed and ``metadata={'Date': None}``: the same data gives the same
  bytes, so snapshots and archived reports are stable.
- Each chart is embedded as ``<img src="data:image/svg+xml;base64,...">``: an SVG
  loaded as an image can never run script or fetch anything, element ids of different
  charts cannot clash, and ``alt`` carries the text alternative. The page's CSP allows
  ``data:`` images only.
- Long histories are thinned to at most ``MAX_POINTS`` points (month ends already).
"""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import matplotlib
import numpy as np
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
from matplotlib.figure import Figure

MAX_POINTS = 180
MIN_SPAN = timedelta(days=120)
STAGE_COLOURS = {0: "#3d4f6e", 1: "#8a5a00", 2: "#a8431a", 3: "#9b1c23"}
COUNTER_COLOUR = "#276b43"
LINE_COLOURS = ("#1f4e79", "#7a4a9e", "#2a7f62", "#8c6d1f", "#a23b72", "#4d4d4d")
INK, GRID, MUTED = "#1f2328", "#e6e8eb", "#57606a"
SYMBOLS = {">=": "\u2265", "<=": "\u2264", "!=": "\u2260", "==": "="}
RC: Any = {  # typed loosely: matplotlib stubs want literal rc keys
    "svg.hashsalt": "bubble-monitor",
    "svg.fonttype": "none",
    "text.parse_math": False,
    "font.size": 8,
    "font.family": "DejaVu Sans",
    "axes.edgecolor": "#b8bec6",
    "axes.linewidth": 0.6,
    "axes.labelcolor": INK,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "xtick.major.size": 2.5,
    "ytick.major.size": 0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "path.simplify": True,
}


@dataclass(frozen=True)
class Chart:
    """An embeddable chart: the SVG text, its data URI and its text alternative."""

    svg: str
    alt: str

    @property
    def uri(self) -> str:
        encoded = base64.b64encode(self.svg.encode("utf-8")).decode("ascii")
        return f"data:image/svg+xml;base64,{encoded}"


def thin(points: list[dict[str, Any]], limit: int = MAX_POINTS) -> list[dict[str, Any]]:
    """Every k-th point so at most ``limit`` remain; the last point is always kept."""
    if len(points) <= limit:
        return points
    step = math.ceil(len(points) / limit)
    kept = points[::step]
    if kept[-1] is not points[-1]:
        kept.append(points[-1])
    return kept


def _xy(points: list[dict[str, Any]]) -> tuple[list[date], list[float]]:
    xs = [date.fromisoformat(p["date"]) for p in points]
    ys = [math.nan if p["value"] is None else float(p["value"]) for p in points]
    return xs, ys


def _days(xs: list[date]) -> np.ndarray:
    """Dates as numpy days: what matplotlib's date axis (and its type stubs) expect."""
    return np.array(xs, dtype="datetime64[D]")


def _fmt(value: float | None) -> str:
    if value is None:
        return "n/a"
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None}, transparent=True)
    return buffer.getvalue()


def _level_line(
    ax: Any, level: float, label: str, colour: str, style: str, left: bool = False
) -> None:
    """A labelled horizontal line: the threshold on the right, the precedent on the left."""
    ax.axhline(level, color=colour, linestyle=style, linewidth=1)
    ax.annotate(
        label,
        (0 if left else 1, level),
        xycoords=("axes fraction", "data"),
        ha="left" if left else "right",
        va="bottom",
        color=colour,
        fontsize=7,
    )


def _date_axis(ax: Any, first: date, last: date) -> None:
    """A quiet date axis; a very short span is padded so the locator has room."""
    if (last - first) < MIN_SPAN:
        pad = (MIN_SPAN - (last - first)) / 2
        ax.set_xlim(float(date2num(first - pad)), float(date2num(last + pad)))
    locator = AutoDateLocator(minticks=3, maxticks=7)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator, show_offset=False))
    ax.grid(axis="y", color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)


def rule_chart(
    history: list[dict[str, Any]],
    *,
    title: str,
    unit: str,
    threshold: float | None,
    comparator: str | None,
    precedent: dict[str, Any] | None,
    accent: str,
) -> Chart | None:
    """A rule's indicator per entity with its threshold and its 2000 precedent.

    The precedent is drawn where it can be read honestly: as a dated marker when its
    date lies inside the chart, else as a level line (not for counts, whose precedent
    values are often amounts of a different unit). ``None`` when there is no data.
    """
    series = [(h, *_xy(thin(h["points"]))) for h in history if h["points"]]
    if not series:
        return None
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(5.4, 1.9))
        top = 0.8 if len(series) > 1 else 0.9  # room for a legend above the plot
        ax = fig.add_axes((0.09, 0.14, 0.89, top - 0.1))
        for i, (h, xs, ys) in enumerate(series):
            colour = LINE_COLOURS[i % len(LINE_COLOURS)]
            days = _days(xs)
            ax.plot(days, ys, drawstyle="steps-post", color=colour, linewidth=1.4, label=h["name"])
            ax.plot(days[-1:], ys[-1:], marker="o", markersize=3, color=colour)
        first = min(s[1][0] for s in series)
        last = max(s[1][-1] for s in series)
        if threshold is not None:
            symbol = SYMBOLS.get(comparator or "", comparator or "")
            _level_line(ax, threshold, f"threshold {symbol} {_fmt(threshold)}", accent, "--")
        note = ""
        if precedent is not None and precedent.get("value") is not None:
            when = date.fromisoformat(str(precedent["date"]))
            if first <= when <= last:
                right_half = (when - first) > (last - first) * 0.6
                ax.axvline(float(date2num(when)), color=MUTED, linestyle=":", linewidth=1)
                ax.annotate(
                    " 2000 precedent ",
                    (float(date2num(when)), 1),
                    xycoords=("data", "axes fraction"),
                    ha="right" if right_half else "left",
                    va="top",
                    color=MUTED,
                    fontsize=7,
                )
                note = f"; the 2000 precedent date {when.isoformat()} is marked"
            elif unit != "count" and precedent.get("unit", unit) == unit:
                level = float(precedent["value"])
                _level_line(ax, level, f"2000: {_fmt(level)}", MUTED, ":", left=True)
                note = f"; the 2000 precedent level {_fmt(level)} is drawn as a dotted line"
        if len(series) > 1:
            ax.legend(
                loc="lower left",
                bbox_to_anchor=(0, 1.0),
                frameon=False,
                fontsize=7,
                ncols=min(len(series), 4),
                borderaxespad=0.2,
            )
        ax.set_ylabel(unit, fontsize=7)
        _date_axis(ax, first, last)
        svg = _svg(fig)
    latest = "; ".join(
        f"{h['name']} latest {_fmt(next((y for y in reversed(ys) if not math.isnan(y)), None))}"
        for h, _, ys in series
    )
    limit = "" if threshold is None else f"; threshold {comparator} {_fmt(threshold)}"
    alt = (
        f"Chart of {title} ({unit}) at month ends from {first.isoformat()} to "
        f"{last.isoformat()}: {latest}{limit}{note}."
    )
    return Chart(svg, alt)


def score_chart(
    points: list[dict[str, Any]],
    *,
    label: str,
    width: float = 5.4,
    height: float = 1.5,
    steps: bool = True,
) -> Chart | None:
    """The score (0-100) over time: the headline's trend and the archive's history.

    ``steps`` draws month-end readings as steps (the score holds until it changes);
    the archive, whose points are separate reports, uses a line with markers.
    """
    if not points:
        return None
    rows = thin([{"date": p["date"], "value": p["score"]} for p in points])
    xs, ys = _xy(rows)
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(width, height))
        ax = fig.add_axes((0.07, 0.16, 0.91, 0.78))
        days = _days(xs)
        style = "steps-post" if steps else "default"
        ax.fill_between(
            days, ys, step="post" if steps else None, color="#1f4e79", alpha=0.12, linewidth=0
        )
        ax.plot(days, ys, drawstyle=style, color="#1f4e79", linewidth=1.4)
        ax.plot(
            days if not steps else days[-1:],
            ys if not steps else ys[-1:],
            linestyle="none",
            marker="o",
            markersize=3,
            color="#1f4e79",
        )
        ax.set_ylim(0, 100)
        ax.set_yticks([0, 25, 50, 75, 100])
        _date_axis(ax, xs[0], xs[-1])
        svg = _svg(fig)
    high = max((y for y in ys if not math.isnan(y)), default=None)
    alt = (
        f"{label}: score from {_fmt(ys[0])} on {xs[0].isoformat()} to {_fmt(ys[-1])} on "
        f"{xs[-1].isoformat()}, high {_fmt(high)}."
    )
    return Chart(svg, alt)
