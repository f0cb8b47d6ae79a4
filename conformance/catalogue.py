"""The requirement catalogue: ``requirements.yaml`` loaded into frozen ``Requirement`` objects.

Every check of the suite is recorded against a requirement ID of this catalogue, and every
verdict of a report is about one; the catalogue is the one place where a rule's level (MUST /
SHOULD / MAY), the operations and dialects it covers, and the sentence of the documents it rests
on are written down.  Because so much hangs off it, loading is strict: a malformed entry, a
duplicate ID, an unknown level, operation, profile or erratum stops the load with a message
naming the entry, rather than letting a typo silently drop a rule from a run.

Names are checked against their owners: operations against ``conformance.contract.OPERATIONS``
(the operationIds of openapi.yaml), profiles against ``conformance.profiles.PROFILES``, errata
against the ``## Enn — title`` headings of ``docs/errata.md``.  ``docs/`` is not shipped in a
wheel; there erratum IDs are checked for their form only (the repository's tests check them
against the file).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from conformance.sources import repo_dir, shared_dir
from conformance.yaml_files import load_strict

__all__ = [
    "AREAS",
    "CATALOGUE_PATH",
    "ERRATA_PATH",
    "LEVELS",
    "CatalogueError",
    "Requirement",
    "Source",
    "by_operation",
    "errata",
    "get",
    "known_operations",
    "levels",
    "load_catalogue",
    "parse_catalogue",
    "parse_errata",
    "blocks",
    "read_catalogue",
    "shared_dir",
]

CATALOGUE_PATH = Path(__file__).with_name("requirements.yaml")
ERRATA_PATH = repo_dir() / "docs" / "errata.md"

LEVELS: tuple[str, ...] = ("MUST", "SHOULD", "MAY")
ADVISORY_LEVELS: frozenset[str] = frozenset({"SHOULD", "MAY"})


def blocks(level: str, strict: bool) -> bool:
    """The one blocking rule: a failed check of a MUST requirement fails its test and the run; a
    SHOULD or MAY one is advisory, and blocks only under ``--strict``."""
    return strict or level not in ADVISORY_LEVELS
# docs/architecture.md, "Requirement IDs".
AREAS: tuple[str, ...] = (
    "ADD", "CDEL", "PCRE", "PUPD", "PDEL", "REORDER", "BROWSE", "BATCH",
    "PARTIAL", "AUTH", "ERR", "FMT", "XML", "ID", "NAME", "ISO", "IOP",
)  # fmt: skip
ID_PATTERN = re.compile(rf"^(?:{'|'.join(AREAS)})-[A-Z0-9]+(?:-[A-Z0-9]+)?$")
ERRATUM_PATTERN = re.compile(r"^E\d{2}$")
_ERRATUM_HEADING = re.compile(r"^## (E\d{2}) — (.+?)\s*$", re.MULTILINE)

_ENTRY_KEYS = {"id", "level", "operations", "profiles", "statement", "source", "readback", "erratum"}
_SOURCE_KEYS = {"file", "heading", "quote"}


class CatalogueError(ValueError):
    """The catalogue (or the errata file) is malformed; the message names the entry and the fault."""


@dataclass(frozen=True)
class Source:
    """Where a requirement comes from: a file relative to ``shared/``, a heading, a verbatim quote."""

    file: str
    heading: str
    quote: str


@dataclass(frozen=True)
class Requirement:
    """One testable rule of the documents."""

    id: str
    level: str
    operations: tuple[str, ...]
    profiles: tuple[str, ...]
    statement: str
    source: Source
    readback: bool  # checking it needs state read back through a browse operation
    erratum: str | None  # the docs/errata.md position the level rests on, if any


# --- loading ------------------------------------------------------------------------------------
def _names(value: Any, what: str, where: str, known: frozenset[str]) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise CatalogueError(f"{where}: '{what}' must be a non-empty list of strings")
    unknown = [v for v in value if v not in known]
    if unknown:
        raise CatalogueError(
            f"{where}: unknown {what} {', '.join(map(repr, unknown))}; known: {', '.join(sorted(known))}"
        )
    if len(set(value)) != len(value):
        raise CatalogueError(f"{where}: '{what}' lists a name twice")
    return tuple(value)


def _text(value: Any, what: str, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CatalogueError(f"{where}: '{what}' must be a non-empty string")
    return value.strip()


def _source(value: Any, where: str) -> Source:
    if not isinstance(value, dict):
        raise CatalogueError(f"{where}: 'source' must be a mapping with file, heading and quote")
    keys = set(value)
    if keys != _SOURCE_KEYS:
        missing, extra = sorted(_SOURCE_KEYS - keys), sorted(keys - _SOURCE_KEYS)
        raise CatalogueError(f"{where}: source keys wrong (missing {missing}, unexpected {extra})")
    file = _text(value["file"], "source.file", where)
    if file.startswith("/") or "\\" in file or ".." in Path(file).parts:
        raise CatalogueError(f"{where}: source.file must be a path relative to shared/, got {file!r}")
    heading = _text(value["heading"], "source.heading", where)
    return Source(file, heading, _text(value["quote"], "source.quote", where))


def _requirement(
    entry: Any,
    index: int,
    *,
    operations: frozenset[str],
    profiles: frozenset[str],
    errata_ids: frozenset[str] | None,
) -> Requirement:
    where = f"entry {index}"
    if not isinstance(entry, dict):
        raise CatalogueError(f"{where}: must be a mapping")
    rid = entry.get("id")
    if isinstance(rid, str):
        where = f"entry {index} ({rid})"
    keys = set(entry)
    if keys != _ENTRY_KEYS:
        missing, extra = sorted(_ENTRY_KEYS - keys), sorted(keys - _ENTRY_KEYS)
        raise CatalogueError(f"{where}: keys wrong (missing {missing}, unexpected {extra})")
    if not isinstance(rid, str) or not ID_PATTERN.match(rid):
        raise CatalogueError(
            f"{where}: id {rid!r} is not AREA-TOPIC[-DETAIL] in upper case with a known area "
            f"({', '.join(AREAS)})"
        )
    level = entry["level"]
    if level not in LEVELS:
        raise CatalogueError(f"{where}: unknown level {level!r}; expected one of {', '.join(LEVELS)}")
    readback = entry["readback"]
    if not isinstance(readback, bool):
        raise CatalogueError(f"{where}: 'readback' must be true or false")
    erratum = entry["erratum"]
    if erratum is not None:
        if not isinstance(erratum, str) or not ERRATUM_PATTERN.match(erratum):
            raise CatalogueError(f"{where}: erratum {erratum!r} is not of the form E01")
        if errata_ids is not None and erratum not in errata_ids:
            raise CatalogueError(
                f"{where}: unknown erratum {erratum!r} (no '## {erratum} — ...' in docs/errata.md)"
            )
    return Requirement(
        id=rid,
        level=level,
        operations=_names(entry["operations"], "operations", where, operations),
        profiles=_names(entry["profiles"], "profiles", where, profiles),
        statement=_text(entry["statement"], "statement", where),
        source=_source(entry["source"], where),
        readback=readback,
        erratum=erratum,
    )


def parse_catalogue(
    data: Any,
    *,
    operations: Iterable[str],
    profiles: Iterable[str],
    errata_ids: Iterable[str] | None,
) -> dict[str, Requirement]:
    """Validate the parsed YAML ``data`` and build ``{id: Requirement}`` in file order.

    ``errata_ids=None`` checks erratum IDs for their form only.
    """
    if not isinstance(data, dict) or set(data) != {"requirements"}:
        raise CatalogueError("the catalogue must be a mapping with one key, 'requirements'")
    entries = data["requirements"]
    if not isinstance(entries, list) or not entries:
        raise CatalogueError("'requirements' must be a non-empty list")
    ops, profs = frozenset(operations), frozenset(profiles)
    errs = None if errata_ids is None else frozenset(errata_ids)
    out: dict[str, Requirement] = {}
    for i, entry in enumerate(entries, start=1):
        req = _requirement(entry, i, operations=ops, profiles=profs, errata_ids=errs)
        if req.id in out:
            first = list(out).index(req.id) + 1
            raise CatalogueError(
                f"entry {i}: duplicate requirement id {req.id!r} (first given by entry {first})"
            )
        out[req.id] = req
    return out


def read_catalogue(
    path: Path,
    *,
    operations: Iterable[str],
    profiles: Iterable[str],
    errata_ids: Iterable[str] | None,
) -> dict[str, Requirement]:
    """Load and validate the catalogue file at ``path``; errors are prefixed with the file name."""
    try:
        data = load_strict(path.read_text(encoding="utf-8"))
        return parse_catalogue(data, operations=operations, profiles=profiles, errata_ids=errata_ids)
    except (CatalogueError, yaml.YAMLError) as exc:
        raise CatalogueError(f"{path.name}: {exc}") from None


# --- the names the catalogue is checked against ------------------------------------------------
def known_operations() -> tuple[str, ...]:
    """The operationIds of the contract (``conformance.contract.OPERATIONS``)."""
    try:
        from conformance import contract
    except ModuleNotFoundError as exc:
        if exc.name != "conformance.contract":
            raise
        raise CatalogueError(
            "conformance.contract is missing: the operation names cannot be checked"
        ) from None
    return tuple(contract.OPERATIONS)


def _known_profiles() -> tuple[str, ...]:
    from conformance.profiles import PROFILES

    return tuple(PROFILES)


def parse_errata(text: str) -> dict[str, str]:
    """``{erratum id: title}`` from the ``## E01 — title`` headings of an errata document."""
    found: dict[str, str] = {}
    for m in _ERRATUM_HEADING.finditer(text):
        if m.group(1) in found:
            raise CatalogueError(f"docs/errata.md: {m.group(1)} is headed twice")
        found[m.group(1)] = m.group(2)
    return found


