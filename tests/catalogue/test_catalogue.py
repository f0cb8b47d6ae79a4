"""The requirement catalogue and the errata: every rule traceable to a sentence, every name known.

These tests read the real documents under ``shared/`` (``<repo>/../shared`` or ``GROOVE_SHARED_DIR``);
without them the quote tests fail with the reason rather than pass vacuously.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from pathlib import Path

import pytest
import yaml

from conformance import catalogue
from conformance.catalogue import (
    AREAS,
    CATALOGUE_PATH,
    ERRATA_PATH,
    ID_PATTERN,
    LEVELS,
    CatalogueError,
    Requirement,
    by_operation,
    get,
    load_catalogue,
    parse_errata,
    read_catalogue,
)
from conformance.profiles import PROFILES
from conformance.sources import SHARED_ENV, normalise, quote_problem, sections, shared_dir

REPO = Path(__file__).resolve().parents[2]
CORE_OPERATIONS = ("collection_add", "collection_delete", "playlist_create", "playlist_update")


def _architecture_operations() -> tuple[str, ...]:
    """The operationIds of the table in docs/architecture.md ("Operations")."""
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    return tuple(re.findall(r"^\| `([a-z_]+)` \| `(?:GET|POST) ", text, flags=re.MULTILINE))


def _operations() -> tuple[str, ...]:
    """The contract's operations; the architecture's list (with a warning) while contract.py is missing."""
    try:
        return catalogue.known_operations()
    except CatalogueError:
        warnings.warn("conformance.contract is missing: checking operations against docs/architecture.md",
                      stacklevel=2)
        return _architecture_operations()


def _errata_ids() -> set[str]:
    return set(parse_errata(ERRATA_PATH.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def cat() -> dict[str, Requirement]:
    return read_catalogue(
        CATALOGUE_PATH, operations=_operations(), profiles=PROFILES, errata_ids=_errata_ids()
    )


@pytest.fixture(scope="module")
def shared() -> Path:
    return shared_dir()


def _raw_entries() -> list[dict]:
    return yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))["requirements"]


# --- sources ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("entry", _raw_entries(), ids=lambda e: e["id"])
def test_quote_is_found_under_its_heading(entry: dict, shared: Path) -> None:
    src = entry["source"]
    assert quote_problem(shared, src["file"], src["heading"], src["quote"]) is None


def test_quote_checker_catches_a_quote_that_is_not_there(shared: Path) -> None:
    f = "seeds/000_49ef52240da7cdbc.txt"
    assert quote_problem(shared, f, "Remarks", "The number of tracks per batch is limited to 100.") is None
    assert "not under heading" in quote_problem(shared, f, "Remarks", '"Message": "Number of tracks for this')
    assert "nowhere" in quote_problem(shared, f, "Remarks", "limited to 1000 tracks")
    assert "no heading" in quote_problem(shared, f, "No such heading", "limited to 100")
    assert "no such source file" in quote_problem(shared, "seeds/missing.txt", "Remarks", "x")


def test_normalise_removes_escapes_entities_and_whitespace() -> None:
    assert normalise("COLLECTION\\_INVALID\\_ID") == "COLLECTION_INVALID_ID"
    assert normalise("&lt;TrackIds&gt;\n   &lt;d2p1:string&gt;") == "<TrackIds> <d2p1:string>"
    assert normalise("eyJB\\[...\\]  \t x") == "eyJB[...] x"


def test_sections_follow_heading_levels(shared: Path) -> None:
    text = (shared / "seeds/003_006793c08362df22.txt").read_text(encoding="utf-8")
    (meta,) = sections(text, "Update playlist metadata")  # setext level 2; its #### subsections included
    assert "Fill me up with love" in meta and "Fill me up with hate" not in meta


def test_source_files_are_relative_to_shared(cat: dict[str, Requirement], shared: Path) -> None:
    for r in cat.values():
        assert not Path(r.source.file).is_absolute() and ".." not in Path(r.source.file).parts, r.id
        assert (shared / r.source.file).is_file(), f"{r.id}: {r.source.file}"


def test_shared_dir_honours_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "groove-spec-notes.md").write_text("# notes\n", encoding="utf-8")
    monkeypatch.setenv(SHARED_ENV, str(tmp_path))
    assert shared_dir() == tmp_path
    monkeypatch.setattr("conformance.sources.repo_dir", lambda: tmp_path / "nowhere" / "repo")
    monkeypatch.setenv(SHARED_ENV, str(tmp_path / "empty"))
    with pytest.raises(FileNotFoundError, match=SHARED_ENV):
        shared_dir()


# --- shape of the catalogue -------------------------------------------------------------------------
def test_ids_are_unique_and_well_formed() -> None:
    ids = [e["id"] for e in _raw_entries()]
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    assert [i for i in ids if not ID_PATTERN.match(i)] == []
    assert {i.split("-", 1)[0] for i in ids} <= set(AREAS)


def test_levels_are_known(cat: dict[str, Requirement]) -> None:
    assert {r.level for r in cat.values()} <= set(LEVELS)
    assert {"MUST", "SHOULD"} <= {r.level for r in cat.values()}


def test_every_operation_has_requirements(cat: dict[str, Requirement]) -> None:
    per_op = Counter(op for r in cat.values() for op in r.operations)
    for op in _operations():
        assert per_op[op] >= (10 if op in CORE_OPERATIONS else 3), op


def test_contract_operations_match_the_architecture() -> None:
    try:
        ops = catalogue.known_operations()
    except CatalogueError:
        pytest.skip("conformance.contract is not there yet")
    assert set(ops) == set(_architecture_operations())


def test_every_profile_is_covered_and_dialect_rules_are_marked(cat: dict[str, Requirement]) -> None:
    for name in PROFILES:
        assert any(name in r.profiles for r in cat.values())
    assert cat["AUTH-BEARER"].profiles == ("groove-2016",)
    assert cat["AUTH-XBL"].profiles == ("xbox-2013",)
    assert cat["XML-NS-XBOX"].profiles == ("xbox-2013",)


def test_statements_are_single_sentences(cat: dict[str, Requirement]) -> None:
    for r in cat.values():
        assert r.statement.endswith("."), r.id
        assert "\n" not in r.statement, r.id


def test_core_operations_have_batch_limits_and_auth(cat: dict[str, Requirement]) -> None:
    for prefix, op in (("ADD", "collection_add"), ("CDEL", "collection_delete"),
                       ("PCRE", "playlist_create"), ("PUPD", "playlist_update")):
        assert f"{prefix}-LIMIT-100" in cat and f"{prefix}-LIMIT-101" in cat, prefix
        assert op in cat[f"{prefix}-LIMIT-101"].operations
        assert f"AUTH-MISSING-{prefix}" in cat


# --- errata -----------------------------------------------------------------------------------------
def _errata_sections() -> dict[str, str]:
    text = ERRATA_PATH.read_text(encoding="utf-8")
    parts = re.split(r"(?m)^(?=## E\d{2} — )", text)
    return {p[3:6]: p for p in parts if p.startswith("## E")}


def test_errata_are_numbered_without_gaps() -> None:
    ids = sorted(_errata_ids())
    assert ids == [f"E{i:02d}" for i in range(1, len(ids) + 1)]
    assert len(ids) >= 20


def test_every_cited_erratum_exists(cat: dict[str, Requirement]) -> None:
    known = _errata_ids()
    assert {r.erratum for r in cat.values() if r.erratum} <= known


def test_every_erratum_is_cited_or_says_not_tested(cat: dict[str, Requirement]) -> None:
    cited = {r.erratum for r in cat.values() if r.erratum}
    for eid, body in _errata_sections().items():
        assert eid in cited or "not tested" in body.lower(), eid


def test_requirements_line_of_each_erratum_matches_the_catalogue(cat: dict[str, Requirement]) -> None:
    for eid, body in _errata_sections().items():
        m = re.search(r"\*\*Requirements:\*\* (.+?)(?:\n\n|\Z)", body, flags=re.DOTALL)
        assert m, f"{eid} has no **Requirements:** line"
        listed = set() if m.group(1).startswith("none") else {s.strip() for s in m.group(1).split(",")}
        assert listed == {r.id for r in cat.values() if r.erratum == eid}, eid
        if not listed:
            assert "not tested" in m.group(1), eid


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def test_table_of_contents_links_every_erratum() -> None:
    text = ERRATA_PATH.read_text(encoding="utf-8")
    titles = parse_errata(text)
    rows = dict(re.findall(r"^\| \[(E\d{2})\]\(#([^)]+)\) \|", text, flags=re.MULTILINE))
    assert rows.keys() == titles.keys()
    for eid, title in titles.items():
        assert rows[eid] == _slug(f"{eid} — {title}"), eid


def test_errata_starts_with_the_principle() -> None:
    head = ERRATA_PATH.read_text(encoding="utf-8").split("## Contents")[0]
    assert "every* reasonable reading" in head and "`MUST`" in head and "`SHOULD`" in head


# --- the loader -------------------------------------------------------------------------------------
def test_load_catalogue_is_cached_and_complete() -> None:
    first = load_catalogue()
    assert load_catalogue() is first
    assert len(first) == len(_raw_entries())
    assert get("ADD-LIMIT-101").level == "MUST"
    assert all("collection_add" in r.operations for r in by_operation("collection_add"))
    assert catalogue.errata()["E01"].startswith("Error-code spelling")
    assert catalogue.levels()["ERR-CODE-UNDERSCORE"] == "SHOULD"


def test_get_and_by_operation_name_what_is_unknown() -> None:
    load_catalogue()
    with pytest.raises(KeyError, match="NOPE-X"):
        get("NOPE-X")
    with pytest.raises(KeyError, match="collection_teleport"):
        by_operation("collection_teleport")


ENTRY = """\
  - id: {id}
    level: {level}
    operations: [{op}]
    profiles: [{profile}]
    statement: A statement.
    source: {{file: seeds/000_49ef52240da7cdbc.txt, heading: Remarks, quote: limited to 100}}
    readback: false
    erratum: {erratum}
