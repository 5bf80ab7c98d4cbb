"""Self-evaluation fund tables: 执行率 = 全年执行数 ÷ 全年预算数 on each row, and the
row's 得分 against its 分值 and 执行率.

Scoring rules differ by region (DESIGN.md §4a): 分值 × 执行率, or
(执行率 − 60%) ÷ 40% × 分值 with nothing below 60%, capped at 分值. A score that fits
either rule holds; one that fits only when 分值 × 执行率 is truncated, or fits neither
(the document states no rule), is a warning.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Iterator

import regex

from auditor.rules_model import CheckRule
from auditor.checks.engine import RULE_TIMEOUT, Finding
from auditor.checks.facts import FactBase, fmt, fmt_interval
from auditor.checks.kinds.table_sum import cell_interval
from auditor.interval import Interval
from auditor.model import Cell, Evidence, Table
from pydantic import Field

from auditor.rules_model import StrictModel, pattern_param


class TableRateParams(StrictModel):
    budget: str = pattern_param(description="全年预算数列名")
    executed: str = pattern_param(description="全年执行数列名")
    rate: str = pattern_param(description="执行率列名")
    weight: str = pattern_param(description="分值列名")
    score: str = pattern_param(description="得分列名")
    score_rules: list[str] | None = None

_HUNDRED = Decimal(100)


def _col(table: Table, pattern: regex.Pattern[str], seen: dict[tuple[str, str], bool] | None = None) -> int | None:
    """The first column whose leaf name the pattern finds; `seen` remembers (pattern, leaf) answers across tables."""
    for j, name in enumerate(table.columns):
        leaf = name.rsplit("/", 1)[-1]
        if seen is None:
            hit = pattern.search(leaf, timeout=RULE_TIMEOUT) is not None
        else:
            hit = seen.get((pattern.pattern, leaf))
            if hit is None:
                hit = seen[(pattern.pattern, leaf)] = pattern.search(leaf, timeout=RULE_TIMEOUT) is not None
        if hit:
            return j
    return None


def _pct(cell: Cell) -> Interval | None:
    text = cell.text.strip()
    if cell.value is None or not text.endswith("%"):
        return None
    decimals = len(text.rstrip("%").partition(".")[2])
    return Interval.rounded(cell.value, decimals)


def _ev(cell: Cell, role: str) -> Evidence:
    return Evidence(cell.text, cell.location.line, cell.location.page, cell.location.start,
                    cell.location.end, role)


def table_rate(rule: CheckRule, facts: FactBase) -> Iterator[Finding]:
    p = rule.params
    patterns: dict[str, regex.Pattern[str]] | None = None  # compiled at the first table, once per document
    seen: dict[tuple[str, str], bool] = {}  # column names repeat from table to table
    for table in facts.document.tables:
        if table.misread:
            continue  # its figures were probably misread (table.misread says so once): no finding rests on them
        if patterns is None:
            patterns = {k: regex.compile(p[k]) for k in ("budget", "executed", "rate", "weight", "score")}
        cols = {k: _col(table, pat, seen) for k, pat in patterns.items()}
        if cols["budget"] is None or cols["executed"] is None or cols["rate"] is None:
            continue
        for row in table.rows:
            cells = row.cells
            if max(c for c in cols.values() if c is not None) >= len(cells):
                continue
            budget, executed, rate = (cells[cols[k]] for k in ("budget", "executed", "rate"))
            r = _pct(rate)
            b, e = cell_interval(budget), cell_interval(executed)
            if r is None or b is None or e is None or budget.value is None or b.lo <= 0:
                continue
            expected = e / b
            if expected is None:
                continue
            expected = expected.scale(_HUNDRED)
            if not r.overlaps(expected):
                yield Finding(
                    evidence=[_ev(rate, "stated"), _ev(executed, "current"), _ev(budget, "budget")],
                    values={"subject": row.label, "table": table.title or ""},
                    stated=rate.text,
                    expected=fmt(executed.value / budget.value * _HUNDRED) + "%",
                    arithmetic=f"{executed.text} ÷ {budget.text} = {fmt_interval(expected)}%",
                    section=table.section,
                    key=(rate.location.start,),
                )
                continue
            if cols["weight"] is not None and cols["score"] is not None:
                finding = _score(rule, table, row.label, cells[cols["weight"]], rate, cells[cols["score"]])
                if finding:
                    yield finding


def _score(rule: CheckRule, table: Table, label: str, weight: Cell, rate: Cell, score: Cell) -> Finding | None:
    r, s = _pct(rate), cell_interval(score)
    if r is None or s is None or weight.value is None or score.value is None:
        return None
    w = Interval.exact(weight.value)  # a weight is set, not measured: 10 means exactly 10
    frac = r.scale(Decimal("0.01"))
    candidates = {
        "proportional": w * frac,
        "above_60": (frac - Interval.exact(Decimal("0.6"))).scale(Decimal("2.5")) * w,
    }
    fits = []
    for name, iv in candidates.items():
        iv = Interval(max(iv.lo, Decimal(0)), min(iv.hi, w.hi))
        if name == "above_60" and r.hi < 60:
            iv = Interval.exact(0)
        if s.overlaps(iv):
            fits.append(name)
    if fits:
        return None
    point = weight.value * rate.value / _HUNDRED
    truncated = Interval.truncated(score.value, len(score.text.partition(".")[2]))
    by_truncation = truncated.overlaps(Interval(w.lo * frac.lo, w.hi * frac.hi))
    reason = "仅在截断（非四舍五入）时成立" if by_truncation else "与常见评分规则均不符（文件未载明评分规则）"
    return Finding(
        evidence=[_ev(score, "stated"), _ev(weight, "weight"), _ev(rate, "rate")],
        values={"subject": label, "table": table.title or "", "reason": reason},
        severity="warning",
        stated=score.text,
        expected=fmt(point),
        arithmetic=f"{weight.text} × {rate.text} = {fmt(point, 3)}；{reason}",
        section=table.section,
        key=(score.location.start,),
    )
