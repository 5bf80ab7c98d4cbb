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
from auditor.checks.kind import RULE_TIMEOUT
from auditor.checks.evaluate import evaluate
from auditor.checks.facts import FactBase, fmt
from auditor.checks.relation import Operand, Relation
from auditor.checks.kinds.table_sum import cell_interval
from auditor.interval import Interval
from auditor.model import Cell, Table
from pydantic import Field

from auditor.rules_model import StrictModel, pattern_param


class Params(StrictModel):
    budget: str = pattern_param(description="全年预算数列名")
    executed: str = pattern_param(description="全年执行数列名")
    rate: str = pattern_param(description="执行率列名")
    weight: str = pattern_param(description="分值列名")
    score: str = pattern_param(description="得分列名")
    score_rules: list[str] | None = None

PLACEHOLDERS = {"subject", "table", "reason"}
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


def relations(rule: CheckRule, params: Params, facts: FactBase) -> Iterator[Relation]:
    """Each row's 执行率 = 全年执行数 ÷ 全年预算数 × 100, read from the cells; the row's 得分 is
    judged only when its 执行率 holds (a wrong rate is the one flag of the row)."""
    patterns: dict[str, regex.Pattern[str]] | None = None  # compiled at the first table, once per document
    seen: dict[tuple[str, str], bool] = {}  # column names repeat from table to table
    for table in facts.document.tables:
        if table.misread:
            continue  # its figures were probably misread (table.misread says so once): no finding rests on them
        if patterns is None:
            patterns = {k: regex.compile(getattr(params, k)) for k in ("budget", "executed", "rate", "weight", "score")}
        cols = {k: _col(table, pat, seen) for k, pat in patterns.items()}
        if cols["budget"] is None or cols["executed"] is None or cols["rate"] is None:
            continue
        for row in table.rows:
            cells = row.cells
            if max(c for c in cols.values() if c is not None) >= len(cells):
                continue
            rel = _rate(table, row.label, *(cells[cols[k]] for k in ("budget", "executed", "rate")))
            if rel is None:
                continue
            yield rel
            if evaluate(rel).status != "holds":
                continue  # the rate's flag (or nothing decidable): the score is not judged against it
            if cols["weight"] is not None and cols["score"] is not None:
                found = _score(table, row.label, cells[cols["weight"]], cells[cols["rate"]], cells[cols["score"]])
                if found is not None:
                    yield found


def _rate(table: Table, label: str, budget: Cell, executed: Cell, rate: Cell) -> Relation | None:
    """执行率 = 执行数 ÷ 预算数 × 100 of one row, or None when a cell is no figure or the budget is not positive."""
    r = _pct(rate)
    b, e = cell_interval(budget), cell_interval(executed)
    if r is None or b is None or e is None or budget.value is None or b.lo <= 0:
        return None
    return Relation(
        "ratio_equal", Operand.of_cell(rate, "stated", r, decimals=_decimals(rate)),
        (Operand.of_cell(executed, "current", e, place="num"), Operand.of_cell(budget, "budget", b, place="den")),
        section=table.section, key=(rate.location.start,), percent=True, truncation=False,
        values={"subject": label, "table": table.title or ""},
        # the expected rate from the printed figures, always with two decimals (a blank 执行数 is 0)
        expected_text=fmt((executed.value or Decimal(0)) / budget.value * _HUNDRED) + "%",
    )


def _decimals(cell: Cell) -> int:
    return len(cell.text.strip().rstrip("%").partition(".")[2])


def _score(table: Table, label: str, weight: Cell, rate: Cell, score: Cell) -> Relation | None:
    """A score that fits neither scoring rule, as an observed (always failing) relation: the
    kind judges it by two candidate rules and a tolerance no evaluator shape has."""
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
    return Relation(
        "observed", Operand.of_cell(score, "stated", s),
        (Operand.of_cell(weight, "weight", w), Operand.of_cell(rate, "rate", r)),
        section=table.section, key=(score.location.start,), severity="warning",
        values={"subject": label, "table": table.title or "", "reason": reason},
        expected_text=fmt(point), arithmetic=f"{weight.text} × {rate.text} = {fmt(point, 3)}；{reason}",
    )
