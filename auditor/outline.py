"""Headings, blocks and document facts (family, year, unit name).

Headings follow the national templates: 第X部分 (1), 一、 (2), （一） (3), 1. / 1、 / （1） (4),
table titles such as 表一： / 公开01表 / 收入支出决算总表 (5). Lines that end like a sentence
are list items carrying claims, not headings; a table of contents produces no headings.
Everything here is decided from the text, never from a file name.
"""

from __future__ import annotations

from collections import Counter

import regex

from auditor.headings import PART, clean_heading, heading_level, is_toc_line
from auditor.model import Block, Document, Family, Heading, Location, Table

_TOC_TITLE = regex.compile(r"^目\s*录$")


def toc_lines(lines: list[str]) -> set[int]:
    """0-based indices of table-of-contents lines (a 目录 block, or dotted lines ending in a page)."""
    out: set[int] = set()
    in_toc = False
    for i, ln in enumerate(lines):
        t = ln.strip()
        if _TOC_TITLE.match(t):
            in_toc = True
            out.add(i)
            continue
        if is_toc_line(ln):
            out.add(i)
            continue
        if in_toc and t:
            in_toc = False
    return out


def find_headings(lines: list[str], skip: set[int] | None = None, toc: set[int] | None = None) -> list[Heading]:
    """Headings in order, skipping table lines and the table of contents (`toc`: toc_lines(lines), when known)."""
    skip = (skip or set()) | (toc_lines(lines) if toc is None else toc)
    out = []
    for i, ln in enumerate(lines):
        if i in skip:
            continue
        lvl = heading_level(ln)
        if lvl is not None:
            out.append(Heading(clean_heading(ln), lvl, i + 1))
    return out


def build_blocks(doc: Document, tables: list[Table], toc: set[int] | None = None) -> list[Block]:
    """Paragraph blocks for non-blank lines outside tables, one table block per table, with sections."""
    lines = doc.lines
    starts, pos = [], 0
    for ln in lines:
        starts.append(pos)
        pos += len(ln) + 1
    in_table: dict[int, Table] = {}
    covered: set[int] = set()
    for t in tables:
        in_table[t.location.line - 1] = t
        covered.update(range(t.location.line - 1, t.line_end))
    headings = find_headings(lines, covered, toc)
    by_line = {h.line: h for h in headings}
    stack: list[Heading] = []
    blocks: list[Block] = []
    for i, ln in enumerate(lines):
        section = tuple(h.text for h in stack)
        if i in in_table:
            t = in_table[i]
            t.section = section
            text = doc.text[t.location.start : t.location.end]
            blocks.append(Block("table", text, t.location, t.line_end, section, t))
            continue
        if i in covered or not ln.strip():
            continue
        blocks.append(Block("paragraph", ln, Location(i + 1, starts[i], starts[i] + len(ln)), i + 1, section))
        h = by_line.get(i + 1)
        if h is not None:
            stack = [s for s in stack if s.level < h.level] + [h]
    doc.headings = headings
    return blocks


# ---------------------------------------------------------------- document facts

_SELF = regex.compile(r"绩效自评(报告|表)|自评报告|绩效评价报告")
_YEAR = regex.compile(r"((?:19|20)\d{2})\s*年")
_ORG_END = regex.compile(r"(局|厅|委|院|部|会|办|室|所|站|队|中心|馆|校|处|府|团|社|公司|分局|大队|支队|医院|学校|委员会)$")
_NAME_LABEL = regex.compile(r"(?:部门名称|单位名称|编制部门|填报部门|预算单位|填报单位|单位（盖章）|单位\(盖章\))\s*[：:]\s*([^\s：:]{2,40})")
_BUDGET_TITLE = regex.compile(r"部门预算|单位预算|预算公开|预算表")
# a 三公 page that reports what was spent (支出情况, 使用情况) is a final account's part; one
# that gives a 预算 or 控制数 is a budget's
_SANGONG_SPENT = regex.compile(r"三公.{0,8}(?:支出|使用|执行)(?:情况|说明)")
_YEAR_MONTH = regex.compile(r"\d{4}\s*年\s*\d{1,2}\s*月")
_YEAR_PATTERNS = (regex.compile(r"((?:19|20)\d{2})\s*年度"), regex.compile(r"((?:19|20)\d{2})\s*年"))
_UNIT_IN_TITLE = regex.compile(
    r"^(.{2,40}?)(?:\s*(?:19|20)\d{2}\s*年度?)?\s*(?:部门|单位)?(?:整体支出)?(?:决算|预算|绩效自评报告|项目支出绩效)")
