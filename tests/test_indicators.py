"""Built-in indicators on the bundled cases, against the figures of the brief.

Expected numbers are computed here from the brief's own figures (domain.md), never
read back from the code under test. Plus the plugin contract: point-in-time
``published``, isolation of a failing plugin, and extra plugin folders.
"""

from __future__ import annotations

import sys
import textwrap

import pandas as pd
import pytest

from monitor.data.case import load_case
from monitor.engine.timeline import compute_indicators
from monitor.indicator import Indicator, combine
from monitor.indicator.registry import PluginFailure, Registry, load_registry

FY1999, FY2000, FY2001, FY2002 = (pd.Timestamp(f"{y}-09-30") for y in (1999, 2000, 2001, 2002))


@pytest.fixture(scope="module")
def registry():
    reg = load_registry()
    assert reg.failures == []
    return reg


@pytest.fixture(scope="module")
def cases():
    return {name: load_case(name) for name in ("telecom-2000", "ai-cycle")}


@pytest.fixture(scope="module")
def computed(registry, cases):
    """Every registered indicator on both cases (one pass, shared by the tests)."""
    out = {}
    for name, case in cases.items():
        frames, errors = compute_indicators(case.observations, registry, set(registry.names()))
        out[name] = (frames, errors)
    return out


@pytest.fixture(scope="module")
def telecom(computed):
    return computed["telecom-2000"][0]


@pytest.fixture(scope="module")
def ai(computed):
    return computed["ai-cycle"][0]


def series_of(frame: pd.DataFrame, entity: str) -> pd.Series:
    rows = frame[frame["entity"] == entity]
    return rows.set_index("date")["value"].sort_index()


def value(frame: pd.DataFrame, entity: str, date: str | pd.Timestamp) -> float:
    rows = frame[(frame["entity"] == entity) & (frame["date"] == pd.Timestamp(date))]
    assert len(rows) == 1, f"expected one value for {entity} {date}, got {rows}"
    return float(rows["value"].iloc[0])


def bundled(case, series: str, entity: str) -> pd.Series:
    obs = case.observations
    rows = obs[(obs["series"] == series) & (obs["entity"] == entity)]
    return rows.set_index("date")["value"].sort_index()


# --- the whole set -----------------------------------------------------------------


def test_builtins_register_through_entry_points(registry):
    origins = set(registry.origins.values())
    expected = {
        "macro", "markets", "vendor_financing", "concentration", "reserves",
        "capacity", "investment", "return_test", "events",
    }  # fmt: skip
    assert expected <= origins
    assert len(registry.names()) >= 25


@pytest.mark.parametrize("case", ["telecom-2000", "ai-cycle"])
def test_every_builtin_computes_on_every_case(computed, registry, case):
    frames, errors = computed[case]
    assert errors == {}
    assert set(frames) == set(registry.names())
    for name, frame in frames.items():
        assert list(frame.columns[:4]) == ["entity", "date", "value", "published"], name
        assert frame["value"].notna().all(), name
        assert frame["published"].notna().all(), name


# --- Lucent: vendor financing and reserves (brief sec. 3) ----------------------------


def test_vendor_financing_share_lucent(telecom):
    f = telecom["vendor_financing_share"]
    assert round(value(f, "LU", FY1999), 1) == round(1.6 / 38.3 * 100, 1) == 4.2
    assert round(value(f, "LU", FY2001), 1) == round(2.96 / 21.294 * 100, 1) == 13.9
    # FY2000 revenue is only implied in the brief: no value rather than an estimate
    assert FY2000 not in set(f["date"])


def test_reserve_ratio_lucent(telecom):
    f = telecom["reserve_ratio"]
    fy1999 = (0.034 + 0.709 + 0.32) / 38.3 * 100
    fy2001 = (2.12 + 1.814 + 0.63) / 21.294 * 100
    assert round(value(f, "LU", FY1999), 1) == round(fy1999, 1) == 2.8
    assert round(value(f, "LU", FY2001), 1) == round(fy2001, 1) == 21.4
    assert FY2000 not in set(f["date"])


