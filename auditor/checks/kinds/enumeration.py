"""Counts enumerated with one verb in one sentence ("购置6辆…，同时购置7辆…") add up to the
total the document states for that quantity elsewhere ("共购置公务用车16辆").

At least two enumerated counts are needed: a single "购置6辆执法执勤用车" may name only
part of the purchases.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterator

import regex

from auditor.rules_model import CheckRule
from auditor.checks.engine import RULE_TIMEOUT, Finding
from auditor.checks.facts import FactBase, fmt_interval
from auditor.claims.model import Claim
from auditor.interval import interval_sum
from pydantic import Field

from auditor.rules_model import StrictModel, concept_param, pattern_param


class EnumerationParams(StrictModel):
    verb: str = pattern_param(description="逐项列举所用的动词（正则片段）")
    unit: str
    concept: str = concept_param()


def enumeration(rule: CheckRule, facts: FactBase) -> Iterator[Finding]:
    verb = regex.compile("(?:%s)(?:了|共)?$" % rule.params["verb"])
    unit = rule.params["unit"]
    concept = rule.params["concept"]
    totals = [c for c in facts.statements(concept) if c.kind == "count" and c.unit == unit]
    if not totals:
        return
    by_sentence: dict[int, list[Claim]] = defaultdict(list)
    for c in facts.claims:
        if c.kind != "count" or c.unit != unit or c.concept == concept or c.source != "narrative":
            continue
        s = facts.sentence(c.sentence_id)
        prior = [p for p in s.claims if p.number.end <= c.number.start]
        lead = s.text[prior[-1].number.end if prior else 0:c.number.start]
        if verb.search(lead, timeout=RULE_TIMEOUT):
            by_sentence[c.sentence_id].append(c)
    for parts in by_sentence.values():
        if len(parts) < 2:
            continue
        total_iv = interval_sum([p.interval for p in parts])
        for p in parts:
            p.verified = True
        for t in totals:
            t.verified = True
        if any(t.interval.overlaps(total_iv) for t in totals):
            continue
        t = totals[0]
        yield Finding(
            evidence=[t.evidence("total"), *[p.evidence("part") for p in parts]],
            values={"total": t.quote, "sum": fmt_interval(total_iv, 0), "verb": rule.params["verb"],
                    "subject": t.subject},
            stated=t.quote,
            expected=fmt_interval(total_iv, 0) + unit,
            arithmetic=" + ".join(p.quote for p in parts) + f" = {fmt_interval(total_iv, 0)}{unit} ≠ {t.quote}",
            derived=True,
            section=t.section,
            key=(t.id, parts[0].id),
        )
