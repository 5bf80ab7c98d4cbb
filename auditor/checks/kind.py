"""A check kind: the code a rule names in `kind:`, with the parameters and placeholders it offers.

A kind module exports `relations(rule, params, facts)` (the relations it finds, which the
engine evaluates), `Params` (a pydantic model of its `params:`; none means no parameters) and
`PLACEHOLDERS` (the names its relations put into `values`, for the rule's message). The
registry (auditor/checks/kinds/__init__.py) builds a `Kind` from each module of the package,
so a new kind is one module plus the rule file that uses it; a module that serves several
kinds lists them in `KINDS` instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable

from pydantic import BaseModel

from auditor.checks.relation import Readings, Relation
from auditor.rules_model import CheckRule, NoParams

if TYPE_CHECKING:
    from auditor.checks.facts import FactBase

RelationsFn = Callable[[CheckRule, Any, "FactBase"], Iterable[Relation | Readings]]

# seconds a pattern taken from a rule file may run on one text (rule files are untrusted)
RULE_TIMEOUT = 0.5

# what the engine adds to every kind's placeholders
COMMON_PLACEHOLDERS = frozenset({"stated", "expected", "arithmetic"})


@dataclass(frozen=True)
class Kind:
    name: str
    relations: RelationsFn
    params: type[BaseModel] = NoParams
    placeholders: frozenset[str] = field(default_factory=frozenset)
    summary: str = ""  # first line of the module's docstring, for `auditor rules explain`

    @property
    def message_fields(self) -> frozenset[str]:
        """Every placeholder a rule's message may use."""
        return self.placeholders | COMMON_PLACEHOLDERS
