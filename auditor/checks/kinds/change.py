"""Changes against last year: the rate follows from the amounts, the words from the sign.

rate = Δ / (本年 − Δ). A base that may be zero ("增长100%" with Δ = 本年) proves
nothing and is skipped (DESIGN.md §4a); "增加（减少）0万元 … 持平" is template
wording for no change.
"""

from __future__ import annotations

from typing import Iterator

from auditor.catalogue import CheckRule
from auditor.checks.engine import Finding
from auditor.checks.facts import FactBase, fmt_interval
from auditor.checks.kinds._common import before_in_sentence, money, ratio, same_subject, show, truncation_fits
from auditor.claims.model import Claim
from auditor.interval import Interval

_HUNDRED = Interval.exact(100)


def _context(facts: FactBase, rate: Claim) -> tuple[Claim | None, Claim | None]:
    """(change amount, current amount) the rate refers to."""
    prior = before_in_sentence(facts, rate, ("change_amount", "change_rate", "amount"))
    delta = None
    for c in reversed(prior):
        if c.kind == "change_rate":
            break  # the rate of an earlier change in the same sentence
        if c.kind == "change_amount" and same_subject(c, rate):
            delta = c
            break
    if delta is None:
        return None, None
    current = None
    for c in reversed(before_in_sentence(facts, delta, ("amount",))):
        if same_subject(c, delta) and c.role == "current":
            current = c
            break
    if current is None and delta.concept:
        found = facts.value(delta.concept)
        current = found[1] if found else None
    return delta, current


def change_rate(rule: CheckRule, facts: FactBase) -> Iterator[Finding]:
    for rate in facts.claims:
        if rate.kind != "change_rate" or rate.direction is None:
            continue
        delta, current = _context(facts, rate)
        if delta is None or current is None or delta.direction is None:
            continue
        if delta.direction != rate.direction and delta.direction != 0 and rate.direction != 0:
            continue  # the words disagree: change_direction reports it
        sign = delta.direction or rate.direction
        d = money(delta).scale(sign if sign else 1)
        base = money(current) - d
        for c in (rate, delta, current):
            c.verified = True
        if base.lo <= 0:
            continue  # zero (or unknowable) base: 增长100% is the template's way to say "new"
        expected = (d / base)
        if expected is None:
            continue
        expected = expected * _HUNDRED
        stated = rate.interval.scale(sign if sign else 1) if rate.value >= 0 else rate.interval
        if stated.overlaps(expected):
            continue
        severity = "warning" if truncation_fits(rate, expected) else None
        yield Finding(
            evidence=[rate.evidence("stated"), delta.evidence("change"), current.evidence("current")],
            values={"subject": rate.subject or current.subject, "current": current.quote,
                    "delta": delta.quote, "base": fmt_interval(base), "word": rate.direction_word or ""},
            severity=severity,
            stated=rate.quote,
            expected=show(ratio(money(delta).mid, money(current).mid - sign * money(delta).mid),
                          rate.number.decimals) + "%",
            arithmetic=f"{delta.quote} ÷ ({current.quote} {'−' if sign >= 0 else '+'} {delta.quote})"
                       f" = {fmt_interval(_abs(expected))}%",
            section=rate.section,
        )


def change_direction(rule: CheckRule, facts: FactBase) -> Iterator[Finding]:
    """增加 A万元 followed by 下降 B%: the two words of one change must agree."""
    for rate in facts.claims:
        if rate.kind != "change_rate" or rate.direction is None:
            continue
        delta, _ = _context(facts, rate)
        if delta is None or delta.direction is None:
            continue
        flat_vs_move = (delta.direction == 0) != (rate.direction == 0)
        if delta.direction * rate.direction < 0 or (flat_vs_move and _nonzero(delta, rate)):
            rate.verified = delta.verified = True
            yield Finding(
                evidence=[rate.evidence("stated"), delta.evidence("change")],
                values={"subject": rate.subject, "word_amount": delta.direction_word or "",
                        "word_rate": rate.direction_word or ""},
                stated=f"{delta.direction_word}{delta.quote}，{rate.direction_word}{rate.quote}",
                section=rate.section,
            )


def _abs(iv: Interval) -> Interval:
    return iv if iv.lo >= 0 else Interval(-iv.hi, -iv.lo) if iv.hi <= 0 else iv


def _nonzero(*claims: Claim) -> bool:
    return any(c.value != 0 for c in claims)
