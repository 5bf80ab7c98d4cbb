"""Run the inline test cases of the rule files (sqlfluff/Semgrep style).

Each case is a short text and the exact flags (or claims) it must produce;
`tests/test_rule_cases.py` turns every case into its own pytest test, and
`auditor rules test` runs the same cases from the command line. A case's flags
are compared with the flags of its own rule (and of any rule its `expect` names),
one to one: a missing flag and an extra flag are both failures. Flags of
severity info are ignored unless an expectation asks for one.

A case with a `todo:` note is a known gap kept as a case (strict xfail): it runs,
and while it fails it is reported as todo, not as a failure; once it passes it
is a failure that says the note can go, so a fixed gap cannot keep its label.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.catalogue import RULES_DIR, Case, CaseFlag, Catalogue, load_catalogue

if TYPE_CHECKING:
    from auditor.audit import Auditor
    from auditor.model import Flag


@dataclass(frozen=True)
class RuleCase:
    rule_id: str
    case: Case
    path: str

    @property
    def name(self) -> str:
        return f"{self.rule_id}::{self.case.id}"


@dataclass
class CaseOutcome:
    """The result of one case: problems in words, and the flags expected and found."""

    case: RuleCase
    problems: list[str] = field(default_factory=list)
    expected: list[str] = field(default_factory=list)
    actual: list[str] = field(default_factory=list)

    @property
    def met(self) -> bool:
        """The text produced exactly what the case expects (its todo aside)."""
        return not self.problems

    @property
    def status(self) -> str:
        """ok, fail; for a todo case: todo (still failing, as noted) or fixed (passes: remove the todo)."""
        if self.case.case.todo is None:
            return "ok" if self.met else "fail"
        return "fixed" if self.met else "todo"

    @property
    def passed(self) -> bool:
        """A case that holds and has no todo note."""
        return self.status == "ok"

    @property
    def failed(self) -> bool:
        """A failure of the suite: a case that does not hold, or a todo case that now holds."""
        return self.status in ("fail", "fixed")

    def failures(self) -> list[str]:
        """Why the case fails the suite, in words; [] when it does not."""
        if self.status == "fixed":
            return [f"此用例已经通过，可以删除 todo（原注明：{self.case.case.todo}）"]
        return self.problems if self.status == "fail" else []

    def diff(self) -> list[str]:
        """expected vs actual flags, one per line ('-' expected only, '+' found only)."""
        if self.expected == self.actual:
            return []
        return [line for line in difflib.ndiff(self.expected, self.actual) if not line.startswith("?")]


def cases_of(cat: Catalogue) -> list[RuleCase]:
    out = [RuleCase(r.id, c, r.path) for r in cat.checks for c in r.tests]
    out += [RuleCase(cat.vocabulary.id, c, cat.sources.get(cat.vocabulary.id, "")) for c in cat.vocabulary.tests]
    out += [RuleCase(r.id, c, cat.sources.get(r.id, "")) for r in cat.lexicon_rules for c in r.tests]
    return out


def collect_cases(rules_dir: Path | None = None, extra_dirs: list[Path] | None = None,
                  paths: list[Path] | None = None, catalogue: Catalogue | None = None) -> list[RuleCase]:
    """Every inline case of the catalogue; with `paths`, only those of rule files under them."""
    cat = catalogue or load_catalogue(rules_dir, extra_dirs)
    out = cases_of(cat)
    if paths:
        roots = [Path(p).resolve() for p in paths]
        out = [rc for rc in out if rc.path and any(_under(Path(rc.path).resolve(), r) for r in roots)]
    return out


def _under(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


@lru_cache(maxsize=2)
def _auditor(rules_dir: str | None):
    from auditor.audit import Auditor

    return Auditor(load_catalogue(Path(rules_dir) if rules_dir else RULES_DIR))


def flag_line(f: "Flag") -> int | None:
    """The line a flag is reported at: its stated evidence, else its first."""
    stated = [e.line for e in f.evidence if e.role == "stated"]
    lines = stated or [e.line for e in f.evidence]
    return lines[0] if lines else None


def show_expect(exp: CaseFlag) -> str:
    return _flow(exp.model_dump(exclude_none=True))


def show_flag(f: "Flag", keys: tuple[str, ...] | None = None, line: int | None = None) -> str:
    """A found flag in the `expect:` notation (pasteable), with only `keys` when given."""
    full = {"rule": f.rule, "line": line if line is not None else flag_line(f), "stated": f.stated,
            "expected": f.expected, "severity": f.severity}
    if keys is None:
        keys = ("rule", "line", "stated", "expected") + (("severity",) if f.severity != "error" else ())
    return _flow({k: full[k] for k in keys if full.get(k) is not None})


def _flow(d: dict) -> str:
    parts = []
    for k, v in d.items():
        parts.append(f"{k}: {v}" if isinstance(v, int) or k == "rule" else f"{k}: {json.dumps(v, ensure_ascii=False)}")
    return "{" + ", ".join(parts) + "}"


def _matches(exp: CaseFlag, f: "Flag") -> bool:
    return (f.rule == exp.rule
            and (exp.line is None or exp.line in {e.line for e in f.evidence})
            and (exp.stated is None or f.stated == exp.stated)
            and (exp.expected is None or f.expected == exp.expected)
            and (exp.severity is None or f.severity == exp.severity))


def check_case(rc: RuleCase, auditor: "Auditor | None" = None, rules_dir: Path | None = None) -> CaseOutcome:
    """Run one case and compare; `auditor` defaults to one over the shipped catalogue."""
    auditor = auditor or _auditor(str(rules_dir) if rules_dir else None)
    result = auditor.audit_text(rc.case.text)
    out = CaseOutcome(rc)
    if rc.case.expect is not None:
        expects = rc.case.expect
        rules = {rc.rule_id} | {e.rule for e in expects}
        want_info = any(e.severity == "info" for e in expects)
        actual = [f for f in result.flags if f.rule in rules and (f.severity != "info" or want_info)]
        free = list(actual)
        for exp in expects:
            out.expected.append(show_expect(exp))
            match = next((f for f in free if _matches(exp, f)), None)
            if match is None:
                out.problems.append(f"缺少期望的标记 {show_expect(exp)}")
                continue
            free.remove(match)
            keys = tuple(k for k in ("rule", "line", "stated", "expected", "severity")
                         if getattr(exp, k) is not None)
            out.actual.append(show_flag(match, keys, line=exp.line))
        for f in free:
            out.actual.append(show_flag(f))
            out.problems.append(f"多出的标记 {show_flag(f)}: {f.message}")
    for exp in rc.case.expect_claims or []:
        found = [c for c in result.claims if c.quote == exp.quote]
        if not found:
            quotes = "、".join(c.quote for c in result.claims) or "（无）"
            out.problems.append(f"没有原文为“{exp.quote}”的数字声明；抽取到的有: {quotes}")
            continue
        c = found[0]
        for key in ("kind", "concept", "role", "direction", "denominator", "rate_kind", "subject",
                    "confidence"):
            want = getattr(exp, key)
            if want is not None and getattr(c, key) != want:
                out.problems.append(f"“{exp.quote}”的 {key} 是 {getattr(c, key)!r}，期望 {want!r}")
        if exp.no_direction and c.direction is not None:
            out.problems.append(f"“{exp.quote}”的 direction 是 {c.direction!r}，期望没有方向（None）")
        if exp.no_concept and c.concept is not None:
            out.problems.append(f"“{exp.quote}”的 concept 是 {c.concept!r}，期望不属于任何概念")
    return out


def run_case(rc: RuleCase, rules_dir: Path | None = None, auditor: "Auditor | None" = None) -> list[str]:
    """Problems with one case; [] when it holds (a todo case too: the caller marks it xfail)."""
    return check_case(rc, auditor, rules_dir).problems