_YEAR_TITLE = regex.compile(r"^(?:19|20)\d{2}\s*年度?.*(决算|预算)")


def _title_lines(doc: Document, limit: int = 15, toc: set[int] | None = None) -> list[str]:
    """Short non-blank lines near the top, then level-1 headings: where a title says what the document is."""
    out: list[str] = []
    lines = doc.lines
    if toc is None:
        toc = toc_lines(lines)
    for i, ln in enumerate(lines):
        t = clean_heading(ln)
        if i in toc or not t or "\t" in ln:
            continue
        if len(t) <= 50:
            out.append(t)
        if len(out) >= limit:
            break
    out += [h.text for h in doc.headings if h.level == 1 and h.text not in out]
    return out


def detect_family(doc: Document, titles: list[str] | None = None) -> Family:
    """final_accounts (决算), budget (预算 without 决算) or self_evaluation (绩效自评报告 / 自评表 as title).

    `titles`: `_title_lines(doc)` when the caller has it already (the same for every detector).
    """
    for t in _title_lines(doc) if titles is None else titles:
        if _SELF.search(t):
            return "self_evaluation"
        if "决算" in t:
            return "final_accounts"
        if "预算" in t and (_BUDGET_TITLE.search(t) or "三公" in t):
            return "budget"
        if _SANGONG_SPENT.search(t) and "预算" not in t and "控制数" not in t:
            return "final_accounts"
    titles = [t.title or "" for t in doc.tables]
    counts = Counter(
        "final_accounts" if "决算" in x else "budget" if "预算" in x else "self_evaluation" if _SELF.search(x) else "unknown"
        for x in titles
    )
    counts.pop("unknown", None)
    if counts:
        return counts.most_common(1)[0][0]  # type: ignore[return-value]
    return "unknown"


def detect_year(doc: Document, titles: list[str] | None = None) -> int | None:
    """The fiscal year from the title lines, else the most frequent "20XX年度" in the text."""
    for t in _title_lines(doc) if titles is None else titles:
        m = _YEAR.search(t)
        if m and not _YEAR_MONTH.search(t):
            return int(m.group(1))
    for pat in _YEAR_PATTERNS:
        c = Counter(pat.findall(doc.text))
        if c:
            return int(c.most_common(1)[0][0])
    return None


def detect_unit_name(doc: Document, titles: list[str] | None = None) -> str | None:
    """The department from "部门名称：…"-style lines or table cells, else from the title line."""
    for ln in doc.lines:
        m = _NAME_LABEL.search(ln)
        if m:
            return m.group(1)
    for t in doc.tables:
        for row in t.rows:
            texts = [c.text for c in row.cells if c.text]
            if row.label in ("单位名称", "部门名称") and len(texts) >= 2:
                return texts[1].strip()
        for hr in t.header_rows:
            texts = [c.text.strip() for c in hr if c.text.strip()]
            if len(texts) >= 2 and texts[0] in ("单位名称", "部门名称"):
                return texts[1]
    if titles is None:
        titles = _title_lines(doc)
    for k, t in enumerate(titles):
        t = PART.sub("", t).strip()
        m = _UNIT_IN_TITLE.match(t)
        if m and _ORG_END.search(m.group(1).strip()):
            return m.group(1).strip()
        if _YEAR_TITLE.match(t) and k > 0 and _ORG_END.search(titles[k - 1]):
            return titles[k - 1]
    return None


def build_outline(doc: Document, tables: list[Table]) -> Document:
    """Fill blocks, headings, family, year and unit name of a decoded Document (in place)."""
    toc = toc_lines(doc.lines)  # once: headings and title lines both skip the table of contents
    doc.blocks = build_blocks(doc, tables, toc)
    titles = _title_lines(doc, toc=toc)  # after the headings are known; the same for each detector
    doc.family = detect_family(doc, titles)
    doc.year = detect_year(doc, titles)
    doc.unit_name = detect_unit_name(doc, titles)
    return doc
