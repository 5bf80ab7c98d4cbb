"""Headings, sections, blocks, and document family / year / unit name."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.ingest import load_document
from auditor.outline import heading_level

SEEDS = Path(__file__).resolve().parent.parent / "corpora" / "seeds"


def _doc(tmp_path: Path, text: str):
    p = tmp_path / "doc.txt"
    p.write_text(text, encoding="utf-8")
    return load_document(p)


@pytest.mark.parametrize(
    "line,level",
    [
        ("第二部分 部门决算情况说明", 1),
        (" 第一部分 单位概况", 1),
        ("一、收入支出决算总体情况说明", 2),
        ("[bookmark: _GoBack]二、机构设置及人员情况", 2),
        ("（一）一般公共预算财政拨款支出决算总体情况", 3),
        ("(二）改进建议", 3),
        ("1.投入管理指标完成情况分析", 4),
        ("2、 资料来源和依据等佐证材料情况", 4),
        ("（1）重点工作完成情况", 4),
        ("表一：", 5),
        ("公开01表", 5),
        ("收入支出决算总表", 5),
        ("1.一般公共服务支出(类)25.00万元,占0.16%。", None),
        ("（2）履职目标实现情况：在维护社会治安稳定方面，通过构建多层次、全方位的防控体系，社会治安秩序保持良好态势", None),
        ("一、财政拨款收入：指同级财政当年拨付的资金。", None),
        ("本年收入合计6,650.61万元。", None),
        ("1.5万元用于办公", None),
        ("（2024年度）", None),
    ],
)
def test_heading_level(line: str, level: int | None) -> None:
    assert heading_level(line) == level


TOC_DOC = """某某局
2024年度单位决算公开

目 录

第一部分 概况\t1
一、本部门职责.....\t1
二、机构设置情况……3

第一部分 概况
一、本部门职责
负责本地区治安。
（一）主要任务
1.维护稳定
本年支出100.00万元。
二、机构设置情况
设5个科室。
"""


def test_toc_produces_no_headings_and_sections_nest(tmp_path: Path) -> None:
    doc = _doc(tmp_path, TOC_DOC)
    assert [(h.level, h.line) for h in doc.headings] == [(1, 10), (2, 11), (3, 13), (4, 14), (2, 16)]
    by_line = {b.location.line: b for b in doc.blocks}
    assert by_line[15].section == ("第一部分 概况", "一、本部门职责", "（一）主要任务", "1.维护稳定")
    assert by_line[17].section == ("第一部分 概况", "二、机构设置情况")
    assert by_line[11].section == ("第一部分 概况",)  # a heading's own section excludes itself
    assert by_line[6].kind == "paragraph"  # TOC lines stay paragraphs, not tables
    assert doc.tables == []


def test_blocks_cover_every_non_blank_line_once(tmp_path: Path) -> None:
    text = "标题\n\n收入决算表\n单位：万元\n项目\t金额\n合计\t1.00\n\n说明文字。\n"
    doc = _doc(tmp_path, text)
    kinds = [(b.kind, b.location.line, b.line_end) for b in doc.blocks]
    assert kinds == [("paragraph", 1, 1), ("paragraph", 3, 3), ("paragraph", 4, 4), ("table", 5, 6), ("paragraph", 8, 8)]
    for b in doc.blocks:
        assert doc.text[b.location.start : b.location.end] == b.text
    assert doc.blocks[3].table is doc.tables[0]
    assert doc.blocks[3].section == ("收入决算表",)


@pytest.mark.parametrize(
    "text,family,year,unit",
    [
        ("某某县财政局2023年度部门决算\n第一部分 概况\n", "final_accounts", 2023, "某某县财政局"),
        ("某某市教育局\n2021年度单位决算公开\n第一部分 概况\n", "final_accounts", 2021, "某某市教育局"),
        ("第一部分 概况\n第二部分 2020年部门预算公开表\n编制部门：某某公安局    单位：万元\n", "budget", 2020, "某某公安局"),
        ("\n某某县公安局部门整体支出绩效自评报告\n（2024年度）\n一、基本情况\n", "self_evaluation", 2024, "某某县公安局"),
        ("第一部分 单位概况\n第二部分 部门决算情况说明\n2022年度收入总计1.00万元。\n部门名称：某某中心\n", "final_accounts", 2022, "某某中心"),
    ],
)
def test_family_year_unit(tmp_path: Path, text: str, family: str, year: int, unit: str) -> None:
    doc = _doc(tmp_path, text)
    assert (doc.family, doc.year, doc.unit_name) == (family, year, unit)


@pytest.mark.parametrize(
    "prefix,family,year,unit",
    [
        # 000: "第二部分 部门决算情况说明" (line 8); "2024年度" throughout; 单位名称 cell at line 84
        ("000", "final_accounts", 2024, "昌吉回族自治州公安局"),
        # 001: title line 2 "临泽县公安局部门整体支出绩效自评报告", line 3 "（2024年度）"
        ("001", "self_evaluation", 2024, "临泽县公安局"),
        # 002: title line 6 "昌吉回族自治州财政局2024年度部门决算"
        ("002", "final_accounts", 2024, "昌吉回族自治州财政局"),
        # 003: line 11 "第二部分  2020年部门预算公开表", line 14 "编制部门：昌吉州准噶尔公安局"
        ("003", "budget", 2020, "昌吉州准噶尔公安局"),
        # 004: lines 3-4 "阳泉市公安局城区分局" / "2024年度单位决算公开"
        ("004", "final_accounts", 2024, "阳泉市公安局城区分局"),
    ],
)
def test_seed_facts(prefix: str, family: str, year: int, unit: str) -> None:
    doc = load_document(next(SEEDS.glob(prefix + "_*.txt")))
    assert (doc.family, doc.year, doc.unit_name) == (family, year, unit)


def test_seed_004_toc_and_table_sections() -> None:
    doc = load_document(next(SEEDS.glob("004_*.txt")))
    assert all(h.line > 35 for h in doc.headings)  # lines 6-34 are the 目录
    t = next(t for t in doc.tables if t.title == "收入支出决算总表")
    assert t.section[0] == "第二部分 2024年部门决算表"
    lines = {(h.line, h.level) for h in doc.headings}
    assert (65, 5) in lines and (67, 5) in lines  # 收入支出决算总表 / 公开01表


def test_seed_000_list_items_are_not_headings() -> None:
    doc = load_document(next(SEEDS.glob("000_*.txt")))
    heading_lines = {h.line for h in doc.headings}
    assert 24 not in heading_lines  # "1.一般公共服务支出(类)25.00万元,占0.16%。"
    assert {1, 8, 9, 21, 224} <= heading_lines
    para = next(b for b in doc.blocks if b.location.line == 24)
    assert para.section == ("第二部分 部门决算情况说明", "五、一般公共预算财政拨款支出决算情况说明", "（二）一般公共预算财政拨款支出决算结构情况")
    covered = {ln for t in doc.tables for ln in range(t.location.line, t.line_end + 1)}
    assert {139, 147} <= covered  # continuation paragraphs of a table cell are not prose
    assert all(b.location.line not in covered for b in doc.blocks if b.kind == "paragraph")


def test_a_sangong_spending_page_is_part_of_a_final_account():
    from auditor.audit import document_from_text

    spent = document_from_text("区某某局2015年三公经费支出情况\n2015年，我局三公经费支出27.03万元，同比下降22.62%。\n")
    assert spent.family == "final_accounts"
    planned = document_from_text("区某某局2016年三公经费预算情况说明\n2016年三公经费预算27.03万元。\n")
    assert planned.family == "budget"