def test_inventory_reserve_ratio_lucent(telecom):
    f = telecom["inventory_reserve_ratio"]
    assert round(value(f, "LU", FY1999), 1) == round(0.709 / 4.24 * 100, 1)
    assert [round(value(f, "LU", d), 1) for d in (FY2000, FY2001, FY2002)] == [15.7, 49.8, 109.3]


def test_bad_debt_reserve_ratio_lucent(telecom):
    f = telecom["bad_debt_reserve_ratio"]
    assert [round(value(f, "LU", d), 1) for d in (FY2000, FY2001, FY2002)] == [46.5, 71.3, 86.7]


def test_receivables_reserve_ratio_lucent(telecom):
    f = telecom["receivables_reserve_ratio"]
    assert round(value(f, "LU", FY1999), 1) == round(0.32 / 8.8 * 100, 1)
    # FY2000 computed from the parts ($500 m / $9.56 bn) agrees with the brief's 5.2%
    assert round(value(f, "LU", FY2000), 1) == round(0.5 / 9.56 * 100, 1) == 5.2
    assert [round(value(f, "LU", d), 1) for d in (FY2001, FY2002)] == [13.8, 19.7]


def test_receivables_to_revenue_lucent(telecom):
    f = telecom["receivables_to_revenue"]
    assert round(value(f, "LU", FY1999)) == round(8.8 / 38.3 * 100) == 23
    assert value(f, "LU", FY2000) == 33


def test_financing_commitment_share_lucent(telecom):
    f = telecom["financing_commitment_share"]
    assert round(value(f, "LU", FY1999), 1) == round(7.1 / 38.3 * 100, 1)


def test_financing_commitment_share_uses_latest_known_revenue():
    obs = observations(
        [
            ("revenue", "NVDA", "2025-01-26", 130.0, "2025-02-26"),
            ("circular_financing", "NVDA", "2025-09-22", 100.0, "2025-09-23"),
            ("circular_financing", "NVDA", "2025-10-31", 3.0, "2025-10-31"),
        ]
    )
    registry = load_registry()
    frames, errors = compute_indicators(obs, registry, {"financing_commitment_share"})
    assert errors == {}
    f = frames["financing_commitment_share"].sort_values("published")
    assert f["value"].round(6).tolist() == [
        round(100 / 130 * 100, 6),
        round(103 / 130 * 100, 6),
    ]


# --- concentration, investment, return test -----------------------------------------


def test_customer_concentration(telecom, ai):
    lu = telecom["customer_concentration"]
    assert value(lu, "LU", FY1999) == 37
    assert lu.loc[lu["entity"] == "LU", "top_n"].tolist() == [3]
    nv = ai["customer_concentration"]
    # NVIDIA discloses top 2 (39%) and top 4 (46%): the largest group up to four wins
    assert value(nv, "NVDA", "2025-07-27") == 46
    assert nv.loc[nv["entity"] == "NVDA", "top_n"].tolist() == [4]


def test_capex_to_revenue(telecom, ai):
    clec = value(telecom["capex_to_revenue"], "CLEC", "1999-12-31")
    assert clec == pytest.approx(15.1 / 6.3)
    assert round(clec, 1) == 2.4
    openai = ai["capex_to_revenue"]
    rows = openai[openai["entity"] == "OPENAI"]
    assert len(rows) == 1
    assert rows["value"].iloc[0] == pytest.approx(1000 / 10 / 13)


def test_capex_growth_is_empty_without_two_years(telecom, ai):
    # only CLEC 1999 capex is bundled: nothing to compare it with, so no growth figure
    assert telecom["capex_growth"].empty
    assert ai["capex_growth"].empty


