"""A classification code and the name printed with it must agree (政府收支分类科目).

Short names repeat across classes (行政运行 exists under many 款), so a name is
only ever compared with a full code, and a mismatch is reported only when the
printed name is the name of a *different* code at the same level and under the
same parent: a paraphrase or an abbreviation is not an error.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Iterator

import regex
import yaml

from pydantic import Field

from auditor.checks.facts import FactBase
from auditor.checks.kind import Kind
from auditor.checks.relation import Operand, Relation
from auditor.model import Evidence
from auditor.rulefile import RULES_DIR
from auditor.rules_model import CheckRule, StrictModel


class CodeLabelParams(StrictModel):
    section: str = Field("function", json_schema_extra={"classification": True},
                         description="data/classification.yaml 中的分类（function：功能分类科目）")


class CodeTableParams(CodeLabelParams):
    min_rows: int = Field(2, description="一张表中至少几行编码与名称不符（且名称是同级另一编码的名称）才提示")

_BRACKETED = regex.compile(
    r"(?P<cname>\p{Han}{2,}?)[（(](?P<cls>\d{3})类[）)]"
    r"(?:(?P<kname>\p{Han}{2,}?)[（(](?P<kuan>\d{2})款[）)])?"
    r"(?:(?P<xname>\p{Han}{2,}?)(?:支出)?[（(](?P<xiang>\d{2})项[）)])?"
)
_INLINE = regex.compile(r"(?<!\d)(?P<code>\d{7}|\d{5})(?:类|款|项)?(?P<name>\p{Han}{2,})")


_BRACKETS = regex.compile(r"[（(][^）)]*[）)]")
_SPENDING = regex.compile(r"支出$")


@lru_cache(maxsize=8192)
def _norm(name: str) -> str:
    return _SPENDING.sub("", _BRACKETS.sub("", name).strip())


def _matches(printed: str, official: list[str]) -> bool:
    p = _norm(printed)
    for o in official:
        o = _norm(o)
        if p == o or p.startswith(o) or o.startswith(p) or p.endswith(o):
            return True
    return False


def _rival(printed: str, code: str, table: dict[str, list[str]]) -> str | None:
    """Another code at the same level and under the same parent whose name is the printed one."""
    p = _norm(printed)
    parent = code[:-2] if len(code) > 3 else ""
    for other, names in table.items():
        if other == code or len(other) != len(code) or not other.startswith(parent):
            continue
        if any(_norm(n) == p or p.startswith(_norm(n)) for n in names):
            return other
    return None


def code_label(rule: CheckRule, params: CodeLabelParams, facts: FactBase) -> Iterator[Relation]:
    """A printed name against the official names of its code. Only a name that is another
    code's (same level, same parent) is yielded: a paraphrase matches no official name exactly
    and would fail `label_is`, yet it is no error."""
    table = facts.catalogue.classification.get(params.section, {})
    if not table:
        return
    for s in facts.sentences:
        for m in _BRACKETED.finditer(s.text):
            levels = [("cname", m.group("cls"))]
            if m.group("kuan"):
                levels.append(("kname", m.group("cls") + m.group("kuan")))
                if m.group("xiang"):
                    levels.append(("xname", m.group("cls") + m.group("kuan") + m.group("xiang")))
            for group, code in levels:
                yield from _judge(s, m, group, code, table)
        for m in _INLINE.finditer(s.text):
            yield from _judge(s, m, "name", m.group("code"), table)


def _judge(s, m, group: str, code: str, table: dict[str, list[str]]) -> Iterator[Relation]:
    official = table.get(code)
    printed = m.group(group)
    if not official or _matches(printed, official):
        return
    rival = _rival(printed, code, table)
    if rival is None:
        return
    quote = s.text[m.start(group):m.end()]
    start = s.location.start + m.start(group)
    ev = Evidence(quote, s.location.line, s.location.page, start, start + len(quote), "stated")
    yield Relation(
        "label_is", Operand.labelled(printed, "stated", ev),
        tuple(Operand.labelled(name, "official") for name in official),
        section=s.section, key=(s.location.line, m.start(group)),
        values={"code": code, "printed": printed, "official": official[0], "rival": rival,
                "rival_name": table[rival][0]},
        stated_text=f"{printed}（{code}）", expected_text=f"{code} {official[0]}",
        arithmetic=f"{code} = {official[0]}；{printed} = {rival}",
    )


# --- a name marked with the wrong level: "行政事业单位离退休（类）" is a 款 (20805) -------------

_MARK = regex.compile(r"(?P<name>\p{Han}{2,}?)[（(](?P<level>类|款|项)[）)]"
                      r"(?:(?P<next>\p{Han}{2,}?)[（(](?:类|款|项)[）)])?")
_DIGITS = {"类": 3, "款": 5, "项": 7}
_LEVEL_NAME = {3: "类", 5: "款", 7: "项"}


def _levels_of(name: str, table: dict[str, list[str]]) -> set[int]:
    """The levels at which some code carries exactly this name (支出 and brackets aside)."""
    p = _norm(name)
    return {len(code) for code, names in table.items() if any(_norm(n) == p for n in names)}


def code_level(rule: CheckRule, params: CodeLabelParams, facts: FactBase) -> Iterator[Relation]:
    """One warning per document listing every name marked （类） that is the name of a 款 (or 项)
    and of no class. Only （类） is judged: the list of classes is complete, that of 款 and 项 is not.
    The marks are judged here (observed): one relation gathers all of them, as one warning."""
    table = facts.catalogue.classification.get(params.section, {})
    evidence, pairs = [], []
    for s in facts.sentences:
        for m in _MARK.finditer(s.text):
            marked = _DIGITS[m.group("level")]
            if marked != 3 or m.group("name").startswith("其他"):
                # only the class list is complete; 其他…支出 names a 款 and its 99 项 alike
                continue
            levels = _levels_of(m.group("name"), table)
            if not levels or marked in levels or len(levels) != 1:
                continue
            real = levels.pop()
            quote = s.text[m.start("name"):m.end()]
            start = s.location.start + m.start("name")
            evidence.append(Evidence(quote, s.location.line, s.location.page, start, start + len(quote), "stated"))
            pairs.append(f"{m.group('name')}标为（{m.group('level')}），实为{_LEVEL_NAME[real]}")
    if not evidence:
        return
    shown = "；".join(dict.fromkeys(pairs))
    yield Relation("observed", Operand.labelled(evidence[0].quote, "stated", evidence[0]), extra=tuple(evidence[1:]),
                   values={"pairs": shown, "count": str(len(evidence))}, expected_text=shown, arithmetic=shown,
                   key=("code_level",), derived=False)


# --- a name that was right once: 210 医疗卫生与计划生育支出 before 2019 ----------------------


@lru_cache(maxsize=4)
def _renames(path: str) -> dict[str, dict[str, list[dict]]]:
    p = Path(path)
    return yaml.safe_load(p.read_text("utf-8")) if p.exists() else {}


def code_outdated(rule: CheckRule, params: CodeLabelParams, facts: FactBase) -> Iterator[Relation]:
    """An old name of a code in a document of a year after the rename (rules/data/renames.yaml),
    when the document also prints the current name: the old print is the stated label, the
    current name in the document's own table row the one it should be."""
    year = facts.document.year
    renames = _renames(str(RULES_DIR / "data" / "renames.yaml")).get(params.section) or {}
    if not year:
        return
    for code, entries in renames.items():
        for e in entries or []:
            if year < int(e["from"]):
                continue
            ev = _first_print(facts, str(e["name"]))
            if ev is None:
                continue
            current = _row_print(facts, str(code), str(e["current"]))
            if current is None:
                # a document that keeps the old name throughout used an old template's names:
                # only a document that prints both names contradicts itself
                continue
            yield Relation(
                "label_is", Operand.labelled(str(e["name"]), "stated", ev),
                (Operand.labelled(str(e["current"]), "official", current),),
                values={"code": str(code), "printed": str(e["name"]), "official": str(e["current"]),
                        "since": str(e["from"]), "year": str(year)},
                expected_text=f"{code} {e['current']}",
                arithmetic=f"{code}自{e['from']}年起名为{e['current']}；本文件为{year}年度",
                key=("code_outdated", str(code)), derived=False)


