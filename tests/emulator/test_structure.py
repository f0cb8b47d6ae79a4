"""The emulator's shape: it stands alone beside the suite, and its routes are the contract's.

The emulator is the suite's reference target and a sandbox for client developers: it must never
depend on the suite that judges it (a bug there would then hide in both), so its modules import
nothing of ``conformance.suite``, ``conformance.plugin`` or ``conformance.fuzz``. Its methods and
paths come from ``conformance.contract.OPERATIONS``, one route per operation.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conformance import contract
from conformance.emulator.app import build_app
from conformance.emulator.config import EmulatorConfig

EMULATOR_DIR = Path(__file__).resolve().parents[2] / "conformance" / "emulator"
FORBIDDEN = ("conformance.suite", "conformance.plugin", "conformance.fuzz")


def _imported(source: str) -> set[str]:
    """Every module ``source`` (a module of the emulator package) imports, relative imports resolved."""
    package = ["conformance", "emulator"]
    out: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            parts = package[: len(package) - node.level + 1] if node.level else []
            base = ".".join([*parts, *([node.module] if node.module else [])])
            out.add(base)
            out.update(f"{base}.{alias.name}" for alias in node.names)
    return out


def _is_forbidden(module: str) -> bool:
    return any(module == f or module.startswith(f + ".") for f in FORBIDDEN)


@pytest.mark.parametrize("path", sorted(EMULATOR_DIR.glob("*.py")), ids=lambda p: p.name)
def test_the_emulator_imports_nothing_of_the_suite(path: Path) -> None:
    assert sorted(m for m in _imported(path.read_text(encoding="utf-8")) if _is_forbidden(m)) == []


@pytest.mark.parametrize(
    "source",
    [
        "import conformance.plugin",
        "from conformance.fuzz import oracle",
        "from conformance import suite",
        "from ..suite.helpers import expect",
        "def f():\n    from conformance.plugin import STATE_KEY",
    ],
)
def test_the_import_check_sees_each_spelling(source: str) -> None:
    assert any(_is_forbidden(m) for m in _imported(source)), source


def test_the_import_check_allows_the_emulators_own_imports() -> None:
    own = _imported("from . import wire\nfrom conformance import contract")
    assert own == {"conformance.emulator", "conformance.emulator.wire", "conformance", "conformance.contract"}
    assert not any(_is_forbidden(m) for m in own)


def test_the_routes_are_the_contracts_operations() -> None:
    app = build_app(EmulatorConfig())
    routes = {route.name: (sorted(route.methods - {"HEAD"}), route.path) for route in app.routes}
    assert routes == {op: ([method], path) for op, (method, path) in contract.OPERATIONS.items()}
