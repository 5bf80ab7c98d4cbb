"""Run the inline test cases of the rule files (sqlfluff/Semgrep style).

Each case is a short text and the exact flags (or claims) it must produce;
`tests/test_rule_cases.py` turns every case into its own pytest test, and
`auditor rules test` runs the same cases from the command line.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from auditor.catalogue import RULES_DIR, Case, load_catalogue


@dataclass(frozen=True)
class RuleCase:
    rule_id: str
    case: Case
    path: str

    @property
    def name(self) -> str:
        return f"{self.rule_id}::{self.case.id}"


def collect_cases(rules_dir: Path | None = None) -> list[RuleCase]:
    cat = load_catalogue(rules_dir)
    out = [RuleCase(r.id, c, r.path) for r in cat.checks for c in r.tests]
    out += [RuleCase(cat.vocabulary.id, c, "") for c in cat.vocabulary.tests]
    out += [RuleCase(r.id, c, "") for r in cat.lexicon_rules for c in r.tests]
    return out


@lru_cache(maxsize=2)
def _auditor(rules_dir: str | None):
    from auditor.audit import Auditor

    return Auditor(load_catalogue(Path(rules_dir) if rules_dir else RULES_DIR))


def run_case(rc: RuleCase, rules_dir: Path | None = None) -> list[str]:
    """Problems with one case; [] when it passes."""
    result = _auditor(str(rules_dir) if rules_dir else None).audit_text(rc.case.text)
    problems: list[str] = []
    if rc.case.expect is not None:
        actual = [f for f in result.flags if f.rule == rc.rule_id and f.severity != "info"]
        for exp in rc.case.expect:
            match = [f for f in actual
                     if (exp.line is None or exp.line in {e.line for e in f.evidence})
                     and (exp.stated is None or f.stated == exp.stated)
                     and (exp.expected is None or f.expected == exp.expected)
                     and (exp.severity is None or f.severity == exp.severity)]
            if not match:
                problems.append(f"expected {exp.model_dump(exclude_none=True)}, got "
                                f"{[(f.stated, f.expected, [e.line for e in f.evidence]) for f in actual]}")
        if len(actual) > len(rc.case.expect):
            problems.append("unexpected flags: " + "; ".join(f.message for f in actual))
    for exp in rc.case.expect_claims or []:
        found = [c for c in result.claims if c.quote == exp.quote]
        if not found:
            problems.append(f"no claim quoted {exp.quote!r}")
            continue
        c = found[0]
        for key in ("kind", "concept", "role", "direction", "denominator", "rate_kind"):
            want = getattr(exp, key)
            if want is not None and getattr(c, key) != want:
                problems.append(f"{exp.quote}: {key} is {getattr(c, key)!r}, expected {want!r}")
    return problems
