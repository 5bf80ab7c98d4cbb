"""A 其中 list: its parts may fall short of the total (the list may be partial) but
never exceed it. Lists with a second 其中 or with parts inside brackets are nested
and are left alone unless their structure is unambiguous. A total or part that is
really a change (a change verb before it that the extractor did not read: 减支79.52万元)
is no level, so a list headed by one is not judged and such parts are not added up.
"""

from __future__ import annotations

from collections import defaultdict

import regex
from typing import Iterator

from auditor.catalogue import CheckRule
from auditor.checks.engine import Finding
from auditor.checks.facts import FactBase, fmt_interval
from auditor.checks.kinds._common import money
from auditor.claims.model import Claim
from auditor.interval import interval_sum


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


def partsum(rule: CheckRule, facts: FactBase) -> Iterator[Finding]:
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


def _judge(head: Claim, parts: list[Claim]) -> Iterator[Finding]:
    if len(parts) < 2 and not (parts and money(parts[0]).lo > money(head).hi):
        return  # one part below its total says nothing
    total = interval_sum([money(p) for p in parts])
    head.verified = True
    for p in parts:
        p.verified = True
    if total.lo <= money(head).hi:
        return
    yield Finding(
        evidence=[head.evidence("total"), *[p.evidence("part") for p in parts]],
        values={"subject": head.subject, "total": head.quote, "sum": fmt_interval(total)},
        stated=head.quote,
        expected=f"≥{fmt_interval(total)}",
        arithmetic=" + ".join(p.quote for p in parts) + f" = {fmt_interval(total)} > {head.quote}",
        section=head.section,
        key=(head.id,),
        derived=True,
    )
