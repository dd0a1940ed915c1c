"""The HTML report: self-contained, escaped, deterministic charts, honest figures.

Browser-level checks (what a reader sees in Chromium) live in test_report_browser.py;
here the HTML is parsed as text, which is fast and needs no browser.
"""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from monitor.pipeline import run
from monitor.reports.charts import Chart, rule_chart, score_chart, thin
from monitor.reports.render import CSP, environment, format_number, render_index, render_report
from monitor.rulebook.loader import bundled_rules_dir

SVG_URI = "data:image/svg+xml;base64,"
HOSTILE_TITLE = "<script>alert(1)</script>"
HOSTILE_RULES = """\
title: "<b>hostile</b> rule file"
rules:
  - id: xss-probe
    title: "<script>alert(1)</script>"
    stage: 0
    indicator: customer_concentration
    when: value >= 35
    severity: warning
    precedent: {date: 1999-09-30, value: 37, entity: LU, note: "<img src=x onerror=alert(2)>"}
    description: "</p><script>alert(3)</script><p>"
    references: ["<a href='javascript:alert(4)'>click</a>"]
"""
HOSTILE_CASE = """\
name: hostile
title: "<script>alert(5)</script> case"
description: "<style>body{display:none}</style>"
as_of: 2025-12-31
files: [data.csv]
entities:
  NVDA: {name: "<i>NV</i><script>alert(6)</script>"}
  AMD: {name: "AMD"}
series:
  customer_share_top4: {title: "<b>Top 4</b>", unit: "%", frequency: quarterly, kind: level}
"""
HOSTILE_CSV = """\
series,entity,date,value,published,unit,source,note
customer_share_top4,NVDA,2025-04-27,41,2025-05-31,%,"<script>alert(7)</script>",x
customer_share_top4,NVDA,2025-07-27,46,2025-08-31,%,"<img src=x onerror=alert(8)>",x
customer_share_top2,AMD,2025-06-28,30,2025-08-05,%,src,x
customer_share_top4,NVDA,2025-10-26,<svg onload=alert(9)>,2025-11-30,%,src,bad value
"""


