"""占“三公”经费的X%: a component's share of a group total the document names but may not state.

"因公出国（境）费支出222.5万元，占“三公”经费的26.69%" names the whole (“三公”经费) without
printing it. `share.of_total` judges such a share when the whole is stated in the narrative;
this kind takes over when it is not, and finds the whole, in this order:
1. the table that breaks the group down (the 三公 table): its column of the group's total
   ("“三公”经费/小计"), read from the one data row of a table that is not misread;
2. the sum of the group's components, when every component is stated (in the narrative or
   that table) and the statements agree: the group is defined as their sum.
The flag says which whole it used. A part printed with more decimals in the table than in the
text ("110万元" and 110.00) is judged at the table's precision, since both state one figure.

Two cheap signals are added to the message, never raised on their own: the stated shares of
one whole that add up to far less than 100%, and a share that fits the table's grand total
(合计, which also holds 会议费 and 培训费) instead of the named whole, the usual slip.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterator, Literal

import regex

from auditor.rules_model import CheckRule
from auditor.checks.facts import FactBase
from auditor.checks.kinds._common import HUNDRED, before_in_sentence, money
from auditor.checks.relation import Operand, Relation
from auditor.claims.model import Claim
from auditor.claims.numbers import MONEY_UNITS, money_in
from auditor.interval import Interval, interval_sum
from auditor.model import Evidence, Table
from pydantic import Field

from auditor.rules_model import StrictModel, concept_param


class GroupItem(StrictModel):
    name: str | None = None
    total: str = concept_param()
    parts: list[str] = concept_param(min_length=2)
    title: str | None = None  # regex the group's breakdown table title must match


class Params(StrictModel):
    groups: list[GroupItem] = Field(min_length=1)


NAME = "share_of_group"
PLACEHOLDERS = {"subject", "part", "whole", "whole_label", "whole_source", "note"}

_SUBTOTAL = regex.compile(r"^(?:小计|合计)$")
_GRAND = regex.compile(r"^(?:合计|总计)$")
_WS = regex.compile(r"\s+")


@dataclass(frozen=True)
class Figure:
    """A value in 万元 with the printed figure that states it."""

    interval: Interval
    evidence: Evidence
    decimals: int


@dataclass
class GroupTable:
    """What the group's breakdown table states: concept → figure, and its grand total."""

    values: dict[str, Figure]
    grand: Figure | None
    title: str


def relations(rule: CheckRule, params: Params, facts: FactBase) -> Iterator[Relation]:
    """share = part ÷ the group's whole × 100 for each component's 占…X% of a group whose whole
    the document does not state."""
    for group in params.groups:
        total, parts = group.total, list(group.parts)
        if facts.value(total) is not None:
            continue  # a stated whole: share.of_total judges the shares against it
        table = group_table(facts, total, parts, group.title)
        shares = [(s, p) for s, p in _component_shares(facts, total, parts)]
        for s, part in shares:
            found = _whole(facts, table, total, parts)
            if found is None:
                continue
            whole, how = found
            yield _relation(s, part, whole, how, table, shares, group.name or "")


def _component_shares(facts: FactBase, total: str, parts: list[str]) -> Iterator[tuple[Claim, Claim]]:
    """(share, part) for each 占…X% whose part is a component and whose named whole is the group."""
    for s in facts.claims:
        if s.kind != "share" or s.source != "narrative" or not s.denominator:
            continue
        if facts.resolve(s.denominator) != total:
            continue
        prior = before_in_sentence(facts, s, ("amount", "share", "change_amount", "change_rate"))
        if not prior or prior[-1].kind != "amount" or prior[-1].concept not in parts:
            continue
        part = prior[-1]
        if part.role != "current" or facts.doubt(part) is not None:
            continue
        yield s, part


def _whole(facts: FactBase, table: GroupTable | None, total: str,
           parts: list[str]) -> tuple[Figure, str] | None:
    """The group's whole and how it was found (Chinese, for the flag)."""
    if table is not None and total in table.values:
        return table.values[total], f"{table.title}中的小计"
    figures = [_component(facts, table, c) for c in parts]
    if any(f is None for f in figures):
        return None
    whole = interval_sum([f.interval for f in figures])  # type: ignore[union-attr]
    quotes = "+".join(f.evidence.quote for f in figures)  # type: ignore[union-attr]
    first = figures[0].evidence  # type: ignore[union-attr]
    ev = Evidence(quotes, first.line, first.page, first.start, first.end, "whole")
    return Figure(whole, ev, max(f.decimals for f in figures)), "各组成部分之和"  # type: ignore[union-attr]


def _component(facts: FactBase, table: GroupTable | None, concept: str) -> Figure | None:
    stated = facts.value(concept)
    in_table = table.values.get(concept) if table is not None else None
    if stated is None:
        return in_table
    iv, claim = stated
    own = Figure(iv, claim.evidence("part"), claim.number.decimals)
    return _sharper(own, in_table)


def _sharper(text: Figure, table: Figure | None) -> Figure:
    """The table's figure when it states the same value with more decimals."""
    if table is not None and table.decimals > text.decimals and text.interval.overlaps(table.interval):
        return table
    return text


