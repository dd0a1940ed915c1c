"""The fast loader gives exactly what the loader before it gave (issue 10: speed, not answers).

The old loader is kept verbatim in ``benchmarks/baseline_loader.py``; on every hostile
file, every bundled case and a few hundred generated files full of odd lines (quotes,
line breaks inside quotes, ``\\r``, blank and comma-only lines, wrong field counts,
exotic whitespace, time-zone offsets, huge numbers), both must give equal frames
(values and dtypes), equal bad rows (file, line, column, check, text) and equal
quarantines. A fast path that only agrees on clean files would pass the other tests.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.data.case import bundled_names, load_case
from monitor.data.cells import numbers
from monitor.data.observations import ValidatedObservations, read_csv

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "benchmarks" / "baseline_loader.py"
HOSTILE = ROOT / "tests" / "hostile" / "data"


@pytest.fixture(scope="module")
def baseline() -> ModuleType:
    if not BASELINE.is_file():
        pytest.skip("benchmarks/baseline_loader.py is not in this checkout")
    spec = importlib.util.spec_from_file_location("baseline_loader", BASELINE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["baseline_loader"] = module  # pandera resolves the model's annotations there
    spec.loader.exec_module(module)
    return module


def assert_same(old: ValidatedObservations, new: ValidatedObservations) -> None:
    pd.testing.assert_frame_equal(old.frame, new.frame, check_exact=True)
    pd.testing.assert_frame_equal(old.quarantined, new.quarantined, check_exact=True)
    assert [b.as_dict() for b in new.bad_rows] == [b.as_dict() for b in old.bad_rows]


def outcome(read: Any, path: Path, defaults: dict[str, Any] | None) -> Any:
    try:
        return read(path, defaults)
    except Exception as exc:  # noqa: BLE001 - both loaders must fail alike, if at all
        return f"{type(exc).__name__}: {exc}"


def compare(baseline: ModuleType, path: Path, defaults: dict[str, Any] | None = None) -> None:
    old = outcome(baseline.read_csv, path, defaults)
    new = outcome(read_csv, path, defaults)
    if isinstance(old, str) or isinstance(new, str):
        assert new == old
    else:
        assert_same(old, new)


@pytest.mark.parametrize("path", sorted(HOSTILE.glob("*.csv")), ids=lambda p: p.name)
def test_every_hostile_file_reads_as_before(baseline: ModuleType, path: Path) -> None:
    compare(baseline, path)


@pytest.mark.parametrize("name", bundled_names())
def test_every_bundled_case_loads_as_before(baseline: ModuleType, name: str) -> None:
    old, new = baseline.load_case(name), load_case(name)
    assert_same(old.data, new.data)
    assert len(new.observations) > 500  # the cases are real, not empty


HEADER = "series,entity,date,value,published,unit,source"
CELLS = {
    "series": ["pmi_x", "ffr", "PMI_X", "", " pmi_x ", "pmi\u00a0x", "a,b", '"pmi_x"'],
    "entity": ["US", "E00001", "LU.N", "-bad", "", "\u3000", "U S"],
    "date": ["2000-01-01", "2000-13-45", "2000-02-01T00:00Z", "20000101", "", " 2000-03-01",
             "2000-04-01 10:00+05:00", "1999-12-31", "2000-01-01+05:00", "9999-12-31"],
    "value": ["55.1", "-0.25", "1e308", "abc", "", "inf", "nan", "12345678901234567890",
              "0.1000000000000000055511151231257827", " 7", "1_000", "-2e15", "3."],
    "published": ["2000-02-02", "", "1999-01-01", "9999-12-31", "2000-03-02T10:00:00+05:00",
                  "2024-02-01", "2000-02-02 "],
    "unit": ["index", "%", "", " ", "\x1c"],
    "source": ["ISM", "FRED FEDFUNDS", "", '"GMF, sec. 2"', '"quoted ""twice"""',
               "tab\there"],
}  # fmt: skip
ODD_LINES = ["", " ", ",,,,,,", '"",""', "a,b", "x" * 30, '"open quote', "\x1c,\x1c", " ,a"]
RARE_LINES = ['pmi_x,US,2000-01-01,1,2000-02-02,index,"line\nbreak"', "\r", "a\x00b"]


