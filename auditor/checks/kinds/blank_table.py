"""A table the document prints blank against a narrative amount for it, and the reverse.

Departments with no 政府性基金 or 国有资本经营 money, or no 三公 spending, keep the table's
format and print it empty (often with "此表为空" or "故本表无数据" under it). Two contradictions
follow: the narrative states a non-zero amount for the quantity while its table is blank
(forward), or the narrative says 无…/没有…/未发生… (or prints 0) while the table's own total
row prints a non-zero figure (reverse).

The rule lists the targets: the table's title (a regex: the title names the quantity), the
names that the narrative uses for it (a regex on a figure's subject and after a none word)
and the lexicon concepts that are the quantity or its parts (三公 items). A table is blank
when every figure it prints outside ignored columns is zero ("", "-", "—", "0", "0.00");
one with no data row at all is blank only when its header was read. A cell that holds digits
the reader could not take for a number, or a table continued right below, leaves the table
undecided: nothing is reported on it.

Roles: a blank table contradicts a narrative figure of this year (预算 figures only in a
部门预算 or when the table has a 预算 column); a non-zero table contradicts a none statement
only through its own total row, in the columns of this year's figures (a 决算 table's 预算数
column, 上年 columns or another year's columns say nothing about what was spent).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterator

import regex

from auditor.checks.facts import FactBase
from auditor.checks.kinds.agree import year_of
from auditor.checks.relation import Operand, Readings, Relation
from auditor.claims.model import Claim, Sentence
from auditor.claims.numbers import MONEY_UNITS
from auditor.interval import Interval
from auditor.model import Cell, Document, Evidence, Table
from pydantic import Field

from auditor.rules_model import CheckRule, StrictModel, concept_param, pattern_param

PLACEHOLDERS = {"name", "table", "table_state"}


class BlankTarget(StrictModel):
    name: str
    title: str  # regex the table's title must match (the title names the quantity)
    names: str  # regex: the quantity's names in the narrative (a figure's subject, after 无/没有)
    concepts: list[str] = concept_param(default_factory=list)  # lexicon concepts that are the quantity or its parts
    exclude: str | None = None  # regex: a subject with these words is another quantity
    ignore_columns: str | None = None  # regex: columns of other quantities in the same table
    total: str | None = concept_param(default=None)  # the concept of the whole (of `concepts`): a part stated as 0 says nothing
    whole: str | None = None  # regex: a subject naming the whole quantity (not 项目支出 of it)


class Params(StrictModel):
    targets: list[BlankTarget] = Field(min_length=1)
    none_words: str | None = pattern_param(None, "表示“没有”的词（无、没有、未发生）")

_DEFAULT_NONE = r"无(?![论偿形法需须])|没有|未发生|未安排|未使用"
# a template's instruction or a condition, not a statement about this department
_CONDITIONAL = regex.compile(r"的[，,]|的部门|的单位[，,]|如无|若无|如果|如有|不涉及的|仍保留")
_YEAR = regex.compile(r"(20\d\d)\s*年")
_PRIOR = regex.compile(r"上年|上一年|去年|同期|下一?年|明年")
_COUNTER_ROW = regex.compile(r"栏次|行次")
_STRUCTURE_COLUMN = regex.compile(r"(^|/)(类|款|项|行次|栏次|[^/]*编码|[^/]*代码)$")
_TOTAL_LABEL = regex.compile(r"^\s*(合计|总计|本年合计)")
_TOTAL_COLUMN = regex.compile(r"(^|/)(合计|总计)$")
_QUANTITY_HEADER = regex.compile(r"支出|收入|金额|合计|预算|决算|结转|结余|经费|费")
_BUDGET_COLUMN = regex.compile(r"预算")
_FINAL_COLUMN = regex.compile(r"决算|执行数|实际")
_PLACEHOLDER_COLUMN = regex.compile(r"^col\d+$")
_FLOWS = ("收入", "支出")
_MAX_GAP = 6  # characters between a none word and the quantity's name


@dataclass
class Target:
    name: str
    title: regex.Pattern
    names: regex.Pattern
    concepts: frozenset[str]
    exclude: regex.Pattern | None
    ignore_columns: regex.Pattern | None
    total: str | None  # the concept of the whole quantity (a part may be 0 while the whole is not)
    whole: regex.Pattern | None  # a subject that names the whole, not a part (项目支出 of it)


@dataclass
class TableView:
    """What one table says about a target: blank, or the first non-zero figure of its total row."""

    table: Table
    blank: bool
    total: Cell | None  # a non-zero figure of this year in the table's total row
    budget_columns: bool


def _targets(params: "Params") -> list[Target]:
    out = []
    for t in params.targets:
        out.append(Target(t.name, regex.compile(t.title), regex.compile(t.names), frozenset(t.concepts or []),
                          regex.compile(t.exclude) if t.exclude else None,
                          regex.compile(t.ignore_columns) if t.ignore_columns else None,
                          t.total, regex.compile(t.whole) if t.whole else None))
    return out


# --- the table side -------------------------------------------------------------------------

def _ignored(table: Table, target: Target) -> set[int]:
    """Columns that are not the target's figures: structure (codes, 行次), other quantities the
    rule names (会议费 in a 三公 table), and a bare 合计 of a table that holds such others."""
    out = {j for j, c in enumerate(table.columns) if _STRUCTURE_COLUMN.search(c)}
    other = {j for j, c in enumerate(table.columns) if target.ignore_columns and target.ignore_columns.search(c)}
    if other:
        out |= other | {j for j, c in enumerate(table.columns)
                        if _TOTAL_COLUMN.search(c) and not target.names.search(c)}
    return out


def _this_year_column(column: str, doc: Document) -> bool:
    """A column of this year's own figures: not 上年, not another year; in a 决算 table not 预算."""
    if _PRIOR.search(column):
        return False
    years = {int(y) for y in _YEAR.findall(column)}
    if years and (doc.year is None or years != {doc.year}):
        return False
    if doc.family != "budget" and _BUDGET_COLUMN.search(column) and not _FINAL_COLUMN.search(column):
        return False
    return True


