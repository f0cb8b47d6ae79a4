"""The model's reorder semantics (E07c, E07d) and the requirement each reorder is judged under."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from conformance.fuzz.stateful.model import move, reorder_requirement


def test_one_track_before_another() -> None:
    assert move(["a", "b", "c", "d"], ["d"], "b") == [["a", "d", "b", "c"]]
    assert reorder_requirement(["a", "b", "c", "d"], ["d"], "b") == "REORDER-ONE"


def test_to_the_end_without_a_target() -> None:
    assert move(["a", "b", "c"], ["a"], None) == [["b", "c", "a"]]
    assert reorder_requirement(["a", "b", "c"], ["a"], None) == "REORDER-TO-END"


def test_several_in_standing_order_have_one_outcome() -> None:
    assert move(["a", "b", "c", "d", "e"], ["b", "d"], "a") == [["b", "d", "a", "c", "e"]]
    assert reorder_requirement(["a", "b", "c", "d", "e"], ["b", "d"], "a") == "REORDER-MULTI"


def test_several_out_of_order_may_keep_either_order() -> None:
    assert move(["a", "b", "c", "d", "e"], ["d", "b"], "a") == [
        ["d", "b", "a", "c", "e"],
        ["b", "d", "a", "c", "e"],
    ]
    assert reorder_requirement(["a", "b", "c", "d", "e"], ["d", "b"], "a") == "REORDER-UNSORTED"


@given(st.data())
def test_candidates_keep_the_others_in_order_and_the_moved_contiguous(data: st.DataObject) -> None:
    order = [f"t{i}" for i in range(data.draw(st.integers(2, 8)))]
    moved = data.draw(st.lists(st.sampled_from(order), min_size=1, max_size=len(order) - 1, unique=True))
    rest = [e for e in order if e not in moved]
    before = data.draw(st.none() | st.sampled_from(rest))
    for candidate in move(order, moved, before):
        assert sorted(candidate) == sorted(order)
        assert [e for e in candidate if e not in moved] == rest
        start = min(candidate.index(m) for m in moved)
        assert sorted(candidate[start : start + len(moved)]) == sorted(moved)  # contiguous
        after = candidate[start + len(moved) :]
        assert after[:1] == [before] if before is not None else after == []
