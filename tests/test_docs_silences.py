"""docs/deployment.md, "Silences and inhibition": its examples run as written.

The section's fenced blocks are extracted: the ``sh`` block runs in a folder whose
monitor.toml holds the telecom-2000 case and the section's ``toml`` block, and every
line of the ``text`` block must be printed by it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from monitor.ops.config import load_config

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")


def section() -> str:
    start = DOC.index("## Silences and inhibition")
    end = DOC.index("\n## ", start + 1)
    return DOC[start:end]


def blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", section(), re.S)


def test_the_section_has_its_examples():
    assert len(blocks("sh")) == 1 and len(blocks("toml")) == 1 and len(blocks("text")) == 1


def test_the_silence_commands_and_the_config_key_work_as_documented(tmp_path: Path):
    [toml] = blocks("toml")
    config = tmp_path / "monitor.toml"
    config.write_text(
        '[monitor]\ncases = ["telecom-2000"]\nstore = "sqlite:///monitor.db"\n' + toml,
        encoding="utf-8",
    )
    assert load_config(config).inhibit is True
    config.write_text(config.read_text().replace("inhibit = true", "inhibit = false"))
    assert load_config(config).inhibit is False

    [commands] = blocks("sh")
    bin_dir = str(Path(sys.executable).parent)
    env = {
        **os.environ,
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
        "MONITOR_TODAY": "2026-12-01",
        "MONITOR_USER": "desk",
    }
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", commands],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    [shown] = blocks("text")
    for line in shown.splitlines():
        assert line in done.stdout.splitlines()
    listed = json.loads(done.stdout[done.stdout.index("[\n") :])
    assert [(s["id"], s["status"]) for s in listed] == [(1, "expired"), (2, "active")]
    assert listed[0]["entity"] == "LU" and listed[1]["entity"] is None
