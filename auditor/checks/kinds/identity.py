"""Accounting identities between named quantities (params.total = Σ params.parts).

Evaluated only when the total and every part are stated and each is stated
consistently (a disputed figure is the `agree` rule's business).
"""

from __future__ import annotations

from typing import Iterator

from auditor.catalogue import CheckRule
from auditor.checks.engine import Finding
from auditor.checks.facts import FactBase, fmt_interval
from auditor.interval import interval_sum


def identity(rule: CheckRule, facts: FactBase) -> Iterator[Finding]:
    for ident in rule.params.get("identities", []):
        total = facts.value(ident["total"])
        parts = [facts.value(p) for p in ident["parts"]]
        if total is None or any(p is None for p in parts):
            continue
        t_iv, t_claim = total
        s = interval_sum([p[0] for p in parts])  # type: ignore[index]
        t_claim.verified = True
        for p in parts:
            p[1].verified = True  # type: ignore[index]
        if t_iv.overlaps(s):
            continue
        yield Finding(
            evidence=[t_claim.evidence("total"), *[p[1].evidence("part") for p in parts]],  # type: ignore[index]
            values={"subject": t_claim.subject, "total": t_claim.quote, "sum": fmt_interval(s),
                    "name": ident.get("name", t_claim.subject)},
            stated=t_claim.quote,
            expected=fmt_interval(s),
            arithmetic=" + ".join(p[1].quote for p in parts) + f" = {fmt_interval(s)} ≠ {t_claim.quote}",  # type: ignore[index]
            derived=True,
            section=t_claim.section,
            key=(ident["total"],),
        )
