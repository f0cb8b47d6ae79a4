"""The contract, loaded: ``openapi.yaml`` and ``schemas/*.json``, and validation against them.

Every shape the project knows is written once, in those files; the emulator, the client, the
XML codec and the suite read it from here.  The files are reached through
``conformance/_contract/`` (symlinks to the repository's copies) so that an installed wheel
carries them too.  Loads are cached; callers get copies, so nobody can change the shared
contract by mutating what they were given.

Validation runs twice only when it fails: a compiled validator (``jsonschema_rs``) answers "valid"
for the common case in microseconds, and any other answer (invalid, or an instance or schema it
cannot take) goes to ``jsonschema``, whose messages are the ones reported. So the fast path can
only skip work, never add a finding: a verdict is always jsonschema's.

Validation messages name the failing place as a JSON path (``$.TrackActionResults[0].InputId``)
and the JSON Schema keyword that failed, in brackets, so that a report reader sees at once
what is wrong and tests can tell one reason from another.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import jsonschema_rs

from conformance.yaml_files import load_safe

if TYPE_CHECKING:  # imported where used: a run whose answers all validate never needs them
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError
    from referencing import Registry

CONTRACT_DIR = Path(__file__).resolve().parent / "_contract"
OPENAPI_PATH = CONTRACT_DIR / "openapi.yaml"
SCHEMAS_DIR = CONTRACT_DIR / "schemas"

# The base every schema's $id lives under; openapi.yaml is registered beside it so that its
# relative references ("./schemas/X.json") resolve to the same resources.
SCHEMA_BASE = "https://groove-conformance.invalid/schemas/"
OPENAPI_URI = "https://groove-conformance.invalid/openapi.yaml"

_HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
_MAX_SHOWN = 80  # characters of a failing value quoted in a message
_INTEGER = re.compile(r"^[+-]?[0-9]+$")


class ContractError(LookupError):
    """A name the contract does not define (schema, operation), or a broken contract file."""


@dataclass(frozen=True)
class Limits:
    """The numeric limits of the documents, as the contract states them."""

    batch_max: int  # TrackIds / TrackActions per request ("limited to 100")
    name_min: int  # playlist names "cannot be empty"
    name_max: int  # "restricted to 256 characters" (UTF-16 code units, E09)
    browse_max_items: int  # maxItems "default 25, and the maximum"
    browse_default_items: int  # maxItems when none is given ("The default value is 25")
    browse_min_items: int  # the smallest maxItems (a page of at least one item)


# --- loading ---------------------------------------------------------------------------------


@functools.cache
def _openapi() -> dict[str, Any]:
    try:
        with OPENAPI_PATH.open(encoding="utf-8") as fh:
            doc = load_safe(fh)
    except FileNotFoundError:
        raise ContractError(f"the contract file {OPENAPI_PATH} is missing (is the package whole?)") from None
    if not isinstance(doc, dict) or "paths" not in doc:
        raise ContractError(f"{OPENAPI_PATH} is not an OpenAPI document")
    return doc


@functools.cache
def _schemas() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(SCHEMAS_DIR.glob("*.json")):
        with path.open(encoding="utf-8") as fh:
            schema = json.load(fh)
        expected_id = SCHEMA_BASE + path.name
        if schema.get("$id") != expected_id:
            raise ContractError(f"{path.name}: $id must be {expected_id!r}, found {schema.get('$id')!r}")
        found[path.stem] = schema
    if not found:
        raise ContractError(f"no schemas found in {SCHEMAS_DIR}")
    return found


@functools.cache
def _registry() -> Registry:
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    resources = [
        (s["$id"], Resource.from_contents(s, default_specification=DRAFT202012)) for s in _schemas().values()
    ]
    # OpenAPI 3.1 schema objects are JSON Schema 2020-12, so the whole document can be a resource.
    resources.append((OPENAPI_URI, DRAFT202012.create_resource(_openapi())))
    return Registry().with_resources(resources)


def load_openapi() -> dict:
    """The parsed ``openapi.yaml`` (a copy: change it freely)."""
    return copy.deepcopy(_openapi())


def load_schema(name: str) -> dict:
    """The JSON Schema ``schemas/<name>.json`` (a copy); :class:`ContractError` for an unknown name."""
    return copy.deepcopy(_schema(name))


def schema_names() -> tuple[str, ...]:
    """Every schema name (file stem), sorted."""
    return tuple(sorted(_schemas()))


def _schema(name: str) -> dict[str, Any]:
    try:
        return _schemas()[name]
    except KeyError:
        raise ContractError(f"unknown schema {name!r}; known: {', '.join(sorted(_schemas()))}") from None


# --- validation ------------------------------------------------------------------------------


@functools.cache
def _validator(name: str) -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(_schema(name), registry=_registry())


@functools.cache
def _pointer_validator(pointer: str) -> Draft202012Validator:
    """A validator for the schema at ``pointer`` inside openapi.yaml (refs resolve from there)."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator({"$ref": f"{OPENAPI_URI}#{pointer}"}, registry=_registry())


