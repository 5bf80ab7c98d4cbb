"""The sum kinds moved to relations (issue 14): partsum, breakdown, fund_scopes, fund_parts,
enumeration, score_parts.

The wording their flags had before the move is pinned here (the evaluator's defaults differ:
a short breakdown says <, the funds are named with ＋, the expected count carries its unit),
with every figure worked out by hand from the text; and the kinds only describe relations:
they mark no claim, the engine counts the compared ones.
"""

from __future__ import annotations

import pytest

from auditor.audit import Auditor, document_from_text
from auditor.checks.facts import FactBase
from auditor.checks.kinds import registry
from auditor.checks.relation import Readings, Relation

MOVED = ("partsum", "breakdown", "fund_scopes", "fund_parts", "enumeration", "score_parts")

BREAKDOWN_SHORT = ("本单位2023年度本年收入520.40万元。具体情况如下：财政拨款收入480.00万元，其中政府性基金20.00万元。"
                   "其他收入20.40万元。年初结转和结余8.00万元。")
BREAKDOWN_OVER = ("2023年“三公”经费支出30.70万元，分别为：因公出国（境）费12.50万元、公务用车购置及运行维护费18.00万元、"
                  "公务接待费6.20万元。")
FUNDS_SHORT = ("本年财政拨款收入2,000.00万元，其中：一般公共预算拨款1,500.00万元，政府性基金预算拨款400.00万元，"
               "国有资本经营预算拨款50.00万元。")
FUNDS_ABSENT = ("财政拨款支出2,000.00万元，包括一般公共预算财政拨款支出1,500.00万元，政府性基金预算财政拨款支出400.00万元。\n"
                "本部门无国有资本经营预算拨款。")
SCOPES = ("本单位2025年财政拨款收支总预算8,640.20万元，与上年相比，财政拨款收、支总计各增加512.40万元。\n"
          "其中一般公共预算收入预算8,640.20万元，与上年相比增加512.70万元。")
SCORES = "自评得分为98分。\n投入管理指标方面，得分49分。\n产出指标方面，得分24分。\n效益指标方面，得分15分。"
QIZHONG_OVER = "公务用车购置及运行维护费25.66万元，其中：公务用车购置费10.00万元，公务用车运行维护费25.66万元。"
VEHICLES = "本年度购置6辆执法执勤用车，同时购置7辆五菱宏光S作为单位执勤用车。\n使用财政拨款共购置公务用车16辆。"


@pytest.fixture(scope="module")
def auditor() -> Auditor:
    return Auditor()


def _flags(auditor: Auditor, text: str, rule_id: str):
    return [f for f in auditor.audit_text(text).flags if f.rule == rule_id]


def _facts(auditor: Auditor, text: str) -> FactBase:
    doc = document_from_text(text)
    sentences, claims = auditor.extractor.extract(doc)
    return FactBase(doc, sentences, claims, auditor.catalogue)


def _rule(auditor: Auditor, kind: str):
    return next(r for r in auditor.catalogue.checks if r.kind == kind)


def test_moved_kinds_come_from_their_modules_not_the_bridge():
    for name in MOVED:
        fn = registry()[name].relations
        assert not getattr(fn, "legacy", False), name
        assert fn.__module__.startswith("auditor.checks.kinds."), name


@pytest.mark.parametrize("kind,text", [("breakdown", BREAKDOWN_SHORT), ("partsum", QIZHONG_OVER),
                                       ("fund_parts", FUNDS_SHORT), ("fund_scopes", SCOPES),
                                       ("score_parts", SCORES), ("enumeration", VEHICLES)])
def test_kinds_yield_relations_and_mark_no_claim(auditor, kind, text):
    facts = _facts(auditor, text)
    rule = _rule(auditor, kind)
    before = [dict(vars(c)) for c in facts.claims]
    found = list(registry()[kind].relations(rule, rule.settings, facts))
    assert found and all(isinstance(r, (Relation, Readings)) for r in found)
    assert [dict(vars(c)) for c in facts.claims] == before  # the kind leaves the claims as read


