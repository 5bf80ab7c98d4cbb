"""The bench's own oracle: the relations a claim takes part in, evaluated on intervals.

The accuracy bench plants a contradiction only where it can show, with its own
arithmetic, that the original relation holds and that the mutated figure breaks
it beyond rounding. The relations are found from the claims' structure (same
sentence, 其中 heads, concepts, the catalogue's identities and score patterns),
so the bench covers what the auditor claims to handle; the arithmetic here is
independent of the check kinds, so a kind that stops catching shows as "missed".

A `View` gives each claim's interval (and direction), with overrides for the
mutated claim: its interval is widened by a margin of several units in the last
printed place, so "broken" means broken even if the print were that far off.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import regex

from auditor.rules_model import Catalogue
from auditor.checks.facts import FactBase
from auditor.claims.model import Claim, Sentence
from auditor.claims.numbers import MONEY_UNITS
from auditor.interval import Interval, interval_sum
# the checks' own readings of a 其中 list, a share's denominator and a rate's amounts
from auditor.checks.kinds.partsum import _bracketed, _outside_brackets
from auditor.checks.kinds.rate import _BUDGET_ROLES
from auditor.checks.kinds.rate import _amounts as _rate_amounts
from auditor.checks.kinds.share import _whole

_TO_WAN = {"万元": Decimal(1), "元": Decimal("0.0001"), "千元": Decimal("0.1"), "亿元": Decimal(10000)}
_HUNDRED = Decimal(100)


def ulp(decimals: int) -> Decimal:
    return Decimal(1).scaleb(-decimals)


@dataclass
class View:
    """Claims' intervals and directions, with overrides for a mutated copy."""

    claims: list[Claim]
    values: dict[int, Interval] = field(default_factory=dict)  # claim id -> interval in its own unit
    directions: dict[int, int] = field(default_factory=dict)

    def raw(self, c: Claim) -> Interval:
        return self.values.get(c.id, c.interval)

    def iv(self, c: Claim) -> Interval:
        """Money in 万元, anything else in its own unit."""
        raw = self.raw(c)
        k = _TO_WAN.get(c.unit or "") if c.unit in MONEY_UNITS else None
        return raw.scale(k) if k is not None else raw

    def direction(self, c: Claim) -> int | None:
        return self.directions.get(c.id, c.direction)


@dataclass
class Relation:
    kind: str  # change, direction, share, rate, partsum, score, agree, identity
    members: tuple[int, ...]  # claim ids
    data: dict = field(default_factory=dict)

    def holds(self, view: View) -> bool | None:
        """True / False, or None when the relation proves nothing (zero base, divisor may be 0)."""
        return _EVAL[self.kind](self, view)


# -- evaluation -----------------------------------------------------------------------


def _claims(rel: Relation, view: View) -> list[Claim]:
    return [view.claims[i] for i in rel.members]


def _change(rel: Relation, view: View) -> bool | None:
    rate, delta, current = _claims(rel, view)
    dr, dd = view.direction(rate), view.direction(delta)
    if not dr or not dd:
        return None
    if dr != dd:
        return False
    d = view.iv(delta).scale(Decimal(dd))
    base = view.iv(current) - d
    if base.lo <= 0:
        return None
    expected = d / base
    if expected is None:
        return None
    stated = view.iv(rate).scale(Decimal(dr))
    return stated.overlaps(expected.scale(_HUNDRED))


def _direction(rel: Relation, view: View) -> bool | None:
    a, b = _claims(rel, view)
    da, db = view.direction(a), view.direction(b)
    if not da or not db:
        return None
    return da == db


def _share(rel: Relation, view: View) -> bool | None:
    s, part, whole = _claims(rel, view)
    w = view.iv(whole)
    if w.lo <= 0:
        return None
    expected = view.iv(part) / w
    return None if expected is None else view.iv(s).overlaps(expected.scale(_HUNDRED))


