"""Classification items (类/款/项) as comparable quantities, narrative and tables alike.

The narrative names items by path ("公共安全支出(类)公安(款)行政运行(项)") or by code
("2040201款行政运行"); tables print the code. Both are turned into one key,
`<scope>:code:<code>`, where the scope says whose money it is: an item of the
一般公共预算财政拨款 (section or table title says so) is not the same quantity as the
same item over all funds (支出决算表), so the two are never compared.
A path whose names do not resolve to exactly one code keeps no key.
"""

from __future__ import annotations

from decimal import Decimal

import regex

from auditor.rules_model import Catalogue
from auditor.claims.model import Claim
from auditor.claims.table_facts import low_confidence
from auditor.claims.numbers import MONEY_UNITS, Number
from auditor.model import Document, Table

_GPB = "一般公共预算"
_TOTAL_COLUMN = regex.compile(r"^(小计|合计|本年支出合计|本年支出|支出合计|决算数|金额|总计)$")


def _norm(name: str) -> str:
    name = regex.sub(r"[（(][^）)]*[）)]|\s", "", name)
    return regex.sub(r"支出$", "", name)


class CodeResolver:
    """Names → codes through the national classification, parent by parent."""

    def __init__(self, catalogue: Catalogue):
        self.table = catalogue.classification.get("function", {})
        self.by_name: dict[tuple[str, str], list[str]] = {}
        for code, names in self.table.items():
            parent = code[:-2] if len(code) > 3 else ""
            for n in names:
                self.by_name.setdefault((parent, _norm(n)), []).append(code)

    def code(self, path: list[str]) -> str | None:
        parent = ""
        for name in path:
            found = self.by_name.get((parent, _norm(name)), [])
            if len(found) != 1:
                return None
            parent = found[0]
        return parent or None

    def scope_of(self, section: tuple[str, ...]) -> str:
        return "gpb" if any(_GPB in h for h in section) else "all"

    def rekey(self, claims: list[Claim]) -> None:
        """Give narrative claims about an item a scoped code key (in place)."""
        for c in claims:
            if c.source != "narrative" or not c.concept:
                continue
            code = None
            if c.concept.startswith("func:"):
                code = self.code(c.concept[5:].split("/"))
            elif c.concept.startswith("code:"):
                code = c.concept[5:]
            if code:
                c.concept = f"{self.scope_of(c.section)}:code:{code}"

    def table_claims(self, doc: Document, first_id: int) -> list[Claim]:
        out: list[Claim] = []
        for table in doc.tables:
            if table.unit not in MONEY_UNITS or not table.title:
                continue
            scope = "gpb" if _GPB in table.title and "基本支出" not in table.title else (
                "all" if regex.search(r"^支出决算表|支出总体情况表|支出预算表", table.title) else None)
            if scope is None:
                continue
            j = _total_column(table)
            if j is None:
                continue
            for row in table.rows:
                if not (row.code and row.code.isdigit() and len(row.code) in (3, 5, 7)):
                    continue
                if j >= len(row.cells) or row.cells[j].value is None:
                    continue
                cell = row.cells[j]
                text = cell.text.strip()
                decimals = len(text.replace(",", "").partition(".")[2])
                number = Number(text, Decimal(cell.value), table.unit, decimals, 0, len(text))
                out.append(Claim(first_id + len(out), "amount", number, cell.location, -1,
                                 f"{row.code} {row.label}", f"{scope}:code:{row.code}",
                                 section=table.section, source="table", **low_confidence(table)))
        return out


def _total_column(table: Table) -> int | None:
    """The column that holds a row's whole amount: the first 合计/小计 among the numbers."""
    for j, name in enumerate(table.columns):
        leaf = regex.sub(r"\s", "", name.rsplit("/", 1)[-1])
        if _TOTAL_COLUMN.match(leaf):
            return j
    return None