def _header_read(table: Table) -> bool:
    return any(not _PLACEHOLDER_COLUMN.match(c) and _QUANTITY_HEADER.search(c) for c in table.columns)


def _continued(doc: Document, table: Table) -> bool:
    """Another table without a title of its own starts right below: the grid may go on there."""
    for other in doc.tables:
        if other is not table and 0 < other.location.line - table.line_end <= 5 and not other.title:
            return True
    return False


def _view(doc: Document, table: Table, target: Target) -> TableView | None:
    """None when the table cannot be read as blank or not (unread digits, a continuation)."""
    ignored = _ignored(table, target)
    data_rows = [r for r in table.rows if not _COUNTER_ROW.search(r.label)]
    nonzero = False
    total: Cell | None = None
    single = len([r for r in data_rows if any(c.value is not None for c in r.cells)]) == 1
    for row in data_rows:
        for j, cell in enumerate(row.cells):
            if j in ignored or j >= len(table.columns):
                continue
            if cell.value is None:
                if regex.search(r"[1-9]", _YEAR.sub("", cell.text)):
                    return None  # digits the reader did not take for a figure
                continue
            if cell.value != 0:
                nonzero = True
                if (total is None and (_TOTAL_LABEL.match(row.label) or single)
                        and _this_year_column(table.columns[j], doc)):
                    total = cell
    if not nonzero and (not _header_read(table) or _continued(doc, table)):
        return None
    budget_columns = any(_BUDGET_COLUMN.search(c) for c in table.columns)
    return TableView(table, not nonzero, total, budget_columns)


def _title_evidence(doc: Document, table: Table) -> Evidence:
    title = table.title or ""
    at = doc.text.rfind(title, max(0, table.location.start - 600), table.location.start + len(title)) if title else -1
    if at < 0:
        loc = table.location
        return Evidence(title, loc.line, loc.page, loc.start, loc.start, "table")
    return Evidence(title, doc.text.count("\n", 0, at) + 1, table.location.page, at, at + len(title), "table")


# --- the narrative side ---------------------------------------------------------------------

def _names_target(facts: FactBase, c: Claim, target: Target) -> bool:
    if c.concept and c.concept in target.concepts:
        return True
    subject = c.subject or ""
    return bool(target.names.search(subject)) and not (target.exclude and target.exclude.search(subject))


def _is_whole(c: Claim, target: Target) -> bool:
    """A figure of the whole quantity: only a whole stated as 0 says the table must be empty."""
    if c.concept and c.concept in target.concepts:
        return c.concept == target.total
    return bool(target.whole and target.whole.search(c.subject or ""))


def _flow_fits(subject: str, title: str) -> bool | None:
    """True when the figure's flow (收入/支出) is one the title covers, None when it names none."""
    named = {f for f in _FLOWS if f in subject}
    covered = {f for f in _FLOWS if f in title} or set(_FLOWS)
    if not named:
        return None
    return bool(named & covered)


def _narrative_amounts(facts: FactBase, target: Target) -> list[Claim]:
    out = []
    for c in facts.claims:
        if c.source != "narrative" or c.kind != "amount" or c.unit not in MONEY_UNITS:
            continue
        if c.role == "previous" or facts.table_at(c.location.start) is not None:
            continue
        if year_of(facts, c) not in (facts.document.year, None):
            continue
        if _names_target(facts, c, target):
            out.append(c)
    return out


def _role_fits(c: Claim, view: TableView, doc: Document) -> bool:
    return c.role == "current" or doc.family == "budget" or view.budget_columns


@dataclass
class NoneStatement:
    evidence: Evidence
    tight: bool  # the none word stands right before the name, nothing else in between