def _relation(s: Claim, part: Claim, whole: Figure, how: str, table: GroupTable | None,
              shares: list[tuple[Claim, Claim]], name: str) -> Relation:
    """The share against the whole; the part at the table's precision when the table prints it
    sharper (the text's part stays as evidence, the table's figure is the numerator)."""
    own = Figure(money(part), part.evidence("part"), part.number.decimals)
    num = _sharper(own, table.values.get(part.concept or "") if table is not None else None)
    operands = [Operand.of(part, "part", money(part), place="num" if num is own else "")]
    if num is not own:
        operands.append(_figure_operand(num, "part", "num"))
    operands.append(_figure_operand(whole, "whole", "den"))
    return Relation(
        "ratio_equal", Operand.of(s, "stated", s.interval), tuple(operands),
        section=s.section, key=(s.id,), derived=True, percent=True,
        values={"subject": part.subject, "part": num.evidence.quote, "whole": whole.evidence.quote,
                "whole_label": name or (s.denominator or ""), "whole_source": how,
                "note": _note(s, num, table, shares)},
    )


def _figure_operand(f: Figure, role: str, place: Literal["num", "den"]) -> Operand:
    """A figure read from a table or summed from the components: no claim of its own is verified."""
    ev = f.evidence
    return Operand(role, f.interval, Evidence(ev.quote, ev.line, ev.page, ev.start, ev.end, role), None,
                   ev.quote, place=place, decimals=f.decimals)


def _note(s: Claim, part: Figure, table: GroupTable | None, shares: list[tuple[Claim, Claim]]) -> str:
    """The signals that say how the printed share went wrong (Chinese, '' when none)."""
    notes = []
    if table is not None and table.grand is not None:
        other = part.interval / table.grand.interval if table.grand.interval.lo > 0 else None
        if other is not None and s.interval.overlaps(other * HUNDRED):
            notes.append(f"所写占比恰为{part.evidence.quote}÷表中合计{table.grand.evidence.quote}，"
                         "分母可能误用了含其他项目的合计")
    same = [x for x, _ in shares if x.sentence_id == s.sentence_id]
    if len(same) >= 2:
        total = sum((x.value for x in same), Decimal(0))
        if total < 90:
            notes.append(f"同句各项占比合计仅{total}%")
    return ("；" + "；".join(notes)) if notes else ""


# --- the group's breakdown table ------------------------------------------------------------

def group_table(facts: FactBase, total: str, parts: list[str], title: str | None = None) -> GroupTable | None:
    """The one table that breaks the group down by column, read from its one data row.

    A table with two rows of figures (预算数 and 决算数) or two columns of one component is
    ambiguous and is not read; so is a misread one."""
    found = []
    for t in facts.document.tables:
        if t.misread or t.unit not in MONEY_UNITS:
            continue
        if title and not regex.search(title, _WS.sub("", facts_title(t))):
            continue
        read = _read_columns(facts, t, total, parts)
        if read is not None:
            found.append(read)
    if len(found) != 1:
        return None
    return found[0]


def facts_title(t: Table) -> str:
    return t.title or (t.section[-1] if t.section else "")


def _read_columns(facts: FactBase, t: Table, total: str, parts: list[str]) -> GroupTable | None:
    names: dict[str, int] = {}
    grand = None
    for j, column in enumerate(t.columns):
        concept = _column_concept(facts, column)
        if concept is None:
            if _GRAND.match(_WS.sub("", column)):
                grand = j
            continue
        if concept in names:
            return None  # one component in two columns: 预算数/… and 决算数/…
        names[concept] = j
    if total not in names or sum(1 for p in parts if p in names) < 2:
        return None
    rows = [r for r in t.rows if r.cells and names[total] < len(r.cells) and r.cells[names[total]].value is not None]
    if len(rows) != 1:
        return None
    row = rows[0]
    values = {c: f for c, j in names.items() if (f := _figure(t, row.cells[j] if j < len(row.cells) else None))}
    g = _figure(t, row.cells[grand]) if grand is not None and grand < len(row.cells) else None
    return GroupTable(values, g, facts_title(t))


def _column_concept(facts: FactBase, column: str) -> str | None:
    """The concept a column header names: its last segment, or the one before a 小计."""
    segments = [_WS.sub("", x) for x in column.split("/") if x.strip()]
    if not segments:
        return None
    name = segments[-1]
    if _SUBTOTAL.match(name):
        if len(segments) < 2:
            return None
        name = segments[-2]
    return facts.resolve(name)


def _figure(t: Table, cell) -> Figure | None:
    if cell is None or cell.value is None:
        return None
    text = cell.text.strip()
    decimals = len(text.replace(",", "").partition(".")[2])
    iv = Interval.rounded(Decimal(cell.value), decimals) if hasattr(Interval, "rounded") else None
    if iv is None:
        return None
    iv = money_in(iv, t.unit or "万元", "万元")
    loc = cell.location
    return Figure(iv, Evidence(text, loc.line, loc.page, loc.start, loc.end, "whole"), decimals)
