"""A print-ready PDF of a report, printed by Chromium (an optional extra: ``[pdf]``).

Why Chromium's print (driven by Playwright) rather than WeasyPrint: the browser tests
already read the report in Debian's Chromium, so the PDF is exactly the paper layout
those tests check (the same print CSS, grid and SVG charts), and it needs nothing
beyond the ``chromium`` package CI installs anyway; WeasyPrint would be a second CSS
engine with its own gaps (CSS grid, ``break-inside`` on grid items) and needs Debian's
pango. The page is opened from disk with the report's own CSP: no script, no network.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from monitor.core.errors import MonitorError
from monitor.core.optional import require

CHROMIUM = Path(os.environ.get("MONITOR_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def page_count(pdf: bytes) -> int:
    """Pages in a PDF Chromium wrote (each page object is ``/Type /Page``)."""
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def print_pdf(html_path: Path, pdf_path: Path, chromium: Path = CHROMIUM) -> int:
    """Print ``html_path`` to ``pdf_path`` on A4 (atomically); returns the page count."""
    playwright = require("playwright.sync_api", "pdf")
    if not (chromium.is_file() and os.access(chromium, os.X_OK)):
        raise MonitorError(
            f"no Chromium at {chromium} for the PDF: apt-get install chromium "
            "(or set MONITOR_CHROMIUM)"
        )
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{pdf_path.name}.", suffix=".tmp", dir=pdf_path.parent)
    os.close(fd)
    try:
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(chromium), args=ARGS)
            try:
                page = browser.new_page()
                page.goto(Path(html_path).resolve().as_uri(), wait_until="load")
                data = page.pdf(
                    path=tmp, format="A4", print_background=True, prefer_css_page_size=True
                )
            finally:
                browser.close()
        os.replace(tmp, pdf_path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return page_count(data)
