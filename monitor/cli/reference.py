"""The generated docs: the CLI reference from the click tree, and every generated block
of the rule-language reference, written by ``python -m monitor.cli.reference``.

Run it from the checkout (the docs folder is ``docs/`` there, or ``--docs DIR``);
``--check`` compares instead of writing and exits 1 when a file is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from monitor.authoring.docs import fill, sections
from monitor.cli.main import main as cli_main

WIDTH = 88
REGENERATE = "python -m monitor.cli.reference"


def _help(command: click.Command, ctx: click.Context) -> str:
    return command.get_help(ctx).rstrip() + "\n"


def cli_reference() -> str:
    """Markdown for every command of ``monitor``, walking the click tree."""
    out = [
        "# Command-line reference\n",
        f"Generated from the CLI itself by `{REGENERATE}`; a test keeps it",
        "current. Every command also answers `--help`.\n",
    ]

    def walk(command: click.Command, name: str, parent: click.Context | None) -> None:
        settings: dict[str, Any] = {"terminal_width": WIDTH, "max_content_width": WIDTH}
        settings.update(command.context_settings)
        ctx = click.Context(command, info_name=name, parent=parent, **settings)
        path = ctx.command_path
        out.append(f"{'#' * min(path.count(' ') + 2, 4)} `{path}`\n")
        out.append("```text\n" + _help(command, ctx) + "```\n")
        if isinstance(command, click.Group):
            for sub in command.list_commands(ctx):
                child = command.get_command(ctx, sub)
                if child is not None and not child.hidden:
                    walk(child, sub, ctx)

    walk(cli_main, "monitor", None)
    return "\n".join(out)


def expected_files(docs: Path) -> dict[Path, str]:
    language = docs / "rule-language.md"
    return {
        language: fill(language.read_text(encoding="utf-8"), sections()),
        docs / "cli.md": cli_reference(),
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    docs = Path(args[args.index("--docs") + 1]) if "--docs" in args else Path("docs")
    stale = []
    for path, text in expected_files(docs).items():
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != text:
            stale.append(path)
            if "--check" not in args:
                path.write_text(text, encoding="utf-8")
    for path in stale:
        verb = "is out of date" if "--check" in args else "rewritten"
        print(f"{path}: {verb}")
    return 1 if stale and "--check" in args else 0


if __name__ == "__main__":
    raise SystemExit(main())
