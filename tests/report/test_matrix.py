"""The implementation matrix and the badges (conformance/report/matrix.py, badge.py, their commands)."""

from __future__ import annotations

import copy
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conformance.cli import main
from conformance.report import build_report, write_reports
from conformance.report.badge import GREEN, RED, level_tally, render_badge
from conformance.report.matrix import ABSENT, EMBEDDED_NAME, Column, build_groups, default_name
from conformance.report.matrix_cli import ColumnNameError, column_names
from conformance.report.verdicts import NOT_APPLICABLE

from .fakes import TOKENS, fake_catalogue, fake_records, fake_run

REPO = Path(__file__).resolve().parents[2]
PUBLISHED = [REPO / "reports" / p / "report.json" for p in ("groove-2016", "xbox-2013")]


def two_runs(root: Path) -> list[Path]:
    """report.json (and report.html beside it) of a groove-2016 and an xbox-2013 run."""
    paths = []
    for profile in ("groove-2016", "xbox-2013"):
        report = build_report(
            fake_run(profile=profile),
            fake_records(),
            strict=False,
            baseline=None,
            catalogue=fake_catalogue(),
            secrets=TOKENS,
        )
        write_reports(report, root / profile)
        paths.append(root / profile / "report.json")
    return paths


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_rows_cells_and_not_applicable(tmp_path: Path) -> None:
    g16, x13 = (_load(p) for p in two_runs(tmp_path))
    groups = build_groups([Column("a", g16, "a/report.html"), Column("b", x13, None)])
    rows = {r.id: r for g in groups for r in g.rows}
    assert set(rows) == set(fake_catalogue())  # every requirement once, judged or not applicable
    # AUTH-XBL is of xbox-2013 only: not applicable in the groove-2016 column, judged in the other.
    assert rows["AUTH-XBL"].cells[0].verdict == NOT_APPLICABLE and rows["AUTH-XBL"].cells[0].href is None
    assert rows["AUTH-XBL"].cells[1].verdict != NOT_APPLICABLE
    verdict = {q["id"]: q["verdict"] for q in g16["requirements"]}
    assert rows["ADD-LIMIT-101"].cells[0].verdict == verdict["ADD-LIMIT-101"] == "failed"
    assert rows["ADD-LIMIT-101"].cells[0].href == "a/report.html#req-ADD-LIMIT-101"
    assert rows["ADD-LIMIT-101"].cells[1].href is None  # no report.html for that column
    # Grouped by area in the catalogue's order, then by level.
    keys = [(g.area, g.level) for g in groups]
    assert keys.index(("ADD", "MUST")) < keys.index(("PCRE", "MUST")) < keys.index(("PCRE", "SHOULD"))
    assert all(r.level == g.level for g in groups for r in g.rows)


def test_a_requirement_a_report_does_not_know_is_absent(tmp_path: Path) -> None:
    g16, x13 = (_load(p) for p in two_runs(tmp_path))
    older = copy.deepcopy(g16)
    older["requirements"] = [q for q in older["requirements"] if q["id"] != "REORDER-END"]
    rows = {r.id: r for g in build_groups([Column("a", older), Column("b", x13)]) for r in g.rows}
    assert [c.verdict for c in rows["REORDER-END"].cells][0] == ABSENT


def test_names_from_metadata_and_from_the_command_line(tmp_path: Path) -> None:
    g16 = _load(two_runs(tmp_path)[0])
    assert default_name(g16) == "groove.example"
    assert default_name({**g16, "embedded": True}) == EMBEDDED_NAME
    a, b, c = Path("a/report.json"), Path("b/report.json"), Path("c/report.json")
    assert column_names([a, b, c], []) == [None, None, None]
    assert column_names([a, b, c], ["One", "Two"]) == ["One", "Two", None]
    assert column_names([a, b, c], ["Bee=b/report.json", "One", "Cee=c/report.json"]) == ["One", "Bee", "Cee"]
    assert column_names([a], ["x=y"]) == ["x=y"]  # not a given path: a plain name
    with pytest.raises(ColumnNameError):
        column_names([a], ["One", "Two"])
    with pytest.raises(ColumnNameError):
        column_names([a], ["One=a/report.json", "Other=a/report.json"])


def test_matrix_command_writes_one_self_contained_page(tmp_path: Path) -> None:
    paths = two_runs(tmp_path / "runs")
    out = tmp_path / "matrix.html"
    args = ["matrix", *map(str, paths), "--html", str(out), "--name", "Gateway", "--name", "Xbox"]
    assert main(args) == 0
    html = out.read_text(encoding="utf-8")
    assert "Gateway" in html and "Xbox" in html
    assert 'href="runs/groove-2016/report.html#req-ADD-LIMIT-101"' in html
    assert "<script" not in html and not re.search(r"""(src|href)=["']https?:""", html)
    for token in TOKENS:
        assert token not in html
    # The anchors it links to exist in the report it links to.
    target = (tmp_path / "runs/groove-2016/report.html").read_text(encoding="utf-8")
    for rid in set(re.findall(r'groove-2016/report\.html#req-([A-Z0-9-]+)"', html)):
        assert f'id="req-{rid}"' in target


