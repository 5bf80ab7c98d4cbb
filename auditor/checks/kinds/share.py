"""占X%: part ÷ whole, where the whole is the one the sentence names.

The denominator is, in order: the name printed after 占 (占本年支出合计的),
the total of the 其中 list the part belongs to, or the quantity the section's
heading names (一般公共预算财政拨款支出决算结构情况). A share whose whole cannot be
found is left unverified rather than guessed (DESIGN.md §4a). The heading's quantity is
itself a guess (the sentence names no denominator and the part heads no 其中 list), so a
share judged against it is at most a warning.
"""

from __future__ import annotations

from typing import Iterator

from auditor.checks.facts import FactBase
from auditor.checks.kinds._common import before_in_sentence, money
from auditor.checks.relation import Operand, Relation
from auditor.claims.model import Claim
from auditor.rules_model import CheckRule, NoParams

Params = NoParams
PLACEHOLDERS = {"subject", "part", "whole", "whole_label"}


def _whole(facts: FactBase, share: Claim, part: Claim) -> Claim | None:
    """The whole a share is of (the benches read it too)."""
    return whole_and_guess(facts, share, part)[0]


def whole_and_guess(facts: FactBase, share: Claim, part: Claim) -> tuple[Claim | None, str | None]:
    """(the whole, why it is a guess or None when the document names it)."""
    if share.denominator:
        concept = facts.resolve(share.denominator)
        if concept is None:
            return None, None
        found = facts.value(concept)
        return (found[1] if found else None), None
    if part.head_id is not None:
        return facts.claim(part.head_id), None
    concept = facts.section_concept(share.section)
    if concept and concept != part.concept:
        found = facts.value(concept)
        if found is None:
            return None, None
        # the heading's quantity stated just before the part, in the share's own sentence or
        # the one before it ("…支出2940.05万元，主要用于以下方面：…（类）2106.66万元，占71.73%",
        # wrapped over two lines), is the paragraph's named whole
        if any(_just_before(c, part) for c in facts.statements(concept) if c.source == "narrative"):
            return found[1], None
        return found[1], f"句中未写明分母，按章节标题推定为“{found[1].subject or concept}”"
    return None, None


def _just_before(whole: Claim, part: Claim) -> bool:
    if whole.section != part.section:
        return False
    if whole.sentence_id == part.sentence_id:
        return whole.number.start < part.number.start
    return whole.sentence_id == part.sentence_id - 1


def relations(rule: CheckRule, params: NoParams, facts: FactBase) -> Iterator[Relation]:
    """share = part ÷ whole × 100 for each 占X% that follows the amount of a part.

    The evaluator judges it: a whole that may be zero decides nothing, a share that fits
    only when its digits were cut off is a warning."""
    for s in facts.claims:
        if s.kind != "share":
            continue
        prior = before_in_sentence(facts, s, ("amount", "share", "change_amount", "change_rate"))
        if not prior or prior[-1].kind != "amount":
            continue  # 占 after something other than an amount: not a part's share
        part = prior[-1]
        whole, guessed = whole_and_guess(facts, s, part)
        if whole is None or whole is part:
            continue
        yield Relation(
            "ratio_equal", Operand.of(s, "stated", s.interval),
            (Operand.of(part, "part", money(part), place="num"), Operand.of(whole, "whole", money(whole), place="den")),
            section=s.section, derived=True, weak=guessed, percent=True,
            values={"subject": part.subject, "part": part.quote, "whole": whole.quote,
                    "whole_label": whole.subject or (s.denominator or "")},
        )
