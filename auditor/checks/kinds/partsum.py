"""A 其中 list: its parts may fall short of the total (the list may be partial) but
never exceed it. Lists with a second 其中 or with parts inside brackets are nested
and are left alone unless their structure is unambiguous. A total or part that is
really a change (a change verb before it that the extractor did not read: 减支79.52万元)
is no level, so a list headed by one is not judged and such parts are not added up.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterator

import regex
from pydantic import Field

from auditor.checks.facts import FactBase, fmt_interval
from auditor.checks.kind import Kind
from auditor.checks.kinds._common import money
from auditor.checks.relation import Operand, Relation
from auditor.claims.model import Claim
from auditor.interval import interval_sum
from auditor.rules_model import CheckRule, IdentityItem, NoParams, StrictModel, pattern_param


class BreakdownParams(StrictModel):
    complete: str | None = pattern_param(None, "引出全部明细的词（具体情况如下、分别为）")
    partial: str | None = pattern_param(None, "引出部分明细的词（主要用于）")
    components: list[IdentityItem] = Field(default_factory=list)  # a total's named components


PARTSUM_PLACEHOLDERS = frozenset({"subject", "total", "sum"})
BREAKDOWN_PLACEHOLDERS = frozenset({"subject", "total", "sum", "marker", "relation"})


def _bracketed(text: str, pos: int) -> bool:
    depth = 0
    for ch in text[:pos]:
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth = max(0, depth - 1)
    return depth > 0


def _outside_brackets(text: str, word: str) -> bool:
    return any(not _bracketed(text, m.start()) for m in regex.finditer(word, text))


def partsum(rule: CheckRule, params: NoParams, facts: FactBase) -> Iterator[Relation]:
    groups: dict[int, list[Claim]] = defaultdict(list)
    for c in facts.claims:
        if c.head_id is not None:
            groups[c.head_id].append(c)
    for head_id, parts in groups.items():
        head = facts.claim(head_id)
        if facts.change_word(head):
            continue
        parts = [p for p in parts if not facts.change_word(p)]
        head_sentence = facts.sentence(head.sentence_id)
        if head_sentence.text.count("其中") > 1 or _outside_brackets(head_sentence.text, "包括"):
            continue
        top = [p for p in parts if not _bracketed(facts.sentence(p.sentence_id).text, p.number.start)]
        yield from _judge(head, top)
        # "基本支出3616.29万元（包括人员经费3212.43万元，公用经费403.86万元）": a part's own parts
        for i, part in enumerate(top):
            end = top[i + 1].number.start if i + 1 < len(top) else 10**9
            inner = [p for p in parts if p.sentence_id == part.sentence_id
                     and part.number.start < p.number.start < end and p not in top]
            yield from _judge(part, inner)


def _judge(head: Claim, parts: list[Claim]) -> Iterator[Relation]:
    if len(parts) < 2 and not (parts and money(parts[0]).lo > money(head).hi):
        return  # one part below its total says nothing
    yield _list_relation("sum_at_most", head, parts, {})


def _list_relation(shape, head: Claim, parts: list[Claim], values: dict[str, str], **options) -> Relation:
    """A total and the figures listed under it (其中 parts, breakdown items), in 万元."""
    total = interval_sum([money(p) for p in parts])
    return Relation(shape, Operand.of(head, "total"), tuple(Operand.of(p, "part") for p in parts),
                    section=head.section, key=(head.id,), derived=True,
                    values={"subject": head.subject, "total": head.quote, "sum": fmt_interval(total), **values},
                    **options)


# --- breakdowns: "本年收入X万元。具体情况如下：A…万元。B…万元。" --------------------------------
#
# The same relation as a 其中 list (parts never exceed their total), found another way: a
# marker word after the total introduces the items, and the list may run on over the next
# short sentences of the paragraph ("具体情况如下：财政拨款收入…。其他收入…。"). A list
# introduced as the whole breakdown (具体情况如下, 分别为) whose items fall short of the total
# is a warning (an item may be left out); a list introduced as partial (主要用于) is judged
# only when it exceeds the total. An item that is a known quantity but not one of the total's
# components (年初结转和结余 after 本年收入's parts) ends the list.

_ENUMERATOR = regex.compile(r"^\s*(?:(?P<pc>[（(][一二三四五六七八九十]{1,3}[）)])|(?P<pd>[（(]\d{1,3}[）)])"
                           r"|(?P<cd>[一二三四五六七八九十]{1,3}、)|(?P<dd>\d{1,2}[、.．]))")
_ONLY_PUNCT = regex.compile(r"^[\s，,：:；;、]*$")


def breakdown(rule: CheckRule, params: BreakdownParams, facts: FactBase) -> Iterator[Relation]:
    for head, items, is_complete, marker in _breakdowns(params, facts):
        yield from _breakdown_relations(head, items, is_complete, marker)


def breakdowns(rule: CheckRule, facts: FactBase) -> Iterator[tuple[Claim, list[Claim], bool]]:
    """(total, items, introduced as complete) for every breakdown (the accuracy bench reads them)."""
    params = rule.settings if isinstance(rule.settings, BreakdownParams) else \
        BreakdownParams.model_validate(rule.params or {})
    for head, items, is_complete, _ in _breakdowns(params, facts):
        yield head, items, is_complete


def _breakdowns(params: BreakdownParams, facts: FactBase) -> Iterator[tuple[Claim, list[Claim], bool, str]]:
    complete = regex.compile(params.complete or r"具体情况如下|具体如下|具体为|分别为|构成如下")
    partial = regex.compile(params.partial or r"主要用于|主要包括|主要是|主要有")
    components = {c.total: set(c.parts) for c in params.components}
    for s in facts.sentences:
        found = _marker(s.text, complete, partial)
        if found is None:
            continue
        at, is_complete = found
        head = _breakdown_head(facts, s, at)
        if head is None:
            continue
        items = _breakdown_items(facts, s, at, head, components.get(head.concept or ""))
        if items is None or len(items) < 2:
            continue
        yield head, items, is_complete, s.text[at[0]:at[1]]


def _marker(text: str, complete: regex.Pattern[str], partial: regex.Pattern[str]) -> tuple[tuple[int, int], bool] | None:
    p = partial.search(text)
    c = complete.search(text)
    if c is not None and (p is None or c.start() < p.start()):
        return (c.start(), c.end()), True
    if p is not None:
        return (p.start(), p.end()), False
    return None


def _level(facts: FactBase, c: Claim) -> bool:
    """A money figure that can be a total or an item: a current level, read with certainty."""
    return (c.kind == "amount" and c.number.is_money and c.role == "current"
            and c.source == "narrative" and facts.doubt(c) is None)


def _breakdown_head(facts: FactBase, s, at: tuple[int, int]) -> Claim | None:
    before = [c for c in s.claims if c.number.end <= at[0]]
    if before:
        last = before[-1]
        return last if _level(facts, last) else None
    if not _ONLY_PUNCT.match(s.text[:at[0]]) or s.id == 0:
        return None
    prev = facts.sentence(s.id - 1)
    if prev.location.line != s.location.line or prev.section != s.section or not prev.claims:
        return None
    last = prev.claims[-1]
    return last if _level(facts, last) else None


def _breakdown_items(facts: FactBase, s, at: tuple[int, int], head: Claim,
                     parts_of_head: set[str] | None) -> list[Claim] | None:
    """The list's items, or None when the list is no plain breakdown of the head."""
    items = _top_items(facts, s, at[1])
    if items is None:
        return None
    style = _style(s.text[at[1]:].lstrip("：: "))
    k = s.id + 1
    while k < len(facts.sentences):
        nxt = facts.sentence(k)
        if nxt.location.line != s.location.line or nxt.section != s.section:
            break
        if _style(nxt.text) != style or "其中" in nxt.text[:2]:
            break
        more = _top_items(facts, nxt, 0)
        if not more or len(nxt.text.strip()) > 40:
            break
        items += more
        k += 1
    if any(i.head_id is not None and i.head_id == head.id for i in items):
        return None  # a 其中 list of the head: partsum judges it
    if parts_of_head is not None:
        for n, item in enumerate(items):
            if item.concept is not None and item.concept not in parts_of_head:
                items = items[:n]
                break
    return items


