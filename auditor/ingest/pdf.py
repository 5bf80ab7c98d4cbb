"""PDF reader: pypdfium2 for the characters and the ruling lines, pdfplumber's grid geometry for cells.

Why this split (measured on the shared PDFs, see reports/bench/pdf_extract.json):
- pdfium's text order keeps sentences whole; its characters and path objects come from C++,
  so a page costs a few milliseconds where pdfplumber's pdfminer layout costs ~50 ms.
- The published disclosures draw their tables with ruling lines. pdfplumber's pure-geometry
  functions (snap/join edges, intersections, cells, tables) turn those lines into cells; we feed
  them the edges read with pdfium, so tables come out as pdfplumber would find them.

What the reader writes (see `auditor.ingest.build`): narrative lines that a paragraph wrapped
(a full-width line followed by a line that is not indented, also across a page break) are
joined into one line; each table is written as TAB-separated rows, a merged cell's text in its
first grid position; a table that continues on the next page is joined to its first part and
repeated header rows are dropped. Page numbers in the margins are dropped. Every line keeps
the page it starts on.

A PDF with no text layer at all (a scan) raises IngestError "需要OCR"; it is never audited as
an empty document.
"""

from __future__ import annotations

import ctypes
import statistics
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path

import regex

from auditor.cells import parse_value
from auditor.ingest.build import TextSink, build_document, clean_cell, join_wrapped
from auditor.ingest.errors import IngestError
from auditor.model import Document

NEEDS_OCR = "需要OCR：PDF 没有文字层（扫描件或图片），未审核"

_PAGE_NO = regex.compile(r"^[-—–\s]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*[/／]\s*(?:共\s*)?\d{1,4}\s*页?)?[-—–\s]*$")
_ITEM_START = regex.compile(
    r"^(第[一二三四五六七八九十\d]+部分|[一二三四五六七八九十]+[、．.]|[（(][一二三四五六七八九十\d]+[）)]|\d{1,2}[、．.](?!\d)|附件|附表|注[：:]|说明[：:])"
)
_NUMBERISH = regex.compile(r"^[+-]?[\d,，.]+%?$")


@dataclass
class _Char:
    ch: str
    x0: float
    x1: float
    top: float
    bottom: float
    gen: bool
    base: float | None = None  # the baseline as shown (from the glyph origin); one printed line shares it

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    page: int
    lead: float = 0.0  # width of the first word (an ASCII run such as 321.02, or one CJK character)


@dataclass
class _PTable:
    page: int
    x0: float
    top: float
    x1: float
    bottom: float
    rows: list[list[str]]
    pages: list[int]
    xs: list[float] = field(default_factory=list)  # the column boundaries, left to right
    captions: list[str] = field(default_factory=list)  # title lines printed inside the grid's top rows


@dataclass
class _Page:
    number: int
    width: float
    height: float
    items: list[_Line | _PTable] = field(default_factory=list)
    text_chars: int = 0


# ---------------------------------------------------------------- pdfium access


def _chars(textpage, view: "_View") -> list[_Char]:
    import pypdfium2.raw as pc

    raw = textpage.raw
    n = pc.FPDFText_CountChars(raw)
    rect = pc.FS_RECTF()
    ref = ctypes.byref(rect)
    ox, oy = ctypes.c_double(), ctypes.c_double()
    ox_ref, oy_ref = ctypes.byref(ox), ctypes.byref(oy)
    out: list[_Char] = []
    for i in range(n):
        code = pc.FPDFText_GetUnicode(raw, i)
        ch = chr(code) if 0 < code < 0x110000 else ""
        gen = pc.FPDFText_IsGenerated(raw, i) == 1
        # Loose boxes span the font's full height and advance: lines and gaps measure evenly
        # ("." and "1" have tiny tight boxes that would sort them onto lines of their own).
        pc.FPDFText_GetLooseCharBox(raw, i, ref)
        x0, top, x1, bottom = view.box(rect.left, rect.bottom, rect.right, rect.top)
        base = None
        if pc.FPDFText_GetCharOrigin(raw, i, ox_ref, oy_ref):
            base = view.point(ox.value, oy.value)[1]
        out.append(_Char(ch, x0, x1, top, bottom, gen, base))
    return out