@functools.cache
def _fast_registry() -> jsonschema_rs.Registry:
    resources = [(s["$id"], s) for s in _schemas().values()]
    return jsonschema_rs.Registry([*resources, (OPENAPI_URI, _openapi())])


@functools.cache
def _fast_validator(ref: str) -> jsonschema_rs.Validator | None:
    """The compiled twin of the jsonschema validator of the schema at URI ``ref`` (formats not
    asserted, as there; no network); None when it cannot compile it (then every instance takes
    the slow path)."""
    try:
        return jsonschema_rs.Draft202012Validator(
            {"$ref": ref}, registry=_fast_registry(), validate_formats=False, offline=True
        )
    except Exception:  # noqa: BLE001 - any failure to compile only means no fast path
        return None


def _plain_json(value: Any) -> bool:
    """Only the types json.loads makes: outside them the two validators may disagree (a tuple is
    an array to jsonschema_rs and not to jsonschema)."""
    if value is None or isinstance(value, (str, int, float)):  # bool is an int
        return True
    if type(value) is list:
        return all(_plain_json(v) for v in value)
    if type(value) is dict:
        return all(type(k) is str and _plain_json(v) for k, v in value.items())
    return False


def _surely_valid(ref: str, instance: Any) -> bool:
    """True when the compiled validator accepts ``instance``; False for anything else (invalid,
    or not something it can judge): the caller then asks jsonschema."""
    fast = _fast_validator(ref)
    if fast is None:
        return False
    try:
        return _plain_json(instance) and bool(fast.is_valid(instance))
    except Exception:  # noqa: BLE001 - an instance it cannot take (or too deep): jsonschema judges it
        return False


def validate(name: str, instance: Any) -> list[str]:
    """Validate ``instance`` against schema ``name``: ``[]`` when valid, else readable messages."""
    if _surely_valid(_schema(name)["$id"], instance):
        return []
    return _messages(_validator(name).iter_errors(instance))


def validate_request(operation_id: str, instance: Any) -> list[str]:
    """Validate a JSON request body against what ``operation_id`` takes, operation rules included.

    Stricter than ``validate(request_schema(op), body)``: it also applies what openapi.yaml adds
    for the operation (create needs a Name, update and delete an Id; E05).
    """
    op = _operation(operation_id)
    if "requestBody" not in op:
        raise ContractError(f"operation {operation_id!r} takes no request body")
    pointer = _request_body_pointer(operation_id)
    if _surely_valid(_pointer_uri(pointer), instance):
        return []
    return _messages(_pointer_validator(pointer).iter_errors(instance))


def _request_body_pointer(operation_id: str) -> str:
    """Where ``operation_id``'s JSON request body schema is in openapi.yaml (a JSON pointer)."""
    return f"{_operation_pointer(operation_id)}/requestBody/content/application~1json/schema"


def _pointer_uri(pointer: str) -> str:
    """The URI of a place in openapi.yaml, as jsonschema_rs takes it: the pointer's ``{}`` escaped."""
    return f"{OPENAPI_URI}#{quote(pointer, safe='/~')}"


def validate_query(operation_id: str, params: Mapping[str, str]) -> list[str]:
    """Validate query parameter values (as received, strings) against ``operation_id``'s parameters.

    Parameters the operation does not declare (``accessToken``, ``jsonp``, ...) are not judged
    here.  Integer parameters must be written as integers (``maxItems=1``).
    """
    from jsonschema import Draft202012Validator

    out: list[str] = []
    for name, raw in params.items():
        schema = query_parameter_schema(operation_id, name)
        if schema is None:
            continue
        value: Any = raw
        if schema.get("type") == "integer":
            if not _INTEGER.match(raw.strip()):
                out.append(f"query {name}: {_short(raw)} is not an integer [type]")
                continue
            value = int(raw)
        for error in Draft202012Validator(schema).iter_errors(value):
            out.append(f"query {name}: {_short_message(error)} [{error.validator}]")
    return sorted(out)


def _messages(errors: Iterable[ValidationError]) -> list[str]:
    out: list[str] = []
    for error in errors:
        out.extend(_describe(error))
    return sorted(set(out))


