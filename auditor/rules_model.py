"""The rule catalogue's data model: what a rule file says once it has been validated.

Kept apart from the loader (auditor/catalogue.py) and from the check kinds so that the kinds,
the fact base and the claim reader can name rules and concepts without importing the loader,
and the loader can validate each kind's parameters without importing itself back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

class RuleError(Exception):
    """A rule file that cannot be used; str() is 'file:line:col: [rule-id] what is wrong'."""

    def __init__(self, path: Path | str, line: int | None, reason: str, column: int | None = None,
                 rule_id: str | None = None):
        self.path, self.line, self.reason = str(path), line, reason
        self.column, self.rule_id = column, rule_id
        super().__init__(self._text())

    def _text(self) -> str:
        where = f"{self.path}:{self.line or 1}" + (f":{self.column}" if self.column else "")
        return f"{where}: " + (f"[{self.rule_id}] " if self.rule_id else "") + self.reason

    def __str__(self) -> str:  # rule_id may be filled in after construction
        return self._text()


class StrictModel(BaseModel):
    """Unknown keys are errors (a typo must not be ignored); validated rules do not change."""

    model_config = ConfigDict(extra="forbid", frozen=True)


_Strict = StrictModel


class Concept(_Strict):
    name: str
    aliases: list[str]
    # names a table row uses for the concept that would be too vague in prose
    # ("政府采购情况/合计", "车辆数合计(辆)"); only matched against table labels
    table_aliases: list[str] = Field(default_factory=list)
    # fund scopes (names from the vocabulary's fund_scopes) the quantity lies in by definition
    # (三公经费 and 机关运行经费 are 一般公共预算财政拨款 figures): printed before the name,
    # such a scope restates it instead of naming another quantity
    own_scope: list[str] = Field(default_factory=list)


class CaseClaim(_Strict):
    quote: str
    kind: str | None = None
    concept: str | None = None
    role: str | None = None
    direction: int | None = None
    denominator: str | None = None
    rate_kind: str | None = None
    subject: str | None = None
    confidence: Literal["high", "low"] | None = None
    no_direction: bool | None = None  # true: the figure must have no direction (None)
    no_concept: bool | None = None  # true: the figure must belong to no lexicon concept


class CaseFlag(_Strict):
    rule: str
    line: int | None = None
    stated: str | None = None
    expected: str | None = None
    severity: str | None = None


class Case(_Strict):
    id: str
    text: str
    expect: list[CaseFlag] | None = None
    expect_claims: list[CaseClaim] | None = None
    # a known gap kept as a case: why it fails today. The case still runs; while it fails it is
    # reported as todo (xfail), and once it passes it fails, so the note cannot outlive the gap
    todo: str | None = None


class LexiconRule(_Strict):
    id: str
    kind: Literal["lexicon"]
    summary: str
    concepts: dict[str, Concept]
    tests: list[Case] = Field(default_factory=list)


class VocabularyRule(_Strict):
    id: str
    kind: Literal["claim_vocabulary"]
    summary: str
    change_up: list[str]
    change_down: list[str]
    change_flat: list[str]
    # template either-or wording (增加（减少）, 增（减）): a change with no direction
    change_either: list[str] = Field(default_factory=list)
    # comparisons with a base that make a money figure a difference (本年数小于上年预算数X万元)
    compare_up: list[str] = Field(default_factory=list)
    compare_down: list[str] = Field(default_factory=list)
    change_context: list[str]
    scope_qualifiers: list[str]
    # fund scopes by name and the words that print them (一般公共预算: 一般公共预算拨款, …):
    # before a 的 they qualify the noun after it (一般公共预算拨款安排的会议费)
    fund_scopes: dict[str, list[str]] = Field(default_factory=dict)
    subject_fillers: list[str]
    elliptical_aliases: list[str]
    share_markers: list[str]
    rate_markers: dict[str, list[str]]
    roles: dict[str, list[str]]
    tests: list[Case] = Field(default_factory=list)


class CheckRule(_Strict):
    id: str
    name: str
    summary: str
    severity: Literal["error", "warning", "info"]
    groups: list[str] = Field(default_factory=list)
    kind: str
    params: dict[str, Any] = Field(default_factory=dict)
    message: str
    tests: list[Case] = Field(default_factory=list)
    path: str = ""
    # the kind's validated Params object (checks/validate.py); not part of the rule file
    settings: Any = Field(default=None, exclude=True, repr=False)


ClaimKindName = Literal["amount", "change_amount", "change_rate", "share", "rate", "count", "score",
                        "percent", "other"]


class NoParams(_Strict):
    """The parameters of a kind that takes none."""


class IdentityItem(_Strict):
    """A named total and the concepts that add up to it (identity, breakdown components)."""

    name: str | None = None
    total: str = Field(json_schema_extra={"concept": True})
    parts: list[str] = Field(min_length=1, json_schema_extra={"concept": True})


def concept_param(**kw: Any) -> Any:
    """A parameter naming lexicon concept ids: each must exist once every lexicon is read."""
    return Field(json_schema_extra={"concept": True}, **kw)


def pattern_param(default: Any = ..., description: str = "", **kw: Any) -> Any:
    """A parameter that is a regular expression (or a list / mapping of them): compiled and timed at load time."""
    if "default_factory" in kw:
        return Field(description=description, json_schema_extra={"regex": True}, **kw)
    return Field(default, description=description, json_schema_extra={"regex": True})


@dataclass
class Catalogue:
    concepts: dict[str, Concept]
    vocabulary: VocabularyRule
    checks: list[CheckRule]
    classification: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    lexicon_rules: list[LexiconRule] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # rule id → the file it came from

    def alias_table(self) -> list[tuple[str, str]]:
        """(alias, concept id), longest alias first so scoped names win."""
        pairs = [(a, cid) for cid, c in self.concepts.items() for a in c.aliases]
        return sorted(pairs, key=lambda p: len(p[0]), reverse=True)

    def rule(self, rule_id: str) -> CheckRule | LexiconRule | VocabularyRule | None:
        for r in [*self.checks, *self.lexicon_rules, self.vocabulary]:
            if r.id == rule_id:
                return r
        return None
