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

from monitor.core.plaindata import short_number

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
    """A tick or label value (see ``short_number``)."""
    return short_number(value)


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
) -> Chart | None:
    """The score (0-100) at month ends, as steps (the score holds until it changes)."""
    if not points:
        return None
    rows = thin([{"date": p["date"], "value": p["score"]} for p in points])
    xs, ys = _xy(rows)
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(width, height))
        ax = fig.add_axes((0.09, 0.17, 0.89, 0.77))
        days = _days(xs)
        ax.fill_between(days, ys, step="post", color="#1f4e79", alpha=0.12, linewidth=0)
        ax.plot(days, ys, drawstyle="steps-post", color="#1f4e79", linewidth=1.4)
        ax.plot(
            days[-1:],
            ys[-1:],
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


def archive_chart(
    reports: list[dict[str, Any]], timeline: list[dict[str, Any]], *, label: str
) -> Chart | None:
    """The archive's history: each report's score as reported, and today's timeline.

    Archived reports are separate runs (with the rules and data they had), so they are
    drawn as points, never joined by straight lines; the current timeline's month-end
    scores run beside them as a labelled step line.
    """
    if not reports and not timeline:
        return None
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(WIDTH_IN, 1.9))
        ax = fig.add_axes((0.09, 0.15, 0.89, 0.66))
        xs_all: list[date] = []
        if timeline:
            txs, tys = _xy([{"date": p["date"], "value": p["score"]} for p in thin(timeline)])
            ax.plot(_days(txs), tys, drawstyle="steps-post", color=MUTED, linewidth=1.1,
                    label="current timeline, month ends")  # fmt: skip
            xs_all += txs
        if reports:
            rxs, rys = _xy([{"date": p["date"], "value": p["score"]} for p in reports])
            ax.plot(_days(rxs), rys, linestyle="none", marker="o", markersize=3.5,
                    color="#1f4e79", label="archived reports, as reported")  # fmt: skip
            xs_all += rxs
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), frameon=False, fontsize=7, ncols=2)
        ax.set_ylim(0, 100)
        ax.set_yticks([0, 25, 50, 75, 100])
        _date_axis(ax, min(xs_all), max(xs_all))
        svg = _svg(fig)
    alt = (
        f"{label}: {len(reports)} archived report(s) as reported"
        + (
            f", and the current timeline's month-end scores from {timeline[0]['date']}"
            if timeline
            else ""
        )
        + "."
    )
    return Chart(svg, alt)


# -- backtest charts ----------------------------------------------------------------
# Drawn with the same helpers and rc settings as the run report's charts above.

HEAT_COLOURS = ("#f6f8fa", "#e3b341", "#9b1c23")  # quiet, pending, firing
EPISODE_COLOUR = "#6e7781"


def _rgb(colour: str) -> tuple[float, float, float]:
    """``#rrggbb`` as three floats in 0-1 (an image array needs numbers, not names)."""
    return tuple(int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))  # type: ignore[return-value]


def _runs(values: list[int]) -> list[tuple[int, int, int]]:
    """(start index, end index exclusive, value) for each run of equal values."""
    out: list[tuple[int, int, int]] = []
    start = 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            out.append((start, i, values[start]))
            start = i
    return out


