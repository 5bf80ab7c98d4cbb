"""The rate, share, share_of_group and table_rate kinds as relations judged by the evaluator.

The flag texts below are the ones the kinds printed before they were moved (issue 14); each
expected figure is worked out by hand in the comment beside it.
"""

from __future__ import annotations

import pytest

from auditor.audit import Auditor
from auditor.catalogue import load_catalogue
from auditor.checks.kinds import registry


@pytest.fixture(scope="module")
def auditor() -> Auditor:
    return Auditor(load_catalogue())


def _flags(auditor: Auditor, text: str, rule: str):
    return [f for f in auditor.audit_text(text).flags if f.rule == rule]


def test_variance_arithmetic_brackets_the_difference(auditor):
    # (15424.48 − 12884.32) ÷ 12884.32 = 2540.16 ÷ 12884.32 = 0.19715… → 19.72%, not 29.72%
    text = "年初预算数12,884.32万元，决算数15,424.48万元，预决算差异率29.72%。"
    [flag] = _flags(auditor, text, "rate.budget")
    assert flag.expected == "19.72%"
    assert flag.arithmetic.startswith("(15,424.48万元 − 12,884.32万元) ÷ 12,884.32万元 = 19.7")
    assert flag.arithmetic.endswith("%")


@pytest.mark.parametrize("printed, flagged", [("16.47%", False), ("-16.47%", False), ("+16.47%", True)])
def test_variance_printed_without_sign_is_a_magnitude(auditor, printed, flagged):
    # (12884.32 − 15424.48) ÷ 15424.48 = −2540.16 ÷ 15424.48 = −0.16468… → −16.47%:
    # an unsigned 16.47% is its magnitude; "+16.47%" claims an increase
    text = f"年初预算数15,424.48万元，决算数12,884.32万元，预决算差异率{printed}。"
    assert bool(_flags(auditor, text, "rate.budget")) is flagged


def test_rate_of_a_zero_budget_fails_with_its_own_words(auditor):
    text = "一般公共预算财政拨款支出年初预算为 0 万元，支出决算为 307.82 万元，完成年初预算的 95.89%。"
    [flag] = _flags(auditor, text, "rate.budget")
    assert flag.expected == "无法计算（预算为0）"
    assert flag.arithmetic.endswith("：预算为0，比率无意义")
    assert flag.severity == "error"


def test_truncated_share_is_a_warning(auditor):
    # 2000.00 ÷ 3000.00 lies in [1999.995 ÷ 3000.005, 2000.005 ÷ 2999.995] = [66.66639%, 66.66694%]:
    # a printed 66.66% ([66.655, 66.665]) misses it, but fits once its digits are taken as cut off
    # ([66.66, 66.67]); the expected print is 66.67%
    text = "本年支出合计3,000.00万元，其中：基本支出2,000.00万元，占本年支出合计的66.66%。"
    flags = _flags(auditor, text, "share.of_total")
    assert [(f.severity, f.expected) for f in flags] == [("warning", "66.67%")]
    # 66.60% fits neither way: an error
    flags = _flags(auditor, text.replace("66.66%", "66.60%"), "share.of_total")
    assert [(f.severity, f.expected) for f in flags] == [("error", "66.67%")]


def test_moved_kinds_are_registered_with_their_placeholders():
    kinds = registry()
    assert {"share", "rate", "share_of_group", "table_rate"} <= set(kinds)
    assert not getattr(kinds["rate"].relations, "legacy", False)
    assert kinds["share_of_group"].placeholders == {"subject", "part", "whole", "whole_label", "whole_source",
                                                    "note"}
    assert kinds["table_rate"].placeholders == {"subject", "table", "reason"}


_TABLE = ("单位整体支出绩效自评表\n\t部门资金（万元）\n\t资金来源\n\t年初预算数\n\t全年预算数\n\t全年执行数\n\t分值权重\n"
          "\t执行率\n\t得分\n\n\t\n\t合计\n\t12,884.32\n\t16,040.59\n\t15,748.74\n\t10\n\t{rate}\n\t{score}\n")


def test_table_rate_judges_the_score_only_when_the_rate_holds(auditor):
    # 15748.74 ÷ 16040.59 = 0.98180… → 98.18%; 10 × 98.18% = 9.818, so 9.00 fits no scoring rule
    # ((98.18 − 60) ÷ 40 × 10 = 9.545 neither)
    [score] = _flags(auditor, _TABLE.format(rate="98.18%", score="9.00"), "rate.selfeval_table")
    assert (score.stated, score.severity, score.expected) == ("9.00", "warning", "9.82")
    # with a wrong rate the row has one flag, the rate's, even though the score is off too
    [rate] = _flags(auditor, _TABLE.format(rate="96.18%", score="9.00"), "rate.selfeval_table")
    assert (rate.stated, rate.expected) == ("96.18%", "98.18%")
    assert rate.arithmetic == "15,748.74 ÷ 16,040.59 = 98.18%"
