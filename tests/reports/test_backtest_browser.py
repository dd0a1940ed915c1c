"""The backtest report opened in real headless Chromium: no script, no external request.

Same browser set-up as the run report's browser tests (Debian ``chromium`` through
Playwright, no browser download; skipped with a reason outside CI when absent).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from monitor.pipeline.backtest import backtest
from monitor.rulebook.loader import bundled_rules_dir

CHROMIUM = Path(os.environ.get("MONITOR_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
HOSTILE = """\
title: Hostile rules
rules:
  - id: xss-probe
    title: "<script>alert(1)</script>"
    stage: 1
    indicator: pmi
    when: value < 200
    severity: watch
"""


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if IN_CI:
            pytest.fail("the playwright Python package is not installed", pytrace=False)
        pytest.skip("the playwright Python package is not installed")
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        if IN_CI:
            pytest.fail(f"no Chromium at {CHROMIUM}", pytrace=False)
        pytest.skip(f"no Chromium at {CHROMIUM}; install it with: apt-get install chromium")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    root = tmp_path_factory.mktemp("bt-browser")
    telecom = backtest("telecom-2000", end="2003-12-31", out_dir=root / "t")
    ai = backtest("ai-cycle", end="2026-06-30", out_dir=root / "a")
    rules = root / "rules"
    rules.mkdir()
    (rules / "xss.yaml").write_text(HOSTILE, encoding="utf-8")
    hostile = backtest(
        "telecom-2000", end="2001-12-31", rule_dirs=[bundled_rules_dir(), rules], out_dir=root / "h"
    )
    return telecom, ai, hostile


def open_page(browser, path: Path, width: int = 1100):
    page = browser.new_page(viewport={"width": width, "height": 900})
    seen: dict[str, list[str]] = {"errors": [], "dialogs": [], "requests": []}
    page.on("console", lambda m: m.type == "error" and seen["errors"].append(m.text))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.goto(path.resolve().as_uri(), wait_until="load")
    return page, seen


def _clean(page, seen) -> None:
    assert page.evaluate("() => document.scripts.length") == 0
    assert seen["errors"] == [] and seen["dialogs"] == []
    assert all(u.startswith(("file:", "data:")) for u in seen["requests"]), seen["requests"]
    assert page.evaluate(
        "() => [...document.images].every(i => i.complete && i.naturalWidth > 0 && i.alt)"
    )


def test_telecom_backtest_shows_scorecard_charts_and_false_alarms(browser, reports):
    telecom, _, _ = reports
    page, seen = open_page(browser, telecom.html_path)
    _clean(page, seen)
    # stage timeline, heat map, figure 2 and the Lucent figures
    assert page.locator("figure.chart img").count() == 4
    rows = page.locator("#klr tbody tr")
    assert rows.count() == len(telecom.model.metrics)
    policy = page.locator("#klr-policy-rate-hiking-cycle").inner_text()
    assert "no better than noise" in policy
    assert "False alarm 1995-01-31" in page.locator("#false-alarms").inner_text()
    assert "1998-10-31" in page.locator("#early-hits").inner_text()
    assert page.locator("#stage-entries").inner_text().count("2000-") >= 2
    page.close()


def test_ai_cycle_backtest_says_there_is_nothing_to_score(browser, reports):
    _, ai, _ = reports
    page, seen = open_page(browser, ai.html_path)
    _clean(page, seen)
    assert page.locator("#no-episodes").is_visible()
    assert page.locator("#klr").count() == 0
    page.close()


def test_backtest_reads_on_a_phone(browser, reports):
    telecom, _, _ = reports
    page, _ = open_page(browser, telecom.html_path, width=390)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    page.close()


def test_hostile_rule_title_stays_text(browser, reports):
    _, _, hostile = reports
    page, seen = open_page(browser, hostile.html_path)
    _clean(page, seen)
    assert "<script>alert(1)</script>" in page.locator("#signal-periods").inner_text()
    page.close()