def backtest_stage_chart(
    steps: list[dict[str, Any]],
    *,
    episodes: list[dict[str, Any]],
    events: list[dict[str, Any]],
) -> Chart | None:
    """The overall stage as coloured bands behind the score, episodes and events marked.

    Each band spans the steps at which the stage held (to the next step); the score is
    the run report's (0-100), the composite the 1/NSR-weighted one when there is one.
    """
    if not steps:
        return None
    xs = [date.fromisoformat(s["date"]) for s in steps]
    ends = [*xs[1:], xs[-1] + timedelta(days=1)]
    stages = [int(s["stage"]) for s in steps]
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(7.2, 2.4))
        ax = fig.add_axes((0.06, 0.13, 0.92, 0.72))
        for start, stop, stage in _runs(stages):
            if stage > 0:
                ax.axvspan(
                    float(date2num(xs[start])),
                    float(date2num(ends[stop - 1])),
                    color=STAGE_COLOURS[stage],
                    alpha=0.22,
                    linewidth=0,
                )
        for episode in episodes:
            onset, end = date.fromisoformat(episode["onset"]), date.fromisoformat(episode["end"])
            ax.axvline(float(date2num(onset)), color=INK, linewidth=1.1)
            ax.axvline(float(date2num(end)), color=INK, linewidth=0.8, linestyle="--")
            ax.annotate(
                f" {episode['id']} ",
                (float(date2num(onset)), 1.0),
                xycoords=("data", "axes fraction"),
                va="bottom",
                ha="left",
                fontsize=7,
                color=INK,
            )
        for event in events:
            ax.plot(
                [float(date2num(date.fromisoformat(event["date"])))],
                [97],
                marker="v",
                markersize=4,
                color=MUTED,
                linestyle="none",
            )
        days = _days(xs)
        ys = [float(s["score"]) for s in steps]
        ax.plot(days, ys, drawstyle="steps-post", color="#1f4e79", linewidth=1.4, label="score")
        composite = [math.nan if s["composite"] is None else float(s["composite"]) for s in steps]
        has_composite = any(not math.isnan(c) for c in composite)
        if has_composite:
            ax.plot(
                days,
                composite,
                drawstyle="steps-post",
                color="#7a4a9e",
                linewidth=1.1,
                linestyle="--",
                label="1/NSR composite",
            )
            ax.legend(loc="upper left", frameon=False, fontsize=7, ncols=2)
        ax.set_ylim(0, 100)
        ax.set_yticks([0, 25, 50, 75, 100])
        _date_axis(ax, xs[0], xs[-1])
        svg = _svg(fig)
    entered = {n: next((s["date"] for s in steps if int(s["stage"]) >= n), None) for n in (1, 2, 3)}
    bands = "; ".join(f"stage {n} first reached {d or 'never'}" for n, d in entered.items())
    marks = ", ".join(f"{e['id']} from {e['onset']} to {e['end']}" for e in episodes) or "none"
    alt = (
        f"Overall stage as bands and score from {xs[0].isoformat()} to {xs[-1].isoformat()}: "
        f"{bands}; score high {_fmt(max(ys))}; episodes: {marks}; {len(events)} events marked."
    )
    return Chart(svg, alt)


def heat_map_chart(heat: dict[str, Any], label_pt: float = 6.5) -> Chart | None:
    """Rules x months: firing (dark), pending (amber) or quiet, one row per rule.

    ``label_pt`` sizes the rule labels (and the rows with them): the run report uses
    7 pt so they stay legible at natural size on a phone.
    """
    rows, months = heat["rows"], heat["months"]
    if not rows or not months:
        return None
    palette = np.array([_rgb(c) for c in HEAT_COLOURS])
    grid = palette[np.array([r["cells"] for r in rows], dtype=int)]
    first = date.fromisoformat(months[0] + "-01")
    last = date.fromisoformat(months[-1] + "-01")
    with matplotlib.rc_context(RC):
        height = 0.6 + 0.16 * len(rows) * label_pt / 6.5
        fig = Figure(figsize=(7.2, height))
        ax = fig.add_axes((0.32, 0.35 / height, 0.66, 1 - 0.5 / height))
        left, right = float(date2num(first)), float(date2num(last + timedelta(days=31)))
        ax.imshow(
            grid,
            aspect="auto",
            interpolation="nearest",
            extent=(left, right, len(rows) - 0.5, -0.5),
        )
        ax.set_yticks(range(len(rows)))
        labels = [f"{'counter ' if r['counter'] else ''}S{r['stage']} {r['rule']}" for r in rows]
        ax.set_yticklabels(labels, fontsize=label_pt)
        ax.xaxis_date()
        _date_axis(ax, first, last)
        ax.grid(False)
        svg = _svg(fig)
    fired = [r["rule"] for r in rows if any(c == 2 for c in r["cells"])]
    alt = (
        f"Heat map of {len(rows)} rules by month from {months[0]} to {months[-1]}; "
        f"{len(fired)} rules fired at some point: {', '.join(fired) or 'none'}."
    )
    return Chart(svg, alt)


