"""FRED as a source: raw downloads and the web API, in FRED's real formats.

The API tests talk to a real local HTTP server answering with FRED's JSON layout
(``observations`` with ``.`` for missing values); raw downloads are checked against
the real files in ../shared/reference when present.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from monitor.cli import main
from monitor.data.sources import fred

REFERENCE = Path(
    os.environ.get(
        "MONITOR_REFERENCE_DIR", Path(__file__).resolve().parents[3] / "shared" / "reference"
    )
)
needs_reference = pytest.mark.skipif(
    not REFERENCE.is_dir(), reason=f"reference series not available at {REFERENCE}"
)
FEDFUNDS = fred.FredSeries("FEDFUNDS", "fed_funds_effective", "%", publication_lag_days=32)


def test_raw_download_with_crlf_blanks_and_a_bad_cell(tmp_path):
    path = tmp_path / "DGS10.csv"
    path.write_bytes(
        b"observation_date,DGS10\r\n2000-01-03,6.58\r\n2000-01-17,\r\n"
        b"2000-01-18,.\r\n2000-01-19,n/a\r\n2000-01-20,6.74\r\n"
    )
    spec = fred.FredSeries("DGS10", "treasury_10y", "%", publication_lag_days=1)
    data = fred.read_csv(path, spec)
    assert list(data.frame["value"]) == [6.58, 6.74]
    assert list(data.frame["published"].dt.strftime("%Y-%m-%d")) == ["2000-01-04", "2000-01-21"]
    assert (data.frame["source"] == "FRED DGS10").all()
    assert [(b.line, b.column, b.check) for b in data.bad_rows] == [(5, "value", "not a number")]


@needs_reference
def test_reference_fedfunds_reads_cleanly_and_matches_the_bundled_case():
    from monitor.data.case import load_case

    data = fred.read_csv(REFERENCE / "FEDFUNDS.csv", FEDFUNDS)
    assert data.bad_rows == []
    frame = data.frame.set_index("date")["value"]
    bundled = load_case("telecom-2000").observations
    bundled = bundled[bundled["series"] == "fed_funds_effective"].set_index("date")["value"]
    assert len(bundled) == 120
    pd.testing.assert_series_equal(frame.reindex(bundled.index), bundled, check_names=False)


@needs_reference
def test_reference_nasdaq_holidays_are_skipped_not_quarantined():
    spec = fred.FredSeries("NASDAQCOM", "nasdaq_close", "index")
    data = fred.read_csv(REFERENCE / "NASDAQCOM.csv", spec)
    assert data.bad_rows == []
    peak = data.frame.loc[data.frame["value"].idxmax()]
    assert peak["date"] <= pd.Timestamp("2025-06-12")
    in_2000 = data.frame[data.frame["date"].dt.year == 2000]
    assert in_2000["value"].max() == pytest.approx(5048.62)  # brief: peak 5048.6 on 10 Mar 2000


FRED_JSON = {
    "realtime_start": "2026-11-27",
    "realtime_end": "2026-11-27",
    "observation_start": "2000-01-01",
    "observation_end": "2000-04-01",
    "units": "lin",
    "output_type": 1,
    "file_type": "json",
    "order_by": "observation_date",
    "sort_order": "asc",
    "count": 4,
    "offset": 0,
    "limit": 100000,
    "observations": [
        {
            "realtime_start": "2026-11-27",
            "realtime_end": "2026-11-27",
            "date": "2000-01-01",
            "value": "5.45",
        },
        {
            "realtime_start": "2026-11-27",
            "realtime_end": "2026-11-27",
            "date": "2000-02-01",
            "value": "5.73",
        },
        {
            "realtime_start": "2026-11-27",
            "realtime_end": "2026-11-27",
            "date": "2000-03-01",
            "value": ".",
        },
        {
            "realtime_start": "2026-11-27",
            "realtime_end": "2026-11-27",
            "date": "2000-04-01",
            "value": "6.02",
        },
    ],
}


def test_api_fetch_in_fred_json_format(httpserver):
    httpserver.expect_request(
        "/fred/series/observations",
        query_string={
            "series_id": "FEDFUNDS",
            "api_key": "sekret-key",
            "file_type": "json",
            "observation_start": "2000-01-01",
        },
    ).respond_with_json(FRED_JSON)
    data = fred.fetch(
        FEDFUNDS, start="2000-01-01", base_url=httpserver.url_for("/fred"), api_key="sekret-key"
    )
    assert list(data.frame["value"]) == [5.45, 5.73, 6.02]
    assert data.frame["published"].iloc[0] == pd.Timestamp("2000-02-02")
    assert data.bad_rows == []


def test_api_error_is_reported_without_the_key(httpserver):
    httpserver.expect_request("/fred/series/observations").respond_with_json(
        {
            "error_code": 400,
            "error_message": "Bad Request.  The value for variable api_key is not registered.",
        },
        status=400,
    )
    with pytest.raises(fred.FredError) as info:
        fred.fetch(FEDFUNDS, base_url=httpserver.url_for("/fred"), api_key="sekret-key")
    assert "400" in str(info.value) and "not registered" in str(info.value)
    assert "sekret-key" not in str(info.value)


def test_missing_key_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("FRED_API_KEY", raising=False)
    with pytest.raises(fred.FredError, match="FRED_API_KEY"):
        fred.fetch(FEDFUNDS, base_url="http://127.0.0.1:9")


def test_cli_fetch_writes_a_tidy_csv_that_a_case_can_load(httpserver, tmp_path, monkeypatch):
    monkeypatch.setenv("FRED_API_KEY", "sekret-key")
    monkeypatch.setenv("FRED_API_URL", httpserver.url_for("/fred"))
    httpserver.expect_request("/fred/series/observations").respond_with_data(
        json.dumps(FRED_JSON), content_type="application/json"
    )
    out = tmp_path / "fedfunds.csv"
    result = CliRunner().invoke(
        main,
        [
            "fred",
            "FEDFUNDS",
            "--series",
            "fed_funds_effective",
            "--unit",
            "%",
            "--lag",
            "32",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "sekret-key" not in result.output + result.stderr
    reread = pd.read_csv(out)
    assert list(reread.columns[:7]) == [
        "series",
        "entity",
        "date",
        "value",
        "published",
        "unit",
        "source",
    ]
    assert list(reread["value"]) == [5.45, 5.73, 6.02]
