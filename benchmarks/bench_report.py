"""How long rendering the bundled default report takes, against a baseline in the same run.

Run: ``python benchmarks/bench_report.py [--repeat N]``. Not a test: timings depend on
the machine, so the budget (under 3 s to render the default report, under 2 MB on
disk) is printed, not asserted. Ratios are against a baseline measured in this same
process (one plain Jinja2 render of the assessment without charts plus one chart), so
they compare across machines better than seconds do.

Stages timed (best of N, warm imports; the first cold render is reported separately):

- ``baseline``      minimal template over the assessment + one matplotlib chart
- ``charts``        every rule chart and the score trend
- ``render``        the full report (charts + templates): the 3 s budget
- ``publish``       render + archive (JSON, index with its chart, latest.*), to disk
- ``run``           the whole pipeline: load case, evaluate, assess, analogies, publish
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BUDGET_SECONDS = 3.0
BUDGET_BYTES = 2_000_000


def best_of(repeat: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--case", default="ai-cycle")
    args = parser.parse_args()

    start = time.perf_counter()
    from jinja2 import Environment, StrictUndefined

    from monitor.pipeline import run
    from monitor.reports.archive import publish
    from monitor.reports.charts import score_chart
    from monitor.reports.render import charts_for, render_report

    imports = time.perf_counter() - start
    out = Path(tempfile.mkdtemp(prefix="bench-report-"))
    start = time.perf_counter()
    result = run(args.case, out_dir=out / "first")
    cold = time.perf_counter() - start
    a = result.assessment

    plain = Environment(autoescape=True, undefined=StrictUndefined).from_string(
        "{% for r in a.rules %}<h3>{{ r.title }}</h3><p>{{ r.value }} {{ r.unit }}</p>"
        "{% endfor %}{% for d in a.data %}<tr><td>{{ d.series }}</td></tr>{% endfor %}"
    )

    def baseline() -> None:
        plain.render(a=a)
        score_chart(a.score_history, label="baseline")

    def publish_once() -> None:
        html = render_report(a)
        publish(out / "publish", a.to_json(), html)

    timings = {
        "baseline": best_of(args.repeat, baseline),
        "charts": best_of(args.repeat, lambda: charts_for(a)),
        "render": best_of(args.repeat, lambda: render_report(a)),
        "publish": best_of(args.repeat, publish_once),
        "run": best_of(max(1, args.repeat // 2), lambda: run(args.case, out_dir=out / "runs")),
    }
    size = result.html_path.stat().st_size
    charted = sum(1 for r in a.rules if r.history)
    print(f"case {a.case} as of {a.as_of}: {len(a.rules)} rules, {charted} charts")
    print(f"imports {imports:.2f}s, first (cold) run {cold:.2f}s")
    base = timings["baseline"]
    for name, seconds in timings.items():
        print(f"{name:<9} {seconds * 1000:8.1f} ms   {seconds / base:6.1f}x baseline")
    verdict = "ok" if timings["render"] < BUDGET_SECONDS else "OVER BUDGET"
    print(f"render budget {BUDGET_SECONDS:.0f}s: {verdict}")
    verdict = "ok" if size < BUDGET_BYTES else "OVER BUDGET"
    print(f"report size {size / 1e6:.2f} MB (budget {BUDGET_BYTES / 1e6:.0f} MB): {verdict}")


if __name__ == "__main__":
    main()