@pytest.mark.parametrize(
    "setup",
    ["invalid", "missing", "bad-name", "no-dir"],
)
def test_matrix_bad_input_exits_2_and_writes_nothing(
    tmp_path: Path, setup: str, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = [str(p) for p in two_runs(tmp_path / "runs")]
    out = tmp_path / "matrix.html"
    extra: list[str] = []
    if setup == "invalid":
        (tmp_path / "bad.json").write_text('{"schema_version": 1}', encoding="utf-8")
        paths.append(str(tmp_path / "bad.json"))
    elif setup == "missing":
        paths.append(str(tmp_path / "nothing.json"))
    elif setup == "bad-name":
        extra = ["--name", "a", "--name", "b", "--name", "c"]
    else:
        out = tmp_path / "no" / "matrix.html"
    assert main(["matrix", *paths, "--html", str(out), *extra]) == 2
    assert not out.exists()
    assert capsys.readouterr().err.startswith("groove-conformance matrix: ")


def test_the_published_matrix_counts_every_requirement_of_both_profiles() -> None:
    reports = [_load(p) for p in PUBLISHED]
    groups = build_groups([Column(r["profile"], r) for r in reports])
    rows = [r for g in groups for r in g.rows]
    for i, report in enumerate(reports):
        cells = [r.cells[i].verdict for r in rows]
        assert len(rows) == len(report["requirements"]) + len(report["not_applicable"])
        assert cells.count(NOT_APPLICABLE) == len(report["not_applicable"])
        for verdict, n in report["summary"]["by_verdict"].items():
            assert cells.count(verdict) == n


def _svg(report: dict) -> ET.Element:
    return ET.fromstring(render_badge(report))


def test_badge_text_and_colour(tmp_path: Path) -> None:
    report = _load(PUBLISHED[0])
    tally = level_tally(report, "MUST")
    svg = _svg(report)
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert texts == [report["profile"], f"MUST {tally.met}/{tally.judged}"]
    assert tally.failed == 0 and tally.met == tally.judged > 0
    fills = [r.get("fill") for r in svg.iter("{http://www.w3.org/2000/svg}rect")]
    assert fills[-1] == GREEN
    failing = _load(two_runs(tmp_path)[0])  # ADD-LIMIT-101 (MUST) failed
    assert [r.get("fill") for r in _svg(failing).iter("{http://www.w3.org/2000/svg}rect")][-1] == RED
    assert level_tally(failing, "MUST").failed >= 1


def test_badge_text_is_escaped() -> None:
    report = copy.deepcopy(_load(PUBLISHED[0]))
    report["profile"] = '<script>alert(1)</script>&"'
    svg = render_badge(report)
    assert "<script>" not in svg
    assert ET.fromstring(svg).find("{http://www.w3.org/2000/svg}title").text.startswith("<script>")


def test_badge_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "badge.svg"
    assert main(["badge", str(PUBLISHED[1]), "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == render_badge(_load(PUBLISHED[1]))
    capsys.readouterr()
    assert main(["badge", str(PUBLISHED[1])]) == 0
    assert capsys.readouterr().out.startswith("<svg")
    (tmp_path / "bad.json").write_text("[", encoding="utf-8")
    assert main(["badge", str(tmp_path / "bad.json"), "--out", str(tmp_path / "b2.svg")]) == 2
    assert not (tmp_path / "b2.svg").exists()


@pytest.mark.parametrize("profile", ["groove-2016", "xbox-2013"])
def test_the_published_badges_and_matrix_are_up_to_date(profile: str, tmp_path: Path) -> None:
    """reports/ holds what the commands make of the published reports (publish_reports.sh)."""
    path = REPO / "reports" / profile / "report.json"
    assert (REPO / "reports" / profile / "badge.svg").read_text(encoding="utf-8") == render_badge(_load(path))
    out = tmp_path / "m.html"
    assert main(["matrix", *map(str, PUBLISHED), "--html", str(out)]) == 0
    # Same page but for the relative links, which depend on where it is written.
    published = (REPO / "reports" / "matrix.html").read_text(encoding="utf-8")
    strip = re.compile(r'href="[^"#]*report\.html')
    assert strip.sub('href="', out.read_text(encoding="utf-8")) == strip.sub('href="', published)
