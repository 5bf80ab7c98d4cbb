"""Interval arithmetic on Decimals.

A printed figure is rounded: 15,750.76 stands for every true value in
[15750.755, 15750.765]. A relation between printed figures is contradicted
only when no choice of true values inside their intervals satisfies it, so every
check computes with intervals and never with a fixed tolerance (DESIGN.md §4).
Intervals are closed: the half-open edge never decides a flag, and erring
towards "holds" is what precision asks for.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext



@dataclass(frozen=True)
class Interval:
    lo: Decimal
    hi: Decimal

    @staticmethod
    def exact(v: Decimal | int) -> "Interval":
        d = Decimal(v)
        return Interval(d, d)

    @staticmethod
    def rounded(v: Decimal, decimals: int) -> "Interval":
        """The values that print as `v` when rounded half-up/half-even to `decimals` places."""
        half = Decimal(5).scaleb(-(decimals + 1))
        return Interval(v - half, v + half)

    @staticmethod
    def truncated(v: Decimal, decimals: int) -> "Interval":
        """The values that print as `v` when the digits after `decimals` are cut off."""
        step = Decimal(1).scaleb(-decimals)
        if v >= 0:
            return Interval(v, v + step)
        return Interval(v - step, v)

    @property
    def mid(self) -> Decimal:
        return (self.lo + self.hi) / 2

    def __add__(self, other: "Interval") -> "Interval":
        return Interval(self.lo + other.lo, self.hi + other.hi)

    def __sub__(self, other: "Interval") -> "Interval":
        return Interval(self.lo - other.hi, self.hi - other.lo)

    def __neg__(self) -> "Interval":
        return Interval(-self.hi, -self.lo)

    def __mul__(self, other: "Interval") -> "Interval":
        products = [self.lo * other.lo, self.lo * other.hi, self.hi * other.lo, self.hi * other.hi]
        return Interval(min(products), max(products))

    def scale(self, k: Decimal) -> "Interval":
        a, b = self.lo * k, self.hi * k
        return Interval(min(a, b), max(a, b))

    def contains_zero(self) -> bool:
        return self.lo <= 0 <= self.hi

    def __truediv__(self, other: "Interval") -> "Interval | None":
        """None when the divisor may be zero: the quotient is then unbounded and proves nothing."""
        if other.contains_zero():
            return None
        with localcontext() as ctx:
            ctx.prec = 34
            q = [self.lo / other.lo, self.lo / other.hi, self.hi / other.lo, self.hi / other.hi]
        return Interval(min(q), max(q))

    def overlaps(self, other: "Interval") -> bool:
        return self.lo <= other.hi and other.lo <= self.hi

    def percent(self) -> "Interval":
        """A ratio as a percentage."""
        return self.scale(Decimal(100))

    def touches(self, other: "Interval") -> bool:
        """Overlapping in a single boundary point only: two prints of one value that can
        agree only if one was rounded half-down (or truncated) and the other half-up."""
        return self.overlaps(other) and (self.lo == other.hi or self.hi == other.lo) and \
            not (self.lo == self.hi or other.lo == other.hi)



def interval_sum(items: list[Interval]) -> Interval:
    total = Interval.exact(0)
    for i in items:
        total = total + i
    return total
