"""Helpers the kinds share: finding the figures a derived figure relates to."""

from __future__ import annotations

from decimal import Decimal

from auditor.checks.evaluate import HUNDRED, show  # noqa: F401  (the kinds build expected texts with them)
from auditor.checks.facts import FactBase, in_wan
from auditor.claims.model import Claim
from auditor.interval import Interval


def before_in_sentence(facts: FactBase, claim: Claim, kinds: tuple[str, ...]) -> list[Claim]:
    """Claims of the given kinds that stand before `claim` in its sentence, nearest last."""
    s = facts.sentence(claim.sentence_id)
    return [c for c in s.claims if c.number.start < claim.number.start and c.kind in kinds]


def same_subject(a: Claim, b: Claim) -> bool:
    if a.concept and b.concept:
        return a.concept == b.concept
    return a.subject == b.subject


def ratio(num: Decimal, den: Decimal) -> Decimal:
    return num / den * 100 if den else Decimal(0)


def money(claim: Claim) -> Interval:
    return in_wan(claim)

