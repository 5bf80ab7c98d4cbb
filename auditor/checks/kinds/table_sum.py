"""Sums inside one table: 类 = Σ 款 = Σ 项 by code, 合计 row = Σ top-level rows, and a
合计/小计 column = Σ its sibling columns (the relations of `auditor.table_arith`).

Blank cells, '-' and '—' count as zero; a total that is blank, or whose parts are all blank,
is not checked. A table whose relations mostly fail was misread (`Table.misread`): it gets no
`sum.table` error at all, only the one `table.misread` warning that says so.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterator

from auditor import table_arith
from auditor.checks.facts import FactBase, fmt_interval
from auditor.checks.kind import Kind
from auditor.checks.relation import Operand, Relation
from auditor.interval import interval_sum
from auditor.model import Table
from auditor.rules_model import CheckRule, NoParams
from auditor.table_arith import cell_interval

__all__ = ["KINDS", "cell_interval", "table_sum", "table_misread"]

_MAX_EVIDENCE = 12  # parts cited by name; the rest are summed into one "…" term


def _operand(cell, role: str) -> Operand:
    iv = cell_interval(cell)
    assert iv is not None  # only testable relations are read: every printed part is a number
    return Operand.of_cell(cell, role, iv)


def _sum_relation(rel: table_arith.Relation, table: Table) -> Relation:
    """total = Σ printed parts (blank parts are zeros, left out). Beyond _MAX_EVIDENCE parts the
    rest enter as one computed operand "…", so the flag cites a dozen cells, not a whole column."""
    printed = [p for p in rel.parts if p.value is not None]
    parts = [_operand(p, "part") for p in printed[:_MAX_EVIDENCE]]
    rest = [_operand(p, "part") for p in printed[_MAX_EVIDENCE:]]
    if rest:
        parts.append(Operand("part", interval_sum([o.interval for o in rest if o.interval is not None]),
                             None, text="…"))
    s = rel.sum()
    assert s is not None
    return Relation(
        "sum_equal", _operand(rel.total, "total"), tuple(parts),
        section=table.section, key=(table.location.line, rel.total.location.start),
        values={"what": rel.what, "table": table.title or "表格", "total": rel.total.text, "sum": fmt_interval(s)},
    )


def table_sum(rule: CheckRule, params: NoParams, facts: FactBase) -> Iterator[Relation]:
    """Every testable sum of every table read well (a misread table is table_misread's)."""
    for table in facts.document.tables:
        if table.misread:
            continue
        for rel in table_arith.relations(table):
            if rel.holds() is not None:
                yield _sum_relation(rel, table)


def table_misread(rule: CheckRule, params: NoParams, facts: FactBase) -> Iterator[Relation]:
    """One warning per table whose own sums mostly fail: the reading, not the document, is in
    doubt. Judged by `table_arith.misread_reason` (observed); the first failed total is cited."""
    for table in facts.document.tables:
        if not table.misread:
            continue
        failed = [r for r in table_arith.relations(table) if r.holds() is False]
        cell = failed[0].total if failed else None
        # no figure is stated: the cell is cited, but the flag's `stated` stays empty (no text)
        stated = replace(Operand.of_cell(cell, "total"), text="") if cell is not None else Operand("total", None, None)
        yield Relation(
            "observed", stated, section=table.section, key=(table.location.line, 0),
            values={"table": table.title or "表格", "reason": table.misread,
                    "page": str(table.location.page or ""), "line": str(table.location.line)},
        )


KINDS = (
    Kind("table_sum", table_sum, NoParams, frozenset({"what", "table", "total", "sum"}),
         "Sums inside one table: 类 = Σ 款 = Σ 项 by code, 合计 row and 合计 column."),
    Kind("table_misread", table_misread, NoParams, frozenset({"table", "reason", "page", "line"}),
         "A table whose own sums mostly fail was misread: one warning, no sum errors."),
)
