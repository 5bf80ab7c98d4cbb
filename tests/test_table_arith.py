"""A table's own arithmetic (auditor.table_arith): which sums a table states, that codes are
never amounts, and when a table counts as misread. All tables here are made up for the test;
every expected sum was added up by hand.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from auditor.audit import Auditor
from auditor.ingest import load_document
from auditor.table_arith import relations, tally
from auditor.tables import caption_title, find_tables
from pdfmake import Page, make_pdf


def _table(text: str):
    tables = find_tables(text)
    assert len(tables) == 1
    return tables[0]


def _flags(text: str, rule: str) -> list:
    return [f for f in Auditor().audit_text(text).flags if f.rule == rule]


SPLIT_CODES = (
    "支出决算表\n单位：万元\n"
    "项目\t\t\t\t本年支出合计\t基本支出\t项目支出\n"
    "支出功能分类科目编码\t\t\t科目名称\t\t\t\n"
    "类\t款\t项\t合计\t90.00\t60.00\t30.00\n"
    "205\t\t\t教育支出\t90.00\t60.00\t30.00\n"
    "205\t01\t\t教育管理事务\t90.00\t60.00\t30.00\n"
    "205\t01\t01\t行政运行\t{run}\t60.00\t\n"
    "205\t01\t02\t一般行政管理事务\t30.00\t\t30.00\n"
    "\n注：本表反映本年度支出。"
)


def test_split_class_item_columns_are_one_code_never_an_amount() -> None:
    """类 | 款 | 项 printed in three columns, their header on the 合计 row (as Shanghai tables do):
    each row gets one code, the 项 row its 7-digit code (not its 类), and 01/02 are no amounts."""
    t = _table(SPLIT_CODES.format(run="60.00"))
    assert [r.code for r in t.rows] == [None, "205", "20501", "2050101", "2050102"]
    assert t.rows[0].label == "合计"
    assert [c.rsplit("/", 1)[-1] for c in t.columns[:3]] == ["类", "款", "项"]
    assert all(c.value is None for r in t.rows for c in r.cells[:3])
    tl = tally(t)
    # 205 = Σ 20501 and 20501 = Σ 205010x in three columns, 合计 row = 205 in three columns,
    # 本年支出合计 = 基本支出 + 项目支出 on five rows
    assert (tl.tested, tl.failed) == (14, 0)
    assert not _flags(SPLIT_CODES.format(run="60.00"), "sum.table")


def test_one_wrong_item_is_a_finding_not_a_misreading() -> None:
    text = SPLIT_CODES.format(run="50.00")
    t = _table(text)
    assert t.misread is None
    flags = _flags(text, "sum.table")
    # 20501 (90.00) ≠ 50.00 + 30.00, and the 行政运行 row: 50.00 ≠ 60.00 + 0
    assert sorted(f.stated for f in flags) == ["50.00", "90.00"]
    assert all(f.severity == "error" for f in flags)


def test_a_class_printed_once_per_group_is_inherited() -> None:
    text = (
        "支出预算表\n单位：万元\n科目编码\t\t\t科目名称\t合计\n类\t款\t项\t\t\n"
        "205\t\t\t教育支出\t90.00\n\t01\t\t教育管理事务\t90.00\n\t\t01\t行政运行\t60.00\n\t\t02\t一般行政管理事务\t30.00\n"
        "\n注：本表反映支出预算。"
    )
    t = _table(text)
    assert [r.code for r in t.rows] == ["205", "20501", "2050101", "2050102"]
    assert (tally(t).tested, tally(t).failed) == (2, 0)


def test_a_column_of_codes_without_a_code_header_is_not_summed() -> None:
    text = (
        "基本支出预算表\n单位：万元\n栏目\t科目\t金额\n合计\t\t20.00\n301\t工资福利支出\t15.00\n"
        "30101\t基本工资\t10.00\n30102\t津贴补贴\t5.00\n302\t商品和服务支出\t5.00\n30201\t办公费\t5.00\n"
        "\n注：本表反映基本支出。"
    )
    t = _table(text)
    assert [r.code for r in t.rows] == [None, "301", "30101", "30102", "302", "30201"]
    assert all(r.cells[0].value is None for r in t.rows)
    assert (tally(t).tested, tally(t).failed) == (3, 0)  # 301, 302 and the 合计 row
    assert not _flags(text, "sum.table")


def test_a_total_whose_parts_are_all_blank_is_not_compared() -> None:
    """A 合计 printed over parts that are all blank means the parts were not read (another
    column, another page): nothing is compared, nothing flagged."""
    text = (
        "支出预算表\n单位：万元\n科目编码\t科目名称\t合计\t基本支出\t项目支出\n合计\t\t50.00\t\t\n"
        "201\t一般公共服务支出\t\t\t\n20101\t人大事务\t\t\t\n\n注：本表反映支出预算。"
    )
    t = _table(text)
    assert tally(t).tested == 0
    assert not _flags(text, "sum.table")


BLOCKS = (
    "基本支出决算表\n单位：万元\n"
    "科目编码\t科目名称\t决算数\t科目编码\t科目名称\t决算数\t科目编码\t科目名称\t决算数\n"
    "301\t工资福利支出\t30.00\t302\t商品和服务支出\t6.00\t31003\t专用设备购置\t{tail}\n"
    "30101\t基本工资\t30.00\t30201\t办公费\t6.00\t\t\t\n"
    "303\t对个人和家庭的补助\t2.00\t310\t资本性支出\t7.00\t\t\t\n"
    "30302\t退休费\t2.00\t31002\t办公设备购置\t4.00\t\t\t\n"
    "人员经费合计\t\t32.00\t公用经费合计\t\t13.00\t\t\t\n"
    "\n注：本表反映基本支出。"
)


def test_side_by_side_blocks_share_one_code_tree() -> None:
    """Economic classes printed in three blocks side by side; 310's last item runs on into the
    third block: 310 = 31002 + 31003 = 7.00; each block's 合计 row sums its own top classes."""
    t = _table(BLOCKS.format(tail="3.00"))
    rel = {r.what: r for r in relations(t)}
    assert {"301 工资福利支出", "303 对个人和家庭的补助", "302 商品和服务支出", "310 资本性支出",
            "人员经费合计行", "公用经费合计行"} <= set(rel)
    assert [p.text for p in rel["310 资本性支出"].parts] == ["4.00", "3.00"]
    assert (tally(t).tested, tally(t).failed) == (6, 0)
    flags = _flags(BLOCKS.format(tail="2.00"), "sum.table")
    assert [f.stated for f in flags] == ["7.00"]


