"""XLSX reader: each sheet a table with its title row and unit, numbers as displayed."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl

from auditor.ingest import detect_format, load_document


def _make(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表1"
    ws.append(["收入支出决算总表"])
    ws.merge_cells("A1:C1")
    ws.append([None, None, "单位：元"])
    ws.append(["项目", "本年", "上年"])
    ws.append(["本年收入合计", 12345.5, 1100])
    ws.append(["总计", "=B4", 1100])
    ws["B4"].number_format = "#,##0.00"
    ws["C4"].number_format = "0.00"
    ws2 = wb.create_sheet("支出明细")
    ws2.append(["科目", "金额", "占比"])
    ws2.append(["基本支出", 80, 0.8])
    ws2.append(["项目支出", 20, 0.2])
    ws2["C2"].number_format = "0.00%"
    ws2["C3"].number_format = "0.00%"
    hidden = wb.create_sheet("隐藏")
    hidden.append(["不读", 1])
    hidden.sheet_state = "hidden"
    wb.save(str(path))
    return path


def test_xlsx_sheets_as_tables(tmp_path: Path) -> None:
    p = _make(tmp_path / "attachment.dat")
    assert detect_format(p) == "xlsx"
    doc = load_document(p)
    t1, t2 = doc.tables
    assert t1.title == "收入支出决算总表" and t1.unit == "元"
    assert t1.columns == ["项目", "本年", "上年"]
    assert t1.rows[0].label == "本年收入合计"
    assert [c.text for c in t1.rows[0].cells] == ["本年收入合计", "12,345.50", "1100.00"]
    assert t1.rows[0].cells[1].value == Decimal("12345.50")
    # a formula without a cached value (never opened in Excel) is an empty cell, not its source
    assert t1.rows[1].cells[1].text == ""
    # no title row: the sheet name is written as the caption line (a title only if it reads like one)
    before = [ln for ln in doc.lines[: t2.location.line - 1] if ln.strip()]
    assert before[-1] == "支出明细"
    assert [c.text for c in t2.rows[0].cells] == ["基本支出", "80", "80.00%"]
    assert "不读" not in doc.text
    for t in (t1, t2):
        for r in t.rows:
            for c in r.cells:
                assert doc.text[c.location.start : c.location.end] == c.text
