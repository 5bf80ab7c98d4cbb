"""Sums inside one table: 类 = Σ 款 = Σ 项 by code, 合计 row = Σ top-level rows, and a
合计/小计 column = Σ its sibling columns (the relations of `auditor.table_arith`).

Blank cells, '-' and '—' count as zero; a total that is blank, or whose parts are all blank,
is not checked. A table whose relations mostly fail was misread (`Table.misread`): it gets no
`sum.table` error at all, only the one `table.misread` warning that says so.
"""

from __future__ import annotations

from typing import Iterator

from auditor.rules_model import CheckRule
from auditor.checks.engine import Finding
from auditor.checks.facts import FactBase, fmt_interval
from auditor.model import Cell, Evidence, Table
from auditor.table_arith import Relation, cell_interval, relations

__all__ = ["cell_interval", "table_sum", "table_misread"]

_MAX_EVIDENCE = 12


def _evidence(cell: Cell, role: str) -> Evidence:
    loc = cell.location
    return Evidence(cell.text, loc.line, loc.page, loc.start, loc.end, role)


def _finding(rel: Relation, table: Table) -> Finding | None:
    if rel.holds() is not False:
        return None
    s = rel.sum()
    assert s is not None
    printed = [p for p in rel.parts if p.value is not None]
    shown = printed[:_MAX_EVIDENCE]
    return Finding(
        evidence=[_evidence(rel.total, "total"), *[_evidence(p, "part") for p in shown]],
        values={"what": rel.what, "table": table.title or "表格", "total": rel.total.text, "sum": fmt_interval(s)},
        stated=rel.total.text,
        expected=fmt_interval(s),
        arithmetic=" + ".join(p.text for p in shown) + (" + …" if len(shown) < len(printed) else "")
        + f" = {fmt_interval(s)} ≠ {rel.total.text}",
        section=table.section,
        key=(table.location.line, rel.total.location.start),
    )


def table_sum(rule: CheckRule, facts: FactBase) -> Iterator[Finding]:
    for table in facts.document.tables:
        if table.misread:
            continue
        for rel in relations(table):
            f = _finding(rel, table)
            if f:
                yield f


def table_misread(rule: CheckRule, facts: FactBase) -> Iterator[Finding]:
    """One finding per table whose own sums mostly fail: the reading, not the document, is in doubt."""
    for table in facts.document.tables:
        if not table.misread:
            continue
        failed = [r for r in relations(table) if r.holds() is False]
        cells = [failed[0].total] if failed else []
        yield Finding(
            evidence=[_evidence(c, "total") for c in cells],
            values={"table": table.title or "表格", "reason": table.misread,
                    "page": str(table.location.page or ""), "line": str(table.location.line)},
            stated=None,
            expected=None,
            arithmetic=None,
            section=table.section,
            key=(table.location.line, 0),
        )
