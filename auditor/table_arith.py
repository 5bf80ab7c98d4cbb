"""A table's own arithmetic: the sums it must hold, and whether it was read at all correctly.

The relations (DESIGN.md §3):
- by classification code: 类 (3 digits) = Σ 款 (5) = Σ 项 (7); economic 302 = Σ 302xx;
- a 合计 row = Σ the top-level coded rows;
- a 合计/小计 column = Σ its sibling columns (only under a flat header: a grouping the
  extractor had to guess proves nothing).

Blank cells and dashes count as zero, but a relation whose parts are all blank is not a
relation that was read (the parts sit in another column, outside the grid, on another page):
it is not tested. `sum.table` raises an error on each relation that fails; before that,
`misread_reason` asks whether most relations fail, which means the table was misread (columns
shifted, codes read as amounts, two tables run together), and then no error may rest on it.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from auditor.interval import Interval, interval_sum
from auditor.model import Cell, Table, TableRow

TOTAL_ROW = regex.compile(r"^(合计|总计|本年合计)$")
_TOTAL_COL = regex.compile(r"(合计|小计|总计)$")
_SKIP_COL = regex.compile(r"行次|栏次|科目代码|科目编码|代码|编码|科目名称|项目$|名称|执行率|占比|比例|%|^(类|款|项)$")
_CODE_HDR = regex.compile(r"代码|编码")
_DASHES = ("", "-", "—", "－", "/", "　", "--")

# A table is misread when more than this share of its testable relations fail, and at
# least MIN_FAILED do: one wrong figure breaks one relation (two with a column total), and
# that is a finding, not a misreading.
MISREAD_SHARE = 0.5
MIN_FAILED = 2


def cell_interval(cell: Cell) -> Interval | None:
    """A printed cell as an interval; blank or dash as exact zero; None when it is not a number."""
    text = cell.text.strip()
    if cell.value is None:
        return Interval.exact(0) if text in _DASHES else None
    if text.endswith("%"):
        return None
    decimals = len(text.replace(",", "").partition(".")[2].rstrip("%"))
    return Interval.rounded(cell.value, decimals)


@dataclass(frozen=True)
class Relation:
    """total = Σ parts, as printed in one table."""

    kind: str  # code | total_row | total_column
    what: str  # which row / column, in words
    total: Cell
    parts: tuple[Cell, ...]

    def sum(self) -> Interval | None:
        ivs = [cell_interval(p) for p in self.parts]
        if any(iv is None for iv in ivs):
            return None
        return interval_sum([iv for iv in ivs if iv is not None])

    def holds(self) -> bool | None:
        """True/False, or None when the relation cannot be tested (a blank total, a part that is
        not a number, or no part printed at all)."""
        t = cell_interval(self.total)
        if t is None or self.total.value is None:
            return None
        if not any(p.value is not None for p in self.parts):
            return None
        s = self.sum()
        if s is None:
            return None
        return s.overlaps(t)


def numeric_columns(table: Table) -> list[int]:
    cols = []
    for j, name in enumerate(table.columns):
        if _SKIP_COL.search(name.rsplit("/", 1)[-1]) or _SKIP_COL.search(name):
            continue
        if any(j < len(r.cells) and r.cells[j].value is not None for r in table.rows):
            cols.append(j)
    return cols


def _code_rows(table: Table) -> list[TableRow]:
    return [r for r in table.rows if r.code and r.code.isdigit() and len(r.code) in (3, 5, 7)]


def _hierarchy(table: Table) -> list[TableRow]:
    """The coded rows when they form one classification tree, else none."""
    side_by_side = sum(1 for c in table.columns if _CODE_HDR.search(c.rsplit("/", 1)[-1]) or
                       c.rsplit("/", 1)[-1] == "类") > 1
    if side_by_side:
        return []  # 人员经费 | 公用经费 blocks side by side: two trees on one row
    coded = _code_rows(table)
    if len({r.code for r in coded}) != len(coded):
        return []  # one code on several rows (projects under one 项): not a hierarchy
    return coded


def relations(table: Table) -> list[Relation]:
    """Every sum the table states, whether or not it can be tested."""
    cols = numeric_columns(table)
    coded = _hierarchy(table)
    out: list[Relation] = []
    for j in cols:
        for parent in coded:
            if len(parent.code) == 7 or j >= len(parent.cells):
                continue
            kids = [r for r in coded if len(r.code) == len(parent.code) + 2 and r.code.startswith(parent.code)]
            if kids:
                out.append(Relation("code", f"{parent.code} {parent.label}", parent.cells[j],
                                    tuple(k.cells[j] for k in kids if j < len(k.cells))))
        if coded:
            shortest = min(len(r.code) for r in coded)
            top = [r for r in coded if len(r.code) == shortest]
            consistent = all(any(r.code.startswith(t.code) for t in top) for r in coded)
            for row in table.rows:
                if TOTAL_ROW.match(row.label) and not row.code and consistent and j < len(row.cells):
                    out.append(Relation("total_row", f"{row.label}行", row.cells[j],
                                        tuple(t.cells[j] for t in top if j < len(t.cells))))
    out.extend(_column_relations(table, cols))
    return out


def _column_relations(table: Table, cols: list[int]) -> list[Relation]:
    names = table.columns
    if len(set(names)) != len(names):
        return []
    out: list[Relation] = []
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
            out.append(Relation("total_column", f"{row.label}行{name}", row.cells[j],
                                tuple(row.cells[k] for k in siblings)))
    return out


@dataclass(frozen=True)
class Tally:
    tested: int
    failed: int


def tally(table: Table) -> Tally:
    verdicts = [r.holds() for r in relations(table)]
    return Tally(sum(1 for v in verdicts if v is not None), sum(1 for v in verdicts if v is False))


def misread_reason(table: Table) -> str | None:
    """Why the table was probably misread (most of its testable sums fail), or None."""
    t = tally(table)
    if t.failed < MIN_FAILED or t.failed <= MISREAD_SHARE * t.tested:
        return None
    where = f"第{table.location.page}页" if table.location.page else f"第{table.location.line}行"
    name = f"「{table.title}」" if table.title else ""
    return f"{where}表格{name}的{t.tested}项求和关系中有{t.failed}项不成立，表格可能读取有误（列错位、编码被读成金额或两张表连在一起），其中的数字不作为错误依据"


def mark_misread(tables: list[Table]) -> None:
    """Set `Table.misread` on each table (in place)."""
    for t in tables:
        t.misread = misread_reason(t)
