"""决算 against 预算 in words: "决算数小于预算数" must be what the two stated figures say.

Final accounts explain each 项 with "年初预算为A万元，支出决算为B万元。决算数小于预算数的
主要原因：…". The word (大于 / 小于 / 等于, 持平, 一致) is checked against A and B taken
from the same sentence, or from the sentence just before it on the same line (the
figures and the explanation are two sentences there). Rounding decides only when it
must: "大于" fails only when B is surely below A or surely equal in print, "等于" only
when no rounding makes them equal. "基本持平" claims no equality and is never checked.
"""

from __future__ import annotations

import re
from typing import Iterator

from auditor.checks.facts import FactBase, fmt_interval
from auditor.checks.kinds._common import money
from auditor.checks.relation import Operand, Relation
from auditor.claims.model import Claim, Sentence
from auditor.model import Evidence
from auditor.rules_model import CheckRule, NoParams

_WORDS = {"大于": 1, "高于": 1, "超过": 1, "多于": 1, "小于": -1, "低于": -1, "少于": -1,
          "等于": 0, "持平": 0, "一致": 0, "相同": 0, "相等": 0}
_COMPARE = re.compile(
    r"(?:支出|收入)?决算数?(?P<w1>大于|高于|超过|多于|小于|低于|少于|等于)(?P<q1>年初|调整|全年)?预算数?"
    r"|(?:支出|收入)?决算数?与(?P<q2>年初|调整|全年)?预算数?(?:相比)?(?P<w2>(?<!基本)(?<!大致)持平|一致|相同|相等)")
_ROLES = {"年初": ("budget_initial",), "调整": ("budget_full",), "全年": ("budget_full",),
          None: ("budget_initial", "budget_full")}


def _figures(facts: FactBase, s: Sentence, end: int, roles: tuple[str, ...]) -> tuple[Claim, Claim] | None:
    """(决算, 预算) amounts before `end` in the sentence, else in the one before on its line.

    Exactly one of each: with two budgets or two finals which pair is meant is a guess."""
    for sentence, limit in ((s, end), (_previous_on_line(facts, s), None)):
        if sentence is None:
            return None
        amounts = [c for c in sentence.claims if c.kind == "amount" and c.source == "narrative"
                   and (limit is None or c.number.start < limit)]
        if not amounts:
            continue
        finals = [c for c in amounts if c.role == "current"]
        budgets = [c for c in amounts if c.role in roles]
        if len(finals) == 1 and len(budgets) == 1 and len(amounts) == 2:
            return finals[0], budgets[0]
        return None
    return None


def _previous_on_line(facts: FactBase, s: Sentence) -> Sentence | None:
    if s.id == 0:
        return None
    before = facts.sentence(s.id - 1)
    return before if before.location.line == s.location.line else None


def _phrase(facts: FactBase, s: Sentence, m: re.Match) -> list[Evidence]:
    """The comparison words as evidence, where the sentence maps onto the document text."""
    start, end = s.location.start + m.start(), s.location.start + m.end()
    if facts.document.text[start:end] != m.group(0):
        return []
    return [Evidence(m.group(0), s.location.line, s.location.page, start, end, "stated")]


def _holds(word: int, final: Claim, budget: Claim) -> bool:
    f, b = money(final), money(budget)
    if word == 0:
        return f.overlaps(b)
    if f.mid == b.mid:
        return False  # printed equal: "大于"/"小于" says they differ, and the print says not
    return f.hi > b.lo if word > 0 else f.lo < b.hi


# the word a comparison names, whichever synonym is printed (大于 for 高于, 等于 for 持平 …)
_LABELS = {1: "大于", -1: "小于", 0: "等于"}

PLACEHOLDERS = {"subject", "current", "budget", "phrase"}


def relations(rule: CheckRule, params: NoParams, facts: FactBase) -> Iterator[Relation]:
    # (no docstring: `auditor rules show` prints the module's.) The printed word (label_is)
    # against the words the two figures allow. Which words those are is the rounding
    # judgement of `_holds` (a strict order with "printed equal" as its own case, which no
    # arithmetic shape says); as labels, the relation holds, fails and verifies its figures
    # like any other.
    for s in facts.sentences:
        for m in _COMPARE.finditer(s.text):
            printed = m.group("w1") or m.group("w2")
            qualifier = m.group("q1") or m.group("q2")
            pair = _figures(facts, s, m.start(), _ROLES[qualifier])
            if pair is None:
                continue
            final, budget = pair
            diff = money(final) - money(budget)
            actual = "等于" if diff.contains_zero() else ("大于" if diff.lo > 0 else "小于")
            allowed = tuple(Operand.labelled(label, "allowed") for w, label in _LABELS.items()
                            if _holds(w, final, budget))
            phrase = _phrase(facts, s, m)
            yield Relation(
                "label_is", Operand.labelled(_LABELS[_WORDS[printed]], "stated", phrase[0] if phrase else None),
                (Operand.of(final, "current"), Operand.of(budget, "budget"), *allowed),
                section=s.section, key=(s.id, m.start()), derived=False,
                values={"subject": final.subject or budget.subject, "current": final.quote,
                        "budget": budget.quote, "phrase": m.group(0)},
                stated_text=m.group(0),
                expected_text=f"决算数{actual}预算数",
                arithmetic=f"{final.quote} − {budget.quote} = {fmt_interval(diff)}",
            )


NAME = "compare_budget"
