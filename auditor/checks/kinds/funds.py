"""One change stated at two fund scopes: 财政拨款 = 一般公共预算 + 政府性基金 + 国有资本经营.

When the narrative states a 财政拨款 figure and a 一般公共预算 figure of the same flow that
are equal this year, the other funds are zero this year, and the two 比上年增加/减少
amounts must be equal too, unless last year had other funds (which the document does not
state): hence a warning, whose message names that assumption. A "收、支总计各增加X"
states one change for income and expense alike, which links the income and the expense
figures of a scope. A change stated with the opposite sign at the other scope is the
same contradiction.

Only figures whose subject is nothing but a scope and a flow are read ("财政拨款预算支出",
"一般公共预算收入预算"); an item under a scope (基本支出, 会议费) is another quantity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations
from typing import Iterator

from auditor.catalogue import CheckRule
from auditor.checks.engine import Finding
from auditor.checks.facts import FactBase, fmt_interval
from auditor.checks.kinds._common import before_in_sentence, money
from auditor.claims.model import Claim

_SCOPES = (("一般公共预算财政拨款", "gpb"), ("一般公共预算拨款", "gpb"), ("一般公共预算", "gpb"),
           ("财政拨款", "fiscal"))
_SCOPE_NAMES = {"gpb": "一般公共预算", "fiscal": "财政拨款"}
# what may stand in the subject besides the scope: flows, totals, budget words, the change word
_FILLER = re.compile(r"其中|收入|支出|收、支|收支|总计|合计|总预算|预算|决算|本年度?|年度|全年|当年|各|增加|减少|"
                     r"\d{4}\s*年|[\s（）()．.、0-9一二三四五六七八九十]")
_BOTH = re.compile(r"收、?支|收入支出|收入、支出")


@dataclass(frozen=True)
class Stated:
    """A change amount at one fund scope, with the current level it follows."""

    delta: Claim
    level: Claim
    scope: str  # gpb | fiscal
    flows: frozenset[str]  # {"in"}, {"out"} or both

    def signed(self):
        return money(self.delta).scale(Decimal(self.delta.direction or 0))


def _scope_and_flows(subject: str) -> tuple[str, frozenset[str]] | None:
    s = subject.replace(" ", "")
    for word, scope in _SCOPES:
        if word in s:
            rest = s.replace(word, "", 1)
            break
    else:
        return None
    if _FILLER.sub("", rest):
        return None  # an item under the scope, not the scope's own total
    if _BOTH.search(s):
        return scope, frozenset({"in", "out"})
    if "收入" in s:
        return scope, frozenset({"in"})
    if "支出" in s:
        return scope, frozenset({"out"})
    return None


def _stated(facts: FactBase) -> list[Stated]:
    out = []
    for d in facts.claims:
        if d.kind != "change_amount" or d.source != "narrative" or d.direction not in (1, -1):
            continue
        prior = before_in_sentence(facts, d, ("amount", "change_amount", "change_rate", "share", "rate"))
        amounts = [c for c in prior if c.kind == "amount"]
        if any(c.kind in ("change_amount", "change_rate") for c in prior):
            continue
        if not prior:
            amounts = _level_sentence_before(facts, d)
        if not amounts:
            continue
        level = amounts[-1]
        if level.role != "current" or level.value == 0:
            continue
        read = _scope_and_flows(level.subject)
        if read is None:
            continue
        out.append(Stated(d, level, read[0], read[1]))
    return out


def _level_sentence_before(facts: FactBase, d: Claim) -> list[Claim]:
    """"X总预算A万元。与上年相比，…增加B万元": the level stated alone in the sentence
    just before on the same line."""
    s = facts.sentence(d.sentence_id)
    if s.id == 0:
        return []
    before = facts.sentence(s.id - 1)
    if before.location.line != s.location.line:
        return []
    claims = [c for c in before.claims if c.kind != "share"]
    return claims if len(claims) == 1 and claims[0].kind == "amount" else []


def _linked(a: Stated, b: Stated, both_scopes: set[str]) -> bool:
    """Are a and b the same change? Same level this year and a flow in common (a scope
    stated as 收支 links its two flows)."""
    if a.scope == b.scope and a.flows == b.flows:
        return False  # the same quantity twice: agree.same_change compares those
    if not money(a.level).overlaps(money(b.level)):
        return False
    fa = a.flows | ({"in", "out"} if a.scope in both_scopes or a.scope == "gpb" and "fiscal" in both_scopes else set())
    fb = b.flows | ({"in", "out"} if b.scope in both_scopes or b.scope == "gpb" and "fiscal" in both_scopes else set())
    return bool(fa & fb)


def fund_scopes(rule: CheckRule, facts: FactBase) -> Iterator[Finding]:
    stated = _stated(facts)
    both = {s.scope for s in stated if s.flows == frozenset({"in", "out"})}
    for a, b in combinations(stated, 2):
        if not _linked(a, b, both):
            continue
        a.delta.verified = b.delta.verified = True
        if a.signed().overlaps(b.signed()):
            continue
        gap = a.signed() - b.signed()
        yield Finding(
            evidence=[a.delta.evidence("stated"), b.delta.evidence("other"),
                      a.level.evidence("current"), b.level.evidence("current")],
            values={"subject": a.level.subject, "other_subject": b.level.subject,
                    "level": a.level.quote, "other": f"{b.delta.direction_word or ''}{b.delta.quote}",
                    "scope": _SCOPE_NAMES[a.scope], "other_scope": _SCOPE_NAMES[b.scope],
                    "gap": fmt_interval(_abs(gap))},
            stated=f"{a.delta.direction_word or ''}{a.delta.quote}",
            expected=f"{b.delta.direction_word or ''}{b.delta.quote}",
            arithmetic=f"本年{a.level.quote} = {b.level.quote}；{fmt_interval(a.signed())} − "
                       f"{fmt_interval(b.signed())} = {fmt_interval(gap)} ≠ 0",
            derived=False,
            section=a.delta.section,
            key=(a.delta.id, b.delta.id),
        )


def _abs(iv):
    return iv if iv.lo >= 0 else (-iv if iv.hi <= 0 else iv)
