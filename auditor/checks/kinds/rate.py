"""执行率, 完成年初/全年预算的X%, 预决算差异率: the rate follows from the two amounts.

执行率 = 执行数 ÷ 全年预算数; 完成…预算的 = 决算数 ÷ 预算数;
预决算差异率 = (决算数 − 预算数) ÷ 预算数, whose sign some documents drop.
The amounts are taken from the same sentence; a rate without them stays unverified.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterator

from auditor.checks.facts import FactBase
from auditor.checks.kinds._common import before_in_sentence, money
from auditor.checks.relation import Operand, Relation
from auditor.claims.model import Claim
from auditor.rules_model import CheckRule, NoParams

Params = NoParams
PLACEHOLDERS = {"subject", "current", "budget"}

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


def relations(rule: CheckRule, params: NoParams, facts: FactBase) -> Iterator[Relation]:
    """rate = 执行数 ÷ 预算数 × 100 (or (执行数 − 预算数) ÷ 预算数 for 差异率) for each rate
    whose amounts stand before it in its sentence.

    A rate stated of a printed zero budget is itself the contradiction (zero_base="fails"); a
    差异率 printed without its sign is read as a magnitude (signless)."""
    for r in facts.claims:
        if r.kind != "rate" or r.rate_kind not in _BUDGET_ROLES:
            continue
        current, budget = _amounts(facts, r)
        if current is None or budget is None:
            continue
        num = [Operand.of(current, "current", money(current), place="num")]
        # a 差异率 of a printed zero budget is judged as the plain ratio: that it is stated at all fails
        if r.rate_kind == "variance" and budget.value != 0:
            # the budget once more, as the subtrahend: its evidence is the denominator's
            num.append(replace(Operand.of(budget, "budget", money(budget), place="num", sign=-1), evidence=None))
        yield Relation(
            "ratio_equal", Operand.of(r, "stated", r.interval),
            (*num, Operand.of(budget, "budget", money(budget), place="den")),
            section=r.section, derived=True, percent=True, zero_base="fails",
            signless=r.rate_kind == "variance" and not r.quote.startswith(("-", "－", "+")),
            values={"subject": r.subject or current.subject, "current": current.quote, "budget": budget.quote},
        )
