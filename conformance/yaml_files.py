"""How the project reads its own YAML files: safe, fast where libyaml is installed, and strict.

The catalogue, the statements file and the contract are read by every run of the suite (dozens
of processes in the project's tests), so the C parser is used where PyYAML has it: same safe
constructors, several times faster. A key given twice in one mapping is refused (plain YAML keeps
the last one silently, which would drop a requirement's field without a word).
"""

from __future__ import annotations

from typing import IO, Any

import yaml

SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DuplicateKeyError(yaml.YAMLError):
    """A key given twice in one mapping (``line N: key 'k' given twice``)."""


class _StrictLoader(SafeLoader):  # type: ignore[misc, valid-type]
    """A safe loader that refuses a key given twice in one mapping."""


def _no_duplicate_keys(loader: Any, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise DuplicateKeyError(f"line {key_node.start_mark.line + 1}: key {key!r} given twice")
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicate_keys)


def load_strict(text: str | IO[str]) -> Any:
    """The document in ``text``; ``yaml.YAMLError`` (``DuplicateKeyError`` among them) when bad."""
    return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass


def load_safe(text: str | IO[str]) -> Any:
    """The document in ``text``, read with the fast safe loader (no duplicate-key check)."""
    return yaml.load(text, Loader=SafeLoader)  # noqa: S506 - SafeLoader or CSafeLoader