SANGONG = (
    "“三公”经费支出预算表\n单位：万元\n"
    "合计\t“三公”经费\t\t\t\t\t\t会议费\n"
    "\t小计\t因公出国（境）费\t公务用车购置及运行维护费\t\t\t公务接待费\t\n"
    "\t\t\t小计\t公务用车购置费\t公务用车运行维护费\t\t\n"
    "20.50\t15.50\t3.00\t10.00\t6.00\t{run}\t2.50\t5.00\n"
    "\n注：本表反映三公经费。"
)


def test_group_subtotal_columns() -> None:
    """合计 = 三公/小计 + 会议费; 三公/小计 = 出国 + 车辆/小计 + 接待; 车辆/小计 = 购置 + 运行."""
    t = _table(SANGONG.format(run="4.00"))
    got = {r.what.split("行", 1)[1]: [p.text for p in r.parts] for r in relations(t)}
    assert got["合计"] == ["15.50", "5.00"]
    assert got["“三公”经费/小计"] == ["3.00", "10.00", "2.50"]
    assert got["“三公”经费/公务用车购置及运行维护费/小计"] == ["6.00", "4.00"]
    assert (tally(t).tested, tally(t).failed) == (3, 0)
    assert [f.stated for f in _flags(SANGONG.format(run="3.00"), "sum.table")] == ["10.00"]


