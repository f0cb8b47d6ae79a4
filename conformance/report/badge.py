"""An SVG badge of one report ("groove-2016 MUST 130/130"), and the level tally it and the matrix show.

Green when no MUST requirement failed, red otherwise.  An expected failure (a failure the
baseline lists) is a MUST that failed too: it keeps the run's exit status 0 but not the badge
green, since the badge claims the MUST requirements are met.  The counts are the report's own
(``summary.by_level``): met = passed, of every MUST requirement the run judged.

The badge is plain SVG text with every piece of text XML-escaped (a profile name comes from the
report, which is input): no script, no external reference, no font to load.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from conformance.report.verdicts import EXPECTED_FAILURE, FAILED, PASSED

GREEN = "#1a7f37"
RED = "#b3261e"
LABEL_GREY = "#555"
# Verdana 11 px, the usual badge face, averages about 6.5 px a character; a badge a little wider
# than its text is fine, one that cuts it is not, so the estimate errs wide.
CHAR_WIDTH = 7.0
PADDING = 6


@dataclass(frozen=True)
class LevelTally:
    """How one report did on one level: met (passed) of judged, and how many failed."""

    level: str
    met: int
    judged: int
    failed: int  # failed or expected-failure

    @property
    def text(self) -> str:
        return f"{self.met}/{self.judged}"


def level_tally(report: Mapping[str, Any], level: str) -> LevelTally:
    """The tally of ``level`` in ``report`` (its ``summary.by_level``; zeros when absent)."""
    counts = report["summary"]["by_level"].get(level) or {}
    return LevelTally(
        level=level,
        met=int(counts.get(PASSED, 0)),
        judged=sum(int(n) for n in counts.values()),
        failed=int(counts.get(FAILED, 0)) + int(counts.get(EXPECTED_FAILURE, 0)),
    )


def _width(text: str) -> int:
    return int(len(text) * CHAR_WIDTH + 2 * PADDING + 0.5)


def render_badge(report: Mapping[str, Any]) -> str:
    """The badge of ``report``'s MUST requirements as SVG text."""
    tally = level_tally(report, "MUST")
    label = str(report["profile"])
    value = f"MUST {tally.text}"
    colour = RED if tally.failed else GREEN
    lw, vw = _width(label), _width(value)
    total = lw + vw
    title = f"{label}: {value} met" + (f", {tally.failed} failed" if tally.failed else "")
    e_label, e_value, e_title = escape(label), escape(value), escape(title)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" '
        f'aria-label="{escape(title, {chr(34): "&quot;"})}">'
        f"<title>{e_title}</title>"
        f'<rect width="{lw}" height="20" fill="{LABEL_GREY}"/>'
        f'<rect x="{lw}" width="{vw}" height="20" fill="{colour}"/>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="{lw / 2:g}" y="14">{e_label}</text>'
        f'<text x="{lw + vw / 2:g}" y="14">{e_value}</text>'
        "</g></svg>\n"
    )
