"""Many bad rows: the report lists the first few, counts the rest and links the full file."""

from __future__ import annotations

from pathlib import Path

from monitor.core.limits import SHOWN_BAD_ROWS
from monitor.pipeline import run

BAD_ROWS = 45


def test_the_report_caps_the_quarantine_and_links_every_row(tmp_path: Path) -> None:
    case = tmp_path / "many-bad"
    case.mkdir()
    (case / "case.yaml").write_text(
        "name: many-bad\ntitle: Many bad rows\nfiles: [data.csv]\n"
        'series:\n  hy_spread: {unit: "%", frequency: monthly, kind: level}\n',
        encoding="utf-8",
    )
    rows = ["series,entity,date,value,published,unit,source"]
    rows.append("hy_spread,US,2020-01-01,5.0,2020-02-01,%,test")
    rows += [f"hy_spread,US,2020-{m:02d}-01,not-a-number,2020-12-01,%,test" for m in range(2, 12)]
    rows += [f"hy_spread,US,2021-01-{d:02d},bad{d},2021-02-01,%,test" for d in range(1, 36)]
    (case / "data.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = run(str(case), out_dir=tmp_path / "out")
    problems = len(result.assessment.quarantined)
    assert problems >= BAD_ROWS
    html = result.html_path.read_text(encoding="utf-8")
    table = html[
        html.index('id="quarantined"') : html.index("</table>", html.index('id="quarantined"'))
    ]
    assert table.count("<tr><td>") == SHOWN_BAD_ROWS
    listed = result.html_path.name.removesuffix(".html") + ".quarantine.csv"
    assert f'href="{listed}"' in html and f"{problems} problem(s)" in html
    full = (result.html_path.parent / listed).read_text(encoding="utf-8").splitlines()
    assert len(full) == problems + 1  # a header and every problem
