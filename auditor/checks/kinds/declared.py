"""A relation stated in the rule file: stated = Σ operands (or ≤, or a ratio), over named concepts.

A rule author who knows a new identity between lexicon quantities (本年支出 = 基本支出 +
项目支出) writes it in YAML alone: the shape, the stated concept and the operand concepts.
Like `identity`, the relation is judged only when every figure is stated and each is stated
consistently (a disputed figure is the `agree` rule's business), so the rule says nothing
about documents that leave a figure out. A percentage is read from a 占X% printed with the
stated concept that names its denominator in words (占本年支出的X%), so a share of some
other whole is never taken for this ratio.
"""

from __future__ import annotations

from typing import Any, Iterator, Literal

from pydantic import ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from auditor.checks.evaluate import signed_sum, terms_text
from auditor.checks.facts import FactBase, fmt_interval, in_wan
from auditor.checks.relation import Operand, Relation
from auditor.claims.model import Claim
from auditor.interval import Interval
from auditor.rules_model import CheckRule, StrictModel, concept_param

NAME = "relation"

Figure = tuple[Interval, Claim]
_SUMS = ("sum_equal", "sum_at_most")


def _wrong(message: str) -> PydanticCustomError:
    """A shape mistake, reported by the loader at the field's own line (Chinese)."""
    return PydanticCustomError("relation_shape", message)


class Params(StrictModel):
    """Which identity (`shape`) holds between which concepts; the fields a shape does not use
    must be left out, so a rule never says more than it checks."""

    shape: Literal["equal", "sum_equal", "sum_at_most", "ratio_equal"]
    name: str | None = None
    stated: str = concept_param()
    percent: bool = False  # before the lists: the denominator's check reads it
    operands: list[str] | None = concept_param(default=None, validate_default=True)
    subtract: list[str] | None = concept_param(default=None, validate_default=True)
    numerator: list[str] | None = concept_param(default=None, validate_default=True)
    denominator: list[str] | None = concept_param(default=None, validate_default=True)
    unit: str = ""
    places: int = 2

    @field_validator("operands")
    @classmethod
    def _operands_fit(cls, value: list[str] | None, info: ValidationInfo) -> list[str] | None:
        shape = info.data.get("shape")
        if shape is None:  # the shape itself is wrong: that is the error to report
            return value
        if shape == "ratio_equal":
            if value is not None:
                raise _wrong("shape 为 ratio_equal 时不用 operands，请写 numerator（分子）和 denominator（分母）")
            return value
        if not value:
            raise _wrong(f"shape 为 {shape} 时须写 operands（至少一个概念 id）")
        if shape == "equal" and len(value) != 1:
            raise _wrong("shape 为 equal 时 operands 只能有一个概念；几项之和请用 sum_equal")
        _distinct(value, info.data.get("stated"), "operands")
        return value

    @field_validator("subtract")
    @classmethod
    def _subtract_fits(cls, value: list[str] | None, info: ValidationInfo) -> list[str] | None:
        if value is None:
            return value
        shape = info.data.get("shape")
        if shape is not None and shape not in _SUMS:
            raise _wrong(f"subtract（减项）只用于 sum_equal 和 sum_at_most，shape 为 {shape} 时不能写")
        if not value:
            raise _wrong("subtract 不能为空列表；没有减项时请删去这一行")
        _distinct([*(info.data.get("operands") or []), *value], info.data.get("stated"), "subtract")
        return value

    @field_validator("numerator", "denominator")
    @classmethod
    def _ratio_fits(cls, value: list[str] | None, info: ValidationInfo) -> list[str] | None:
        shape = info.data.get("shape")
        if shape is None:
            return value
        if shape != "ratio_equal":
            if value is not None:
                raise _wrong(f"{info.field_name} 只用于 ratio_equal；shape 为 {shape} 时请写 operands")
            return value
        if not value:
            raise _wrong(f"shape 为 ratio_equal 时须写 {info.field_name}（至少一个概念 id）")
        if info.field_name == "denominator" and info.data.get("percent") and len(value) != 1:
            raise _wrong("percent 为 true 时 denominator 只能有一个概念：占比须在文中写明分母（占本年支出的X%），"
                         "几项之和不是写得出的分母")
        # a percentage is a 占X% of its own, so its concept may well be the numerator's
        _distinct(value, None if info.data.get("percent") else info.data.get("stated"), info.field_name)
        return value

    @field_validator("percent")
    @classmethod
    def _percent_fits(cls, value: bool, info: ValidationInfo) -> bool:
        if value and info.data.get("shape") not in (None, "ratio_equal"):
            raise _wrong("percent 只用于 ratio_equal")
        return value

    @field_validator("places")
    @classmethod
    def _places_fit(cls, value: int) -> int:
        if not 0 <= value <= 6:
            raise _wrong(f"places（算式中的小数位数）应在 0 到 6 之间，实际是 {value}")
        return value


