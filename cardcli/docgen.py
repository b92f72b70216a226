"""Write ``docs/cli.md``, the command reference, from every command's ``--help``.

Run ``python -m cardcli.docgen`` after changing a command or its options (``--check`` exits 1
when the file is stale instead of writing it; tests/test_docs.py runs that check). The help is
rendered at a fixed width of :data:`WIDTH` columns, without colour, so the page is the same on
every machine.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["WIDTH", "command_paths", "render", "main"]

WIDTH = 80
DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"

_HEAD = """# Command reference

Generated from each command's `--help` by `python -m cardcli.docgen` (do not edit by hand; a test
fails when this page is stale). The guides by topic are linked from the [README](../README.md).
"""


def command_paths() -> list[list[str]]:
    """Every command and sub-command, as argument lists (``[]`` is ``cardcli`` itself), in the
    order ``cardcli --help`` lists them."""
    import typer

    from cardcli.cli import app

    paths: list[list[str]] = []

    def walk(group: object, prefix: list[str]) -> None:
        paths.append(prefix)
        commands = getattr(group, "commands", None)
        if commands is None:
            return
        for name in commands:
            walk(commands[name], [*prefix, name])

    walk(typer.main.get_command(app), [])
    return paths


def _help(path: list[str]) -> str:
    from typer.testing import CliRunner

    from cardcli.cli import app

    env = {"COLUMNS": str(WIDTH), "LINES": "50", "NO_COLOR": "1", "TERM": "dumb", "TERMINAL_WIDTH": str(WIDTH)}
    result = CliRunner().invoke(app, [*path, "--help"], env=env, color=False)
    if result.exit_code != 0:
        raise RuntimeError(f"cardcli {' '.join(path)} --help failed: {result.output}")
    return "\n".join(line.rstrip() for line in result.output.strip("\n").splitlines())


def render() -> str:
    """The whole page."""
    parts = [_HEAD]
    for path in command_paths():
        title = " ".join(["cardcli", *path])
        parts.append(f"## `{title}`\n\n```text\n{_help(path)}\n```\n")
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    os.environ.setdefault("CARDCLI_HOME", os.devnull)  # --help reads no state; never create any
    text = render()
    if "--check" in args:
        current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
        if current != text:
            print(f"{DOC} is stale: run `python -m cardcli.docgen`", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