@cache
def errata() -> dict[str, str]:
    """The errata of ``docs/errata.md`` (id -> title); FileNotFoundError outside a repository."""
    if not ERRATA_PATH.is_file():
        raise FileNotFoundError(
            f"{ERRATA_PATH} not found: the errata live in the repository, not in the wheel"
        )
    return parse_errata(ERRATA_PATH.read_text(encoding="utf-8"))


# --- the public interface -----------------------------------------------------------------------
@cache
def load_catalogue() -> dict[str, Requirement]:
    """The catalogue, validated against the contract, the profiles and the errata (cached)."""
    errata_ids = errata().keys() if ERRATA_PATH.is_file() else None
    return read_catalogue(
        CATALOGUE_PATH,
        operations=known_operations(),
        profiles=_known_profiles(),
        errata_ids=errata_ids,
    )


def get(req_id: str) -> Requirement:
    """The requirement ``req_id``; KeyError naming the catalogue file when there is none."""
    try:
        return load_catalogue()[req_id]
    except KeyError:
        raise KeyError(f"{req_id!r} is not a requirement of {CATALOGUE_PATH.name}") from None


def by_operation(operation_id: str) -> list[Requirement]:
    """The requirements that cover ``operation_id``, in catalogue order."""
    ops = known_operations()
    if operation_id not in ops:
        raise KeyError(f"{operation_id!r} is not an operation; known: {', '.join(ops)}")
    return [r for r in load_catalogue().values() if operation_id in r.operations]


def levels() -> Mapping[str, str]:
    """``{id: level}``: the catalogue reduced to what a verdict needs."""
    return {rid: r.level for rid, r in load_catalogue().items()}