def _first_print(facts: FactBase, name: str) -> Evidence | None:
    """Where the narrative (else a table cell) first prints the name, with a level mark if any."""
    for sent in facts.sentences:
        m = regex.search(regex.escape(name) + r"(?:[（(](?:类|款|项)[）)])?", sent.text)
        if m:
            start = sent.location.start + m.start()
            return Evidence(m.group(), sent.location.line, sent.location.page, start,
                            start + len(m.group()), "stated")
    for t in facts.document.tables:
        for r in t.rows:
            for cell in r.cells:
                if name in cell.text:
                    loc = cell.location
                    return Evidence(cell.text.strip(), loc.line, loc.page, loc.start, loc.end, "table")
    return None


def _row_print(facts: FactBase, code: str, name: str) -> Evidence | None:
    """A table row where the document itself prints the code with its current name."""
    for t in facts.document.tables:
        for r in t.rows:
            if r.code == code and _norm(r.label) == _norm(name):
                loc = r.location
                return Evidence(f"{code} {r.label}", loc.line, loc.page, loc.start, loc.end, "table")
    return None


# --- table rows: a misprinted class digit, codes numbered serially -------------------------


def _printed_code(r) -> str:
    """The code cells of a row as printed ("7 11 02"), the label cells left out."""
    parts = []
    for cell in r.cells:
        t = cell.text.strip()
        if not t:
            continue
        if not t.isdigit():
            break
        parts.append(t)
    return " ".join(parts)