def test_capex_growth_year_on_year():
    # brief: communications capex grew 23% a year 1995-2000
    obs = observations(
        [
            ("capex", "X", "1999-12-31", 100.0, "2000-03-30"),
            ("capex", "X", "2000-12-31", 123.0, "2001-03-30"),
        ]
    )
    f = compute_one(obs, "capex_growth")
    assert f["value"].tolist() == pytest.approx([23.0])
    assert f["published"].tolist() == [pd.Timestamp("2001-03-30")]


def test_capex_growth_does_not_bridge_a_missing_year():
    obs = observations(
        [
            ("capex", "X", "1998-12-31", 100.0, "1999-03-30"),
            ("capex", "X", "2000-12-31", 123.0, "2001-03-30"),
        ]
    )
    assert compute_one(obs, "capex_growth").empty


def test_order_growth(telecom):
    assert value(telecom["order_growth"], "LU", FY2001) == -40


def test_circular_financing_running_total(ai):
    f = ai["circular_financing"]
    nvda = f[f["entity"] == "NVDA"].sort_values("published")
    # brief sec. 4: up to $100 bn to OpenAI, then $3 bn to CoreWeave + $6.3 bn guarantee
    assert nvda["value"].tolist() == pytest.approx([100, 100 + 3 + 6.3])
    assert nvda["published"].tolist() == [pd.Timestamp("2025-09-23"), pd.Timestamp("2025-10-31")]
    # AMD's warrants: $30-40 bn, the low end counts (not low + high)
    assert f.loc[f["entity"] == "AMD", "value"].tolist() == [30]
    assert f.loc[f["entity"] == "CRWV", "value"].tolist() == pytest.approx([0.35])


def test_gpu_utilization_kept_as_range(ai):
    f = ai["gpu_utilization"]
    assert len(f) == 1
    row = f.iloc[0]
    assert (row["value"], row["low"], row["high"]) == (50, 50, 70)


def test_required_ai_revenue_and_gap(ai):
    investment, depreciation, roe, tax, margin, advertising = 3000, 0.3, 0.3, 0.25, 0.6, 1000
    ebitda = depreciation * investment + roe * investment / (1 - tax)
    assert ebitda == pytest.approx(2100)  # brief: about $2 tn a year
    required = ebitda / margin
    assert required == pytest.approx(3500)
    assert value(ai["required_ai_revenue"], "MARKET", "2025-10-31") == pytest.approx(required)
    gap = value(ai["required_revenue_gap"], "MARKET", "2025-10-31")
    assert gap == pytest.approx(required / advertising) == pytest.approx(3.5)


# --- macro and markets (brief sec. 2, stage 1) -----------------------------------------


def test_equity_drawdown(telecom, cases):
    closes = bundled(cases["telecom-2000"], "nasdaq_close", "US")
    expected = (closes / closes.cummax() - 1) * 100
    got = series_of(telecom["equity_drawdown"], "US")
    pd.testing.assert_series_equal(got, expected, check_names=False)
    bust = got["2000-01-01":"2002-12-31"]
    # month-end closes: about -75%; the brief's -78% is the daily trough (9 Oct 2002)
    assert bust.min() == pytest.approx(-75, abs=1.0)
    assert bust.idxmin().year == 2002
    # brief: -60% by March 2001
    assert got["2001-03-01":"2001-03-31"].iloc[0] == pytest.approx(-60, abs=3)
    assert got.max() == 0


def test_policy_rate(telecom):
    f = series_of(telecom["policy_rate"], "US")
    assert f["2000"].max() == 6.5
    # brief: "from 4.75% to 6.5%", +175 bp, the last hike on 16 May 2000
    in_force_before = f[: pd.Timestamp("1999-05-16")].iloc[-1]
    assert in_force_before == 4.75
    assert f[pd.Timestamp("2000-05-16")] - in_force_before == pytest.approx(1.75)
    # brief: held 4.75%-6% in 1995-1999
    held = f["1995-01-01":"1999-12-31"]
    assert held.min() == 4.75 and held.max() == 6.0


