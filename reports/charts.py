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
from matplotlib.ticker import FuncFormatter, MaxNLocator

MAX_POINTS = 180
# Charts are drawn about as wide as a phone shows them (4.4 in = 422 px), so 9 pt text
# stays at least 9 px on a 390 px screen; on a desktop they scale up, never below.
WIDTH_IN = 4.4
FONT_PT = 9
CARRIED_ALPHA = 0.45
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
    "font.size": FONT_PT,
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
    threshold: bool = False  # a threshold line is drawn
    carried: bool = False  # part of the line repeats an old reading (dashed)

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
    """A tick or label value: two decimals below 10, one below 100, none from 100."""
    if value is None:
        return "n/a"
    digits = 2 if abs(value) < 10 else 1 if abs(value) < 100 else 0
    text = f"{value:,.{digits}f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return text if text not in ("-0", "") else "0"


def _value_axis(ax: Any, unit: str) -> None:
    """Readable y ticks: whole numbers on count axes, compact numbers elsewhere."""
    ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=unit == "count"))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _fmt(float(v))))


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
        fontsize=FONT_PT,
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
    partial: bool = False,
) -> Chart | None:
    """A rule's indicator per entity with its threshold and its 2000 precedent.

    ``partial``: the threshold is one part of a compound condition (``value >= 6`` of
    ``value >= 6 and change(6mo) >= 100bp``), labelled so it is not read as the rule.

    The precedent is drawn where it can be read honestly: as a dated marker when its
    date lies inside the chart, else as a level line (not for counts, whose precedent
    values are often amounts of a different unit). ``None`` when there is no data.
    """
    series = [(h, *_xy(thin(h["points"]))) for h in history if h["points"]]
    if not series:
        return None
    carried_any = False
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(WIDTH_IN, 2.3))
        top = 0.78 if len(series) > 1 else 0.86  # room for a legend and labels above
        ax = fig.add_axes((0.15, 0.13, 0.83, top - 0.13))
        for i, (h, xs, ys) in enumerate(series):
            colour = LINE_COLOURS[i % len(LINE_COLOURS)]
            days = _days(xs)
            carried = [bool(p.get("carried")) for p in thin(h["points"])]
            carried_any = carried_any or any(carried)
            live, stale = _split_carried(ys, carried)
            ax.plot(
                days, live, drawstyle="steps-post", color=colour, linewidth=1.4, label=h["name"]
            )
            if any(carried):
                ax.plot(
                    days,
                    stale,
                    drawstyle="steps-post",
                    color=colour,
                    linewidth=1.2,
                    linestyle=(0, (3, 2)),
                    alpha=CARRIED_ALPHA,
                )
            ax.plot(
                days[-1:],
                ys[-1:],
                marker="o",
                markersize=3,
                color=colour,
                alpha=CARRIED_ALPHA if carried[-1] else 1.0,
            )
        first = min(s[1][0] for s in series)
        last = max(s[1][-1] for s in series)
        if threshold is not None:
            symbol = SYMBOLS.get(comparator or "", comparator or "")
            word = "part of the condition" if partial else "threshold"
            _level_line(ax, threshold, f"{word} {symbol} {_fmt(threshold)}", accent, "--")
        note = ""
        if precedent is not None and precedent.get("value") is not None:
            when = date.fromisoformat(str(precedent["date"]))
            if first <= when <= last:
                right_half = (when - first) > (last - first) * 0.6
                ax.axvline(float(date2num(when)), color=MUTED, linestyle=":", linewidth=1)
                # above the plot, so it never sits on the threshold's label inside it
                ax.annotate(
                    " 2000 precedent ",
                    (float(date2num(when)), 1),
                    xycoords=("data", "axes fraction"),
                    ha="right" if right_half else "left",
                    va="bottom",
                    color=MUTED,
                    fontsize=FONT_PT,
                    annotation_clip=False,
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
                fontsize=FONT_PT,
                ncols=min(len(series), 3),
                borderaxespad=0.2,
            )
        ax.set_ylabel(unit, fontsize=FONT_PT)
        _value_axis(ax, unit)
        _date_axis(ax, first, last)
        svg = _svg(fig)
    latest = "; ".join(
        f"{h['name']} latest {_fmt(next((y for y in reversed(ys) if not math.isnan(y)), None))}"
        for h, _, ys in series
    )
    limit = "" if threshold is None else f"; threshold {comparator} {_fmt(threshold)}"
    stale_note = "; dashed where an old reading is carried forward" if carried_any else ""
    alt = (
        f"Chart of {title} ({unit}) at month ends from {first.isoformat()} to "
        f"{last.isoformat()}: {latest}{limit}{note}{stale_note}."
    )
    return Chart(svg, alt, threshold is not None, carried_any)


def _split_carried(ys: list[float], carried: list[bool]) -> tuple[list[float], list[float]]:
    """Live readings, and the carried-forward stretch joined to the reading it repeats."""
    live = [math.nan if c else y for y, c in zip(ys, carried, strict=True)]
    stale = [
        y if c or (i + 1 < len(ys) and carried[i + 1]) else math.nan
        for i, (y, c) in enumerate(zip(ys, carried, strict=True))
    ]
    return live, stale


def score_chart(
    points: list[dict[str, Any]],
    *,
    label: str,
    width: float = WIDTH_IN,
    height: float = 1.6,
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
        ax = fig.add_axes((0.09, 0.17, 0.89, 0.77))
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
