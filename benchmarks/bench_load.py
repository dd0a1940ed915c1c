"""Loading case folders: today's loader against the one before issue 10, side by side.

Run: ``python benchmarks/bench_load.py [--quick] [--json] [--sizes N:T ...] [--repeat R]``.

For each size (entities x months) a synthetic panel is written as a case folder
(``synthetic_panel.py``: monthly, annual and event series, about 2 N T rows), and a
"dirty" copy of it with planted bad rows (an unparsable date, a non-number, a blank
source, a duplicate, a line with an unquoted comma, a quoted field with a comma, a
blank line, a time-zone offset). Both loaders load both folders:

- **baseline**: ``baseline_loader.py``, the loader as it was (Python csv reader, a
  blank-cell check per column and per series, object-path string checks);
- **loader**: ``monitor.data.case.load_case`` (pyarrow reader, one vectorised pass).

Before any time is printed, both must give equal frames (values and dtypes), equal bad
rows (file, line, column, check, text) and equal quarantines. Times are CPU seconds
(``process_time``, all threads; median of ``--repeat``), rows/s and the ratio from
them. Peak memory is measured apart, one fresh subprocess per loader and folder: the
growth of the peak resident set (``VmHWM``, reset after the imports, less the resident
set then), per million rows: pyarrow allocates outside ``tracemalloc``'s sight,
so RSS. ``--quick`` measures memory at its largest size only.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import baseline_loader  # noqa: E402
import synthetic_panel  # noqa: E402

from monitor.data.case import Case, load_case  # noqa: E402

QUICK = ["100:120", "300:120", "600:120"]
FULL = ["300:120", "1000:180", "1000:480"]
LOADERS: dict[str, Callable[[str], Any]] = {
    "baseline": baseline_loader.load_case,
    "loader": load_case,
}

DIRTY_LINES = [
    "hy_spread,E00000,2031-13-45,1.0,2032-01-02,%,planted bad date",
    "hy_spread,E00000,2031-02-01,abc,2031-03-02,%,planted non-number",
    "hy_spread,E00000,2031-03-01,1.0,2031-04-02,%,",
    "hy_spread,E00000,2031-04-01,1.0,2031-05-02,%,planted duplicate",
    "hy_spread,E00000,2031-04-01,1.0,2031-05-02,%,planted duplicate",
    "hy_spread,E00000,2031-05-01,1.0,2031-06-02,%,planted, unquoted comma",
    'hy_spread,E00000,2031-06-01,1.0,2031-07-02,%,"planted, quoted comma"',
    "",
    " , , ",
    "hy_spread,E00000,2031-07-01,1.0,2031-08-02T09:00:00+01:00,%,planted offset",
    "HY_SPREAD,E00000,2031-08-01,1e308,2031-09-02,%,planted capitals and overflow",
]


def make_dirty(case: Path) -> None:
    """Plant one of each kind of bad row (and two odd but good lines) in monthly.csv."""
    with (case / "monthly.csv").open("a", encoding="utf-8") as handle:
        handle.write("\n".join(DIRTY_LINES) + "\n")


def rows_in(case: Case) -> int:
    return len(case.observations) + len(case.data.quarantined)


def assert_equal(old: Case, new: Case, label: str) -> None:
    """The loaders must agree on every frame, bad row and quarantined row."""
    try:
        pd.testing.assert_frame_equal(old.observations, new.observations, check_exact=True)
        pd.testing.assert_frame_equal(old.data.quarantined, new.data.quarantined, check_exact=True)
    except AssertionError as exc:
        raise SystemExit(f"{label}: the loaders disagree: {exc}") from None
    if [b.as_dict() for b in old.data.bad_rows] != [b.as_dict() for b in new.data.bad_rows]:
        raise SystemExit(f"{label}: the loaders report different bad rows")


def cpu(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """Median CPU seconds and median wall seconds of ``repeat`` calls, and the last result."""
    cpus, walls, result = [], [], None
    for _ in range(repeat):
        began, wall = time.process_time(), time.perf_counter()
        result = fn()
        cpus.append(time.process_time() - began)
        walls.append(time.perf_counter() - wall)
    return statistics.median(cpus), statistics.median(walls), result


def peak_mb(loader: str, folder: Path) -> float:
    """Growth of the peak RSS (MB) while ``loader`` loads ``folder``, in a fresh process."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", loader, str(folder)],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(json.loads(out.stdout)["peak_growth_mb"])