def test_fed_funds_effective(telecom, cases):
    f = series_of(telecom["fed_funds_effective"], "US")
    pd.testing.assert_series_equal(
        f, bundled(cases["telecom-2000"], "fed_funds_effective", "US"), check_names=False
    )
    # monthly averages stay close to the 4.75%-6% target range of 1995-1999
    held = f["1995-01-01":"1999-12-31"]
    assert held.min() >= 4.75 - 0.15 and held.max() <= 6.0 + 0.15


def test_pmi(telecom):
    f = series_of(telecom["pmi"], "US")
    # peaked in late 1999
    assert f["1999-01-01":"2000-12-31"].idxmax() >= pd.Timestamp("1999-09-01")
    assert f["1999-01-01":"2000-12-31"].idxmax() <= pd.Timestamp("1999-12-31")
    # marked drop in August 2000, below 50
    assert f["2000-08-01"] < 50 <= f["2000-07-01"]
    # about 42 in early 2001
    assert f["2001-01-01":"2001-02-28"].mean() == pytest.approx(42, abs=1)


def test_credit_spread_widened_in_2000(telecom):
    f = series_of(telecom["credit_spread"], "US")
    assert f["2000-12-01":"2000-12-31"].iloc[-1] > f["1999-12-01":"1999-12-31"].iloc[-1] + 2


def test_payroll_growth_is_three_month_average_of_changes(telecom, cases):
    payrolls = bundled(cases["telecom-2000"], "payrolls", "US")
    month = pd.Timestamp("2001-03-01")
    levels = payrolls[pd.Timestamp("2000-12-01") : month]
    assert len(levels) == 4
    changes = levels.diff().dropna()
    expected = changes.mean()
    assert expected == pytest.approx((levels.iloc[-1] - levels.iloc[0]) / 3)
    f = telecom["payroll_growth"]
    assert value(f, "US", month) == pytest.approx(expected)
    # known when the March level is: date + 37 days (case.yaml publication lag)
    row = f[f["date"] == month].iloc[0]
    assert row["published"] == month + pd.Timedelta(days=37)
    # three changes need four levels: the first value is for the fourth month
    assert f["date"].min() == payrolls.index[3]


def test_payroll_growth_leaves_a_gap_around_a_missing_month():
    months = ["2000-01-01", "2000-02-01", "2000-03-01", "2000-05-01", "2000-06-01",
              "2000-07-01", "2000-08-01"]  # fmt: skip
    obs = observations(
        [
            ("payrolls", "US", m, v, str((pd.Timestamp(m) + pd.Timedelta(days=37)).date()))
            for m, v in zip(months, [100, 110, 120, 140, 150, 160, 170], strict=True)
        ]
    )
    f = compute_one(obs, "payroll_growth")
    # June, July and August changes are all known only for August
    assert f["date"].tolist() == [pd.Timestamp("2000-08-01")]
    assert f["value"].tolist() == pytest.approx([10.0])


# --- events --------------------------------------------------------------------------

EVENTS = {
    "profit_warnings": "profit_warning",
    "inventory_writedowns": "inventory_writedown",
    "restatements": "restatement",
    "bankruptcies": "bankruptcy",
}


@pytest.mark.parametrize("indicator,series", EVENTS.items())
def test_event_indicators_return_the_bundled_events(telecom, cases, registry, indicator, series):
    obs = cases["telecom-2000"].observations
    rows = obs[obs["series"] == series]
    assert not rows.empty
    expected = rows[["entity", "date", "published", "value", "unit"]].sort_values(
        ["entity", "date"]
    )
    expected = expected.rename(columns={"value": "size", "unit": "size_unit"})
    got = telecom[indicator]
    pd.testing.assert_frame_equal(
        got[["entity", "date", "published", "size", "size_unit"]].reset_index(drop=True),
        expected.reset_index(drop=True),
        check_dtype=False,
    )
    # each announcement counts once; sizes in unlike units are never added up
    assert (got["value"] == 1.0).all()
    assert registry.get(indicator).kind == "event"
    assert registry.get(indicator).unit == "count"


