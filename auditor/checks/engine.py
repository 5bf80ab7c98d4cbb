"""Evaluate the catalogue's check rules over one document's fact base.

Each rule names a kind (a closed set, one small module each, like Vale's
`extends:`); the kind finds the relations in the fact base, evaluates them with
interval arithmetic, marks the claims it used as verified, and reports each
failed relation as a Finding. The engine turns findings into Flags with the
rule's own message template, so the wording belongs to the rule author.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

from auditor.catalogue import CheckRule
from auditor.checks.facts import FactBase
from auditor.model import Evidence, Flag


@dataclass
class Finding:
    """A failed relation, before the rule's message is applied."""

    evidence: list[Evidence]
    values: dict[str, str]  # placeholders for the message: stated, expected, subject, ...
    severity: str | None = None  # None: the rule's own severity
    stated: str | None = None
    expected: str | None = None
    arithmetic: str | None = None
    section: tuple[str, ...] = ()
    key: tuple = field(default_factory=tuple)  # identity of the relation, to report it once


# seconds a pattern taken from a rule file may run on one text (rule files are untrusted)
RULE_TIMEOUT = 0.5

KindFn = Callable[[CheckRule, FactBase], Iterable[Finding]]


class _SafeDict(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(rule: CheckRule, finding: Finding) -> Flag:
    values = _SafeDict(finding.values)
    values.setdefault("stated", finding.stated or "")
    values.setdefault("expected", finding.expected or "")
    values.setdefault("arithmetic", finding.arithmetic or "")
    message = f"[{rule.id}] " + rule.message.format_map(values)
    return Flag(rule.id, finding.severity or rule.severity, message, finding.evidence,
                finding.stated, finding.expected, finding.arithmetic, finding.section)


def run_checks(facts: FactBase, rules: list[CheckRule], kinds: dict[str, KindFn]) -> list[Flag]:
    flags: list[Flag] = []
    for rule in rules:
        fn = kinds.get(rule.kind)
        if fn is None:
            raise KeyError(f"{rule.path}: unknown kind {rule.kind}")
        seen: set[tuple] = set()
        for finding in fn(rule, facts):
            key = finding.key or tuple((e.line, e.start) for e in finding.evidence)
            if key in seen:
                continue
            seen.add(key)
            flags.append(render(rule, finding))
    flags.sort(key=lambda f: (min((e.line for e in f.evidence), default=0), f.rule))
    return flags
