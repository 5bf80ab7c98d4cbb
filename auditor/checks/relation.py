"""What a check kind finds in a document: relations between printed figures, not verdicts.

A kind reads the fact base and says "these figures should satisfy this identity"
(the parts of a 其中 list add up to at most its total; 占X% is the part over the whole);
`evaluate` decides, with interval arithmetic, whether they do. Keeping the two apart
means the rounding rules (zero bases, boundary prints, truncated digits, how an
interval is printed) are written once, and the accuracy bench can read the same
relations the checks judge instead of re-discovering them.

Shapes (the identity the figures should satisfy; `stated` is the printed figure under test):

- ``equal``: stated = operands[0] (two prints of one quantity; a sum of signed operands
  when there are several: stated Δ = 本年 − 上年);
- ``sum_equal``: stated = Σ operands (a total and all of its parts);
- ``sum_at_most``: Σ operands ≤ stated (a 其中 list may be partial, never larger);
- ``ratio_equal``: stated = Σ numerator ÷ Σ denominator (× 100 for a percentage);
- ``same_value``: every operand and the stated figure are one value (groups of prints);
- ``label_is``: the stated label is one of the operands' labels (科目编码 and its name);
- ``observed``: the kind has judged a fact that is no arithmetic (a table whose own sums
  fail, a blank table with amounts in the text): it always fails, with the kind's words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Mapping

from auditor.claims.model import Claim
from auditor.interval import Interval
from auditor.model import Cell, Evidence

Shape = Literal["equal", "sum_equal", "sum_at_most", "ratio_equal", "same_value", "label_is", "observed"]
SHAPES: tuple[str, ...] = ("equal", "sum_equal", "sum_at_most", "ratio_equal", "same_value", "label_is",
                           "observed")


@dataclass(frozen=True)
class Operand:
    """One printed figure (or label) of a relation, with the interval it stands for.

    `text` is how the figure is written in the arithmetic shown to the reader (its quote,
    unless the kind says otherwise); `place` puts an operand of a ratio in the numerator
    or the denominator; `sign` makes an operand of a sum a subtrahend. `evidence` is None
    for a figure the kind computed rather than read (a table row's sum)."""

    role: str
    interval: Interval | None
    evidence: Evidence | None
    claim_id: int | None = None
    text: str = ""
    sign: int = 1
    place: Literal["num", "den", ""] = ""
    label: str | None = None
    decimals: int = 2  # printed decimals of the figure (the expected value is shown with as many)

    @classmethod
    def of(cls, claim: Claim, role: str, interval: Interval | None = None, *, sign: int = 1,
           place: Literal["num", "den", ""] = "", text: str | None = None) -> "Operand":
        """A claim as an operand: money in 万元 unless another interval is given."""
        from auditor.checks.facts import in_wan

        return cls(role, in_wan(claim) if interval is None else interval, claim.evidence(role), claim.id,
                   claim.quote if text is None else text, sign, place, None, claim.number.decimals)

    @classmethod
    def of_cell(cls, cell: Cell, role: str, interval: Interval | None = None, *, sign: int = 1,
                place: Literal["num", "den", ""] = "", decimals: int = 2) -> "Operand":
        """A table cell that no claim was made of (the table checks read cells directly)."""
        loc = cell.location
        iv = interval if interval is not None else Interval.exact(cell.value or 0)
        return cls(role, iv, Evidence(cell.text, loc.line, loc.page, loc.start, loc.end, role), None, cell.text,
                   sign, place, None, decimals)

    @classmethod
    def labelled(cls, label: str, role: str, evidence: Evidence | None = None, claim_id: int | None = None
                 ) -> "Operand":
        """A printed name (a 科目 name, a year) rather than a number."""
        return cls(role, None, evidence, claim_id, label, label=label)


@dataclass(frozen=True)
class Relation:
    """An identity the printed figures should satisfy, and everything needed to report it.

    `values` are the kind's message placeholders (subject, part, whole …); `stated`,
    `expected` and `arithmetic` are added by the evaluator. The options say how the
    figures are read: `percent` scales a ratio by 100; `signless` accepts a stated figure
    printed without its sign (下降5% printed as 5%); `zero_base` says what a denominator
    that may be zero means (skip: nothing can be said; fails: a rate of a printed zero is
    stated anyway); `boundary` makes a match in one rounding endpoint only a warning;
    `truncation` makes a stated figure that fits only when its digits were cut a warning.
    `expected_text`, `arithmetic` and `severity` override the evaluator's where a kind
    knows better (a code's official name, a score's own tolerance rule)."""

    shape: Shape
    stated: Operand
    operands: tuple[Operand, ...] = ()
    section: tuple[str, ...] = ()
    values: Mapping[str, str] = field(default_factory=dict)
    key: tuple = ()
    weak: str | None = None  # why the kind's reading of the relation is a guess (Chinese)
    derived: bool | None = None  # None: judged from the evidence roles
    percent: bool = False
    signless: bool = False
    show_magnitude: bool = False  # the arithmetic shows |expected| (a change's words carry its sign)
    zero_base: Literal["skip", "fails"] = "skip"
    boundary: bool = False
    truncation: bool = True
    places: int = 2  # decimals of intervals in the arithmetic
    unit: str = ""  # printed after a computed sum (分, 个)
    stated_text: str | None = None  # the stated figure as the flag shows it (a phrase, not just the quote)
    expected_text: str | None = None
    arithmetic: str | None = None
    severity: str | None = None  # None: the verdict's (the rule's own, or warning for a near miss)
    extra: tuple[Evidence, ...] = ()  # evidence that is no operand (the other print of a pair)
    verifies: tuple[int, ...] | None = None  # claim ids the relation checks; None: every operand's

    @property
    def claim_ids(self) -> tuple[int, ...]:
        if self.verifies is not None:
            return self.verifies
        ids = [o.claim_id for o in (self.stated, *self.operands) if o.claim_id is not None]
        return tuple(dict.fromkeys(ids))

    def evidence(self) -> list[Evidence]:
        out = [o.evidence for o in (self.stated, *self.operands) if o.evidence is not None]
        return [*out, *self.extra]


@dataclass(frozen=True)
class Readings:
    """Several readings of one statement (a change rate whose 本年数 may be either of two
    figures): it holds when any reading holds or cannot be decided, and is reported by its
    first reading otherwise. `always` are the claims compared whatever the reading."""

    relations: tuple[Relation, ...]
    always: tuple[int, ...] = ()
