"""``chunk_size``, ``workers``, ``scheduler`` in monitor.toml: read, checked, used by runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.cli.scaling import _from_config
from monitor.engine.scaling import DEFAULT_CHUNK_SIZE, Scaling
from monitor.ops.config import ConfigError, load_config, scaling_of


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "monitor.toml"
    path.write_text(f'[monitor]\ncases = ["ai-cycle"]\n{body}', encoding="utf-8")
    return path


def test_defaults_are_one_process_in_chunks_of_250(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ""))
    assert scaling_of(config) == Scaling(250, None, None)
    assert DEFAULT_CHUNK_SIZE == 250


def test_keys_are_read(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, 'chunk_size = 100\nscheduler = "tcp://10.0.0.5:8786"\n'))
    assert scaling_of(config) == Scaling(100, None, "tcp://10.0.0.5:8786")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("chunk_size = 0\n", "chunk_size"),
        ("workers = 0\n", "workers"),
        ('workers = 2\nscheduler = "tcp://127.0.0.1:8786"\n', "not both"),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, body))
    assert any(message in p for p in info.value.problems), info.value.problems


def test_the_command_line_falls_back_to_the_config(tmp_path: Path) -> None:
    path = write(tmp_path, "chunk_size = 40\nworkers = 3\n")
    assert _from_config(path, Scaling()) == Scaling(40, 3, None)
    bad = tmp_path / "bad"
    bad.mkdir()
    assert _from_config(write(bad, "chunk_size = 0\n"), Scaling()) == Scaling()  # left to run
