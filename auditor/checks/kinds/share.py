"""占X%: part ÷ whole, where the whole is the one the sentence names.

The denominator is, in order: the name printed after 占 (占本年支出合计的),
the total of the 其中 list the part belongs to, or the quantity the section's
heading names (一般公共预算财政拨款支出决算结构情况). A share whose whole cannot be
found is left unverified rather than guessed (DESIGN.md §4a).
"""

from __future__ import annotations

from typing import Iterator

from auditor.catalogue import CheckRule
from auditor.checks.engine import Finding
from auditor.checks.facts import FactBase, fmt_interval
from auditor.checks.kinds._common import before_in_sentence, money, ratio, show, truncation_fits
from auditor.claims.model import Claim
from auditor.interval import Interval

_HUNDRED = Interval.exact(100)


def _whole(facts: FactBase, share: Claim, part: Claim) -> Claim | None:
    if share.denominator:
        concept = facts.resolve(share.denominator)
        if concept is None:
            return None
        found = facts.value(concept)
        return found[1] if found else None
    if part.head_id is not None:
        return facts.claim(part.head_id)
    concept = facts.section_concept(share.section)
    if concept and concept != part.concept:
        found = facts.value(concept)
        return found[1] if found else None
    return None


def share(rule: CheckRule, facts: FactBase) -> Iterator[Finding]:
    for s in facts.claims:
        if s.kind != "share":
            continue
        prior = before_in_sentence(facts, s, ("amount", "share", "change_amount", "change_rate"))
        if not prior or prior[-1].kind != "amount":
            continue  # 占 after something other than an amount: not a part's share
        part = prior[-1]
        whole = _whole(facts, s, part)
        if whole is None or whole is part:
            continue
        base = money(whole)
        if base.lo <= 0:
            continue
        expected = money(part) / base
        if expected is None:
            continue
        expected = expected * _HUNDRED
        s.verified = part.verified = whole.verified = True
        if s.interval.overlaps(expected):
            continue
        yield Finding(
            evidence=[s.evidence("stated"), part.evidence("part"), whole.evidence("whole")],
            values={"subject": part.subject, "part": part.quote, "whole": whole.quote,
                    "whole_label": whole.subject or (s.denominator or "")},
            severity="warning" if truncation_fits(s, expected) else None,
            stated=s.quote,
            expected=show(ratio(money(part).mid, money(whole).mid), s.number.decimals) + "%",
            arithmetic=f"{part.quote} ÷ {whole.quote} = {fmt_interval(expected)}%",
            section=s.section,
        )
