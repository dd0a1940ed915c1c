"""A range stays a range on the card: GPU utilisation 50-70%, the return test 3.5-7x."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from monitor.cli import main


def test_cards_show_both_ends_of_a_range(tmp_path: Path):
    result = CliRunner().invoke(main, ["run", "--out", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    rules = {r["id"]: r for r in json.loads(result.stdout)["rules"]}
    # the brief's $3.3-6 tn, worked from its inputs: 2100 / 0.6 = 3500 to 2100 / 0.3 = 7000
    # $bn, over $1 tn of advertising
    gap = rules["required-revenue-exceeds-advertising"]
    assert (gap["value"], gap["low"], gap["high"]) == (3.5, 3.5, 7.0)
    gpu = rules["gpu-utilization-high"]
    assert (gpu["low"], gpu["high"]) == (50.0, 70.0)
    assert rules["fed-easing"]["low"] is None  # a change of a level has no range
    html = next(tmp_path.glob("ai-cycle-*.html")).read_text(encoding="utf-8")
    card = html[html.index('id="rule-required-revenue-exceeds-advertising"') :]
    card = card[: card.index("</article>")]
    assert "range 3.5&ndash;7 x" in card
