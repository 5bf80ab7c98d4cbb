"""Table finding and parsing: both layouts, headers, labels, values and exact cell offsets."""

from __future__ import annotations

import glob
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.ingest import load_document
from auditor.model import Table
from auditor.tables import find_tables, parse_value, split_code_label

SEEDS = Path(__file__).resolve().parent.parent / "corpora" / "seeds"


def _check_offsets(text: str, tables: list[Table]) -> None:
    for t in tables:
        for row in t.header_rows:
            for c in row:
                assert text[c.location.start : c.location.end] == c.text
        for r in t.rows:
            assert len(r.cells) == len(t.columns)
            for c in r.cells:
                assert text[c.location.start : c.location.end] == c.text


def _row(t: Table, label: str):
    rows = [r for r in t.rows if r.label == label]
    assert rows, f"no row {label!r} in {[r.label for r in t.rows]}"
    return rows[0]


def _val(t: Table, label: str, column: str):
    return _row(t, label).cells[t.columns.index(column)]


# ------------------------------------------------------------------ values

@pytest.mark.parametrize(
    "text,value",
    [
        ("6,717.05", Decimal("6717.05")),
        ("3922.11", Decimal("3922.11")),
        ("98.18%", Decimal("98.18")),
        ("１２．５", Decimal("12.5")),
        ("-3.5", Decimal("-3.5")),
        ("0", Decimal("0")),
        ("-", None),
        ("—", None),
        ("/", None),
        ("\u3000", None),
        ("", None),
        ("=5门", None),
        (">=2次", None),
        ("75.74分", None),
        ("2024年12月", None),
    ],
)
def test_parse_value(text: str, value: Decimal | None) -> None:
    assert parse_value(text) == value


def test_split_code_label() -> None:
    assert split_code_label("201 一般公共服务支出") == ("201", "一般公共服务支出")
    assert split_code_label("2040201　行政运行") == ("2040201", "行政运行")
    assert split_code_label("财政拨款收入") == (None, "财政拨款收入")


# ------------------------------------------------------------------ layout A (DOCX)

LAYOUT_A = """前言一段。

\t项目支出绩效自评表

\t（2024年度）

\t项目资金（万元）
\t
\t年初预算数
\t全年预算数
\t全年执行数
\t执行率

\t
\t年度资金总额
\t15.86
\t1,015.86
\t9.10
\t57.38%

\t
\t  其他资金
\t—
\t　
\t0.00
\t-



后记。
"""


def test_layout_a_basic() -> None:
    tables = find_tables(LAYOUT_A)
    assert len(tables) == 1
    t = tables[0]
    _check_offsets(LAYOUT_A, tables)
    assert t.title == "项目支出绩效自评表"
    assert t.unit == "万元"
    assert t.columns == ["项目资金（万元）", "col2", "年初预算数", "全年预算数", "全年执行数", "执行率"]
    assert [r.label for r in t.rows] == ["年度资金总额", "其他资金"]
    assert _val(t, "年度资金总额", "全年预算数").value == Decimal("1015.86")
    rate = _val(t, "年度资金总额", "执行率")
    assert rate.value == Decimal("57.38") and rate.text == "57.38%"
    assert _val(t, "其他资金", "年初预算数").value is None
    assert _val(t, "其他资金", "全年预算数").text == ""  # full-width space stripped
    assert t.location.line == 3 and t.line_end == 26
    assert t.frame().loc["年度资金总额", "全年执行数"] == Decimal("9.10")


MULTILINE = """\t年度总体目标
\t预期目标
\t实际完成情况

\t
\t目标文字
\t1.第一项工作；

2.第二项工作；

3.第三项工作。

\t一级指标
\t三级指标
\t分值
\t得分

\t产出指标
\t案件数
\t10
\t9.5


十二、其他需说明的事项
"""


def test_layout_a_multiline_cell_and_segments() -> None:
    tables = find_tables(MULTILINE)
    _check_offsets(MULTILINE, tables)
    assert len(tables) == 2
    goals, ind = tables
    cell = goals.rows[0].cells[2]
    assert cell.text.startswith("1.第一项工作；") and cell.text.endswith("3.第三项工作。")
    assert cell.location.line == 7
    assert goals.line_end == 11
    assert ind.columns == ["一级指标", "三级指标", "分值", "得分"]
    assert _val(ind, "案件数", "得分").value == Decimal("9.5")
    assert ind.line_end == 21  # the heading after two blank lines is not part of the table


def test_continuation_needs_table_to_resume() -> None:
    text = "\tA\n\tB\n\n\t1\n\t2\n\n一段普通文字\n"
    t = find_tables(text)[0]
    assert t.line_end == 5
    assert t.rows[0].cells[0].text == "1"


