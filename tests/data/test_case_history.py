"""``history: true`` series: read by indicators, but they do not start the evaluated period.

The long Nasdaq history of the exuberance tests (1973 for telecom-2000, 1971 for
ai-cycle) must not stretch the cases' backtests and score histories back to the 1970s.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from monitor.core.errors import CaseError
from monitor.data.case import load_case

CSV = (
    "series,entity,date,value,published,unit,source\n"
    "long,US,1973-01-31,128.4,1973-02-01,index,test copy\n"
    "short,US,1994-01-31,800.5,1994-01-31,index,test copy\n"
)


def make(folder, history: str):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "case.yaml").write_text(
        "name: h\nas_of: 1994-12-31\nfiles: [d.csv]\n"
        "series:\n"
        f"  long: {{unit: index, frequency: monthly{history}}}\n"
        "  short: {unit: index, frequency: monthly}\n"
    )
    (folder / "d.csv").write_text(CSV)
    return folder


def test_history_series_do_not_move_the_evaluation_start(tmp_path):
    case = load_case(str(make(tmp_path / "a", ", history: true")))
    assert case.history_series() == {"long"}
    assert case.evaluation_start() == pd.Timestamp("1994-01-31")
    plain = load_case(str(make(tmp_path / "b", "")))
    assert plain.evaluation_start() == pd.Timestamp("1973-02-01")


def test_history_must_be_a_boolean_with_its_position(tmp_path):
    folder = make(tmp_path / "c", ", history: yes please")
    with pytest.raises(CaseError) as info:
        load_case(str(folder))
    assert re.search(
        r"case\.yaml:5:\d+: series 'long': history must be true or false", str(info.value)
    )