@dataclass(frozen=True)
class _View:
    """The page as it is shown: PDF user space (y up, unrotated) → top-left based, /Rotate applied.

    A page with /Rotate 90 is drawn portrait and shown landscape; read in user space its lines
    run top to bottom and every cell comes out reversed, so all geometry goes through here.
    """

    left: float
    bottom: float
    width: float  # of the unrotated box
    height: float
    rotation: int  # 0, 90, 180, 270 (clockwise, as /Rotate)

    @property
    def size(self) -> tuple[float, float]:
        """Width and height as shown."""
        return (self.height, self.width) if self.rotation in (90, 270) else (self.width, self.height)

    def point(self, x: float, y: float) -> tuple[float, float]:
        u, v = x - self.left, y - self.bottom
        if self.rotation == 90:
            return v, u
        if self.rotation == 180:
            return self.width - u, v
        if self.rotation == 270:
            return self.height - v, self.width - u
        return u, self.height - v

    def box(self, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        """(x0, top, x1, bottom) as shown of a user-space rectangle."""
        a, b = self.point(x0, y0), self.point(x1, y1)
        return min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])


def _edges(page, view: _View) -> list[dict]:
    """Horizontal and vertical segments of stroked or filled paths, in shown (top-based) coordinates."""
    import pypdfium2.raw as pc

    out: list[dict] = []
    x, y = ctypes.c_float(), ctypes.c_float()
    fill, stroke = ctypes.c_int(), ctypes.c_int()

    def add(a: tuple[float, float], b: tuple[float, float]) -> None:
        a, b = view.point(*a), view.point(*b)
        dx, dy = abs(a[0] - b[0]), abs(a[1] - b[1])
        if dy < 1 and dx >= 1:
            t = (a[1] + b[1]) / 2
            x0, x1 = min(a[0], b[0]), max(a[0], b[0])
            out.append({"x0": x0, "x1": x1, "top": t, "bottom": t, "doctop": t, "width": x1 - x0, "height": 0,
                        "orientation": "h", "object_type": "line"})
        elif dx < 1 and dy >= 1:
            xm = (a[0] + b[0]) / 2
            t, btm = min(a[1], b[1]), max(a[1], b[1])
            out.append({"x0": xm, "x1": xm, "top": t, "bottom": btm, "doctop": t, "width": 0, "height": btm - t,
                        "orientation": "v", "object_type": "line"})

    def walk(count, get, parent, m: tuple[float, ...], depth: int) -> None:
        for i in range(count(parent)):
            obj = get(parent, i)
            kind = pc.FPDFPageObj_GetType(obj)
            if kind not in (pc.FPDF_PAGEOBJ_PATH, pc.FPDF_PAGEOBJ_FORM):
                continue
            fm = pc.FS_MATRIX()
            pc.FPDFPageObj_GetMatrix(obj, ctypes.byref(fm))
            own = (fm.a, fm.b, fm.c, fm.d, fm.e, fm.f)
            full = _compose(own, m)
            if kind == pc.FPDF_PAGEOBJ_FORM:
                if depth < 8:
                    walk(pc.FPDFFormObj_CountObjects, pc.FPDFFormObj_GetObject, obj, full, depth + 1)
                continue
            if pc.FPDFPath_GetDrawMode(obj, ctypes.byref(fill), ctypes.byref(stroke)) and not fill.value and not stroke.value:
                continue
            if fill.value and not stroke.value and _white_fill(obj):
                continue  # a white background box (behind a title block) draws no ruling
            start = prev = None
            for j in range(pc.FPDFPath_CountSegments(obj)):
                seg = pc.FPDFPath_GetPathSegment(obj, j)
                pc.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y))
                p = _apply(full, x.value, y.value)
                typ = pc.FPDFPathSegment_GetType(seg)
                if typ == pc.FPDF_SEGMENT_MOVETO or prev is None:
                    start = p
                elif typ == pc.FPDF_SEGMENT_LINETO:
                    add(prev, p)
                prev = p
                if pc.FPDFPathSegment_GetClose(seg) and start is not None:
                    add(prev, start)
                    prev = start

    walk(pc.FPDFPage_CountObjects, pc.FPDFPage_GetObject, page.raw, (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), 0)
    return out


