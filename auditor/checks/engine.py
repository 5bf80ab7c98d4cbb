"""Run the catalogue's check rules over one document's fact base.

Each rule names a kind (one module each, read from auditor/checks/kinds, like Vale's
`extends:`); the kind finds the relations in the fact base and the engine evaluates them
(auditor/checks/evaluate.py), so no kind judges rounding itself. A relation that can be
decided counts its claims as compared (verified), a failed one becomes a Flag with the rule's
own message template, so the wording belongs to the rule author. Each rule runs guarded: one
that raises loses only its own results, and every rule leaves one outcome row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from auditor.checks.evaluate import Verdict, evaluate
from auditor.checks.facts import FactBase
from auditor.checks.kind import RULE_TIMEOUT, Kind
from auditor.checks.relation import Readings, Relation
from auditor.checks.validate import check_patterns
from auditor.model import Evidence, Flag
from auditor.rulefile import stress_pattern
from auditor.rules_model import CheckRule


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
    # True when the expected figure is computed from others (a sum, a ratio); None: judged
    # from the evidence roles (parts, a whole, a budget ... are inputs of a computation)
    derived: bool | None = None
    weak: str | None = None  # why the kind's own reading of the relation is a guess (Chinese)



class _SafeDict(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


# evidence roles that are inputs of a computed figure
_INPUT_ROLES = {"part", "whole", "current", "budget", "base", "executed", "weight"}
_MAX_REASONS = 3


def render(rule: CheckRule, finding: Finding, facts: FactBase | None = None) -> Flag:
    values = _SafeDict(finding.values)
    values.setdefault("stated", finding.stated or "")
    values.setdefault("expected", finding.expected or "")
    values.setdefault("arithmetic", finding.arithmetic or "")
    message = f"[{rule.id}] " + rule.message.format_map(values)
    flag = Flag(rule.id, finding.severity or rule.severity, message, finding.evidence,
                finding.stated, finding.expected, finding.arithmetic, finding.section)
    flag.basis = basis(finding, facts)
    reasons = weak_readings(finding, facts)
    if reasons:
        flag.confidence = "low"
        if flag.severity == "error":
            flag.severity = "warning"
            flag.downgraded = "依据的数字读取不确定：" + "；".join(reasons[:_MAX_REASONS]) + (
                f"等{len(reasons)}处" if len(reasons) > _MAX_REASONS else "")
    return flag


def basis(finding: Finding, facts: FactBase | None) -> str:
    """narrative | table_cell | mixed | derived: where the compared figures come from."""
    derived = finding.derived
    if derived is None:
        derived = any(e.role in _INPUT_ROLES for e in finding.evidence)
    if derived:
        return "derived"
    sources = {_source(e, facts) for e in finding.evidence}
    if len(sources) > 1:
        return "mixed"
    return sources.pop() if sources else "narrative"


def _source(ev: Evidence, facts: FactBase | None) -> str:
    if facts is None:
        return "narrative"
    claims = facts.claims_at(ev)
    if claims:
        return "table_cell" if claims[0].source == "table" else "narrative"
    return "table_cell" if facts.table_at(ev.start) is not None else "narrative"


def weak_readings(finding: Finding, facts: FactBase | None) -> list[str]:
    """Why the figures a finding rests on may be misread, one reason per figure (Chinese)."""
    reasons: list[str] = [finding.weak] if finding.weak else []
    if facts is None:
        return reasons
    seen_tables: set[int] = set()
    local = _one_sentence(finding, facts)
    for ev in finding.evidence:
        for c in facts.claims_at(ev):
            if c.confidence == "low" and not local:
                why = c.confidence_reason or "读取规则较弱"
                reasons.append(f"{c.quote}（第{c.location.line}行）{why}")
                break
        table = facts.table_at(ev.start)
        if table is not None and table.misread and id(table) not in seen_tables:
            seen_tables.add(id(table))
            page = table.location.page or ev.page
            where = f"第{page}页" if page else f"第{table.location.line}行"
            reasons.append(f"{ev.quote}所在的表格（{where}）读取可能有误：{table.misread}")
    return list(dict.fromkeys(reasons))


def _one_sentence(finding: Finding, facts: FactBase) -> bool:
    """Every figure of the finding is a narrative claim of one and the same sentence.

    Such a relation is read from the sentence's own grammar (本年数, 增减额 and 增幅 side by
    side; 年初预算为A…支出决算为B，完成年初预算的C): a weakly resolved subject links nothing
    here, so it is no reason to doubt the arithmetic. A misread table still is.
    """
    sentences = set()
    for ev in finding.evidence:
        claims = facts.claims_at(ev)
        if not claims or claims[0].source != "narrative":
            return False
        sentences.add(claims[0].sentence_id)
    return len(sentences) == 1


@dataclass
class RuleOutcome:
    """What one rule made of one document: the row a reader checks before trusting silence.

    status: failed (raised flags), held (compared figures and all agreed), evaluated (ran, but
    found no relation it could decide), errored (the rule itself broke; its results are dropped,
    the other rules' stand). `claims` counts the figures the rule compared, whatever other rules
    did with them; `flags` the failed relations it reported (before --min-severity).
    """

    rule: str
    kind: str
    status: str
    flags: int = 0
    claims: int = 0
    error: str | None = None  # why the rule broke (Chinese), for errored
    patterns: list[str] = field(default_factory=list)  # the rule's patterns at fault ("params.x: …")

    def note(self) -> str:
        """One line for the document's notes (Chinese), naming the rule and its pattern."""
        where = "；".join(self.patterns)
        return (f"[{self.rule}] 规则运行出错，已跳过这条规则（其他规则的结果不受影响）：{self.error}"
                + (f"；正则表达式 {where}" if where else ""))


@dataclass
class Checked:
    """What the checks made of one document: the flags, the claims some relation compared
    (whether it held or not), and one outcome row per rule."""

    flags: list[Flag]
    verified: frozenset[int]
    outcomes: list[RuleOutcome]


def check(facts: FactBase, rules: list[CheckRule], kinds: Mapping[str, Kind]) -> Checked:
    """Every rule over one document. A rule that raises (a catastrophic pattern timing out, a
    kind's bug) loses only its own results; the claims are never changed."""
    flags: list[Flag] = []
    verified: set[int] = set()
    outcomes: list[RuleOutcome] = []
    for rule in rules:
        kind = kinds.get(rule.kind)
        if kind is None:
            raise KeyError(f"{rule.path}: unknown kind {rule.kind}")
        mine, compared, outcome = _run_rule(rule, kind, facts)
        flags += mine
        verified |= compared
        outcomes.append(outcome)
    flags.sort(key=lambda f: (min((e.line for e in f.evidence), default=0), f.rule))
    return Checked(flags, frozenset(verified), outcomes)


def run_checks(facts: FactBase, rules: list[CheckRule], kinds: Mapping[str, Kind],
               outcomes: list[RuleOutcome] | None = None) -> list[Flag]:
    """The flags of `check`, for callers that want only them (with `outcomes`, its rows are
    appended there)."""
    done = check(facts, rules, kinds)
    if outcomes is not None:
        outcomes += done.outcomes
    return done.flags


def _run_rule(rule: CheckRule, kind: Kind, facts: FactBase) -> tuple[list[Flag], set[int], RuleOutcome]:
    """One rule in isolation: its flags, the claim ids its relations compared, its outcome row."""
    flags: list[Flag] = []
    seen: set[tuple] = set()
    compared: set[int] = set()
    try:
        for item in kind.relations(rule, rule.settings, facts):
            for finding in _judge(item, compared):
                key = finding.key or tuple((e.line, e.start) for e in finding.evidence)
                if key in seen:
                    continue
                seen.add(key)
                flags.append(render(rule, finding, facts))
    except MemoryError:
        raise
    except Exception as exc:  # the rule's fault is the rule's: drop its partial work, keep going
        return [], set(), RuleOutcome(rule.id, rule.kind, "errored", error=_describe(exc),
                                      patterns=_culprits(rule, exc))
    status = "failed" if flags else "held" if compared else "evaluated"
    return flags, compared, RuleOutcome(rule.id, rule.kind, status, len(flags), len(compared))


def _judge(item: Relation | Readings, compared: set[int]) -> list[Finding]:
    """The findings of one relation (or set of readings), adding the claims it compared."""
    if isinstance(item, Readings):
        verdicts = [(r, evaluate(r)) for r in item.relations]
        compared.update(item.always)
        if not item.relations:  # figures compared, nothing to decide (Readings((), always=…))
            return []
        if any(not v.failed for _, v in verdicts):
            for r, v in verdicts:
                if v.status == "holds":
                    compared.update(r.claim_ids)
            return []
        r, v = verdicts[0]
        compared.update(r.claim_ids)
        return [finding_of(r, v)]
    verdict = evaluate(item)
    if verdict.status == "undecidable":
        return []
    compared.update(item.claim_ids)
    return [finding_of(item, verdict)] if verdict.failed else []


def finding_of(r: Relation, v: Verdict) -> Finding:
    """A failed relation in the form the rule's message is applied to. A stated operand without
    text (an observed fact that states no figure) gives a flag without `stated`."""
    return Finding(evidence=r.evidence(), values=dict(r.values), severity=v.severity,
                   stated=r.stated_text if r.stated_text is not None else r.stated.text or None,
                   expected=v.expected_text, arithmetic=v.arithmetic, section=r.section, key=r.key,
                   derived=r.derived, weak=r.weak)


def _describe(exc: Exception) -> str:
    if isinstance(exc, TimeoutError):
        return f"正则表达式超过 {RULE_TIMEOUT} 秒未完成（灾难性回溯），TimeoutError"
    return f"{type(exc).__name__}: {exc}"[:500]


def _culprits(rule: CheckRule, exc: Exception) -> list[str]:
    """The rule's patterns to blame: for a timeout, those that also time out on adversarial
    text (else all of them); for another error, all of them (the reader judges)."""
    patterns = check_patterns(rule)
    if isinstance(exc, TimeoutError):
        slow = [(w, p) for w, p in patterns if _times_out(p)]
        patterns = slow or patterns
    return [f"{w}: “{p}”" for w, p in patterns]


_SLOW: dict[str, bool] = {}


def _times_out(pattern: str) -> bool:
    """Whether a pattern times out on adversarial text, remembered for the process (a corpus
    run meets the same bad pattern in every document)."""
    if pattern not in _SLOW:
        _SLOW[pattern] = stress_pattern(pattern, RULE_TIMEOUT) is not None
    return _SLOW[pattern]
