"""A broken rule edit keeps the last good set (and says why); a fix is picked up."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from monitor.core.errors import RuleFileError
from monitor.indicator.registry import load_registry
from monitor.ops.reload import RuleReloader
from monitor.rulebook.loader import bundled_rules_dir


def test_keeps_last_good_set(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(bundled_rules_dir(), rules, ignore=shutil.ignore_patterns("tests", "*.py"))
    registry = load_registry()
    reloader = RuleReloader([rules])
    good = reloader.load(registry)
    assert not good.stale and good.ruleset.rules
    target = rules / "stage1-macro.yaml"
    original = target.read_text()
    target.write_text(original.replace("when:", "wehn:", 1))
    broken = reloader.load(registry)
    assert broken.stale and broken.ruleset is good.ruleset
    assert "last good" in broken.problems[0]
    assert any("stage1-macro.yaml:" in p for p in broken.problems[1:])
    target.write_text(original)
    fixed = reloader.load(registry)
    assert not fixed.stale and fixed.ruleset is not good.ruleset


def test_first_load_of_broken_rules_raises(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("stage: 1\nrules: [{id: x}]\n")
    with pytest.raises(RuleFileError):
        RuleReloader([tmp_path]).load(load_registry())


@pytest.mark.parametrize("error", [RecursionError("deep"), OverflowError("big"), ValueError("x")])
def test_any_failure_to_load_falls_back_to_the_last_good_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    registry = load_registry()
    reloader = RuleReloader([bundled_rules_dir()])
    good = reloader.load(registry)

    def broken(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr("monitor.ops.reload.load_ruleset", broken)
    result = reloader.load(registry)
    assert result.stale and result.ruleset is good.ruleset
    assert type(error).__name__ in result.problems[1]


def test_first_load_failing_otherwise_is_a_rule_file_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RecursionError("deep")

    monkeypatch.setattr("monitor.ops.reload.load_ruleset", broken)
    with pytest.raises(RuleFileError, match="could not be loaded"):
        RuleReloader([]).load(load_registry())
