"""Shared fixtures: no test ever touches the real home directory."""

from __future__ import annotations

import inspect
import os

import pytest


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    """Point CARDCLI_HOME at a fresh tmp dir and clear CARDCLI_DECKS for every test."""
    home = tmp_path / "cardcli-home"
    home.mkdir()
    monkeypatch.setenv("CARDCLI_HOME", str(home))
    monkeypatch.delenv("CARDCLI_DECKS", raising=False)
    return home


@pytest.fixture
def cardcli_home(_isolated_home):
    """The per-test state dir (same as $CARDCLI_HOME)."""
    return _isolated_home


# -- the PyTorch cross-checks -------------------------------------------------------------------
# They skip where torch is not installed (README's test command keeps it optional). CI sets
# CARDCLI_REQUIRE_TORCH=1 on the interpreter it installs torch==2.13.0 for: there a missing or
# broken torch stops the run instead of turning the comparisons into skips, and the summary says
# how many ran.

if os.environ.get("CARDCLI_REQUIRE_TORCH"):
    import torch  # noqa: F401  (fails loudly: CI promised these comparisons)

_TORCH_RESULTS: dict[str, int] = {"passed": 0, "failed": 0, "skipped": 0}


def _uses_torch(item: pytest.Item) -> bool:
    function = getattr(item, "function", None)
    if function is None:
        return False
    module = getattr(item, "module", None)
    if getattr(getattr(module, "torch", None), "__name__", "") == "torch":  # a module of PyTorch comparisons
        return True
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):
        return False
    return '"torch"' in source or "import torch" in source


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _uses_torch(item):
            item.add_marker("pytorch")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "pytorch: compares with PyTorch (skips where torch is not installed)")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "pytorch" not in report.keywords:
        return
    if report.when == "call" or (report.when == "setup" and not report.passed):
        _TORCH_RESULTS[report.outcome] = _TORCH_RESULTS.get(report.outcome, 0) + 1


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    r = _TORCH_RESULTS
    if sum(r.values()):
        terminalreporter.write_line(f"PyTorch comparisons: {r['passed']} passed, {r['failed']} failed, "
                                    f"{r['skipped']} skipped")
