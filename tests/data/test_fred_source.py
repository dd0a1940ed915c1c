"""FRED and ALFRED behind the Source interface, over real HTTP to a local server.

The server (pytest-httpserver on 127.0.0.1) replays FRED's real formats from
tests/data/fixtures/fred (see the README there): both fredgraph CSV header spellings
with their no-value markers, the JSON API, ALFRED vintages; and faults (429 with
Retry-After, 500, a timeout). Expected values are read off the fixture files by eye.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd
import pytest
from werkzeug import Request, Response

from monitor.core.errors import SourceError
from monitor.data.sources.base import DEFAULT_LAG_DAYS, reduce_to
from monitor.data.sources.fred_source import FredSource, FredSpec, parse_csv

FIXTURES = Path(__file__).with_name("fixtures") / "fred"
KEY = "test-key-0123456789abcdef"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def source(httpserver, *specs: FredSpec, **kwargs) -> tuple[FredSource, list[float]]:
    slept: list[float] = []
    url = httpserver.url_for("")
    made = FredSource(specs, api_url=url, graph_url=url, api_key=KEY, sleep=slept.append, **kwargs)
    return made, slept


def rows(data) -> list[tuple[str, float, str]]:
    f = data.frame
    return list(
        zip(
            f["date"].dt.strftime("%Y-%m-%d"),
            f["value"],
            f["published"].dt.strftime("%Y-%m-%d"),
            strict=True,
        )
    )


def test_both_csv_header_spellings_and_both_missing_markers():
    new = parse_csv(fixture("fredgraph_csv_newheader_NASDAQCOM_excerpt.csv"), "NASDAQCOM", "n")
    old = parse_csv(fixture("fredgraph_csv_oldheader_NASDAQCOM_excerpt.csv"), "NASDAQCOM", "o")
    assert len(new) == 39 - 1  # 39 days, the 2021-05-31 holiday has no value
    assert pd.Timestamp("2021-05-31") not in set(new["date"])
    assert len(old) == 15 - 1  # 1971-02-15 is "."
    assert old.iloc[0]["value"] == 100.00 and new.iloc[-1]["value"] == 13881.720


def test_keyless_download_reduced_to_month_end_with_the_monthly_lag(httpserver):
    httpserver.expect_request("/fredgraph.csv", query_string={"id": "NASDAQCOM"}).respond_with_data(
        fixture("fredgraph_csv_newheader_NASDAQCOM_excerpt.csv"), content_type="text/csv"
    )
    spec = FredSpec(
        "NASDAQCOM",
        "nasdaq_close",
        "index",
        frequency="monthly",
        native="daily",
        publication_lag_days=1,
    )
    made, _ = source(httpserver, spec)
    data = made.fetch()
    # April and May 2021 are complete (a June day follows); June is running, left out
    assert rows(data) == [
        ("2021-04-30", 13962.68, "2021-05-01"),
        ("2021-05-28", 13748.74, "2021-05-29"),
    ]
    assert (data.frame["source"] == "FRED NASDAQCOM").all()


def test_the_default_lag_of_a_monthly_series_is_not_zero(httpserver):
    httpserver.expect_request("/fredgraph.csv").respond_with_data(
        fixture("fredgraph_csv_monthly_eop_NASDAQCOM_excerpt.csv")
    )
    made, _ = source(httpserver, FredSpec("NASDAQCOM", "nasdaq_close", "index"))
    data = made.fetch()
    assert DEFAULT_LAG_DAYS["monthly"] == 35
    # 1971-03-01 + 35 days; the running month ("." on 2021-10-01) is no row
    assert rows(data)[0] == ("1971-03-01", 105.97, "1971-04-05")
    assert rows(data)[-1][0] == "2021-09-01"


def test_json_api_with_the_key_from_the_environment(httpserver, monkeypatch):
    monkeypatch.setenv("FRED_API_KEY", KEY)
    answer = json.loads(fixture("fred_api_series_observations_UNRATE_excerpt.json"))
    answer["count"] = len(answer["observations"])  # the excerpt holds 6 of the 309
    httpserver.expect_request(
        "/series/observations",
        query_string={
            "series_id": "UNRATE",
            "api_key": KEY,
            "file_type": "json",
            "observation_start": "2025-07-01",
            "offset": "0",
            "limit": "100000",
        },
    ).respond_with_json(answer)
    spec = FredSpec("UNRATE", "unemployment", "%", mode="api", publication_lag_days=5)
    made = FredSource([spec], api_url=httpserver.url_for(""))
    data = made.fetch(since=pd.Timestamp("2025-07-01"))
    # the server answers the whole excerpt; the values are FRED's strings as numbers
    assert rows(data)[-3:] == [
        ("2025-07-01", 4.2, "2025-07-06"),
        ("2025-08-01", 4.3, "2025-08-06"),
        ("2025-09-01", 4.4, "2025-09-06"),
    ]


def test_api_missing_values_are_dots_and_are_skipped(httpserver):
    answer = json.loads(fixture("fred_api_series_observations_UNRATE_excerpt.json"))
    answer["observations"][1]["value"] = "."  # how the API marks a missing value
    answer["count"] = len(answer["observations"])
    httpserver.expect_request("/series/observations").respond_with_json(answer)
    made, _ = source(httpserver, FredSpec("UNRATE", "unemployment", "%", mode="api"))
    assert "2000-02-01" not in [d for d, _, _ in rows(made.fetch())]


def test_describe_reads_the_series_metadata(httpserver):
    httpserver.expect_request("/series").respond_with_data(
        fixture("fred_api_series_metadata_SP500_excerpt.json"), content_type="application/json"
    )
    made, _ = source(httpserver, FredSpec("SP500", "sp500", "index", mode="api"))
    (info,) = made.describe()
    assert (info.title, info.last_updated) == ("S&P 500", "2023-09-18 19:10:56-05")


# --- ALFRED -------------------------------------------------------------------------------

VINTAGES = ["2022-08-31", "2022-10-05", "2022-11-02", "2025-06-04", "2025-07-02", "2025-07-30"]


def alfred_server(httpserver) -> list[dict[str, str]]:
    """Answer vintagedates and windowed observations from the ADP vintage fixture."""
    table = pd.read_csv(FIXTURES / "alfred_vintages_csv_ADPMNUSNERSA_excerpt.csv", dtype=str)
    seen: list[dict[str, str]] = []

    def vintagedates(request: Request) -> Response:
        body = {"count": len(VINTAGES), "offset": 0, "limit": 10000, "vintage_dates": VINTAGES}
        return Response(json.dumps(body), content_type="application/json")

    def observations(request: Request) -> Response:
        start, end = request.args["realtime_start"], request.args["realtime_end"]
        seen.append({"realtime_start": start, "realtime_end": end})
        window = [v for v in VINTAGES if start <= v <= end]
        out = []
        for _, row in table.iterrows():
            for vintage in window:
                value = row[f"ADPMNUSNERSA_{vintage.replace('-', '')}"]
                out.append(
                    {
                        "realtime_start": vintage,
                        "realtime_end": vintage,
                        "date": row["observation_date"],
                        "value": "." if pd.isna(value) else value,
                    }
                )
        body = {"count": len(out), "offset": 0, "limit": 100000, "observations": out}
        return Response(json.dumps(body), content_type="application/json")

    httpserver.expect_request("/series/vintagedates").respond_with_handler(vintagedates)
    httpserver.expect_request("/series/observations").respond_with_handler(observations)
    return seen


def test_alfred_vintages_become_published_and_requests_stay_under_the_limit(httpserver):
    seen = alfred_server(httpserver)
    spec = FredSpec("ADPMNUSNERSA", "adp_payrolls", "persons", mode="alfred")
    made, _ = source(httpserver, spec, vintage_limit=4)
    data = made.fetch()
    # six vintage dates, at most four a request: two windows
    assert seen == [
        {"realtime_start": "2022-08-31", "realtime_end": "2025-06-04"},
        {"realtime_start": "2025-07-02", "realtime_end": "2025-07-30"},
    ]
    by_date = {}
    for date, value, published in rows(data):
        by_date.setdefault(date, []).append((value, published))
    # 2010-01: the 2025 benchmark re-based the series (a new row), unchanged vintages add none
    assert by_date["2010-01-01"] == [(97609000.0, "2022-08-31"), (106884000.0, "2025-06-04")]
    # 2025-05: first published 2025-06-04, revised 2025-07-02, then unchanged
    assert by_date["2025-05-01"] == [(134488000.0, "2025-06-04"), (134480000.0, "2025-07-02")]
    assert by_date["2025-07-01"] == [(134561000.0, "2025-07-30")]
    assert (data.frame["source"] == "ALFRED ADPMNUSNERSA").all()


def test_the_vintage_limit_error_is_reported_with_the_apis_words(httpserver):
    text = fixture("fred_api_error_too_many_vintage_dates.txt")
    message = " ".join(text.split("\n\n")[1].split())
    httpserver.expect_request("/series/vintagedates").respond_with_json(
        {"count": 1, "vintage_dates": ["2025-01-01"]}
    )
    httpserver.expect_request("/series/observations").respond_with_json(
        {"error_code": 400, "error_message": message}, status=400
    )
    made, slept = source(httpserver, FredSpec("PAYEMS", "payrolls", "k", mode="alfred"))
    with pytest.raises(SourceError, match=r"fred answered 400: .*maximum number of vintage"):
        made.fetch()
    assert slept == []  # a refusal is not retried


# --- faults ---------------------------------------------------------------------------------


def test_429_waits_as_long_as_retry_after_asks(httpserver):
    httpserver.expect_ordered_request("/fredgraph.csv").respond_with_data(
        "Too Many Requests", status=429, headers={"Retry-After": "7"}
    )
    httpserver.expect_ordered_request("/fredgraph.csv").respond_with_data(
        fixture("fredgraph_csv_oldheader_NASDAQCOM_excerpt.csv")
    )
    made, slept = source(
        httpserver, FredSpec("NASDAQCOM", "nasdaq_close", "index", frequency="daily")
    )
    assert len(made.fetch().frame) == 14
    assert slept == [7.0]


def test_500s_are_retried_then_reported_with_the_source_and_without_the_key(httpserver):
    for _ in range(4):
        httpserver.expect_ordered_request("/series/observations").respond_with_data(
            f"internal error for api_key={KEY}", status=500
        )
    made, slept = source(httpserver, FredSpec("UNRATE", "unemployment", "%", mode="api"))
    with pytest.raises(SourceError) as caught:
        made.fetch()
    message = str(caught.value)
    assert message.startswith("fred answered 500") and "after 4 attempts" in message
    assert KEY not in message and len(slept) == 3


def test_a_timeout_is_retried_and_named(httpserver):
    def slow(request: Request) -> Response:
        time.sleep(0.5)
        return Response("late")

    httpserver.expect_request("/fredgraph.csv").respond_with_handler(slow)
    made, slept = source(httpserver, FredSpec("DGS10", "t10", "%", frequency="daily"), timeout=0.1)
    with pytest.raises(SourceError, match=r"fred: no answer within 0.1 s \(after 4 attempts\)"):
        made.fetch()
    assert len(slept) == 3


def test_reduce_to_monthly_average_is_dated_on_the_first():
    days = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-01-05", "2026-01-30", "2026-02-02"]).astype(
                "datetime64[us]"
            ),
            "value": [1.0, 3.0, 5.0],
        }
    )
    out = reduce_to(days, "monthly", "avg")
    assert list(out["value"]) == [2.0]  # February is still running
    assert out["date"].iloc[0] == pd.Timestamp("2026-01-01")
