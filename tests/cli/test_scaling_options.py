"""``--chunk-size``, ``--workers``, ``--scheduler`` on ``monitor run`` and ``monitor backtest``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli.main import main


def _run(tmp_path: Path, *extra: str) -> dict:
    out = tmp_path / "-".join(extra or ("default",))
    args = ["run", "--case", "ai-cycle", "--as-of", "2026-06-30", "--out", str(out), "--json"]
    result = CliRunner().invoke(main, [*args, *extra])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output[: result.output.rindex("}") + 1])
    for volatile in ("generated_at", "report", "run"):
        data.pop(volatile, None)
        data.get("meta", {}).pop(volatile, None)
    return data


def test_run_in_chunks_of_one_entity_gives_the_same_assessment(tmp_path: Path) -> None:
    assert _run(tmp_path, "--chunk-size", "1") == _run(tmp_path)


def test_backtest_in_chunks_gives_the_same_model(tmp_path: Path) -> None:
    outputs = []
    for extra in ([], ["--chunk-size", "1"]):
        result = CliRunner().invoke(
            main,
            ["backtest", "--case", "telecom-2000", "--out", str(tmp_path), "--json", *extra],
        )
        assert result.exit_code == 0, result.output
        outputs.append(json.loads(result.output))
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize("command", ["run", "backtest"])
def test_workers_and_scheduler_together_is_a_usage_error(command: str) -> None:
    result = CliRunner().invoke(
        main, [command, "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"]
    )
    assert result.exit_code == 2
    assert "not both" in result.output


def test_chunk_size_must_be_positive() -> None:
    result = CliRunner().invoke(main, ["run", "--chunk-size", "0"])
    assert result.exit_code == 2
