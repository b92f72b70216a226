"""Structural rules of the code base, checked on its source (docs/development.md, "Layers").

* ``generators/`` is a library: no module of it imports ``cardcli`` (not even inside a function);
* the installed ``cardcli`` script imports the ``generators`` it was installed with, never a
  ``generators`` package that happens to sit in the working directory.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> list[tuple[int, str]]:
    """``(line, module)`` of every import in ``path``, at any depth (function bodies too)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def test_generators_never_import_cardcli():
    files = sorted((ROOT / "generators").rglob("*.py"))
    assert len(files) > 20  # the walk sees the package
    bad = [f"{p.relative_to(ROOT)}:{line}: imports {mod}" for p in files for line, mod in _imports(p)
           if mod == "cardcli" or mod.startswith("cardcli.")]
    assert bad == []


def test_the_import_walk_sees_function_level_imports(tmp_path):
    sample = tmp_path / "m.py"
    sample.write_text("def f():\n    from cardcli.errors import UsageError\n    import cardcli\n")
    assert _imports(sample) == [(2, "cardcli.errors"), (3, "cardcli")]


def _script() -> str:
    found = Path(sys.executable).with_name("cardcli")
    if found.exists():
        return str(found)
    which = shutil.which("cardcli")
    if which is None:
        pytest.fail("the cardcli script is not installed (pip install -e .)")
    return which


def test_script_ignores_a_generators_package_in_the_working_directory(tmp_path):
    decoy = tmp_path / "generators"
    decoy.mkdir()
    (decoy / "__init__.py").write_text("raise SystemExit('decoy generators imported')\n")
    (decoy / "families").mkdir()
    (decoy / "families" / "__init__.py").write_text("raise SystemExit('decoy generators.families imported')\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSAFEPATH")}
    env["CARDCLI_HOME"] = str(tmp_path / "home")
    r = subprocess.run([_script(), "generate", "conv-output-size", "-n", "1", "--seed", "3"], cwd=tmp_path,
                       env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "decoy" not in r.stdout + r.stderr
    assert '"family": "conv-output-size"' in r.stdout


def test_library_errors_are_one_line_usage_errors(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["CARDCLI_HOME"] = str(tmp_path / "home")
    r = subprocess.run([_script(), "quiz", "--topic", "poolng"], cwd=tmp_path, env=env, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 2
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr
    assert lines[0].startswith("cardcli: no problem family or problem topic 'poolng' (did you mean 'pooling'?)")


# -- commands are leaves --------------------------------------------------------------------------
COMMANDS = ROOT / "cardcli" / "commands"


def test_command_modules_never_import_each_other():
    files = sorted(COMMANDS.glob("*.py"))
    assert len(files) > 10
    bad = []
    for p in files:
        for line, mod in _imports(p):
            if mod == "cardcli.commands" or mod.startswith("cardcli.commands."):
                bad.append(f"{p.relative_to(ROOT)}:{line}: imports {mod}")
        tree = ast.parse(p.read_text(encoding="utf-8"))
        for node in ast.walk(tree):  # `from cardcli.commands import study` and relative imports too
            if isinstance(node, ast.ImportFrom) and node.level > 0:
                bad.append(f"{p.relative_to(ROOT)}:{node.lineno}: relative import")
    assert bad == []


def test_core_modules_never_import_a_command_module():
    """Only the dispatch table (cli.py) imports commands: shared logic lives in core modules."""
    files = [p for p in sorted((ROOT / "cardcli").rglob("*.py"))
             if COMMANDS not in p.parents and p.name != "cli.py"]
    bad = [f"{p.relative_to(ROOT)}:{line}: imports {mod}" for p in files for line, mod in _imports(p)
           if mod.startswith("cardcli.commands")]
    assert bad == []


def _registered(group) -> set[str]:
    names = set()
    for name, sub in group.commands.items():
        names.add(name)
        if hasattr(sub, "commands"):  # a group
            names |= {f"{name} {n}" for n in _registered(sub)}
    return names


def test_every_command_is_in_the_one_dispatch_table():
    """Each command and sub-command is declared in cli.py (its callback's module) and nowhere else."""
    import typer

    from cardcli.cli import app

    group = typer.main.get_command(app)
    names = _registered(group)
    assert {"study", "due", "quiz", "exam", "exam set", "exam clear", "exam mock", "export anki"} <= names

    def callbacks(g):
        for sub in g.commands.values():
            yield sub
            if hasattr(sub, "commands"):
                yield from callbacks(sub)

    modules = {c.callback.__module__ for c in callbacks(group) if c.callback is not None}
    assert modules == {"cardcli.cli"}
    defined_elsewhere = []  # no Typer(), .command(), .callback() or .add_typer() outside cli.py
    for p in sorted((ROOT / "cardcli").rglob("*.py")):
        if p.name == "cli.py":
            continue
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("Typer", "command", "callback", "add_typer")):
                defined_elsewhere.append(f"{p.relative_to(ROOT)}:{node.lineno}")
    assert defined_elsewhere == []