def fed_pmi_chart(fed: list[dict[str, Any]], pmi: list[dict[str, Any]]) -> Chart | None:
    """The source report's figure 2: the Fed funds rate with the ISM manufacturing PMI."""
    if not fed or not pmi:
        return None
    fx, fy = _xy(fed)
    px, py = _xy(pmi)
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(7.2, 2.3))
        ax = fig.add_axes((0.07, 0.13, 0.85, 0.75))
        ax.plot(_days(fx), fy, color="#1f4e79", linewidth=1.4, label="Fed funds, effective (%)")
        ax.set_ylabel("%", fontsize=7)
        twin = ax.twinx()
        twin.plot(_days(px), py, color="#a8431a", linewidth=1.1, label="ISM PMI (index)")
        twin.axhline(50, color="#a8431a", linestyle=":", linewidth=0.8)
        twin.set_ylabel("PMI", fontsize=7)
        twin.spines["right"].set_visible(True)
        handles = ax.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
        ax.legend(handles=handles, loc="lower left", frameon=False, fontsize=7, ncols=2)
        _date_axis(ax, min(fx[0], px[0]), max(fx[-1], px[-1]))
        svg = _svg(fig)
    high = max((y for y in fy if not math.isnan(y)), default=None)
    low = min((y for y in py if not math.isnan(y)), default=None)
    alt = (
        f"Fed funds rate and ISM PMI from {min(fx[0], px[0]).isoformat()} to "
        f"{max(fx[-1], px[-1]).isoformat()}: Fed funds high {_fmt(high)}%, PMI low {_fmt(low)}."
    )
    return Chart(svg, alt)


def lucent_chart(lucent: dict[str, Any]) -> Chart | None:
    """The source report's figures 4-10: amounts by fiscal year and their shares of revenue.

    Left: each amount in $bn per fiscal year (bars). Right: the share of revenue,
    computed from the bundled parts (filled markers) with the report's quoted ratio
    (open markers) where it quotes one; a year without bundled revenue has no computed
    share, never an estimated one.
    """
    items, years = lucent["items"], lucent["fiscal_years"]
    if not items or not years:
        return None
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(7.2, 2.6))
        bars = fig.add_axes((0.07, 0.2, 0.4, 0.68))
        shares = fig.add_axes((0.57, 0.2, 0.41, 0.68))
        width = 0.8 / len(items)
        for i, item in enumerate(items):
            colour = LINE_COLOURS[i % len(LINE_COLOURS)]
            amounts = [math.nan if c["amount"] is None else c["amount"] for c in item["cells"]]
            positions = [j + (i - (len(items) - 1) / 2) * width for j in range(len(years))]
            bars.bar(positions, amounts, width=width, color=colour, label=item["label"])
            computed = [
                math.nan if c["computed_pct"] is None else c["computed_pct"] for c in item["cells"]
            ]
            quoted = [
                math.nan if c["report_pct"] is None else c["report_pct"] for c in item["cells"]
            ]
            shares.plot(range(len(years)), computed, marker="o", color=colour, linewidth=1)
            shares.plot(
                range(len(years)),
                quoted,
                marker="o",
                markerfacecolor="none",
                color=colour,
                linestyle="none",
            )
        for ax in (bars, shares):
            ax.set_xticks(range(len(years)))
            ax.set_xticklabels(years)
            ax.grid(axis="y", color=GRID, linewidth=0.6)
            ax.set_axisbelow(True)
        bars.set_ylabel("$bn", fontsize=7)
        shares.set_ylabel("% of revenue", fontsize=7)
        bars.legend(loc="lower left", bbox_to_anchor=(0, 1.0), frameon=False, fontsize=6.5, ncols=3)
        svg = _svg(fig)
    parts = []
    for item in items:
        for c in item["cells"]:
            if c["computed_pct"] is not None:
                parts.append(f"{item['label']} {c['fiscal_year']} {_fmt(c['computed_pct'])}%")
    alt = (
        f"Lucent amounts by fiscal year ({', '.join(years)}) and shares of revenue computed "
        f"from the bundled parts: {'; '.join(parts) or 'none computable'}."
    )
    return Chart(svg, alt)
