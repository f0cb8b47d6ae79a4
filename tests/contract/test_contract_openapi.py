"""openapi.yaml is valid OpenAPI 3.1, loads in schemathesis, agrees with the architecture
document, and its examples both validate and are quoted verbatim from the pages they name."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import schemathesis
from openapi_spec_validator import validate as validate_spec
from schemathesis.specs.openapi.stateful import collect_transitions

from conformance import contract, xml_codec
from conformance.profiles import PROFILES

from .pages import REPO, all_examples, shared_dir

ARCHITECTURE = REPO / "docs" / "architecture.md"

# The links stateful testing follows: (source operation, status, link name) -> target operation.
EXPECTED_LINKS = {
    ("collection_add", "200", "DeleteAddedTrack"): "collection_delete",
    ("collection_add", "200", "BrowseCollectionTracks"): "collection_browse",
    ("playlist_create", "200", "UpdateCreatedPlaylist"): "playlist_update",
    ("playlist_create", "200", "DeleteCreatedPlaylist"): "playlist_delete",
    ("playlist_create", "200", "BrowseCreatedPlaylistTracks"): "playlist_tracks_browse",
    ("playlist_update", "200", "BrowseUpdatedPlaylistTracks"): "playlist_tracks_browse",
    ("collection_browse", "200", "NextPage"): "collection_browse",
    ("playlist_tracks_browse", "200", "NextPage"): "playlist_tracks_browse",
}


def test_openapi_is_valid_openapi_3_1() -> None:
    spec = contract.load_openapi()
    assert spec["openapi"].startswith("3.1")
    validate_spec(spec, base_uri=contract.OPENAPI_PATH.resolve().as_uri())


def test_operations_are_those_of_the_architecture_document() -> None:
    table = re.findall(
        r"^\| `(\w+)` \| `(GET|POST) (\S+)` \|$", ARCHITECTURE.read_text(encoding="utf-8"), re.M
    )
    assert table, "the operations table of docs/architecture.md was not found"
    assert contract.OPERATIONS == {op: (method, path) for op, method, path in table}


def test_schema_files_are_those_of_the_architecture_document() -> None:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    section = text.split("**Schema names**", 1)[1].split("\n\n", 1)[0]
    documented = set(re.findall(r"`(\w+)`", section)) - {"report"}  # report.json is the reports' own
    assert documented <= set(contract.schema_names())
    assert set(contract.schema_names()) - {"report"} == documented


def test_components_only_refer_to_the_schema_files() -> None:
    """No object is defined twice: every component that names an object is a bare $ref to its file."""
    components = contract.load_openapi()["components"]["schemas"]
    for name in contract.schema_names():
        if name == "report":
            continue
        assert components[name] == {"$ref": f"./schemas/{name}.json"}, name
    for name, schema in components.items():
        if name not in contract.schema_names():
            assert "properties" not in schema, f"{name} defines members; put them in schemas/"


def test_schemathesis_loads_every_operation_and_link() -> None:
    schema = schemathesis.openapi.from_path(str(contract.OPENAPI_PATH))
    operations = []
    for result in schema.get_all_operations():
        operations.append(result.ok())  # .ok() raises on an operation schemathesis cannot use
    by_label = {op.label: op.definition.raw["operationId"] for op in operations}
    assert sorted(by_label.values()) == sorted(contract.OPERATIONS)
    transitions = collect_transitions(operations)  # raises on a link it cannot resolve
    found = {}
    for source, ops in transitions.operations.items():
        for link in ops.outgoing:
            found[(by_label[source], link.status_code, link.name)] = by_label[link.target.label]
    assert found == EXPECTED_LINKS


def test_links_point_into_the_response_schemas() -> None:
    """Each $response.body pointer names members the 200 schema defines."""
    spec = contract.load_openapi()
    for op_id, (method, path) in contract.OPERATIONS.items():
        response = spec["paths"][path][method.lower()]["responses"]["200"]
        schema_name = contract.response_schema(op_id, 200)
        for link in response.get("links", {}).values():
            values = [*link.get("parameters", {}).values(), *_strings(link.get("requestBody"))]
            for value in values:
                m = re.fullmatch(r"\$response\.body#(/.+)", str(value))
                if m:
                    _assert_pointer_defined(schema_name, m.group(1).split("/")[1:])


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _assert_pointer_defined(schema_name: str | None, parts: list[str]) -> None:
    assert schema_name
    schema = contract.load_schema(schema_name)
    for part in parts:
        schema = _follow(schema)
        if part.isdigit():
            schema = _follow(schema)["items"]
        else:
            assert part in schema.get("properties", {}), f"{schema_name}: no member {part}"
            schema = schema["properties"][part]


def _follow(schema: dict) -> dict:
    """Through $ref, the non-null branch of anyOf, and allOf (first part with the wanted keys)."""
    while True:
        if "$ref" in schema:
            schema = contract.load_schema(schema["$ref"].rsplit("/", 1)[-1].removesuffix(".json"))
        elif "anyOf" in schema:
            schema = next(b for b in schema["anyOf"] if b.get("type") != "null")
        elif "allOf" in schema:
            merged: dict = {}
            for part in schema["allOf"]:
                part = _follow(part)
                for key, value in part.items():
                    if key == "properties" and key in merged:
                        merged[key] = {**merged[key], **value}
                    else:
                        merged.setdefault(key, value)
            schema = merged
        else:
            return schema


# --- the examples inside openapi.yaml ---------------------------------------------------------


def _openapi_examples() -> list[tuple[str, str, str, int | None, str, dict]]:
    """(id, operation, media type, status or None for the request, name, example object)."""
    spec = contract.load_openapi()
    out = []

    def resolve(node: dict) -> dict:
        while "$ref" in node and node["$ref"].startswith("#/"):
            target: dict = spec
            for part in node["$ref"][2:].split("/"):
                target = target[part]
            node = target
        return node

    for op_id, (method, path) in contract.OPERATIONS.items():
        op = spec["paths"][path][method.lower()]
        places = []
        if "requestBody" in op:
            places.append((None, resolve(op["requestBody"])))
        for status, response in op["responses"].items():
            places.append((int(status), resolve(response)))
        for status, holder in places:
            for media, content in holder.get("content", {}).items():
                for name, example in content.get("examples", {}).items():
                    where = "request" if status is None else str(status)
                    out.append((f"{op_id}:{where}:{media}:{name}", op_id, media, status, name, example))
    return out


OPENAPI_EXAMPLES = _openapi_examples()


def test_openapi_has_examples_for_every_operation() -> None:
    assert {e[1] for e in OPENAPI_EXAMPLES} == set(contract.OPERATIONS)
    assert len(OPENAPI_EXAMPLES) >= 30


@pytest.mark.parametrize(
    ("op_id", "media", "status", "example"),
    [e[1:4] + (e[5],) for e in OPENAPI_EXAMPLES],
    ids=[e[0] for e in OPENAPI_EXAMPLES],
)
def test_openapi_example_validates(op_id: str, media: str, status: int | None, example: dict) -> None:
    value = example["value"]
    if media == "application/xml":
        profile = next(p for p in PROFILES.values() if p.xml_namespace in value)
        _, value = xml_codec.decode(value.encode("utf-8"), profile)
    if status is None:
        errors = contract.validate_request(op_id, value)
    else:
        name = contract.response_schema(op_id, status)
        assert name, f"{op_id} documents no JSON schema for {status}"
        errors = contract.validate(name, value)
    assert errors == []


def _normal_xml(text: str) -> str:
    return re.sub(r">\s+<", "><", text.strip())


@pytest.mark.parametrize(
    ("op_id", "media", "status", "example"),
    [e[1:4] + (e[5],) for e in OPENAPI_EXAMPLES],
    ids=[e[0] for e in OPENAPI_EXAMPLES],
)
def test_openapi_example_is_quoted_from_the_page_it_names(
    op_id: str, media: str, status: int | None, example: dict
) -> None:
    m = re.fullmatch(r"(?P<file>\S+) — (?P<heading>.+?)(?: \((?P<note>[^()]*)\))?", example["summary"])
    assert m, f"summary must be '<file relative to shared/> — <heading> [(note)]': {example['summary']!r}"
    assert (shared_dir() / m.group("file")).is_file(), m.group("file")
    fmt = "xml" if media == "application/xml" else "json"
    quoted = [
        e
        for e in all_examples()
        if e.file == m.group("file")
        and e.heading == m.group("heading")
        and e.fmt == fmt
        and e.role in ("sample", "request" if status is None else "response")
    ]
    assert quoted, f"no {fmt} example under {m.group('heading')!r} in {m.group('file')}"
    if fmt == "xml":
        assert _normal_xml(example["value"]) in [_normal_xml(str(e.body)) for e in quoted]
    else:
        assert example["value"] in [e.body for e in quoted]
        assert status is None or status in [e.status or 200 for e in quoted if e.body == example["value"]]


# --- limits ------------------------------------------------------------------------------------


def test_limits_are_read_from_the_contract() -> None:
    request = contract.load_schema("TrackActionRequest")["properties"]["TrackIds"]
    name = contract.load_schema("PlaylistAction")["properties"]["Name"]
    max_items = contract.query_parameter_schema("collection_browse", "maxItems")
    assert max_items is not None
    assert contract.LIMITS == contract.Limits(
        batch_max=request["maxItems"],
        name_min=name["minLength"],
        name_max=name["maxLength"],
        browse_max_items=max_items["maximum"],
        browse_default_items=max_items["default"],
        browse_min_items=max_items["minimum"],
    )


def test_limits_say_what_the_pages_say() -> None:
    def number(file: str, pattern: str) -> int:
        m = re.search(pattern, (shared_dir() / file).read_text(encoding="utf-8"))
        assert m, f"{pattern!r} not found in {file}"
        return int(m.group(1))

    assert contract.LIMITS.batch_max == number("seeds/000_49ef52240da7cdbc.txt", r"limited to (\d+)\.")
    assert contract.LIMITS.name_max == number(
        "seeds/001_fabf306c29505681.txt", r"restricted to (\d+) characters"
    )
    assert contract.LIMITS.browse_max_items == number(
        "reference/groove-docs/uri-browse-user-collection-playlist.md",
        r"default value is (\d+), and it's the maximum",
    )
    assert contract.LIMITS.name_min == 1  # "cannot be empty"
    # "The default value is 25, and it's the maximum value allowed as well."
    assert contract.LIMITS.browse_default_items == contract.LIMITS.browse_max_items
    assert contract.LIMITS.browse_min_items == 1


# --- browse types ------------------------------------------------------------------------------

BROWSE_PAGE = "reference/groove-docs/uri-browse-user-collection-playlist.md"


def test_browse_types_are_the_type_enum() -> None:
    schema = contract.path_parameter_schema("collection_browse", "type")
    assert schema is not None
    assert contract.BROWSE_TYPES == tuple(schema["enum"]) == tuple(contract.BROWSE_MEMBERS)


def test_browse_types_are_those_the_page_lists() -> None:
    text = (shared_dir() / BROWSE_PAGE).read_text(encoding="utf-8")
    m = re.search(r"The following values are supported: (.+?)\.\s*\|", text)
    assert m, "the type row of the browse page was not found"
    assert set(re.findall(r'"(\w+)"', m.group(1))) == set(contract.BROWSE_TYPES)


def test_browse_members_are_those_the_page_answers() -> None:
    """Each example request of the browse page that is answered with a list: its type's member is
    the top-level member of the answer (x-content-member in openapi.yaml)."""
    text = (shared_dir() / BROWSE_PAGE).read_text(encoding="utf-8")
    seen: dict[str, str] = {}
    # each example: its request line, then (before the next request) the answer's first member
    example = re.compile(r"^GET /1/content/music/collection/(\w+)/browse(.*?)(?=^GET |\Z)", re.S | re.M)
    for kind, answer in example.findall(text):
        member = re.search(r'```json[^{]*\{\s*"(\w+)"', answer)
        assert member, f"no JSON answer after the {kind} request"
        if member.group(1) != "Error":
            seen.setdefault(kind, member.group(1))
    assert set(seen) == set(contract.BROWSE_TYPES)
    assert seen == dict(contract.BROWSE_MEMBERS)


def test_browse_members_cannot_be_changed_by_a_caller() -> None:
    with pytest.raises(TypeError):
        contract.BROWSE_MEMBERS["tracks"] = "Albums"  # type: ignore[index]


def test_query_parameters_in_the_contracts_order() -> None:
    browse = ("orderBy", "maxItems", "page", "continuationToken", "contentType")
    assert contract.query_parameters("collection_browse") == browse
    assert contract.query_parameters("playlist_tracks_browse") == browse
    assert contract.query_parameters("collection_add") == ("contentType",)
