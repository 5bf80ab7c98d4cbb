"""PDF reader on the shared published final account and the national template.

The numbers checked here were read off the PDF pages by hand (and agree with pdfplumber's
own table extraction of the same pages).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from auditor.audit import Auditor
from auditor.ingest import IngestError, detect_format, load_document
from auditor.ingest.pdf import NEEDS_OCR

PDF_DIR = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "pdf"
PUTUO = PDF_DIR / "putuo_social_work_dept_2024_final.pdf"
TEMPLATE = PDF_DIR / "final_accounts_template_national.pdf"

need_putuo = pytest.mark.skipif(not PUTUO.exists(), reason=f"shared PDF not found at {PUTUO} (../shared/corpus/pdf)")
need_template = pytest.mark.skipif(not TEMPLATE.exists(), reason=f"shared PDF not found at {TEMPLATE}")

TITLES = [
    "收入支出决算总表",
    "收入决算表",
    "支出决算表",
    "财政拨款收入支出决算总表",
    "一般公共预算财政拨款支出决算表",
    "一般公共预算财政拨款基本支出决算表",
    "财政拨款“三公”经费支出决算表",
    "政府性基金预算财政拨款收入支出决算表",
    "国有资本经营预算财政拨款收入支出决算表",
]


@pytest.fixture(scope="module")
def putuo():
    return load_document(PUTUO)


@pytest.fixture(scope="module")
def putuo_result():
    return Auditor().audit_path(PUTUO)


def _table(doc, title):
    return next(t for t in doc.tables if t.title == title)


def _cell(t, label, column, code=None):
    row = next(r for r in t.rows if r.label == label and (code is None or r.code == code))
    return row.cells[t.columns.index(column)]


@need_putuo
def test_every_table_found_with_title_unit_and_page(putuo) -> None:
    assert detect_format(PUTUO) == "pdf"
    titled = [t for t in putuo.tables if t.title]
    assert [t.title for t in titled] == TITLES
    assert all(t.unit == "万元" for t in titled)
    assert [t.location.page for t in titled] == [5, 6, 8, 10, 12, 13, 14, 15, 16]
    assert putuo.family == "final_accounts" and putuo.year == 2024
    assert putuo.unit_name == "中共上海市普陀区委社会工作部"


@need_putuo
def test_table_numbers(putuo) -> None:
    t = _table(putuo, "收入支出决算总表")
    assert _cell(t, "本年收入合计", "收入/决算数").value == Decimal("307.82")
    assert [c.text for c in t.rows[0].cells] == ["一、一般公共预算财政拨款收入", "307.82", "一、一般公共服务支出", "264.87"]
    assert any(r.cells[2].text == "十九、住房保障支出" and r.cells[3].value == Decimal("29.42") for r in t.rows)

    t = _table(putuo, "收入决算表")  # pages 6–7, joined
    assert _cell(t, "机关事业单位基本养老保险缴费支出", "本年收入合计", "2080505").value == Decimal("6.18")
    last = _cell(t, "购房补贴", "财政拨款收入", "2210203")
    assert last.value == Decimal("11.72") and last.location.page == 7
    assert len([r for r in t.rows if r.code]) == 17

    t = _table(putuo, "支出决算表")
    assert [c.value for c in t.rows[0].cells[2:5]] == [Decimal("307.82"), Decimal("105.58"), Decimal("202.24")]
    assert _cell(t, "事业单位医疗", "基本支出", "2101102").location.page == 9

    t = _table(putuo, "财政拨款收入支出决算总表")  # pages 10–11, joined
    total = [r for r in t.rows if r.label == "总计"]
    assert len(total) == 1 and [c.text for c in total[0].cells][3:5] == ["307.82", "307.82"]
    assert total[0].location.page == 11

    t = _table(putuo, "一般公共预算财政拨款支出决算表")
    assert _cell(t, "其他社会工作事务支出", "项目支出", "2013999").value == Decimal("202.24")
    assert _cell(t, "机关事业单位基本养老保险缴费支出", "合计", "2080505").value == Decimal("6.18")

    t = _table(putuo, "一般公共预算财政拨款基本支出决算表")
    assert _cell(t, "基本工资", "决算数", "30101").value == Decimal("14.12")
    rows = {r.label: r for r in t.rows}
    assert [c.text for c in rows["人员经费合计"].cells] == ["人员经费合计", "", "95.36", "公用经费合计", "", "10.23"]
    assert any(r.cells[3].text == "30239" and r.cells[5].text == "2.43" for r in t.rows)

    t = _table(putuo, "财政拨款“三公”经费支出决算表")
    assert not any(c.value for r in t.rows for c in r.cells)  # the department had none: an empty table


@need_putuo
def test_cells_and_quotes_are_exact(putuo) -> None:
    for t in putuo.tables:
        for r in t.rows:
            assert r.location.page is not None
            for c in r.cells:
                assert putuo.text[c.location.start : c.location.end] == c.text
    for b in putuo.blocks:
        assert b.location.page is not None


@need_putuo
def test_narrative_in_reading_order_with_whole_sentences(putuo, putuo_result) -> None:
    paras = [b.text for b in putuo.blocks if b.kind == "paragraph"]
    # a sentence broken across pages 17 and 18 is one paragraph again
    assert "一般公共预算财政拨款支出 307.82 万元，占本年支出合计的100.00%。" in next(
        p for p in paras if p.startswith("一般公共预算财政拨款支出 307.82 万元，占本年支出合计"))
    # a line that wrapped before a number is joined to it
    assert any("全年预算为321.02 万元" in p for p in paras)
    quotes = [c.quote for c in putuo_result.claims if c.location.page is not None and c.location.page >= 17]
    order = ["307.82万元", "34.30%", "65.70%", "86.05%", "9.55%", "95.89%", "98.69%", "99.55%", "97.68%", "10.23万元", "21.07 万元"]
    pos = [quotes.index(q) for q in order]
    assert pos == sorted(pos)
    lines = [c.location.line for c in putuo_result.claims if c.location.page and c.location.page >= 17]
    assert lines == sorted(lines)


@need_putuo
def test_flags_cite_pages(putuo_result) -> None:
    assert putuo_result.error is None
    assert putuo_result.flags
    for f in putuo_result.flags:
        for e in f.evidence:
            assert e.page is not None
            assert e.quote in putuo_result.document.line_text(e.line)


@need_template
def test_template_tables() -> None:
    doc = load_document(TEMPLATE)
    assert [t.title for t in doc.tables if t.title] == TITLES
    assert doc.family == "final_accounts"


def test_pdf_without_text_layer_needs_ocr(tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    pdf.new_page(595, 842)
    pdf.new_page(595, 842)
    p = tmp_path / "scan.pdf"
    pdf.save(str(p))
    pdf.close()
    with pytest.raises(IngestError) as ei:
        load_document(p)
    assert NEEDS_OCR in str(ei.value) and str(p) in str(ei.value)
    r = Auditor().audit_path(p)
    assert r.error is not None and "需要OCR" in r.error and not r.claims