def _white_fill(obj) -> bool:
    import pypdfium2.raw as pc

    rgba = [ctypes.c_uint() for _ in range(4)]
    if not pc.FPDFPageObj_GetFillColor(obj, *[ctypes.byref(v) for v in rgba]):
        return False
    return all(v.value >= 250 for v in rgba[:3])


def _compose(inner: tuple[float, ...], outer: tuple[float, ...]) -> tuple[float, ...]:
    """Matrix applying `inner` first, then `outer` (PDF row-vector convention)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _apply(m: tuple[float, ...], x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return (a * x + c * y + e, b * x + d * y + f)


# ---------------------------------------------------------------- tables


def _cluster(values: list[float], tol: float = 1.5) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= tol:
            continue
        out.append(v)
    return out


def _nearest(points: list[float], v: float) -> int:
    return min(range(len(points)), key=lambda i: abs(points[i] - v))


class _Grid:
    """One ruled table: its grid lines, the cells (merged cells span grid positions) and their chars."""

    def __init__(self, cells: list[tuple[float, float, float, float]]):
        self.xs = _cluster([c[0] for c in cells] + [c[2] for c in cells])
        self.ys = _cluster([c[1] for c in cells] + [c[3] for c in cells])
        self.x0, self.x1 = self.xs[0], self.xs[-1]
        self.top, self.bottom = self.ys[0], self.ys[-1]
        self.owner: dict[tuple[int, int], tuple[int, int]] = {}
        self.chars: dict[tuple[int, int], list[_Char]] = {}
        for c in cells:
            r0, r1 = _nearest(self.ys, c[1]), _nearest(self.ys, c[3])
            c0, c1 = _nearest(self.xs, c[0]), _nearest(self.xs, c[2])
            if r1 <= r0 or c1 <= c0:
                continue
            self.chars.setdefault((r0, c0), [])
            for rr in range(r0, r1):
                for cc in range(c0, c1):
                    self.owner.setdefault((rr, cc), (r0, c0))

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.ys) - 1, len(self.xs) - 1

    def contains(self, ch: _Char) -> bool:
        return self.x0 - 1 <= ch.cx <= self.x1 + 1 and self.top - 1 <= ch.cy <= self.bottom + 1

    def add(self, ch: _Char) -> bool:
        r = min(max(bisect_right(self.ys, ch.cy) - 1, 0), len(self.ys) - 2)
        c = min(max(bisect_right(self.xs, ch.cx) - 1, 0), len(self.xs) - 2)
        own = self.owner.get((r, c))
        if own is None:
            return False
        self.chars[own].append(ch)
        return True

    def rows(self) -> list[list[str]]:
        nr, nc = self.shape
        out = [[""] * nc for _ in range(nr)]
        for (r, c), chars in self.chars.items():
            out[r][c] = _cell_text(chars)
        return out

    def row_lines(self, r: int) -> list[list[str]]:
        """The printed lines of each filled cell that starts on grid row r."""
        return [[_line_text(ln) for ln in _cell_lines(chars)] for (rr, _c), chars in sorted(self.chars.items())
                if rr == r and any(ch.ch.strip() for ch in chars)]

    def table(self, page: int) -> _PTable:
        """The table as written, its top rows of title lines (表名, 公开表N, 部门：, 单位：) lifted out:
        a caption is not a header, and a page that opens with a captioned grid starts a new table."""
        rows = self.rows()
        captions: list[str] = []
        k = 0
        while k < len(rows) - 1 and _is_caption_row(self.row_lines(k)):
            captions.extend(clean_cell(ln) for cell in self.row_lines(k) for ln in cell)
            k += 1
        rows = rows[k:]
        return _PTable(page, self.x0, self.ys[k], self.x1, self.bottom, rows, [page] * len(rows), list(self.xs), captions)


_CAPTION_TITLE = regex.compile(r"^[^。；，]{2,40}表(?:[（(][^（）()]{1,8}[）)])?$")
_CAPTION_NUMBER = regex.compile(r"^(?:公开)?(?:附)?表?[一二三四五六七八九十\d]{1,3}表?[：:]?$")
_CAPTION_META = regex.compile(r"^(?:编制|填报|预算|主管)?(?:部门|单位)(?:名称)?\s*[：:]|^(?:金额)?单位\s*[：:]|^\d{4}\s*年度?$")


def _is_caption_line(text: str) -> bool:
    t = regex.sub(r"\s+", "", text)
    return bool(t) and bool(_CAPTION_TITLE.match(t) or _CAPTION_NUMBER.match(t) or _CAPTION_META.match(t))


def _is_caption_row(cells: list[list[str]]) -> bool:
    """A grid row that only holds a table's caption: every cell's lines are a title, a table
    number or a 部门：/单位： line, or the value right after a "部门：" key cell; and at least one
    is a title or a key (a lone number such as 1 is a 栏次, not a caption)."""
    if not cells:
        return False
    strong = False
    after_key = False
    for lines in cells:
        if not lines:
            continue
        if after_key and len(lines) == 1:
            after_key = False
            continue
        if not all(_is_caption_line(ln) for ln in lines):
            return False
        strong = strong or any(_CAPTION_TITLE.match(regex.sub(r"\s+", "", ln)) or _CAPTION_META.match(ln.strip())
                               for ln in lines)
        after_key = regex.search(r"[：:]\s*$", lines[-1]) is not None
    return strong


def _cell_text(chars: list[_Char]) -> str:
    """Characters of one cell: lines top to bottom, left to right, wrapped lines joined."""
    return _join_lines([_line_text(ln) for ln in _cell_lines(chars)])


def _cell_lines(chars: list[_Char]) -> list[list[_Char]]:
    """The printed lines of one cell, top to bottom.

    Chars of one line share a baseline; their boxes do not always share a middle (some fonts
    give "一" and "、" boxes a few points off the line's middle, which would sort the "、" of
    "一、" onto a line of its own), so a line is grouped by baseline where pdfium gives one.
    """
    chars = [c for c in chars if c.ch.strip()]
    if not chars:
        return []
    h = statistics.median(max(c.bottom - c.top, 1.0) for c in chars)

    def y(c: _Char) -> float:
        return c.base if c.base is not None else c.cy

    chars.sort(key=lambda c: (y(c), c.x0))
    lines: list[list[_Char]] = []
    for c in chars:
        if lines:
            ref = lines[-1]
            if abs(y(c) - statistics.fmean(y(x) for x in ref)) <= 0.5 * max(h, c.bottom - c.top):
                ref.append(c)
                continue
        lines.append([c])
    for ln in lines:
        ln.sort(key=lambda c: c.x0)
    return lines


def _line_text(ln: list[_Char]) -> str:
    h = statistics.median(max(c.bottom - c.top, 1.0) for c in ln)
    s = ln[0].ch
    for a, b in zip(ln, ln[1:]):
        wide = not (a.ch.isascii() and b.ch.isascii())
        s += (" " if not wide and b.x0 - a.x1 > 0.3 * h else "") + b.ch
    return s


def _join_lines(lines: list[str]) -> str:
    text = ""
    for s in lines:
        text = join_wrapped(text, s) if text else s
    return clean_cell(text)


def _find_grids(edges: list[dict]) -> list[_Grid]:
    from pdfplumber.table import cells_to_tables, edges_to_intersections, intersections_to_cells, merge_edges
    from pdfplumber.utils import filter_edges

    if not edges:
        return []
    edges = merge_edges(edges, 3, 3, 3, 3)
    edges = filter_edges(edges, min_length=3)
    cells = intersections_to_cells(edges_to_intersections(edges, 3, 3))
    return [_Grid(group) for group in cells_to_tables(cells) if group]


# ---------------------------------------------------------------- pages


def _new_line(last: _Char, c: _Char) -> bool:
    """`c` starts a printed line below `last`'s and back to its left: pdfium sometimes writes a
    generated space, not a line break, between a paragraph's last line and a heading below it."""
    if last.base is None or c.base is None:
        return False
    h = max(last.bottom - last.top, 1.0)
    return c.base - last.base > 0.6 * h and c.x0 < last.x0 - h


