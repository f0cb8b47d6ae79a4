"""The one-way doors of docs/architecture.md, checked on every module's imports.

The picture there: the suite (scenarios and fuzzing) judges through ``verify``/``judging`` and
talks to a target only through ``conformance.client``; the target is any server, or the emulator
in its own process. The emulator never imports the suite, the client or the plugin (a bug there
would then hide in both the judge and the judged); the shared facts (contract, profiles, ID forms,
error table, catalogue…) import nothing above them; nothing outside ``conformance/suite/`` imports
the test package.

Imports are read from each module's syntax tree, so an import inside a function counts. Imports
under ``if TYPE_CHECKING:`` do not: they name a type for a reader and load nothing at run time.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parents[2] / "conformance"

# Facts every part reads; they import only each other.
SHARED = frozenset(
    {
        "conformance",
        "conformance.catalog_ids",
        "conformance.catalogue",
        "conformance.contract",
        "conformance.error_table",
        "conformance.ids",
        "conformance.profiles",
        "conformance.records",
        "conformance.sources",
        "conformance.statements",
        "conformance.xml_codec",
        "conformance.yaml_files",
    }
)

# (importer, what it may import besides itself and the shared facts, why)
DOORS: tuple[tuple[str, frozenset[str], str], ...] = (
    ("conformance.emulator", frozenset(), "the emulator is a target: it never imports the suite"),
    ("conformance.report", frozenset(), "reports render records; they judge nothing and send nothing"),
    ("conformance.judging", frozenset(), "the one judging path reads answers, not the client"),
    ("conformance.client", frozenset({"conformance.report"}), "the client knows the target, not the run"),
    ("conformance.journal", frozenset(), "the journal is a file format"),
)


def _layer(module: str) -> str:
    """``conformance.X`` of ``conformance.X.Y…``: the part a module belongs to (``conformance``
    itself for a name of the package's own, such as ``conformance.__version__``)."""
    parts = module.split(".")
    return "conformance" if len(parts) < 2 or parts[1].startswith("__") else ".".join(parts[:2])


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node of ``tree`` except the bodies of ``if TYPE_CHECKING:`` blocks."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                stack.extend(child.orelse)
            else:
                stack.append(child)


def imports_of(source: str, module: str, is_package: bool = False) -> set[str]:
    """The modules ``source`` (the text of ``module``) imports at run time, relative ones resolved;
    ``from a import b`` counts as importing ``a`` and ``a.b`` (``b`` may be a module)."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    found: set[str] = set()
    for node in _runtime_nodes(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            parts = package[: len(package) - node.level + 1] if node.level else []
            base = ".".join([*parts, *([node.module] if node.module else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name == "conformance" or name.startswith("conformance.")}


def _modules() -> Iterator[tuple[str, set[str]]]:
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        name = _module_name(path)
        yield name, imports_of(path.read_text(encoding="utf-8"), name, path.name == "__init__.py")


def _crossings(allowed_for: dict[str, frozenset[str]]) -> dict[str, list[str]]:
    """Per module of a guarded part, the parts it imports that it may not."""
    out: dict[str, list[str]] = {}
    for name, imported in _modules():
        part = _layer(name)
        if part not in allowed_for:
            continue
        allowed = allowed_for[part] | SHARED | {part}
        bad = sorted({_layer(m) for m in imported} - allowed)
        if bad:
            out[name] = bad
    return out


def test_the_shared_facts_import_only_each_other() -> None:
    assert _crossings({part: frozenset() for part in SHARED - {"conformance"}}) == {}


@pytest.mark.parametrize(("part", "allowed", "why"), DOORS, ids=[d[0] for d in DOORS])
def test_each_door_opens_one_way(part: str, allowed: frozenset[str], why: str) -> None:
    assert _crossings({part: allowed}) == {}, why


def test_nothing_outside_the_suite_imports_the_suite() -> None:
    offenders = {
        name: sorted(m for m in imported if _layer(m) == "conformance.suite")
        for name, imported in _modules()
        if _layer(name) != "conformance.suite"
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_suite_never_imports_the_emulator() -> None:
    """Scenarios run against servers nobody here wrote: what they know of a target is the client."""
    offenders = {
        name: sorted(m for m in imported if _layer(m) == "conformance.emulator")
        for name, imported in _modules()
        if _layer(name) in ("conformance.suite", "conformance.fuzz", "conformance.readback")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


@pytest.mark.parametrize(
    ("source", "module", "expected"),
    [
        ("import conformance.plugin", "conformance.emulator.app", "conformance.plugin"),
        ("from conformance.fuzz import oracle", "conformance.emulator.app", "conformance.fuzz.oracle"),
        ("from ..suite.helpers import expect", "conformance.emulator.app", "conformance.suite.helpers"),
        ("from . import wire", "conformance.emulator.app", "conformance.emulator.wire"),
        ("def f():\n    from conformance.suite import helpers\n", "conformance.x", "conformance.suite"),
    ],
)
def test_the_reader_sees_each_spelling(source: str, module: str, expected: str) -> None:
    assert expected in imports_of(source, module)


def test_the_reader_passes_over_type_checking_imports() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from conformance.plugin import Capabilities\n"
    )
    assert imports_of(source, "conformance.readback") == set()
