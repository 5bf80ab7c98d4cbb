"""The data model every stage of the pipeline shares.

Positions are kept as the file has them (1-based line numbers, character
offsets into the decoded text) because every flag must quote the printed text
and say where it stands; anything normalised is kept beside the original, never
instead of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

import pandas as pd

Family = Literal["final_accounts", "budget", "self_evaluation", "unknown"]
Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Location:
    """Where a piece of text stands in the source file."""

    line: int  # 1-based line in the file as decoded
    start: int  # character offset of the first character in Document.text
    end: int  # offset one past the last character
    page: int | None = None  # 1-based page for paged formats


@dataclass(frozen=True)
class Heading:
    """One outline heading (第二部分, 一、, （三）, 1., 表一：, 公开01表 ...)."""

    text: str
    level: int  # 1 = 第X部分, 2 = 一、, 3 = （一）, 4 = 1. ; tables titles are level 5
    line: int


@dataclass
class Block:
    """A paragraph (one source line of prose) or a table, with its place in the outline."""

    kind: Literal["paragraph", "table"]
    text: str  # for a paragraph: the line without its line break; for a table: its raw lines joined
    location: Location
    line_end: int  # last source line the block covers (== location.line for a paragraph)
    section: tuple[str, ...] = ()  # heading texts from the outermost to the innermost
    table: "Table | None" = None


@dataclass(frozen=True)
class Cell:
    """One table cell as printed; `value` is its number when it holds exactly one."""

    text: str  # stripped cell text, exactly a substring of the source line
    location: Location
    value: Decimal | None = None


@dataclass
class TableRow:
    """A data row: its label (科目编码 + 名称, or the first non-numeric cells) and its cells by column."""

    label: str
    code: str | None  # 科目编码 such as 2040201 when the row has one
    cells: list[Cell]  # one per column of Table.columns, Cell('' ...) where the row has none
    location: Location


@dataclass
class Table:
    """A table with resolved headers.

    `columns` are the resolved header labels, one per column, multi-row headers
    joined with '/' (e.g. '本年收入合计', '项目资金（万元）/全年执行数').
    """

    title: str | None
    unit: str | None  # 万元 / 元 when the table states it (单位：万元, 金额单位：元)
    columns: list[str]
    header_rows: list[list[Cell]]
    rows: list[TableRow]
    location: Location
    line_end: int
    section: tuple[str, ...] = ()
    # why the table was probably misread (most of its own sums fail), or None when its
    # arithmetic holds or cannot be tested; nothing read from it may carry an error
    misread: str | None = None

    def frame(self) -> pd.DataFrame:
        """Values as Decimals in object columns (floats would lose cents), rows indexed by label."""
        data = [[c.value for c in r.cells] for r in self.rows]
        frame = pd.DataFrame(data, columns=_unique(self.columns), dtype=object)
        frame.index = [r.label for r in self.rows]
        frame.insert(0, "code", [r.code for r in self.rows])
        return frame


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        k = seen.get(n, 0)
        seen[n] = k + 1
        out.append(n if k == 0 else f"{n}#{k + 1}")
    return out


@dataclass
class Document:
    """A decoded source file split into blocks that remember where they came from."""

    path: str
    text: str
    encoding: str
    blocks: list[Block] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    family: Family = "unknown"
    year: int | None = None
    unit_name: str | None = None

    @property
    def tables(self) -> list[Table]:
        return [b.table for b in self.blocks if b.table is not None]

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    def line_text(self, line: int) -> str:
        return self.lines[line - 1]


@dataclass(frozen=True)
class Evidence:
    """A printed number (or word) a flag relies on: the exact text and where it stands."""

    quote: str
    line: int
    page: int | None = None
    start: int | None = None
    end: int | None = None
    role: str = ""  # what this quote is in the relation: stated, total, part, base ...


@dataclass
class Flag:
    rule: str
    severity: Severity
    message: str
    evidence: list[Evidence]
    stated: str | None = None
    expected: str | None = None
    arithmetic: str | None = None
    section: tuple[str, ...] = ()
    # where the figures come from: narrative | table_cell | derived | mixed
    basis: str = "narrative"
    # "low" when any figure rests on a weak reading; such a flag is never an error
    confidence: str = "high"
    downgraded: str | None = None  # why an error became a warning, in Chinese