def test_event_dates_from_the_brief(telecom):
    warnings = telecom["profit_warnings"]
    assert set(zip(warnings["entity"], warnings["date"].dt.date.astype(str), strict=True)) == {
        ("LU", "2000-01-06"),
        ("LU", "2000-07-20"),
        ("CSCO", "2001-02-06"),
    }
    assert size(warnings, "LU", "2000-01-06") == (30, "%")  # EPS about 30% below expectations
    assert size(telecom["inventory_writedowns"], "CSCO", "2001-04-16") == (2.25, "$bn")
    assert size(telecom["bankruptcies"], "WCOM", "2002-07-21") == (107, "$bn")
    assert size(telecom["restatements"], "ENE", "2001-11-08") == (0.586, "$bn")


def size(frame, entity: str, date: str) -> tuple[float, str]:
    row = frame[(frame["entity"] == entity) & (frame["date"] == pd.Timestamp(date))].iloc[0]
    return float(row["size"]), str(row["size_unit"])


# --- point in time ---------------------------------------------------------------------


def test_ratio_published_is_the_later_of_its_parts(telecom, cases):
    case = cases["telecom-2000"]
    obs = case.observations
    f = telecom["vendor_financing_share"]
    for fy in (FY1999, FY2001):
        parts = obs[
            (obs["entity"] == "LU")
            & (obs["date"] == fy)
            & obs["series"].isin(["vendor_financing_drawn", "revenue"])
        ]
        assert len(parts) == 2
        row = f[(f["entity"] == "LU") & (f["date"] == fy)].iloc[0]
        assert row["published"] == parts["published"].max()
    # FY2001: drawn known from the FY2001 10-K, revenue only as restated a year later
    row = f[f["date"] == FY2001].iloc[0]
    assert row["published"] == pd.Timestamp("2002-12-01")


def test_ratio_invisible_until_both_parts_are_published(registry, cases):
    obs = cases["telecom-2000"].observations
    early = obs[obs["published"] <= pd.Timestamp("2002-06-30")]
    frames, _ = compute_indicators(early, registry, {"vendor_financing_share"})
    assert frames["vendor_financing_share"]["date"].tolist() == [FY1999]


def test_combine_takes_later_published_either_way():
    left = frame_of(
        [("A", "2000-01-01", 2.0, "2000-03-01"), ("B", "2000-01-01", 3.0, "2000-01-15")]
    )
    right = frame_of(
        [("A", "2000-01-01", 4.0, "2000-02-01"), ("B", "2000-01-01", 6.0, "2000-04-01")]
    )
    out = combine(left, right, "ratio", scale=100.0).set_index("entity")
    assert out.loc["A", "value"] == 50 and out.loc["B", "value"] == 50
    assert out.loc["A", "published"] == pd.Timestamp("2000-03-01")
    assert out.loc["B", "published"] == pd.Timestamp("2000-04-01")


# --- plugin contract -------------------------------------------------------------------


class Exploding(Indicator):
    """Always fails (test double)."""

    name = "exploding_test"
    title = "Exploding"
    unit = "x"

    def compute(self, observations: pd.DataFrame) -> pd.DataFrame:
        raise RuntimeError("kaboom")


def test_failing_indicator_is_isolated(registry, cases):
    reg = Registry(
        indicators={"exploding_test": Exploding(), "pmi": registry.get("pmi")},
        origins={"exploding_test": "test", "pmi": "macro"},
    )
    frames, errors = compute_indicators(
        cases["telecom-2000"].observations, reg, {"exploding_test", "pmi"}
    )
    assert set(errors) == {"exploding_test"}
    assert "RuntimeError" in errors["exploding_test"] and "kaboom" in errors["exploding_test"]
    assert len(frames["pmi"]) == 120


@pytest.fixture()
def plugin_dir(tmp_path):
    folder = tmp_path / "plugins"
    folder.mkdir()
    yield folder
    for path in folder.glob("*.py"):
        sys.modules.pop(f"monitor_extra_{path.stem}", None)


