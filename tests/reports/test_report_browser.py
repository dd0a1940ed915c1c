"""The report as a reader sees it: opened from disk in real headless Chromium.

Uses Debian's ``chromium`` through Playwright's Python package (no browser download).
Outside CI the module skips with a reason when no browser is installed; with
``CI=true`` a missing browser is a failure, so CI can never pass without looking.
One browser per module keeps this to a few seconds.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from monitor.pipeline import run
from monitor.rulebook.loader import bundled_rules_dir

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path(os.environ.get("MONITOR_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
XSS_RULES = """\
title: Hostile rules
rules:
  - id: xss-probe
    title: "<script>alert(1)</script>"
    stage: 1
    indicator: pmi
    when: value < 200
    severity: watch
    precedent: {date: 2000-08-01, value: 49.9, note: "<img src=x onerror=alert(2)>"}
    description: "<iframe src=javascript:alert(3)></iframe>"
    references: ["<a href=javascript:alert(4)>x</a>"]
"""


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: browser tests are mandatory here)", pytrace=False)
    pytest.skip(f"{reason}; install it with: apt-get install chromium")


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright Python package is not installed")
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"no Chromium at {CHROMIUM}")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """The bundled default report, and one with a hostile rule file mixed in."""
    root = tmp_path_factory.mktemp("browser")
    default = run("ai-cycle", out_dir=root / "default")
    rules = root / "rules"
    rules.mkdir()
    (rules / "xss.yaml").write_text(XSS_RULES, encoding="utf-8")
    hostile = run("ai-cycle", rule_dirs=[bundled_rules_dir(), rules], out_dir=root / "hostile")
    return default, hostile


def open_page(browser, path: Path, width: int = 1100):
    """A page on ``path`` with every console error, page error, dialog and request noted."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    seen: dict[str, list[str]] = {"errors": [], "dialogs": [], "requests": []}
    page.on("console", lambda m: m.type == "error" and seen["errors"].append(m.text))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.goto(path.resolve().as_uri(), wait_until="load")
    return page, seen


