"""The examples of the documents, read out of the pages themselves.

The pages come in three shapes: fenced Markdown (000, 004, the reference pages), fenced Markdown
followed by the same page as plain text (002), and setext Markdown with unfenced, blank-line
spaced JSON and Markdown escapes (``\\[``, ``\\_``) (003).  This module cuts a page into blocks
under headings, tells request blocks from response blocks by their heading, and parses the JSON
(or XML) body of each, so that the tests validate what the pages say rather than a copy of it.

Each example is named by its file (relative to ``shared/``), its example heading and the
request/response heading under it, which is what a failing test id shows.
"""

from __future__ import annotations

import html
import json
import os
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from conformance import contract

REPO = Path(__file__).resolve().parents[2]

# Pages whose examples are requests and answers of the contract's operations; the operation of
# an example is found from its request line (catalog browse examples match none and are left).
OPERATION_PAGES: tuple[str, ...] = (
    "seeds/000_49ef52240da7cdbc.txt",
    "seeds/001_fabf306c29505681.txt",
    "seeds/002_f1dd3b9eb27b6cd7.txt",
    "seeds/003_006793c08362df22.txt",
    "seeds/004_c13d0720ee69790f.txt",
    "reference/groove-docs/uri-add-track-collection.md",
    "reference/groove-docs/uri-delete-track-collection.md",
    "reference/groove-docs/uri-create-playlist.md",
    "reference/groove-docs/uri-update-playlist.md",
    "reference/groove-docs/uri-delete-playlist.md",
    "reference/groove-docs/uri-browse-user-collection-playlist.md",
    "reference/groove-docs/uri-browse-sub-items.md",
)

# Object pages: every JSON block on them is an instance of the object (json-paginatedlist.md
# shows whole lookup answers, which are ContentResponses).
OBJECT_PAGES: dict[str, str] = {
    "reference/groove-docs/json-error.md": "Error",
    "reference/groove-docs/json-trackactionrequest.md": "TrackActionRequest",
    "reference/groove-docs/json-trackactionresponse.md": "TrackActionResponse",
    "reference/groove-docs/json-trackactionresult.md": "TrackActionResult",
    "reference/groove-docs/json-trackaction.md": "TrackAction",
    "reference/groove-docs/json-playlistaction.md": "PlaylistAction",
    "reference/groove-docs/json-playlistactionresponse.md": "PlaylistActionResponse",
    "reference/groove-docs/json-playlistactionresult.md": "PlaylistActionResult",
    "reference/groove-docs/json-contentresponse.md": "ContentResponse",
    "reference/groove-docs/json-paginatedlist.md": "ContentResponse",
    "reference/groove-docs/json-playlist.md": "Playlist",
    "reference/groove-docs/json-track.md": "Track",
}


def shared_dir() -> Path:
    """``shared/`` beside the repository, or where GROOVE_SHARED_DIR says."""
    env = os.environ.get("GROOVE_SHARED_DIR")
    return Path(env) if env else REPO.parent / "shared"


@dataclass
class PageExample:
    """One body quoted by a page."""

    file: str
    heading: str  # the example's heading, e.g. "Add too many tracks at once"
    part: str  # the heading right above the body: "Request", "Continuation Response", ...
    role: str  # "request", "response" or "sample" (an object page's sample)
    fmt: str  # "json" or "xml"
    body: object  # parsed JSON, or the XML text (entities of the page decoded)
    operation: str | None = None
    status: int | None = None  # responses: the status line above the body, else 200
    query: dict[str, str] = field(default_factory=dict)  # requests: the request line's query
    elided: bool = False  # the page elides items ("[...]", "..."); they were dropped
    occurrence: int = 1  # the same heading twice on a page (002 repeats itself)

    @property
    def key(self) -> tuple[str, str, str]:
        return self.file, self.heading, self.role

    @property
    def id(self) -> str:
        suffix = f"#{self.occurrence}" if self.occurrence > 1 else ""
        return f"{self.file}::{self.heading}::{self.part}{suffix}"


# --- cutting a page into blocks ------------------------------------------------------------------

_ATX = re.compile(r"^\s{0,3}(#{1,6})\s*(?P<text>.+?)\s*#*\s*$")
_UNDERLINE = re.compile(r"^\s*(=+|-{3,})\s*$")
# A plain-text heading (002's second edition): a short capitalised line alone between blank lines.
_PLAIN = re.compile(r"^[A-Z][A-Za-z0-9 '\"(),!?-]*$")
_METHOD = re.compile(r"^\s*(GET|POST|PUT|DELETE|PATCH)\s+(?P<target>/\S*)")
_STATUS = re.compile(r"^\s*(?P<status>[1-5][0-9]{2})\s+[A-Za-z]")
_MD_ESCAPE = re.compile(r"\\([\[\]_*#\\`])")
_ELIDED_OBJECT = re.compile(r",\s*\{\s*\[\.\.\.\]\s*\}")
_ELIDED_ITEM = re.compile(r",\s*\.\.\.(?=\s*[\]}])")


