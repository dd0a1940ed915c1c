"""The capacity family: data-centre GPU utilisation, an estimated range (brief sec. 5).

``cases/capacity.yaml`` holds small hand-made inputs with the expected outputs, one test
per case; below, the indicator on the bundled ai-cycle case.
"""

from __future__ import annotations

FAMILY = "capacity"


def test_case_file(indicator_case, check_case):
    check_case(indicator_case)


def test_gpu_utilization_kept_as_range(ai):
    f = ai["gpu_utilization"]
    assert len(f) == 1
    row = f.iloc[0]
    assert (row["value"], row["low"], row["high"]) == (50, 50, 70)
