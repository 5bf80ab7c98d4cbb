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

from dataclasses import dataclass, field

import regex

from auditor.cells import is_blank
from auditor.interval import Interval, interval_sum
from auditor.model import Cell, Table

TOTAL_ROW = regex.compile(r"^(合计|总计|本年合计)$")
_TOTAL_COL = regex.compile(r"(合计|小计|总计)$")
_SKIP_COL = regex.compile(r"行次|栏次|科目代码|科目编码|代码|编码|科目名称|项目$|名称|执行率|占比|比例|%|^(类|款|项)$")
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
        return Interval.exact(0) if text in _DASHES or is_blank(text) else None
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


def amount_columns(table: Table) -> list[int]:
    """Columns that hold amounts (not codes, names, 行次 or rates): every cell a number or blank."""
    out = []
    rows = [r for r in table.rows if any(c.value is not None for c in r.cells)]  # not a row of labels only
    for j, name in enumerate(table.columns):
        if _SKIP_COL.search(name.rsplit("/", 1)[-1]) or _SKIP_COL.search(name):
            continue
        if all(j >= len(r.cells) or r.cells[j].value is not None or cell_interval(r.cells[j]) is not None
               for r in rows):
            out.append(j)
    return out


def numeric_columns(table: Table) -> list[int]:
    """Amount columns with at least one number printed."""
    return [j for j in amount_columns(table)
            if any(j < len(r.cells) and r.cells[j].value is not None for r in table.rows)]


_CODE_LEAF = regex.compile(r"(代码|编码)$|^(类|款|项)$")
_BLOCK_TOTAL = regex.compile(r"^(合计|总计|本年合计|[^\s合计其中]{2,6}合计)$")  # 人员经费合计 closes its block
_DIGITS = regex.compile(r"^\d+$")


@dataclass(frozen=True)
class _Block:
    """One classification tree of a table: the value columns it owns and each row's code and
    label there. A basic-expenditure table prints two trees side by side (301/303 | 302/310),
    each with its own code, name and amount columns."""

    cols: list[int]
    codes: list[str | None]
    labels: list[str]


