"""A narrative item (类/款/项 named in words) against the table row it names.

"用于…单位基本养老保险缴费支出277.56万元" or "人大事务行政运行（项）支出10528.33万元" name a
row of the document's own function-classification tables without printing its code. The
name is matched to a row by words (jieba), never by characters: "单位基本养老保险缴费" is
"机关事业单位基本养老保险缴费支出" with a qualifier dropped, while "职业年金" shares characters
with many rows. Precision rules:
- every word of the printed name must stand in the row's name (or its parents' names), the
  row's own words must be covered by at least `min_score`, and the best row must be unique;
- a class named earlier in the sentence ("社会保障和就业支出…用于…") or a level marker（项）
  narrows the rows to that subtree or level;
- the amount must match no cell of any row with that code, in any table (a narrative may
  quote the 基本支出 column or another scope's table): only then is it a contradiction;
- a match that is not exact is a warning; an amount that fits only when the table's 元 were
  cut off rather than rounded to 万元 is a warning that says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Iterator

import regex

from auditor.checks.facts import FactBase, fmt, in_wan
from auditor.checks.relation import Operand, Relation
from auditor.claims.model import Claim
from auditor.claims.numbers import MONEY_UNITS, money_in
from auditor.interval import Interval
from auditor.model import Evidence, Table, TableRow
from pydantic import Field

from auditor.rules_model import CheckRule, StrictModel

PLACEHOLDERS = {"subject", "code", "row", "score", "match", "table_value", "note"}


class Params(StrictModel):
    min_score: str = Field("0.75", description="叙述名称与表格行名按词匹配的最低得分（行名中被覆盖的词所占比例）")

_LEVEL = {"类": 3, "款": 5, "项": 7}
_MARKED = regex.compile(r"(?P<name>[\p{Han}（）()]+?)[（(](?P<level>类|款|项)[）)]")
_NOISE = regex.compile(r"[“”\"'‘’\s]|^\d+[.、．]|^[（(][一二三四五六七八九十\d]+[）)]")
_LEAD = regex.compile(r"^(?:其中|主要|用于|主要用于|安排|包括)+")
_TAIL = regex.compile(r"(?:\d{4}年度?)?(?:预算安排|预算数|决算数|支出决算|支出预算|安排|共计|合计|为|支出)+$")
_STOP = {"支出", "的", "和", "与", "及", "、"}
# words that say the amount is a part or another year of the item, not the item itself
_PARTIAL = regex.compile(r"其中|基本支出|项目支出|人员经费|公用经费|上年|同比|年初|调整|增加|减少|结转|结余")


@lru_cache(maxsize=1)
def _tokenizer():
    """A private jieba tokenizer: add_word on the global one would leak into other code."""
    import logging

    import jieba

    jieba.default_logger.setLevel(logging.WARNING)  # its start-up chatter is not our output
    tok = jieba.Tokenizer()
    tok.initialize()
    return tok


@lru_cache(maxsize=4096)
def words(name: str) -> tuple[str, ...]:
    """The content words of a name (no digits ever reach the tokenizer)."""
    name = regex.sub(r"[\d\s（）()“”\"、，,.．]", "", name)
    return tuple(w for w in _tokenizer().lcut(name) if w not in _STOP and w.strip())


def _covered(word: str, pool: tuple[str, ...]) -> bool:
    return any(word == p or word in p or (len(p) >= 2 and p in word) for p in pool)


@dataclass
class Row:
    """One function-classification code as the document's tables print it."""

    code: str
    label: str
    cells: list[tuple[Interval, Evidence]] = field(default_factory=list)  # every money cell, in 万元
    shown: list[tuple[str, Evidence, Interval, str]] = field(default_factory=list)  # first cell per distinct value