def test_reader_sees_headline_cards_and_charts(browser, reports):
    default, _ = reports
    a = default.assessment
    page, seen = open_page(browser, default.html_path)
    assert page.locator("#overall-stage").inner_text().startswith(f"Stage {a.stage}")
    assert page.locator(".meter li[aria-current=step] b").inner_text() == str(a.stage)
    assert page.locator("#overall-score").inner_text().startswith(f"{a.score:g}")
    with_data = [r for r in a.rules if r.history or r.value is not None]
    assert page.locator("article.card").count() == len(with_data)
    assert page.locator("#no-data li").count() == len(a.rules) - len(with_data)
    charts = page.locator("figure.chart img")
    # the score, the two history-at-a-glance charts, one per rule with history
    assert charts.count() == 3 + sum(1 for r in a.rules if r.history)
    assert page.evaluate(
        "() => [...document.images].every(i => i.complete && i.naturalWidth > 0 && i.alt)"
    )
    assert page.get_by_role("heading", name="Today against 2000").is_visible()
    assert page.evaluate("() => document.scripts.length") == 0
    assert seen["errors"] == [] and seen["dialogs"] == []
    assert all(u.startswith(("file:", "data:")) for u in seen["requests"]), seen["requests"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
    page.close()


def test_report_reads_on_a_phone_without_sideways_scrolling(browser, reports):
    default, _ = reports
    page, seen = open_page(browser, default.html_path, width=390)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-phone.png"))
    assert seen["errors"] == []
    page.close()


def test_print_layout_keeps_cards_whole_and_packs_them_on_a4(browser, reports):
    default, _ = reports
    page, _ = open_page(browser, default.html_path)
    page.emulate_media(media="print")
    styles = page.evaluate(
        "() => ({cards: [...document.querySelectorAll('article.card')]"
        ".map(c => getComputedStyle(c).breakInside),"
        " forced: [...document.querySelectorAll('section')]"
        ".filter(s => getComputedStyle(s).breakBefore === 'page').length})"
    )
    assert styles["cards"] and set(styles["cards"]) == {"avoid"}
    assert styles["forced"] == 0  # no forced break: no page left mostly blank before one
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = page.pdf(path=str(ARTIFACTS / "report.pdf"), format="A4", prefer_css_page_size=True)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    # the review found 29-34 pages; 22 rules, 10 of them cards with charts, fit in 22
    assert 1 <= pages <= 22, pages
    page.close()


def test_hostile_rule_title_is_shown_as_text(browser, reports):
    _, hostile = reports
    page, seen = open_page(browser, hostile.html_path)
    title = page.locator("#title-xss-probe")
    assert title.inner_text() == "<script>alert(1)</script>"
    assert page.evaluate("() => document.scripts.length") == 0
    assert page.evaluate("() => document.querySelectorAll('iframe, [onerror]').length") == 0
    assert seen["dialogs"] == [] and seen["errors"] == []
    card = page.locator("#rule-xss-probe")
    assert "<img src=x onerror=alert(2)>" in card.inner_text()
    page.close()


def test_archive_index_opens_and_links_the_latest(browser, reports):
    default, _ = reports
    index = default.html_path.parent / "index.html"
    page, seen = open_page(browser, index)
    assert page.get_by_role("link", name=default.html_path.name).count() == 1
    assert page.locator("figure.chart img").count() == 1
    assert seen["errors"] == []
    page.close()


@pytest.fixture(scope="module")
def telecom(tmp_path_factory):
    """The 2000 case in mid-crash: every stage active, held alerts, a clipped-free score."""
    return run("telecom-2000", as_of="2001-06-30", out_dir=tmp_path_factory.mktemp("t2000"))


@pytest.mark.parametrize("width", [1280, 390])
def test_summary_is_on_the_first_screen_with_its_calibration(browser, reports, telecom, width):
    for result in (reports[0], telecom):
        page, _ = open_page(browser, result.html_path, width=width)
        box = page.locator("#summary").bounding_box()
        assert box is not None and box["y"] < 900  # its top is inside the first screen
        head = page.locator("#summary .summary-head").bounding_box()
        assert head is not None and head["y"] + head["height"] <= 900
        # the same rule set peaks at 56.4 on 2001-12-02 in the 2000 case (61.1 until
        # the stage-0 market-exuberance rules joined the bundled set: 78 points of
        # risk weight, not 72: 44 / 78)
        assert "56.4 on 2001-12-02" in page.locator("#calibration").inner_text()
        ARTIFACTS.mkdir(exist_ok=True)  # docs/images/ holds copies of these (docs/report.md)
        shot = ARTIFACTS / f"summary-{result.assessment.case}-{width}.png"
        page.screenshot(path=str(shot))
        page.close()


def test_every_internal_link_resolves(browser, reports, telecom):
    for result in (reports[0], telecom):
        page, _ = open_page(browser, result.html_path)
        broken = page.evaluate(
            "() => [...document.querySelectorAll('a[href^=\"#\"]')]"
            ".map(a => a.getAttribute('href').slice(1))"
            ".filter(id => !document.getElementById(id))"
        )
        assert broken == []
        assert page.locator("nav#contents a").count() >= 6
        # stage table -> its section; card -> methodology -> back to the card
        assert page.locator(".headline a[href='#stage-1']").count() == 1
        for rule in result.assessment.rules:
            assert page.locator(f"#method-{rule.id} a[href='#rule-{rule.id}']").count() == 1
        page.close()


def test_phone_charts_have_text_of_at_least_9_px(browser, reports, telecom):
    for result in (reports[0], telecom):
        page, _ = open_page(browser, result.html_path, width=390)
        assert page.evaluate("() => document.documentElement.scrollWidth - innerWidth") <= 1
        smallest = page.evaluate(
            """() => Math.min(...[...document.querySelectorAll('figure.chart img')].map(img => {
                const svg = atob(img.src.split(',')[1]);
                const box = svg.match(/viewBox="[\\d.]+ [\\d.]+ ([\\d.]+)/);
                const sizes = [...svg.matchAll(/font(?:-size)?:\\s*(?:[a-z]+ )*([\\d.]+)px/g)]
                    .map(m => parseFloat(m[1]));
                if (!sizes.length) return 0;  // no text found: fail, never pass vacuously
                return Math.min(...sizes) * img.clientWidth / parseFloat(box[1]);
            }))"""
        )
        assert smallest >= 9, smallest
        # dates are never broken mid-value: each is one line box
        broken = page.evaluate(
            "() => [...document.querySelectorAll('.date')]"
            ".filter(d => d.getClientRects().length > 1).map(d => d.textContent)"
        )
        assert broken == []
        # the freshness table's age and status are on screen, not behind a scroll
        cell = page.locator("#freshness tbody tr").first.locator("td").last.bounding_box()
        assert cell is not None and cell["x"] + cell["width"] <= 390
        page.close()


def test_counter_signal_badge_is_green_not_the_firing_red(browser, reports):
    page, _ = open_page(browser, reports[0].html_path)
    counter = page.locator("#rule-fed-easing .tag").first
    risk = page.locator("#rule-customer-concentration-high .tag").first
    assert counter.inner_text().lower() == "offsetting"
    colour = counter.evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(39, 107, 67)"  # COUNTER_COLOUR #276b43
    assert risk.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(155, 28, 35)"
    page.close()