def _on_page(c: _Char, width: float, height: float) -> bool:
    if c.ch in ("\r", "\n", "\x02") or not c.ch.strip():
        return True  # line breaks and spaces carry no position of their own
    return -2 <= c.cx <= width + 2 and -2 <= c.cy <= height + 2


def _make_line(chars: list[_Char], page: int) -> _Line | None:
    text = "".join(c.ch if not c.gen else (" " if c.ch == " " else "") for c in chars)
    text = regex.sub(r"\s+", " ", text).strip()
    solid = [c for c in chars if not c.gen and c.ch.strip()]
    if not text or not solid:
        return None
    size = statistics.median(c.bottom - c.top for c in solid)
    k = 1
    if solid[0].ch.isascii():
        while k < len(solid) and solid[k].ch.isascii() and solid[k].x0 - solid[k - 1].x1 < 0.3 * size:
            k += 1
    lead = solid[k - 1].x1 - solid[0].x0
    return _Line(text, min(c.x0 for c in solid), max(c.x1 for c in solid), min(c.top for c in solid),
                 max(c.bottom for c in solid), max(size, 1.0), page, lead)


def _read_page(pdf, index: int) -> _Page:
    width, height, chars, grids = _page_chars(pdf, index)
    number = index + 1
    out = _Page(number, width, height)
    out.text_chars = sum(1 for c in chars if c.ch.strip() and not c.gen)
    lines = _lines_outside_grids(chars, grids, number)
    lines = [ln for ln in lines if not _is_margin_number(ln, height)]
    tables = [g.table(number) for g in grids]
    tables.sort(key=lambda t: t.top)
    out.items = _in_reading_order(lines, tables, number)
    return out


