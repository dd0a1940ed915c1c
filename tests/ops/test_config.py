"""monitor.toml: the template works as written; errors name the key and the line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import main
from monitor.cli.schedule import TEMPLATE
from monitor.ops.config import ConfigError, find_config, key_line, load_config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "monitor.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return info.value.problems


def test_template_loads_as_written(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, TEMPLATE))
    assert config.cases == ["ai-cycle"]
    assert config.timezone == "UTC"
    assert [s.id for s in config.schedules] == ["weekday-morning"]
    assert config.schedules[0].cron == "30 7 * * mon-fri"
    assert config.schedules[0].cases == ["ai-cycle"]
    assert config.out == tmp_path / "out"  # relative to the file, not the cwd
    assert config.store == f"sqlite:///{tmp_path / 'monitor.db'}"
    assert config.sqlite_path() == tmp_path / "monitor.db"
    assert config.email is None and config.webhook is None
    assert config.misfire_grace_seconds == 604800


def test_init_writes_template_and_refuses_overwrite(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["init"]).exit_code == 0
    assert (tmp_path / "monitor.toml").read_text() == TEMPLATE
    again = runner.invoke(main, ["init"])
    assert again.exit_code == 1 and "exists" in again.output
    assert runner.invoke(main, ["init", "--force"]).exit_code == 0
    listed = runner.invoke(main, ["schedule", "--list"])
    assert listed.exit_code == 0, listed.output
    assert "weekday-morning" in listed.output and listed.output.count("next:") == 3


def test_key_line_finds_tables_arrays_and_keys() -> None:
    text = (
        "top = 1\n"
        "[monitor]\n"
        'timezone = "UTC"\n'
        "\n"
        "[[schedule]]\n"
        'id = "a"\n'
        "[[schedule]]\n"
        'id = "b"\n'
        'cron = "x"\n'
        "[notify.email]\n"
        '  host = "h"\n'
    )
    assert key_line(text, None, "top") == 1
    assert key_line(text, "monitor", "timezone") == 3
    assert key_line(text, "schedule", "id", 0) == 6
    assert key_line(text, "schedule", "id", 1) == 8
    assert key_line(text, "schedule", "cron", 1) == 9
    assert key_line(text, "schedule", "cron", 0) == 5  # missing key: the table header
    assert key_line(text, "notify.email", "host") == 11
    assert key_line(text, "nowhere", "x") == 1


def test_errors_name_key_and_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "[monitor]\n"
        'timezone = "Mars/Olympus"\n'
        'colour = "red"\n'
        "\n"
        "[[schedule]]\n"
        'id = "ok"\n'
        'cron = "0 7 * * 1-5"\n'
        "\n"
        "[[schedule]]\n"
        'id = "ok"\n'
        'cron = "0 7 * *"\n'
        "\n"
        "[notify.email]\n"
        'host = "smtp.example.org"\n'
        'from = "a@example.org"\n'
        'to = "b@example.org"\n'
        'password = "hunter2"\n'
        'security = "tls"\n',
    )
    found = problems(path)
    text = "\n".join(found)
    assert f"{path}:2: [monitor] timezone: unknown time zone 'Mars/Olympus'" in found
    assert any(p.startswith(f"{path}:3: [monitor] colour: unknown key") for p in found)
    assert any(p.startswith(f"{path}:7: [[schedule]] #1 cron:") and "names" in p for p in found)
    assert any(p.startswith(f"{path}:11: [[schedule]] #2 cron: expected 5 fields") for p in found)
    assert any(p.startswith(f"{path}:10: [[schedule]] #2 id: duplicate") for p in found)
    assert any(
        p.startswith(f"{path}:17: [notify.email] password:") and "password_env" in p for p in found
    )
    assert any(p.startswith(f"{path}:18: [notify.email] security:") for p in found)
    assert "hunter2" not in text


def test_type_errors_and_exclusive_keys(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "[monitor]\n"
        'misfire_grace_seconds = "soon"\n'
        "[[schedule]]\n"
        'id = "both"\n'
        'cron = "0 7 * * *"\n'
        "interval_seconds = 5\n"
        "[notify.webhook]\n"
        "timeout = 3\n",
    )
    found = problems(path)
    assert any(
        p.startswith(f"{path}:2: [monitor] misfire_grace_seconds: expected int") for p in found
    )
    assert any(p.startswith(f"{path}:5: [[schedule]] #1 cron: give exactly one") for p in found)
    assert any(p.startswith(f"{path}:7: [notify.webhook] url: give exactly one") for p in found)


def test_bad_cron_field_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, '[[schedule]]\nid = "x"\ncron = "61 7 * * mon"\n')
    assert any(p.startswith(f"{path}:3: [[schedule]] #1 cron:") for p in problems(path))


def test_toml_syntax_error(tmp_path: Path) -> None:
    path = write(tmp_path, "[monitor\n")
    assert "line 1" in problems(path)[0]


def test_find_config(tmp_path: Path) -> None:
    assert find_config(None, cwd=tmp_path) is None
    with pytest.raises(ConfigError, match="not found"):
        find_config(tmp_path / "missing.toml")
    write(tmp_path, TEMPLATE)
    found = find_config(None, cwd=tmp_path)
    assert found is not None and found.path == tmp_path / "monitor.toml"
    explicit = find_config(tmp_path / "monitor.toml")
    assert explicit is not None and explicit.schedules


def test_schedule_without_config_fails_clearly(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["schedule", "--list"])
    assert result.exit_code == 1
    assert "monitor init" in result.output


def test_help_imports_no_heavy_modules() -> None:
    import subprocess
    import sys

    code = (
        "import sys\nfrom click.testing import CliRunner\nfrom monitor.cli import main\n"
        "for args in (['--help'], ['schedule', '--help'], ['init', '--help']):\n"
        "    assert CliRunner().invoke(main, args).exit_code == 0\n"
        "heavy = {m.split('.')[0] for m in sys.modules} & {'pandas', 'apscheduler', 'sqlalchemy'}\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_password_over_plain_smtp_to_another_host_is_refused(tmp_path):
    from monitor.ops.config import ConfigError, load_config

    path = tmp_path / "monitor.toml"
    path.write_text(
        "[notify.email]\n"
        'host = "smtp.example.com"\n'
        'security = "none"\n'
        'from = "monitor@example.com"\n'
        'to = ["desk@example.com"]\n'
        'username = "monitor"\n'
        'password_env = "SMTP_PASSWORD"\n'
    )
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert any(":3:" in p and "unencrypted" in p for p in info.value.problems)
    text = path.read_text().replace("smtp.example.com", "127.0.0.1")
    path.write_text(text)
    assert load_config(path).email is not None