def table_rows(facts: FactBase) -> dict[str, Row]:
    """Function codes (2xx…) of every confidently read money table, with all their cells."""
    rows: dict[str, Row] = {}
    for table in facts.document.tables:
        if table.unit not in MONEY_UNITS or table.misread:
            continue
        for r in table.rows:
            if not (r.code and r.code.isdigit() and len(r.code) in (3, 5, 7) and r.code[0] == "2"):
                continue
            row = rows.setdefault(r.code, Row(r.code, r.label))
            _add_cells(row, table, r)
    _add_named_cells(facts, rows)
    return rows


_ENUM = regex.compile(r"^[（(]?[一二三四五六七八九十\d]+[）)、.．]?|\s")


def _add_named_cells(facts: FactBase, rows: dict[str, Row]) -> None:
    """Figures printed beside the row's name in tables without codes ("四、公共安全支出 | 13,656.34"
    in a 收支总表): the narrative may quote those, so they count as the row's values too."""
    by_label: dict[str, list[Row]] = {}
    for row in rows.values():
        by_label.setdefault(_ENUM.sub("", row.label), []).append(row)
    for table in facts.document.tables:
        if table.unit not in MONEY_UNITS or table.misread:
            continue
        for r in table.rows:
            named: list[Row] = []
            for cell in r.cells:
                text = cell.text.strip()
                if cell.value is None:
                    named = by_label.get(_ENUM.sub("", text), []) if text else named
                    continue
                for row in named:
                    decimals = len(text.replace(",", "").partition(".")[2])
                    iv = money_in(Interval.rounded(Decimal(cell.value), decimals), table.unit, "万元")
                    row.cells.append((iv, Evidence(text, cell.location.line, cell.location.page,
                                                   cell.location.start, cell.location.end, "table")))


def _add_cells(row: Row, table: Table, r: TableRow) -> None:
    first = True
    for cell in r.cells:
        if cell.value is None or not regex.search(r"\d", cell.text) or cell.text.strip() == r.code:
            continue
        text = cell.text.strip()
        decimals = len(text.replace(",", "").partition(".")[2])
        iv = money_in(Interval.rounded(Decimal(cell.value), decimals), table.unit, "万元")
        ev = Evidence(text, cell.location.line, cell.location.page, cell.location.start,
                      cell.location.end, "table")
        row.cells.append((iv, ev))
        if first:
            first = False
            if all(v.quote != text for _, v, _, _ in row.shown):
                row.shown.append((text, ev, iv, table.unit or "万元"))


@dataclass
class Match:
    row: Row
    score: Decimal
    exact: bool


def _segments(subject: str) -> tuple[list[tuple[str, int]], str]:
    """Names marked with a level ("社会福利（款）") and the unmarked rest at the end."""
    marked = [(m.group("name"), _LEVEL[m.group("level")]) for m in _MARKED.finditer(subject)]
    rest = _MARKED.sub("", subject)
    return marked, rest


def clean(subject: str) -> str:
    s = _NOISE.sub("", subject)
    s = _LEAD.sub("", s)
    return _TAIL.sub("", s)


def _path_words(code: str, rows: dict[str, Row], table: dict[str, list[str]]) -> tuple[str, ...]:
    out: list[str] = []
    for n in (3, 5, 7):
        if len(code) >= n:
            part = code[:n]
            label = rows[part].label if part in rows else (table.get(part) or [""])[0]
            out += words(label)
    return tuple(out)


def match(subject: str, context: str, rows: dict[str, Row], table: dict[str, list[str]],
          min_score: Decimal) -> Match | None:
    """The one row a printed item name names, or None when unsure."""
    name = clean(subject)
    marked, rest = _segments(name)
    level = marked[-1][1] if marked and not clean(rest) else None
    printed = words("".join(n for n, _ in marked) + rest)
    if not printed:
        return None
    parent = _context_class(context, rows) if not marked or marked[0][1] != 3 else None
    best: list[Match] = []
    for code, row in rows.items():
        if level and len(code) != level:
            continue
        if parent and not code.startswith(parent):
            continue
        pool = _path_words(code, rows, table)
        if not all(_covered(w, pool) for w in printed):
            continue
        own = words(row.label)
        if not own:
            continue
        score = Decimal(sum(1 for w in own if _covered(w, printed))) / Decimal(len(own))
        if score < min_score:
            continue
        exact = score == 1 and (not marked or _marked_fit(marked, code, rows, table))
        m = Match(row, score, exact)
        if not best or score > best[0].score:
            best = [m]
        elif score == best[0].score:
            best.append(m)
    if len(best) != 1:
        return None
    return best[0]


