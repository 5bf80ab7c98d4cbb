"""One change stated at two fund scopes: 财政拨款 = 一般公共预算 + 政府性基金 + 国有资本经营.

When the narrative states a 财政拨款 figure and a 一般公共预算 figure of the same flow that
are equal this year, the other funds are zero this year, and the two 比上年增加/减少
amounts must be equal too, unless last year had other funds (which the document does not
state): hence a warning, whose message names that assumption. A "收、支总计各增加X"
states one change for income and expense alike, which links the income and the expense
figures of a scope. A change stated with the opposite sign at the other scope is the
same contradiction.

Only figures whose subject is nothing but a scope and a flow are read ("财政拨款预算支出",
"一般公共预算收入预算"); an item under a scope (基本支出, 会议费) is another quantity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations
from typing import Iterator

from auditor.checks.facts import FactBase, fmt, fmt_interval
from auditor.checks.kind import Kind
from auditor.checks.kinds._common import before_in_sentence, money
from auditor.checks.relation import Operand, Relation
from auditor.claims.model import Claim
from auditor.rules_model import CheckRule, NoParams

_SCOPES = (("一般公共预算财政拨款", "gpb"), ("一般公共预算拨款", "gpb"), ("一般公共预算", "gpb"),
           ("财政拨款", "fiscal"))
_SCOPE_NAMES = {"gpb": "一般公共预算", "fiscal": "财政拨款"}
# what may stand in the subject besides the scope: flows, totals, budget words, the change word
_FILLER = re.compile(r"其中|收入|支出|收、支|收支|总计|合计|总预算|预算|决算|本年度?|年度|全年|当年|各|增加|减少|"
                     r"\d{4}\s*年|[\s（）()．.、0-9一二三四五六七八九十]")
_BOTH = re.compile(r"收、?支|收入支出|收入、支出")


@dataclass(frozen=True)
class Stated:
    """A change amount at one fund scope, with the current level it follows."""

    delta: Claim
    level: Claim
    scope: str  # gpb | fiscal
    flows: frozenset[str]  # {"in"}, {"out"} or both

    def signed(self):
        return money(self.delta).scale(Decimal(self.delta.direction or 0))


def _scope_and_flows(subject: str) -> tuple[str, frozenset[str]] | None:
    s = subject.replace(" ", "")
    for word, scope in _SCOPES:
        if word in s:
            rest = s.replace(word, "", 1)
            break
    else:
        return None
    if _FILLER.sub("", rest):
        return None  # an item under the scope, not the scope's own total
    if _BOTH.search(s):
        return scope, frozenset({"in", "out"})
    if "收入" in s:
        return scope, frozenset({"in"})
    if "支出" in s:
        return scope, frozenset({"out"})
    return None


def _stated(facts: FactBase) -> list[Stated]:
    out = []
    for d in facts.claims:
        if d.kind != "change_amount" or d.source != "narrative" or d.direction not in (1, -1):
            continue
        prior = before_in_sentence(facts, d, ("amount", "change_amount", "change_rate", "share", "rate"))
        amounts = [c for c in prior if c.kind == "amount"]
        if any(c.kind in ("change_amount", "change_rate") for c in prior):
            continue
        if not prior:
            amounts = _level_sentence_before(facts, d)
        if not amounts:
            continue
        level = amounts[-1]
        if level.role != "current" or level.value == 0:
            continue
        read = _scope_and_flows(level.subject)
        if read is None:
            continue
        out.append(Stated(d, level, read[0], read[1]))
    return out


def _level_sentence_before(facts: FactBase, d: Claim) -> list[Claim]:
    """"X总预算A万元。与上年相比，…增加B万元": the level stated alone in the sentence
    just before on the same line."""
    s = facts.sentence(d.sentence_id)
    if s.id == 0:
        return []
    before = facts.sentence(s.id - 1)
    if before.location.line != s.location.line:
        return []
    claims = [c for c in before.claims if c.kind != "share"]
    return claims if len(claims) == 1 and claims[0].kind == "amount" else []


def _linked(a: Stated, b: Stated, both_scopes: set[str]) -> bool:
    """Are a and b the same change? Same level this year and a flow in common (a scope
    stated as 收支 links its two flows)."""
    if a.scope == b.scope and a.flows == b.flows:
        return False  # the same quantity twice: agree.same_change compares those
    if not money(a.level).overlaps(money(b.level)):
        return False
    fa = a.flows | ({"in", "out"} if a.scope in both_scopes or a.scope == "gpb" and "fiscal" in both_scopes else set())
    fb = b.flows | ({"in", "out"} if b.scope in both_scopes or b.scope == "gpb" and "fiscal" in both_scopes else set())
    return bool(fa & fb)


def fund_scopes(rule: CheckRule, params: NoParams, facts: FactBase) -> Iterator[Relation]:
    stated = _stated(facts)
    both = {s.scope for s in stated if s.flows == frozenset({"in", "out"})}
    for a, b in combinations(stated, 2):
        if _linked(a, b, both):
            yield _same_change(a, b)


def _same_change(a: Stated, b: Stated) -> Relation:
    """The two signed changes are one (the levels are only the reason: evidence, not operands,
    so only the two changes count as compared)."""
    gap = a.signed() - b.signed()
    other = f"{b.delta.direction_word or ''}{b.delta.quote}"
    return Relation(
        "equal", Operand.of(a.delta, "stated", a.signed()), (Operand.of(b.delta, "other", b.signed()),),
        section=a.delta.section, key=(a.delta.id, b.delta.id), derived=False,
        values={"subject": a.level.subject, "other_subject": b.level.subject,
                "level": a.level.quote, "other": other,
                "scope": _SCOPE_NAMES[a.scope], "other_scope": _SCOPE_NAMES[b.scope],
                "gap": fmt_interval(_abs(gap))},
        stated_text=f"{a.delta.direction_word or ''}{a.delta.quote}", expected_text=other,
        arithmetic=f"本年{a.level.quote} = {b.level.quote}；{fmt_interval(a.signed())} − "
                   f"{fmt_interval(b.signed())} = {fmt_interval(gap)} ≠ 0",
        extra=(a.level.evidence("current"), b.level.evidence("current")),
    )


def _abs(iv):
    return iv if iv.lo >= 0 else (-iv if iv.hi <= 0 else iv)


# -- the identity on levels: 财政拨款 = 一般公共预算 + 政府性基金 + 国有资本经营 ----------------

_PART_SCOPES = (("政府性基金预算财政拨款", "gov_fund"), ("政府性基金预算", "gov_fund"), ("政府性基金", "gov_fund"),
                ("国有资本经营预算财政拨款", "soe"), ("国有资本经营预算", "soe"), ("国有资本经营", "soe"),
                ("一般公共预算财政拨款", "gpb"), ("一般公共预算拨款", "gpb"), ("一般公共预算", "gpb"))
_PART_NAMES = {"gpb": "一般公共预算", "gov_fund": "政府性基金", "soe": "国有资本经营"}
_PART_FILLER = re.compile(r"其中|包括|拨款|收入|支出|预算|本年度?|年度|全年|[\s：:；;，,、（）()．.0-9一二三四五六七八九十]")
# "本部门无国有资本经营预算拨款", "没有政府性基金收入": a fund the document says it does not have
_ABSENT = re.compile(r"(?:无|没有|未安排|不涉及)[^，。；]{0,10}?(政府性基金|国有资本经营)")


def _part_scope(subject: str) -> str | None:
    s = subject.replace(" ", "")
    for word, scope in _PART_SCOPES:
        if word in s:
            return None if _PART_FILLER.sub("", s.replace(word, "", 1)) else scope
    return None


def _fiscal_head(c: Claim) -> bool:
    """A 本年 财政拨款 income or expense figure: not a 总计 (which adds the carry-overs)."""
    s = c.subject.replace(" ", "")
    if "总计" in s or "结转" in s or "结余" in s or any(w in s for w, _ in _PART_SCOPES):
        return False
    read = _scope_and_flows(s)
    return read is not None and read[0] == "fiscal"


def _absent_funds(facts: FactBase) -> dict[str, Claim | None]:
    """Funds the document states it does not have: by a stated 0, or in words (None)."""
    out: dict[str, Claim | None] = {}
    for c in facts.claims:
        if c.kind == "amount" and c.source == "narrative" and c.value == 0:
            scope = _part_scope(c.subject)
            if scope in ("gov_fund", "soe"):
                out.setdefault(scope, c)
    for s in facts.sentences:
        for m in _ABSENT.finditer(s.text):
            out.setdefault("gov_fund" if m.group(1) == "政府性基金" else "soe", None)
    return out


def fund_lists(facts: FactBase) -> list[tuple[Claim, dict[str, Claim], list[str]]]:
    """(财政拨款 head, its funds by scope, the funds stated absent) for each complete list."""
    absent = _absent_funds(facts)
    out = []
    for head in facts.claims:
        if head.kind != "amount" or head.source != "narrative" or not _fiscal_head(head):
            continue
        s = facts.sentence(head.sentence_id)
        if "结转" in s.text or "结余" in s.text:
            continue
        parts: dict[str, Claim] = {}
        for c in (c for c in s.claims if c.number.start > head.number.start):
            scope = _part_scope(c.subject) if c.kind == "amount" else None
            if scope is None or scope in parts:
                break  # the list ends at the first figure that is not a fund of this head
            parts[scope] = c
        if "gpb" not in parts or len(parts) < 2:
            continue
        missing = [f for f in ("gov_fund", "soe") if f not in parts]
        if all(f in absent for f in missing):
            out.append((head, parts, missing))
    return out


def fund_parts(rule: CheckRule, params: NoParams, facts: FactBase) -> Iterator[Relation]:
    """财政拨款 X，其中/包括 一般公共预算 A、政府性基金 B（、国有资本经营 C）: X = A + B + C when
    every fund is stated, or the missing one is stated absent; a partial list is partsum's."""
    absent = _absent_funds(facts)
    for head, parts, missing in fund_lists(facts):
        total = money(parts["gpb"])
        for f in ("gov_fund", "soe"):
            if f in parts:
                total = total + money(parts[f])
        named = "＋".join(f"{_PART_NAMES[k]}{c.quote}" for k, c in parts.items())
        zero = "；文中写明无" + "、".join(_PART_NAMES[f] for f in missing) if missing else ""
        yield Relation(
            "sum_equal", Operand.of(head, "total"), tuple(Operand.of(c, "part") for c in parts.values()),
            section=facts.sentence(head.sentence_id).section, derived=True,
            values={"subject": head.subject, "total": head.quote, "sum": fmt_interval(total),
                    "parts": named + zero},
            expected_text=fmt(total.mid),  # the flag has always shown the sum's midpoint
            arithmetic=f"{named} = {fmt_interval(total)} ≠ {head.quote}{zero}",
            # a fund stated absent by a printed 0 is shown, but not compared (it adds nothing)
            extra=tuple(absent[f].evidence("part") for f in missing if absent[f] is not None),
        )


KINDS = (Kind("fund_scopes", fund_scopes, NoParams,
              frozenset({"subject", "other_subject", "level", "other", "scope", "other_scope", "gap"})),
         Kind("fund_parts", fund_parts, NoParams, frozenset({"subject", "total", "sum", "parts"})))
