"""A self-evaluation's total score and the category scores the narrative lists.

The total is a score whose lead names it (自评得分 / 总得分 / 综合得分); the parts
are the scores that follow it in the same section, each led by a category
(…指标 / …方面). At least `min_parts` parts are needed, so a lone remark is never
read as a complete breakdown.
"""

from __future__ import annotations

from typing import Iterator

import regex

from pydantic import Field

from auditor.checks.kind import RULE_TIMEOUT
from auditor.checks.facts import FactBase, fmt_interval
from auditor.checks.kind import Kind
from auditor.checks.relation import Operand, Relation
from auditor.claims.model import Claim
from auditor.interval import interval_sum
from auditor.rules_model import CheckRule, StrictModel, pattern_param


class Params(StrictModel):
    total_pattern: str | None = pattern_param(None, "总分的引导词")
    part_pattern: str | None = pattern_param(None, "分项得分的引导词")
    weights_pattern: str | None = pattern_param(None, "表示分值（而非得分）的词")
    min_parts: int = Field(3, ge=1)


ScorePartsParams = Params  # the name before issue 14


def _pattern(value: str | None, default: str) -> regex.Pattern[str]:
    return regex.compile(default if value is None else value)


def score_parts(rule: CheckRule, params: Params, facts: FactBase) -> Iterator[Relation]:
    total_re = _pattern(params.total_pattern, "自评得分|总得分|综合得分|评价得分|总分")
    part_re = _pattern(params.part_pattern, "指标|方面")
    # "总分设置为100分：预算执行率10分、产出指标50分…" states weights, not scores
    weights_re = _pattern(params.weights_pattern, "设置|设定|满分|分值|权重")
    scores = [c for c in facts.claims if c.kind == "score" and c.number.comparator is None]
    i = 0
    while i < len(scores):
        total = scores[i]
        lead = _lead(facts, total)
        if not total_re.search(lead, timeout=RULE_TIMEOUT) or weights_re.search(lead, timeout=RULE_TIMEOUT):
            i += 1
            continue
        parts: list[Claim] = []
        j = i + 1
        while j < len(scores) and not total_re.search(_lead(facts, scores[j]), timeout=RULE_TIMEOUT):
            if part_re.search(_lead(facts, scores[j]), timeout=RULE_TIMEOUT) and scores[j].location.line - total.location.line < 20:
                parts.append(scores[j])
            j += 1
        i = j
        if len(parts) >= params.min_parts:
            yield _total_of_parts(total, parts)


def _total_of_parts(total: Claim, parts: list[Claim]) -> Relation:
    """The total score is the sum of the category scores (points, not 万元)."""
    s = interval_sum([p.interval for p in parts])
    return Relation("sum_equal", Operand.of(total, "total", total.interval),
                    tuple(Operand.of(p, "part", p.interval) for p in parts),
                    section=total.section, derived=True, unit="分",
                    values={"total": total.quote, "sum": fmt_interval(s, 0)},
                    expected_text=fmt_interval(s, 2) + "分")


KINDS = (Kind("score_parts", score_parts, Params, frozenset({"total", "sum"})),)


def _lead(facts: FactBase, claim: Claim) -> str:
    s = facts.sentence(claim.sentence_id)
    prior = [c for c in s.claims if c.number.end <= claim.number.start]
    start = prior[-1].number.end if prior else 0
    return s.text[start:claim.number.start]
