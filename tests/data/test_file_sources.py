"""Files (CSV, Parquet, Excel with a column mapping; FRED downloads recognised) and
hand-entered facts as sources; the real reference downloads import when present."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from monitor.core.errors import SourceError
from monitor.data.sources.facts import FactsSource
from monitor.data.sources.files import FileSource, FileSpec

FIXTURES = Path(__file__).with_name("fixtures") / "fred"
REFERENCE = Path(
    os.environ.get(
        "MONITOR_REFERENCE_DIR", Path(__file__).resolve().parents[3] / "shared" / "reference"
    )
)
needs_reference = pytest.mark.skipif(
    not REFERENCE.is_dir(), reason=f"reference series not available at {REFERENCE}"
)

# ISM releases as the bundled ai-cycle case gives them (value, release day)
PMI = pd.DataFrame(
    {
        "Month": ["2026-01-01", "2026-02-01", "2026-04-01"],
        "PMI": ["52.6", "52.4", "52.7"],
        "Released": ["2026-02-02", "2026-03-02", ""],
    }
)
MAPPING = {"date": "Month", "value": "PMI", "published": "Released"}


def pmi_source(path: Path) -> FileSource:
    spec = FileSpec(
        path,
        MAPPING,
        series="ism_pmi",
        entity="US",
        unit="index",
        source="ISM Report on Business",
        publication_lag_days=31,
    )
    return FileSource([spec])


def check_pmi(data) -> None:
    f = data.frame
    assert list(f["value"]) == [52.6, 52.4, 52.7]
    # a blank release day is the month + 31 days: 2026-04-01 -> 2026-05-02
    assert list(f["published"].dt.strftime("%Y-%m-%d")) == [
        "2026-02-02",
        "2026-03-02",
        "2026-05-02",
    ]
    assert data.bad_rows == []


def test_csv_with_a_column_mapping(tmp_path):
    path = tmp_path / "pmi.csv"
    PMI.to_csv(path, index=False)
    check_pmi(pmi_source(path).fetch())


def test_parquet_and_excel_with_the_same_mapping(tmp_path):
    pytest.importorskip("pyarrow")
    pytest.importorskip("openpyxl")
    PMI.to_parquet(tmp_path / "pmi.parquet")
    PMI.to_excel(tmp_path / "pmi.xlsx", index=False)
    check_pmi(pmi_source(tmp_path / "pmi.parquet").fetch())
    check_pmi(pmi_source(tmp_path / "pmi.xlsx").fetch())


def test_a_bad_cell_is_quarantined_with_its_line(tmp_path):
    path = tmp_path / "pmi.csv"
    PMI.assign(PMI=["52.6", "n/a", "52.7"]).to_csv(path, index=False)
    data = pmi_source(path).fetch()
    assert len(data.frame) == 2
    assert [(b.line, b.column, b.check) for b in data.bad_rows] == [(3, "value", "not a number")]


def test_a_fred_download_is_recognised_without_a_mapping():
    spec = FileSpec(
        FIXTURES / "fredgraph_csv_oldheader_NASDAQCOM_excerpt.csv",
        series="nasdaq_close",
        entity="US",
        unit="index",
        frequency="daily",
    )
    data = FileSource([spec]).fetch()
    assert len(data.frame) == 14  # 15 days, 1971-02-15 is "."
    assert (data.frame["source"] == "FRED NASDAQCOM").all()
    # daily default lag: one day
    assert data.frame["published"].iloc[0] == pd.Timestamp("1971-02-06")


def test_a_missing_mapped_column_names_the_file(tmp_path):
    path = tmp_path / "pmi.csv"
    PMI.to_csv(path, index=False)
    spec = FileSpec(path, {"date": "Monat", "value": "PMI"}, series="ism_pmi", entity="US")
    with pytest.raises(SourceError, match=r"pmi.csv:1: mapped column\(s\) \['Monat'\]"):
        FileSource([spec]).fetch()


@needs_reference
def test_real_reference_downloads_import(tmp_path):
    """CRLF line ends, blank holiday rows and a Date,Value header (ISM_PMI.csv)."""
    fedfunds = FileSource(
        [
            FileSpec(
                REFERENCE / "FEDFUNDS.csv",
                series="fed_funds_effective",
                entity="US",
                unit="%",
                publication_lag_days=32,
            )
        ]
    ).fetch()
    f = fedfunds.frame.set_index("date")["value"]
    assert fedfunds.bad_rows == []
    assert f[pd.Timestamp("2000-07-01")] == 6.54  # the researcher's anchor
    nasdaq = FileSource(
        [
            FileSpec(
                REFERENCE / "NASDAQCOM.csv",
                series="nasdaq_close",
                entity="US",
                unit="index",
                frequency="daily",
            )
        ]
    ).fetch()
    n = nasdaq.frame.set_index("date")["value"]
    assert n[pd.Timestamp("2000-03-10")] == pytest.approx(5048.62)  # the 2000 peak
    assert nasdaq.bad_rows == []
    assert n.index.is_unique and len(n) > 1000
    with pytest.raises(SourceError, match="needs its source named"):
        FileSource(
            [FileSpec(REFERENCE / "ISM_PMI.csv", series="ism_pmi", entity="US", unit="index")]
        ).fetch()
    pmi = FileSource(
        [
            FileSpec(
                REFERENCE / "ISM_PMI.csv",
                series="ism_pmi",
                entity="US",
                unit="index",
                source="ISM (reference copy)",
                publication_lag_days=32,
            )
        ]
    ).fetch()
    assert pmi.bad_rows == [] and len(pmi.frame) > 12


# --- facts ------------------------------------------------------------------------------

FACTS = """\
facts:
  - series: customer_share_top2
    entity: NVDA
    value: 39
    period: 2025-07-27
    published: 2025-08-31
    unit: "%"
    source: "NVIDIA 10-Q, quarter ended 2025-07-27, as cited by the GMF report"
  - series: compute_commitment_gw
    entity: OPENAI
    value: 50
    period: 2025-10-31
    published: 2025-10-31
    unit: GW
    source: "GMF Research report Oct 2025, sec. 4"
    note: NVIDIA 10, AMD 6, Broadcom 10, Oracle 4.5, CoreWeave over 20
