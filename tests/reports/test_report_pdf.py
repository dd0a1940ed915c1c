"""The print-ready PDF (``monitor run --pdf``): few pages, none left half empty.

Printed by Debian's Chromium through Playwright (the ``[pdf]`` extra); pages are
rasterised with pypdfium2 so charts count as content, not only text. Skips without
a browser outside CI, fails under ``CI=true`` (like the browser tests).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import main

CHROMIUM = Path(os.environ.get("MONITOR_CHROMIUM", "/usr/bin/chromium"))
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
MAX_PAGES = 22  # the review counted 29-34 A4 pages; 19 today (22 rules, 10 cards)
MIN_FILL = 0.5  # every page but the last is at least half used


def _need(module: str) -> None:
    try:
        __import__(module)
    except ImportError:
        if IN_CI:
            pytest.fail(f"{module} missing (CI=true)", pytrace=False)
        pytest.skip(f"{module} is not installed")


@pytest.fixture(scope="module")
def pdf(tmp_path_factory):
    _need("playwright.sync_api")
    _need("pypdfium2")
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        if IN_CI:
            pytest.fail(f"no Chromium at {CHROMIUM} (CI=true)", pytrace=False)
        pytest.skip(f"no Chromium at {CHROMIUM}")
    out = tmp_path_factory.mktemp("pdf")
    result = CliRunner().invoke(main, ["run", "--case", "ai-cycle", "--out", str(out), "--pdf"])
    assert result.exit_code == 0, result.output
    (path,) = out.glob("ai-cycle-*.pdf")
    return path


def _fill(page) -> float:
    """Share of the page's height down to its lowest non-white pixel."""
    image = page.render(scale=0.5).to_pil().convert("L")
    ink = image.point(lambda v: 255 if v < 245 else 0)
    box = ink.getbbox()
    return 0.0 if box is None else box[3] / image.height


def test_pdf_has_few_pages_and_none_but_the_last_is_half_empty(pdf):
    import pypdfium2

    document = pypdfium2.PdfDocument(str(pdf))
    pages = len(document)
    assert 1 <= pages <= MAX_PAGES, pages
    fills = [_fill(document[i]) for i in range(pages)]
    half_empty = [i + 1 for i, f in enumerate(fills[:-1]) if f < MIN_FILL]
    assert half_empty == [], [round(f, 2) for f in fills]
    first = document[0].get_textpage().get_text_range()
    assert "Executive summary" in first.replace("EXECUTIVE SUMMARY", "Executive summary")