def _marked_fit(marked: list[tuple[str, int]], code: str, rows: dict[str, Row], table) -> bool:
    """Each marked name is the name of the code's own ancestor at that level."""
    for name, n in marked:
        if set(words(name)) - set(_path_words(code[:n], rows, table)):
            return False
    return True


def _context_class(context: str, rows: dict[str, Row]) -> str | None:
    """A class (3-digit row) whose name the sentence prints before the item."""
    found = [code for code, r in rows.items() if len(code) == 3 and r.label and
             regex.sub(r"支出$", "", r.label) in context]
    return found[0] if len(found) == 1 else None


def relations(rule: CheckRule, params: Params, facts: FactBase) -> Iterator[Relation]:
    rows = table_rows(facts)
    if not rows:
        return
    table = facts.catalogue.classification.get("function", {})
    min_score = Decimal(str(params.min_score))
    for s in facts.sentences:
        for c in s.claims:
            if not _candidate(c):
                continue
            context = s.text[:c.number.start]
            m = match(c.subject, context, rows, table, min_score)
            if m is None:
                continue
            yield from _judge(c, m, s.section)


def _candidate(c: Claim) -> bool:
    return (c.source == "narrative" and c.kind == "amount" and c.role == "current"
            and c.direction is None and c.unit in MONEY_UNITS and bool(c.subject)
            and not _PARTIAL.search(c.subject))


def _judge(c: Claim, m: Match, section: tuple[str, ...]) -> Iterator[Relation]:
    """The amount matches no cell of the row in any table (observed: the kind compared it with
    every cell, and the name-to-row match is its own judgement). Nothing is marked compared:
    a row matched by words is no proof that the figure was checked."""
    stated = in_wan(c)
    if not m.row.shown or any(iv.overlaps(stated) and not iv.touches(stated) for iv, _ in m.row.cells):
        return
    cut = Interval.truncated(abs(c.value), c.number.decimals)
    cut = money_in(cut, c.unit or "万元", "万元")
    truncated = any(iv.overlaps(cut) and not iv.touches(cut) for iv, _ in m.row.cells)
    last_digit = any(iv.touches(stated) for iv, _ in m.row.cells)
    severity = None if (m.exact and not truncated and not last_digit) else "warning"
    shown = "、".join(q + (u if u != "万元" else "") for q, _, _, u in m.row.shown)
    text, _, iv, unit = m.row.shown[0]
    expected = f"{text}万元" if unit == "万元" else f"{text}{unit}（{fmt(iv.mid, 2)}万元）"
    note = ("（表中数按万元截尾而非四舍五入才相符）" if truncated else
            "（两数只差末位一个单位）" if last_digit else "")
    yield Relation(
        "observed", Operand.of(c, "stated", stated),
        tuple(Operand("table", v, ev, None, q) for q, ev, v, _ in m.row.shown),
        values={"subject": c.subject, "code": m.row.code, "row": m.row.label,
                "score": f"{m.score:.2f}", "match": "完全一致" if m.exact else "按词近似",
                "table_value": shown, "note": note},
        severity=severity,
        expected_text=expected,
        arithmetic=f"“{clean(c.subject)}”≈{m.row.code} {m.row.label}（词匹配得分{m.score:.2f}）；"
                   f"表中为{shown}{note}",
        section=section,
        key=(c.location.line, c.location.start),
        derived=False,
        verifies=(),
    )