def _page_chars(pdf, index: int) -> tuple[float, float, list[_Char], list[_Grid]]:
    """The page's (width, height), its printed chars in pdfium's order and its ruled grids; the
    page is closed before returning, so a long document does not hold every page open."""
    page = pdf[index]
    try:
        left, bottom, right, top = page.get_bbox()
        view = _View(left, bottom, right - left, top - bottom, page.get_rotation() % 360)
        width, height = view.size
        textpage = page.get_textpage()
        try:
            # text placed beyond the page box is not printed (a spreadsheet's next pages spilled
            # past the bottom edge): it would read as a second copy of the tables that follow
            chars = [c for c in _chars(textpage, view) if _on_page(c, width, height)]
        finally:
            textpage.close()
        grids = [g for g in _find_grids(_edges(page, view)) if g.shape[0] >= 1 and g.shape[1] >= 2]
    finally:
        page.close()
    return width, height, chars, grids


def _lines_outside_grids(chars: list[_Char], grids: list[_Grid], number: int) -> list[_Line]:
    """Chars inside a table's grid go to its cells (`g.add`); the rest make lines, in pdfium's order."""
    lines: list[_Line] = []
    cur: list[_Char] = []

    def close_line() -> None:
        ln = _make_line(cur, number)
        if ln:
            lines.append(ln)

    for c in chars:
        if c.ch in ("\r", "\n") or c.ch == "\x02":
            if c.ch != "\r":
                close_line()
                cur = []
            continue
        if not c.gen and c.ch.strip():
            g = next((g for g in grids if g.contains(c)), None)
            if g is not None and g.add(c):
                continue
            last = next((x for x in reversed(cur) if not x.gen and x.ch.strip()), None)
            if last is not None and _new_line(last, c):
                close_line()  # pdfium joined two printed lines with a space
                cur = []
        cur.append(c)
    close_line()
    return lines


