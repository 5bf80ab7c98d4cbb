"""How a number's subject, role and direction are read, and what the checks then do with it.

Issue 10's false alarms of the claim reading: a fund scope taken for the subject
(一般公共预算拨款安排的会议费), a change amount or a prior-year base taken for the level,
vehicles held against vehicles bought, the template's either-or wording read as growth.
Every sentence here is written for the test, in the templates' wording.
"""

from __future__ import annotations

import pytest

from auditor.audit import Auditor
from auditor.claims.extract import _forward, _last_clause, _squeeze


@pytest.fixture(scope="module")
def auditor() -> Auditor:
    return Auditor()


def _claim(result, quote):
    found = [c for c in result.claims if c.quote == quote and c.source == "narrative"]
    assert len(found) == 1, [c.quote for c in result.claims]
    return found[0]


def _errors(result, *rules):
    return [f for f in result.flags if f.rule in rules and f.severity == "error"]


BUDGET = """2024年度一般公共预算财政拨款支出预算1,860.00万元，与上年相比增加120.00万元，增长6.90%。
2024年度一般公共预算拨款安排的会议费预算支出36.50万元，比上年预算减少3.50万元。
2024年度一般公共预算拨款安排的培训费预算支出18.00万元，比上年预算增加2.00万元。
"""


def test_meeting_and_training_are_not_the_fund_total(auditor):
    result = auditor.audit_text(BUDGET)
    meeting = _claim(result, "36.50万元")
    assert meeting.concept is None and meeting.subject.startswith("会议费")
    assert _claim(result, "18.00万元").subject.startswith("培训费")
    assert _claim(result, "1,860.00万元").concept == "gpb.expense"
    assert not _errors(result, "agree.same_quantity", "agree.same_change")


def test_sangong_items_keep_their_concept_after_a_scope(auditor):
    text = ("2024年度一般公共预算拨款安排的“三公”经费预算支出中，因公出国（境）费支出20.00万元，"
            "公务接待费支出12.00万元。\n1．因公出国（境）费预算支出20.00万元，与上年预算数持平。\n"
            "2．公务接待费预算支出13.00万元，与上年预算数持平。")
    result = auditor.audit_text(text)
    abroad = [c for c in result.claims if c.quote == "20.00万元"]
    assert [c.concept for c in abroad] == ["sangong.abroad", "sangong.abroad"]
    # the same item written twice differently is still caught
    flags = _errors(result, "agree.same_quantity")
    assert len(flags) == 1 and {e.quote for e in flags[0].evidence} == {"12.00万元", "13.00万元"}


def test_vehicles_held_and_bought_are_not_compared(auditor):
    text = "截至2023年12月31日，本单位共有车辆2辆，其中：其他用车2辆。\n2024年预算安排购置车辆0辆。"
    result = auditor.audit_text(text)
    assert _claim(result, "0辆").concept == "sangong.vehicles_bought"
    assert not _errors(result, "agree.same_quantity")


def test_a_verb_before_the_name_is_a_change_not_the_level(auditor):
    text = ("本部门收入、支出预算总计13,000.00万元，与上年相比收、支预算总计各增加800.00万元，增长6.56%。"
            "主要原因是政策性增资，增加基本支出800.00万元。\n此外，基本支出预算数为7,600.00万元。")
    result = auditor.audit_text(text)
    fronted = [c for c in result.claims if c.quote == "800.00万元" and c.concept == "expense.basic"]
    assert len(fronted) == 1 and fronted[0].kind == "change_amount" and fronted[0].confidence == "low"
    assert not _errors(result, "agree.same_quantity")


def test_template_either_or_wording_raises_no_direction_check(auditor):
    text = "项目支出120.00万元，比上年增加（减少）15.00万元，下降（增长）12.50%。"
    result = auditor.audit_text(text)
    assert _claim(result, "15.00万元").direction is None
    assert _claim(result, "12.50%").direction is None
    assert not [f for f in result.flags if f.rule in ("change.direction", "change.rate")]


def test_a_real_rate_error_is_still_found(auditor):
    # 1237.70 ÷ (4335.30 + 1237.70) = 22.21%, printed 13.22%
    text = "项目支出预算数为4335.30万元。与上年相比减少了1237.70万元，减少13.22%。"
    result = auditor.audit_text(text)
    flags = [f for f in result.flags if f.rule == "change.rate"]
    assert len(flags) == 1 and flags[0].expected == "22.21%"
    assert _claim(result, "1237.70万元").confidence == "low"  # its subject is the sentence before's


def test_direction_location_points_at_the_printed_word(auditor):
    text = "社会保障和就业 支出 1,200.50 万元，与 上年 相比 减少 100.50 万元，降幅 7.72 %。"
    result = auditor.audit_text(text)
    for quote, word in (("100.50 万元", "减少"), ("7.72 %", "降幅")):
        loc = _claim(result, quote).direction_location
        assert text[loc.start:loc.end] == word


def test_squeeze_keeps_a_way_back_to_the_printed_offsets():
    text = "江苏省某厅 2019 年 度 收 入 、 支 出 预 算 总 计 24,169.74 万元"
    squeezed, back = _squeeze(text)
    assert squeezed.startswith("江苏省某厅 2019年度收入支出预算总计")
    forward = _forward(back, len(text))
    for i, j in enumerate(back[:-1]):
        assert text[j] == squeezed[i] and forward[j] == i
    assert forward[len(text)] == len(squeezed)


@pytest.mark.parametrize("lead,clause", [
    ("比2015年（与2015年上报数据相比，下同）减少支出", "减少支出"),
    ("其中：因公出国（境）费", "因公出国（境）费"),
    ("主要原因是，增加基本支出", "增加基本支出"),
])
def test_last_clause(lead, clause):
    assert _last_clause(lead) == clause


def test_elliptical_and_inherited_subjects_are_low(auditor):
    text = ("财政拨款收入总计500.00万元，支出总计500.00万元。\n"
            "一般公共预算财政拨款支出年初预算为480.00万元，支出决算为470.00万元，完成年初预算的97.92%。")
    result = auditor.audit_text(text)
    total_out = [c for c in result.claims if c.quote == "500.00万元"][1]
    assert total_out.concept is None and total_out.confidence == "low"
    actual = _claim(result, "470.00万元")
    assert actual.concept == "gpb.expense" and actual.confidence == "low" and actual.confidence_reason
    assert _claim(result, "480.00万元").confidence == "high"
