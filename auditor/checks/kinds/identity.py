"""Accounting identities between named quantities (params.total = Σ params.parts).

Evaluated only when the total and every part are stated and each is stated
consistently (a disputed figure is the `agree` rule's business).
"""

from __future__ import annotations

from typing import Iterator

from pydantic import Field

from auditor.checks.facts import FactBase, fmt_interval
from auditor.checks.relation import Operand, Relation
from auditor.interval import interval_sum
from auditor.rules_model import CheckRule, IdentityItem, StrictModel


class Params(StrictModel):
    identities: list[IdentityItem] = Field(min_length=1)


PLACEHOLDERS = {"subject", "total", "sum", "name"}


def relations(rule: CheckRule, params: Params, facts: FactBase) -> Iterator[Relation]:
    for ident in params.identities:
        total = facts.value(ident.total)
        parts = [facts.value(p) for p in ident.parts]
        if total is None or any(p is None for p in parts):
            continue
        t_iv, t_claim = total
        found = [p for p in parts if p is not None]
        s = interval_sum([iv for iv, _ in found])
        yield Relation(
            "sum_equal", Operand.of(t_claim, "total", t_iv),
            tuple(Operand.of(c, "part", iv) for iv, c in found),
            section=t_claim.section, key=(ident.total,), derived=True,
            values={"subject": t_claim.subject, "total": t_claim.quote, "sum": fmt_interval(s),
                    "name": ident.name or t_claim.subject},
        )
