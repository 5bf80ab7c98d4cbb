"""DOCX reader: body order, merged cells, heading styles, dispatch by content."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import docx
from docx.oxml.ns import qn

from auditor.audit import Auditor
from auditor.ingest import detect_format, load_document


def _make(path: Path) -> Path:
    d = docx.Document()
    d.add_paragraph("某某局2024年度部门决算", style="Title")
    d.add_paragraph("单位概况", style="Heading 1")  # a heading only by its style
    d.add_paragraph("本年收入合计1,234.50万元，其中：财政拨款收入1,000.00万元，占81.01%。")
    d.add_paragraph("收入支出决算总表")
    d.add_paragraph("单位：万元")
    t = d.add_table(rows=4, cols=3)
    t.cell(0, 0).merge(t.cell(1, 0)).text = "项目"  # vertical merge
    t.cell(0, 1).merge(t.cell(0, 2)).text = "金额"  # horizontal merge
    t.cell(1, 1).text, t.cell(1, 2).text = "本年", "上年"
    t.cell(2, 0).text, t.cell(2, 1).text, t.cell(2, 2).text = "本年收入合计", "1,234.50", "1,100.00"
    t.cell(3, 0).text, t.cell(3, 1).text, t.cell(3, 2).text = "总计", "1,234.50", "1,100.00"
    d.add_paragraph("注：本表反映收入。")
    d.save(str(path))
    return path


def test_docx_paragraphs_tables_and_merges(tmp_path: Path) -> None:
    p = _make(tmp_path / "report.bin")  # the name says nothing: content decides
    assert detect_format(p) == "docx"
    doc = load_document(p)
    lines = doc.lines
    assert lines[0] == "某某局2024年度部门决算"
    assert doc.family == "final_accounts" and doc.year == 2024
    # body order: paragraphs, then the table, then the note
    i_title = lines.index("收入支出决算总表")
    assert lines[i_title + 1] == "单位：万元"
    # merged cells: layout A, one cell per line, a merged cell once, a vMerge continuation empty
    start = lines.index("\t项目")
    assert lines[start : start + 15] == [
        "\t项目", "\t金额", "",
        "\t", "\t本年", "\t上年", "",
        "\t本年收入合计", "\t1,234.50", "\t1,100.00", "",
        "\t总计", "\t1,234.50", "\t1,100.00", "",
    ]
    assert lines.index("注：本表反映收入。") > start + 13
    (t,) = doc.tables
    assert t.title == "收入支出决算总表" and t.unit == "万元"
    assert t.columns == ["项目", "金额/本年", "金额/上年"]
    assert [r.label for r in t.rows] == ["本年收入合计", "总计"]
    assert t.rows[0].cells[1].value == Decimal("1234.50")
    for r in t.rows:
        for c in r.cells:
            assert doc.text[c.location.start : c.location.end] == c.text
            assert c.location.page is None  # DOCX has no pages


def test_docx_heading_from_style(tmp_path: Path) -> None:
    doc = load_document(_make(tmp_path / "r.docx"))
    assert any(h.text == "单位概况" and h.level == 1 for h in doc.headings)
    para = next(b for b in doc.blocks if b.text.startswith("本年收入合计"))
    assert para.section[-1] == "单位概况"


def test_docx_claims_quote_the_text(tmp_path: Path) -> None:
    r = Auditor().audit_path(_make(tmp_path / "r.docx"))
    assert r.error is None
    quotes = [c.quote for c in r.claims]
    assert "1,234.50万元" in quotes and "81.01%" in quotes
    for c in r.claims:
        assert c.quote in r.document.line_text(c.location.line)


def test_docx_plain_grid_is_tab_separated(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_paragraph("支出决算表")
    t = d.add_table(rows=2, cols=3)
    for j, v in enumerate(["项目", "本年", "上年"]):
        t.cell(0, j).text = v
    for j, v in enumerate(["基本支出", "10.00", "9.00"]):
        t.cell(1, j).text = v
    p = tmp_path / "plain.docx"
    d.save(str(p))
    doc = load_document(p)
    assert "项目\t本年\t上年" in doc.lines and "基本支出\t10.00\t9.00" in doc.lines
    (tb,) = doc.tables
    assert tb.title == "支出决算表" and tb.rows[0].cells[1].value == Decimal("10.00")


def test_docx_tab_in_paragraph_and_vmerge_continuation(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_paragraph("一、收入决算情况说明\t5")  # a TOC entry keeps its TAB
    t = d.add_table(rows=3, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "科目", "金额"
    t.cell(1, 0).merge(t.cell(2, 0)).text = "合计"
    t.cell(1, 1).text, t.cell(2, 1).text = "1", "2"
    p = tmp_path / "toc.docx"
    d.save(str(p))
    doc = load_document(p)
    assert doc.lines[0] == "一、收入决算情况说明\t5"
    assert doc.lines[2:10] == ["\t科目", "\t金额", "", "\t合计", "\t1", "", "\t", "\t2"]
    # the vMerge continuation is one cell, not a repeat of the merged text
    tc = d.tables[0].rows[2]._tr.tc_lst[0]
    assert tc.tcPr.find(qn("w:vMerge")) is not None


def test_extract_command_shows_what_is_read(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from auditor.cli import app

    p = _make(tmp_path / "r.docx")
    res = CliRunner().invoke(app, ["extract", str(p), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["format"] == "docx" and data["text"] == load_document(p).text
    assert data["tables"][0]["title"] == "收入支出决算总表" and data["tables"][0]["unit"] == "万元"
    res = CliRunner().invoke(app, ["extract", str(p)])
    assert res.exit_code == 0 and "收入支出决算总表" in res.output
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 broken")
    assert CliRunner().invoke(app, ["extract", str(bad)]).exit_code == 2