def _describe(error: ValidationError) -> list[str]:
    """One error as messages; an anyOf/oneOf failure is told through its most useful branch."""
    if error.validator in ("anyOf", "oneOf") and error.context:
        # Members written as anyOf [X, null]: the null branch says only "is not of type 'null'".
        useful = [e for e in error.context if not (e.validator == "type" and e.validator_value == "null")]
        if useful:
            by_branch: dict[int, list[ValidationError]] = {}
            for sub in useful:
                by_branch.setdefault(sub.schema_path[0], []).append(sub)
            if len(by_branch) == 1:
                return [m for sub in next(iter(by_branch.values())) for m in _describe(sub)]
    return [f"{error.json_path}: {_short_message(error)} [{error.validator}]"]


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else json.dumps(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


def _short_message(error: ValidationError) -> str:
    v, value, inst = error.validator, error.validator_value, error.instance
    if v == "maxItems":
        return f"{len(inst)} items, at most {value} allowed"
    if v == "minItems":
        return f"{len(inst)} items, at least {value} required"
    if v == "maxLength":
        return f"{len(inst)} characters, at most {value} allowed"
    if v == "minLength":
        return f"{len(inst)} characters, at least {value} required"
    if v == "type":
        return f"{_short(inst)} is not of type {' or '.join(value) if isinstance(value, list) else value}"
    if v == "enum":
        return f"{_short(inst)} is not one of {', '.join(map(str, value))}"
    if v == "pattern":
        return f"{_short(inst)} does not match {value}"
    message = error.message
    return message if len(message) <= 2 * _MAX_SHOWN else message[: 2 * _MAX_SHOWN - 3] + "..."


# --- operations ------------------------------------------------------------------------------


@functools.cache
def _operations() -> dict[str, tuple[str, str, str]]:
    """operationId -> (METHOD, path template, JSON pointer of the operation object)."""
    ops: dict[str, tuple[str, str, str]] = {}
    for path, item in _openapi()["paths"].items():
        for method in _HTTP_METHODS:
            op = item.get(method)
            if op is None:
                continue
            op_id = op.get("operationId")
            if not op_id:
                raise ContractError(f"{method.upper()} {path} has no operationId")
            if op_id in ops:
                raise ContractError(f"operationId {op_id!r} is used twice")
            escaped = path.replace("~", "~0").replace("/", "~1")
            ops[op_id] = (method.upper(), path, f"/paths/{escaped}/{method}")
    return ops


def _operation(operation_id: str) -> dict[str, Any]:
    try:
        method, path, _ = _operations()[operation_id]
    except KeyError:
        known = ", ".join(_operations())
        raise ContractError(f"unknown operation {operation_id!r}; known: {known}") from None
    return _openapi()["paths"][path][method.lower()]


def _operation_pointer(operation_id: str) -> str:
    _operation(operation_id)
    return _operations()[operation_id][2]


def _resolve_local(node: dict[str, Any]) -> dict[str, Any]:
    """Follow ``#/components/...`` references inside openapi.yaml."""
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
        target: Any = _openapi()
        for part in node["$ref"][2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
        seen += 1
        if seen > 20:
            raise ContractError(f"reference loop at {node!r}")
    return node


def _schema_name_of(schema: dict[str, Any]) -> str | None:
    """The schema file a (possibly indirect) openapi schema object stands for, if it is one file.

    ``allOf`` wrappers that add operation rules name their first ``$ref``'d file.
    """
    schema = _resolve_local(schema)
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.endswith(".json"):
        return ref.rsplit("/", 1)[-1][: -len(".json")]
    for part in schema.get("allOf", ()):
        name = _schema_name_of(part)
        if name:
            return name
    return None


def response_schema(operation_id: str, status: int) -> str | None:
    """The schema name of ``operation_id``'s JSON answer with ``status``; None if undocumented."""
    responses = _operation(operation_id).get("responses", {})
    response = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX")
    if response is None:
        return None
    media = _resolve_local(response).get("content", {}).get("application/json")
    if not media or "schema" not in media:
        return None
    return _schema_name_of(media["schema"])


def request_schema(operation_id: str) -> str | None:
    """The schema name of the object ``operation_id`` takes as its body; None for GET operations."""
    body = _operation(operation_id).get("requestBody")
    if body is None:
        return None
    media = _resolve_local(body).get("content", {}).get("application/json")
    return _schema_name_of(media["schema"]) if media and "schema" in media else None


def documented_statuses(operation_id: str) -> tuple[int, ...]:
    """The HTTP statuses openapi.yaml documents for ``operation_id``."""
    return tuple(sorted(int(s) for s in _operation(operation_id).get("responses", {}) if s.isdigit()))


@functools.cache  # an immutable answer from a cached document: the emulator asks on every browse
def query_parameters(operation_id: str) -> tuple[str, ...]:
    """The names of ``operation_id``'s query parameters, in the order openapi.yaml lists them."""
    return tuple(
        param["name"]
        for param in map(_resolve_local, _operation(operation_id).get("parameters", ()))
        if param.get("in") == "query"
    )


def query_parameter_schema(operation_id: str, name: str) -> dict[str, Any] | None:
    """The schema of query parameter ``name`` of ``operation_id`` (a copy), or None."""
    param = _parameter(operation_id, name, "query")
    return copy.deepcopy(param.get("schema")) if param is not None else None


def path_parameter_schema(operation_id: str, name: str) -> dict[str, Any] | None:
    """The schema of path parameter ``name`` of ``operation_id`` (a copy), or None."""
    param = _parameter(operation_id, name, "path")
    return copy.deepcopy(param.get("schema")) if param is not None else None


@functools.cache
def credential_parameters() -> dict[str, tuple[str, ...]]:
    """Where the security schemes of openapi.yaml put a credential: location -> parameter names.

    An ``http`` scheme travels in the ``Authorization`` header; an ``apiKey`` scheme in its own
    ``in`` and ``name``. Generated requests leave these to the client, which adds the profile's.
    """
    found: dict[str, list[str]] = {}
    for scheme in _openapi().get("components", {}).get("securitySchemes", {}).values():
        if scheme.get("type") == "http":
            where, name = "header", "Authorization"
        else:
            where, name = scheme.get("in"), scheme.get("name")
        if isinstance(where, str) and isinstance(name, str) and name not in found.setdefault(where, []):
            found[where].append(name)
    return {where: tuple(names) for where, names in found.items()}


def _parameter(operation_id: str, name: str, where: str) -> dict[str, Any] | None:
    for param in _operation(operation_id).get("parameters", ()):
        param = _resolve_local(param)
        if param.get("in") == where and param.get("name") == name:
            return param
    return None


# --- limits ----------------------------------------------------------------------------------


def _read_limits() -> Limits:
    request = _schema("TrackActionRequest")["properties"]["TrackIds"]
    actions = _schema("PlaylistAction")["properties"]["TrackActions"]
    if request["maxItems"] != actions["maxItems"]:
        raise ContractError("TrackIds and TrackActions disagree on the batch limit")
    name = _schema("PlaylistAction")["properties"]["Name"]
    max_items = query_parameter_schema("collection_browse", "maxItems") or {}
    for bound in ("maximum", "default", "minimum"):
        if bound not in max_items:
            raise ContractError(f"collection_browse's maxItems parameter has no {bound}")
    return Limits(
        batch_max=int(request["maxItems"]),
        name_min=int(name["minLength"]),
        name_max=int(name["maxLength"]),
        browse_max_items=int(max_items["maximum"]),
        browse_default_items=int(max_items["default"]),
        browse_min_items=int(max_items["minimum"]),
    )


# --- browse types ----------------------------------------------------------------------------

BROWSE_MEMBER_KEY = "x-content-member"  # the extension of the ``type`` parameter naming the members


def _read_browse_members() -> dict[str, str]:
    """``{type}`` of collection browse -> the ContentResponse member its answer fills.

    The values are the ``type`` parameter's enum; the members its ``x-content-member`` extension
    (the browse page's examples: ``artists`` answers ``Artists``, ``playlistsforyou`` answers
    ``Playlists``, ...). Both must name the same types, and every member must be one of
    ContentResponse's, or the contract is broken.
    """
    param = _parameter("collection_browse", "type", "path")
    if param is None:
        raise ContractError("collection_browse has no {type} path parameter")
    types = param.get("schema", {}).get("enum") or []
    members = param.get(BROWSE_MEMBER_KEY) or {}
    if set(types) != set(members):
        raise ContractError(f"collection_browse's type enum and {BROWSE_MEMBER_KEY} name different types")
    known = _schema("ContentResponse")["properties"]
    unknown = sorted(m for m in members.values() if m not in known)
    if unknown:
        raise ContractError(f"{BROWSE_MEMBER_KEY} names members ContentResponse lacks: {', '.join(unknown)}")
    return {kind: str(members[kind]) for kind in types}


OPERATIONS: dict[str, tuple[str, str]] = {op: (m, p) for op, (m, p, _) in _operations().items()}
LIMITS: Limits = _read_limits()
BROWSE_MEMBERS: Mapping[str, str] = MappingProxyType(_read_browse_members())
"""Collection browse's ``{type}`` values (the enum's order) -> the ContentResponse member each fills."""
BROWSE_TYPES: tuple[str, ...] = tuple(BROWSE_MEMBERS)
