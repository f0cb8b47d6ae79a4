"""The compiled fast path of ``contract.validate`` only ever skips work: it never accepts what
jsonschema refuses, and it does accept what the pages show as valid (else it would save nothing).

The instances are every JSON body the pages quote, each with every mutation of one place: a member
dropped, a value replaced by one of every other JSON type, a string lengthened past any limit, an
array repeated past the batch limit. For each, ``contract.validate`` (the reported answer) and the
fast path are compared: a fast "valid" where jsonschema has a message would be a finding lost.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from conformance import contract

from .pages import OBJECT_PAGES, PageExample, all_examples

OTHER_VALUES: tuple[Any, ...] = (None, True, 0, -1, 1.5, "", "x" * 300, [], {}, ["music.1"], {"Id": 1})


def _ref_and_slow(example: PageExample) -> tuple[str, Any] | None:
    """The URI the fast path compiles for this example's schema, and jsonschema's validator."""
    if example.fmt != "json":
        return None
    if example.role == "sample":
        name = OBJECT_PAGES[example.file]
        return contract._schema(name)["$id"], contract._validator(name)
    if not example.operation:
        return None
    if example.role == "request":
        if example.body is None or "requestBody" not in contract._operation(example.operation):
            return None
        pointer = contract._request_body_pointer(example.operation)
        return contract._pointer_uri(pointer), contract._pointer_validator(pointer)
    name = contract.response_schema(example.operation, example.status or 200)
    return (contract._schema(name)["$id"], contract._validator(name)) if name else None


def _mutations(value: Any) -> Iterator[Any]:
    """``value`` with one place changed, for every place."""
    yield from OTHER_VALUES
    if isinstance(value, dict):
        for key in value:
            dropped = {k: v for k, v in value.items() if k != key}
            yield dropped
            for changed in _mutations(value[key]):
                yield {**value, key: changed}
        yield {**value, "Unknown": 1}
    elif isinstance(value, list):
        yield value * (contract.LIMITS.batch_max + 1) if value else [None]
        for i, item in enumerate(value[:3]):
            for changed in _mutations(item):
                yield [*value[:i], changed, *value[i + 1 :]]
    elif isinstance(value, str):
        yield value * 300 if value else "x" * 300


EXAMPLES = [e for e in all_examples() if _ref_and_slow(e) is not None]


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_fast_path_never_accepts_what_jsonschema_refuses(example: PageExample) -> None:
    found = _ref_and_slow(example)
    assert found is not None
    ref, slow = found
    assert contract._fast_validator(ref) is not None, f"{ref} did not compile: the fast path is never taken"
    checked = refused = 0
    for instance in (copy.deepcopy(example.body), *_mutations(example.body)):
        slow_valid = slow.is_valid(instance)  # stops at the first error: the same answer, sooner
        fast_valid = contract._surely_valid(ref, instance)
        assert fast_valid == slow_valid or not fast_valid, f"fast path accepts {instance!r} against {ref}"
        checked += 1
        refused += not slow_valid
    assert refused, "no mutation was refused: the comparison tested nothing"
    print(f"{example.id}: {checked} instances, {refused} refused by jsonschema")


def test_the_fast_path_takes_what_the_pages_show_valid() -> None:
    valid = [e for e in EXAMPLES if not list(_ref_and_slow(e)[1].iter_errors(e.body))]  # type: ignore[index]
    assert len(valid) >= 50, len(valid)
    slow_only = [e.id for e in valid if not contract._surely_valid(_ref_and_slow(e)[0], e.body)]  # type: ignore[index]
    assert slow_only == []


@pytest.mark.parametrize("odd", [("music.1",), {1: "x"}], ids=["tuple", "int-key"])
def test_what_json_never_makes_gets_jsonschemas_answer(odd: object) -> None:
    """Not JSON's types: jsonschema_rs takes a tuple for an array, jsonschema does not."""
    ref = contract._schema("TrackActionRequest")["$id"]
    instance = {"TrackIds": odd}
    assert contract._surely_valid(ref, instance) is False
    slow = contract._messages(contract._validator("TrackActionRequest").iter_errors(instance))
    assert slow and contract.validate("TrackActionRequest", instance) == slow