TWO_SIDED = """表一：
部门收支总体情况表
编制部门：某某局                   单位：万元
\t收     入
\t支     出

\t项     目
\t预算数
\t功能分类
\t预算数

\t财政拨款（补助）
\t3922.11
\t201 一般公共服务支出
\t

\t　
\t　
\t204 公共安全支出
\t3,922.11　

\t收  入  总  计
\t3922.11
\t支  出  合  计
\t3922.11
"""


def test_layout_a_merged_header_two_sided() -> None:
    tables = find_tables(TWO_SIDED)
    _check_offsets(TWO_SIDED, tables)
    t = tables[0]
    assert t.title == "部门收支总体情况表" and t.unit == "万元"
    assert t.columns == ["收入/项目", "收入/预算数", "支出/功能分类", "支出/预算数"]
    row = _row(t, "公共安全支出")
    assert row.code == "204"
    assert row.cells[3].value == Decimal("3922.11") and row.cells[3].text == "3,922.11"
    assert _val(t, "收入总计", "收入/预算数").value == Decimal("3922.11")


CODES = """\t项目
\t支出预算

\t功能分类科目编码
\t功能分类科目名称
\t合计
\t基本支出
\t项目支出

\t类
\t款
\t项
\t
\t
\t
\t

\t204
\t02
\t01
\t行政运行
\t3606.49
\t3606.49
\t

\t
\t
\t
\t合计
\t3922.11
\t3663.11
\t259
"""


def test_layout_a_class_item_code_columns() -> None:
    t = find_tables(CODES)[0]
    _check_offsets(CODES, [t])
    assert t.columns[:4] == [
        "项目/功能分类科目编码/类",
        "项目/功能分类科目编码/款",
        "项目/功能分类科目编码/项",
        "项目/功能分类科目名称",
    ]
    assert t.columns[4:] == ["支出预算/合计", "支出预算/基本支出", "支出预算/项目支出"]
    row = _row(t, "行政运行")
    assert row.code == "2040201"
    assert row.cells[0].value is None  # a code is not an amount
    assert _val(t, "合计", "支出预算/项目支出").value == Decimal("259")


# ------------------------------------------------------------------ layout B (PDF)

LAYOUT_B = """收入决算表

公开02表

部门名称：某某局

2024年度

金额单位：万元

项目\t\t本年收入合计\t财政拨款收入\t其他收入
科目代码\t科目名称\t\t\t
栏次\t\t1\t2\t3
合计\t\t6650.61\t6610.87\t39.75
204\t公共安全支出\t5,325.78\t5325.78\t

2040201\t行政运行\t3140.90\t3140.90\t
---------\t------\t-------\t--\t--

注：本表反映部门本年度取得的各项收入情况。
"""


def test_layout_b_codes_lanci_separator_pagebreak() -> None:
    tables = find_tables(LAYOUT_B)
    _check_offsets(LAYOUT_B, tables)
    assert len(tables) == 1
    t = tables[0]
    assert t.title == "收入决算表" and t.unit == "万元"
    assert t.columns == ["项目/科目代码", "项目/科目名称", "本年收入合计", "财政拨款收入", "其他收入"]
    assert [r.label for r in t.rows] == ["合计", "公共安全支出", "行政运行"]
    assert [r.code for r in t.rows] == [None, "204", "2040201"]
    assert _val(t, "公共安全支出", "本年收入合计").value == Decimal("5325.78")
    assert _val(t, "行政运行", "其他收入").value is None
    assert t.line_end == 18  # the dashes row closes the table


def test_layout_b_row_number_columns_dropped() -> None:
    text = "收入\t\t\t支出\t\t\n项目\t行次\t金额\t项目\t行次\t金额\n栏次\t\t1\t栏次\t\t2\n本年收入合计\t27\t6650.61\t本年支出合计\t58\t6650.61\n\t30\t\t\t61\t\n"
    t = find_tables(text)[0]
    assert t.columns == ["收入/项目", "收入/金额", "支出/项目", "支出/金额"]
    assert len(t.rows) == 1  # the row holding only 行次 numbers is dropped
    assert _val(t, "本年收入合计", "收入/金额").value == Decimal("6650.61")


def test_toc_lines_are_not_tables() -> None:
    text = "目 录\n\n第一部分 概况\t1\n一、本部门职责.....\t1\n二、机构设置情况.....\t2\n"
    assert find_tables(text) == []


def test_ragged_table_gets_generic_columns() -> None:
    text = "甲\t1\n乙\t2\t3\t4\n丙\n"
    t = find_tables(text)[0]
    assert t.columns == ["col1", "col2", "col3", "col4"]
    assert _val(t, "乙", "col4").value == Decimal("4")
    t.frame()


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["\t", "\n", "\n\n", "合计", "1,234.5", "—", " ", "　", "表", "单位：万元", "201 支出", "x"]), max_size=60))
def test_never_raises_and_offsets_hold(parts: list[str]) -> None:
    text = "".join(parts)
    tables = find_tables(text)
    _check_offsets(text, tables)
    for t in tables:
        t.frame()