"""


def test_facts_become_observations(tmp_path):
    path = tmp_path / "facts.yaml"
    path.write_text(FACTS, encoding="utf-8")
    data = FactsSource(path).fetch()
    f = data.frame
    assert list(f["value"]) == [39.0, 50.0]
    assert list(f["published"].dt.strftime("%Y-%m-%d")) == ["2025-08-31", "2025-10-31"]
    assert f["note"].iloc[1].startswith("NVIDIA 10")
    assert [s.series for s in FactsSource(path).describe()] == [
        "customer_share_top2",
        "compute_commitment_gw",
    ]


def test_every_problem_in_a_facts_file_at_once(tmp_path):
    path = tmp_path / "facts.yaml"
    path.write_text(
        "facts:\n"
        "  - {series: a, entity: X, value: ten, period: 2025-01-01, published: 2025-01-02,"
        " unit: '%', source: s}\n"
        "  - {series: b, entity: X, value: 1, period: soon, unit: '%', source: s, colour: red}\n",
        encoding="utf-8",
    )
    with pytest.raises(SourceError) as caught:
        FactsSource(path).fetch()
    message = str(caught.value)
    assert "facts.yaml:2:" in message and "value must be a number" in message
    assert "facts.yaml:3:" in message and "fact needs 'published'" in message
    assert "period must be an ISO date" in message and "unknown key 'colour'" in message


def test_a_fact_published_before_its_period_is_quarantined_with_its_line(tmp_path):
    path = tmp_path / "facts.yaml"
    path.write_text(FACTS.replace("published: 2025-08-31", "published: 2025-07-01"), "utf-8")
    data = FactsSource(path).fetch()
    assert len(data.frame) == 1
    (bad,) = data.bad_rows
    assert (bad.line, bad.column) == (2, "published")