def _none_statements(facts: FactBase, target: Target, none_words: regex.Pattern) -> list[NoneStatement]:
    doc = facts.document
    pattern = regex.compile(rf"(?:{none_words.pattern})(?P<gap>[^\p{{P}}\d\s]{{0,{_MAX_GAP}}}?)(?:{target.names.pattern})")
    out = []
    for s in facts.sentences:
        if facts.table_at(s.location.start) is not None or _CONDITIONAL.search(s.text):
            continue
        for m in pattern.finditer(s.text):
            lead = s.text[:m.start()]
            years = {int(y) for y in _YEAR.findall(lead)}
            if _PRIOR.search(lead + m.group("gap")) or (years and years != {doc.year}):
                continue
            if target.exclude and target.exclude.search(m.group(0)):
                continue
            start = s.location.start + m.start()
            ev = Evidence(m.group(0), s.location.line, s.location.page, start, start + len(m.group(0)), "stated")
            out.append(NoneStatement(ev, tight=len(m.group("gap")) <= 4))
            break
    return out


# --- the check ------------------------------------------------------------------------------

def relations(rule: CheckRule, params: Params, facts: FactBase) -> Iterator[Relation | Readings]:
    none_words = regex.compile(params.none_words or _DEFAULT_NONE)
    doc = facts.document
    for target in _targets(params):
        views = [v for t in doc.tables if t.title and target.title.search(t.title)
                 for v in [_view(doc, t, target)] if v is not None]
        if not views or len({v.blank for v in views}) > 1:
            continue  # no table of the target read, or its tables disagree among themselves
        amounts = _narrative_amounts(facts, target)
        for view in views:
            if view.blank:
                yield from _forward(facts, target, view, amounts)
            elif view.total is not None:
                yield from _reverse(facts, target, view, amounts, none_words)


def _forward(facts: FactBase, target: Target, view: TableView, amounts: list[Claim]
             ) -> Iterator[Relation | Readings]:
    """The table is blank: a narrative figure of this quantity beyond rounding of 0 contradicts it.
    Every figure of the quantity in a role the table covers was compared with it; the first one
    beyond 0 is reported (= the blank table's 0)."""
    doc, title = facts.document, view.table.title or ""
    compared: list[int] = []
    stated = []
    for c in amounts:
        if not _role_fits(c, view, doc):
            continue
        compared.append(c.id)
        if c.interval.lo > 0 and _flow_fits(c.subject or "", title) is not False:
            stated.append(c)
    if not stated:
        if compared:
            yield Readings((), always=tuple(compared))
        return
    c = stated[0]
    weak = None
    if not (c.concept and c.concept in target.concepts) and _flow_fits(c.subject or "", title) is None:
        weak = f"“{c.subject}”未写明是收入还是支出，而表题只含其一" if any(f in title for f in _FLOWS) else None
    if facts.doubt(c) is not None:
        weak = facts.doubt(c)
    blank = Operand("table", Interval.exact(0), _title_evidence(doc, view.table), None, "0")
    yield Relation(
        "equal", Operand.of(c, "stated"), (blank,),
        values={"name": target.name, "table": title, "table_state": "为空表（无数字或全为0）"},
        expected_text="0",
        arithmetic=f"{c.quote}（第{c.location.line}行） ≠ 0（《{title}》为空表）",
        section=c.section,
        key=(target.name, view.table.location.line, "forward"),
        derived=False,
        weak=weak,
        verifies=tuple(compared),
    )


def _reverse(facts: FactBase, target: Target, view: TableView, amounts: list[Claim],
             none_words: regex.Pattern) -> Iterator[Relation]:
    """The table's total row prints a figure: a narrative 无… or 0 for the quantity contradicts it
    (observed: a none statement is no figure, and the total row's unit is the table's)."""
    doc, title = facts.document, view.table.title or ""
    cell = view.total
    assert cell is not None
    zeros = [c for c in amounts if c.role == "current" and c.value == Decimal(0) and _is_whole(c, target)
             and _flow_fits(c.subject or "", title) is not False]
    statements = _none_statements(facts, target, none_words)
    if zeros:
        c = zeros[0]
        stated, line, weak = Operand.of(c, "stated"), c.location.line, facts.doubt(c)
    elif statements:
        st = statements[0]
        stated = Operand("stated", None, st.evidence, None, st.evidence.quote)
        line = st.evidence.line
        weak = None if st.tight else f"“{stated.text}”中否定词与名称之间还有别的词"
    else:
        return
    quote = stated.text
    yield Relation(
        "observed", stated, (Operand.of_cell(cell, "table"),),
        values={"name": target.name, "table": title, "table_state": f"合计行印有{cell.text}"},
        expected_text=cell.text,
        arithmetic=f"{quote}（第{line}行） ≠ {cell.text}（《{title}》合计，第{cell.location.line}行）",
        section=view.table.section,
        key=(target.name, view.table.location.line, "reverse"),
        derived=False,
        weak=weak,
        verifies=tuple(c.id for c in zeros),
    )
