"""The backtest report's HTML: the brief's figures, the KLR wording, self-contained charts."""

from __future__ import annotations

import base64
import re

import pytest

from monitor.pipeline.backtest import backtest
from monitor.reports.charts import lucent_chart


@pytest.fixture(scope="module")
def telecom(tmp_path_factory):
    return backtest("telecom-2000", end="2003-12-31", out_dir=tmp_path_factory.mktemp("r"))


def test_lucent_table_shows_the_brief_s_percentages(telecom):
    html = telecom.html_path.read_text(encoding="utf-8")
    table = html[html.index('<table id="lucent">') :]
    table = table[: table.index("</table>")]
    for share in ("<strong>2.8%</strong>", "<strong>21.4%</strong>", "<strong>4.2%</strong>"):
        assert share in table
    assert "<strong>13.9%</strong>" in table
    assert "no public copy of that release" in html


def test_klr_hits_of_1998_are_called_what_an_analyst_would_call_them(telecom):
    html = telecom.html_path.read_text(encoding="utf-8")
    assert "By KLR's rule every signal within 24 months before an onset counts as a hit" in html
    assert "an analyst at the time would have called them false alarms" in html
    assert "False alarm 1995-01-31 to 1996-04-30" in html


def test_charts_are_inline_svg_without_script(telecom):
    html = telecom.html_path.read_text(encoding="utf-8")
    uris = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html)
    assert len(uris) == 4
    for uri in uris:
        svg = base64.b64decode(uri).decode("utf-8")
        assert svg.lstrip().startswith("<?xml") and "<script" not in svg
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org", "")


def test_lucent_chart_alt_text_names_the_computed_shares(telecom):
    chart = lucent_chart(telecom.model.figures["lucent"])
    assert chart is not None
    assert "Sum of the three reserves FY1999 2.8%" in chart.alt
    assert "Vendor financing drawn FY2001 13.9%" in chart.alt


def test_a_template_override_is_used(tmp_path):
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "backtest.html.j2").write_text("<p>{{ b.case }} {{ b.stage_entries['1'] }}</p>")
    result = backtest("telecom-2000", end="2003-12-31", out_dir=tmp_path, template_dir=folder)
    assert result.html_path.read_text(encoding="utf-8") == "<p>telecom-2000 2000-05-31</p>"


def test_the_rules_that_warned_before_the_peak_are_listed_with_their_leads(telecom):
    html = telecom.html_path.read_text(encoding="utf-8")
    line = html[html.index('id="warned-telecom-bust"') :].split("</p>")[0]
    # 1998-07-31 -> 2000-03-10 is 588 days = 19.3 months; 1998-10-31 -> 496 days = 16.3
    assert "<code>pmi-contraction</code> US 19.3 mo" in line
    assert "<code>credit-spread-widening</code> US 16.3 mo" in line
    assert "fed-easing" not in line  # a counter-signal is no warning
