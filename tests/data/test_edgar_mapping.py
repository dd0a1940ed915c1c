"""The EDGAR tag mapping: the bundled chains, a user's file replacing and adding
inputs, and every problem of a bad file reported at once with file:line:col."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.core.errors import SourceError
from monitor.data.sources.edgar import DEFAULT_COMPANIES, EdgarSource
from monitor.data.sources.edgar_mapping import bundled_mapping, load_mapping


def test_the_bundled_chains_prefer_todays_tags_and_fall_back_to_older_ones():
    mapping = bundled_mapping()
    assert mapping["revenue"].tags[0] == "RevenueFromContractWithCustomerExcludingAssessedTax"
    assert "SalesRevenueNet" in mapping["revenue"].tags
    assert mapping["receivables_reserve"].tags == (
        "AccountsReceivableAllowanceForCreditLossCurrent",  # ASU 2016-13 name
        "AllowanceForDoubtfulAccountsReceivableCurrent",  # the older one
    )
    assert {c.kind for c in mapping.values()} == {"duration", "instant"}
    assert all(c.unit == "$bn" for c in mapping.values())


def test_a_users_file_replaces_an_input_and_adds_another(tmp_path: Path):
    path = tmp_path / "map.yaml"
    path.write_text(
        "inputs:\n"
        "  revenue:\n    kind: duration\n    unit: $m\n    tags: [Revenues]\n"
        "  orders:\n    kind: duration\n    unit: $bn\n"
        "    tags: [RevenueRemainingPerformanceObligation]\n",
        encoding="utf-8",
    )
    mapping = load_mapping(path)
    assert mapping["revenue"].tags == ("Revenues",) and mapping["revenue"].divisor == 1e6
    assert mapping["revenue"].quarterly is None  # not asked for: no quarterly series
    assert "orders" in mapping and "inventory" in mapping  # added, and the rest kept


def test_every_problem_in_a_mapping_file_is_reported_with_its_position(tmp_path: Path):
    path = tmp_path / "map.yaml"
    path.write_text(
        "inputs:\n"
        "  revenue:\n    kind: flow\n    unit: $bn\n    tags: [Revenues]\n"
        "  Inventory:\n    kind: instant\n    unit: EUR\n"
        "    tags: ['not a tag']\n    colour: red\n",
        encoding="utf-8",
    )
    with pytest.raises(SourceError) as caught:
        load_mapping(path)
    message = str(caught.value)
    assert f"{path}:3:11: input 'revenue': kind must be one of duration, instant" in message
    assert f"{path}:6:3: input 'Inventory'" in message
    assert f"{path}:8:11: input 'Inventory': unit must be one of $bn, $m" in message
    assert "'not a tag' is not a us-gaap tag name" in message
    assert f"{path}:10:5: unknown key 'colour'" in message


def test_describe_lists_each_company_and_series_without_a_request():
    source = EdgarSource(user_agent="Test Runner test@example.com")
    infos = source.describe()
    ids = {i.id for i in infos}
    assert "CIK0001045810:revenue" in ids and "CIK0000789019:inventory_quarterly" in ids
    assert len(infos) == len(DEFAULT_COMPANIES) * 2 * len(bundled_mapping())
    revenue = next(i for i in infos if i.id == "CIK0000002488:revenue")
    assert (revenue.unit, revenue.frequency) == ("$bn", "fiscal-annual")
