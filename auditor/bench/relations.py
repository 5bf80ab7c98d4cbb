"""The bench's own oracle: the relations the checks judge, evaluated with the bench's arithmetic.

The accuracy bench plants a contradiction only where it can show, with its own
arithmetic, that the original relation holds and that the mutated figure breaks
it beyond rounding. Which claims are related is read from the check kinds
themselves: for each check rule of the catalogue, `relations(rule, params, facts)`
gives the kind's Relation / Readings objects, whose operands name the claims, their
roles and places; the bench takes the members from those (see `_READERS`). So the
bench plants exactly where a check looks, and discovery is written once.

The arithmetic is not the kind's and not the evaluator's: the `_EVAL` functions below
recompute every relation over a `View` of the claims' intervals, so a kind (or the
evaluator) that stops catching a contradiction it reads still shows as "missed". A
kind that stops *reading* a relation shows as fewer plants instead: compare the
planted counts with the baseline too. Relations that carry no arithmetic the bench
evaluates (observed facts, labels such as 科目编码 names) are not read, except the
two whose words the bench does judge: a change's two direction words, and the
决算/预算 comparison word against its two figures.

A `View` gives each claim's interval (and direction), with overrides for the
mutated claim: its interval is widened by a margin of several units in the last
printed place, so "broken" means broken even if the print were that far off.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable, Iterable, Iterator

from auditor.checks.facts import FactBase
from auditor.checks.kinds import registry
from auditor.checks.relation import Operand, Readings
from auditor.checks.relation import Relation as KindRelation
from auditor.claims.model import Claim
from auditor.claims.numbers import MONEY_UNITS
from auditor.interval import Interval, interval_sum
from auditor.rules_model import Catalogue

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
    kind: str  # the bench's name for the arithmetic: a key of _EVAL
    members: tuple[int, ...]  # claim ids, in the order the evaluator below reads them
    data: dict = field(default_factory=dict)

    def holds(self, view: View) -> bool | None:
        """True / False, or None when the relation proves nothing (zero base, divisor may be 0)."""
        return _EVAL[self.kind](self, view)


# -- evaluation -----------------------------------------------------------------------


def _claims(rel: Relation, view: View) -> list[Claim]:
    return [view.claims[i] for i in rel.members]


def _any_reading(results: Iterable[bool | None]) -> bool | None:
    """Several readings of one statement (as the checks' Readings): it holds when one holds,
    proves nothing when one proves nothing, and is broken only when every reading is."""
    results = list(results)
    if any(r is True for r in results):
        return True
    return None if any(r is None for r in results) else False


def _change(rel: Relation, view: View) -> bool | None:
    """rate = Δ ÷ (本年 − Δ), for any of the candidate 本年 amounts (members[2:])."""
    rate, delta, *currents = _claims(rel, view)
    dr, dd = view.direction(rate), view.direction(delta)
    if not dr or not dd:
        return None
    if dr != dd:
        return False
    d = view.iv(delta).scale(Decimal(dd))
    stated = view.iv(rate).scale(Decimal(dr))
    return _any_reading(_change_reading(stated, d, view.iv(c)) for c in currents)


def _change_reading(stated: Interval, d: Interval, current: Interval) -> bool | None:
    base = current - d
    if base.lo <= 0:
        return None
    expected = d / base
    return None if expected is None else stated.overlaps(expected.scale(_HUNDRED))


def _direction(rel: Relation, view: View) -> bool | None:
    a, b = _claims(rel, view)
    da, db = view.direction(a), view.direction(b)
    if not da or not db:
        return None
    return da == db


def _share(rel: Relation, view: View) -> bool | None:
    s, part, whole = _claims(rel, view)
    return _share_of(view.iv(s), view.iv(part), view.iv(whole))


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
    """A share of a group's whole that no claim states (data["whole"], in 万元).

    The kind's relation does not say whether that whole was read from a table (fixed) or
    summed from the components, the part among them (moving with it); a plant must break
    both readings."""
    s, part = _claims(rel, view)
    p, before = view.iv(part), View(view.claims).iv(part)
    fixed: Interval = rel.data["whole"]
    summed = Interval(fixed.lo + p.lo - before.lo, fixed.hi + p.hi - before.hi)
    return _any_reading(_share_of(view.iv(s), p, whole) for whole in (fixed, summed))


def _share_of(stated: Interval, part: Interval, whole: Interval) -> bool | None:
    if whole.lo <= 0:
        return None
    expected = part / whole
    return None if expected is None else stated.overlaps(expected.scale(_HUNDRED))


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


# -- discovery: the kinds' own relations ------------------------------------------------

Reader = Callable[[object, FactBase], Iterator[Relation]]


def find_relations(facts: FactBase, catalogue: Catalogue) -> list[Relation]:
    """Every relation the catalogue's checks find that the bench knows how to evaluate,
    once each (a relation read by two rules counts once)."""
    kinds = registry()
    out: dict[tuple, Relation] = {}
    for rule in catalogue.checks:
        read = _READERS.get(rule.kind)
        kind = kinds.get(rule.kind)
        if read is None or kind is None:
            continue
        try:
            items = list(kind.relations(rule, rule.settings, facts))
        except Exception:  # noqa: BLE001 - the engine drops an erroring rule's results too
            continue
        for item in items:
            for rel in read(item, facts):
                out.setdefault((rel.kind, rel.members, repr(sorted(rel.data.items()))), rel)
    return list(out.values())


def _id(op: Operand | None) -> int | None:
    return None if op is None else op.claim_id


def _operand(rel: KindRelation, role: str, place: str | None = None) -> Operand | None:
    """The first operand of a role (and place) that is a claim."""
    return next((o for o in rel.operands if o.role == role and o.claim_id is not None
                 and (place is None or o.place == place)), None)


def _members(*ids: int | None) -> tuple[int, ...] | None:
    """The ids, or None when one figure of the relation is no claim (nothing to plant on)."""
    return None if any(i is None for i in ids) else tuple(ids)  # type: ignore[arg-type]


def _shaped(item: object, *shapes: str) -> KindRelation | None:
    """The item when it is a relation of one of these shapes (Readings and others are not)."""
    return item if isinstance(item, KindRelation) and item.shape in shapes else None


def _bench(kind: str, ids: tuple[int, ...] | None, data: dict | None = None) -> Iterator[Relation]:
    if ids is not None:
        yield Relation(kind, ids, data or {})


def _change_rate(item: object, facts: FactBase) -> Iterator[Relation]:
    """Readings of a change rate: the rate and its 增减额 (the two words agree) and the rate
    against Δ ÷ (本年 − Δ) for any candidate 本年 amount, as the kind's Readings hold."""
    if not isinstance(item, Readings) or not item.relations:
        return
    first = item.relations[0]
    rate, delta = first.stated.claim_id, _id(_operand(first, "change", "num"))
    currents = [_id(_operand(r, "current")) for r in item.relations]
    yield from _bench("direction", _members(rate, delta))
    yield from _bench("change", _members(rate, delta, *currents))


def _change_direction(item: object, facts: FactBase) -> Iterator[Relation]:
    """Two direction words that disagree (observed by the kind): the bench's direction pair,
    so that it fails on the original and its figures are no plant site."""
    rel = _shaped(item, "observed")
    if rel is not None:
        yield from _bench("direction", _members(rel.stated.claim_id, _id(_operand(rel, "change"))))


def _change_levels(item: object, facts: FactBase) -> Iterator[Relation]:
    rel = _shaped(item, "ratio_equal", "equal")
    if rel is not None:
        yield from _bench("levels", _members(rel.stated.claim_id, _id(_operand(rel, "current")),
                                             _id(_operand(rel, "base"))))


# the comparison words a 决算/预算 sentence may print, by the sign they state
_COMPARE_WORDS = {"大于": 1, "高于": 1, "超过": 1, "多于": 1, "小于": -1, "低于": -1, "少于": -1,
                  "等于": 0, "持平": 0, "一致": 0, "相同": 0, "相等": 0}
_LABEL_SIGN = {"大于": 1, "小于": -1, "等于": 0}


def _compare_budget(item: object, facts: FactBase) -> Iterator[Relation]:
    """The printed comparison word (the stated label, its phrase as evidence) against the
    决算 and 预算 figures; the word's place in the document is found in the phrase."""
    rel = _shaped(item, "label_is")
    ev = rel.stated.evidence if rel is not None else None
    if rel is None or ev is None or ev.start is None or rel.stated.label not in _LABEL_SIGN:
        return
    word = _LABEL_SIGN[rel.stated.label]
    found = [(ev.quote.find(w), w) for w, sign in _COMPARE_WORDS.items() if sign == word and w in ev.quote]
    if len(found) != 1:
        return  # the word cannot be placed in the phrase with certainty
    at, printed = found[0]
    start = ev.start + at
    yield from _bench("compare", _members(_id(_operand(rel, "current")), _id(_operand(rel, "budget"))),
                      {"word": word, "printed": printed, "line": ev.line, "start": start,
                       "end": start + len(printed)})


def _fund_scopes(item: object, facts: FactBase) -> Iterator[Relation]:
    """Two changes of one quantity at two fund scopes; the equal levels that link them are the
    relation's extra evidence (claims, but no operands)."""
    rel = _shaped(item, "equal")
    if rel is None or len(rel.extra) != 2:
        return
    levels = [next((c.id for c in facts.claims_at(ev) if c.kind == "amount"), None) for ev in rel.extra]
    yield from _bench("fund_change", _members(rel.stated.claim_id, _id(_operand(rel, "other")), *levels))


def _total_and_parts(bench_kind: str, *shapes: str) -> Reader:
    """A total and its parts (stated = the total, operands = the parts in order)."""
    def read(item: object, facts: FactBase) -> Iterator[Relation]:
        rel = _shaped(item, *shapes)
        if rel is not None:
            yield from _bench(bench_kind, _members(rel.stated.claim_id, *[o.claim_id for o in rel.operands]))
    return read


def _breakdown(item: object, facts: FactBase) -> Iterator[Relation]:
    """Items never exceed their total (sum_at_most); a list introduced as complete is also
    not short of it (the kind's second relation, sum_equal)."""
    rel = _shaped(item, "sum_at_most", "sum_equal")
    if rel is not None:
        yield from _bench("breakdown", _members(rel.stated.claim_id, *[o.claim_id for o in rel.operands]),
                          {"complete": rel.shape == "sum_equal"})


def _share(item: object, facts: FactBase) -> Iterator[Relation]:
    rel = _shaped(item, "ratio_equal")
    if rel is not None:
        yield from _bench("share", _members(rel.stated.claim_id, _id(_operand(rel, "part", "num")),
                                            _id(_operand(rel, "whole", "den"))))


def _share_of_group(item: object, facts: FactBase) -> Iterator[Relation]:
    """A component's share of a group whole that no claim states: the whole is the kind's
    denominator interval (a table's 小计, or the components' sum)."""
    rel = _shaped(item, "ratio_equal")
    whole = next((o for o in rel.operands if o.place == "den"), None) if rel is not None else None
    if rel is None or whole is None or whole.claim_id is not None or whole.interval is None:
        return
    yield from _bench("group_share", _members(rel.stated.claim_id, _id(_operand(rel, "part"))),
                      {"whole": whole.interval})


def _rate(item: object, facts: FactBase) -> Iterator[Relation]:
    rel = _shaped(item, "ratio_equal")
    if rel is None:
        return
    ids = _members(rel.stated.claim_id, _id(_operand(rel, "current", "num")), _id(_operand(rel, "budget", "den")))
    if ids is not None:
        yield Relation("rate", ids, {"variance": facts.claim(ids[0]).rate_kind == "variance"})


def _agree(item: object, facts: FactBase) -> Iterator[Relation]:
    """A group of prints of one quantity: the majority's relation verifies the whole group
    (the other clusters' relations pair one print with the majority's first)."""
    rel = _shaped(item, "same_value")
    if rel is not None and len(rel.claim_ids) >= 2:
        yield Relation("agree", rel.claim_ids)


# rule kind → how its relations become the bench's (kinds not listed carry no arithmetic the
# bench evaluates: tables' own sums, codes and their names, years, blank tables …)
_READERS: dict[str, Reader] = {
    "change_rate": _change_rate,
    "change_direction": _change_direction,
    "change_levels": _change_levels,
    "compare_budget": _compare_budget,
    "fund_scopes": _fund_scopes,
    "fund_parts": _total_and_parts("fund_parts", "sum_equal"),
    "partsum": _total_and_parts("partsum", "sum_at_most"),
    "breakdown": _breakdown,
    "share": _share,
    "share_of_group": _share_of_group,
    "rate": _rate,
    "agree": _agree,
    "identity": _total_and_parts("identity", "sum_equal"),
    "score_parts": _total_and_parts("score", "sum_equal"),
}
