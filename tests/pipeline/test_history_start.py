"""The bundled cases keep their evaluated period although their long Nasdaq history
(``history: true``) starts in the 1970s; the exuberance indicators still read all of it."""

from __future__ import annotations

import pandas as pd
import pytest

from monitor.pipeline import load_inputs
from monitor.pipeline.assess import timeline_for


@pytest.mark.parametrize(
    ("name", "start"), [("telecom-2000", "1994-01-01"), ("ai-cycle", "2022-01-01")]
)
def test_bundled_cases_keep_their_evaluated_period(name, start):
    inputs = load_inputs(name)
    timeline = timeline_for(inputs, inputs.case.latest_date())
    assert timeline.grid[0] == pd.Timestamp(start)
    # while the exuberance indicators still read the whole history
    bsadf = timeline.indicators["explosive_root"]
    assert bsadf["date"].min().year < 1980