def _rate(rel: Relation, view: View) -> bool | None:
    r, current, budget = _claims(rel, view)
    b = view.iv(budget)
    if b.lo <= 0:
        return None
    c = view.iv(current)
    if rel.data.get("variance"):
        expected = (c - b) / b
        if expected is None:
            return None
        expected = expected.scale(_HUNDRED)
        fits = view.iv(r).overlaps(expected)
        if not fits and not r.quote.startswith(("-", "－", "+")):
            fits = view.iv(r).overlaps(-expected)
        return fits
    expected = c / b
    return None if expected is None else view.iv(r).overlaps(expected.scale(_HUNDRED))


def _partsum(rel: Relation, view: View) -> bool | None:
    head, *parts = _claims(rel, view)
    total = interval_sum([view.iv(p) for p in parts])
    return total.lo <= view.iv(head).hi


def _sum_equal(rel: Relation, view: View) -> bool | None:
    total, *parts = _claims(rel, view)
    return view.iv(total).overlaps(interval_sum([view.iv(p) for p in parts]))


def _agree(rel: Relation, view: View) -> bool | None:
    cs = _claims(rel, view)
    return all(view.iv(a).overlaps(view.iv(b)) for i, a in enumerate(cs) for b in cs[i + 1:])


def _levels(rel: Relation, view: View) -> bool | None:
    """A change (rate or amount) against (本年 − 上年) of two stated levels."""
    change, current, base = _claims(rel, view)
    d = view.direction(change)
    if not d:
        return None
    diff = view.iv(current) - view.iv(base)
    stated = view.iv(change).scale(Decimal(d))
    if change.kind == "change_amount":
        return stated.overlaps(diff)
    b = view.iv(base)
    if b.lo <= 0:
        return None
    expected = diff / b
    return None if expected is None else stated.overlaps(expected.scale(_HUNDRED))


def _compare(rel: Relation, view: View) -> bool | None:
    """决算数大于/小于/等于预算数 (the word's sign in data["word"], overridable by the view)."""
    final, budget = _claims(rel, view)
    word = view.directions.get(-1 - rel.members[0], rel.data["word"])
    f, b = view.iv(final), view.iv(budget)
    if word == 0:
        return f.overlaps(b)
    if f.mid == b.mid:
        return False
    return f.hi > b.lo if word > 0 else f.lo < b.hi


def _fund_change(rel: Relation, view: View) -> bool | None:
    """Two changes of one quantity stated at two fund scopes whose levels are equal."""
    da, db, la, lb = _claims(rel, view)
    sa, sb = view.direction(da), view.direction(db)
    if not sa or not sb or not view.iv(la).overlaps(view.iv(lb)):
        return None
    return view.iv(da).scale(Decimal(sa)).overlaps(view.iv(db).scale(Decimal(sb)))


def _group_share(rel: Relation, view: View) -> bool | None:
    """A share of a group's whole: the whole is a table figure (fixed) or the sum of the components."""
    s, part, *components = _claims(rel, view)
    whole = rel.data.get("whole") or interval_sum([view.iv(c) for c in components])
    if whole.lo <= 0:
        return None
    expected = view.iv(part) / whole
    return None if expected is None else view.iv(s).overlaps(expected.scale(_HUNDRED))


def _breakdown(rel: Relation, view: View) -> bool | None:
    """Items never exceed their total; a complete breakdown also does not fall short."""
    head, *items = _claims(rel, view)
    total, whole = interval_sum([view.iv(p) for p in items]), view.iv(head)
    if total.lo > whole.hi:
        return False
    return not (rel.data.get("complete") and total.hi < whole.lo)


_EVAL = {"change": _change, "direction": _direction, "share": _share, "rate": _rate,
         "partsum": _partsum, "score": _sum_equal, "identity": _sum_equal, "agree": _agree,
         "levels": _levels, "compare": _compare, "fund_change": _fund_change, "fund_parts": _sum_equal,
         "group_share": _group_share, "breakdown": _breakdown}


