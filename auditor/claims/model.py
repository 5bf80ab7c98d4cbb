"""Claims: what a printed number asserts, and the sentences they stand in."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from auditor.claims.numbers import Number
from auditor.interval import Interval
from auditor.model import Evidence, Location

ClaimKind = Literal["amount", "change_amount", "change_rate", "share", "rate", "count", "score",
                    "percent", "other"]
Role = Literal["current", "previous", "budget_initial", "budget_full"]


@dataclass
class Claim:
    """One number in its context: the quantity it is about, its role, and where it stands."""

    id: int
    kind: ClaimKind
    number: Number  # offsets of `number` are relative to the sentence
    location: Location  # of the number in the document
    sentence_id: int
    subject: str  # printed subject phrase ('' when none could be found)
    concept: str | None  # lexicon id, or a derived key ('func:公共安全支出/公安/行政运行')
    role: Role = "current"
    direction: int | None = None  # change: +1 up, -1 down, 0 flat; None: not a change
    direction_word: str | None = None
    direction_location: Location | None = None
    denominator: str | None = None  # share: printed denominator; None = implicit (其中 head)
    rate_kind: str | None = None  # execution, completion_initial, completion_full, variance
    head_id: int | None = None  # for a part of a 其中 list: the claim of its total
    section: tuple[str, ...] = ()
    source: Literal["narrative", "table"] = "narrative"
    # whether a check compared the claim is not kept here: the checks leave claims as read and
    # return the ids they compared (DocumentResult.verified_ids)
    # how sure the reading is: "low" when the subject came from a weak rule (a far-away
    # phrase, a guessed scope) or the number sits in a table that fails its own arithmetic.
    # An error may rest only on "high" readings; the reason says which rule was weak.
    confidence: Literal["high", "low"] = "high"
    confidence_reason: str = ""

    @property
    def quote(self) -> str:
        return self.number.text

    @property
    def value(self) -> Decimal:
        return self.number.value

    @property
    def interval(self) -> Interval:
        return self.number.interval

    @property
    def unit(self) -> str | None:
        return self.number.unit

    def evidence(self, role: str = "") -> Evidence:
        return Evidence(self.quote, self.location.line, self.location.page, self.location.start,
                        self.location.end, role)


@dataclass
class Sentence:
    id: int
    text: str
    location: Location
    section: tuple[str, ...]
    claims: list[Claim] = field(default_factory=list)
    qizhong_at: int | None = None  # offset of 其中 in the sentence, if any
