"""A template-worded final account whose figures were computed to hold (corpora/synthetic):
silence on the original, and a flag citing the planted figure on each mutated copy."""

from __future__ import annotations

import pytest

from conftest import ROOT

TEXT = (ROOT / "corpora" / "synthetic" / "template_holds.txt").read_text("utf-8")


def test_holds_everywhere(auditor):
    r = auditor.audit_text(TEXT, "template_holds.txt")
    assert [f.message for f in r.flags] == []
    assert r.verified >= len(r.claims) - 3  # only the equipment threshold line is out of reach


@pytest.mark.parametrize("old,new,rule", [
    ("下降6.67%", "下降7.67%", "change.rate"),                 # 100 / 1500 = 6.67%
    ("占94.97%", "占93.97%", "share.of_total"),                # 1234.56 / 1300 = 94.97%
    ("住房保障支出（类）100.00万元，占8.33%", "住房保障支出（类）100.00万元，占9.33%", "share.of_total"),
    ("完成年初预算的120.00%", "完成年初预算的110.00%", "rate.budget"),  # 1200 / 1000
    ("完成预算的90.00%", "完成预算的95.00%", "rate.budget"),         # 45 / 50
    ("增长9.09%", "下降9.09%", "change.direction"),
    ("执法执勤用车2辆", "执法执勤用车5辆", "sum.qizhong"),           # 0 + 5 + 1 > 3
    ("下降10.00%", "下降12.00%", "change.rate"),                # 5 / (45 + 5)
])
def test_planted_contradiction_is_flagged(auditor, old, new, rule):
    assert old in TEXT
    mutated = TEXT.replace(old, new, 1)
    line = mutated[: mutated.index(new)].count("\n") + 1
    flags = auditor.audit_text(mutated, "mutated.txt").flags
    hits = [f for f in flags if f.rule == rule and any(e.line == line and e.quote in new for e in f.evidence)]
    assert hits, [f.message for f in flags]