# -- discovery ------------------------------------------------------------------------

def _before(s: Sentence, c: Claim, kinds: tuple[str, ...]) -> list[Claim]:
    return [x for x in s.claims if x.number.start < c.number.start and x.kind in kinds]


def _related(a: Claim, b: Claim) -> bool:
    if a.concept and b.concept:
        return a.concept == b.concept
    return True


def find_relations(facts: FactBase, catalogue: Catalogue) -> list[Relation]:
    """Every relation among the claims that the bench knows how to evaluate."""
    claims, sentences = facts.claims, facts.sentences
    out: list[Relation] = []
    for c in claims:
        if c.source != "narrative":
            continue  # table facts have no sentence; they take part only in agree and identity
        s = sentences[c.sentence_id]
        if c.kind == "change_rate" and c.direction:
            prior = _before(s, c, ("change_amount", "change_rate", "amount"))
            delta = None
            for p in reversed(prior):
                if p.kind == "change_rate":
                    break
                if p.kind == "change_amount":
                    delta = p
                    break
            if delta is None or not delta.direction:
                continue
            out.append(Relation("direction", (c.id, delta.id)))
            current = next((p for p in reversed(_before(s, delta, ("amount",)))
                            if p.role == "current" and _related(p, delta)), None)
            if current is not None:
                out.append(Relation("change", (c.id, delta.id, current.id)))
        elif c.kind == "share":
            prior = _before(s, c, ("amount", "share", "change_amount", "change_rate"))
            if not prior or prior[-1].kind != "amount":
                continue
            part = prior[-1]
            whole = _whole(facts, c, part)
            if whole is not None and whole.id != part.id:
                out.append(Relation("share", (c.id, part.id, whole.id)))
        elif c.kind == "rate" and c.rate_kind in _BUDGET_ROLES:
            current, budget = _rate_amounts(facts, c)
            if current is not None and budget is not None:
                out.append(Relation("rate", (c.id, current.id, budget.id),
                                    {"variance": c.rate_kind == "variance"}))
    # 其中 lists
    groups: dict[int, list[Claim]] = defaultdict(list)
    for c in claims:
        if c.head_id is not None:
            groups[c.head_id].append(c)
    for head_id, parts in groups.items():
        s = sentences[facts.claims[head_id].sentence_id]
        if s.text.count("其中") > 1 or _outside_brackets(s.text, "包括"):
            continue
        parts = [p for p in parts if not _bracketed(sentences[p.sentence_id].text, p.number.start)]
        if len(parts) >= 2:
            out.append(Relation("partsum", (head_id, *[p.id for p in parts])))
    # the same quantity stated twice, per agree rule
    for rule in catalogue.checks:
        if rule.kind == "agree":
            kinds = set(rule.params.get("kinds", ["amount", "count"]))
            same: dict[tuple, list[Claim]] = defaultdict(list)
            for c in claims:
                if c.kind in kinds and c.concept:
                    fam = "money" if c.unit in MONEY_UNITS else (c.unit or "")
                    same[(c.concept, c.role, fam)].append(c)
            for cs in same.values():
                if len(cs) >= 2:
                    out.append(Relation("agree", tuple(c.id for c in cs)))
        elif rule.kind == "identity":
            for ident in rule.params.get("identities", []):
                total = facts.value(ident["total"])
                parts = [facts.value(p) for p in ident["parts"]]
                if total is None or any(p is None for p in parts):
                    continue
                out.append(Relation("identity", (total[1].id, *[p[1].id for p in parts])))  # type: ignore[index]
        elif rule.kind == "score_parts":
            out.extend(_score_relations(facts, rule.params))
        elif rule.kind in ("share_of_group", "breakdown"):
            out.extend(list_relations(facts, rule))
    out.extend(level_relations(facts))
    return out


