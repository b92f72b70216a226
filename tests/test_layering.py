"""Structural rules of the code base, checked on its source (docs/development.md, "Layers").

* ``generators/`` is a library: no module of it imports ``cardcli`` (not even inside a function);
* the study session's modules stay under ~320 lines each;
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


# -- no import cycles --------------------------------------------------------------------------
def _module_files() -> dict[str, Path]:
    out = {}
    for pkg in ("cardcli", "generators"):
        for p in sorted((ROOT / pkg).rglob("*.py")):
            parts = list(p.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = p
    return out


def import_graph() -> dict[str, set[str]]:
    """module -> the cardcli/generators modules it imports, at any depth (function bodies and
    TYPE_CHECKING blocks too); ``from pkg import name`` counts as importing ``pkg.name`` when that
    is a module, else ``pkg``."""
    mods = _module_files()
    graph: dict[str, set[str]] = {}
    for name, path in mods.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
                for a in node.names:
                    found.add(f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base)
        graph[name] = {m for m in found if m in mods and m != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on.add(root)
        while work:
            v, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on:
                    low[v] = min(low[v], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    found.append(sorted(comp))
    return found


def test_cycle_finder_finds_a_hidden_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_function_level_and_relative_imports():
    graph = import_graph()
    assert "generators.families" in graph["cardcli.diagnosis"]  # imported inside functions
    assert "cardcli.store.state_index" in graph["cardcli.store.state_reads"]
    assert "cardcli.store.state_reads" in graph["cardcli.store.history"]


def test_no_import_cycles():
    assert cycles(import_graph()) == []


# -- one card-state interface ------------------------------------------------------------------
def test_state_index_uses_only_the_public_store():
    path = ROOT / "cardcli" / "store" / "state_index.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    reach_in = [f"line {n.lineno}: .{n.attr}" for n in ast.walk(tree)
                if isinstance(n, ast.Attribute) and n.attr.startswith("_") and not n.attr.startswith("__")
                and not (isinstance(n.value, ast.Name) and n.value.id == "self")]
    assert reach_in == []
    assert "SELECT" not in path.read_text(encoding="utf-8")  # the SQL is the store's


def test_no_consumer_asks_which_state_path_it_holds():
    """Consumers use the CardStates interface; only the store (and the interface) name the implementations."""
    allowed = {ROOT / "cardcli" / "scheduler" / "states.py"}
    bad = []
    for p in sorted((ROOT / "cardcli").rglob("*.py")):
        if p in allowed or (ROOT / "cardcli" / "store") in p.parents:
            continue
        for n in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "isinstance":
                names = {x.id for x in ast.walk(n.args[1]) if isinstance(x, ast.Name)} if len(n.args) > 1 else set()
                if names & {"StateIndex", "LoadedStates", "CardStates"}:
                    bad.append(f"{p.relative_to(ROOT)}:{n.lineno}")
            if isinstance(n, ast.Name) and n.id == "StateIndex":
                bad.append(f"{p.relative_to(ROOT)}:{n.lineno}: names StateIndex")
    assert bad == []


# -- the deck parser's card validation ---------------------------------------------------------
def test_card_validation_is_a_table_of_small_checks():
    from cardcli import deckparse

    tree = ast.parse((ROOT / "cardcli" / "deckparse.py").read_text(encoding="utf-8"))
    funcs = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    lengths = {name: f.end_lineno - f.lineno + 1 for name, f in funcs.items()}  # type: ignore[operator]
    assert lengths["_card"] <= 45
    assert len(deckparse.CARD_CHECKS) >= 10
    assert {c.__name__: lengths[c.__name__] for c in deckparse.CARD_CHECKS if lengths[c.__name__] > 30} == {}


def test_all_sql_is_in_the_store():
    store = ROOT / "cardcli" / "store"
    bad = []
    for p in sorted([*(ROOT / "cardcli").rglob("*.py"), *(ROOT / "generators").rglob("*.py")]):
        if store in p.parents:
            continue
        tree = ast.parse(p.read_text(encoding="utf-8"))
        bad += [f"{p.relative_to(ROOT)}:{line}: imports sqlite3" for line, mod in _imports(p) if mod == "sqlite3"]
        bad += [f"{p.relative_to(ROOT)}:{n.lineno}: SQL" for n in ast.walk(tree)
                if isinstance(n, ast.Constant) and isinstance(n.value, str)
                and any(w in n.value for w in ("SELECT ", "INSERT INTO", "DELETE FROM", "CREATE TABLE"))]
    assert bad == []


SESSION_MODULES = ["session.py", "session_render.py", "session_input.py", "emptyqueue.py", "gencards.py"]


@pytest.mark.parametrize("name", SESSION_MODULES)
def test_session_modules_stay_small(name):
    """The study session is split by concept (loop, rendering, input, empty queue, gen: identity);
    a module that grows past ~320 lines is mixing concepts again."""
    lines = (ROOT / "cardcli" / name).read_text(encoding="utf-8").count("\n")
    assert lines <= 320, f"cardcli/{name} has {lines} lines"
