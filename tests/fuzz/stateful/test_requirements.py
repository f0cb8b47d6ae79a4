"""The state machine's requirement list is derived from its rules, and holds everything they record.

Each rule and check of :class:`CollectionMachine` declares with ``@judges`` the requirements it
records itself; ``RULE_REQUIREMENTS`` is their union and ``REQUIREMENTS`` (the suite test's marker)
adds those of the checks every answer goes through. A requirement a rule records but does not
declare would be a usage error of ``verify`` in the middle of a run, so each one's code is read here
(its syntax tree) for the requirements it names.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis.stateful import RuleBasedStateMachine

from conformance import catalogue
from conformance.fuzz.checks import CUSTOM
from conformance.fuzz.oracle import REQUIREMENTS as ORACLE_REQUIREMENTS
from conformance.fuzz.stateful import machine, model
from conformance.fuzz.stateful.machine import CollectionMachine
from conformance.judging import AUTH_MISSING


def _methods() -> dict[str, Callable[..., Any]]:
    """The machine's own functions (rules, checks, plumbing), by name."""
    return {n: f for n, f in vars(CollectionMachine).items() if inspect.isfunction(f)}


def _named(fn: Callable[..., Any]) -> set[str]:
    """The requirement IDs ``fn``'s code names: its string literals, the reorder requirements when
    it asks :func:`model.reorder_requirement`, ``AUTH_MISSING[op]`` for the operations it may send."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(inspect.unwrap(fn))))
    body = tree.body[0]
    assert isinstance(body, ast.FunctionDef)
    found: set[str] = set()
    for node in ast.walk(ast.Module(body=body.body, type_ignores=[])):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if catalogue.ID_PATTERN.match(node.value):
                found.add(node.value)
        elif isinstance(node, ast.Name) and node.id == "reorder_requirement":
            found.update(model.REORDER_REQUIREMENTS)
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Name)
            and node.value.id == "AUTH_MISSING"
        ):
            found.update(AUTH_MISSING[op] for op in machine.REFUSED_OPERATIONS)
    return found


@pytest.mark.parametrize("name", sorted(_methods()))
def test_every_requirement_a_rule_or_check_names_is_declared(name: str) -> None:
    fn = _methods()[name]
    declared = set(getattr(fn, "_judges", ()))
    assert sorted(_named(fn) - declared) == []
    # and no declaration claims what the code does not record
    assert sorted(declared - _named(fn)) == []


def test_the_rule_list_is_the_union_of_the_declarations() -> None:
    union: set[str] = set()
    for _, member in inspect.getmembers(CollectionMachine):
        union.update(getattr(member, "_judges", ()))
    assert machine.RULE_REQUIREMENTS == tuple(sorted(union))
    assert len(machine.RULE_REQUIREMENTS) == len(set(machine.RULE_REQUIREMENTS))


def test_the_marker_is_the_rules_and_the_answer_checks() -> None:
    answers = set(ORACLE_REQUIREMENTS) | {r for reqs in CUSTOM.values() for r in reqs}
    assert set(machine.REQUIREMENTS) == set(machine.RULE_REQUIREMENTS) | answers
    assert list(machine.REQUIREMENTS) == sorted(machine.REQUIREMENTS)


def test_every_declared_requirement_is_in_the_catalogue() -> None:
    assert sorted(set(machine.REQUIREMENTS) - set(catalogue.load_catalogue())) == []


def test_the_reorder_requirements_are_those_reorder_requirement_answers() -> None:
    order = ["a", "b", "c", "d"]
    answers = {
        model.reorder_requirement(order, moved, before)
        for moved in (["a"], ["b", "d"], ["d", "b"])
        for before in (None, "c")
        if before not in moved
    }
    assert answers == set(model.REORDER_REQUIREMENTS)


def test_the_machine_class_is_module_level_and_bound_per_run() -> None:
    assert CollectionMachine.__qualname__ == "CollectionMachine"
    assert issubclass(CollectionMachine, RuleBasedStateMachine)
    env: Any = object()
    bound = machine.bind(env)
    assert issubclass(bound, CollectionMachine) and bound is not CollectionMachine
    assert bound.env is env
    assert "env" not in vars(CollectionMachine)  # nothing of a run stays on the shared class