def _in_reading_order(lines: list[_Line], tables: list[_PTable], number: int) -> list[_Line | _PTable]:
    """Lines and tables (sorted by top) merged by their top edge; a table's captions come first."""
    items: list[_Line | _PTable] = []

    def put(t: _PTable) -> None:
        for cap in t.captions:  # short lines of their own: never joined into a paragraph
            items.append(_Line(cap, t.x0, t.x0, t.top, t.top, 1.0, number))
        items.append(t)

    for ln in lines:
        while tables and tables[0].top <= ln.top:
            put(tables.pop(0))
        items.append(ln)
    for t in tables:
        put(t)
    return items


def _is_margin_number(ln: _Line, height: float) -> bool:
    return bool(_PAGE_NO.match(ln.text)) and (ln.top < 0.1 * height or ln.bottom > 0.9 * height)


# ---------------------------------------------------------------- across pages


def _header_len(rows: list[list[str]]) -> int:
    for i, r in enumerate(rows[:5]):
        if any(parse_value(c) is not None and not regex.fullmatch(r"\d{3,7}", c) for c in r if c):
            return i
    return min(len(rows), 4)


def _column_map(prev: _PTable, cur: _PTable, tol: float = 2.0) -> list[int] | None:
    """Where each column of `cur` falls among the columns of `prev`, when `cur` continues `prev`
    on the next page with some cells merged (its boundaries a subset of the earlier ones, the
    same outer edges), else None."""
    if not prev.xs or not cur.xs or len(cur.xs) >= len(prev.xs):
        return None
    if abs(prev.xs[0] - cur.xs[0]) > tol or abs(prev.xs[-1] - cur.xs[-1]) > tol:
        return None
    out = []
    for x in cur.xs[:-1]:
        i = next((i for i, px in enumerate(prev.xs[:-1]) if abs(px - x) <= tol), None)
        if i is None:
            return None
        out.append(i)
    return out


def _join_tables(pages: list[_Page]) -> list[_Line | _PTable]:
    """All items in order; a table that opens a page continues the table that closed the page before."""
    items: list[_Line | _PTable] = []
    for pg in pages:
        for k, it in enumerate(pg.items):
            prev = items[-1] if items else None
            if (
                k == 0
                and isinstance(it, _PTable)
                and isinstance(prev, _PTable)
                and prev.page < it.page
                and it.rows
                and (len(prev.rows[0]) == len(it.rows[0]) or _column_map(prev, it) is not None)
            ):
                hdr = prev.rows[: _header_len(prev.rows)]
                rows, rpages = it.rows, it.pages
                if len(prev.rows[0]) != len(it.rows[0]):
                    cmap = _column_map(prev, it) or []
                    width = len(prev.rows[0])
                    rows = [[next((r[j] for j, t in enumerate(cmap) if t == i), "") for i in range(width)] for r in rows]
                k2 = 0
                while k2 < len(hdr) and k2 < len(rows) and [clean_cell(c) for c in rows[k2]] == [clean_cell(c) for c in hdr[k2]]:
                    k2 += 1
                prev.rows.extend(rows[k2:])
                prev.pages.extend(rpages[k2:])
                prev.page = it.page  # the page the joined table now ends on, for the next join
                continue
            items.append(it)
    return items


