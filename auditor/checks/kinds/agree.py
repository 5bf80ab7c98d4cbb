"""The same quantity must have the same value wherever it is stated.

Claims are grouped by concept (a lexicon id or a classification path), role and
unit family; a statement that no other statement of its group can equal within
rounding is reported against the value most statements give.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Iterator

from auditor.catalogue import CheckRule
from auditor.checks.engine import Finding
from auditor.checks.facts import FactBase, in_wan
from auditor.claims.model import Claim
from auditor.claims.numbers import MONEY_UNITS
from auditor.interval import Interval


def _family(c: Claim) -> str:
    return "money" if c.unit in MONEY_UNITS else (c.unit or "")


def _value(c: Claim) -> Interval:
    """A level as printed; a change with its direction's sign (增加（减少）0 is zero)."""
    iv = in_wan(c)
    if c.kind == "change_amount":
        return iv.scale(Decimal(c.direction)) if c.direction else iv if c.value == 0 else iv
    return iv


def agree(rule: CheckRule, facts: FactBase) -> Iterator[Finding]:
    kinds = set(rule.params.get("kinds", ["amount", "count"]))
    only = set(rule.params.get("concepts", []))
    groups: dict[tuple, list[Claim]] = defaultdict(list)
    for c in facts.claims:
        if c.kind in kinds and c.concept and (not only or c.concept in only):
            if c.kind == "change_amount" and c.direction is None:
                continue
            groups[(c.concept, c.role, _family(c))].append(c)
    for (concept, role, _), claims in groups.items():
        if len(claims) < 2:
            continue
        for c in claims:
            c.verified = True
        values = {id(c): _value(c) for c in claims}  # each claim's interval, computed once
        clusters: list[list[Claim]] = []
        for c in claims:
            v = values[id(c)]
            for cl in clusters:
                if all(v.overlaps(values[id(o)]) and not v.touches(values[id(o)]) for o in cl):
                    cl.append(c)
                    break
            else:
                clusters.append([c])
        if len(clusters) < 2:
            continue
        # the value most statements give wins; on a tie, the one a table prints
        clusters.sort(key=lambda cl: (-len(cl), -sum(c.source == "table" for c in cl), cl[0].id))
        majority = clusters[0]
        for cl in clusters[1:]:
            odd = cl[0]
            ref = majority[0]
            boundary = any(values[id(odd)].touches(values[id(m)]) for m in majority)
            yield Finding(
                evidence=[odd.evidence("stated"), ref.evidence("elsewhere")],
                values={"subject": odd.subject or ref.subject, "other": ref.quote,
                        "other_line": str(ref.location.line)},
                severity="warning" if boundary else None,
                stated=odd.quote,
                expected=ref.quote,
                arithmetic=f"{odd.quote}（第{odd.location.line}行） ≠ {ref.quote}（第{ref.location.line}行）",
                section=odd.section,
                key=(concept, role, odd.id),
            )
