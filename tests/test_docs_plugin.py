"""The worked plugin example of docs/indicator-plugin.md, installed with pip for real.

The example package (tests/plugin_example/) declares an entry point in the
``monitor.indicators`` group. It is installed with ``pip install --target`` into a
temporary folder; a subprocess with that folder on PYTHONPATH must discover the
indicator through importlib.metadata and use it from a rule under ``rules test``.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parent / "plugin_example"
DOC = Path(__file__).resolve().parents[1] / "docs" / "indicator-plugin.md"


def offline_build_possible() -> bool:
    """--no-build-isolation needs a backend that can build wheels from the venv."""
    if importlib.util.find_spec("wheel") is not None:
        return True
    major, minor = (int(x) for x in metadata.version("setuptools").split(".")[:2])
    return (major, minor) >= (70, 1)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    work = tmp_path_factory.mktemp("plugin")
    source = work / "src"
    shutil.copytree(EXAMPLE, source)  # building writes build/ and *.egg-info: not in the repo
    target = work / "site"
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--no-deps",
        "--quiet",
        "--target",
        str(target),
        str(source),
    ]
    if offline_build_possible():
        command.insert(5, "--no-build-isolation")
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return source, target


def monitor(target: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(target), *sys.path[1:]]))
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_installed_plugin_is_discovered_through_its_entry_point(installed):
    _, target = installed
    listed = monitor(target, "indicators", "list")
    assert listed.returncode == 0, listed.stderr
    assert any(line.startswith("book_to_bill") for line in listed.stdout.splitlines())
    assert "policy_rate" in listed.stdout  # the built-ins are still there


def test_rule_using_the_plugin_checks_and_passes_its_test(installed):
    source, target = installed
    rules = source / "rules"
    checked = monitor(target, "rules", "check", str(rules))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = monitor(target, "rules", "test", str(rules), "--require-coverage")
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "ok    fires when orders fall below revenue" in tested.stdout


def test_without_the_plugin_the_rule_is_rejected_with_a_position():
    rules = EXAMPLE / "rules"
    checked = subprocess.run(
        [sys.executable, "-m", "monitor", "rules", "check", str(rules)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 1
    assert f"{rules / 'book-to-bill.yaml'}:6:16: " in checked.stdout
    assert "unknown indicator 'book_to_bill'" in checked.stdout


def test_doc_shows_the_example_code():
    doc = DOC.read_text(encoding="utf-8")
    code = (EXAMPLE / "monitor_book_to_bill" / "__init__.py").read_text(encoding="utf-8")
    for line in (
        '    name = "book_to_bill"',
        '        return combine(orders, revenue, "ratio")',
        "class BookToBill(Indicator):",
    ):
        assert line in code and line.split("#")[0].rstrip() in doc
    assert '[project.entry-points."monitor.indicators"]' in doc
    assert 'book_to_bill = "monitor_book_to_bill"' in doc


def test_doc_code_registers_as_written(tmp_path):
    """The plugin code the doc shows (with today's imports) loads and registers."""
    import re

    from monitor.indicator.registry import load_registry

    doc = DOC.read_text(encoding="utf-8")
    (code,) = [
        block for block in re.findall(r"```python\n(.*?)```", doc, re.S) if "hookimpl" in block
    ]
    assert "from monitor import Indicator, hookimpl" in code
    (tmp_path / "book_to_bill_doc.py").write_text(code, encoding="utf-8")
    registry = load_registry([tmp_path])
    assert registry.failures == []
    assert registry.get("book_to_bill").unit == "x"
