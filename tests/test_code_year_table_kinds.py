"""The code, year and table-sum kinds as relations (issue 14): what each yields, how the one
evaluator judges it, and that the flags keep their words (a dozen cells cited, no stated
figure for a misread table). Every text is made up; every sum was added up by hand.
"""

from __future__ import annotations

import pytest

from auditor.audit import Auditor, document_from_text
from auditor.checks.evaluate import evaluate
from auditor.checks.facts import FactBase
from auditor.checks.kinds import registry
from auditor.checks.relation import Relation

MOVED = ("code_label", "code_level", "code_outdated", "code_table", "year_scope", "table_sum", "table_misread")


@pytest.fixture(scope="module")
def auditor() -> Auditor:
    return Auditor()


def _relations(auditor: Auditor, text: str, rule_id: str) -> list[Relation]:
    doc = document_from_text(text)
    sentences, claims = auditor.extractor.extract(doc)
    claims += auditor.table_facts.claims(doc, len(claims))
    facts = FactBase(doc, sentences, claims, auditor.catalogue)
    [rule] = [r for r in auditor.catalogue.checks if r.id == rule_id]
    return list(registry()[rule.kind].relations(rule, rule.settings, facts))


def _flags(auditor: Auditor, text: str, rule_id: str) -> list:
    return [f for f in auditor.audit_text(text).flags if f.rule == rule_id]


def test_moved_kinds_are_no_longer_bridged() -> None:
    kinds = registry()
    for name in MOVED:
        assert not getattr(kinds[name].relations, "legacy", False), name


def test_year_scope_yields_the_right_year_too(auditor: Auditor) -> None:
    """The kind no longer judges: a correct year is a relation that holds, a stale one fails."""
    text = ("某某局2021年部门预算公开\n纳入本部门2021年部门汇总预算编制范围的预算单位共计2家。\n"
            "截至2019年12月31日，本部门共有车辆3辆。")
    rels = _relations(auditor, text, "year.own_year")
    # the title (2021年部门预算公开), the scope sentence, and the balance date: a budget of 2021
    # reports its assets 截至2020年12月31日
    assert [(r.shape, r.stated.label, r.operands[0].label) for r in rels] == [
        ("label_is", "2021年", "2021年"), ("label_is", "2021年", "2021年"), ("label_is", "2019年", "2020年")]
    assert [evaluate(r).status for r in rels] == ["holds", "holds", "fails"]
    [flag] = _flags(auditor, text, "year.own_year")
    assert (flag.stated, flag.expected) == ("2019年", "2020年")
    assert flag.arithmetic == "本文件为2021年度（2021年部门预算）；资产等时点数的截止年度应为2020年"


def test_code_label_is_judged_against_the_official_names(auditor: Auditor) -> None:
    text = "1.一般公共服务（204类）行政运行3606.49万元，占一般预算支出的91.95%；"
    [rel] = _relations(auditor, text, "code.function_label")
    assert rel.shape == "label_is" and rel.stated.label == "一般公共服务"
    assert "公共安全支出" in [o.label for o in rel.operands]
    [flag] = _flags(auditor, text, "code.function_label")
    assert flag.stated == "一般公共服务（204）" and flag.expected == "204 公共安全支出"
    assert flag.arithmetic == "204 = 公共安全支出；一般公共服务 = 201"


def _long_list(total: str) -> str:
    rows = "".join(f"{c}\t科目{c}\t{c - 200}.00\n" for c in range(201, 215))  # 1.00 … 14.00
    return f"支出预算表\n单位：万元\n科目编码\t科目名称\t合计\n合计\t\t{total}\n{rows}\n注：本表反映支出预算。"


def test_a_long_sum_cites_twelve_parts_and_sums_the_rest(auditor: Auditor) -> None:
    """1 + 2 + … + 14 = 105, each part ± 0.005, so 104.93～105.07: the flag shows the first
    twelve parts and one "…" for 13 + 14."""
    assert not _flags(auditor, _long_list("105.00"), "sum.table")
    [flag] = _flags(auditor, _long_list("100.00"), "sum.table")
    assert flag.stated == "100.00" and flag.expected == "104.93～105.07"
    shown = " + ".join(f"{i}.00" for i in range(1, 13))
    assert flag.arithmetic == f"{shown} + … = 104.93～105.07 ≠ 100.00"
    assert [e.role for e in flag.evidence] == ["total"] + ["part"] * 12


def test_a_misread_table_states_no_figure(auditor: Auditor) -> None:
    text = ("支出预算表\n单位：万元\n科目编码\t科目名称\t合计\n合计\t\t900.00\n201\t一般公共服务支出\t500.00\n"
            "20101\t人大事务\t120.00\n2010101\t行政运行\t300.00\n2010102\t一般行政管理事务\t200.00\n"
            "208\t社会保障和就业支出\t400.00\n20805\t行政事业单位离退休\t80.00\n"
            "2080505\t机关事业单位基本养老保险缴费支出\t400.00\n\n注：本表反映支出预算。")
    [flag] = _flags(auditor, text, "table.misread")
    assert flag.stated is None and flag.expected is None and flag.arithmetic is None
    # 201 = 500.00 but 20101 = 120.00: the first failed total is cited
    assert [(e.role, e.quote) for e in flag.evidence] == [("total", "500.00")]
    assert not _flags(auditor, text, "sum.table")
