"""The documents every requirement cites, and how a quoted sentence is found in them.

A requirement of ``requirements.yaml`` names its source as a file relative to ``shared/``, a
heading of that file and a short verbatim quote.  The documents are markdown converted from
HTML more than once, so the same sentence shows up with different whitespace, with markdown
escapes (``COLLECTION\\_INVALID\\_ID``) or HTML entities (``&lt;TrackIds&gt;``).  A quote is
therefore compared after :func:`normalise` on both sides — never after anything looser, so
that a quote that no longer matches the documents is caught.

``shared/`` is not part of the repository: CI clones it beside the repository, and
``GROOVE_SHARED_DIR`` points elsewhere when it is not there.
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass
from pathlib import Path

SHARED_ENV = "GROOVE_SHARED_DIR"

# A backslash before ASCII punctuation is a markdown escape (\_ \[ \] \* \# ...).
_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_WS = re.compile(r"\s+")
_ATX = re.compile(r"^\s{0,3}(#{1,6})\s*(.*?)\s*#*\s*$")
_SETEXT_1 = re.compile(r"^\s{0,3}=+\s*$")
_SETEXT_2 = re.compile(r"^\s{0,3}-+\s*$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")


def repo_dir() -> Path:
    """The repository this package was loaded from (``conformance/..``)."""
    return Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    """The ``shared/`` directory with the documents: ``$GROOVE_SHARED_DIR`` or ``<repo>/../shared``.

    Raises FileNotFoundError naming both places when neither holds the documents, so that a test
    run without them stops with a clear reason instead of passing vacuously.
    """
    env = os.environ.get(SHARED_ENV)
    candidates = [Path(env)] if env else []
    candidates.append(repo_dir().parent / "shared")
    for path in candidates:
        if (path / "groove-spec-notes.md").is_file():
            return path
    tried = ", ".join(str(p) for p in candidates)
    raise FileNotFoundError(
        f"the source documents (shared/) were not found (tried {tried}); "
        f"clone them beside the repository or set {SHARED_ENV}"
    )


def normalise(text: str) -> str:
    """``text`` with markdown escapes removed, HTML entities decoded and whitespace collapsed."""
    text = _MD_ESCAPE.sub(r"\1", text)
    text = html.unescape(text)
    return _WS.sub(" ", text).strip()


@dataclass(frozen=True)
class Heading:
    """One heading line of a document: its 0-based line number, level (1-6) and text."""

    line: int
    level: int
    title: str


def headings(text: str) -> list[Heading]:
    """ATX (``## Title``) and setext (``Title`` over ``===``/``---``) headings outside code fences."""
    lines = text.splitlines()
    found: list[Heading] = []
    in_fence = False
    for i, line in enumerate(lines):
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        m = _ATX.match(line)
        if m and m.group(2):
            found.append(Heading(i, len(m.group(1)), normalise(m.group(2))))
            continue
        if i + 1 < len(lines) and line.strip() and not line.lstrip().startswith("|"):
            nxt = lines[i + 1]
            if _SETEXT_1.match(nxt):
                found.append(Heading(i, 1, normalise(line)))
            elif _SETEXT_2.match(nxt):
                found.append(Heading(i, 2, normalise(line)))
    return found


def sections(text: str, title: str) -> list[str]:
    """The text under each heading called ``title`` (heading line included), up to the next
    heading of the same or a higher level.

    Some pages (the plain-text newer edition of 001) have no markdown headings at all; there a
    line equal to ``title`` stands for the heading and its section runs to the end of the file.
    """
    lines = text.splitlines()
    want = normalise(title)
    marks = headings(text)
    out: list[str] = []
    for k, h in enumerate(marks):
        if h.title != want:
            continue
        end = len(lines)
        for later in marks[k + 1 :]:
            if later.level <= h.level:
                end = later.line
                break
        out.append("\n".join(lines[h.line : end]))
    if out:
        return out
    for i, line in enumerate(lines):
        if normalise(line.lstrip("#")) == want:
            out.append("\n".join(lines[i:]))
    return out


def quote_problem(shared: Path, file: str, heading: str, quote: str) -> str | None:
    """Why ``quote`` is not found under ``heading`` in ``shared/file``; None when it is."""
    path = shared / file
    if not path.is_file():
        return f"{file}: no such source file under {shared.name}/"
    text = path.read_text(encoding="utf-8")
    secs = sections(text, heading)
    if not secs:
        return f"{file}: no heading {heading!r}"
    want = normalise(quote)
    if not want:
        return f"{file}: empty quote"
    if any(want in normalise(s) for s in secs):
        return None
    where = "elsewhere in the file" if want in normalise(text) else "nowhere in the file"
    return f"{file}: quote not under heading {heading!r} (found {where}): {quote!r}"
