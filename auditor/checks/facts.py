"""The fact base: every claim of a document, indexed the ways the checks ask."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import regex

from auditor.catalogue import Catalogue
from auditor.claims.model import Claim, Sentence
from auditor.claims.numbers import MONEY_UNITS, money_in
from auditor.interval import Interval
from auditor.model import Document

# words around a denominator that do not change what it names
_DENOMINATOR_FILLER = regex.compile(r"本部门|本单位|部门|单位|[（(）)]|总额|合计|总计|的|全部|全年|本年度|当年")


@dataclass
class FactBase:
    document: Document
    sentences: list[Sentence]
    claims: list[Claim]
    catalogue: Catalogue
    by_concept: dict[str, list[Claim]] = field(default_factory=lambda: defaultdict(list))

    def __post_init__(self) -> None:
        for c in self.claims:
            if c.concept and c.kind in ("amount", "count"):
                self.by_concept[c.concept].append(c)
        self._aliases = self.catalogue.alias_table()

    def claim(self, cid: int) -> Claim:
        return self.claims[cid]

    def sentence(self, sid: int) -> Sentence:
        return self.sentences[sid]

    def statements(self, concept: str, role: str = "current") -> list[Claim]:
        return [c for c in self.by_concept.get(concept, []) if c.role == role]

    def value(self, concept: str, role: str = "current") -> tuple[Interval, Claim] | None:
        """The concept's value when every statement of it agrees; None when absent or disputed."""
        stated = [c for c in self.statements(concept, role) if c.kind == "amount"]
        if not stated:
            return None
        first = stated[0]
        iv = in_wan(first)
        for other in stated[1:]:
            if not in_wan(other).overlaps(iv):
                return None
        return iv, first

    def resolve(self, text: str) -> str | None:
        """The concept a printed name refers to, when nothing else is left in the name."""
        for alias, concept in self._aliases:
            if alias in text:
                rest = _DENOMINATOR_FILLER.sub("", text.replace(alias, "", 1))
                if not rest:
                    return concept
                return None
        return None

    def section_concept(self, section: tuple[str, ...]) -> str | None:
        """A heading that names a quantity ('一般公共预算财政拨款支出决算结构情况') gives shares their base."""
        for heading in reversed(section):
            for alias, concept in self._aliases:
                if alias in heading:
                    return concept
        return None


def in_wan(claim: Claim) -> Interval:
    """Money in 万元 (元 and 亿元 converted), any other unit as is."""
    if claim.unit in MONEY_UNITS:
        return money_in(claim.interval, claim.unit or "万元", "万元")
    return claim.interval


def fmt(value: Decimal, places: int = 2) -> str:
    q = Decimal(1).scaleb(-places)
    return f"{value.quantize(q):,}"


def fmt_interval(iv: Interval, places: int = 2) -> str:
    lo, hi = iv.lo.quantize(Decimal(1).scaleb(-places)), iv.hi.quantize(Decimal(1).scaleb(-places))
    return fmt(lo, places) if lo == hi else f"{fmt(lo, places)}～{fmt(hi, places)}"