def test_a_subtotal_over_one_part_means_a_lost_column() -> None:
    """The header lost the 公务用车运行维护费 column, so its 4.00 stands under 公务接待费: a
    group whose 小计 has a single other member is a header that lost a column, and nothing
    is summed across it (else 3.00 + 10.00 + 4.00 ≠ 15.50 would be a false error)."""
    text = (
        "“三公”经费支出预算表\n单位：万元\n合计\t“三公”经费\t\t\t\t\t会议费\n"
        "\t小计\t因公出国（境）费\t公务用车购置及运行维护费\t\t公务接待费\t\n"
        "\t\t\t公务用车购置费\t小计\t\t\n"
        "20.50\t15.50\t3.00\t6.00\t10.00\t4.00\t5.00\n\n注：本表反映三公经费。"
    )
    t = _table(text)
    assert t.columns[3:5] == ["“三公”经费/公务用车购置及运行维护费/公务用车购置费", "“三公”经费/公务用车购置及运行维护费/小计"]
    # only 合计 = 三公/小计 + 会议费 is summed: it does not reach inside the broken group
    assert [(r.total.text, [p.text for p in r.parts]) for r in relations(t)] == [("20.50", ["15.50", "5.00"])]
    assert not _flags(text, "sum.table")


MISREAD = (
    "支出预算表\n单位：万元\n科目编码\t科目名称\t合计\n合计\t\t70.00\n201\t一般公共服务支出\t40.00\n"
    "20101\t人大事务\t12.00\n2010101\t行政运行\t25.00\n2010102\t一般行政管理事务\t15.00\n"
    "208\t社会保障和就业支出\t30.00\n20805\t行政事业单位离退休\t9.00\n2080505\t机关事业单位基本养老保险缴费支出\t30.00\n"
    "\n注：本表反映支出预算。"
)


def test_a_table_whose_sums_mostly_fail_is_misread() -> None:
    """Every 款 shows a figure of another row (4 of 5 sums fail): the reading is in doubt, so
    one warning, no sum.table error, and the claims read from it are low-confidence."""
    t = _table(MISREAD)
    assert t.misread and "第3行" in t.misread and "5项求和关系中有4项不成立" in t.misread
    result = Auditor().audit_text(MISREAD)
    assert not [f for f in result.flags if f.rule == "sum.table"]
    warn = [f for f in result.flags if f.rule == "table.misread"]
    assert len(warn) == 1 and warn[0].severity == "warning" and "表格读取可能有误" in warn[0].message
    table_claims = [c for c in result.claims if c.source == "table"]
    assert table_claims and all(c.confidence == "low" and "表格读取可能有误" in c.confidence_reason
                                for c in table_claims)


def test_a_misread_pdf_table_names_its_page(tmp_path: Path) -> None:
    xs, ys = [40.0, 110.0, 250.0, 330.0], [60.0 + 20 * k for k in range(7)]
    rows = [["Code", "Name", "Amount"], ["301", "Wages", "80.00"], ["30101", "Base", "20.00"], ["30102", "Bonus", "30.00"],
            ["302", "Goods", "9.00"], ["30201", "Office", "4.00"]]
    p1, p2 = Page(400, 300), Page(400, 300)
    p1.text(40, 40, "Page one.")
    p2.grid(xs, ys)
    p2.cells(xs, ys, rows)
    path = tmp_path / "m.pdf"
    path.write_bytes(make_pdf([p1, p2]))
    t = load_document(path).tables[0]
    assert t.misread is not None and t.misread.startswith("第2页")


def test_leading_zero_is_no_amount_and_titles() -> None:
    from auditor.tables import parse_value

    assert parse_value("06") is None and parse_value("0") == 0 and parse_value("0.60") == Decimal("0.60")
    assert caption_title(["二、收入预算总表"]) == "收入预算总表"
    assert caption_title(["财政拨款支出预算表（功能科目）"]) == "财政拨款支出预算表（功能科目）"
    assert caption_title(["“三公”经费、会议费、培训费支出预算", "表", "部门：某单位"]) == "“三公”经费、会议费、培训费支出预算表"