def status_kb(field: str) -> int:
    """A ``/proc/self/status`` figure in KB (Linux): VmRSS now, VmHWM the peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise SystemExit(f"no {field} in /proc/self/status (Linux only)")


def child(loader: str, folder: str) -> None:
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak (VmHWM) to the RSS now
    before = status_kb("VmRSS")
    LOADERS[loader](folder)
    print(json.dumps({"peak_growth_mb": max(0, status_kb("VmHWM") - before) / 1024}))


def measure(
    size: str, repeat: int, memory: bool, quiet: bool, quick: bool, last: str
) -> list[dict[str, Any]]:
    entities, months = (int(x) for x in size.split(":"))
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = synthetic_panel.write_panel(Path(tmp) / "clean", entities, months, 1)
        dirty = synthetic_panel.write_panel(Path(tmp) / "dirty", entities, months, 1)
        make_dirty(dirty / "case")
        for kind, case in (("clean", folder / "case"), ("dirty", dirty / "case")):
            timed = {
                name: cpu(lambda f=fn, c=case: f(str(c)), repeat) for name, fn in LOADERS.items()
            }
            old, new = timed["baseline"][2], timed["loader"][2]
            assert_equal(old, new, f"{size} {kind}")
            rows = rows_in(new)
            base_s, base_wall = timed["baseline"][:2]
            new_s, new_wall = timed["loader"][:2]
            row: dict[str, Any] = {
                "size": size, "folder": kind, "rows": rows, "bad_rows": len(new.data.bad_rows),
                "baseline_s": round(base_s, 3), "loader_s": round(new_s, 3),
                "baseline_wall_s": round(base_wall, 3), "loader_wall_s": round(new_wall, 3),
                "baseline_rows_per_s": round(rows / base_s),
                "loader_rows_per_s": round(rows / new_s),
                "speedup": round(base_s / new_s, 2),
            }  # fmt: skip
            if memory and (size == last or not quick):
                millions = rows / 1e6
                for name in LOADERS:
                    row[f"{name}_peak_mb_per_m_rows"] = round(peak_mb(name, case) / millions, 1)
            out.append(row)
            print(_line(row), flush=True, file=sys.stderr if quiet else sys.stdout)
    return out


def _line(row: dict[str, Any]) -> str:
    memory = ""
    if "loader_peak_mb_per_m_rows" in row:
        memory = (
            f"  peak MB/M rows {row['baseline_peak_mb_per_m_rows']:7.0f} -> "
            f"{row['loader_peak_mb_per_m_rows']:5.0f}"
        )
    return (
        f"{row['size']:>9} {row['folder']:>5} {row['rows']:>9} rows  baseline "
        f"{row['baseline_s']:6.2f}s ({row['baseline_rows_per_s'] / 1e3:6.0f} k/s)  loader "
        f"{row['loader_s']:6.2f}s ({row['loader_rows_per_s'] / 1e3:6.0f} k/s)  "
        f"{row['speedup']:5.1f}x{memory}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, under a minute")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument("--sizes", nargs="*", help="N:T sizes instead of the defaults")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--no-memory", action="store_true", help="skip the RSS subprocesses")
    parser.add_argument("--child", nargs=2, metavar=("LOADER", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    sizes = args.sizes or (QUICK if args.quick else FULL)
    repeat = 1 if args.quick and args.repeat == 3 else args.repeat
    memory = not args.no_memory
    rows = [
        r for size in sizes for r in measure(size, repeat, memory, args.json, args.quick, sizes[-1])
    ]
    clean = [r for r in rows if r["folder"] == "clean"]
    summary = {
        "median_speedup_clean": statistics.median(r["speedup"] for r in clean),
        "target": "at least 5x per million rows (issue 10)",
    }
    if args.json:
        print(json.dumps({"rows": rows, "summary": summary}, indent=2))
    else:
        print(f"median speedup on clean folders: {summary['median_speedup_clean']:.1f}x "
              f"(target: at least 5x)")  # fmt: skip


if __name__ == "__main__":
    main()