# ------------------------------------------------------------------ seeds (facts read from the files)

@pytest.mark.parametrize("path", sorted(glob.glob(str(SEEDS / "*.txt"))))
def test_seed_offsets_hold(path: str) -> None:
    doc = load_document(path)
    _check_offsets(doc.text, doc.tables)
    for t in doc.tables:
        t.frame()


def _seed(prefix: str):
    return load_document(next(SEEDS.glob(prefix + "_*.txt")))


def _table(doc, title: str) -> Table:
    return next(t for t in doc.tables if t.title == title)


def test_seed_004_final_account_tables() -> None:
    doc = _seed("004")
    t = _table(doc, "收入支出决算总表")  # 公开01表, lines 75-109
    assert t.unit == "万元"
    assert _val(t, "本年收入合计", "收入/金额").value == Decimal("6650.61")  # line 105
    assert _val(t, "本年收入合计", "支出/金额").value == Decimal("6650.61")
    assert _val(t, "总计", "收入/金额").value == Decimal("6717.05")  # line 109
    assert _val(t, "八、其他收入", "收入/金额").value == Decimal("39.75")  # line 85
    inc = _table(doc, "收入决算表")  # line 132: 2040201 行政运行 3140.90
    row = next(r for r in inc.rows if r.code == "2040201")
    assert row.label == "行政运行" and row.cells[inc.columns.index("本年收入合计")].value == Decimal("3140.90")
    exp = _table(doc, "支出决算表")  # line 173
    assert _val(exp, "合计", "基本支出").value == Decimal("4288.64")
    assert _val(exp, "合计", "项目支出").value == Decimal("2361.97")
    stat = _table(doc, "部门决算公开相关信息统计表")  # line 417: 车辆数合计 69
    assert _val(stat, "(一)车辆数合计(辆)", "统计数").value == Decimal("69")


def test_seed_000_self_evaluation_table() -> None:
    doc = _seed("000")
    fund = next(t for t in doc.tables if "全年执行数" in t.columns)
    assert fund.title == "单位整体支出绩效自评表" and fund.unit == "万元"
    total = _row(fund, "合计")  # lines 122-129
    assert total.cells[fund.columns.index("全年执行数")].value == Decimal("15748.74")
    assert total.cells[fund.columns.index("全年执行数")].text == "15,748.74"
    rate = total.cells[fund.columns.index("执行率")]
    assert rate.text == "98.18%" and rate.value == Decimal("98.18")
    goals = next(t for t in doc.tables if "年度总体目标" in t.columns)
    cell = goals.rows[0].cells[2]  # lines 137-147: a cell of five paragraphs
    assert cell.location.line == 137
    assert cell.text.endswith(doc.line_text(147).strip())
    ind = next(t for t in doc.tables if "三级指标" in t.columns)
    row = _row(ind, "严防发生暴恐案件")  # lines 167-174
    assert row.cells[ind.columns.index("预期指标值")].text == "=0起"
    assert row.cells[ind.columns.index("预期指标值")].value is None
    assert row.cells[ind.columns.index("分值权重")].value == Decimal("20")


def test_seed_002_project_table() -> None:
    doc = _seed("002")
    fund = next(t for t in doc.tables if t.title == "项目支出绩效自评表" and "全年执行数" in t.columns)
    row = _row(fund, "年度资金总额")  # lines 219-226
    assert row.cells[fund.columns.index("全年执行数")].value == Decimal("9.10")
    assert row.cells[fund.columns.index("执行率")].value == Decimal("57.38")
    ind = next(t for t in doc.tables if "指标得分" in t.columns)
    total = _row(ind, "总分")  # lines 389-394: 75.74分 is a score text, not a bare number
    assert any(c.text == "75.74分" and c.value is None for c in total.cells)


def test_seed_003_budget_tables() -> None:
    doc = _seed("003")
    t = _table(doc, "部门收入总体情况表")  # 表二, line 204-208
    row = next(r for r in t.rows if r.code == "2040201")
    assert row.label == "行政运行" and row.cells[t.columns.index("总计")].value == Decimal("3606.49")
    t4 = _table(doc, "财政拨款收支预算总体情况表")  # 表四, lines 672-676
    row = _row(t4, "公共安全支出")
    assert row.code == "204"
    assert row.cells[t4.columns.index("财政拨款支出/合计")].value == Decimal("3922.11")
    t6 = _table(doc, "一般公共预算基本支出情况表")  # 表六, lines 1240-1245
    assert t6.unit == "万元"
    assert _val(t6, "合计", "一般公共预算基本支出/人员经费").value == Decimal("3285.3")