def _distinct(ids: list[str], stated: Any, field: str) -> None:
    """A concept counted twice, or the stated figure among its own operands, is a typo."""
    seen: set[str] = set()
    for cid in ids:
        if cid == stated:
            raise _wrong(f"{field} 中的“{cid}”就是 stated 本身")
        if cid in seen:
            raise _wrong(f"{field} 中的“{cid}”写了两次")
        seen.add(cid)


PLACEHOLDERS = {"subject", "name", "sum", "operands"}


def relations(rule: CheckRule, params: Params, facts: FactBase) -> Iterator[Relation]:
    """The rule's one relation, when every figure it names is stated, each consistently."""
    if params.shape == "ratio_equal":
        found = _ratio(params, facts)
    else:
        found = _sum(params, facts)
    if found is not None:
        yield found


def _sum(params: Params, facts: FactBase) -> Relation | None:
    stated = facts.value(params.stated)
    plus = [facts.value(c) for c in params.operands or ()]
    minus = [facts.value(c) for c in params.subtract or ()]
    if stated is None or any(f is None for f in (*plus, *minus)):
        return None
    equal = params.shape == "equal"
    role, part = ("stated", "link") if equal else ("total", "part")
    ops = tuple([Operand.of(c, part, iv) for iv, c in _all(plus)]
                + [Operand.of(c, part, iv, sign=-1) for iv, c in _all(minus)])
    return _relation(params, facts, stated, role, ops, not equal)


def _ratio(params: Params, facts: FactBase) -> Relation | None:
    num = [facts.value(c) for c in params.numerator or ()]
    den = [facts.value(c) for c in params.denominator or ()]
    if any(f is None for f in (*num, *den)):
        return None
    if params.percent:
        stated = _share(facts, params.stated, (params.denominator or [""])[0])
    else:
        stated = facts.value(params.stated)
    if stated is None:
        return None
    n_ops = [Operand.of(c, "part", iv, place="num") for iv, c in _all(num)]
    d_ops = [Operand.of(c, "whole", iv, place="den") for iv, c in _all(den)]
    return _relation(params, facts, stated, "stated", (*n_ops, *d_ops), True)


def _names(params: Params, facts: FactBase) -> str:
    """The operands by their concepts' names (基本支出 + 项目支出; 基本支出 ÷ 本年支出合计)."""
    def name(cid: str, sign: int = 1) -> Operand:
        concept = facts.catalogue.concepts.get(cid)
        return Operand("", None, None, text=concept.name if concept else cid, sign=sign)

    if params.shape == "ratio_equal":
        num = [name(c) for c in params.numerator or ()]
        den = [name(c) for c in params.denominator or ()]
        return f"{terms_text(num)} ÷ {terms_text(den, True)}"
    return terms_text([*(name(c) for c in params.operands or ()), *(name(c, -1) for c in params.subtract or ())])


def _relation(params: Params, facts: FactBase, stated: Figure, role: str, ops: tuple[Operand, ...],
              derived: bool) -> Relation:
    iv, claim = stated
    concept = facts.catalogue.concepts.get(params.stated)
    subject = claim.subject or (concept.name if concept else "")
    added = [o for o in ops if o.place != "den"]
    return Relation(
        params.shape, Operand.of(claim, role, iv), ops, section=claim.section,
        key=(params.shape, params.stated), derived=derived, percent=params.percent,
        places=params.places, unit=params.unit,
        values={"subject": subject, "name": params.name or (concept.name if concept else subject),
                "sum": fmt_interval(signed_sum(added), params.places), "operands": _names(params, facts)},
    )


def _all(found: list[Figure | None]) -> list[Figure]:
    return [f for f in found if f is not None]


def _share(facts: FactBase, concept: str, whole: str) -> Figure | None:
    """The percentage printed with `concept` whose denominator is written out and names
    `whole` (占本年支出的80.00%), when every such print agrees; None when absent or disputed."""
    shares = [c for c in facts.claims
              if c.kind == "share" and c.concept == concept and c.role == "current" and c.denominator
              and facts.resolve(c.denominator) == whole and facts.doubt(c) is None]
    if not shares:
        return None
    iv = in_wan(shares[0])
    if any(not in_wan(c).overlaps(iv) for c in shares[1:]):
        return None
    return iv, shares[0]
