"""The house rules of docs/architecture.md, checked so a back-edge fails CI.

- rooms import one way (the import-linter contracts in ``pyproject.toml``);
- no module sits directly in ``monitor/`` besides ``__init__`` and ``__main__``;
- no function-level import outside ``monitor/cli/`` (optional extras go through
  ``monitor.core.optional``), so no cycle hides behind a late import;
- the wheel installs one top-level package, ``monitor``: the owner's ``indicators/``,
  ``rules/`` and ``reports/`` folders land inside it, never beside it.
"""

from __future__ import annotations

import ast
import importlib
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]
MAPPED = SETUPTOOLS["package-dir"]  # e.g. {"monitor.reports": "reports"}
SOURCE_FOLDERS = [ROOT / "monitor", *(ROOT / folder for folder in MAPPED.values())]


def python_files() -> list[Path]:
    return sorted(p for folder in SOURCE_FOLDERS for p in folder.rglob("*.py"))


def assembled_package(target: Path) -> Path:
    """The ``monitor`` package as installed, copied from wherever its parts are mapped.

    An editable install maps ``monitor.reports`` and friends through an import hook
    that import-linter's file walk cannot follow; a copy of the real layout can be.
    """
    package = target / "monitor"
    shutil.copytree(
        Path(importlib.import_module("monitor").__path__[0]),
        package,
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    for name in MAPPED:
        source = Path(importlib.import_module(name).__path__[0])
        destination = target / Path(*name.split("."))
        if not destination.exists():
            shutil.copytree(source, destination, ignore=shutil.ignore_patterns("__pycache__"))
    return package


def test_rooms_import_one_way(tmp_path: Path) -> None:
    lint = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    assembled_package(tmp_path)
    env = dict(os.environ, PYTHONPATH=str(tmp_path), PYTHONSAFEPATH="1")
    done = subprocess.run(
        [lint, str(ROOT / "pyproject.toml"), "--no-cache"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "broken" not in done.stdout.lower().replace("0 broken", "")


def test_no_module_directly_in_monitor() -> None:
    loose = sorted(
        p.name
        for p in (ROOT / "monitor").glob("*.py")
        if p.name not in ("__init__.py", "__main__.py")
    )
    assert loose == [], f"put these into a room (a sub-package): {loose}"


def function_level_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    found.append(f"{path.relative_to(ROOT)}:{inner.lineno}")
    return found


def test_no_function_level_imports_outside_the_cli() -> None:
    cli = ROOT / "monitor" / "cli"
    found = [
        hit
        for path in python_files()
        if not path.is_relative_to(cli)
        for hit in function_level_imports(path)
    ]
    assert found == [], "move these imports to module level (extras: monitor.core.optional)"


def test_every_package_is_listed_for_setuptools() -> None:
    listed = set(SETUPTOOLS["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "monitor").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    for name, folder in MAPPED.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            inner = init.parent.relative_to(ROOT / folder).parts
            found.add(".".join((name, *inner)))
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    source = out / "src"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(".git", ".venv", "build", "*.egg-info", "__pycache__", "out"),
    )
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    (built,) = out.glob("bubble_monitor-*.whl")
    return built


def test_wheel_installs_one_top_level_package(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/", 1)[0] for name in names}
    assert {t for t in top if not t.endswith(".dist-info")} == {"monitor"}
    for mapped in ("monitor/rules/stage1-macro.yaml", "monitor/reports/render.py",
                   "monitor/indicators/macro.py", "monitor/language/expression.lark",
                   "monitor/reports/templates/report.html.j2"):  # fmt: skip
        assert mapped in names


def test_architecture_doc_shows_the_contracts_layers() -> None:
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    shown = doc.split("<!-- layers -->", 1)[1].split("<!-- /layers -->", 1)[0]
    lines = [line for line in shown.strip().strip("`").strip().splitlines() if line]
    (layers,) = [
        c["layers"] for c in PYPROJECT["tool"]["importlinter"]["contracts"] if c["type"] == "layers"
    ]
    assert lines == layers