def _margins(pages: list[_Page]) -> dict[int, tuple[float, float]]:
    """Per page: the body's left and right edges (from lines of at least 8 characters)."""
    per: dict[int, tuple[float, float] | None] = {}
    groups: dict[tuple[int, int], list[tuple[float, float]]] = {}
    for pg in pages:
        long = [it for it in pg.items if isinstance(it, _Line) and len(it.text) >= 8]
        if len(long) >= 3:
            m = (min(ln.x0 for ln in long), max(ln.x1 for ln in long))
            per[pg.number] = m
            groups.setdefault((round(pg.width), round(pg.height)), []).append(m)
        else:
            per[pg.number] = None
    out: dict[int, tuple[float, float]] = {}
    for pg in pages:
        g = groups.get((round(pg.width), round(pg.height)))
        if g:
            typical = (statistics.median(m[0] for m in g), statistics.median(m[1] for m in g))
        else:
            typical = per[pg.number] or (0.0, pg.width)
        out[pg.number] = typical
    return out


def _continues(prev: _Line, cur: _Line, margins: dict[int, tuple[float, float]]) -> bool:
    """Whether `cur` is the wrapped continuation of `prev` (one paragraph broken by the layout)."""
    _, right = margins[prev.page]
    left, _ = margins[cur.page]
    if abs(cur.size - prev.size) > 0.25 * prev.size:
        return False
    if prev.x1 < right - 1.5 * prev.size - cur.lead:
        return False  # the line before ended short (the next word would have fit): a paragraph end
    if cur.x0 > left + 0.8 * cur.size:
        return False  # indented: a new paragraph
    if _ITEM_START.match(cur.text) and regex.search(r"[。；;：:]$|表$", prev.text):
        return False  # a sentence or a heading ending in 表 (…部门预算表) closes before an item
    return True


def read_pdf(path: str | Path) -> Document:
    doc, _ = extract_pdf(path)
    return doc


def _pdf_open_error(exc: Exception) -> str:
    """What pdfium's load error means for a user, in words (the original kept in brackets)."""
    text = str(exc)
    if "password" in text.lower():
        return f"PDF 已加密，需要密码才能打开，未审核（{text}）"
    if "format" in text.lower() or "file" in text.lower():
        return f"PDF 文件已损坏或不完整（可能下载中断、被截断，或不是真正的 PDF），未审核（{text}）"
    if "security" in text.lower():
        return f"PDF 使用了不支持的加密方式，未审核（{text}）"
    return f"PDF 文件无法打开，未审核（unreadable PDF: {text}）"


def extract_pdf(path: str | Path) -> tuple[Document, TextSink]:
    """The Document and the extracted lines with their pages (for `auditor extract`)."""
    import pypdfium2 as pdfium

    p = Path(path)
    try:
        pdf = pdfium.PdfDocument(str(p))
    except (pdfium.PdfiumError, OSError) as exc:
        raise IngestError(str(p), _pdf_open_error(exc)) from exc
    pages = []
    try:
        for i in range(len(pdf)):
            try:
                pages.append(_read_page(pdf, i))
            except (pdfium.PdfiumError, ValueError, ZeroDivisionError, IndexError) as exc:
                raise IngestError(str(p), f"PDF 第 {i + 1} 页损坏，无法读取（{type(exc).__name__}: {exc}），未审核",
                                  page=i + 1) from exc
    finally:
        pdf.close()
    if not pages or sum(pg.text_chars for pg in pages) == 0:
        raise IngestError(str(p), NEEDS_OCR)
    sink = TextSink()
    for pg in pages:
        if pg.text_chars == 0:
            sink.notes.append(f"第{pg.number}页没有文字层（需要OCR），未读取")
    margins = _margins(pages)
    prev: _Line | None = None
    para: _Line | None = None

    def flush() -> None:
        nonlocal para
        if para is not None:
            sink.para(para.text, para.page)
        para = None

    for it in _join_tables(pages):
        if isinstance(it, _PTable):
            flush()
            prev = None
            if len(it.rows[0]) < 2:
                continue
            sink.table(it.rows, list(it.pages))
            continue
        if para is not None and prev is not None and _continues(prev, it, margins):
            para.text = join_wrapped(para.text, it.text)
        else:
            flush()
            para = _Line(it.text, it.x0, it.x1, it.top, it.bottom, it.size, it.page)
        prev = it
    flush()
    return build_document(str(p), sink, "pdf"), sink
