"""DOCX reader (python-docx): paragraphs and tables in body order, merged cells resolved.

Each body paragraph becomes one line. A heading style (Heading N / 标题 N / Title) marks the
line as a heading of that level even when its text does not follow the 一、/（一） patterns.
A plain grid (no merged cell, rows of equal length) is written as TAB-separated rows
(layout B). Any other table is written in layout A, as the DOCX-derived seeds are: one cell per line after a
TAB, a blank line between rows; a horizontally merged cell (gridSpan) is one cell, a vertically
merged cell (vMerge) keeps its text in its first row and its continuations are empty cells.
`auditor.tables` places merged header cells and splits a form that stacks tables of different
widths (绩效自评表) into its sub-tables, exactly as for the seeds. A table nested in a cell contributes its text to the cell.
DOCX has no pages: Location.page stays None.
"""

from __future__ import annotations

from pathlib import Path

import regex

from auditor.ingest.build import TextSink, build_document
from auditor.ingest.errors import IngestError
from auditor.model import Document

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADING_STYLE = regex.compile(r"^(?:heading|标题)\s*(\d)$", regex.I)


def _style_level(paragraph) -> int | None:
    try:
        name = (paragraph.style.name or "").strip() if paragraph.style is not None else ""
    except (KeyError, ValueError):  # a style id the styles part does not define
        return None
    if name.lower() in ("title", "标题"):
        return 1
    m = _HEADING_STYLE.match(name)
    return int(m.group(1)) if m else None


def _para_text(p_el) -> str:
    """Text of a w:p: runs, tabs, breaks (as line breaks), hyperlinks and fields' results."""
    parts: list[str] = []
    for el in p_el.iter():
        tag = el.tag
        if tag == _W + "t":
            parts.append(el.text or "")
        elif tag == _W + "tab":
            parts.append("\t")
        elif tag in (_W + "br", _W + "cr"):
            parts.append("\n")
        elif tag == _W + "noBreakHyphen":
            parts.append("-")
        elif tag == _W + "delText":  # deleted text in tracked changes is not printed
            continue
    return "".join(parts)


def _cell_text(tc) -> str:
    lines = []
    for el in tc.iter(_W + "p"):
        t = _para_text(el).replace("\t", " ").strip()
        if t:
            lines.append(t)
    return "\n".join(lines)


def _table_cells(tbl) -> list[list[str]]:
    """Rows as their cells (w:tc), a merged cell once, a vMerge continuation as an empty cell."""
    rows: list[list[str]] = []
    for tr in tbl.iterchildren(_W + "tr"):
        row: list[str] = []
        for tc in tr.iterchildren(_W + "tc"):
            tcpr = tc.find(_W + "tcPr")
            vm = tcpr.find(_W + "vMerge") if tcpr is not None else None
            cont = vm is not None and vm.get(_W + "val", "continue") != "restart"
            row.append("" if cont else _cell_text(tc))
        rows.append(row)
    return rows


def _plain(tbl, cells: list[list[str]]) -> bool:
    """No merged cell, no row shorter than the others: the rows are the grid as they stand."""
    if len({len(r) for r in cells}) > 1:
        return False
    for tag in ("gridSpan", "vMerge", "gridBefore", "gridAfter", "hMerge"):
        if any(True for _ in tbl.iter(_W + tag)):
            return False
    return True


def _table_rows(tbl) -> list[list[str]]:
    """Rows on the column grid (gridSpan expanded): the grid view, for callers that want it."""
    rows: list[list[str]] = []
    for tr in tbl.iterchildren(_W + "tr"):
        row: list[str] = []
        trpr = tr.find(_W + "trPr")
        before = 0
        if trpr is not None:
            gb = trpr.find(_W + "gridBefore")
            if gb is not None:
                before = int(gb.get(_W + "val", "0") or 0)
        row.extend([""] * before)
        for tc in tr.iterchildren(_W + "tc"):
            tcpr = tc.find(_W + "tcPr")
            span, cont = 1, False
            if tcpr is not None:
                gs = tcpr.find(_W + "gridSpan")
                if gs is not None:
                    span = max(1, int(gs.get(_W + "val", "1") or 1))
                vm = tcpr.find(_W + "vMerge")
                if vm is not None and vm.get(_W + "val", "continue") != "restart":
                    cont = True
            row.append("" if cont else _cell_text(tc))
            row.extend([""] * (span - 1))
        rows.append(row)
    return rows


def extract_docx(path: str | Path) -> tuple[Document, TextSink]:
    import docx
    from docx.text.paragraph import Paragraph

    p = Path(path)
    try:
        d = docx.Document(str(p))
    except MemoryError:
        raise  # the runner reports it as the memory limit, not as a damaged file
    except Exception as exc:  # python-docx raises several types for damaged packages
        raise IngestError(str(p), f"DOCX 文件无法读取（unreadable DOCX: {type(exc).__name__}: {exc}）") from exc
    sink = TextSink()
    body = d.element.body
    for el in body.iterchildren():
        if el.tag == _W + "p":
            level = _style_level(Paragraph(el, d))
            for line in _para_text(el).split("\n"):
                sink.para(line, None, level)
        elif el.tag == _W + "tbl":
            cells = _table_cells(el)
            if _plain(el, cells):
                sink.table(cells)  # a plain grid: TAB-separated rows (layout B)
            else:
                sink.table_a(cells)
        elif el.tag == _W + "sdt":  # content controls (cover pages, TOCs) hold paragraphs
            for p_el in el.iter(_W + "p"):
                sink.para(_para_text(p_el))
    return build_document(str(p), sink, "docx"), sink
