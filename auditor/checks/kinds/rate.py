"""执行率, 完成年初/全年预算的X%, 预决算差异率: the rate follows from the two amounts.

执行率 = 执行数 ÷ 全年预算数; 完成…预算的 = 决算数 ÷ 预算数;
预决算差异率 = (决算数 − 预算数) ÷ 预算数, whose sign some documents drop.
The amounts are taken from the same sentence; a rate without them stays unverified.
"""

from __future__ import annotations

from typing import Iterator

from auditor.rules_model import CheckRule
from auditor.checks.engine import Finding
from auditor.checks.facts import FactBase, fmt_interval
from auditor.checks.kinds._common import HUNDRED, before_in_sentence, money, ratio, show, truncation_fits
from auditor.claims.model import Claim

_BUDGET_ROLES = {
    "execution": ("budget_full", "budget_initial"),
    "completion_full": ("budget_full",),
    "completion_initial": ("budget_initial",),
    "completion": ("budget_initial", "budget_full"),
    "variance": ("budget_full", "budget_initial"),
}


def _amounts(facts: FactBase, r: Claim) -> tuple[Claim | None, Claim | None]:
    prior = [c for c in before_in_sentence(facts, r, ("amount", "rate")) ]
    # only the amounts since the previous rate of the sentence belong to this one
    for i in range(len(prior) - 1, -1, -1):
        if prior[i].kind == "rate":
            prior = prior[i + 1:]
            break
    current = next((c for c in reversed(prior) if c.role == "current"), None)
    budget = None
    for role in _BUDGET_ROLES.get(r.rate_kind or "", ()):
        budget = next((c for c in reversed(prior) if c.role == role), None)
        if budget:
            break
    return current, budget


def rate(rule: CheckRule, facts: FactBase) -> Iterator[Finding]:
    for r in facts.claims:
        if r.kind != "rate" or r.rate_kind not in _BUDGET_ROLES:
            continue
        current, budget = _amounts(facts, r)
        if current is None or budget is None:
            continue
        b = money(budget)
        if budget.value == 0 and r.value != 0 and money(current).lo > 0:
            r.verified = current.verified = budget.verified = True
            yield _zero_budget(r, current, budget)
            continue
        if b.lo <= 0:
            continue
        c = money(current)
        r.verified = current.verified = budget.verified = True
        if r.rate_kind == "variance":
            expected = (c - b) / b
            formula = f"({current.quote} − {budget.quote}) ÷ {budget.quote}"
        else:
            expected = c / b
            formula = f"{current.quote} ÷ {budget.quote}"
        if expected is None:
            continue
        expected = expected * HUNDRED
        stated = r.interval
        fits = stated.overlaps(expected)
        if not fits and r.rate_kind == "variance" and not r.quote.startswith(("-", "－", "+")):
            fits = stated.overlaps(-expected)  # printed as a magnitude
        if fits:
            continue
        yield Finding(
            evidence=[r.evidence("stated"), current.evidence("current"), budget.evidence("budget")],
            values={"subject": r.subject or current.subject, "current": current.quote,
                    "budget": budget.quote},
            severity="warning" if truncation_fits(r, expected) else None,
            stated=r.quote,
            expected=show(ratio(c.mid - b.mid if r.rate_kind == "variance" else c.mid, b.mid),
                          r.number.decimals) + "%",
            arithmetic=f"{formula} = {fmt_interval(expected)}%",
            derived=True,
            section=r.section,
        )


def _zero_budget(r: Claim, current: Claim, budget: Claim) -> Finding:
    """完成年初预算的95.89% against 年初预算为0: no rate of a zero budget can be stated."""
    return Finding(
        evidence=[r.evidence("stated"), current.evidence("current"), budget.evidence("budget")],
        values={"subject": r.subject or current.subject, "current": current.quote, "budget": budget.quote},
        stated=r.quote,
        expected="无法计算（预算为0）",
        arithmetic=f"{current.quote} ÷ {budget.quote}：预算为0，比率无意义",
        derived=True,
        section=r.section,
    )
