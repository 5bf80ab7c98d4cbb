"""Helpers the kinds share: finding the figures a derived figure relates to."""

from __future__ import annotations

from decimal import Decimal

from auditor.checks.facts import FactBase, fmt, in_wan
from auditor.claims.model import Claim
from auditor.interval import Interval


# percent ↔ ratio, as an exact interval
HUNDRED = Interval.exact(100)

def before_in_sentence(facts: FactBase, claim: Claim, kinds: tuple[str, ...]) -> list[Claim]:
    """Claims of the given kinds that stand before `claim` in its sentence, nearest last."""
    s = facts.sentence(claim.sentence_id)
    return [c for c in s.claims if c.number.start < claim.number.start and c.kind in kinds]


def same_subject(a: Claim, b: Claim) -> bool:
    if a.concept and b.concept:
        return a.concept == b.concept
    return a.subject == b.subject


def magnitude(iv: Interval) -> Interval:
    """The interval of |x| when x keeps one sign ("下降5%" is printed without its minus)."""
    return Interval(-iv.hi, -iv.lo) if iv.hi <= 0 else iv


def truncation_fits(stated: Claim, expected: Interval) -> bool:
    """A figure that only fits when its digits were cut off rather than rounded."""
    return Interval.truncated(abs(stated.value), stated.number.decimals).overlaps(magnitude(expected))


def show(value: Decimal, decimals: int) -> str:
    """The expected value, from the printed figures, with as many decimals as the stated one."""
    return fmt(abs(value), max(decimals, 2))


def ratio(num: Decimal, den: Decimal) -> Decimal:
    return num / den * 100 if den else Decimal(0)


def money(claim: Claim) -> Interval:
    return in_wan(claim)

