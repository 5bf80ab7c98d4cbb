"""HTML reader (lxml.html): a saved disclosure page as paragraphs and tables.

Block elements (p, div, h1–h6, li, br, ...) end a line; inline markup is joined; whitespace is
collapsed as a browser would (so source indentation never becomes a TAB). <script>, <style>,
<noscript>, <template>, comments and hidden inputs are ignored. A plain <table> (no
rowspan/colspan, rows of equal length) is written as TAB-separated rows (layout B); any other
is written as a DOCX table is (layout A, one cell per line): a colspan cell once, a rowspan cell's
continuations as empty cells, so merged cells resolve as they do for the DOCX-derived seeds. A table nested in a
cell gives its text to the cell. <h1>–<h6> mark headings of that level. No pages.
"""

from __future__ import annotations

from pathlib import Path

import regex

from auditor.ingest.build import TextSink, build_document
from auditor.ingest.errors import IngestError
from auditor.ingest.text import decode_bytes
from auditor.model import Document

_SKIP = {"script", "style", "noscript", "template", "head", "title", "meta", "link", "iframe", "object", "svg", "button", "select", "option", "textarea"}
_BLOCK = {
    "p", "div", "section", "article", "header", "footer", "main", "aside", "nav", "li", "ul", "ol", "dl", "dt", "dd",
    "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "center", "form", "fieldset", "figure", "figcaption",
    "address", "hr", "caption", "body", "html",
}
_WS = regex.compile(r"[ \t\r\n\f\u00a0]+")
_CHARSET = regex.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", regex.I)


def _tag(el) -> str:
    t = el.tag
    return t.lower() if isinstance(t, str) else ""


class _Walker:
    def __init__(self, sink: TextSink):
        self.sink = sink
        self.buf: list[str] = []
        self.level: int | None = None

    def flush(self) -> None:
        text = _WS.sub(" ", "".join(self.buf)).strip()
        if text:
            self.sink.para(text, None, self.level)
        self.buf = []
        self.level = None

    def walk(self, el) -> None:
        tag = _tag(el)
        if tag in _SKIP or not isinstance(el.tag, str):
            if el.tail:
                self.buf.append(el.tail)
            return
        if tag == "input" and (el.get("type") or "").lower() == "hidden":
            return
        if tag == "table":
            self.flush()
            cells = _table_cells(el)
            plain = len({len(r) for r in cells}) <= 1 and not any(
                _span(td, "rowspan") > 1 or _span(td, "colspan") > 1 for tr in _rows_of(el) for td in tr)
            if plain:
                self.sink.table(cells)  # a plain grid: TAB-separated rows (layout B)
            else:
                self.sink.table_a(cells)
            if el.tail:
                self.buf.append(el.tail)
            return
        block = tag in _BLOCK
        if block:
            self.flush()
        m = regex.fullmatch(r"h([1-6])", tag)
        if m:
            self.level = int(m.group(1))
        if tag == "br":
            self.flush()
        if el.text:
            self.buf.append(el.text)
        for child in el:
            self.walk(child)
        if block or m:
            self.flush()
        if el.tail:
            self.buf.append(el.tail)


def _inline_text(el) -> str:
    """Text of a table cell: <br>/<p> inside it become line breaks (joined later), scripts skipped."""
    parts: list[str] = []

    def rec(e) -> None:
        tag = _tag(e)
        if not isinstance(e.tag, str) or tag in _SKIP:
            if e.tail:
                parts.append(_WS.sub(" ", e.tail))
            return
        if tag in ("br", "p", "div", "li") and parts:
            parts.append("\n")
        if e.text:
            parts.append(_WS.sub(" ", e.text))
        for c in e:
            rec(c)
        if e.tail:
            parts.append(_WS.sub(" ", e.tail))

    if el.text:
        parts.append(_WS.sub(" ", el.text))
    for c in el:
        rec(c)
    return "".join(parts).strip()


def _rows_of(table) -> list:
    """<tr> elements of this table (through thead/tbody/tfoot), not those of nested tables."""
    out = []
    for child in table:
        tag = _tag(child)
        if tag == "tr":
            out.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            out.extend(c for c in child if _tag(c) == "tr")
    return out


def _span(el, name: str) -> int:
    try:
        return max(1, min(int(regex.sub(r"\D", "", el.get(name) or "1") or 1), 1000))
    except ValueError:
        return 1


def _table_cells(table) -> list[list[str]]:
    """Rows as their cells, as a DOCX has them: a colspan cell once, each cell a rowspan carries
    down written as one empty cell in the rows below (the vMerge continuation)."""
    trs = _rows_of(table)
    placed: dict[int, list[tuple[int, str]]] = {}  # row → [(grid column, text)]
    taken: set[tuple[int, int]] = set()
    for r, tr in enumerate(trs):
        c = 0
        for td in tr:
            if _tag(td) not in ("td", "th"):
                continue
            while (r, c) in taken:
                c += 1
            rs, cs = _span(td, "rowspan"), _span(td, "colspan")
            placed.setdefault(r, []).append((c, _inline_text(td)))
            for dr in range(rs):
                if dr:
                    placed.setdefault(r + dr, []).append((c, ""))
                for dc in range(cs):
                    taken.add((r + dr, c + dc))
            c += cs
    return [[t for _, t in sorted(placed.get(r, []))] for r in range(len(trs))]


def _table_rows(table) -> list[list[str]]:
    grid: dict[tuple[int, int], str] = {}
    nrows = 0
    for r, tr in enumerate(_rows_of(table)):
        nrows = r + 1
        c = 0
        for td in tr:
            if _tag(td) not in ("td", "th"):
                continue
            while (r, c) in grid:
                c += 1
            rs, cs = _span(td, "rowspan"), _span(td, "colspan")
            text = _inline_text(td)
            for dr in range(rs):
                for dc in range(cs):
                    grid[(r + dr, c + dc)] = text if (dr, dc) == (0, 0) else ""
            c += cs
    if not grid:
        return []
    ncols = max(c for _, c in grid) + 1
    return [[grid.get((r, c), "") for c in range(ncols)] for r in range(nrows)]


def _decode(data: bytes, path: str) -> tuple[str, str]:
    m = _CHARSET.search(data[:4096])
    if m:
        name = m.group(1).decode("ascii", "ignore").lower()
        if name in ("gb2312", "gbk"):
            name = "gb18030"
        try:
            return data.decode(name), name
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_bytes(data, path)


def extract_html(path: str | Path) -> tuple[Document, TextSink]:
    import lxml.html

    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise IngestError(str(p), f"无法读取文件: {exc.strerror or exc}") from exc
    text, encoding = _decode(data, str(p))
    parser = lxml.html.HTMLParser()
    try:
        root = lxml.html.document_fromstring(text.lstrip("\ufeff"), parser=parser) if text.strip() else None
    except (ValueError, lxml.etree.ParserError) as exc:
        raise IngestError(str(p), f"HTML 无法解析（unreadable HTML: {exc}）") from exc
    for e in parser.error_log:
        # libxml2 stops building the tree at 256 nested elements: what follows would be lost silently
        if e.type_name == "ERR_RESOURCE_LIMIT" or "Excessive depth" in e.message:
            raise IngestError(str(p), f"HTML 元素嵌套过深（解析器上限 256 层），其后的内容无法读取，未审核: {e.message}",
                              line=e.line or None)
    sink = TextSink()
    if root is not None:
        body = root.find("body")
        w = _Walker(sink)
        w.walk(body if body is not None else root)
        w.flush()
    return build_document(str(p), sink, encoding), sink
