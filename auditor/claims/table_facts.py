"""Facts stated by tables, as claims the checks can compare with the narrative.

A cell becomes a claim only when the quantity it states is unambiguous:
- a value under a generic column (金额, 决算数, 统计数) takes the name printed to its
  left in the same row (two-sided 收入|支出 tables, statistics tables);
- a value in a total row (合计, 总计) takes the name of its column;
- a table whose title carries a scope (一般公共预算财政拨款…, 政府性基金预算…) only
  maps names that exist with that scope in the lexicon, never the bare name.
Other cells (breakdowns by 科目) are left to the table checks.
A claim read from a table marked misread (`Table.misread`) has confidence "low".
"""

from __future__ import annotations

from decimal import Decimal

import regex

from auditor.rules_model import Catalogue
from auditor.claims.model import Claim
from auditor.claims.numbers import MONEY_UNITS, Number
from auditor.model import Cell, Document, Table, TableRow

_GENERIC_COLUMN = regex.compile(r"^(金额|决算数|预算数|统计数|数值|数量|本年数|合计|小计)$")
_TOTAL_ROW = regex.compile(r"^(合计|总计|本年合计)$")
_ENUMERATOR = regex.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．])\s*")
# a row of a money table that counts something says so in its label: 车辆数合计(辆)
_COUNT_IN_LABEL = regex.compile(r"[（(](辆|台（套）|台\(套\)|人|个)[)）]$")
_COUNT_UNITS = {"辆": "辆", "台（套）": "台套", "台(套)": "台套", "人": "人", "个": "个"}
_PART_ROW = regex.compile(r"^\s*[一二三四五六七八九十]+、")
_SCOPES = ["一般公共预算财政拨款", "政府性基金预算财政拨款", "国有资本经营预算财政拨款", "财政拨款"]
_ROLE_WORDS = [("budget_initial", regex.compile(r"年初预算")), ("budget_full", regex.compile(r"全年预算|调整预算|预算数")),
               ("previous", regex.compile(r"上年")), ("current", regex.compile(r"决算数|执行数|本年"))]
_WS = regex.compile(r"\s+")


def low_confidence(table: Table) -> dict[str, str]:
    """Claim fields for a cell of `table`: a table whose own sums mostly fail was misread,
    so nothing read from it is a confident reading (checks then raise no error on it)."""
    if table.misread:
        return {"confidence": "low", "confidence_reason": f"表格读取可能有误：{table.misread}"}
    return {}


def _scope(title: str | None) -> str:
    for s in _SCOPES:
        if title and s in title:
            return s
    return ""


def _clean(label: str) -> str:
    label = _ENUMERATOR.sub("", label)
    return _WS.sub("", label)


def _role(column: str) -> str:
    for role, pattern in _ROLE_WORDS:
        if pattern.search(column):
            return role
    return "current"


def _label_left(row: TableRow, j: int) -> str | None:
    for k in range(j - 1, -1, -1):
        cell = row.cells[k]
        if cell.value is None and cell.text.strip():
            return cell.text.strip()
    return None


class TableFactReader:
    """Maps table cells to lexicon concepts; built once per catalogue."""

    def __init__(self, catalogue: Catalogue):
        self.exact = {a: cid for a, cid in catalogue.alias_table()}
        for cid, concept in catalogue.concepts.items():
            for alias in getattr(concept, "table_aliases", []):
                self.exact.setdefault(alias, cid)

    def concept(self, name: str, scope: str) -> str | None:
        name = _clean(name)
        if scope:
            return self.exact.get(scope + name) or (self.exact.get(name) if name.startswith(scope) else None)
        return self.exact.get(name)

    def claims(self, doc: Document, first_id: int) -> list[Claim]:
        out: list[Claim] = []
        for table in doc.tables:
            if table.unit not in MONEY_UNITS:
                continue
            scope = _scope(table.title)
            part = ""  # the current part of a statistics table: 一、政府采购情况
            for row in table.rows:
                if all(c.value is None for c in row.cells) and _PART_ROW.match(row.label):
                    part = _clean(row.label)
                    continue
                for j, cell in enumerate(row.cells):
                    claim = self._cell_claim(table, row, j, cell, scope, first_id + len(out),
                                             doc.family == "budget", part)
                    if claim is not None:
                        out.append(claim)
        return out

    def _cell_claim(self, table: Table, row: TableRow, j: int, cell: Cell, scope: str,
                    cid: int, budget_document: bool, part: str = "") -> Claim | None:
        if cell.value is None or cell.text.strip().endswith("%") or j >= len(table.columns):
            return None
        if row.code:
            # a 科目 line (30217 公务接待费 of a 基本支出 table) is an economic or functional
            # breakdown, not the item the narrative names (the whole 三公 公务接待费): the
            # code checks (code_facts) compare it by its code
            return None
        column = table.columns[j]
        leaf = column.rsplit("/", 1)[-1]
        group = column.split("/", 1)[0] if "/" in column else ""
        if _GENERIC_COLUMN.match(leaf):
            label = _label_left(row, j)
            if label is None:
                return None
            name = _clean(label)
            if name in ("总计", "合计") and group in ("收入", "支出"):
                name = group + name
        elif _TOTAL_ROW.match(_clean(row.label)):
            name = leaf
        else:
            return None
        concept = (self.exact.get(f"{part}/{name}") if part else None) or self.concept(name, scope)
        if concept is None:
            return None
        role = _role(column)
        if budget_document and role == "budget_full":
            role = "current"  # in a 部门预算 the 预算数 is the year's own figure
        text = cell.text.strip()
        decimals = len(text.replace(",", "").partition(".")[2])
        unit = _COUNT_IN_LABEL.search(name)
        number = Number(text, Decimal(cell.value), _COUNT_UNITS[unit.group(1)] if unit else table.unit,
                        decimals, 0, len(text))
        return Claim(cid, "amount", number, cell.location, -1, name, concept, role,
                     section=table.section, source="table", **low_confidence(table))