def test_qizhong_parts_over_their_total(auditor):
    # 10.00 + 25.66 = [9.995 + 25.655, 10.005 + 25.665] = [35.65, 35.67] > 25.66
    [flag] = _flags(auditor, QIZHONG_OVER, "sum.qizhong")
    assert flag.severity == "error"
    assert flag.expected == "≥35.65～35.67"
    assert flag.arithmetic == "10.00万元 + 25.66万元 = 35.65～35.67 > 25.66万元"


def test_complete_breakdown_short_of_its_total_is_a_warning_with_less_than(auditor):
    # items 480.00 + 20.40 (the 政府性基金 is a 其中 part of an item): [500.39, 500.41] < 520.40
    [flag] = _flags(auditor, BREAKDOWN_SHORT, "sum.breakdown")
    assert flag.severity == "warning"
    assert flag.arithmetic == "480.00万元 + 20.40万元 = 500.39～500.41 < 520.40万元"
    assert flag.expected == "500.39～500.41"
    assert "少于合计（所列可能不全）" in flag.message and "“具体情况如下”" in flag.message


def test_breakdown_over_its_total_is_one_error(auditor):
    # 12.50 + 18.00 + 6.20 = [36.685, 36.715], shown rounded half-even: 36.68～36.72 > 30.70
    [flag] = _flags(auditor, BREAKDOWN_OVER, "sum.breakdown")
    assert flag.severity == "error"
    assert flag.expected == "≥36.68～36.72"
    assert flag.arithmetic == "12.50万元 + 18.00万元 + 6.20万元 = 36.68～36.72 > 30.70万元"
    assert "超过了合计" in flag.message


def test_fund_parts_names_the_funds(auditor):
    # 1,500 + 400 + 50 = [1,949.985, 1,950.015] → 1,949.98～1,950.02 (half-even); midpoint 1,950.00
    [flag] = _flags(auditor, FUNDS_SHORT, "sum.fund_parts")
    assert flag.expected == "1,950.00"
    assert flag.arithmetic == ("一般公共预算1,500.00万元＋政府性基金400.00万元＋国有资本经营50.00万元"
                               " = 1,949.98～1,950.02 ≠ 2,000.00万元")


def test_fund_parts_says_which_fund_is_stated_absent(auditor):
    [flag] = _flags(auditor, FUNDS_ABSENT, "sum.fund_parts")
    assert flag.expected == "1,900.00"
    assert flag.arithmetic.endswith("≠ 2,000.00万元；文中写明无国有资本经营")


def test_fund_scopes_compares_the_changes_and_shows_the_levels(auditor):
    facts = _facts(auditor, SCOPES)
    rule = _rule(auditor, "fund_scopes")
    [rel] = registry()["fund_scopes"].relations(rule, rule.settings, facts)
    deltas = [c.id for c in facts.claims if c.kind == "change_amount"]
    assert sorted(rel.claim_ids) == sorted(deltas)  # the levels are evidence, not compared
    assert len(rel.evidence()) == 4
    [flag] = _flags(auditor, SCOPES, "change.fund_scopes")
    assert flag.stated == "增加512.40万元" and flag.expected == "增加512.70万元"
    assert "相差0.29～0.31万元" in flag.message  # |[512.395, 512.405] − [512.695, 512.705]|


def test_score_parts_sum_in_points(auditor):
    # 49 + 24 + 15 printed as whole points: [48.5+23.5+14.5, 49.5+24.5+15.5] = [86.5, 89.5] ≠ 98
    [flag] = _flags(auditor, SCORES, "score.parts")
    assert flag.expected == "86.50～89.50分"
    assert flag.arithmetic == "49分 + 24分 + 15分 = 86.50～89.50分 ≠ 98分"


def test_enumerated_counts_in_vehicles(auditor):
    [flag] = _flags(auditor, VEHICLES, "agree.vehicle_purchases")
    assert flag.expected == "13辆"  # 6 + 7
    assert flag.arithmetic == "6辆 + 7辆 = 13辆 ≠ 16辆"
