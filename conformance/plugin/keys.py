"""Where the plugin keeps its state on pytest's objects (``StashKey``), and the public way to read it.

The run's ``Harness`` hangs on the config, each suite test's ``ItemState`` on its item, and a mark
saying "this item belongs to the suite" on the item too. Code outside the plugin (the suite's
conftest, a test that looks at its own transcript) reads them through ``harness_of`` and
``item_state``, never through the keys.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conformance.plugin.per_test import ItemState
    from conformance.plugin.session import Harness

HARNESS_KEY = pytest.StashKey["Harness"]()
STATE_KEY = pytest.StashKey["ItemState"]()
SUITE_KEY = pytest.StashKey[bool]()


def harness_of(config: pytest.Config) -> Harness:
    """The run's harness (settings, profile, target, clients) of this pytest process."""
    return config.stash[HARNESS_KEY]


def item_state(item: pytest.Item) -> ItemState | None:
    """What a suite test has recorded so far (requirements, checks, transcript); None for other tests."""
    return item.stash.get(STATE_KEY, None)
