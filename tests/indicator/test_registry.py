"""The indicator registry: built-ins and plugins register, broken plugins are reported.

Built-ins register through the same hook a third-party plugin implements; a plugin
module that fails to import, or hands back something that is not an Indicator, is
reported with its path and never stops the built-ins; an extra plugin folder adds
indicators that compute like the built-ins. The built-in families themselves are
tested in tests/indicators/.
"""

from __future__ import annotations

import sys
import textwrap

import pandas as pd
import pytest

from monitor.data.case import load_case
from monitor.engine.timeline import compute_indicators
from monitor.indicator.registry import PluginFailure, load_registry


@pytest.fixture(scope="module")
def registry():
    reg = load_registry()
    assert reg.failures == []
    return reg


@pytest.fixture(scope="module")
def cases():
    return {name: load_case(name) for name in ("telecom-2000", "ai-cycle")}


def series_of(frame: pd.DataFrame, entity: str) -> pd.Series:
    rows = frame[frame["entity"] == entity]
    return rows.set_index("date")["value"].sort_index()


def test_builtins_register_through_entry_points(registry):
    origins = set(registry.origins.values())
    expected = {
        "macro", "markets", "vendor_financing", "concentration", "reserves",
        "capacity", "investment", "return_test", "events",
    }  # fmt: skip
    assert expected <= origins
    assert len(registry.names()) >= 25


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
