"""Project self-evaluation forms (项目支出绩效自评表) against the narrative that summarises them.

A form is read by its key cells, not by column position, because form layouts differ
by region: the first number after a key cell (项目预算金额, 实际执行金额, 总分,
项目执行情况（10分）) in the same row — or inside the same cell — is its value.
A narrative paragraph that states a project's 全年预算数 and a 得分 is linked to the one
form whose budget it equals; then its score must equal the form's 总分 and its
executed amount the form's executed amount. The execution score is compared with
weight × 执行率 as a warning, since forms state their scoring rule only loosely.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterator

import regex

from auditor.checks.kind import RULE_TIMEOUT
from auditor.checks.facts import FactBase, fmt, in_wan
from auditor.checks.relation import Operand, Readings, Relation
from auditor.claims.model import Claim
from auditor.interval import Interval
from auditor.model import Cell, Evidence, Table
from pydantic import Field

from auditor.rules_model import CheckRule, StrictModel, pattern_param

NAME = "form_link"
PLACEHOLDERS = {"what", "form_line"}


class Params(StrictModel):
    title: str | None = pattern_param(None, "自评表标题")
    keys: dict[str, str] = pattern_param(description="键单元格的正则：budget / executed / score / execution_score")
    columns: dict[str, str] = pattern_param(default_factory=dict, description="资金表列名的正则")

_TOTAL_ROW = regex.compile(r"^(合计|总计|年度资金总额)$")
_NUMBER_IN_CELL = regex.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*$")
_WS = regex.compile(r"\s+")
_HAN = regex.compile(r"\p{Han}")
_WEIGHT = regex.compile(r"[（(](\d+(?:\.\d+)?)分[)）]")


@dataclass
class _Value:
    cell: Cell
    quote: str
    value: Decimal
    decimals: int

    @property
    def interval(self) -> Interval:
        return Interval.rounded(self.value, self.decimals)

    def evidence(self, role: str) -> Evidence:
        loc = self.cell.location
        offset = self.cell.text.find(self.quote)
        start = loc.start + max(offset, 0)
        return Evidence(self.quote, loc.line, loc.page, start, start + len(self.quote), role)


@dataclass
class _Form:
    title_line: int
    values: dict[str, _Value] = field(default_factory=dict)
    weights: dict[str, Decimal] = field(default_factory=dict)
    end_line: int = 0  # one past the last line of the form's last table


def _number(cell: Cell) -> _Value | None:
    text = cell.text.strip()
    if cell.value is not None and not text.endswith("%"):
        return _Value(cell, text, Decimal(cell.value), len(text.replace(",", "").partition(".")[2]))
    m = _NUMBER_IN_CELL.search(text)
    if m and _HAN.search(text[:m.start()]):  # "实际执行金额 (万元) 200.00"
        q = m.group(1)
        return _Value(cell, q, Decimal(q), len(q.partition(".")[2]))
    return None


def _column_values(table: Table, columns: dict[str, regex.Pattern[str]], form: "_Form") -> None:
    """Forms laid out as a funds table: the first row's 全年预算数 / 全年执行数."""
    for key, pattern in columns.items():
        if key in form.values:
            continue
        j = next((k for k, name in enumerate(table.columns) if pattern.search(name.rsplit("/", 1)[-1], timeout=RULE_TIMEOUT)), None)
        if j is None:
            continue
        rows = sorted(table.rows, key=lambda r: not _TOTAL_ROW.search(_WS.sub("", r.label)))
        for row in rows:
            if j < len(row.cells) and (v := _number(row.cells[j])) is not None:
                form.values[key] = v
                break


def _forms(tables: list[Table], keys: dict[str, regex.Pattern[str]], start: regex.Pattern[str],
           columns: dict[str, regex.Pattern[str]]) -> list[_Form]:
    forms: list[_Form] = []
    hits: dict[tuple[str, str], bool] = {}  # (key, label) → its pattern matches: labels repeat across forms
    for table in tables:
        first_label = _WS.sub("", table.rows[0].cells[0].text) if table.rows and table.rows[0].cells else ""
        # a form opens with its name row; its later parts (goals, indicators) repeat the title
        if first_label in ("项目名称", "单位名称") or (not forms and start.search(table.title or "", timeout=RULE_TIMEOUT)):
            forms.append(_Form(table.location.line))
        if not forms:
            continue
        form = forms[-1]
        form.end_line = table.line_end + 1
        _column_values(table, columns, form)
        for row in table.rows:
            for i, cell in enumerate(row.cells):
                label = _WS.sub("", cell.text)
                for key, pattern in keys.items():
                    if key in form.values:
                        continue
                    hit = hits.get((key, label))
                    if hit is None:
                        hit = hits[(key, label)] = pattern.search(label, timeout=RULE_TIMEOUT) is not None
                    if not hit:
                        continue
                    inline = _number(cell) if cell.value is None else None
                    found = inline or next((v for c in row.cells[i + 1:] if (v := _number(c))), None)
                    if found:
                        form.values[key] = found
                        weight = _WEIGHT.search(label)
                        if weight:
                            form.weights[key] = Decimal(weight.group(1))
    return [f for f in forms if "budget" in f.values]


def _summary(claims: list[Claim]) -> dict[str, Claim]:
    """The figures one narrative paragraph (its claims, in order) gives for a project."""
    out: dict[str, Claim] = {}
    for c in claims:
        if c.kind == "score" and "score" not in out:
            out["score"] = c
        elif c.kind == "amount" and c.role == "budget_full" and "budget" not in out:
            out["budget"] = c
        elif c.kind == "amount" and c.role == "current" and "executed" not in out and "budget" in out:
            out["executed"] = c
        elif c.kind == "rate" and c.rate_kind == "execution" and "rate" not in out:
            out["rate"] = c
    return out