class Collector(HTMLParser):
    """Every tag and attribute the browser would build from the document."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def parse(html: str) -> list[tuple[str, dict[str, str | None]]]:
    collector = Collector()
    collector.feed(html)
    return collector.tags


def svgs(html: str) -> list[str]:
    return [
        base64.b64decode(attrs["src"][len(SVG_URI) :]).decode("utf-8")
        for tag, attrs in parse(html)
        if tag == "img" and (attrs.get("src") or "").startswith(SVG_URI)
    ]


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("archive")
    return run("ai-cycle", out_dir=out)


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    (root / "rules").mkdir()
    (root / "rules" / "hostile.yaml").write_text(HOSTILE_RULES, encoding="utf-8")
    case = root / "case"
    case.mkdir()
    (case / "case.yaml").write_text(HOSTILE_CASE, encoding="utf-8")
    (case / "data.csv").write_text(HOSTILE_CSV, encoding="utf-8")
    return run(str(case), rule_dirs=[bundled_rules_dir(), root / "rules"], out_dir=root / "out")


def test_default_run_writes_report_archive_index_and_latest(default_run):
    folder = default_run.html_path.parent
    for name in ("index.html", "index.json", "latest.html", "latest.json"):
        assert (folder / name).is_file(), name
    assert default_run.json_path.is_file()
    assert default_run.assessment.report == str(default_run.html_path)
    assert (folder / "latest.html").read_bytes() == default_run.html_path.read_bytes()


def test_report_is_self_contained_with_csp(default_run):
    html = default_run.html_path.read_text(encoding="utf-8")
    metas = [a for t, a in parse(html) if t == "meta" and a.get("http-equiv")]
    assert [a["content"] for a in metas] == [CSP]
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in html
    assert "default-src 'none'" in CSP
    tags = parse(html)
    assert not [t for t, _ in tags if t in ("script", "link", "iframe", "object", "embed")]
    for tag, attrs in tags:
        for name in ("src", "href", "srcset", "action", "poster"):
            value = attrs.get(name)
            if value is None:
                continue
            if name == "src":
                assert value.startswith(SVG_URI), (tag, value[:60])
            else:
                assert not re.match(r"^[a-z][a-z0-9+.-]*:|^//", value, re.I), (tag, value)
    assert "url(" not in html and "@import" not in html
    # a source may name its page as text (escaped, outside any tag); nothing links or loads it
    outside_text = re.findall(r"<[^>]*https?://[^>]*>", html)
    assert not outside_text, outside_text[:3]


def test_report_size_stays_under_2_mb(default_run):
    assert default_run.html_path.stat().st_size < 2_000_000


def test_report_has_a_card_and_a_methodology_entry_per_rule(default_run):
    html = default_run.html_path.read_text(encoding="utf-8")
    a = default_run.assessment
    ids = {attrs.get("id") for _, attrs in parse(html)}
    for rule in a.rules:
        assert f"rule-{rule.id}" in ids and f"method-{rule.id}" in ids
    charted = [r for r in a.rules if r.history]
    # + the score trend and the two history-at-a-glance charts
    assert charted and len(svgs(html)) == len(charted) + 3


def test_headings_are_in_order_and_tables_have_headers(default_run):
    tags = parse(default_run.html_path.read_text(encoding="utf-8"))
    levels = [int(t[1]) for t, _ in tags if re.fullmatch(r"h[1-6]", t)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))
    assert all(attrs.get("alt") for tag, attrs in tags if tag == "img")


def test_json_contract_keeps_its_keys(default_run):
    data = default_run.assessment.to_json()
    assert {"as_of", "case", "stage", "score", "stages", "alerts", "data", "report"} <= set(data)
    assert set(data["stages"][0]) >= {"stage", "active", "firing"}
    assert set(data["alerts"][0]) >= {
        "rule",
        "stage",
        "indicator",
        "entity",
        "state",
        "value",
        "unit",
        "since",
    }
    assert set(data["data"][0]) >= {"series", "entity", "last_date", "stale"}
    history = next(r["history"] for r in data["rules"] if r["history"])
    assert {"entity", "name", "points"} <= set(history[0])
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", p["date"]) for p in history[0]["points"])


def test_today_against_2000_comes_from_the_data(default_run):
    rows = {a["id"]: a for a in default_run.assessment.analogies}
    assert rows["concentration"]["today"][0]["value"] == 46
    assert rows["concentration"]["then"]["value"] == 37
    assert rows["concentration"]["then"]["detail"] == "top 3"
    assert rows["capex"]["then"]["value"] == pytest.approx(15.1 / 6.3, abs=1e-3)
    gpu = rows["utilisation"]["today"][0]
    assert (gpu["low"], gpu["high"]) == (50, 70)  # a range stays a range
    assert rows["utilisation"]["then"]["basis"] == "brief"
    amd = next(s for s in rows["financing"]["today"] if s["entity"] == "AMD")
    assert (amd["low"], amd["high"]) == (30, 40)
    assert rows["financing"]["then"]["value"] == 7.1


def test_hostile_rule_and_data_cannot_change_the_page(hostile_run):
    html = hostile_run.html_path.read_text(encoding="utf-8")
    tags = parse(html)
    assert "script" not in {t for t, _ in tags}
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;svg onload=alert(9)&gt;" in html  # the quarantined value, shown as text
    for tag, attrs in tags:
        assert not [k for k in attrs if k.startswith("on")], (tag, attrs)
        assert not (attrs.get("href") or "").lower().startswith("javascript:")
    assert [t for t, _ in tags].count("style") == 1
    assert hostile_run.assessment.quarantined


def test_hostile_text_inside_charts_is_escaped(hostile_run):
    html = hostile_run.html_path.read_text(encoding="utf-8")
    found = False
    for svg in svgs(html):
        root = ET.fromstring(svg)  # well-formed XML: nothing broke out of a text node
        assert not [e for e in root.iter() if e.tag.endswith("script")]
        texts = "".join(root.itertext())
        found = found or "alert(6)" in texts
        assert "<script" not in svg
    assert found  # the entity name reached a chart (legend or label) as text


def test_rule_chart_escapes_data_text_and_is_deterministic():
    history = [
        {
            "entity": "X",
            "name": '<script>alert("x")</script> & $a^2$',
            "points": [
                {"date": "2024-01-31", "value": 1.0},
                {"date": "2024-02-29", "value": None},
                {"date": "2024-03-31", "value": 3.0},
            ],
        },
        {"entity": "Y", "name": "Y", "points": [{"date": "2024-03-31", "value": 2.0}]},
    ]
    kwargs = dict(
        title="t",
        unit="%",
        threshold=2.0,
        comparator=">=",
        precedent={"date": "2024-02-15", "value": 5, "unit": "%"},
        accent="#000",
    )
    first = rule_chart(history, **kwargs)
    second = rule_chart(history, **kwargs)
    assert isinstance(first, Chart) and second is not None
    assert first.svg == second.svg
    assert "<dc:date>" not in first.svg
    assert "<script" not in first.svg and "&lt;script&gt;" in first.svg
    root = ET.fromstring(first.svg)
    assert '<script>alert("x")</script> & $a^2$' in "".join(root.itertext())
    assert "2024-01-31" in first.alt and "threshold" in first.alt
    assert first.uri.startswith(SVG_URI)


def test_long_histories_are_thinned_and_empty_ones_give_no_chart():
    points = [{"date": f"{1900 + i // 12}-01-31", "value": float(i)} for i in range(1200)]
    kept = thin(points, 100)
    assert len(kept) <= 101 and kept[-1] is points[-1]
    empty = dict(title="t", unit="", threshold=None, comparator=None, precedent=None, accent="#000")
    assert rule_chart([], **empty) is None
    assert score_chart([], label="x") is None


def test_autoescape_is_forced_for_j2_templates():
    env = environment()
    assert env.autoescape is True
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"
    with pytest.raises(Exception, match="undefined"):
        env.from_string("{{ nope }}").render()


def test_numbers_read_like_an_analyst_writes_them():
    assert format_number(None) == "n/a"
    assert format_number(46.0) == "46"
    assert format_number(7.692308) == "7.69"
    assert format_number(109300) == "109,300"
    assert format_number(-0.5) == "\u22120.5"
    assert format_number(-126.666667) == "\u2212126.7"  # payrolls, 3-month average (k)


def test_template_override_rebrands_without_forking(tmp_path: Path, default_run):
    brand = tmp_path / "brand"
    brand.mkdir()
    (brand / "styles.css.j2").write_text("/* ACME desk */ body { color: #123; }", encoding="utf-8")
    html = render_report(default_run.assessment, brand)
    assert "/* ACME desk */" in html and "Today against 2000" in html
    assert "/* ACME desk */" in render_index([], None, brand)
    assert "/* ACME desk */" not in render_report(default_run.assessment)


def test_template_override_cannot_reach_python(tmp_path):
    """Override templates are sandboxed: layout only, no way to run code."""
    from click.testing import CliRunner

    from monitor.cli import main

    overrides = tmp_path / "tpl"
    overrides.mkdir()
    (overrides / "styles.css.j2").write_text(
        '{{ cycler.__init__.__globals__.os.popen("echo PWNED").read() }}'
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", "--out", str(out), "--templates", str(overrides)])
    assert result.exit_code == 1
    assert "unsafe" in result.stderr and "Traceback" not in result.output
    assert not any(p.suffix == ".html" for p in out.glob("*")) if out.exists() else True


def test_history_at_a_glance_and_the_archive_index_lines(tmp_path):
    """Stage bands with the score and the rules x months heat map over the whole span;
    the index draws archived reports as points beside the newest timeline's line."""
    first = run("telecom-2000", as_of="2000-12-31", out_dir=tmp_path)
    second = run("telecom-2000", as_of="2002-06-30", out_dir=tmp_path)
    html = second.html_path.read_text(encoding="utf-8")
    section = html[
        html.index('id="history"') : html.index("</section>", html.index('id="history"'))
    ]
    assert section.count("data:image/svg+xml;base64,") == 2
    assert "stage 1 first reached 2000-05-31" in section  # the band chart's text alternative
    heat = second.assessment.heat
    assert heat["months"][0] == "1994-01" and heat["months"][-1] == "2002-06"
    assert {row["rule"] for row in heat["rows"]} == {r.id for r in second.assessment.rules}
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "2 archived report(s) as reported" in index
    assert "current timeline&#39;s month-end scores from 1994-01-31" in index  # escaped
    assert first.assessment.score != second.assessment.score
