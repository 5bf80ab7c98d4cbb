"""PDF layout cases the published disclosures have, on small PDFs written by tests/pdfmake.py:
rotated pages, a title printed inside a table's grid, a table broken by a page break (with
merged columns on the second page), a white box behind a title, text beyond the page edge.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from auditor.ingest import load_document
from auditor.ingest.pdf import _Char, _cell_text, _new_line
from auditor.table_arith import tally
from pdfmake import Page, make_pdf

XS = [40.0, 110.0, 250.0, 330.0]


def _ys(n: int, top: float = 60.0, h: float = 20.0) -> list[float]:
    return [top + h * k for k in range(n + 1)]


def _write(tmp_path: Path, name: str, pages: list[Page]) -> Path:
    p = tmp_path / name
    p.write_bytes(make_pdf(pages))
    return p


ASCII_ROWS = [
    ["Code", "Name", "Amount"],
    ["301", "Wages", "812.40"],
    ["30101", "Base pay", "512.40"],
    ["30102", "Allowance", "300.00"],
    ["302", "Goods", "95.5"],
    ["30201", "Office", "95.5"],
]


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
def test_rotated_page_reads_as_shown(tmp_path: Path, rotate: int) -> None:
    """A landscape table on a portrait sheet (/Rotate 90) reads like the same page unrotated:
    cells left to right, digits together, codes recognised and sums tested."""
    ys = _ys(len(ASCII_ROWS))
    pg = Page(400, 300, rotate)
    pg.grid(XS, ys)
    pg.cells(XS, ys, ASCII_ROWS)
    doc = load_document(_write(tmp_path, f"r{rotate}.pdf", [pg]))
    assert len(doc.tables) == 1
    t = doc.tables[0]
    assert [[c.text for c in r.cells] for r in t.rows] == ASCII_ROWS[1:]
    assert [r.code for r in t.rows] == ["301", "30101", "30102", "302", "30201"]
    assert t.rows[0].cells[2].value == Decimal("812.40")
    assert t.rows[0].cells[0].value is None  # the code column is not an amount
    assert tally(t).tested == 2 and tally(t).failed == 0  # 301 = Σ 301xx, 302 = Σ 302xx


def _captioned_grid(pg: Page, title: str, rows: list[list[str]], top: float = 40.0) -> None:
    """A grid whose first row is one merged cell holding the table's title and unit."""
    ys = [top] + _ys(len(rows), top + 30)
    for x in (XS[0], XS[-1]):
        pg.lines.append((x, ys[0], x, ys[-1]))
    for x in XS[1:-1]:
        pg.lines.append((x, ys[1], x, ys[-1]))
    for y in ys:
        pg.lines.append((XS[0], y, XS[-1], y))
    pg.text(XS[0] + 60, top + 12, title, 11)
    pg.text(XS[0] + 200, top + 26, "单位：万元", 8)
    pg.cells(XS, ys[1:], rows)


def test_title_inside_the_grid_is_a_caption_and_starts_a_new_table(tmp_path: Path) -> None:
    """Two tables on consecutive pages, each with its title printed in its grid's first row:
    two tables with their titles, never one table that runs on (nor a title row as data)."""
    p1, p2 = Page(400, 300), Page(400, 300)
    _captioned_grid(p1, "财政拨款支出预算表", [["科目编码", "科目名称", "金额"], ["201", "一般公共服务支出", "40.00"],
                                            ["20101", "人大事务", "40.00"]])
    _captioned_grid(p2, "财政拨款基本支出预算表", [["科目编码", "科目名称", "金额"], ["301", "工资福利支出", "30.00"],
                                              ["30101", "基本工资", "30.00"]])
    doc = load_document(_write(tmp_path, "two.pdf", [p1, p2]))
    assert [t.title for t in doc.tables] == ["财政拨款支出预算表", "财政拨款基本支出预算表"]
    assert [t.unit for t in doc.tables] == ["万元", "万元"]
    assert [[r.code for r in t.rows] for t in doc.tables] == [["201", "20101"], ["301", "30101"]]
    assert [t.location.page for t in doc.tables] == [1, 2]


