"""Decide a relation with interval arithmetic: the one place where rounding is judged.

A relation between printed figures is contradicted only when no choice of true values
inside their rounding intervals satisfies it (DESIGN.md §4). Near misses that rounding
conventions explain are warnings, not errors: a match in a single endpoint (one print
rounded half-down, the other half-up) when the relation asks for it, and a stated
figure that fits once its digits are taken as cut off instead of rounded. A denominator
that may be zero proves nothing, unless the relation says a printed zero is itself the
contradiction (a rate of a zero budget).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from auditor.checks.facts import fmt, fmt_interval
from auditor.checks.relation import Operand, Relation
from auditor.interval import Interval, interval_sum

Status = Literal["holds", "fails", "boundary", "truncation", "undecidable"]
HUNDRED = Interval.exact(100)


@dataclass(frozen=True)
class Verdict:
    """What the figures of a relation say: holds, fails (beyond rounding), boundary or
    truncation (fails unless the printer rounded oddly: a warning), undecidable (a base that
    may be zero). `expected` is the interval the other figures allow for the stated one."""

    status: Status
    expected: Interval | None = None
    expected_text: str | None = None
    arithmetic: str | None = None
    severity: str | None = None  # None: the rule's own

    @property
    def failed(self) -> bool:
        return self.status in ("fails", "boundary", "truncation")


def magnitude(iv: Interval) -> Interval:
    """The interval of |x| when x keeps one sign ("下降5%" is printed without its minus)."""
    return Interval(-iv.hi, -iv.lo) if iv.hi <= 0 else iv


def show(value: Decimal, decimals: int) -> str:
    """The expected value, from the printed figures, with as many decimals as the stated one."""
    return fmt(abs(value), max(decimals, 2))


def signed_sum(ops: tuple[Operand, ...] | list[Operand]) -> Interval:
    return interval_sum([o.interval.scale(Decimal(o.sign)) for o in ops if o.interval is not None])


def _mid_sum(ops: list[Operand]) -> Decimal:
    return sum((o.interval.mid * o.sign for o in ops if o.interval is not None), Decimal(0))


def terms_text(ops: list[Operand] | tuple[Operand, ...], bracket: bool = False) -> str:
    """a + b − c, as the figures are printed; bracketed when it is a compound term of a ratio
    ((本年 − 上年) ÷ 上年)."""
    text = ""
    for i, o in enumerate(ops):
        if i == 0:
            text = ("−" if o.sign < 0 else "") + o.text
        else:
            text += f" {'−' if o.sign < 0 else '+'} {o.text}"
    return f"({text})" if bracket and len(ops) > 1 else text


def evaluate(relation: Relation) -> Verdict:
    shape = relation.shape
    if shape == "ratio_equal":
        verdict = _ratio(relation)
    elif shape in ("equal", "sum_equal", "sum_at_most"):
        verdict = _sum(relation)
    elif shape == "same_value":
        verdict = _same(relation)
    elif shape == "label_is":
        verdict = _label(relation)
    elif shape == "observed":
        verdict = Verdict("fails")
    else:
        raise ValueError(f"unknown relation shape {shape}")
    return _override(relation, verdict)


def _override(r: Relation, v: Verdict) -> Verdict:
    if not v.failed:
        return v
    severity = r.severity if r.severity is not None else v.severity
    return Verdict(v.status, v.expected, r.expected_text if r.expected_text is not None else v.expected_text,
                   r.arithmetic if r.arithmetic is not None else v.arithmetic, severity)


def _fits(r: Relation, stated: Interval, expected: Interval) -> bool:
    if stated.overlaps(expected):
        return True
    return r.signless and stated.overlaps(-expected)


def _near(r: Relation, stated: Interval, expected: Interval) -> Status:
    """fails, or the warning a rounding convention explains."""
    if r.truncation and r.stated.interval is not None:
        printed = Interval.truncated(abs(stated.mid), r.stated.decimals)
        if printed.overlaps(magnitude(expected)):
            return "truncation"
    return "fails"


def _ratio(r: Relation) -> Verdict:
    num = [o for o in r.operands if o.place == "num"]
    den = [o for o in r.operands if o.place == "den"]
    n, d = signed_sum(num), signed_sum(den)
    scale = HUNDRED if r.percent else Interval.exact(1)
    suffix = "%" if r.percent else ""
    stated = r.stated.interval
    assert stated is not None
    if d.lo <= 0:
        printed_zero = all(o.interval is not None and o.interval.mid == 0 for o in den)
        if r.zero_base == "fails" and printed_zero and stated.mid != 0 and n.lo > 0:
            return Verdict("fails", None, "无法计算（预算为0）",
                           f"{terms_text(num, True)} ÷ {terms_text(den, True)}：预算为0，比率无意义")
        return Verdict("undecidable")
    q = n / d
    if q is None:
        return Verdict("undecidable")
    expected = q * scale
    if _fits(r, stated, expected):
        return Verdict("holds", expected)
    mid_den = _mid_sum(den)
    mid = _mid_sum(num) / mid_den * (100 if r.percent else 1) if mid_den else Decimal(0)
    shown = magnitude(expected) if r.show_magnitude else expected
    arithmetic = f"{terms_text(num, True)} ÷ {terms_text(den, True)} = {fmt_interval(shown)}{suffix}"
    status = _near(r, stated, expected)
    return Verdict(status, expected, show(mid, r.stated.decimals) + suffix, arithmetic,
                   "warning" if status == "truncation" else None)


def _sum(r: Relation) -> Verdict:
    total = signed_sum(r.operands)
    stated = r.stated.interval
    assert stated is not None
    if r.shape == "sum_at_most":
        if total.lo <= stated.hi:
            return Verdict("holds", total)
        return Verdict("fails", total, f"≥{fmt_interval(total, r.places)}",
                       f"{terms_text(r.operands)} = {fmt_interval(total, r.places)}{r.unit} > {r.stated.text}")
    if not stated.overlaps(total):
        return Verdict("fails", total, fmt_interval(total, r.places),
                       f"{terms_text(r.operands)} = {fmt_interval(total, r.places)}{r.unit} ≠ {r.stated.text}")
    if r.boundary and stated.touches(total):
        return Verdict("boundary", total, fmt_interval(total, r.places),
                       f"{terms_text(r.operands)} = {fmt_interval(total, r.places)}{r.unit} ≈ {r.stated.text}"
                       "（仅在舍入边界上相符）", "warning")
    return Verdict("holds", total)


def _same(r: Relation) -> Verdict:
    ops = [r.stated, *r.operands]
    ivs = [o.interval for o in ops if o.interval is not None]
    if all(a.overlaps(b) for a in ivs for b in ivs):
        if r.boundary and any(a.touches(b) for a in ivs for b in ivs):
            return Verdict("boundary", ivs[0], None, None, "warning")
        return Verdict("holds", ivs[0])
    odd = next(o for o in r.operands if o.interval is not None and not o.interval.overlaps(ivs[0]))
    return Verdict("fails", odd.interval, odd.text, " ≠ ".join(o.text for o in ops))


def _label(r: Relation) -> Verdict:
    allowed = [o.label for o in r.operands if o.label is not None]
    if r.stated.label in allowed:
        return Verdict("holds")
    return Verdict("fails", None, "、".join(allowed), f"{r.stated.text} ≠ {'、'.join(allowed)}")