def _style(text: str) -> str | None:
    """How an item is numbered (（一）, (1), 一、, 1.), None when it is not: a list keeps one style,
    and a line numbered otherwise is the next heading."""
    m = _ENUMERATOR.match(text)
    return m.lastgroup if m else None


def _top_items(facts: FactBase, s, start: int) -> list[Claim] | None:
    """The money items of a sentence from `start` on: not a 其中 part of an item, not in
    brackets; None when a figure there is a change or a share (no plain list)."""
    out = []
    for c in s.claims:
        if c.number.start < start:
            continue
        if c.kind in ("change_amount", "change_rate", "share", "rate"):
            return None
        if c.kind != "amount" or not c.number.is_money:
            continue
        if c.head_id is not None or _bracketed(s.text, c.number.start):
            continue
        if not _level(facts, c):
            return None
        out.append(c)
    return out


def _breakdown_relations(head: Claim, items: list[Claim], is_complete: bool, marker: str
                         ) -> Iterator[Relation]:
    """Items never exceed their total (an error); a list introduced as complete that falls
    short of it is a warning. Both relations share the head's key, so a list that exceeds
    is reported once, by the first."""
    yield _list_relation("sum_at_most", head, items, {"marker": marker, "relation": "超过了合计"})
    if not is_complete:
        return
    total = fmt_interval(interval_sum([money(p) for p in items]))
    # the evaluator writes ≠ for a sum_equal that fails; here it can only fail short (the
    # sum_at_most above catches the excess), which the message says with <
    yield _list_relation("sum_equal", head, items, {"marker": marker, "relation": "少于合计（所列可能不全）"},
                         severity="warning",
                         arithmetic=" + ".join(p.quote for p in items) + f" = {total} < {head.quote}")


KINDS = (Kind("partsum", partsum, NoParams, PARTSUM_PLACEHOLDERS),
         Kind("breakdown", breakdown, BreakdownParams, BREAKDOWN_PLACEHOLDERS))
