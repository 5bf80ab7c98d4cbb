"""What every structured reader shares: write the text conventions, then build the Document.

PDF, DOCX, HTML and XLSX readers do not build blocks themselves. They write the same text the
seeds are made of, one paragraph per line; tables with a drawn grid (PDF, XLSX) as TAB-separated
rows (layout B of `auditor.tables`), word-processor tables (DOCX, HTML) one cell per line as the
DOCX-derived seeds have them (layout A), and remember the page each line came from. The Document is then built
from that text by the same `find_tables` / `build_outline` as a text file, so every claim and
every flag quotes an exact substring of `Document.text`, and each block, table, row and cell
gets its page from the line map.

Distinct tables are separated by two blank lines (layout B lets one blank line continue a
table); cell text never holds a TAB or a line break.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import regex

from auditor.headings import clean_heading
from auditor.ingest import limits
from auditor.ingest.errors import IngestError
from auditor.model import Document, Heading, Location
from auditor.outline import build_outline
from auditor.table_arith import misread_reason
from auditor.tables import find_tables

_WS = regex.compile(r"[\t\r\n\v\f\u2028\u2029]+")
_SPACES = regex.compile(r"[ \u00a0]{2,}")
# A table-of-contents entry "一、收入决算情况说明<TAB>5" keeps its TAB: the outline skips such lines.
_TOC_ENTRY = regex.compile(r"([^\t]+?)\t+\s*(\d{1,3})")


def clean_cell(text: str) -> str:
    """One-line cell text: line breaks inside a cell joined (CJK needs no space), TABs → space."""
    parts = [p.strip() for p in regex.split(r"[\r\n\v\u2028\u2029]+", text.replace("\u00a0", " "))]
    out = ""
    for p in parts:
        if not p:
            continue
        out = join_wrapped(out, p) if out else p
    return _SPACES.sub(" ", out.replace("\t", " ")).strip()


def join_wrapped(a: str, b: str) -> str:
    """Join a line broken by wrapping: no space, except between two ASCII letters/digits."""
    if a and b and a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
        return a + " " + b
    return a + b


@dataclass
class TextSink:
    """The lines of the extracted text with the page (1-based, or None) of each."""

    lines: list[str] = field(default_factory=list)
    pages: list[int | None] = field(default_factory=list)
    headings: dict[int, int] = field(default_factory=dict)  # 1-based line → level from a style
    notes: list[str] = field(default_factory=list)  # what the reader skipped or could not read

    def para(self, text: str, page: int | None = None, level: int | None = None) -> None:
        """One paragraph as one line (its own line breaks become spaces between ASCII, else nothing)."""
        m = _TOC_ENTRY.fullmatch(text.strip())
        t = f"{clean_cell(m.group(1))}\t{m.group(2)}" if m else clean_cell(text)
        if not t:
            return
        self.lines.append(t)
        self.pages.append(page)
        if level is not None:
            self.headings[len(self.lines)] = level

    def blank(self, page: int | None = None) -> None:
        self.lines.append("")
        self.pages.append(page)

    def table(self, rows: list[list[str]], pages: list[int | None] | None = None) -> None:
        """A table: one TAB-separated line per row, a blank line before and two after."""
        rows = [[clean_cell(c) for c in r] for r in rows]
        rows = [r for r in rows if any(r)]
        if not rows:
            return
        width = max(len(r) for r in rows)
        pg = pages or [None] * len(rows)
        if self.lines and self.lines[-1] != "":
            self.blank(pg[0])
        for r, p in zip(rows, pg):
            cells = r + [""] * (width - len(r))
            if width == 1:
                cells = cells + [""]  # a one-column table still needs a TAB to stay a table row
            self.lines.append("\t".join(cells))
            self.pages.append(p)
        self.blank(pg[-1])
        self.blank(pg[-1])

    def table_a(self, rows: list[list[str]], pages: list[int | None] | None = None) -> None:
        """A word-processor table in layout A, as the seeds have it: one cell per line after a TAB,
        a blank line between rows, a merged cell written once (a vertical merge's continuation is
        an empty cell). `auditor.tables` then splits a form that stacks several tables with
        different columns (自评表: funds, goals, indicators) into its sub-tables."""
        rows = [[clean_cell(c) for c in r] for r in rows]
        rows = [r for r in rows if r]
        if not any(any(r) for r in rows):
            return
        pg = pages or [None] * len(rows)
        if self.lines and self.lines[-1] != "":
            self.blank(pg[0])
        for k, (r, p) in enumerate(zip(rows, pg)):
            if k:
                self.blank(p)
            for c in r:
                self.lines.append("\t" + c)
                self.pages.append(p)
        self.blank(pg[-1])
        self.blank(pg[-1])

    @property
    def text(self) -> str:
        lines = list(self.lines)
        while lines and lines[-1] == "":
            lines.pop()
        return "\n".join(lines) + ("\n" if lines else "")


def build_document(path: str, sink: TextSink, encoding: str) -> Document:
    """Document from a reader's text: tables, outline, style headings and pages."""
    text = sink.text
    if len(text) > limits.MAX_TEXT_CHARS:
        raise IngestError(path, f"提取出的文字过长（{len(text):,} 个字符，上限 {limits.MAX_TEXT_CHARS:,}）：不像一份预决算公开文件，未审核")
    doc = Document(path=path, text=text, encoding=encoding)
    if not text:
        return doc
    build_outline(doc, find_tables(text))
    if sink.headings:
        _style_headings(doc, sink.headings)
    if any(p is not None for p in sink.pages):
        _apply_pages(doc, sink.pages)
    return doc


def _style_headings(doc: Document, levels: dict[int, int]) -> None:
    """Add headings that a style marks (Heading 1, 标题 2, <h3>) and the text rules missed; recompute sections."""
    have = {h.line for h in doc.headings}
    table_lines: set[int] = set()
    for b in doc.blocks:
        if b.kind == "table":
            table_lines.update(range(b.location.line, b.line_end + 1))
    added = False
    for line, level in levels.items():
        if line in have or line in table_lines or line > len(doc.lines):
            continue
        text = clean_heading(doc.line_text(line))
        if not text or len(text) > 60:
            continue
        doc.headings.append(Heading(text, max(1, min(level, 4)), line))
        added = True
    if not added:
        return
    doc.headings.sort(key=lambda h: h.line)
    by_line = {h.line: h for h in doc.headings}
    stack: list[Heading] = []
    for b in doc.blocks:
        b.section = tuple(h.text for h in stack)
        if b.table is not None:
            b.table.section = b.section
        h = by_line.get(b.location.line) if b.kind == "paragraph" else None
        if h is not None:
            stack = [s for s in stack if s.level < h.level] + [h]


def _apply_pages(doc: Document, pages: list[int | None]) -> None:
    """Set Location.page on every block, table, row and cell from the line → page map."""

    def at(loc: Location) -> Location:
        p = pages[loc.line - 1] if 0 < loc.line <= len(pages) else None
        return dataclasses.replace(loc, page=p)

    for b in doc.blocks:
        b.location = at(b.location)
        t = b.table
        if t is None:
            continue
        t.location = at(t.location)
        t.header_rows = [[dataclasses.replace(c, location=at(c.location)) for c in r] for r in t.header_rows]
        for row in t.rows:
            row.location = at(row.location)
            row.cells = [dataclasses.replace(c, location=at(c.location)) for c in row.cells]
        if t.misread:
            t.misread = misread_reason(t)  # say the page, now that it is known

