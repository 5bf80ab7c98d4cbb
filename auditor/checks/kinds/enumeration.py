"""Counts enumerated with one verb in one sentence ("购置6辆…，同时购置7辆…") add up to the
total the document states for that quantity elsewhere ("共购置公务用车16辆").

At least two enumerated counts are needed: a single "购置6辆执法执勤用车" may name only
part of the purchases.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterator

import regex

from auditor.checks.kind import RULE_TIMEOUT
from auditor.checks.facts import FactBase, fmt_interval
from auditor.checks.relation import Operand, Readings, Relation
from auditor.claims.model import Claim
from auditor.interval import interval_sum
from auditor.rules_model import CheckRule, StrictModel, concept_param, pattern_param


class Params(StrictModel):
    verb: str = pattern_param(description="逐项列举所用的动词（正则片段）")
    unit: str
    concept: str = concept_param()


EnumerationParams = Params  # the name before issue 14

PLACEHOLDERS = {"total", "sum", "verb", "subject"}


def relations(rule: CheckRule, params: Params, facts: FactBase) -> Iterator[Readings]:
    totals = [c for c in facts.statements(params.concept) if c.kind == "count" and c.unit == params.unit]
    if not totals:
        return
    for parts in _enumerated(params, facts).values():
        if len(parts) >= 2:
            yield _against_totals(params, totals, parts)


def _enumerated(params: Params, facts: FactBase) -> dict[int, list[Claim]]:
    """sentence id → the counts of the unit that follow the verb there (not the total's concept)."""
    verb = regex.compile("(?:%s)(?:了|共)?$" % params.verb)
    by_sentence: dict[int, list[Claim]] = defaultdict(list)
    for c in facts.claims:
        if c.kind != "count" or c.unit != params.unit or c.concept == params.concept or c.source != "narrative":
            continue
        s = facts.sentence(c.sentence_id)
        prior = [p for p in s.claims if p.number.end <= c.number.start]
        lead = s.text[prior[-1].number.end if prior else 0:c.number.start]
        if verb.search(lead, timeout=RULE_TIMEOUT):
            by_sentence[c.sentence_id].append(c)
    return by_sentence


def _against_totals(params: Params, totals: list[Claim], parts: list[Claim]) -> Readings:
    """The counts add up to one of the stated totals (any will do: the document may state the
    total twice); reported against the first. Every total counts as compared."""
    s = interval_sum([p.interval for p in parts])
    ops = tuple(Operand.of(p, "part", p.interval) for p in parts)
    readings = tuple(
        Relation("sum_equal", Operand.of(t, "total", t.interval), ops, section=t.section,
                 key=(t.id, parts[0].id), derived=True, places=0, unit=params.unit,
                 values={"total": t.quote, "sum": fmt_interval(s, 0), "verb": params.verb, "subject": t.subject},
                 expected_text=fmt_interval(s, 0) + params.unit)
        for t in totals)
    return Readings(readings, always=tuple(dict.fromkeys([*(p.id for p in parts), *(t.id for t in totals)])))