def code_table(rule: CheckRule, params: CodeTableParams, facts: FactBase) -> Iterator[Relation]:
    """Rows of classification tables whose printed code is not the code of their name (observed:
    the rows are judged here, and each warning gathers the rows of one code or one table)."""
    table = facts.catalogue.classification.get(params.section, {})
    if not table:
        return
    tables = [t for t in facts.document.tables if not t.misread]
    if params.section == "function":
        yield from _misprinted_class(tables, table)
    for t in tables:
        yield from _serial_codes(t, table, params.min_rows)


def _row_evidence(r, printed: str) -> Evidence:
    loc = r.location
    return Evidence(f"{printed} {r.label}", loc.line, loc.page, loc.start, loc.end, "table")


def _rows(evidence: list[Evidence]) -> Operand:
    """The first row as the stated operand; `extra=` carries the others."""
    return Operand.labelled(evidence[0].quote, "row", evidence[0])


def _misprinted_class(tables, table: dict[str, list[str]]) -> Iterator[Relation]:
    """"7 | 11 | 02 事业单位医疗" under 210 | 11: the 类 cell lost digits; the name says 2101102.
    One warning per code, citing every table that prints it so."""
    found: dict[str, list[tuple[object, str]]] = {}
    for t in tables:
        last5 = None
        for r in t.rows:
            if r.code and len(r.code) >= 5:
                last5 = r.code[:5]
            parts = _printed_code(r).split()
            if r.code or len(parts) != 3 or last5 is None or parts[1] != last5[3:]:
                continue
            if len(parts[0]) == 3 or len(parts[2]) != 2:
                continue
            meant = last5 + parts[2]
            if meant in table and _matches(r.label, table[meant]):
                found.setdefault(meant, []).append((r, " ".join(parts)))
    for meant, rows in found.items():
        r, printed = rows[0]
        evidence = [_row_evidence(row, p) for row, p in rows]
        yield Relation("observed", _rows(evidence), extra=tuple(evidence[1:]),
                       values={"code": meant, "printed": printed, "official": table[meant][0],
                               "rival": "", "rival_name": ""},
                       stated_text=f"{printed} {r.label}",
                       expected_text=f"{meant[:3]} {meant[3:5]} {meant[5:]} {r.label}",
                       arithmetic=f"{r.label}是{meant}（{meant[:3]}类{meant[3:5]}款{meant[5:]}项），"
                                  f"类编码印为{printed.split()[0]}（{len(rows)}处）",
                       key=("misprinted", meant), derived=False)


def _serial_codes(t, table: dict[str, list[str]], min_rows: int) -> Iterator[Relation]:
    """Several 款 of one table named as another code of the same parent: codes numbered 01, 02…
    rather than taken from the classification. One warning per table."""
    wrong: list[tuple[object, str, str, str]] = []
    for r in t.rows:
        code = r.code
        if not (code and code.isdigit() and len(code) in (5, 7)) or code not in table:
            continue
        if _matches(r.label, table[code]):
            continue
        rival = _rival(r.label, code, table)
        if rival:
            wrong.append((r, code, rival, _printed_code(r)))
    if len(wrong) < min_rows:
        return
    listed = "；".join(f"{code}印为“{r.label}”（应为{table[code][0]}；{r.label}是{rival}）"
                      for r, code, rival, _ in wrong)
    evidence = [_row_evidence(r, p or code) for r, code, _, p in wrong]
    yield Relation("observed", _rows(evidence), extra=tuple(evidence[1:]),
                   values={"code": wrong[0][1], "printed": wrong[0][0].label, "official": table[wrong[0][1]][0],
                           "rival": wrong[0][2], "rival_name": table[wrong[0][2]][0]},
                   stated_text=f"{len(wrong)}行", expected_text="按分类科目编码", arithmetic=listed,
                   key=("serial", t.location.start), derived=False)


_CODE_FIELDS = frozenset({"code", "printed", "official", "rival", "rival_name"})
KINDS = (
    Kind("code_label", code_label, CodeLabelParams, _CODE_FIELDS,
         "A classification code and the name printed with it must agree (政府收支分类科目)."),
    Kind("code_level", code_level, CodeLabelParams, frozenset({"pairs", "count"}),
         "A name marked （类） that is the name of a 款 or 项 and of no class."),
    Kind("code_outdated", code_outdated, CodeLabelParams,
         frozenset({"code", "printed", "official", "since", "year"}),
         "An old name of a code in a document of a year after the rename."),
    Kind("code_table", code_table, CodeTableParams, _CODE_FIELDS,
         "Rows of classification tables whose printed code is not the code of their name."),
)
