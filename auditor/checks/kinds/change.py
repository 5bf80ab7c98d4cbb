"""Changes against last year: the rate follows from the amounts, the words from the sign.

rate = Δ / (本年 − Δ). A base that may be zero ("增长100%" with Δ = 本年) proves
nothing and is skipped (DESIGN.md §4a); "增加（减少）0万元 … 持平" is template
wording for no change.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Iterator

from auditor.checks.facts import FactBase, fmt_interval
from auditor.checks.kind import Kind
from auditor.checks.kinds._common import before_in_sentence, money, ratio, same_subject, show
from auditor.checks.relation import Operand, Readings, Relation
from auditor.claims.model import Claim
from auditor.rules_model import CheckRule, NoParams


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


def change_rate(rule: CheckRule, params: NoParams, facts: FactBase) -> Iterator[Readings]:
    # (no docstring: `auditor rules show` prints the module's.) One reading per candidate
    # 本年数; the rate and the 增减额 are compared whatever the reading (`always`), a 本年数
    # only when its reading holds, or, when none does, the first one (the one reported).
    for rate in facts.claims:
        if rate.kind != "change_rate" or rate.direction is None:
            continue
        delta, currents = _context(facts, rate)
        if delta is None or not currents or delta.direction is None:
            continue
        if delta.direction != rate.direction and delta.direction != 0 and rate.direction != 0:
            continue  # the words disagree: change_direction reports it
        yield Readings(tuple(_rate_reading(rate, delta, c) for c in currents), (rate.id, delta.id))


def _rate_reading(rate: Claim, delta: Claim, current: Claim) -> Relation:
    """stated rate = Δ ÷ (本年 − Δ) × 100, with Δ and the rate signed by their words."""
    sign = delta.direction or rate.direction
    s = Decimal(sign if sign else 1)
    d = money(delta).scale(s)
    stated = rate.interval.scale(s) if rate.value >= 0 else rate.interval
    # Δ stands in the numerator and, once more, in the base: it is quoted (as evidence) once
    again = replace(Operand.of(delta, "change", money(delta), sign=-int(s), place="den"), evidence=None)
    expected_text = None
    if not sign:  # 持平 on both sides: the base shown is the 本年数 itself
        expected_text = show(ratio(money(delta).mid, money(current).mid), rate.number.decimals) + "%"
    return Relation(
        "ratio_equal", Operand.of(rate, "stated", stated),
        (Operand.of(delta, "change", d, place="num"), Operand.of(current, "current", place="den"), again),
        section=rate.section, derived=True, percent=True, show_magnitude=True, expected_text=expected_text,
        values={"subject": rate.subject or current.subject, "current": current.quote, "delta": delta.quote,
                "base": fmt_interval(money(current) - d), "word": rate.direction_word or ""},
    )


def change_direction(rule: CheckRule, params: NoParams, facts: FactBase) -> Iterator[Relation]:
    """增加 A万元 followed by 下降 B%: the two words of one change must agree."""
    # a judgement about words, not figures: the contradiction is observed, and only then
    # are the two claims compared
    for rate in facts.claims:
        if rate.kind != "change_rate" or rate.direction is None:
            continue
        delta, _ = _context(facts, rate)
        if delta is None or delta.direction is None:
            continue
        flat_vs_move = (delta.direction == 0) != (rate.direction == 0)
        if delta.direction * rate.direction < 0 or (flat_vs_move and _nonzero(delta, rate)):
            yield Relation(
                "observed", Operand.of(rate, "stated", rate.interval), (Operand.of(delta, "change"),),
                section=rate.section, derived=False,
                values={"subject": rate.subject, "word_amount": delta.direction_word or "",
                        "word_rate": rate.direction_word or ""},
                stated_text=f"{delta.direction_word}{delta.quote}，{rate.direction_word}{rate.quote}",
            )


KINDS = (
    Kind("change_rate", change_rate, NoParams, frozenset({"subject", "current", "delta", "base", "word"}),
         "A change rate follows from the amounts: Δ ÷ (本年 − Δ)."),
    Kind("change_direction", change_direction, NoParams, frozenset({"subject", "word_amount", "word_rate"}),
         "The words of one change (增加 … 下降) agree."),
)


def _nonzero(*claims: Claim) -> bool:
    return any(c.value != 0 for c in claims)
