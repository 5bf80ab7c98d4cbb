"""The same quantity must have the same value wherever it is stated.

The same quantity means the same concept (a lexicon id or a classification key), the
same scope (财政拨款 / 一般公共预算 / all funds), the same role (本年 / 上年 / 预算),
the same year, and the same unit of account; for counts also the same act (vehicles
held are not vehicles bought). Claims are grouped by all of these; a claim whose reading
leaves any of them in doubt (FactBase.doubt: a level that is really a change, a figure
of a table of another scope, a classification line taken for a named total) is left
out, and so are the cells of one table that the reader mapped to one concept with
different values (one table states a quantity once). A statement that no other statement
of its group can equal within rounding is reported against the value most statements give.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Iterator

import regex

from auditor.rules_model import CheckRule
from auditor.checks.engine import Finding
from auditor.checks.facts import FactBase, in_wan
from auditor.claims.model import Claim
from auditor.claims.numbers import MONEY_UNITS
from auditor.interval import Interval
from pydantic import Field

from auditor.rules_model import ClaimKindName, concept_param, StrictModel


class AgreeParams(StrictModel):
    kinds: list[ClaimKindName] = Field(default_factory=lambda: ["amount", "count"])
    concepts: list[str] = concept_param(default_factory=list)  # empty: every concept

_YEAR = regex.compile(r"(?<![与比较同]\s*)(20\d\d)\s*年")
# a count of things bought (购置5辆) is not a count of things held (保有5辆)
_BUY = regex.compile(r"购置|购买|新购|采购|更新|新增")


def _family(c: Claim) -> str:
    return "money" if c.unit in MONEY_UNITS else (c.unit or "")


def _value(c: Claim) -> Interval:
    """A level as printed; a change with its direction's sign (增加（减少）0 is zero)."""
    iv = in_wan(c)
    if c.kind == "change_amount":
        return iv.scale(Decimal(c.direction)) if c.direction else iv if c.value == 0 else iv
    return iv


def _lead(facts: FactBase, c: Claim) -> str:
    """The words before a claim since the previous number (for a table claim: its name)."""
    if c.source == "table" or c.sentence_id < 0:
        return c.subject
    s = facts.sentence(c.sentence_id)
    start = max((o.number.end for o in s.claims if o.number.end <= c.number.start), default=0)
    return s.text[start:c.number.start]


def year_of(facts: FactBase, c: Claim) -> int | None:
    """The year a figure is of: one printed before it in its sentence (not the base year of a
    comparison, 与2015年相比), or the one its table's title prints, else the document's."""
    if c.source == "table" or c.sentence_id < 0:
        text = facts.table_title(c)
    else:
        text = facts.sentence(c.sentence_id).text[:c.number.start]
    years = _YEAR.findall(text)
    return int(years[-1]) if years else facts.document.year


def _act(facts: FactBase, c: Claim) -> str:
    if c.kind != "count":
        return ""
    return "buy" if _BUY.search(_lead(facts, c) + (c.subject or "")) else ""


def _one_reading_per_table(facts: FactBase, claims: list[Claim]) -> list[Claim]:
    """Drop the cells of a table that gave one quantity two different values: the table states
    each quantity once, so at least one of those cells was mapped to the wrong concept."""
    by_table: dict[int, list[Claim]] = defaultdict(list)
    for c in claims:
        found = facts.cell_of(c) if c.source == "table" else None
        if found is not None:
            by_table[id(found[0])].append(c)
    drop: set[int] = set()
    for cells in by_table.values():
        if len(cells) > 1 and not all(_value(a).overlaps(_value(b)) for a in cells for b in cells):
            drop.update(id(c) for c in cells)
    return [c for c in claims if id(c) not in drop]


def agree(rule: CheckRule, facts: FactBase) -> Iterator[Finding]:
    kinds = set(rule.params.get("kinds", ["amount", "count"]))
    only = set(rule.params.get("concepts", []))
    groups: dict[tuple, list[Claim]] = defaultdict(list)
    for c in facts.claims:
        if c.kind in kinds and c.concept and (not only or c.concept in only):
            if c.kind == "change_amount" and c.direction is None:
                continue
            if facts.doubt(c) is not None:
                continue
            groups[(c.concept, c.role, _family(c), year_of(facts, c), _act(facts, c))].append(c)
    for (concept, role, *_), claims in groups.items():
        claims = _one_reading_per_table(facts, claims)
        if len(claims) < 2:
            continue
        for c in claims:
            c.verified = True
        values = {id(c): _value(c) for c in claims}  # each claim's interval, computed once
        clusters: list[list[Claim]] = []
        for c in claims:
            v = values[id(c)]
            for cl in clusters:
                if all(v.overlaps(values[id(o)]) and not v.touches(values[id(o)]) for o in cl):
                    cl.append(c)
                    break
            else:
                clusters.append([c])
        if len(clusters) < 2:
            continue
        # the value most statements give wins; on a tie, the one a table prints
        clusters.sort(key=lambda cl: (-len(cl), -sum(c.source == "table" for c in cl), cl[0].id))
        majority = clusters[0]
        for cl in clusters[1:]:
            odd = cl[0]
            ref = majority[0]
            boundary = any(values[id(odd)].touches(values[id(m)]) for m in majority)
            yield Finding(
                evidence=[odd.evidence("stated"), ref.evidence("elsewhere")],
                values={"subject": odd.subject or ref.subject, "other": ref.quote,
                        "other_line": str(ref.location.line)},
                severity="warning" if boundary else None,
                stated=odd.quote,
                expected=ref.quote,
                arithmetic=f"{odd.quote}（第{odd.location.line}行） ≠ {ref.quote}（第{ref.location.line}行）",
                section=odd.section,
                key=(concept, role, odd.id),
                derived=False,
            )
