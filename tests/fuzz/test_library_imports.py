"""The library does not depend on the test package: nothing under ``conformance/`` outside
``conformance/suite/`` imports ``conformance.suite`` (the fuzzing code once read state back
through a suite helper; read-back is :mod:`conformance.readback` now).

Read from each module's syntax tree, so that an import inside a function counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "conformance"
SUITE = PACKAGE / "suite"


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_no_library_module_imports_the_suite() -> None:
    offenders = {
        str(path.relative_to(PACKAGE.parent)): sorted(
            name
            for name in _imports(path)
            if name == "conformance.suite" or name.startswith("conformance.suite.")
        )
        for path in sorted(PACKAGE.rglob("*.py"))
        if SUITE not in path.parents
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_check_sees_an_import_of_the_suite(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from conformance.suite.helpers import expect\n", encoding="utf-8")
    assert "conformance.suite.helpers" in _imports(module)
