"""``monitor rules new NAME``: a rule file and its test, with every option shown.

The scaffold is a working example, not a form to fill in: it passes ``rules check``
and ``rules test`` as written (a test asserts it), so an analyst starts from something
green and changes one thing at a time.
"""

from __future__ import annotations

import re
from pathlib import Path

NAME = re.compile(r"^[a-z0-9][a-z0-9_\-]*\Z")

RULE_FILE = """\
# {name}.yaml - a rule file for the early-warning monitor.
#   check it:  monitor rules check {folder}
#   test it:   monitor rules test {folder}
#   run it:    monitor run --rules {folder}
# Every key is shown; optional ones are commented out. Reference: docs/rule-language.md

stage: 1                      # default stage of the rules below: 0 (structural), 1, 2 or 3
title: {title}
description: >                # optional: what this file encodes and why
  Replace with what these rules watch for and the source they are calibrated on.
# activate: {{min_firing: 2}}   # when the stage is active, or {{when: "rule-a and rule-b"}};
#                             # only one file may declare a stage's activation
# counter: false              # true: every rule here is a counter-signal (lowers the score)

rules:
  - id: {name}-rate-jump       # unique across all rule files; lower-case, digits, - and _
    title: Policy rate raised by 50 bp or more within 6 months
    indicator: policy_rate     # `monitor indicators list` shows every indicator and unit
    # indicators: [pmi]        # further indicators the condition names
    when: change(6mo) >= 50bp  # the condition: docs/rule-language.md#expressions
    for: 0d                    # pending until the condition has held this long
    keep_firing_for: 3mo       # keep firing this long after the condition stops
    severity: watch            # info | watch | warning | critical (score weight 1, 2, 3, 5)
    # stage: 1                 # overrides the file's stage
    # counter: false           # true: a reason for optimism
    # weight: 1.0              # multiplies the severity weight in the score
    # entities: [US]           # evaluate only these entities
    precedent: {{date: 2000-05-16, value: 0.5, entity: US, note: "Fed +50 bp on 16 May 2000"}}
    description: >
      Why this matters, citing the source of the threshold.
    references:
      - "FOMC statement 2000-05-16"
"""

TEST_FILE = """\
# Unit tests of ../{name}.yaml: run with `monitor rules test {folder}`.
# Compact values: "axn" = a repeated n times, "a+bxn" = n values stepping by b, "_" = gap.
# Reference: docs/rule-language.md#rule-tests
rule_files: [../{name}.yaml]
tests:
  - name: fires when the rate rises 50 bp within six months
    interval: 1mo                   # spacing of the compact values
    input_series:
      - series: fed_funds_target    # an observation series an indicator reads
        entity: US
        start: 1999-07-31           # month end: values step month end to month end
        values: "5.5x9 5.75 6x7"
        # lag: 0d                   # publication lag (default: known on its date)
        # points: [{{date: 2000-05-16, value: 6.5, published: 2000-05-16}}]
    alert_eval:
      - at: 2000-03-31              # flat for six months
        alerts: []                  # an empty list: nothing may fire
      - at: 2000-05-31              # +50 bp on six months
        alerts:
          - {{rule: {name}-rate-jump, entity: US, state: firing}}
      - at: 2001-03-31              # keep_firing_for ran out: resolved
        rule: {name}-rate-jump
        alerts: [{{entity: US, state: resolved}}]
    stage_eval:
      - {{at: 2000-05-31, stage: 1}}  # without an `activate`, one firing rule activates
"""


def scaffold(name: str, folder: Path) -> list[Path]:
    """Write ``folder/NAME.yaml`` and ``folder/tests/NAME.test.yaml``; never overwrite."""
    if not NAME.match(name):
        raise ValueError(f"invalid name {name!r}: use lower-case letters, digits, '-' or '_'")
    rule_path = folder / f"{name}.yaml"
    test_path = folder / "tests" / f"{name}.test.yaml"
    for path in (rule_path, test_path):
        if path.exists():
            raise FileExistsError(f"{path} already exists; not overwriting it")
    title = name.replace("-", " ").replace("_", " ").capitalize()
    values = {"name": name, "folder": str(folder), "title": title}
    test_path.parent.mkdir(parents=True, exist_ok=True)
    rule_path.write_text(RULE_FILE.format(**values), encoding="utf-8")
    test_path.write_text(TEST_FILE.format(**values), encoding="utf-8")
    return [rule_path, test_path]
