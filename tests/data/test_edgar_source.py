"""SEC EDGAR companyfacts behind the Source interface, over real HTTP to a local server.

The server (pytest-httpserver on 127.0.0.1) replays the real AMD companyfacts excerpt
(tests/data/fixtures/edgar, see its README) and hand-built variants in the same layout
(each added value is labelled "hand-built" and is the test's own), plus faults: 429 with
Retry-After, 500, a timeout. Expected values are read off the fixture by eye, in $bn.
"""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from werkzeug import Request, Response

from monitor.core.errors import SourceError
from monitor.core.retry import RetryPolicy
from monitor.data.case import Case
from monitor.data.observations import ValidatedObservations
from monitor.data.sources.edgar import Company, EdgarSource
from monitor.data.store import ObservationStore
from monitor.pipeline import assess_case

FIXTURE = Path(__file__).with_name("fixtures") / "edgar"
AMD_JSON = FIXTURE / "sec_companyfacts_AMD_CIK0000002488_excerpt.json"
AMD = Company(2488, "AMD", "Advanced Micro Devices, Inc.")
AGENT = "Test Runner test@example.com"
PATH = "/api/xbrl/companyfacts/CIK0000002488.json"
FAST = RetryPolicy(attempts=4, backoff_seconds=0.01, max_backoff_seconds=0.01, jitter=False)


def amd() -> dict[str, Any]:
    return json.loads(AMD_JSON.read_text(encoding="utf-8"))


def fact(start: str | None, end: str, val: float, accn: str, filed: str, **extra: Any):
    out: dict[str, Any] = {"end": end, "val": val, "accn": accn}
    if start is not None:
        out = {"start": start, **out}
    return {**out, "fy": 2020, "fp": "FY", "form": "10-K", "filed": filed, **extra}