"""


def _write(tmp_path: Path, *entries: dict, extra: str = "") -> Path:
    body = "requirements:\n"
    for e in entries:
        values = {"id": "ADD-X", "level": "MUST", "op": "collection_add", "profile": "groove-2016",
                  "erratum": "null", **e}
        body += ENTRY.format(**values)
    path = tmp_path / "requirements.yaml"
    path.write_text(body + extra, encoding="utf-8")
    return path


def _load(path: Path) -> dict[str, Requirement]:
    return read_catalogue(path, operations=_operations(), profiles=PROFILES, errata_ids=_errata_ids())


def test_a_well_formed_temporary_file_loads(tmp_path: Path) -> None:
    req = _load(_write(tmp_path, {"id": "ADD-X", "erratum": "E14"}))["ADD-X"]
    assert req.operations == ("collection_add",) and req.erratum == "E14" and req.readback is False
    assert req.source.heading == "Remarks"


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (
            ({"id": "ADD-X"}, {"id": "ADD-X"}),
            r"entry 2: duplicate requirement id 'ADD-X' \(first given by entry 1\)",
        ),
        (
            ({"level": "MUSTN'T"},),
            r"entry 1 \(ADD-X\): unknown level \"MUSTN'T\"; expected one of MUST, SHOULD, MAY",
        ),
        (({"level": "must"},), r"unknown level 'must'"),
        (({"op": "collection_teleport"},), r"unknown operations 'collection_teleport'"),
        (({"profile": "zune-2006"},), r"unknown profiles 'zune-2006'"),
        (({"erratum": "E99"},), r"unknown erratum 'E99'"),
        (({"erratum": "e1"},), r"erratum 'e1' is not of the form E01"),
        (({"id": "ADD_X"},), r"id 'ADD_X' is not AREA-TOPIC\[-DETAIL\]"),
        (({"id": "FOO-BAR"},), r"id 'FOO-BAR' is not AREA-TOPIC"),
        (({"id": "ADD-A-B-C"},), r"id 'ADD-A-B-C' is not AREA-TOPIC"),
    ],
)
def test_a_broken_file_is_refused_with_a_clear_message(tmp_path: Path, entries: tuple, message: str) -> None:
    with pytest.raises(CatalogueError, match=message) as info:
        _load(_write(tmp_path, *entries))
    assert str(info.value).startswith("requirements.yaml: ")


def test_missing_and_unexpected_keys_are_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, {})
    path.write_text(path.read_text(encoding="utf-8").replace("    readback: false\n", ""), encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"missing \['readback'\]"):
        _load(path)
    path = _write(tmp_path, {})
    path.write_text(path.read_text(encoding="utf-8") + "    rationale: extra\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"unexpected \['rationale'\]"):
        _load(path)


def test_a_key_given_twice_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, {})
    path.write_text(path.read_text(encoding="utf-8") + "    level: SHOULD\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="key 'level' given twice"):
        _load(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]\n", "one key, 'requirements'"),
        ("requirements: []\n", "non-empty list"),
        ("requirements:\n  - just a string\n", "entry 1: must be a mapping"),
        ("requirements: [\n", "requirements.yaml: "),
    ],
)
def test_a_malformed_document_is_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "requirements.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError, match=re.escape(message)):
        _load(path)


def test_a_source_outside_shared_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, {})
    text = path.read_text(encoding="utf-8").replace("file: seeds/", "file: ../../etc/")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError, match="relative to shared/"):
        _load(path)


def test_an_erratum_headed_twice_is_refused() -> None:
    with pytest.raises(CatalogueError, match="E01 is headed twice"):
        parse_errata("## E01 — one\n\n## E01 — two\n")
