"""``monitor silence``: clear errors for a bad target, date or reason; add, list, expire."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import main


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "monitor.toml"
    path.write_text(
        '[monitor]\ncases = ["telecom-2000"]\nstore = "sqlite:///h.db"\n', encoding="utf-8"
    )
    return path


def silence(config: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        main, ["silence", *args, "--config", str(config)], env={"MONITOR_USER": "alice"}
    )
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["bad-debt-reserve-surg"], "unknown rule 'bad-debt-reserve-surg' in the configured"),
        (["bad-debt-reserve-surge:XX"], "unknown entity 'XX' in the configured cases"),
        (["bad-debt-reserve-surge:"], "the entity after ':' is empty"),
        (["bad-debt-reserve-surge", "--until", "2026-12-01"], "is not after today (2026-12-01)"),
        (["bad-debt-reserve-surge", "--until", "soon"], "expected a date such as 2026-12-31"),
        (["bad-debt-reserve-surge", "--reason", "  "], "--reason is empty"),
    ],
)
def test_add_refuses_with_a_clear_error(config: Path, args: list[str], message: str) -> None:
    base = {"--until": "2026-12-15", "--reason": "seen it"}
    given = dict(zip(args[1::2], args[2::2], strict=True))
    options = [x for k, v in {**base, **given}.items() for x in (k, v)]
    code, out, err = silence(config, "add", args[0], *options)
    assert code == 1 and message in err and "Traceback" not in err
    assert silence(config, "list")[1] == "no active silences\n"


def test_add_list_and_expire(config: Path) -> None:
    code, out, _ = silence(
        config, "add", "bad-debt-reserve-surge:LU", "--until", "2026-12-15", "--reason", "known"
    )
    assert code == 0 and out == "silence #1: bad-debt-reserve-surge:LU until 2026-12-15 (known)\n"
    code, out, _ = silence(config, "list")
    assert code == 0
    assert out.startswith("#1    active   bad-debt-reserve-surge:LU  until 2026-12-15")
    assert "by alice at " in out and out.rstrip().endswith(": known")
    assert silence(config, "expire", "1")[1] == "silence #1 (bad-debt-reserve-surge:LU) expired\n"
    assert silence(config, "list")[1] == "no active silences\n"
    code, out, _ = silence(config, "list", "--all", "--json")
    [row] = json.loads(out)
    assert (row["status"], row["entity"], row["expired_by"]) == ("expired", "LU", "alice")
    code, _, err = silence(config, "expire", "1")
    assert code == 1 and "silence #1 has already expired" in err