TWO_SIDED = (
    "财政拨款收入支出决算总表\n单位：万元\n"
    "收入\t\t支出\t\n项目\t决算数\t项目\t决算数\n"
    "一、一般公共预算财政拨款\t{gpb}\t一、一般公共服务支出\t70.00\n"
    "二、政府性基金预算财政拨款\t5.00\t二、教育支出\t15.00\n"
    "\t\t三、住房保障支出\t10.00\n"
    "本年收入合计\t95.00\t本年支出合计\t95.00\n"
    "年初财政拨款结转和结余\t8.00\t年末财政拨款结转和结余\t8.00\n"
    "一、一般公共预算财政拨款\t6.00\t\t\n"
    "二、政府性基金预算财政拨款\t2.00\t\t\n"
    "总计\t103.00\t总计\t103.00\n"
    "\n注：本表反映财政拨款收支。"
)


def test_two_sided_lists_sum_to_their_totals() -> None:
    """Each side: 本年合计 = Σ 一、二、三; 总计 = 本年合计 + 年初(年末)结转; 年初结转 = its own
    一、二、 breakdown, which is no part of the 总计."""
    t = _table(TWO_SIDED.format(gpb="90.00"))
    got = sorted((r.total.text, tuple(p.text for p in r.parts)) for r in relations(t) if r.kind.startswith("list"))
    assert got == sorted([
        ("95.00", ("90.00", "5.00")), ("103.00", ("95.00", "8.00")), ("8.00", ("6.00", "2.00")),
        ("95.00", ("70.00", "15.00", "10.00")), ("103.00", ("95.00", "8.00")),
    ])
    assert tally(t).failed == 0
    flags = _flags(TWO_SIDED.format(gpb="80.00"), "sum.table")
    assert [f.stated for f in flags] == ["95.00"]  # 80.00 + 5.00 ≠ 95.00; the 支出 side holds


def test_a_list_with_a_row_it_does_not_know_is_not_summed() -> None:
    """A plain row among the items before the first total (which sum it belongs to is not known) leaves
    that total untested."""
    text = (
        "收支预算总表\n单位：万元\n项目\t金额\n一、财政拨款\t50.00\n上年结转\t7.00\n二、其他资金\t3.00\n"
        "收入合计\t60.00\n\n注：本表反映收支预算。"
    )
    assert not [r for r in relations(_table(text)) if r.kind == "list_total"]
    assert not _flags(text, "sum.table")


PURCHASE = (
    "政府采购预算表\n单位：万元\n采购品目大类\t专项名称\t经济科目\t采购物品名称\t采购组织形式\t总计\n"
    "合计\t\t\t\t\t{total}\n一、货物\t\t\t\t\t30.00\n"
    "\t设备更新经费\t办公设备购置\t\t\t18.00\n\t\t\t台式计算机\t分散采购\t10.00\n\t\t\t打印设备\t分散采购\t8.00\n"
    "\t\t专用设备购置\t\t\t12.00\n\t\t\t其他专用设备\t分散采购\t12.00\n"
    "三、服务\t\t\t\t\t5.00\n\t会议经费\t会议费\t\t\t5.00\n\t\t\t会议服务\t分散采购\t5.00\n"
    "\n注：本表反映政府采购。"
)


def test_an_indented_list_sums_by_the_column_of_its_labels() -> None:
    """A row's figure belongs to its last label: 设备更新经费 | 办公设备购置 is the 专项's first
    经济科目, and 专用设备购置 below is its second, so 一、货物 = 18.00 + 12.00, not 18.00."""
    t = _table(PURCHASE.format(total="35.00"))
    got = {r.what.split("行", 1)[0]: [p.text for p in r.parts] for r in relations(t)}
    assert got == {"合计": ["30.00", "5.00"], "一、货物": ["18.00", "12.00"], "设备更新经费": ["10.00", "8.00"],
                   "专用设备购置": ["12.00"], "三、服务": ["5.00"], "会议经费": ["5.00"]}
    assert tally(t).failed == 0
    assert [f.stated for f in _flags(PURCHASE.format(total="36.00"), "sum.table")] == ["36.00"]


