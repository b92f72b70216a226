"""The documentation stays true: the command reference is the current ``--help``, and every
code fence in README.md and docs/*.md opens and closes where its author meant (CommonMark, as
markdown-it-py parses it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from cardcli import docgen

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_FENCE_LINE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def fence_problems(text: str, name: str = "page") -> list[str]:
    """``name:line: ...`` for each fence that never closes, or holds a fence line at least as long
    as its own (a nested fence: the inner closing line would end the outer fence early)."""
    lines = text.splitlines()
    problems = []
    for tok in MarkdownIt("commonmark").parse(text):
        if tok.type != "fence" or tok.map is None:
            continue
        start, end = tok.map
        char, size = tok.markup[0], len(tok.markup)
        last = lines[end - 1] if end - 1 > start else ""
        m = _FENCE_LINE.match(last)
        if not (m and m.group(1)[0] == char and len(m.group(1)) >= size and not last.strip(char + " ")):
            problems.append(f"{name}:{start + 1}: the fence {tok.markup} never closes")
        for i, line in enumerate(tok.content.splitlines(), start=start + 2):
            inner = _FENCE_LINE.match(line)
            if inner and inner.group(1)[0] == char and len(inner.group(1)) >= size:
                problems.append(f"{name}:{i}: a fence inside the fence opened at line {start + 1} "
                                f"(open the outer one with {char * (len(inner.group(1)) + 1)})")
    return problems


def test_the_checker_finds_nested_and_unclosed_fences():
    good = "a\n\n````\n$ cat x.md\n```text\nQ1\n```\n````\n\n```yaml\nk: v\n```\n"
    assert fence_problems(good) == []
    nested = "```\n$ cat x.md\n```text\nQ1\n```\nafter\n```\n"
    assert fence_problems(nested) == [  # the inner ``` closed the outer fence; the last one opens a new one
        "page:3: a fence inside the fence opened at line 1 (open the outer one with ````)",
        "page:7: the fence ``` never closes"]
    unclosed = "text\n\n```python\nprint(1)\n"
    assert fence_problems(unclosed) == ["page:3: the fence ``` never closes"]
    assert fence_problems("~~~\nx\n~~~\n") == []


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_fences_are_balanced_and_never_nested(page):
    assert fence_problems(page.read_text(encoding="utf-8"), page.relative_to(ROOT).as_posix()) == []


def test_cli_reference_is_current():
    """docs/cli.md is what `python -m cardcli.docgen` writes now (run it after changing a command)."""
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == docgen.render()


def test_cli_reference_covers_every_command():
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for path in docgen.command_paths():
        assert f"## `{' '.join(['cardcli', *path])}`" in text
    assert ["exam", "mock"] in docgen.command_paths() and ["export", "anki"] in docgen.command_paths()
