"""The built-in indicators as a set: all of them compute on both bundled cases, and the
case files (``cases/<family>.yaml``) cover every one of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.indicator.registry import DEFAULT_PLUGINS

HERE = Path(__file__).resolve().parent
FAMILIES = {module.rsplit(".", 1)[1] for module in DEFAULT_PLUGINS}


def builtins(registry) -> set[str]:
    return {name for name, origin in registry.origins.items() if origin in FAMILIES}


@pytest.mark.parametrize("case", ["telecom-2000", "ai-cycle"])
def test_every_builtin_computes_on_every_case(computed, registry, case):
    frames, errors = computed[case]
    assert errors == {}
    assert set(frames) == set(registry.names())
    for name, frame in frames.items():
        assert list(frame.columns[:4]) == ["entity", "date", "value", "published"], name
        assert frame["value"].notna().all(), name
        assert frame["published"].notna().all(), name


def test_every_family_has_a_case_file_and_a_module(registry):
    assert set(registry.origins.values()) >= FAMILIES
    assert {p.stem for p in (HERE / "cases").glob("*.yaml")} == FAMILIES
    for family in FAMILIES:
        module = HERE / f"test_{family}.py"
        assert module.is_file(), f"no test module for the {family} family"
        assert f'FAMILY = "{family}"' in module.read_text(encoding="utf-8"), module.name


def test_case_files_cover_every_builtin_with_a_value(registry, indicator_cases):
    named = {case.indicator for case in indicator_cases}
    assert named - builtins(registry) == set(), "a case names an unknown indicator"
    with_rows = {case.indicator for case in indicator_cases if case.expected and not case.xfail}
    assert builtins(registry) - with_rows == set(), "built-ins without a passing case"
    assert len(builtins(registry)) >= 25