def level_relations(facts: FactBase) -> list[Relation]:
    """Changes against two stated levels, 决算/预算 comparison words, one change at two fund
    scopes (issue 11, relations 2, 3, 6). The readings are the checks' own (which figures
    a sentence relates); the arithmetic above is the bench's."""
    from auditor.checks.kinds.compare import _COMPARE, _ROLES, _WORDS, _figures
    from auditor.checks.kinds.funds import _linked, _stated, fund_lists
    from auditor.checks.kinds.levels import _has_delta, levels_before

    out: list[Relation] = []
    for c in facts.claims:
        if c.source != "narrative" or c.kind not in ("change_rate", "change_amount") or not c.direction:
            continue
        if c.kind == "change_rate" and _has_delta(facts, c):
            continue
        lv = levels_before(facts, c)
        if lv is not None:
            out.append(Relation("levels", (c.id, lv.current.id, lv.base.id)))
    for s in facts.sentences:
        for m in _COMPARE.finditer(s.text):
            printed = m.group("w1") or m.group("w2")
            pair = _figures(facts, s, m.start(), _ROLES[m.group("q1") or m.group("q2")])
            if pair is not None:
                span = m.span("w1") if m.group("w1") else m.span("w2")
                out.append(Relation("compare", (pair[0].id, pair[1].id),
                                    {"word": _WORDS[printed], "printed": printed, "sentence": s.id,
                                     "span": span}))
    stated = _stated(facts)
    both = {x.scope for x in stated if x.flows == frozenset({"in", "out"})}
    for i, a in enumerate(stated):
        for b in stated[i + 1:]:
            if _linked(a, b, both):
                out.append(Relation("fund_change", (a.delta.id, b.delta.id, a.level.id, b.level.id)))
    for head, parts, _missing in fund_lists(facts):
        out.append(Relation("fund_parts", (head.id, *[c.id for c in parts.values()])))
    return out


def list_relations(facts: FactBase, rule) -> list[Relation]:
    """The relations of the group-share and breakdown kinds, read the way the kinds read them."""
    from auditor.checks.kinds import group_share, partsum

    out: list[Relation] = []
    if rule.kind == "share_of_group":
        for g in rule.params["groups"]:
            total, parts = g["total"], list(g["parts"])
            if facts.value(total) is not None:
                continue
            table = group_share.group_table(facts, total, parts, g.get("title"))
            for s, part in group_share._component_shares(facts, total, parts):
                if table is not None and total in table.values:
                    out.append(Relation("group_share", (s.id, part.id), {"whole": table.values[total].interval}))
                    continue
                stated = [facts.value(c) for c in parts]
                if all(x is not None for x in stated):
                    out.append(Relation("group_share", (s.id, part.id, *[x[1].id for x in stated])))  # type: ignore[index]
    else:
        for head, items, complete in partsum.breakdowns(rule, facts):
            out.append(Relation("breakdown", (head.id, *[i.id for i in items]), {"complete": complete}))
    return out


def _score_relations(facts: FactBase, params: dict) -> list[Relation]:
    total_re = regex.compile(params.get("total_pattern", "自评得分|总得分|综合得分|评价得分|总分"))
    part_re = regex.compile(params.get("part_pattern", "指标|方面"))
    min_parts = int(params.get("min_parts", 3))
    scores = [c for c in facts.claims if c.kind == "score" and c.number.comparator is None]

    def lead(c: Claim) -> str:
        s = facts.sentences[c.sentence_id]
        prior = [x for x in s.claims if x.number.end <= c.number.start]
        return s.text[(prior[-1].number.end if prior else 0):c.number.start]

    out = []
    i = 0
    while i < len(scores):
        total = scores[i]
        if not total_re.search(lead(total)):
            i += 1
            continue
        parts = []
        j = i + 1
        while j < len(scores) and not total_re.search(lead(scores[j])):
            if part_re.search(lead(scores[j])) and scores[j].location.line - total.location.line < 20:
                parts.append(scores[j])
            j += 1
        i = j
        if len(parts) >= min_parts:
            out.append(Relation("score", (total.id, *[p.id for p in parts])))
    return out