def _form_operand(v: _Value, role: str) -> Operand:
    """A form's key cell as an operand (its quote may be the number inside a labelled cell)."""
    return Operand(role, v.interval, v.evidence(role), None, v.quote, decimals=v.decimals)


def relations(rule: CheckRule, params: Params, facts: FactBase) -> Iterator[Relation | Readings]:
    keys = {k: regex.compile(v) for k, v in params.keys.items()}
    columns = {k: regex.compile(v) for k, v in params.columns.items()}
    title = params.title if params.title is not None else "自评表"
    forms = _forms(facts.document.tables, keys, regex.compile(title), columns)
    if not forms:
        return
    yield from _text_in_forms(facts, forms)
    by_line: dict[int, list[Claim]] = {}  # narrative claims per line, in claim order
    for c in facts.claims:
        if c.source == "narrative":
            by_line.setdefault(c.location.line, []).append(c)
    lines = sorted({c.location.line for c in facts.claims if c.kind == "score" and c.source == "narrative"})
    for line in lines:
        s = _summary(by_line[line])
        if "score" not in s or "budget" not in s:
            continue
        budget = in_wan(s["budget"])
        matches = [f for f in forms if f.values["budget"].interval.overlaps(budget)]
        if len(matches) != 1:
            continue
        form = matches[0]
        # the link itself: the paragraph's 全年预算数 is the form's (it holds; marks it compared)
        yield Relation("equal", Operand.of(s["budget"], "link", budget), (_form_operand(form.values["budget"], "form"),),
                       section=s["budget"].section, key=("link", s["budget"].id))
        yield from _summary_against_form(s, form)
        yield from _execution_score(s, form)


def _summary_against_form(s: dict[str, Claim], form: _Form) -> Iterator[Relation]:
    """The paragraph's 得分 and 执行数 = the linked form's 总分 and executed amount."""
    link = s["budget"]
    for key, what in (("score", "总分"), ("executed", "执行数")):
        mine, theirs = s.get(key), form.values.get(key)
        if mine is None or theirs is None:
            continue
        value = in_wan(mine) if key == "executed" else mine.interval
        if key == "score" and mine.number.decimals == 0 and theirs.decimals == 0:
            value = Interval.exact(mine.value)  # whole-number scores are given, not rounded
        yield Relation(
            "equal", Operand.of(mine, "stated", value), (_form_operand(theirs, "form"),),
            section=mine.section, key=(key, mine.id), boundary=True, extra=(link.evidence("link"),),
            values={"what": what, "form_line": str(theirs.cell.location.line)},
            expected_text=theirs.quote,
            arithmetic=f"叙述{mine.quote}（第{mine.location.line}行）≠ 自评表{theirs.quote}"
                       f"（第{theirs.cell.location.line}行）；按全年预算数{link.quote}对应该表",
        )


def _text_in_forms(facts: FactBase, forms: list[_Form]) -> Iterator[Relation]:
    """A form's own prose (预期目标, 实际完成情况) restating its 全年预算数."""
    for c in facts.claims:
        if c.source != "narrative" or c.kind != "amount" or c.role != "budget_full":
            continue
        form = next((f for f in forms if f.title_line <= c.location.line < f.end_line), None)
        if form is None or c.location.line < min(v.cell.location.line for v in form.values.values()):
            continue
        theirs = form.values["budget"]
        yield Relation(
            "equal", Operand.of(c, "stated"), (_form_operand(theirs, "form"),),
            section=c.section, key=("text", c.id), boundary=True,
            values={"what": "全年预算数", "form_line": str(theirs.cell.location.line)},
            expected_text=theirs.quote,
            arithmetic=f"表内文字{c.quote}（第{c.location.line}行）≠ 表中全年预算数{theirs.quote}"
                       f"（第{theirs.cell.location.line}行）",
        )


def _execution_score(s: dict[str, Claim], form: _Form) -> Iterator[Readings]:
    """The form's 预算执行得分 = weight × 执行率, read exactly or rounded to a whole score; forms
    state their scoring rule only loosely, so a miss is a warning."""
    score, rate = form.values.get("execution_score"), s.get("rate")
    weight = form.weights.get("execution_score")
    if score is None or rate is None or weight is None:
        return
    frac = rate.interval.scale(Decimal("0.01"))
    proportional = Interval.exact(weight) * frac
    whole = Interval(proportional.lo.to_integral_value(rounding="ROUND_HALF_UP"),
                     proportional.hi.to_integral_value(rounding="ROUND_HALF_UP"))
    rate_ev = rate.evidence("rate")
    stated = _form_operand(score, "stated")
    readings = tuple(Relation(
        "equal", stated, (Operand("expected", iv, None, None, f"{fmt(weight, 0)}分 × {rate.quote}"),),
        section=rate.section, key=("execution_score", score.cell.location.start), extra=(rate_ev,),
        values={"what": "预算执行得分", "form_line": str(score.cell.location.line)},
        severity="warning", expected_text=fmt(weight * rate.value / 100),
        arithmetic=f"{fmt(weight, 0)}分 × {rate.quote} = {fmt(weight * rate.value / 100, 3)}，表中得分{score.quote}",
        verifies=(rate.id,),
    ) for iv in (proportional, whole))
    yield Readings(readings, always=(rate.id,))