def _leaf(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def _code_groups(table: Table) -> list[list[int]]:
    groups: list[list[int]] = []
    for j, name in enumerate(table.columns):
        if _CODE_LEAF.search(_leaf(name)):
            if groups and groups[-1][-1] == j - 1:
                groups[-1].append(j)
            else:
                groups.append([j])
    return groups


def _joined_code(parts: list[str], above: list[str]) -> tuple[str | None, list[str]]:
    """A code printed over split 类 | 款 | 项 cells; a blank leading part is the row above's."""
    if not any(parts):
        return None, above
    if not all(_DIGITS.match(p) for p in parts if p):
        return None, []
    first = next(k for k, p in enumerate(parts) if p)
    if first:
        if len(above) < first or not all(above[:first]):
            return None, []
        parts = above[:first] + parts[first:]
    filled = [p for p in parts if p]
    if parts[: len(filled)] != filled:
        return None, []  # a gap inside the code
    code = "".join(filled)
    if len(code) not in (3, 5, 7) or (len(parts) > 1 and (len(filled[0]) != 3 or any(len(p) != 2 for p in filled[1:]))):
        return None, []  # not a code, or a misprinted part (7 | 11 | 02)
    return code, parts


def _blocks(table: Table, cols: list[int]) -> list[_Block]:
    groups = _code_groups(table)
    if len(groups) <= 1:
        codes = [r.code if r.code and r.code.isdigit() and len(r.code) in (3, 5, 7) else None for r in table.rows]
        return [_Block(cols, codes, [r.label for r in table.rows])]
    out = []
    for gi, grp in enumerate(groups):
        end = groups[gi + 1][0] if gi + 1 < len(groups) else len(table.columns)
        bcols = [j for j in cols if grp[-1] < j < end]
        codes: list[str | None] = []
        labels: list[str] = []
        above: list[str] = []
        for r in table.rows:
            parts = [r.cells[j].text.strip() if j < len(r.cells) else "" for j in grp]
            parts = ["" if p in _DASHES else p for p in parts]
            code, above = _joined_code(parts, above)
            codes.append(code)
            labels.append(next((r.cells[j].text.strip() for j in range(grp[0], end) if j < len(r.cells)
                                and r.cells[j].value is None and r.cells[j].text.strip()
                                and not _DIGITS.match(r.cells[j].text.strip())), ""))
        out.append(_Block(bcols, codes, labels))
    return out


@dataclass(frozen=True)
class _Entry:
    code: str
    label: str
    cell: Cell


def _hierarchy(entries: list[_Entry]) -> list[Relation]:
    """类 = Σ 款 = Σ 项 (3 → 5 → 7 digits) over one column's coded cells."""
    if len({e.code for e in entries}) != len(entries):
        return []  # one code on several rows (projects under one 项): not a hierarchy
    out = []
    for p in entries:
        if len(p.code) == 7:
            continue
        kids = [e for e in entries if len(e.code) == len(p.code) + 2 and e.code.startswith(p.code)]
        if kids:
            out.append(Relation("code", f"{p.code} {p.label}", p.cell, tuple(k.cell for k in kids)))
    return out


def _code_relations(table: Table, blocks: list[_Block]) -> list[Relation]:
    """The code tree by value column, and each block's 合计 row = Σ its top-level codes.

    Side-by-side blocks share one tree: a class that runs out of rows at the bottom of one
    block goes on in the next (310 资本性支出 in the third block, its 31013 in the fourth),
    so the coded cells of all blocks are gathered by the name of their value column."""
    rows = table.rows
    by_column: dict[str, list[_Entry]] = {}
    out: list[Relation] = []
    for block in blocks:
        coded = [i for i, c in enumerate(block.codes) if c]
        if not coded:
            continue
        for j in block.cols:
            entries = by_column.setdefault(_leaf(table.columns[j]), [])
            entries.extend(_Entry(block.codes[i] or "", block.labels[i], rows[i].cells[j])
                           for i in coded if j < len(rows[i].cells))
        code = block.codes
        shortest = min(len(code[i] or "") for i in coded)
        top = [i for i in coded if len(code[i] or "") == shortest]
        if len({code[i] for i in coded}) != len(coded):
            continue
        if not all(any((code[i] or "").startswith(code[t] or "") for t in top) for i in coded):
            continue
        totals = [i for i in range(len(rows)) if code[i] is None and _BLOCK_TOTAL.match(block.labels[i])]
        for j in block.cols:
            for i in totals:
                if j < len(rows[i].cells):
                    out.append(Relation("total_row", f"{block.labels[i]}行", rows[i].cells[j],
                                        tuple(rows[t].cells[j] for t in top if j < len(rows[t].cells))))
    for entries in by_column.values():
        out[:0] = _hierarchy(entries)
    return out


def relations(table: Table) -> list[Relation]:
    """Every sum the table states, whether or not it can be tested."""
    cols = numeric_columns(table)
    out: list[Relation] = []
    out.extend(_code_relations(table, _blocks(table, cols)))
    amounts = amount_columns(table)
    out.extend(_column_relations(table, amounts))  # a blank column is a zero part
    if not any(r.code for r in table.rows):
        out.extend(_list_relations(table, amounts))
        out.extend(_indent_relations(table, amounts))
    return out


_INDENT_TOTAL = regex.compile(r"^(?!其中)\S{0,6}(合计|总计)$")  # 合计, 收入总计


def _indent_relations(table: Table, amounts: list[int]) -> list[Relation]:
    """Sums of a list whose level is the column its label stands in (政府采购: 品目大类 | 专项 |
    经济科目 | 品目; 收入预算总表: 资金 | 来源). A row's figure belongs to its last label (the
    专项 and its first 经济科目 share a row; a 小计 label names no level); its parent is the
    nearest row above whose figure stands at a shallower level than the row's first label.
    Each row with children = Σ their figures, the one 合计/总计 row = Σ the top rows.

    Only for tables that print one 合计/总计 row in the first column, all label columns left of
    the amount columns; a row of figures without any label leaves the table untested; 其中
    rows are never parts."""
    n = len(table.columns)
    rows = table.rows
    amounts = [j for j in amounts if any(j < len(r.cells) and r.cells[j].value is not None for r in rows)]
    if not amounts or amounts != list(range(amounts[0], n)) or amounts[0] < 2:
        return []  # (a column blank throughout is no amount column here: it may be a label level)
    span: list[tuple[int, int] | None] = []  # (first, last) label column of each row
    total = None
    for i, r in enumerate(rows):
        filled = [j for j in range(amounts[0]) if j < len(r.cells) and not is_blank(r.cells[j].text)]
        if not filled:
            if any(c.value is not None for c in r.cells):
                return []
            span.append(None)
            continue
        first = _SPACES.sub("", r.cells[filled[0]].text)
        if _QIZHONG.match(first):
            span.append(None)
        elif filled[0] == 0 and _INDENT_TOTAL.match(first):
            if total is not None:
                return []
            total = i
            span.append((-1, -1))
        else:
            named = [j for j in filled if not _LIST_TOTAL.search(_SPACES.sub("", r.cells[j].text))] or filled[:1]
            span.append((filled[0], named[-1]))
    if total is None:
        return []
    kids: dict[int, list[int]] = {}
    stack: list[tuple[int, int]] = []  # (level of the figure, row)
    for i, sp in enumerate(span):
        if sp is None:
            continue
        first, last = sp
        while stack and stack[-1][0] >= first:
            stack.pop()
        if stack:
            kids.setdefault(stack[-1][1], []).append(i)
        elif i != total:
            return []  # rows above the 合计 row: not the layout this reads
        stack.append((last, i))
    out: list[Relation] = []
    for i, parts in kids.items():
        sp = span[i]
        label = _SPACES.sub("", rows[i].cells[max(sp[0], 0) if sp else 0].text)
        for v in amounts:
            if v < len(rows[i].cells):
                out.append(Relation("indent", f"{label}行{table.columns[v]}", rows[i].cells[v],
                                    tuple(rows[p].cells[v] if v < len(rows[p].cells) else Cell("", rows[p].location)
                                          for p in parts)))
    return out


# ---- enumerated lists: 一、… 二、… then 本年收入合计 (the two sides of a 收支总表)

_ENUM0 = regex.compile(r"^[一二三四五六七八九十]+[、．.]")
_ENUM1 = regex.compile(r"^(?:\d{1,2}[.、．](?!\d)|[（(][一二三四五六七八九十\d]{1,3}[）)])")
_LIST_TOTAL = regex.compile(r"(小计|合计|总计)$")
_QIZHONG = regex.compile(r"^其中")
_SPACES = regex.compile(r"\s+")


def _pairs(table: Table, amounts: list[int]) -> list[tuple[int, list[int]]]:
    """(label column, the amount columns right of it up to the next label column)."""
    out: list[tuple[int, list[int]]] = []
    n = len(table.columns)
    for j in range(n):
        if j in amounts or (j > 0 and j - 1 not in amounts):
            continue  # a label column right of another label column is a level of an indented list
        vals = []
        k = j + 1
        while k < n and k in amounts:
            vals.append(k)
            k += 1
        if vals:
            out.append((j, vals))
    return out


def _list_relations(table: Table, amounts: list[int]) -> list[Relation]:
    out: list[Relation] = []
    for lab, vals in _pairs(table, amounts):
        out.extend(_one_list(table, lab, vals))
    return out


def _breakdown_in(plain: list[int], cells) -> bool:
    """Whether some plain rows may be the breakdown of the plain row above them (年初结转和结余
    then its 一般公共预算财政拨款 | 政府性基金… printed without 一、二、, or with a mangled
    enumerator): a row whose figure the next two or more rows add up to. Then which rows are
    parts of the total is not known, and the total is not tested."""
    for a, head in enumerate(plain):
        for k, hc in enumerate(cells(head)):
            t = cell_interval(hc)
            if t is None or hc.value is None:
                continue
            acc = None
            for n, row in enumerate(plain[a + 1 :], 1):
                iv = cell_interval(cells(row)[k])
                if iv is None:
                    break
                acc = iv if acc is None else acc + iv
                if n >= 2 and acc.overlaps(t):
                    return True
    return False


def _one_list(table: Table, lab: int, vals: list[int]) -> list[Relation]:
    """Sums down one label column of a 收支总表.

    Before the first total, only enumerated items may stand (一、 with its 1./（一） items):
    the first total (本年收入合计, 当年支出小计) = Σ 一、二、三…; each 一、 with two or more
    sub-items = Σ them. After a total, a later total (收入总计) = the total before + the plain
    rows between (年初结转和结余), where a plain row's own 一、二、三 breakdown is its sum and
    no part of the total. A row of figures without a label, or a row the pattern does not
    know, leaves the total it would belong to untested; 其中 rows are never parts."""
    rows = table.rows
    labels = [_SPACES.sub("", rows[i].cells[lab].text) if lab < len(rows[i].cells) else "" for i in range(len(rows))]
    scan = _ListScan(table, vals, labels)
    for i, label in enumerate(labels):
        scan.row(i, label)
    scan.children()
    return scan.out


@dataclass
class _ListScan:
    """The walk down one label column of `_one_list`: what has been seen since the last total,
    and the row whose sub-rows are being gathered (an enumerated item, or a plain row)."""

    table: Table
    vals: list[int]
    labels: list[str]
    out: list[Relation] = field(default_factory=list)
    items: list[int] = field(default_factory=list)  # enumerated items since the last total (or the top)
    plain: list[int] = field(default_factory=list)  # plain rows since the last total
    valid: bool = True
    prev_total: int | None = None
    head: int = -1  # the row whose sub-rows are being gathered
    head_kind: str = ""
    kids: list[int] = field(default_factory=list)

    def cells(self, i: int) -> list[Cell]:
        row = self.table.rows[i]
        return [row.cells[v] if v < len(row.cells) else Cell("", row.location) for v in self.vals]

    def emit(self, kind: str, what: str, total: int, parts: list[int]) -> None:
        for k, v in enumerate(self.vals):
            self.out.append(Relation(kind, f"{what}（{self.table.columns[v]}）", self.cells(total)[k],
                                     tuple(self.cells(p)[k] for p in parts)))

    def children(self) -> None:
        """The gathered row = Σ its sub-rows, when it has two or more."""
        if self.head >= 0 and len(self.kids) >= 2:
            self.emit("list_item", self.labels[self.head], self.head, self.kids)

    def start(self, i: int, kind: str) -> None:
        self.children()
        self.head, self.head_kind, self.kids = i, kind, []

    def row(self, i: int, label: str) -> None:
        if not label:
            if any(c.value is not None for c in self.cells(i)):
                self.valid = False  # figures without a label: this column's structure is not known
            return
        if _QIZHONG.match(label):
            return
        if _LIST_TOTAL.search(label):
            self.total(i, label)
        elif _ENUM1.match(label):
            if self.head_kind == "item":
                self.kids.append(i)
            else:
                self.valid = False
        elif _ENUM0.match(label) and self.head_kind == "plain":
            self.kids.append(i)  # the breakdown of a plain row (年初结转和结余: 一、二、三)
        elif _ENUM0.match(label):
            self.start(i, "item")
            self.items.append(i)
        else:
            self.start(i, "plain")
            self.plain.append(i)

    def total(self, i: int, label: str) -> None:
        """A total row: the first = Σ the items; a later one = the total before + the plain rows."""
        self.children()
        if self.valid and self.prev_total is None and len(self.items) >= 2 and not self.plain:
            self.emit("list_total", label, i, self.items)
        elif (self.valid and self.prev_total is not None and not self.items and self.plain
              and not _breakdown_in(self.plain, self.cells)):
            self.emit("list_total", label, i, [self.prev_total] + self.plain)
        self.prev_total, self.items, self.plain, self.valid = i, [], [], True
        self.head, self.head_kind, self.kids = -1, "", []


def _column_relations(table: Table, cols: list[int]) -> list[Relation]:
    """A 合计/小计 column = Σ the other columns under the same header. A header group among
    them stands for its own 小计 column when it has one, else for the sum of its members
    (合计 = 基本支出/人员经费 + 基本支出/公用经费 + 项目支出); a group that cannot be
    resolved, or an 其中 column, leaves the total untested."""
    names = table.columns
    if len(set(names)) != len(names):
        return []
    paths = {j: names[j].split("/") for j in cols}
    out: list[Relation] = []
    views = [paths]
    # 合计/预算数 | 合计/决算数 | 因公出国/预算数 …: each role leaf is a table of its own
    roles = [p[-1] for p in paths.values() if len(p) > 1 and _ROLE_LEAF.match(p[-1])]
    for role in dict.fromkeys(roles):
        views.append({k: p[:-1] for k, p in paths.items() if len(p) > 1 and p[-1] == role})
    for view in views:
        for j, path in view.items():
            if not _TOTAL_COL.search(path[-1]):
                continue
            parts = _resolve(view, path[:-1], exclude=j)
            if parts is None or len(parts) < 2:
                continue
            for row in table.rows:
                if j >= len(row.cells) or any(k >= len(row.cells) for k in parts):
                    continue
                out.append(Relation("total_column", f"{row.label}行{names[j]}", row.cells[j],
                                    tuple(row.cells[k] for k in parts)))
    return out


_GENERIC_COL = regex.compile(r"^col\d+$")
_ROLE_LEAF = regex.compile(r"^(预算数|决算数|执行数|年初预算数|全年预算数|调整预算数|本年数|上年数)$")


def _resolve(paths: dict[int, list[str]], prefix: list[str], exclude: int) -> list[int] | None:
    """Columns whose sum is everything under header `prefix` (but column `exclude`), or None."""
    n = len(prefix)
    under = {k: p for k, p in paths.items() if k != exclude and len(p) > n and p[:n] == prefix}
    if not under:
        return None
    out: list[int] = []
    for name in dict.fromkeys(p[n] for p in under.values()):
        if name.startswith("其中"):
            continue
        if _GENERIC_COL.match(name):
            return None  # a column without a header: what it adds to is not known
        members = {k: p for k, p in under.items() if p[n] == name}
        leaf = [k for k, p in members.items() if len(p) == n + 1]
        if leaf:
            if len(members) > 1:
                return None  # a column and a group of the same name: the header was not resolved
            out.extend(leaf)
            continue
        rep = [k for k, p in members.items() if len(p) == n + 2 and _TOTAL_COL.search(p[-1])]
        if rep and len(members) - len(rep) < 2:
            return None  # a 小计 over one part: the header lost a column (or never had the parts)
        if len(rep) == 1:
            out.append(rep[0])
            continue
        inner = _resolve(members, prefix + [name], exclude=-1)
        if inner is None:
            return None
        out.extend(inner)
    return out


@dataclass(frozen=True)
class Tally:
    tested: int
    failed: int


def tally(table: Table) -> Tally:
    verdicts = [r.holds() for r in relations(table)]
    return Tally(sum(1 for v in verdicts if v is not None), sum(1 for v in verdicts if v is False))


_CODE_TEXT = regex.compile(r"^\d{3}(?:\d{2}){0,2}$")


def _codes_as_amounts(rel: Relation) -> bool:
    """A failed sum of classification codes (208 = 20805, 20805 = 2080504 + 2080505): the code
    column was read as the amounts."""
    t = rel.total.text.strip()
    parts = [p.text.strip() for p in rel.parts if p.value is not None]
    return bool(_CODE_TEXT.match(t) and parts and all(_CODE_TEXT.match(p) and p.startswith(t) and len(p) > len(t)
                                                        for p in parts))


def misread_reason(table: Table) -> str | None:
    """Why the table was probably misread (most of its testable sums fail, or it sums codes), or None."""
    rels = relations(table)
    verdicts = [r.holds() for r in rels]
    tested = sum(1 for v in verdicts if v is not None)
    failed = [r for r, v in zip(rels, verdicts) if v is False]
    where = f"第{table.location.page}页" if table.location.page else f"第{table.location.line}行"
    name = f"「{table.title}」" if table.title else ""
    if any(_codes_as_amounts(r) for r in failed):
        return f"{where}表格{name}中科目编码被当作金额相加，表格可能读取有误（编码列被读成金额列），其中的数字不作为错误依据"
    if len(failed) < MIN_FAILED or len(failed) <= MISREAD_SHARE * tested:
        return None
    return (f"{where}表格{name}的{tested}项求和关系中有{len(failed)}项不成立，表格可能读取有误"
            "（列错位、编码被读成金额或两张表连在一起），其中的数字不作为错误依据")


def mark_misread(tables: list[Table]) -> None:
    """Set `Table.misread` on each table (in place)."""
    for t in tables:
        t.misread = misread_reason(t)
