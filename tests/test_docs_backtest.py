"""The "backtest your rule file" tutorial (docs/backtest.md), run as written.

Every ``monitor backtest`` command in a ``sh`` block runs through the CLI, and each
line of the ``text`` block that follows it must appear in its output (lines compared
without their leading and trailing spaces). The rule file is the page's own YAML block;
the episode snippet is loaded into a small case to prove it is valid as shown.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from click.testing import CliRunner

from monitor.cli.main import main
from monitor.data.case import load_case

PAGE = (Path(__file__).resolve().parents[1] / "docs" / "backtest.md").read_text(encoding="utf-8")
BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.S)


def blocks() -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in BLOCK.finditer(PAGE)]


def test_every_command_prints_what_the_page_shows(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    found = blocks()
    for kind, body in found:
        match = re.match(r"# file: (\S+)\n", body)
        if kind == "yaml" and match:
            target = Path(match.group(1))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(body, encoding="utf-8")
    assert Path("my-rules/pmi-slump.yaml").is_file()
    runner = CliRunner()
    ran = 0
    for i, (kind, body) in enumerate(found):
        if kind != "sh" or not body.startswith("monitor backtest"):
            continue
        args = shlex.split(body.strip())[1:]
        result = runner.invoke(main, args)
        assert result.exit_code == 0, (body, result.output)
        ran += 1
        if "--json" in args:
            data = json.loads(result.output)
            assert "schema_version" in data and "metrics" in data
            continue
        following = found[i + 1]
        assert following[0] == "text", body
        lines = {line.strip() for line in result.output.splitlines()}
        for line in following[1].splitlines():
            assert line.strip() in lines, (body, line, result.output)
    assert ran == 4


def test_the_episode_snippet_loads(tmp_path):
    snippet = next(body for kind, body in blocks() if kind == "yaml" and "episodes:" in body)
    case = tmp_path / "my-case"
    case.mkdir()
    (case / "case.yaml").write_text("name: my-case\n" + snippet, encoding="utf-8")
    (case / "pmi.csv").write_text(
        "series,entity,date,value,published,unit,source\n"
        "ism_pmi,US,2000-01-01,56.7,2000-02-02,index,ISM\n",
        encoding="utf-8",
    )
    loaded = load_case(str(case))
    assert [e.id for e in loaded.episodes] == ["telecom-bust"]