def variant(document: dict[str, Any], tag: str, *facts: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``document`` with hand-built ``facts`` added under us-gaap ``tag``."""
    out = copy.deepcopy(document)
    concept = out["facts"]["us-gaap"].setdefault(
        tag, {"label": tag, "description": "hand-built for a test", "units": {"USD": []}}
    )
    concept["units"]["USD"].extend(facts)
    return out


def make(httpserver, **kwargs) -> tuple[EdgarSource, list[float]]:
    slept: list[float] = []
    source = EdgarSource(
        [AMD],
        user_agent=AGENT,
        api_url=httpserver.url_for(""),
        sleep=slept.append,
        policy=FAST,
        **kwargs,
    )
    return source, slept


def serve(httpserver, document: dict[str, Any]) -> None:
    httpserver.expect_request(PATH).respond_with_json(document)


def rows(data: ValidatedObservations, series: str) -> list[tuple[str, float, str]]:
    f = data.frame[data.frame["series"] == series]
    return [
        (d.date().isoformat(), round(v, 6), p.date().isoformat())
        for d, v, p in zip(f["date"], f["value"], f["published"], strict=True)
    ]


# --- the real document -------------------------------------------------------------------


def test_the_real_excerpt_over_http_with_the_user_agent(httpserver):
    httpserver.expect_request(PATH, headers={"User-Agent": AGENT}).respond_with_json(amd())
    source, _ = make(httpserver)
    data = source.fetch()
    assert data.bad_rows == []
    # FY2020 revenue 9,763 m (AMD's reported 2020 revenue); FY2016 from the 2019 10-K
    assert rows(data, "revenue") == [
        ("2016-12-31", 4.319, "2019-02-08"),
        ("2020-12-26", 9.763, "2021-01-29"),
    ]
    assert set(data.frame["unit"]) == {"$bn"} and set(data.frame["entity"]) == {"AMD"}
    assert set(data.frame["source"]) == {"SEC EDGAR XBRL companyfacts CIK0000002488"}


def test_quarters_are_told_apart_from_year_to_date_figures(httpserver):
    serve(httpserver, amd())
    data, _ = make(httpserver)[0].fetch(), None
    quarters = rows(data, "revenue_quarterly")
    # the 10-Q's nine months to 2020-09-26 (6,519 m) is neither a quarter nor a year
    assert 6.519 not in {v for _, v, _ in quarters} and 6.519 not in data.frame["value"].values
    assert quarters == [
        ("2017-07-01", 1.151, "2018-08-02"),  # us-gaap:Revenues, the chain's second tag
        ("2017-09-30", 1.584, "2018-10-31"),
        ("2020-09-26", 2.801, "2020-10-28"),  # in the 10-Q, repeated by the 10-K: one row
        ("2020-12-26", 3.244, "2021-01-29"),  # Q4 as the 10-K tags it (= 9,763 - 6,519)
        ("2021-03-27", 3.445, "2021-04-28"),
    ]


def test_a_restated_balance_is_a_new_vintage_and_a_repeated_one_adds_nothing(httpserver):
    serve(httpserver, amd())
    data = make(httpserver)[0].fetch()
    # 751 m in the FY2016 10-K, the same in the FY2017 10-K, 691 m in the FY2018 10-K
    assert rows(data, "inventory") == [
        ("2016-12-31", 0.751, "2017-02-21"),
        ("2016-12-31", 0.691, "2019-02-08"),
        ("2020-12-26", 1.399, "2021-01-29"),  # repeated by the Q1 2021 10-Q: no new row
    ]
    # a mid-year balance is a quarterly figure only; the year-end ones are in both
    assert rows(data, "inventory_quarterly")[-1] == ("2021-03-27", 1.653, "2021-04-28")
    notes = data.frame.loc[data.frame["series"] == "inventory", "note"].tolist()
    assert "10-K accn 0000002488-19-000011" in notes[1]


def test_since_keeps_periods_from_that_date(httpserver):
    serve(httpserver, amd())
    data = make(httpserver)[0].fetch(pd.Timestamp("2020-01-01"))
    assert min(data.frame["date"]) == pd.Timestamp("2020-09-26")


# --- hand-built variants -------------------------------------------------------------------


def test_the_first_tag_in_the_chain_wins_within_a_filing(httpserver):
    # hand-built: the FY2020 10-K also tags the year as SalesRevenueNet (9,999 m)
    doc = variant(
        amd(),
        "SalesRevenueNet",
        fact("2019-12-29", "2020-12-26", 9_999_000_000, "0001628280-21-001185", "2021-01-29"),
    )
    serve(httpserver, doc)
    data = make(httpserver)[0].fetch()
    assert ("2020-12-26", 9.763, "2021-01-29") in rows(data, "revenue")
    assert 9.999 not in set(data.frame["value"].round(6))


def test_a_later_filing_under_an_older_tag_is_still_a_vintage(httpserver):
    # hand-built: the FY2016 10-K (2017-02-21) reported 2016 under SalesRevenueGoodsNet
    doc = variant(
        amd(),
        "SalesRevenueGoodsNet",
        fact("2015-12-27", "2016-12-31", 4_272_000_000, "0000002488-17-000043", "2017-02-21"),
    )
    serve(httpserver, doc)
    data = make(httpserver)[0].fetch()
    assert rows(data, "revenue")[:2] == [
        ("2016-12-31", 4.272, "2017-02-21"),
        ("2016-12-31", 4.319, "2019-02-08"),
    ]


def test_a_missing_fourth_quarter_is_derived_only_when_all_three_quarters_are_there(httpserver):
    # hand-built fiscal 2019 (52 weeks, 2018-12-30..2019-12-28): the year and Q1-Q3
    year = fact("2018-12-30", "2019-12-28", 6_731_000_000, "0000002488-20-000008", "2020-02-04")
    q1 = fact(
        "2018-12-30",
        "2019-03-30",
        1_272_000_000,
        "0000002488-19-000070",
        "2019-05-02",
        form="10-Q",
        fp="Q1",
    )
    q2 = fact(
        "2019-03-31",
        "2019-06-29",
        1_531_000_000,
        "0000002488-19-000100",
        "2019-07-31",
        form="10-Q",
        fp="Q2",
    )
    q3 = fact(
        "2019-06-30",
        "2019-09-28",
        1_801_000_000,
        "0000002488-19-000130",
        "2019-10-30",
        form="10-Q",
        fp="Q3",
    )
    ytd = fact(
        "2018-12-30",
        "2019-09-28",
        4_604_000_000,
        "0000002488-19-000130",
        "2019-10-30",
        form="10-Q",
        fp="Q3",
    )
    tag = "RevenueFromContractWithCustomerExcludingAssessedTax"
    complete = variant(amd(), tag, year, q1, q2, q3, ytd)
    serve(httpserver, complete)
    data = make(httpserver)[0].fetch(pd.Timestamp("2019-01-01"))
    q4 = [r for r in rows(data, "revenue_quarterly") if r[0] == "2019-12-28"]
    assert q4 == [("2019-12-28", 6.731 - 1.272 - 1.531 - 1.801, "2020-02-04")]  # 2.127
    note = data.frame.loc[data.frame["date"] == pd.Timestamp("2019-12-28"), "note"]
    assert any(n.startswith("derived: fiscal year") for n in note)

    httpserver.clear()
    serve(httpserver, variant(amd(), tag, year, q1, q3, ytd))  # Q2 missing: a gap
    data = make(httpserver)[0].fetch(pd.Timestamp("2019-01-01"))
    assert [r for r in rows(data, "revenue_quarterly") if r[0] == "2019-12-28"] == []
    assert ("2019-12-28", 6.731, "2020-02-04") in rows(data, "revenue")


def test_two_filings_on_one_day_count_once(httpserver):
    # hand-built: a 10-K/A filed the same day as the 10-K, with another value
    doc = variant(
        amd(),
        "InventoryNet",
        fact(
            None, "2020-12-26", 1_400_000_000, "0001628280-21-001190", "2021-01-29", form="10-K/A"
        ),
    )
    serve(httpserver, doc)
    data = make(httpserver)[0].fetch()
    assert [r for r in rows(data, "inventory") if r[0] == "2020-12-26"] == [
        ("2020-12-26", 1.4, "2021-01-29"),  # the later one in the document
        ("2020-12-26", 1.399, "2021-04-28"),  # the next 10-Q's 1,399 m differs from it
    ]


# --- faults -----------------------------------------------------------------------------


def test_429_waits_as_long_as_retry_after_asks(httpserver):
    httpserver.expect_ordered_request(PATH).respond_with_data(
        "Too Many Requests", status=429, headers={"Retry-After": "7"}
    )
    httpserver.expect_ordered_request(PATH).respond_with_json(amd())
    source, slept = make(httpserver)
    assert len(rows(source.fetch(), "revenue")) == 2
    assert slept == [7.0]


def test_500s_are_retried_then_reported_with_the_source_and_the_cik(httpserver):
    for _ in range(4):
        httpserver.expect_ordered_request(PATH).respond_with_data("oops", status=500)
    source, slept = make(httpserver)
    with pytest.raises(SourceError) as caught:
        source.fetch()
    message = str(caught.value)
    assert message.startswith("edgar CIK0000002488 (AMD) answered 500")
    assert "after 4 attempts" in message and len(slept) == 3


def test_a_timeout_is_retried_and_named(httpserver):
    def slow(request: Request) -> Response:
        time.sleep(0.5)
        return Response("{}")

    httpserver.expect_request(PATH).respond_with_handler(slow)
    source, slept = make(httpserver, timeout=0.1)
    with pytest.raises(SourceError, match=r"^edgar CIK0000002488 \(AMD\): no answer within 0.1 s"):
        source.fetch()
    assert len(slept) == 3


def test_a_404_is_final_and_names_the_cik(httpserver):
    httpserver.expect_request(PATH).respond_with_data("Not Found", status=404)
    source, slept = make(httpserver)
    with pytest.raises(SourceError, match="CIK0000002488 .* answered 404"):
        source.fetch()
    assert slept == []


def test_an_answer_about_another_company_is_refused(httpserver):
    serve(httpserver, {**amd(), "cik": 1045810})
    with pytest.raises(SourceError, match="about CIK 1045810"):
        make(httpserver)[0].fetch()


def test_every_attempt_goes_through_the_rate_limiter(httpserver):
    class Counting:
        calls = 0

        def wait(self) -> None:
            self.calls += 1

    httpserver.expect_ordered_request(PATH).respond_with_data("busy", status=503)
    httpserver.expect_ordered_request(PATH).respond_with_json(amd())
    limiter = Counting()
    source, _ = make(httpserver, limiter=limiter)
    source.fetch()
    assert limiter.calls == 2  # the retry counts against the SEC's limit too


def test_no_user_agent_names_the_config_key():
    with pytest.raises(SourceError, match="set user_agent"):
        EdgarSource([AMD], user_agent=None)
    with pytest.raises(SourceError, match="no contact e-mail"):
        EdgarSource([AMD], user_agent="just a name")


# --- into the store, point in time ---------------------------------------------------------


def test_importing_twice_adds_nothing_and_a_restatement_adds_a_vintage(httpserver, tmp_path):
    store = ObservationStore(f"sqlite:///{tmp_path / 'store.db'}")
    serve(httpserver, amd())
    source = make(httpserver)[0]
    first = store.add(source.fetch(), "edgar")
    again = store.add(source.fetch(), "edgar")
    assert first.added == len(source.fetch().frame) and first.conflicts == []
    assert (again.added, again.unchanged) == (0, first.added)
    # hand-built: a 10-K/A of 2021-03-15 restates FY2020 revenue to 9,500 m
    httpserver.clear()
    restated = fact(
        "2019-12-29",
        "2020-12-26",
        9_500_000_000,
        "0001628280-21-005000",
        "2021-03-15",
        form="10-K/A",
    )
    tag = "RevenueFromContractWithCustomerExcludingAssessedTax"
    serve(httpserver, variant(amd(), tag, restated))
    third = store.add(source.fetch(), "edgar")
    assert (third.added, third.conflicts) == (1, [])
    stored = store.frame("revenue", "AMD")
    fy2020 = stored[stored["date"] == pd.Timestamp("2020-12-26")]
    published = fy2020["published"].dt.strftime("%Y-%m-%d")
    assert list(zip(fy2020["value"], published, strict=True)) == [
        (9.763, "2021-01-29"),
        (9.5, "2021-03-15"),
    ]


def test_an_evaluation_before_the_restatement_uses_the_first_value(httpserver, tmp_path):
    # hand-built: receivables 2,900 m at 2020-12-26 in the FY2020 10-K, and a 10-K/A of
    # 2021-03-15 restating FY2020 revenue to 9,500 m: receivables / revenue goes from
    # 2.9 / 9.763 = 29.70% (below the rule's 30%) to 2.9 / 9.5 = 30.53% (above it)
    receivables = fact(None, "2020-12-26", 2_900_000_000, "0001628280-21-001185", "2021-01-29")
    restated = fact(
        "2019-12-29",
        "2020-12-26",
        9_500_000_000,
        "0001628280-21-005000",
        "2021-03-15",
        form="10-K/A",
    )
    doc = variant(amd(), "AccountsReceivableNetCurrent", receivables)
    doc = variant(doc, "RevenueFromContractWithCustomerExcludingAssessedTax", restated)
    serve(httpserver, doc)
    store = ObservationStore(f"sqlite:///{tmp_path / 'store.db'}")
    store.add(make(httpserver)[0].fetch(), "edgar")
    case = Case(
        name="stored",
        title="stored",
        description="",
        path=tmp_path,
        as_of=pd.Timestamp("2021-04-30"),
        entities={"AMD": {"name": "AMD"}},
        series={
            "revenue": {"unit": "$bn", "frequency": "fiscal-annual"},
            "receivables_net": {"unit": "$bn", "frequency": "fiscal-annual"},
        },
        crisis_events=[],
        data=ValidatedObservations(store.frame()),
    )
    rule = "receivables-swelling"

    def reading(day: str) -> tuple[float, str]:
        assessment = assess_case(case, pd.Timestamp(day)).assessment
        found = next(r for r in assessment.rules if r.id == rule and r.entity == "AMD")
        return round(found.value, 2), str(found.state)

    before, after = reading("2021-02-15"), reading("2021-04-01")
    assert before[0] == 29.70 and after[0] == 30.53
    assert "firing" not in before[1]


def test_every_edgar_source_in_a_process_shares_one_rate_limiter():
    one = EdgarSource([AMD], user_agent=AGENT, name="a")
    two = EdgarSource([AMD], user_agent=AGENT, name="b")
    assert one.limiter is two.limiter
    assert (one.limiter.requests, one.limiter.per) == (10, 1.0)  # the SEC's limit
