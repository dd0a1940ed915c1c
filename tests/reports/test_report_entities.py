"""Many entities: a ranked table leads and cards stay short (40 issuers, one page each
rule, not 40 cards per rule)."""

from __future__ import annotations

import base64
import re

import pytest

from monitor.pipeline import run

ISSUERS = 40
SVG_URI = "data:image/svg+xml;base64,"


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    """A synthetic case (test data only): 40 vendors' top-customer share, one quarter.

    Issuer k has a share of 20 + k %, so issuers 15..39 (35% and more) fire the
    customer-concentration rule (threshold 35%) and 0..14 do not.
    """
    root = tmp_path_factory.mktemp("many")
    entities = "\n".join(f"  V{k:02d}: {{name: Vendor {k:02d}}}" for k in range(ISSUERS))
    (root / "case.yaml").write_text(
        "name: many\ntitle: Forty vendors\ndescription: synthetic test case\n"
        f"as_of: 2025-12-31\nfiles: [data.csv]\nentities:\n{entities}\n"
        "series:\n  customer_share_top4: {title: Top 4 customers, unit: '%', "
        "frequency: quarterly, kind: level}\n",
        encoding="utf-8",
    )
    rows = ["series,entity,date,value,published,unit,source,note"]
    rows += [
        f"customer_share_top4,V{k:02d},2025-09-30,{20 + k},2025-11-15,%,synthetic test data,"
        for k in range(ISSUERS)
    ]
    (root / "data.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return run(str(root), out_dir=root / "out")


def test_ranked_entity_table_leads_with_the_firing_issuers(many):
    ranking = many.assessment.entities
    assert len(ranking) == ISSUERS
    firing = [e for e in ranking if e["firing"]]
    assert len(firing) == ISSUERS - 15  # shares 35..59%
    assert ranking[: len(firing)] == firing  # the firing ones first
    # one structural warning rule fires for each: its share of all risk weight, 3 of
    # 78 points (since lppls-bubble-confidence joined the bundled set): 3.85 -> 3.8
    # (a rule's max_points are apportioned to tenths that add up, 3.9 here)
    assert {e["score"] for e in firing} == {3.8}
    html = many.html_path.read_text(encoding="utf-8")
    assert html.index('id="entity-ranking"') < html.index('class="stage-section"')


def test_cards_list_only_entities_that_are_not_inactive_and_charts_stay_few(many):
    html = many.html_path.read_text(encoding="utf-8")
    start = html.index('id="rule-customer-concentration-high"')
    card = html[start : html.index("</article>", start)]
    rows = re.findall(r'<tr><th scope="row">Vendor', card)
    assert len(rows) == ISSUERS - 15
    src = re.search(r'src="(data:image/svg\+xml;base64,[^"]+)"', card).group(1)
    svg = base64.b64decode(src[len(SVG_URI) :]).decode()
    assert svg.count("Vendor ") <= 6  # legend entries: the lead and the most serious