@st.composite
def csv_text(draw: st.DrawFn) -> str:
    headers = [HEADER, HEADER + ",note", '"series",' + HEADER[7:], "", " " + HEADER, "a,,a"]
    lines = [draw(st.sampled_from([HEADER] * 6 + headers))]
    width = len(lines[0].split(","))
    for _ in range(draw(st.integers(0, 12))):
        if draw(st.integers(0, 9)) == 0:
            lines.append(draw(st.sampled_from(ODD_LINES)))
            continue
        cells = [draw(st.sampled_from(CELLS[c])) for c in HEADER.split(",")]
        cells += [draw(st.sampled_from(["", "a note"]))] * (width - 7)
        if draw(st.integers(0, 7)) == 0:
            cells.append("extra")
        lines.append(",".join(cells))
    if draw(st.booleans()):
        lines = lines + lines[1:3]  # duplicates
    if draw(st.integers(0, 9)) == 0:  # the odd files only the csv-module reader takes
        lines.insert(draw(st.integers(1, len(lines))), draw(st.sampled_from(RARE_LINES)))
    ending = draw(st.sampled_from(["\n"] * 7 + ["\r\n"]))
    text = ending.join(lines) + draw(st.sampled_from(["", ending]))
    return draw(st.sampled_from(["", "\ufeff"])) + text


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=csv_text(), with_defaults=st.booleans())
def test_any_generated_file_reads_as_before(
    baseline: ModuleType, tmp_path_factory: pytest.TempPathFactory, text: str, with_defaults: bool
) -> None:
    path = tmp_path_factory.mktemp("gen") / "d.csv"
    path.write_bytes(text.encode("utf-8"))
    defaults = {"pmi_x": {"unit": "index", "source": "ISM", "publication_lag_days": 32}}
    compare(baseline, path, defaults if with_defaults else None)


def test_a_large_plain_file_reads_as_before(baseline: ModuleType, tmp_path: Path) -> None:
    """The pyarrow path at a size where it matters, blank cells filled from defaults."""
    rows = [HEADER]
    for i in range(3000):
        day = pd.Timestamp("1990-01-01") + pd.Timedelta(days=i)
        published = "" if i % 7 == 0 else (day + pd.Timedelta(days=30)).date().isoformat()
        rows.append(f"pmi_x,E{i % 40:03d},{day.date()},{i / 7:.4f},{published},,src")
    path = tmp_path / "plain.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    compare(baseline, path, {"pmi_x": {"unit": "index", "publication_lag_days": 30}})
    loaded = read_csv(path, {"pmi_x": {"unit": "index", "publication_lag_days": 30}})
    assert len(loaded.frame) == 3000 and not loaded.bad_rows


NUMBER_TEXTS = ["55.1", "-0.25", "1e308", "abc", "", "inf", "nan", "12345678901234567890",
                "0.1000000000000000055511151231257827", " 7", "1_000", "-2e15", "3.", "5",
                "-12", "007", "1.5e3", "+4", "0x10", "NaN", "-0", "-0.0", "0.0",
                "999999999999999", "9999999999999999", "123456789012.345"]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(st.sampled_from(NUMBER_TEXTS), min_size=1, max_size=8))
def test_numbers_are_bit_for_bit_the_floats_pandas_reads(texts: list[str]) -> None:
    """Frames compare -0.0 equal to 0.0; the bits must agree too (pandas reads "-0" as 0)."""
    column = pd.Series([t or None for t in texts], dtype="str")
    expected = pd.to_numeric(column, errors="coerce").astype("float64").to_numpy()
    got = numbers(column).astype("float64").to_numpy()  # as validate() takes it
    missing = np.isnan(expected)
    assert np.array_equal(missing, np.isnan(got))
    assert np.array_equal(expected[~missing].view(np.int64), got[~missing].view(np.int64))
