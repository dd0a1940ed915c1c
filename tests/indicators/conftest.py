"""Shared fixtures of the built-in indicator families, and the loader of their case files.

Each family module ``test_<family>.py`` sets ``FAMILY`` and asks for the
``indicator_case`` fixture; every case of ``cases/<family>.yaml`` then becomes one test.
A case file maps indicator names to lists of cases::

    vendor_financing_share:
      - case: lucent-fy1999          # id of the test: vendor_financing_share:lucent-fy1999
        note: what the case shows    # optional
        inputs:                      # observation rows, every column of the frame
          - {series: revenue, entity: LU, date: 1999-09-30, value: 38.3,
             published: 1999-12-01, unit: $bn, source: brief sec. 3}
        expected:                    # every output row, no more, no fewer
          - {entity: LU, date: 1999-09-30, value: 4.1775, published: 1999-12-01}  # 1.6 / 38.3 * 100
        tolerance: 0.0001            # optional, absolute, on numbers (default TOLERANCE)
        unused: [some_series]        # optional: input series the indicator must ignore
        xfail: reason                # optional: a known gap in the code (strict xfail)

The inputs go through the data room's own validation, so a case cannot feed an
indicator rows a real source could not; the indicator is run through the registry
(``load_registry`` and ``compute_indicators``), as ``monitor run`` does. Expected
values are hand calculations from the brief's figures, written beside them as comments,
never read back from the code. Extra keys of an expected row (``top_n``, ``size``,
``low``...) are compared with the output column of that name.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from ruamel.yaml import YAML

from monitor.data.case import load_case
from monitor.data.observations import COLUMNS, validate
from monitor.engine.timeline import compute_indicators
from monitor.indicator.registry import Registry, load_registry

CASES = Path(__file__).resolve().with_name("cases")
TOLERANCE = 1e-4  # expected values are written rounded to four decimals
CASE_KEYS = {"case", "note", "inputs", "expected", "tolerance", "unused", "xfail"}
KEY_COLUMNS = ("entity", "date", "published")


@dataclass(frozen=True)
class IndicatorCase:
    family: str
    indicator: str
    name: str
    inputs: list[dict[str, Any]]
    expected: list[dict[str, Any]]
    tolerance: float = TOLERANCE
    unused: frozenset[str] = field(default_factory=frozenset)
    xfail: str | None = None

    @property
    def id(self) -> str:
        return f"{self.indicator}:{self.name}"


def load_family(family: str) -> list[IndicatorCase]:
    """Every case of ``cases/<family>.yaml``; a malformed file fails loudly, never skips."""
    path = CASES / f"{family}.yaml"
    document = YAML(typ="safe", pure=True).load(path)
    assert isinstance(document, dict) and document, f"{path}: expected indicator -> cases"
    cases = []
    for indicator, entries in document.items():
        assert isinstance(entries, list) and entries, f"{path}: {indicator}: expected cases"
        for entry in entries:
            unknown = set(entry) - CASE_KEYS
            assert not unknown, f"{path}: {indicator}: unknown keys {sorted(unknown)}"
            cases.append(
                IndicatorCase(
                    family=family,
                    indicator=indicator,
                    name=str(entry["case"]),
                    inputs=list(entry["inputs"]),
                    expected=list(entry["expected"] or []),
                    tolerance=float(entry.get("tolerance", TOLERANCE)),
                    unused=frozenset(entry.get("unused", [])),
                    xfail=entry.get("xfail"),
                )
            )
    names = [c.id for c in cases]
    assert len(names) == len(set(names)), f"{path}: duplicate case names"
    return cases


def all_cases() -> list[IndicatorCase]:
    return [case for path in sorted(CASES.glob("*.yaml")) for case in load_family(path.stem)]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "indicator_case" not in metafunc.fixturenames:
        return
    family = metafunc.module.FAMILY
    params = [
        pytest.param(
            case,
            id=case.id,
            marks=[pytest.mark.xfail(reason=case.xfail, strict=True)] if case.xfail else [],
        )
        for case in load_family(family)
    ]
    metafunc.parametrize("indicator_case", params)


# --- running one case --------------------------------------------------------------------


def observation_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The case's rows as a validated observation frame (as a CSV of them would load)."""
    for number, row in enumerate(rows, 1):
        assert set(row) == set(COLUMNS), f"input row {number}: columns {sorted(row)}"
    raw = pd.DataFrame([{c: str(row[c]) for c in COLUMNS} for row in rows], columns=COLUMNS)
    checked = validate(raw, origin="case file")
    assert checked.bad_rows == [], [str(b) for b in checked.bad_rows]
    return checked.frame


def expected_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(dict.fromkeys(k for row in rows for k in row)))
    for column in ("date", "published"):
        if column in frame:
            frame[column] = pd.to_datetime(frame[column].astype("str"))
    return frame


