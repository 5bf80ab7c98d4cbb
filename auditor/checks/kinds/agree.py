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

from auditor.checks.facts import FactBase, in_wan
from auditor.checks.relation import Operand, Relation
from auditor.claims.model import Claim
from auditor.claims.numbers import MONEY_UNITS
from auditor.interval import Interval
from pydantic import Field

from auditor.rules_model import CheckRule, ClaimKindName, concept_param, StrictModel


class Params(StrictModel):
    kinds: list[ClaimKindName] = Field(default_factory=lambda: ["amount", "count"])
    concepts: list[str] = concept_param(default_factory=list)  # empty: every concept


PLACEHOLDERS = {"subject", "other", "other_line"}

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


def relations(rule: CheckRule, params: Params, facts: FactBase) -> Iterator[Relation]:
    """Per group of prints of one quantity: the majority's prints agree (that relation holds and
    marks every print of the group compared), and each other cluster's first print against
    the majority's reference."""
    kinds = set(params.kinds)
    only = set(params.concepts)
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
        values = {id(c): _value(c) for c in claims}  # each claim's interval, computed once
        clusters = _clusters(claims, values)
        majority = clusters[0]
        yield Relation("same_value", Operand.of(majority[0], "stated", values[id(majority[0])]),
                       tuple(Operand.of(c, "elsewhere", values[id(c)]) for c in majority[1:]),
                       section=majority[0].section, key=(concept, role, "majority"), derived=False,
                       verifies=tuple(c.id for c in claims))
        for cl in clusters[1:]:
            yield _odd_one(cl[0], majority, values, (concept, role, cl[0].id))


def _clusters(claims: list[Claim], values: dict[int, Interval]) -> list[list[Claim]]:
    """Prints that agree with every other print of their cluster beyond a single rounding
    boundary, the cluster most statements give first (on a tie, the one a table prints)."""
    clusters: list[list[Claim]] = []
    for c in claims:
        v = values[id(c)]
        for cl in clusters:
            if all(v.overlaps(values[id(o)]) and not v.touches(values[id(o)]) for o in cl):
                cl.append(c)
                break
        else:
            clusters.append([c])
    clusters.sort(key=lambda cl: (-len(cl), -sum(c.source == "table" for c in cl), cl[0].id))
    return clusters


def _odd_one(odd: Claim, majority: list[Claim], values: dict[int, Interval], key: tuple) -> Relation:
    """A print outside the majority, stated = the majority's reference print.

    The clustering, not this pair, decides: a print may overlap the reference and still
    miss (or only touch) another print of the majority. Then the pair alone would hold, so
    the relation is `observed` (the kind's judgement) with the same words; the flag is a
    warning whenever the print touches any print of the majority."""
    ref = majority[0]
    mine, theirs = values[id(odd)], values[id(ref)]
    boundary = any(mine.touches(values[id(m)]) for m in majority)
    pair_agrees = mine.overlaps(theirs) and not mine.touches(theirs)
    return Relation(
        "observed" if pair_agrees else "equal",
        Operand.of(odd, "stated", mine), (Operand.of(ref, "elsewhere", theirs),),
        section=odd.section, key=key, derived=False, boundary=True,
        values={"subject": odd.subject or ref.subject, "other": ref.quote, "other_line": str(ref.location.line)},
        expected_text=ref.quote, severity="warning" if boundary else None,
        arithmetic=f"{odd.quote}（第{odd.location.line}行） ≠ {ref.quote}（第{ref.location.line}行）",
    )
