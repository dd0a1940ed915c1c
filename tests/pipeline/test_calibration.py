"""The 2000 peak a report calibrates against: computed from the data, cached by fingerprint."""

from __future__ import annotations

import shutil

from monitor.assessment.analogies import precedent_case
from monitor.pipeline.calibration import _CACHE, calibrate, fingerprint, peak_2000
from monitor.pipeline.inputs import load_inputs, load_ruleset
from monitor.rulebook.loader import bundled_rules_dir


def test_peak_of_the_bundled_rules_is_the_briefs_figure():
    inputs = load_inputs("ai-cycle")
    peak = peak_2000(inputs.ruleset, inputs.registry)
    # issue 13: "the 2000 peak of the same rule set, 61.1 on 2001-12-02"; since
    # the stage-0 market-exuberance rules (explosive-root, lppls-bubble-confidence)
    # joined the bundled set: 78 points of risk weight, not 72, the same 44 points are
    # 44 / 78 = 56.4 (the LPPLS rule is not firing in December 2001)
    assert (peak["score"], peak["date"], peak["stage"]) == (56.4, "2001-12-02", 3)
    # 42.7 is 42.7 / 56.4 = 75.7% of it
    assert calibrate(42.7, peak)["share_pct"] == 76


def test_changing_a_rule_file_changes_the_fingerprint_and_the_peak(tmp_path):
    inputs = load_inputs("ai-cycle")
    rules = tmp_path / "rules"
    shutil.copytree(bundled_rules_dir(), rules, ignore=shutil.ignore_patterns("tests", "*.py"))
    # the structural rules lose their weight: fewer risk points in 2000
    path = rules / "ai-similarities.yaml"
    path.unlink()
    changed = load_ruleset(inputs.registry, [rules])
    case = precedent_case()
    assert fingerprint(case, changed, inputs.registry) != fingerprint(
        case, inputs.ruleset, inputs.registry
    )
    before = len(_CACHE)
    peak = peak_2000(changed, inputs.registry)
    assert len(_CACHE) == before + 1
    assert peak["score"] != 56.4
