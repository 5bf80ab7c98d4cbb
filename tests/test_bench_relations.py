"""The accuracy bench reads its relations from the check kinds (issue 14): the members come
from the kinds' operands, the arithmetic stays the bench's own. Expected values by hand."""

from __future__ import annotations

from decimal import Decimal

from auditor.audit import Auditor, document_from_text
from auditor.bench.relations import View, find_relations
from auditor.checks.facts import FactBase
from auditor.interval import Interval

_AUDITOR = Auditor()


def _relations(text: str):
    doc = document_from_text(text, "sample.txt")
    sentences, claims = _AUDITOR.extractor.extract(doc)
    facts = FactBase(doc, sentences, claims, _AUDITOR.catalogue)
    return claims, find_relations(facts, _AUDITOR.catalogue)


def _shown(claims, rels) -> set[tuple]:
    return {(r.kind, tuple((claims[i].quote, claims[i].location.line) for i in r.members)) for r in rels}


def test_members_follow_the_kinds_operands():
    claims, rels = _relations(
        "2024年度某某局部门决算\n一、收入支出决算总体情况说明\n"
        "2024年度收入总计1,100.00万元，比上年增加100.00万元，增长10.00%。\n"
        "2024年度支出总计1,100.00万元，其中：基本支出600.00万元，项目支出300.00万元。\n"
        "基本支出600.00万元，占支出总计的54.55%。\n")
    assert _shown(claims, rels) == {
        ("direction", (("10.00%", 3), ("100.00万元", 3))),
        ("change", (("10.00%", 3), ("100.00万元", 3), ("1,100.00万元", 3))),  # rate, Δ, 本年
        ("share", (("54.55%", 5), ("600.00万元", 5), ("1,100.00万元", 4))),  # share, part, whole
        ("partsum", (("1,100.00万元", 4), ("600.00万元", 4), ("300.00万元", 4))),  # total first
        ("agree", (("600.00万元", 4), ("600.00万元", 5))),
        ("identity", (("1,100.00万元", 3), ("1,100.00万元", 4))),  # 收入总计 = 支出总计
    }
    view = View(claims)
    assert all(r.holds(view) is True for r in rels)  # 100/1000 = 10%, 600/1100 = 54.545%, 900 ≤ 1100


def test_a_rate_with_two_candidate_amounts_breaks_only_when_both_readings_do():
    # the sentence before (same line) states two amounts: either may be the 本年数 of the change
    claims, rels = _relations(
        "2024年度某某局部门决算\n一、收入支出决算总体情况说明\n"
        "会议费支出5.05万元，培训费支出3.00万元。较上年决算减少0.24万元，下降4.54%。\n")
    [change] = [r for r in rels if r.kind == "change"]
    rate, delta, *currents = (claims[i] for i in change.members)
    assert (rate.quote, delta.quote, [c.quote for c in currents]) == ("4.54%", "0.24万元", ["5.05万元", "3.00万元"])
    # by hand: 0.24 ÷ (5.05 + 0.24) = 4.537%, 0.24 ÷ (3.00 + 0.24) = 7.407%
    assert change.holds(View(claims)) is True
    assert change.holds(View(claims, {rate.id: Interval.exact(Decimal("7.41"))})) is True
    assert change.holds(View(claims, {rate.id: Interval.exact(Decimal("9.99"))})) is False


def test_stated_weights_are_no_score_relation():
    # "总分设置为100分：…" states the weights (the kind's weights pattern), not a total score
    claims, rels = _relations(
        "2024年度某某局部门决算\n一、部门整体支出绩效自评情况\n"
        "自评得分95分，其中产出指标45分、效益指标30分、满意度指标20分。\n"
        "总分设置为100分：预算执行率10分、产出指标50分、效益指标30分、服务对象满意度指标10分。\n")
    assert {m for k, m in _shown(claims, rels) if k == "score"} == {
        (("95分", 3), ("45分", 3), ("30分", 3), ("20分", 3))}  # 45 + 30 + 20 = 95


def test_the_comparison_word_is_placed_in_the_text():
    text = ("2024年度某某中心部门决算\n一、收入支出决算总体情况说明\n"
            "信息系统运维（项）年初预算为86.40万元，支出决算为79.15万元。决算数小于预算数的主要原因是合同延后签订。\n")
    claims, rels = _relations(text)
    [compare] = [r for r in rels if r.kind == "compare"]
    assert [claims[i].quote for i in compare.members] == ["79.15万元", "86.40万元"]  # 决算, 预算
    d = compare.data
    assert (d["word"], d["printed"], d["line"]) == (-1, "小于", 3)
    assert text[d["start"]:d["end"]] == "小于"
    assert compare.holds(View(claims)) is True  # 79.15 < 86.40
