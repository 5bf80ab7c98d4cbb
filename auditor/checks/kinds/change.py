"""Changes against last year: the rate follows from the amounts, the words from the sign.

rate = Δ / (本年 − Δ). A base that may be zero ("增长100%" with Δ = 本年) proves
nothing and is skipped (DESIGN.md §4a); "增加（减少）0万元 … 持平" is template
wording for no change.
"""

from __future__ import annotations

from typing import Iterator

from auditor.rules_model import CheckRule
from auditor.checks.engine import Finding
from auditor.checks.facts import FactBase, fmt_interval
from auditor.checks.kinds._common import (HUNDRED, before_in_sentence, magnitude, money, ratio, same_subject, show,
                                          truncation_fits)
from auditor.claims.model import Claim
from auditor.interval import Interval



def _context(facts: FactBase, rate: Claim) -> tuple[Claim | None, list[Claim]]:
    """(change amount, candidate current amounts) the rate refers to, nearest first."""
    prior = before_in_sentence(facts, rate, ("change_amount", "change_rate", "amount"))
    delta = None
    for c in reversed(prior):
        if c.kind == "change_rate":
            break  # the rate of an earlier change in the same sentence
        if c.kind == "change_amount" and same_subject(c, rate):
            delta = c
            break
    if delta is None:
        return None, []
    for c in reversed(before_in_sentence(facts, delta, ("amount",))):
        if same_subject(c, delta) and c.role == "current":
            return delta, [c]
    if delta.concept:
        found = facts.value(delta.concept)
        return delta, [found[1]] if found else []
    if delta.subject and not any(c.kind == "amount" for c in prior):
        # "X支出决算5.05万元，…。较上年决算减少0.24万元，下降4.54%": the paragraph's own amount,
        # stated in the sentence before on the same line
        s = facts.sentence(rate.sentence_id)
        if s.id > 0:
            before = facts.sentence(s.id - 1)
            if before.location.line == s.location.line:
                return delta, [c for c in before.claims if c.kind == "amount" and c.role == "current"]
    return delta, []


def change_rate(rule: CheckRule, facts: FactBase) -> Iterator[Finding]:
    for rate in facts.claims:
        if rate.kind != "change_rate" or rate.direction is None:
            continue
        delta, currents = _context(facts, rate)
        if delta is None or not currents or delta.direction is None:
            continue
        if delta.direction != rate.direction and delta.direction != 0 and rate.direction != 0:
            continue  # the words disagree: change_direction reports it
        sign = delta.direction or rate.direction
        d = money(delta).scale(sign if sign else 1)
        stated = rate.interval.scale(sign if sign else 1) if rate.value >= 0 else rate.interval
        rate.verified = delta.verified = True
        verdicts = [_expected(money(c) - d, d) for c in currents]
        if any(e is None or stated.overlaps(e) for e in verdicts):
            for c, e in zip(currents, verdicts):
                c.verified = c.verified or (e is not None and stated.overlaps(e))
            continue  # a zero base proves nothing; one reading that holds is enough
        current, expected = currents[0], verdicts[0]
        current.verified = True
        base = money(current) - d
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
                       f" = {fmt_interval(magnitude(expected))}%",
            derived=True,
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
                derived=False,
                section=rate.section,
            )


def _expected(base: Interval, d: Interval) -> Interval | None:
    """The rate in % that Δ over the base gives; None for a base that may be zero."""
    if base.lo <= 0:
        return None  # zero (or unknowable) base: 增长100% is the template's way to say "new"
    q = d / base
    return q * HUNDRED if q is not None else None


def _nonzero(*claims: Claim) -> bool:
    return any(c.value != 0 for c in claims)
