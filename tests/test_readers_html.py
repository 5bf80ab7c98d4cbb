"""HTML reader: paragraphs, rowspan/colspan, scripts and styles ignored, encodings."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from auditor.audit import Auditor
from auditor.ingest import detect_format, load_document

PAGE = """<!DOCTYPE html>
<html><head><meta charset="{cs}"><title>标题不算正文</title>
<style>td {{ border: 1px solid }} .x:before {{ content: "本年收入合计9.99万元" }}</style>
<script>var s = "本年收入合计888.88万元，增长50%";</script></head>
<body>
<div class="nav"><a href="/">首页</a> &gt; <a href="#">公开</a></div>
<h2>某某局2024年度部门决算</h2>
<p>
   本年收入合计<span>1,234.50</span>万元，
   比上年增加134.50万元，增长12.23%。
</p>
<noscript>本年支出合计1.00万元</noscript>
<p>收入支出决算总表</p><p>单位：万元</p>
<table>
 <thead><tr><th rowspan="2">项目</th><th colspan="2">金额</th></tr>
 <tr><th>本年</th><th>上年</th></tr></thead>
 <tbody>
 <tr><td>本年收入合计</td><td>1,234.50</td><td>1,100.00</td></tr>
 <tr><td rowspan="2">合计</td><td>1,234.50</td><td>1,100.00</td></tr>
 <tr><td>0.00</td><td>0.00</td></tr>
 </tbody>
</table>
<p>注：本表反映收入。<br>第二行</p>
<script>document.write("支出合计77.77万元");</script>
</body></html>
"""


def _write(tmp_path: Path, cs: str = "utf-8", codec: str = "utf-8", name: str = "page.htm") -> Path:
    p = tmp_path / name
    p.write_bytes(PAGE.format(cs=cs).encode(codec))
    return p


def test_html_text_and_table(tmp_path: Path) -> None:
    p = _write(tmp_path, name="page.txt")  # content decides, not the suffix
    assert detect_format(p) == "html"
    doc = load_document(p)
    lines = [ln for ln in doc.lines if ln]
    assert "某某局2024年度部门决算" in lines
    assert "本年收入合计1,234.50万元， 比上年增加134.50万元，增长12.23%。" in lines
    assert not any("888.88" in ln or "77.77" in ln or "9.99" in ln or "标题不算正文" in ln or "1.00万元" in ln for ln in lines)
    # rowspan/colspan: written as a DOCX table is (layout A), a rowspan's continuation one empty cell
    all_lines = doc.lines
    start = all_lines.index("\t项目")
    assert all_lines[start : start + 19] == [
        "\t项目", "\t金额", "",
        "\t", "\t本年", "\t上年", "",
        "\t本年收入合计", "\t1,234.50", "\t1,100.00", "",
        "\t合计", "\t1,234.50", "\t1,100.00", "",
        "\t", "\t0.00", "\t0.00", "",
    ]
    assert lines[-2:] == ["注：本表反映收入。", "第二行"]
    (t,) = doc.tables
    assert t.title == "收入支出决算总表" and t.unit == "万元"
    assert t.columns == ["项目", "金额/本年", "金额/上年"]
    assert t.rows[0].cells[1].value == Decimal("1234.50")
    assert any(h.text == "某某局2024年度部门决算" for h in doc.headings)


def test_html_gbk_meta_charset(tmp_path: Path) -> None:
    doc = load_document(_write(tmp_path, cs="gb2312", codec="gb18030"))
    assert any("本年收入合计1,234.50万元" in ln for ln in doc.lines)


def test_html_claims(tmp_path: Path) -> None:
    r = Auditor().audit_path(_write(tmp_path))
    assert r.error is None
    quotes = [c.quote for c in r.claims]
    assert "12.23%" in quotes and "888.88万元" not in quotes
    for c in r.claims:
        assert c.quote in r.document.line_text(c.location.line)


def test_html_plain_table_is_tab_separated_and_spans_resolve(tmp_path: Path) -> None:
    from auditor.ingest.html import _table_cells, _table_rows
    import lxml.html

    p = tmp_path / "plain.html"
    p.write_text("<html><body><p>支出决算表</p><table><tr><td>项目</td><td>本年</td></tr>"
                 "<tr><td>基本支出</td><td>10.00</td></tr></table></body></html>", encoding="utf-8")
    doc = load_document(p)
    assert "项目\t本年" in doc.lines and "基本支出\t10.00" in doc.lines
    el = lxml.html.fromstring("<table><tr><td rowspan=2 colspan=2>A</td><td>B</td></tr><tr><td>C</td></tr>"
                              "<tr><td>D</td><td colspan=2>E</td></tr></table>")
    assert _table_rows(el) == [["A", "", "B"], ["", "", "C"], ["D", "E", ""]]
    assert _table_cells(el) == [["A", "B"], ["", "C"], ["D", "E"]]
