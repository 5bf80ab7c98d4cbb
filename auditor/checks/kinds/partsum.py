"""A 其中 list: its parts may fall short of the total (the list may be partial) but
never exceed it. Lists with a second 其中 or with parts inside brackets are nested
and are left alone unless their structure is unambiguous.
"""

from __future__ import annotations

from collections import defaultdict
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


def partsum(rule: CheckRule, facts: FactBase) -> Iterator[Finding]:
    groups: dict[int, list[Claim]] = defaultdict(list)
    for c in facts.claims:
        if c.head_id is not None:
            groups[c.head_id].append(c)
    for head_id, parts in groups.items():
        head = facts.claim(head_id)
        head_sentence = facts.sentence(head.sentence_id)
        if head_sentence.text.count("其中") > 1 or "包括" in head_sentence.text:
            continue
        parts = [p for p in parts
                 if not _bracketed(facts.sentence(p.sentence_id).text, p.number.start)]
        if len(parts) < 2 and not (parts and money(parts[0]).lo > money(head).hi):
            continue  # one part below its total says nothing
        total = interval_sum([money(p) for p in parts])
        head.verified = True
        for p in parts:
            p.verified = True
        if total.lo <= money(head).hi:
            continue
        yield Finding(
            evidence=[head.evidence("total"), *[p.evidence("part") for p in parts]],
            values={"subject": head.subject, "total": head.quote, "sum": fmt_interval(total)},
            stated=head.quote,
            expected=f"≥{fmt_interval(total)}",
            arithmetic=" + ".join(p.quote for p in parts) + f" = {fmt_interval(total)} > {head.quote}",
            section=head.section,
        )