def test_page_break_keeps_the_last_rows_and_maps_merged_columns(tmp_path: Path) -> None:
    """A table continued on the next page without its header joins the first part; where the
    second part merges two columns (its boundaries a subset of the first's), each cell goes
    to the column it stands under."""
    xs6 = [40.0, 90.0, 140.0, 190.0, 240.0, 290.0, 340.0]
    head = [["收入项目", "金额", "支出项目", "小计", "备注", "金额"]]
    body = [["一、财政拨款", "80.00", "一、基本支出", "", "", "50.00"], ["二、其他资金", "20.00", "二、项目支出", "", "", "50.00"]]
    p1 = Page(400, 300)
    p1.text(120, 40, "收支预算总表", 11)
    ys1 = _ys(3, 60)
    p1.grid(xs6, ys1)
    p1.cells(xs6, ys1, head + body)
    # page 2: the 支出项目 cell spans three columns (no rulings at 190 and 240)
    p2 = Page(400, 300)
    ys2 = _ys(2, 60)
    xs4 = [40.0, 90.0, 140.0, 290.0, 340.0]
    p2.grid(xs4, ys2)
    p2.cells(xs4, ys2, [["上年结转", "", "结转下年", ""], ["收入合计", "100.00", "支出合计", "100.00"]])
    doc = load_document(_write(tmp_path, "split.pdf", [p1, p2]))
    assert len(doc.tables) == 1
    t = doc.tables[0]
    last = t.rows[-1]
    assert [c.text for c in last.cells] == ["收入合计", "100.00", "支出合计", "", "", "100.00"]
    assert last.location.page == 2


def test_white_box_behind_a_title_draws_no_ruling(tmp_path: Path) -> None:
    """A white filled rectangle behind the title block is invisible: it must not make the title
    and the header one grid cell (the title is then found as the table's caption)."""
    pg = Page(400, 300)
    pg.fills.append((XS[0], 20.0, XS[-1], 100.0, 1.0))  # its sides run on from the grid's own
    pg.text(120, 40, "一般公共预算支出预算表", 11)
    ys = _ys(3, 60)
    pg.grid(XS, ys)
    pg.cells(XS, ys, [["科目编码", "科目名称", "金额"], ["201", "一般公共服务支出", "12.00"], ["20101", "人大事务", "12.00"]])
    doc = load_document(_write(tmp_path, "white.pdf", [pg]))
    assert [t.title for t in doc.tables] == ["一般公共预算支出预算表"]
    assert [r.code for r in doc.tables[0].rows] == ["201", "20101"]


def test_text_beyond_the_page_box_is_not_read(tmp_path: Path) -> None:
    pg = Page(400, 300)
    pg.text(40, 40, "本页正文第一行。")
    pg.text(40, 420, "页面以外的第二份表格 9,999.99")  # below the bottom edge: not printed
    doc = load_document(_write(tmp_path, "spill.pdf", [pg]))
    assert "本页正文第一行" in doc.text and "9,999.99" not in doc.text


def _ch(ch: str, x0: float, top: float, bottom: float, base: float) -> _Char:
    return _Char(ch, x0, x0 + 10, top, bottom, False, base)


def test_cell_lines_follow_the_baseline_not_the_box_middle() -> None:
    """Some fonts give '一' and '、' boxes well below the middle of the line's other glyphs;
    by box middles '、' would sort onto a line of its own and print after the text."""
    chars = [_ch("一", 0, 299.2, 304.7, 307.0), _ch("、", 11, 301.8, 304.9, 307.0), _ch("一", 22, 299.2, 304.7, 307.0),
             _ch("般", 33, 295.1, 305.3, 307.0), _ch("收", 44, 295.2, 305.2, 307.0), _ch("入", 55, 295.1, 305.3, 307.0)]
    assert _cell_text(chars) == "一、一般收入"
    wrapped = [_ch("二", 0, 300, 310, 308), _ch("、", 11, 303, 306, 308), _ch("政", 22, 300, 310, 308),
               _ch("款", 0, 312, 322, 320)]
    assert _cell_text(wrapped) == "二、政款"  # the second printed line comes after the first


def test_a_new_printed_line_is_told_by_its_baseline() -> None:
    last = _ch("。", 484, 672, 688, 685)
    assert _new_line(last, _ch("第", 137, 716, 734, 731))  # next line, back at the left
    assert not _new_line(last, _ch("另", 499, 672, 688, 685))  # same line, further right
    assert not _new_line(last, _ch("注", 137, 672, 688, 686))  # same baseline (within a point)