def test_an_item_name_and_amount_header_is_a_header() -> None:
    """项目名称 | 金额 reads like a key and its value, but heads a column of amounts."""
    text = (
        "收入预算总表\n单位：万元\n项目名称\t\t金额\n收入总计\t\t50.00\n一般公共预算资金\t小计\t45.00\n"
        "\t财政拨款资金\t45.00\n\t专项收入\t\n其他资金\t小计\t5.00\n\t事业收入\t5.00\n\n注：本表反映收入预算。"
    )
    t = _table(text)
    assert t.columns[-1] == "金额"
    got = sorted((r.total.text, tuple(p.text for p in r.parts)) for r in relations(t))
    assert got == [("45.00", ("45.00", "")), ("5.00", ("5.00",)), ("50.00", ("45.00", "5.00"))]


def test_role_columns_under_each_item_sum_by_role() -> None:
    """合计/预算数 = Σ items' 预算数, 合计/决算数 = Σ items' 决算数; 公务接待费 is no part of the
    公务用车 group beside it (its empty second header cell does not inherit that group)."""
    text = (
        "财政拨款“三公”经费支出决算表\n单位：万元\n"
        "合计\t\t因公出国（境）费\t\t公务用车购置及运行费\t\t\t\t\t\t公务接待费\t\n"
        "\t\t\t\t小计\t\t公务用车购置费\t\t公务用车运行费\t\t\t\n"
        "预算数\t决算数\t预算数\t决算数\t预算数\t决算数\t预算数\t决算数\t预算数\t决算数\t预算数\t决算数\n"
        "9.00\t8.00\t1.00\t1.00\t5.00\t4.00\t2.00\t2.00\t3.00\t2.00\t3.00\t{hosp}\n"
        "\n注：本表反映三公经费。"
    )
    t = _table(text.format(hosp="3.00"))
    assert t.columns[10] == "公务接待费/预算数"
    got = sorted((r.total.text, tuple(p.text for p in r.parts)) for r in relations(t))
    assert got == sorted([("9.00", ("1.00", "5.00", "3.00")), ("8.00", ("1.00", "4.00", "3.00")),
                          ("5.00", ("2.00", "3.00")), ("4.00", ("2.00", "2.00"))])
    assert [f.stated for f in _flags(text.format(hosp="2.00"), "sum.table")] == ["8.00"]


def test_codes_summed_as_amounts_mark_the_table_misread() -> None:
    """One failed sum is a finding, unless what it adds up are classification codes (the code
    column was read as the amounts): 208 = 20805 is a misreading, whatever the count."""
    text = (
        "支出预算表\n单位：万元\n科目编码\t科目名称\t金额\n201\t一般公共服务支出\t40.00\n20101\t人大事务\t40.00\n"
        "2010101\t行政运行\t25.00\n2010102\t一般行政管理事务\t15.00\n208\t社会保障和就业支出\t208\n"
        "20805\t行政事业单位离退休\t20805\n\n注：本表反映支出预算。"
    )
    assert (tally(_table(text)).tested, tally(_table(text)).failed) == (3, 1)  # 208 = 20805 fails alone
    t = _table(text)
    assert t.misread and "科目编码被当作金额相加" in t.misread
    assert not _flags(text, "sum.table")
    assert len(_flags(text, "table.misread")) == 1


def test_a_later_total_over_a_possible_breakdown_is_not_tested() -> None:
    """年初结转和结余 followed by rows that add up to it without 一、二、 (their enumerators lost
    or never printed): they may be its breakdown, so 总计 is not summed over them."""
    text = (
        "财政拨款收入支出决算总表\n单位：万元\n项目\t决算数\n一、一般公共预算财政拨款\t90.00\n二、政府性基金预算财政拨款\t5.00\n"
        "本年收入合计\t95.00\n年初财政拨款结转和结余\t8.00\n一般公共预算财政拨款\t6.00\n政府性基金预算财政拨款\t2.00\n"
        "总计\t103.00\n\n注：本表反映财政拨款收支。"
    )
    t = _table(text)
    assert [r.total.text for r in relations(t) if r.kind == "list_total"] == ["95.00"]
    assert not _flags(text, "sum.table")
