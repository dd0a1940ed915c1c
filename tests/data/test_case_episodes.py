"""Crisis episodes in case.yaml: loaded apart from the dated events, checked with positions."""

from __future__ import annotations

import pandas as pd
import pytest

from monitor.core.errors import CaseError
from monitor.data.case import load_case

CSV = (
    "series,entity,date,value,published,unit,source\n"
    "pmi_x,US,2000-01-01,55.1,2000-02-02,index,ISM\n"
)


def _case(tmp_path, body: str):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "case.yaml").write_text("name: c\n" + body)
    (folder / "d.csv").write_text(CSV)
    return str(folder)


def test_telecom_declares_the_nasdaq_peak_to_trough_episode():
    case = load_case("telecom-2000")
    assert [(e.id, e.onset, e.end) for e in case.episodes] == [
        ("telecom-bust", pd.Timestamp("2000-03-10"), pd.Timestamp("2002-10-09"))
    ]
    assert "NASDAQCOM" in case.episodes[0].source
    # the events rules read stay a separate list
    assert all(not hasattr(e, "onset") for e in case.crisis_events)


def test_the_ai_cycle_declares_none():
    assert load_case("ai-cycle").episodes == []


def test_every_episode_problem_is_reported_with_its_line(tmp_path):
    body = (
        "episodes:\n"
        "  - {id: a, onset: 2001-01-01, end: 2000-01-01}\n"
        "  - {id: a, onset: 2003-01-01, end: 2003-06-01}\n"
        "  - {id: 'bad id', onset: someday, end: 2003-06-01, colour: red}\n"
    )
    with pytest.raises(CaseError) as caught:
        load_case(_case(tmp_path, body))
    text = str(caught.value)
    assert "case.yaml:3:" in text and "end 2000-01-01 is before its onset 2001-01-01" in text
    assert "case.yaml:4:" in text and "duplicate episode 'a'" in text
    assert "case.yaml:5:" in text and "unknown key 'colour'" in text
    assert "an episode needs an id" in text
    assert "onset must be an ISO date" in text


def test_episodes_must_be_a_list(tmp_path):
    with pytest.raises(CaseError, match=r"case\.yaml:2:\d+: episodes must be a list"):
        load_case(_case(tmp_path, "episodes: {id: x}\n"))
