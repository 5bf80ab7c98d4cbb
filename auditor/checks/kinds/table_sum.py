"""Sums inside one table: 类 = Σ 款 = Σ 项 by code, 合计 row = Σ top-level rows, and a
合计/小计 column = Σ its sibling columns.

Blank cells, '-' and '—' count as zero; a total that is blank is not checked.
Column sums are only checked where the header is flat (the siblings are leaves):
a header whose grouping the extractor had to guess proves nothing.
"""

from __future__ import annotations

from typing import Iterator

import regex

from auditor.catalogue import CheckRule
from auditor.checks.engine import Finding
from auditor.checks.facts import FactBase, fmt_interval
from auditor.interval import Interval, interval_sum
from auditor.model import Cell, Evidence, Table, TableRow

_TOTAL_ROW = regex.compile(r"^(合计|总计|本年合计)$")
_TOTAL_COL = regex.compile(r"(合计|小计|总计)$")
_SKIP_COL = regex.compile(r"行次|栏次|科目代码|科目编码|代码|编码|科目名称|项目$|名称|执行率|占比|比例|%")
_MAX_EVIDENCE = 12


def cell_interval(cell: Cell) -> Interval | None:
    """A printed cell as an interval; blank or dash as exact zero; None when it is not a number."""
    text = cell.text.strip()
    if cell.value is None:
        return Interval.exact(0) if text in ("", "-", "—", "－", "/", "　", "--") else None
    if text.endswith("%"):
        return None
    decimals = len(text.replace(",", "").partition(".")[2].rstrip("%"))
    return Interval.rounded(cell.value, decimals)


def _evidence(cell: Cell, role: str) -> Evidence:
    loc = cell.location
    return Evidence(cell.text, loc.line, loc.page, loc.start, loc.end, role)


def _numeric_columns(table: Table) -> list[int]:
    cols = []
    for j, name in enumerate(table.columns):
        if _SKIP_COL.search(name):
            continue
        if any(j < len(r.cells) and r.cells[j].value is not None for r in table.rows):
            cols.append(j)
    return cols


def _check(total: Cell, parts: list[Cell], what: str, table: Table) -> Finding | None:
    t = cell_interval(total)
    if t is None or total.value is None:
        return None
    ivs = [cell_interval(p) for p in parts]
    if any(iv is None for iv in ivs):
        return None
    s = interval_sum([iv for iv in ivs if iv is not None])
    if s.overlaps(t):
        return None
    shown = [p for p in parts if p.value is not None][:_MAX_EVIDENCE]
    return Finding(
        evidence=[_evidence(total, "total"), *[_evidence(p, "part") for p in shown]],
        values={"what": what, "table": table.title or "表格", "total": total.text, "sum": fmt_interval(s)},
        stated=total.text,
        expected=fmt_interval(s),
        arithmetic=" + ".join(p.text for p in shown) + (" + …" if len(shown) < len([p for p in parts if p.value is not None]) else "")
        + f" = {fmt_interval(s)} ≠ {total.text}",
        section=table.section,
        key=(table.location.line, total.location.start),
    )


def _code_rows(table: Table) -> list[TableRow]:
    return [r for r in table.rows if r.code and r.code.isdigit() and len(r.code) in (3, 5, 7)]


def table_sum(rule: CheckRule, facts: FactBase) -> Iterator[Finding]:
    for table in facts.document.tables:
        cols = _numeric_columns(table)
        side_by_side = sum(1 for c in table.columns if regex.search(r"代码|编码", c)) > 1
        coded = [] if side_by_side else _code_rows(table)  # 人员经费 | 公用经费 blocks side by side
        if len({r.code for r in coded}) != len(coded):
            coded = []  # one code on several rows (projects under one 项): not a hierarchy
        for j in cols:
            # 类 = Σ 款, 款 = Σ 项
            for parent in coded:
                if len(parent.code) == 7:
                    continue
                kids = [r for r in coded if len(r.code) == len(parent.code) + 2
                        and r.code.startswith(parent.code)]
                if kids and j < len(parent.cells):
                    f = _check(parent.cells[j], [k.cells[j] for k in kids if j < len(k.cells)],
                               f"{parent.code} {parent.label}", table)
                    if f:
                        yield f
            # 合计 row = Σ top-level coded rows
            if coded:
                shortest = min(len(r.code) for r in coded)
                top = [r for r in coded if len(r.code) == shortest]
                consistent = all(any(r.code.startswith(t.code) for t in top) for r in coded)
                for row in table.rows:
                    if _TOTAL_ROW.match(row.label) and not row.code and consistent and j < len(row.cells):
                        f = _check(row.cells[j], [t.cells[j] for t in top if j < len(t.cells)],
                                   f"{row.label}行", table)
                        if f:
                            yield f
        yield from _column_sums(table, cols)


def _column_sums(table: Table, cols: list[int]) -> Iterator[Finding]:
    names = table.columns
    if len(set(names)) != len(names):
        return
    for j in cols:
        name = names[j]
        if not _TOTAL_COL.search(name.rsplit("/", 1)[-1]):
            continue
        parent = name.rsplit("/", 1)[0] if "/" in name else ""
        depth = name.count("/")
        siblings = [k for k in cols if k != j and names[k].count("/") == depth
                    and (names[k].rsplit("/", 1)[0] if "/" in names[k] else "") == parent
                    and not names[k].rsplit("/", 1)[-1].startswith("其中")]
        deeper = [k for k in cols if names[k].count("/") > depth and names[k].startswith(parent)]
        if len(siblings) < 2 or deeper:
            continue
        for row in table.rows:
            if j >= len(row.cells) or any(k >= len(row.cells) for k in siblings):
                continue
            f = _check(row.cells[j], [row.cells[k] for k in siblings], f"{row.label}行{name}", table)
            if f:
                yield f

