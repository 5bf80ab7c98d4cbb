"""Year consistency: a sentence that names another year as the document's own.

A 2019 budget that says "纳入本部门2018年部门汇总预算编制范围" or a 2024 final account headed
"2023年度部门决算情况说明" kept last year's template. Only phrases that speak of the document
itself are read (its scope, its 情况说明, its 公开), with the family's own word (预算 for a
budget, 决算 for a final account): "比2023年预算增加" is a comparison and is never read.
Balance dates follow the family: a budget of Y reports assets 截至(Y-1)年12月31日, a final
account of Y 截至Y年12月31日.
"""

from __future__ import annotations

from typing import Iterator

import regex

from auditor.checks.facts import FactBase
from auditor.checks.relation import Operand, Relation
from auditor.model import Evidence
from auditor.rules_model import CheckRule, NoParams

NAME = "year_scope"
PLACEHOLDERS = {"year", "printed", "what"}

_WORD = {"budget": "预算", "final_accounts": "决算"}
_SELF = regex.compile(r"(?<!\d)(?P<year>\d{4})年度?(?:部门|单位)?(?:汇总)?(?P<word>预算|决算)"
                      r"(?:编制范围|情况说明|公开)")
_BALANCE = regex.compile(r"截至(?P<year>\d{4})年12月31日")
_BALANCE_OFFSET = {"budget": -1, "final_accounts": 0}


def relations(rule: CheckRule, params: NoParams, facts: FactBase) -> Iterator[Relation]:
    """Every year a self-describing phrase or a balance date prints, against the year it should
    be (label_is): the evaluator finds the ones that differ."""
    doc = facts.document
    year, family = doc.year, doc.family
    if not year or family not in _WORD:
        return
    own = _own_year(facts, year, _WORD[family])
    for s in facts.sentences:
        for m in _SELF.finditer(s.text):
            if m.group("word") == _WORD[family]:  # a 决算 printing 2023年预算… names another document
                yield _relation(s, m, year, str(year), own, "文件所述本文件年度")
        for m in _BALANCE.finditer(s.text):
            yield _relation(s, m, year, str(year + _BALANCE_OFFSET[family]), own, "资产等时点数的截止年度")


def _own_year(facts: FactBase, year: int, word: str) -> Evidence | None:
    """The document's own statement of its year (its title, as a rule)."""
    pat = regex.compile(rf"{year}年度?[^\n，。]{{0,30}}?{word}")
    for s in facts.sentences:
        m = pat.search(s.text)
        if m:
            start = s.location.start + m.start()
            return Evidence(m.group(), s.location.line, s.location.page, start, start + len(m.group()), "stated")
    return None


def _relation(s, m, year: int, want: str, own: Evidence | None, what: str) -> Relation:
    """The printed year (stated) is the year wanted (the operand, shown by the document's own
    statement of its year when there is one)."""
    start = s.location.start + m.start()
    ev = Evidence(m.group(), s.location.line, s.location.page, start, start + len(m.group()), "stated")
    return Relation(
        "label_is", Operand.labelled(f"{m.group('year')}年", "stated", ev),
        (Operand.labelled(f"{want}年", "year", own),),
        values={"year": str(year), "printed": m.group("year"), "what": what},
        arithmetic=f"本文件为{year}年度{'（' + own.quote + '）' if own else ''}；{what}应为{want}年",
        section=s.section, key=(s.location.line, m.start()), derived=False)