def run_case(case: IndicatorCase, registry: Registry) -> pd.DataFrame:
    indicator = registry.get(case.indicator)
    assert registry.origins[case.indicator] == case.family, (
        f"{case.indicator} is registered by {registry.origins[case.indicator]!r}, "
        f"not by the {case.family!r} family"
    )
    series = {row["series"] for row in case.inputs}
    # a typo in a series name would pass a gap case silently: every input must be declared
    undeclared = series - set(indicator.inputs) - case.unused
    assert not undeclared, f"inputs {sorted(undeclared)} are not inputs of {case.indicator}"
    assert not case.unused & set(indicator.inputs), "an 'unused' series is a declared input"
    frames, errors = compute_indicators(observation_frame(case.inputs), registry, {case.indicator})
    assert errors == {}, errors
    return frames[case.indicator]


def _same(got: Any, want: Any, tolerance: float) -> bool:
    if isinstance(want, bool | np.bool_) or not pd.api.types.is_number(want):
        return str(got) == str(want)
    return not pd.isna(got) and math.isclose(float(got), float(want), abs_tol=tolerance)


def compare(got: pd.DataFrame, case: IndicatorCase) -> list[str]:
    """Every difference between the output and the expected rows, in words."""
    want = expected_frame(case.expected)
    if want.empty:
        return [] if got.empty else [f"expected no rows, got\n{got.to_string()}"]
    missing = [c for c in want.columns if c not in got.columns]
    if missing:
        return [f"output lacks columns {missing}"]
    got = got.sort_values(list(KEY_COLUMNS)).reset_index(drop=True)
    want = want.sort_values(list(KEY_COLUMNS)).reset_index(drop=True)
    table = f"\ngot:\n{got[want.columns].to_string()}\nexpected:\n{want.to_string()}"
    if len(got) != len(want):
        return [f"expected {len(want)} rows, got {len(got)}{table}"]
    problems = []
    for i in range(len(want)):
        for column in want.columns:
            g, w = got.at[i, column], want.at[i, column]
            if not _same(g, w, case.tolerance):
                problems.append(f"row {i} {column}: got {g!r}, expected {w!r}")
    return [*problems, table] if problems else []


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def registry() -> Registry:
    reg = load_registry()
    assert reg.failures == []
    return reg


@pytest.fixture
def check_case(registry):
    """Run one case through the registry and fail with every difference listed."""

    def check(case: IndicatorCase) -> None:
        problems = compare(run_case(case, registry), case)
        if problems:
            pytest.fail(f"{case.family}.yaml {case.id}: " + "\n".join(problems))

    return check


@pytest.fixture(scope="session")
def cases():
    return {name: load_case(name) for name in ("telecom-2000", "ai-cycle")}


@pytest.fixture(scope="session")
def computed(registry, cases):
    """Every registered indicator on both bundled cases (one pass, shared by the tests)."""
    out = {}
    for name, case in cases.items():
        frames, errors = compute_indicators(case.observations, registry, set(registry.names()))
        out[name] = (frames, errors)
    return out


@pytest.fixture(scope="session")
def telecom(computed):
    return computed["telecom-2000"][0]


@pytest.fixture(scope="session")
def ai(computed):
    return computed["ai-cycle"][0]


# --- small readers of indicator frames, as fixtures so every family module shares them -----


def _series_of(frame: pd.DataFrame, entity: str) -> pd.Series:
    rows = frame[frame["entity"] == entity]
    return rows.set_index("date")["value"].sort_index()


def _value(frame: pd.DataFrame, entity: str, date: str | pd.Timestamp) -> float:
    rows = frame[(frame["entity"] == entity) & (frame["date"] == pd.Timestamp(date))]
    assert len(rows) == 1, f"expected one value for {entity} {date}, got {rows}"
    return float(rows["value"].iloc[0])


def _bundled(case, series: str, entity: str) -> pd.Series:
    obs = case.observations
    rows = obs[(obs["series"] == series) & (obs["entity"] == entity)]
    return rows.set_index("date")["value"].sort_index()


@pytest.fixture(scope="session")
def series_of():
    """``series_of(frame, entity)``: one entity's values indexed by date."""
    return _series_of


@pytest.fixture(scope="session")
def value():
    """``value(frame, entity, date)``: the one value of an entity at a date."""
    return _value


@pytest.fixture(scope="session")
def bundled():
    """``bundled(case, series, entity)``: a bundled input series indexed by date."""
    return _bundled


@pytest.fixture(scope="session")
def indicator_cases() -> list[IndicatorCase]:
    """Every case of every case file (for the coverage checks of test_builtin_set.py)."""
    return all_cases()