BROKEN_MODULES = {
    "syntax": "def monitor_indicators(:\n",
    "import_error": "import no_such_module_for_monitor_tests\n",
    "raises": "raise RuntimeError('plugin exploded at import')\n",
}


@pytest.mark.parametrize("kind", BROKEN_MODULES)
def test_broken_plugin_module_is_reported_and_builtins_still_load(registry, plugin_dir, kind):
    path = plugin_dir / f"broken_{kind}_plugin.py"
    path.write_text(BROKEN_MODULES[kind], encoding="utf-8")
    reg = load_registry(extra_folders=[plugin_dir])
    assert len(reg.failures) == 1
    failure = reg.failures[0]
    assert isinstance(failure, PluginFailure)
    assert failure.plugin == str(path)
    assert "import failed" in failure.error
    assert str(path) in str(failure)
    assert reg.names() == registry.names()


def test_plugin_returning_a_non_indicator_is_reported(registry, plugin_dir):
    path = plugin_dir / "not_an_indicator_plugin.py"
    path.write_text(
        textwrap.dedent(
            """\
            from monitor.indicator import hookimpl

            class NotAnIndicator:
                name = "nope"

            @hookimpl
            def monitor_indicators():
                return [NotAnIndicator]
            """
        ),
        encoding="utf-8",
    )
    reg = load_registry(extra_folders=[plugin_dir])
    assert [f.plugin for f in reg.failures] == [str(path)]
    assert "not an Indicator subclass" in reg.failures[0].error
    assert "nope" not in reg.indicators
    assert reg.names() == registry.names()


VALID_PLUGIN = textwrap.dedent(
    '''\
    import pandas as pd

    from monitor.indicator import Indicator, select
    from monitor.indicator import hookimpl


    class PmiGap(Indicator):
        """Distance of the PMI from the 50 line (test plugin)."""

        name = "pmi_gap_test"
        title = "PMI minus 50"
        unit = "index"
        inputs = ("ism_pmi",)

        def compute(self, observations: pd.DataFrame) -> pd.DataFrame:
            rows = select(observations, "ism_pmi")
            return rows.assign(value=rows["value"] - 50)


    @hookimpl
    def monitor_indicators():
        return [PmiGap]
    '''
)


def test_extra_folder_plugin_registers_and_is_usable(registry, plugin_dir, cases):
    path = plugin_dir / "pmi_gap_plugin.py"
    path.write_text(VALID_PLUGIN, encoding="utf-8")
    reg = load_registry(extra_folders=[plugin_dir])
    assert reg.failures == []
    assert "pmi_gap_test" in reg.names()
    assert reg.origins["pmi_gap_test"] == str(path)
    assert set(registry.names()) < set(reg.names())
    assert (
        reg.get("pmi_gap_test").summary() == "Distance of the PMI from the 50 line (test plugin)."
    )
    obs = cases["telecom-2000"].observations
    frames, errors = compute_indicators(obs, reg, {"pmi_gap_test", "pmi"})
    assert errors == {}
    gap = series_of(frames["pmi_gap_test"], "US")
    assert gap["2000-08-01"] == pytest.approx(49.9 - 50)
    assert (gap == series_of(frames["pmi"], "US") - 50).all()


# --- helpers -----------------------------------------------------------------------------


def observations(rows: list[tuple[str, str, str, float, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["series", "entity", "date", "value", "published"])
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[us]")
    frame["published"] = pd.to_datetime(frame["published"]).astype("datetime64[us]")
    frame["value"] = frame["value"].astype("float64")
    return frame.assign(unit="x", source="test")


def frame_of(rows: list[tuple[str, str, float, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["entity", "date", "value", "published"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["published"] = pd.to_datetime(frame["published"])
    return frame


def compute_one(obs: pd.DataFrame, name: str) -> pd.DataFrame:
    frames, errors = compute_indicators(obs, load_registry(), {name})
    assert errors == {}, errors
    return frames[name]