def _role(heading: str) -> str | None:
    low = heading.lower()
    if re.search(r"\brequest\b", low):
        return "request"
    if re.search(r"\bresponse\b", low):
        return "response"
    return None


def _strip_front_matter(lines: list[str]) -> list[str]:
    if lines and lines[0].strip() == "---":
        for i in range(1, len(lines)):
            if lines[i].strip() == "---":
                return lines[i + 1 :]
    return lines


@dataclass
class _Block:
    heading: str
    part: str
    role: str | None
    lines: list[str]


def _blocks(text: str) -> list[_Block]:
    lines = _strip_front_matter(text.splitlines())
    blocks: list[_Block] = []
    heading, part, role = "", "", None
    current: list[str] = []
    in_fence = False
    skip = False

    def flush() -> None:
        nonlocal current
        if current:
            blocks.append(_Block(heading, part, role, current))
        current = []

    for i, line in enumerate(lines):
        if skip:
            skip = False
            continue
        stripped = line.strip()
        if stripped.startswith("```"):
            in_fence = not in_fence
            continue
        title = None
        if not in_fence:
            prev_blank = i == 0 or not lines[i - 1].strip()
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            atx = _ATX.match(line)
            if atx:
                title = atx.group("text").strip()
            elif stripped and not stripped.startswith("|") and _UNDERLINE.match(nxt):
                title, skip = stripped, True
            elif prev_blank and not nxt.strip() and len(stripped) <= 80 and _PLAIN.match(stripped):
                title = stripped
        if title is None:
            current.append(line)
            continue
        flush()
        r = _role(title)
        if r:
            part, role = title, r
        else:
            heading, part, role = title, title, None
    flush()
    return blocks


# --- bodies ----------------------------------------------------------------------------------------


def _json_bodies(lines: list[str]) -> list[tuple[object, bool]]:
    """(value, elided) for each JSON object that starts a line of the block."""
    text = _MD_ESCAPE.sub(r"\1", "\n".join(lines))
    cleaned = _ELIDED_ITEM.sub("", _ELIDED_OBJECT.sub("", text))
    elided = cleaned != text
    found: list[tuple[object, bool]] = []
    decoder = json.JSONDecoder()
    pos = 0
    while True:
        m = re.compile(r"^[ \t]*\{", re.M).search(cleaned, pos)
        if not m:
            return found
        value, pos = decoder.raw_decode(cleaned, m.end() - 1)
        found.append((value, elided))


def _xml_body(lines: list[str]) -> tuple[str, int] | None:
    for i, line in enumerate(lines):
        s = line.lstrip()
        if s.startswith("&lt;") or (s.startswith("<") and s[1:2].isalpha()):
            return html.unescape("\n".join(lines[i:])).strip(), i
    return None


def _operation_of(target: str) -> tuple[str | None, dict[str, str]]:
    parts = urlsplit(target)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    for op, (_, template) in contract.OPERATIONS.items():
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, parts.path):
            return op, query
    return None, query


def read_page(file: str) -> list[PageExample]:
    """Every JSON or XML body of one page, with what it is an example of."""
    text = (shared_dir() / file).read_text(encoding="utf-8")
    schema = OBJECT_PAGES.get(file)
    examples: list[PageExample] = []
    operation: str | None = None
    query: dict[str, str] = {}
    last_heading = None
    for block in _blocks(text):
        if block.heading != last_heading:
            operation, query, last_heading = None, {}, block.heading
        method_line = next((m for m in map(_METHOD.match, block.lines) if m), None)
        if method_line and block.role == "request":
            operation, query = _operation_of(_MD_ESCAPE.sub(r"\1", method_line.group("target")))
            if operation and not any(ln.lstrip().startswith(("{", "&lt;")) for ln in block.lines):
                # a GET: the request is its query
                examples.append(
                    PageExample(
                        file,
                        block.heading,
                        block.part,
                        "request",
                        "query",
                        None,
                        operation,
                        None,
                        dict(query),
                    )
                )
        role = block.role if schema is None else "sample"
        if schema is None and (role is None or operation is None):
            continue
        status = None
        if role == "response":
            status_line = next((m for m in map(_STATUS.match, block.lines) if m), None)
            status = int(status_line.group("status")) if status_line else 200
        for value, elided in _json_bodies(block.lines):
            examples.append(
                PageExample(
                    file,
                    block.heading,
                    block.part,
                    role,
                    "json",
                    value,
                    operation if schema is None else None,
                    status,
                    dict(query) if role == "request" else {},
                    elided,
                )
            )
        xml = _xml_body(block.lines)
        if xml and schema is None:
            examples.append(
                PageExample(file, block.heading, block.part, role, "xml", xml[0], operation, status)
            )
    seen: dict[str, int] = {}
    for ex in examples:
        base = f"{ex.file}::{ex.heading}::{ex.part}::{ex.fmt}"
        seen[base] = seen.get(base, 0) + 1
        ex.occurrence = seen[base]
    return examples


@cache
def all_examples() -> tuple[PageExample, ...]:
    out: list[PageExample] = []
    for file in (*OPERATION_PAGES, *OBJECT_PAGES):
        out.extend(read_page(file))
    return tuple(out)
