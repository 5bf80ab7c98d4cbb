"""Find tables in decoded text and parse them into `Table` objects.

Two layouts reach us as text:

* Layout A (from DOCX): one cell per line with a leading TAB, a blank line between rows.
  A horizontally merged cell is one cell (the row is shorter); a vertically merged cell's
  continuation is an empty cell. A cell may run on over following lines without a TAB
  (multi-paragraph cells): such lines belong to the previous cell when TAB lines resume
  after them, separated by at most one blank line each, and none of them looks like a
  heading, a table title or a note. Two or more blank lines end a table.
* Layout B (from PDF/XLSX): one row per line, cells separated by TABs; empty cells keep
  the grid. A single blank line (page break) inside a table is allowed; a row of dashes is
  a separator.

Every cell keeps its exact place: `doc.text[cell.location.start:cell.location.end] == cell.text`.
Odd tables never raise: they fall back to generic column names (col1, col2, ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import regex

from auditor.cells import CODE_NAME, is_blank, norm_label, parse_value, split_code_label
from auditor.headings import heading_level, is_toc_line
from auditor.model import Cell, Location, Table, TableRow
from auditor.table_arith import mark_misread

_DIGITS = regex.compile(r"^\d+$")


# ---------------------------------------------------------------- raw scanning


@dataclass
class _Raw:
    text: str
    line: int  # 1-based
    start: int
    end: int

    def cell(self, value: Decimal | None | bool = True) -> Cell:
        v = parse_value(self.text) if value is True else (value or None)
        return Cell(self.text, Location(self.line, self.start, self.end), v)


@dataclass
class _Region:
    layout: str  # "A" or "B"
    first: int  # 0-based first line
    last: int  # 0-based last line (inclusive)
    rows: list[list[_Raw]] = field(default_factory=list)
    content: list[list[_Raw]] | None = None  # layout B: the rows without separator rows


class _Text:
    """Lines of Document.text with their start offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.split("\n")
        self.starts: list[int] = []
        pos = 0
        for ln in self.lines:
            self.starts.append(pos)
            pos += len(ln) + 1

    def raw(self, i: int, a: int, b: int) -> _Raw:
        """The stripped cell between columns a and b of line i (0-based)."""
        seg = self.lines[i][a:b]
        lead = len(seg) - len(seg.lstrip())
        body = seg.strip()
        s = self.starts[i] + a + lead
        return _Raw(body, i + 1, s, s + len(body))

    def line_end(self, i: int) -> int:
        return self.starts[i] + len(self.lines[i].rstrip())


_GUARD = regex.compile(
    r"^\s*(第[一二三四五六七八九十\d]+部分|[一二三四五六七八九十]+、|表[一二三四五六七八九十\d]+|公开\d+表|(备)?注[：:]|说明[：:]|(金额)?单位[：:])"
    r"|表\s*$"
)


def _is_a(line: str) -> bool:
    return line.startswith("\t") and line.count("\t") == 1


def _is_b(line: str) -> bool:
    return "\t" in line and not _is_a(line) and not is_toc_line(line)


def _blank(line: str) -> bool:
    return line.strip() == "" and "\t" not in line


def _continuation_end(tx: _Text, k: int) -> int | None:
    """Index of the TAB line that resumes the table after non-TAB lines starting at k, or None."""
    n = len(tx.lines)
    blanks = 0
    while k < n:
        line = tx.lines[k]
        if _is_a(line):
            return k if blanks <= 1 else None
        if _blank(line):
            blanks += 1
            if blanks > 1:
                return None
        elif "\t" in line or _GUARD.search(line):
            return None
        else:
            blanks = 0
        k += 1
    return None


def _extend(tx: _Text, cell: _Raw, upto: int) -> _Raw:
    """Grow a cell over its continuation lines, up to (not including) 0-based line `upto`."""
    last = upto - 1
    while last > cell.line - 1 and _blank(tx.lines[last]):
        last -= 1
    end = tx.line_end(last)
    return _Raw(tx.text[cell.start:end], cell.line, cell.start, end)


def _take_a(tx: _Text, i: int) -> _Region:
    n = len(tx.lines)
    rows: list[list[_Raw]] = []
    cur: list[_Raw] = []
    j, last = i, i
    while j < n:
        line = tx.lines[j]
        if _is_a(line):
            cur.append(tx.raw(j, 1, len(line)))
            last = j
            j += 1
            continue
        if cur:
            rows.append(cur)
            cur = []
        if _blank(line):
            k = j
            while k < n and _blank(tx.lines[k]):
                k += 1
            if k - j >= 2 or k >= n:
                break
            if _is_a(tx.lines[k]):
                j = k
                continue
        else:
            k = j
        m = _continuation_end(tx, k)
        if m is None or not rows:
            break
        rows[-1][-1] = _extend(tx, rows[-1][-1], m)
        j = m
    if cur:
        rows.append(cur)
    last = max(last, max((r[-1].line - 1 for r in rows), default=i))
    return _Region("A", i, last, rows)


def _split_b(tx: _Text, j: int) -> list[_Raw]:
    """The cells of TAB-separated line j: `tx.raw` of each piece, inlined (this runs for every grid cell)."""
    base, line_no = tx.starts[j], j + 1
    out, a = [], 0
    for seg in tx.lines[j].split("\t"):
        body = seg.strip()
        s = base + a + len(seg) - len(seg.lstrip())
        out.append(_Raw(body, line_no, s, s + len(body)))
        a += len(seg) + 1
    return out


def _take_b(tx: _Text, i: int) -> _Region:
    n = len(tx.lines)
    rows: list[list[_Raw]] = []
    j, last = i, i
    while j < n:
        line = tx.lines[j]
        if "\t" in line:
            rows.append(_split_b(tx, j))
            last = j
            j += 1
        elif _blank(line) and j + 1 < n and "\t" in tx.lines[j + 1] and not is_toc_line(tx.lines[j + 1]):
            j += 1
        else:
            break
    return _Region("B", i, last, rows)


def _regions(tx: _Text) -> list[_Region]:
    out: list[_Region] = []
    i, n = 0, len(tx.lines)
    while i < n:
        line = tx.lines[i]
        if _is_a(line):
            reg = _take_a(tx, i)
        elif _is_b(line):
            reg = _take_b(tx, i)
            reg.content = [r for r in reg.rows if not _is_separator(r)]
            if len(reg.content) < 2:
                i = reg.last + 1
                continue
        else:
            i += 1
            continue
        out.append(reg)
        i = reg.last + 1
    return out


# ---------------------------------------------------------------- row kinds

_YEAR_ONLY = regex.compile(r"^[（(]?\s*\d{4}\s*年度?\s*[）)]?$")
_META = regex.compile(r"^(编制部门|填报部门|部门名称|单位名称|预算单位|(金额)?单位|填报单位|单位（盖章）|填报日期)\s*[：:]")
_TABLE_NO = regex.compile(r"^(表[一二三四五六七八九十\d]+[：:]?|公开\d+表|附表\s*\d*[：:]?|附件\s*\d*[：:]?)$")
_COLUMN_WORD = regex.compile(r"^(金额|合计|小计|总计|预算数|决算数|执行数|数额|数量|本年数|上年数)([（(].{1,4}[）)])?$")
_KV_KEY = regex.compile(r"(名称|部门|单位|负责人|时间|日期|电话|年度)$")
_UNIT = regex.compile(r"单位\s*[：:]\s*(万元|亿元|千元|元)")
_UNIT_PAREN = regex.compile(r"[（(]\s*(万元|亿元|千元|元)\s*[）)]")
_TOTAL = regex.compile(r"^(合计|总计|小计|总分)")
_LEVEL = regex.compile(r"^([一二三四五])级指标$")
_CODE_HDR = regex.compile(r"(代码|编码)$|^(类|款|项)$")
_SEP_MARK = regex.compile(r"[-—=_]{2,}")
_SEP_FIRST = frozenset("-—=_")  # a text _SEP_MARK can match starts with one of these
_SEP_FILL = regex.compile(r"[-—=_\s]+")
_TITLE_PUNCT = regex.compile(r"[。；，]")
_SENTENCE_TAIL = regex.compile(r"[。；]$")
_NOTE_START = regex.compile(r"^(备)?注[：:]|^说明[：:]")


def _is_separator(row: list[_Raw]) -> bool:
    texts = [c.text for c in row]
    return any(t[:1] in _SEP_FIRST and _SEP_MARK.fullmatch(t) for t in texts) and all(
        t == "" or _SEP_FILL.fullmatch(t) for t in texts
    )


def _filled(row: list[_Raw]) -> list[_Raw]:
    return [c for c in row if not is_blank(c.text)]


def _numeric(row: list[_Raw]) -> bool:
    return any(parse_value(c.text) is not None for c in row)


def _is_caption_text(t: str) -> bool:
    t = t.strip()
    return bool(
        _YEAR_ONLY.match(t) or _META.match(t) or _TABLE_NO.match(t) or (len(t) <= 40 and t.endswith("表") and "，" not in t)
    )


def _is_caption_row(row: list[_Raw]) -> bool:
    filled = [c for c in row if c.text]
    return bool(filled) and all(_is_caption_text(c.text) for c in filled) and (len(filled) == 1 or all(_META.match(c.text) for c in filled))


def _is_kv(row: list[_Raw]) -> bool:
    """项目名称 | X | 主管部门 | Y: keys ending in 名称/部门/单位/... alternate with their values."""
    filled = [c for c in row if c.text]
    if len(filled) not in (2, 4, 6) or _numeric(filled[0::2]):
        return False
    if any(_COLUMN_WORD.match(norm_label(c.text)) for c in filled[1::2]):
        return False  # 项目名称 | 金额: a header row, not a key and its value
    return all(_KV_KEY.search(norm_label(c.text)) for c in filled[0::2])


def _is_lanci(row: list[_Raw]) -> bool:
    """栏次 rows number the columns (栏次, 1, 2, 3 ... or just 1 2 3 ... 12)."""
    filled = _filled(row)
    if not filled:
        return False
    if norm_label(filled[0].text) == "栏次":
        return True
    nums = [c.text for c in filled]
    return len(nums) >= 3 and all(_DIGITS.match(t) for t in nums) and [int(t) for t in nums] == list(range(1, len(nums) + 1))


def _row_kind(row: list[_Raw]) -> str:
    if _is_caption_row(row):
        return "cap"
    if _is_kv(row):
        return "kv"
    if _numeric(row) and not _is_lanci(row):
        return "num"
    if any(len(c.text) > 30 for c in row):
        return "txt"
    return "hdr"


# ---------------------------------------------------------------- captions (title, unit)


_TITLE_QUALIFIER = regex.compile(r"[（(][^（）()]{1,8}[）)]$")  # 支出预算表（功能科目）


def _title_score(t: str) -> int:
    t = t.strip().rstrip("：:")
    if len(t) > 40 or _TITLE_PUNCT.search(t):
        return 0
    if _TABLE_NO.match(t + "：") or _TABLE_NO.match(t):
        return 1
    if _TITLE_QUALIFIER.sub("", t).endswith("表"):
        return 3
    return 0


_TITLE_ENUM = regex.compile(r"^\s*(?:[一二三四五六七八九十]+[、．.]|[（(][一二三四五六七八九十\d]+[）)])\s*")


def caption_title(lines: list[str]) -> str | None:
    """The most table-like caption line: one ending in 表 beats a bare number such as 公开01表.

    A heading's enumerator is not part of the title (一、收支预算总表 → 收支预算总表), and a
    title the layout wrapped before its last character or two (…支出预算 / 表) is joined."""
    best, score = None, 0
    cands = [_TITLE_ENUM.sub("", ln) for ln in lines]
    cands += [a + b for a, b in zip(cands, cands[1:]) if 0 < len(b.strip()) <= 2 and not _title_score(a)]
    for ln in cands:
        s = _title_score(ln)
        if s and s >= score:
            best, score = norm_label(ln), s
    return best


def caption_unit(texts: list[str]) -> str | None:
    """万元 / 元 from "金额单位：万元", "单位：万元" or a header cell "部门资金（万元）"."""
    for t in texts:
        m = _UNIT.search(t) or _UNIT_PAREN.search(t)
        if m:
            return m.group(1)
    return None


def _lookback(tx: _Text, first: int, floor: int) -> list[str]:
    """Caption lines right before a table (title, 公开01表, 部门名称, 2024年度, 单位)."""
    out: list[str] = []
    k = first - 1
    while k >= floor and len(out) < 6:
        ln = tx.lines[k].strip()
        k -= 1
        if not ln:
            continue
        if len(ln) > 60 or _SENTENCE_TAIL.search(ln) or _NOTE_START.match(ln):
            break
        lvl = heading_level(ln)
        if lvl is not None and lvl <= 4:
            if _title_score(_TITLE_ENUM.sub("", ln)) >= 3:
                out.append(ln)  # 二、收入预算总表: a heading that is the table's own title
            break
        out.append(ln)
    return list(reversed(out))


# ---------------------------------------------------------------- headers


def _kinds(data: list[list[_Raw]], n: int) -> list[str]:
    """Per column: 'L' (labels, codes) or 'N' (numbers), to place merged header cells."""
    kinds = []
    for c in range(n):
        num = txt = 0
        for r in data:
            if c < len(r) and not is_blank(r[c].text):
                if parse_value(r[c].text) is not None and not CODE_NAME.match(r[c].text):
                    num += 1
                else:
                    txt += 1
        kinds.append("L" if txt > num else "N")
    return kinds


def _allocate(parent: list[str], units: list[tuple[int, int, bool]], kinds: list[str]) -> list[tuple[int, int]] | None:
    """Spans for a header row with fewer cells than the row below (DOCX gridSpan is lost in text).

    A closed unit (an empty cell below = vertical merge) takes a parent cell of its own; among
    the remaining choices prefer boundaries where labels start again (N→L), then where numbers
    start (L→N): two-sided 收入|支出 tables and 项目|支出预算 tables both resolve that way.
    """
    P, U = len(parent), len(units)
    if P > U or P == 0:
        return None
    neg = float("-inf")
    dp = [[neg] * (U + 1) for _ in range(P + 1)]
    back = [[0] * (U + 1) for _ in range(P + 1)]
    dp[0][0] = 0.0

    def bscore(col: int) -> float:
        if col == 0:
            return 0.0
        a, b = kinds[col - 1], kinds[col]
        return 3.0 if (a, b) == ("N", "L") else 2.0 if (a, b) == ("L", "N") else 0.0

    for j in range(1, P + 1):
        for i in range(j, U + 1):
            for i0 in range(j - 1, i):
                if dp[j - 1][i0] == neg:
                    continue
                if i - i0 > 1 and (parent[j - 1] == "" or any(u[2] for u in units[i0:i])):
                    continue
                s = dp[j - 1][i0] + bscore(units[i0][0])
                if s > dp[j][i]:
                    dp[j][i], back[j][i] = s, i0
    if dp[P][U] == neg:
        return None
    spans, i = [], U
    for j in range(P, 0, -1):
        i0 = back[j][i]
        spans.append((units[i0][0], units[i - 1][1]))
        i = i0
    return list(reversed(spans))


def _grid_a(header: list[list[str]], n: int, kinds: list[str]) -> list[list[str]]:
    """Place DOCX header rows (merged cells collapsed) onto n columns, bottom row first."""
    grid: list[list[str]] = [[""] * n for _ in header]
    kinds = list(kinds)
    units: list[tuple[int, int, bool]] = [(c, c + 1, False) for c in range(n)]
    for r in range(len(header) - 1, -1, -1):
        row = header[r]
        if len(row) == len(units):
            spans = [(u[0], u[1]) for u in units]
        else:
            spans = _allocate(row, units, kinds) or [(c, c + 1) for c in range(min(len(row), n))]
        for text, (a, b) in zip(row, spans):
            for c in range(a, b):
                grid[r][c] = text
                if b - a == 1 and _CODE_HDR.search(norm_label(text)):
                    kinds[c] = "L"  # 类/款/项 code columns hold labels, not amounts
        units = [(a, b, text == "") for text, (a, b) in zip(row, spans)]
    return grid


def _grid_b(header: list[list[str]], n: int) -> list[list[str]]:
    """PDF header rows keep the grid; an empty cell with a sub-header below inherits its left neighbour."""
    raw = [r + [""] * (n - len(r)) for r in header]
    grid = [list(r) for r in raw]
    for r in range(len(raw)):
        for c in range(n):
            if raw[r][c] or not any(raw[r2][c] for r2 in range(r + 1, len(raw))):
                continue
            c0 = c - 1
            while c0 >= 0 and not raw[r][c0]:
                c0 -= 1
            if r > 0 and c0 >= 0 and grid[r - 1][c0] != grid[r - 1][c]:
                continue  # the neighbour belongs to another group above: 公务接待费 is no part of 公务用车…
            if c0 >= 0 and any(raw[r2][c0] for r2 in range(r + 1, len(raw))):
                grid[r][c] = raw[r][c0]
    return grid


def _labels(grid: list[list[str]], n: int) -> list[str]:
    cols = []
    for c in range(n):
        parts: list[str] = []
        for row in grid:
            t = norm_label(row[c]) if c < len(row) else ""
            if t and (not parts or parts[-1] != t):
                parts.append(t)
        cols.append("/".join(parts) or f"col{c + 1}")
    return cols


# ---------------------------------------------------------------- building tables


def _split_header(rows: list[list[_Raw]], force_none: bool, layout: str) -> tuple[list[list[_Raw]], list[list[_Raw]]]:
    """Leading non-numeric rows (up to and including a 栏次 row) are the header.

    Without a numeric row to stop at (empty templates, text-only tables) only a plausible
    header is taken: for DOCX rows, rows that refine the one above (more cells, full parent);
    for PDF rows, up to a 栏次 row, else the first row.
    """
    if force_none or not rows:
        return [], rows
    # Leading key-value rows (项目名称 | X) and lone section rows (一、政府采购情况) are data, not header.
    pre = 0
    while pre < len(rows) - 1 and (_is_kv(rows[pre]) or len(_filled(rows[pre])) == 1 and len(rows[pre]) >= 3):
        pre += 1
    lead, rows = rows[:pre], rows[pre:]
    h, lanci = 0, False
    while h < len(rows):
        row = rows[h]
        filled = _filled(row)
        if _is_lanci(row):
            h, lanci = h + 1, True
            break
        if _numeric(row) or (len(filled) <= 2 and filled and _TOTAL.match(norm_label(filled[0].text))):
            break
        h += 1
    has_data = any(_numeric(r) for r in rows[h:])
    if not lanci and (not has_data or (layout == "A" and h > 1)):
        first = _filled(rows[0]) if rows else []
        if h == 0 or len(first) < 2 or (not has_data and any(len(c.text) > 20 for c in first)):
            return [], lead + rows
        k = 1
        if layout == "A":
            while k < h and len(rows[k]) > len(rows[k - 1]) and all(c.text for c in rows[k - 1]):
                k += 1
        h = k
    if h > 4:  # a header is at most 3 label rows plus a 栏次 row
        return rows[h - 4 : h], lead + rows[: h - 4] + rows[h:]
    return rows[:h], lead + rows[h:]


def _row_label(cells: list[_Raw], code_cols: list[int], level_cols: list[int]) -> tuple[str, str | None]:
    code = None
    if code_cols:
        parts = [cells[c].text.replace("\u3000", "").strip() for c in code_cols if c < len(cells)]
        parts = [p for p in parts if p and not is_blank(p)]
        if parts and all(_DIGITS.match(p) for p in parts):
            code = "".join(parts)
    if level_cols:
        for c in reversed(level_cols):
            if c < len(cells) and not is_blank(cells[c].text) and parse_value(cells[c].text) is None:
                return norm_label(cells[c].text), code
    label = ""
    for c, raw in enumerate(cells):
        t = raw.text
        if is_blank(t) or (c in code_cols and _DIGITS.match(t.replace("\u3000", "").strip())):
            continue
        if parse_value(t) is not None:
            if code is None and _DIGITS.match(t) and len(t) in (3, 5, 7) and c + 1 < len(cells):
                nxt = cells[c + 1].text
                if not is_blank(nxt) and parse_value(nxt) is None:
                    code = t
            continue
        label = t
        break
    c2, l2 = split_code_label(label)
    if c2 and code is None:
        return l2, c2
    return norm_label(label), code


_LEVEL_LABEL = regex.compile(r"^(类|款|项)$")
_CODE_CELL = regex.compile(r"^\d{3}(?:\d{2}){0,2}$")


def _coded_by_content(data: list[list[_Raw]], keep: list[int], named: list[int]) -> list[int]:
    """Columns that hold classification codes though no header says so (a header lost to a
    merged cell or read as data): every filled cell a 3/5/7-digit code, at least three of
    them, two code levels with one the prefix of another, and a name in the next column (a
    合计 label may stand in it). Such a column is never summed: 201, 20101, 2010101 are codes."""
    if named:
        return []
    out = []
    for c in keep:
        texts = [r[c].text.strip() for r in data if c < len(r) and not is_blank(r[c].text)]
        texts = [t for t in texts if not _TOTAL.match(norm_label(t))]
        if len(texts) < 3 or not all(_CODE_CELL.match(t) for t in texts):
            continue
        if not any(a != b and b.startswith(a) for a in texts for b in texts):
            continue
        named_next = sum(1 for r in data if c + 1 < len(r) and _CODE_CELL.match(r[c].text.strip())
                         and not is_blank(r[c + 1].text) and parse_value(r[c + 1].text) is None)
        if named_next * 2 >= len(texts):
            out.append(c)
    return out


def _lift_level_labels(data: list[list[_Raw]], columns: list[str]) -> list[list[_Raw]]:
    """A 类 | 款 | 项 header printed on the first data row (beside 合计 and its amounts) names
    its columns, so the split code columns are known as code columns and never summed.
    `columns` gets the level as its leaf (in place); the cells are emptied in that row."""
    for i, r in enumerate(data[:2]):
        hits = [c for c, raw in enumerate(r) if _LEVEL_LABEL.match(norm_label(raw.text))]
        if len(hits) < 2 or len({norm_label(r[c].text) for c in hits}) != len(hits):
            continue
        for c in hits:
            leaf = norm_label(r[c].text)
            if columns[c].rsplit("/", 1)[-1] != leaf:
                columns[c] = leaf if columns[c].startswith("col") else f"{columns[c]}/{leaf}"
        row = [(_Raw("", raw.line, raw.start, raw.start) if c in hits else raw) for c, raw in enumerate(r)]
        return data[:i] + [row] + data[i + 1 :]
    return data


def _split_code(cells: list[_Raw], cols: list[int], above: list[str], code: str | None) -> tuple[str | None, list[str]]:
    """The code of a row whose 类 | 款 | 项 are printed in separate columns, and its parts.

    Some tables print the 类 (and 款) only on the first row of their group: a blank leading
    part is the one of the row above, so " | 01 | 行政运行" under "201 | 06" is 2010601,
    never a code "01" of its own. A part that is not two or three digits keeps no code.
    """
    parts = [cells[c].text.replace("\u3000", "").strip() if c < len(cells) else "" for c in cols]
    parts = ["" if is_blank(p) else p for p in parts]
    if not any(parts):
        return code, above
    if not all(_DIGITS.match(p) for p in parts if p):
        return None, []
    first = next(k for k, p in enumerate(parts) if p)
    if first > 0:
        if len(above) < first or not all(above[:first]):
            return None, []
        parts = above[:first] + parts[first:]
    filled = [p for p in parts if p]
    if parts[: len(filled)] != filled:
        return None, []  # a gap inside the code (类 and 项 without 款)
    joined = "".join(filled)
    if not (len(joined) in (3, 5, 7) and len(filled[0]) == 3 and all(len(p) == 2 for p in filled[1:])):
        return None, []
    return joined, parts


def _merge_split_rows(data: list[list[_Raw]], n: int) -> list[list[_Raw]]:
    """Rejoin a DOCX row that the extractor broke in two (widths adding up to the header width)."""
    out: list[list[_Raw]] = []
    i = 0
    while i < len(data):
        if i + 1 < len(data) and len(data[i]) < n and len(data[i + 1]) < n and len(data[i]) + len(data[i + 1]) == n:
            out.append(data[i] + data[i + 1])
            i += 2
        else:
            out.append(data[i])
            i += 1
    return out


def _build(
    tx: _Text,
    rows: list[list[_Raw]],
    layout: str,
    title: str | None,
    unit: str | None,
    first: int,
    last: int,
    force_no_header: bool = False,
    separators_removed: bool = False,
) -> Table:
    """One Table from a run of raw rows: header rows split off, column labels read from them, 行次
    columns dropped, and each data row's label and code found (`_table_rows`)."""
    if not separators_removed:
        rows = [r for r in rows if not _is_separator(r)]
    header, data = _split_header(rows, force_no_header, layout)
    data = [r for r in data if not _is_lanci(r) and _filled(r)]
    label_rows = [r for r in header if not _is_lanci(r)]
    if layout == "A" and label_rows:
        data = _merge_split_rows(data, len(label_rows[-1]))
    n = max([len(r) for r in data] + [len(label_rows[-1]) if label_rows else 1, 1])
    texts = [[c.text for c in r] for r in label_rows]
    if layout == "B":
        grid = _grid_b(texts, n)
    else:
        grid = _grid_a(texts, n, _kinds(data, n))
    columns = _labels(grid, n)
    data = _lift_level_labels(data, columns)
    keep = [c for c in range(n) if columns[c].split("/")[-1] not in ("行次", "栏次")]
    out_rows = _table_rows(data, n, keep, [columns[c].split("/")[-1] for c in range(n)])
    header_cells = [[c.cell() for c in r] for r in header]
    if unit is None:
        unit = caption_unit([c.text for r in header for c in r])
    start, end = tx.starts[first], tx.line_end(last)
    return Table(
        title=title,
        unit=unit,
        columns=[columns[c] for c in keep],
        header_rows=header_cells,
        rows=out_rows,
        location=Location(first + 1, start, end),
        line_end=last + 1,
    )


def _first_run(cols: list[int]) -> list[int]:
    """The first contiguous run of `cols`: only that group of code columns makes TableRow.code."""
    if not cols:
        return []
    grp = [cols[0]]
    for c in cols[1:]:
        if c == grp[-1] + 1:
            grp.append(c)
    return grp


def _table_rows(data: list[list[_Raw]], n: int, keep: list[int], leaf: list[str]) -> list[TableRow]:
    """The data rows padded to `n` cells, with their label and code; a code column's cells are
    never amounts, and a row holding nothing but 行次 numbers is dropped."""
    code_cols = [c for c in keep if _CODE_HDR.search(leaf[c])]
    code_cols = sorted(set(code_cols) | set(_coded_by_content(data, keep, code_cols)))
    first_group = _first_run(code_cols)
    level_cols = sorted((c for c in keep if _LEVEL.match(leaf[c])), key=lambda c: "一二三四五".index(leaf[c][0]))
    out_rows: list[TableRow] = []
    above: list[str] = []  # the split code parts (类, 款, 项) of the row above
    for r in data:
        cells = r + [_Raw("", r[-1].line, r[-1].end, r[-1].end)] * (n - len(r))
        label, code = _row_label(cells, first_group, level_cols)
        if len(first_group) > 1:
            code, above = _split_code(cells, first_group, above, code)
        if not label and all(is_blank(cells[c].text) for c in keep):
            continue  # a row holding nothing but 行次 numbers
        out = [cells[c].cell(None if c in code_cols else True) for c in keep]
        present = [c for c in r if c.text]
        loc_start = min((c.start for c in present), default=r[0].start)
        loc_end = max((c.end for c in present), default=r[0].end)
        out_rows.append(TableRow(label, code, out, Location(r[0].line, loc_start, loc_end)))
    return out_rows


def _segments(rows: list[list[_Raw]], row_kinds: list[str]) -> list[tuple[list[list[_Raw]], list[str]]]:
    """Split one DOCX table run into sub-tables where the row structure changes.

    A self-evaluation form is one DOCX table holding a fund table, a goals table and an
    indicator table with different widths; each becomes its own Table. `row_kinds` are
    the rows' `_row_kind`s (computed once by the caller); each segment keeps its own.
    """
    segs: list[tuple[list[list[_Raw]], list[str]]] = []
    cur: list[list[_Raw]] = []
    kinds: list[str] = []
    for row, k in zip(rows, row_kinds):
        if cur and _breaks(cur, kinds, row, k):
            segs.append((cur, kinds))
            cur, kinds = [], []
        cur.append(row)
        kinds.append(k)
    if cur:
        segs.append((cur, kinds))
    return segs


def _breaks(cur: list[list[_Raw]], kinds: list[str], row: list[_Raw], k: str) -> bool:
    pk = kinds[-1]
    if k == "cap":
        return pk != "cap"
    if pk == "cap":
        return False
    if (k == "kv") != (pk == "kv"):
        return True
    if k == "kv" or len(row) == len(cur[-1]):
        return False
    body = [kk for kk in kinds if kk != "cap"]
    if k == "num" and ("num" in body or all(kk == "hdr" for kk in body)):
        return False  # ragged data rows stay with their header
    stacked_header = all(kk == "hdr" for kk in body) and all(c.text for r, kk in zip(cur, kinds) if kk == "hdr" for c in r)
    return not (stacked_header and len(cur[-1]) < len(row))


def find_tables(text: str) -> list[Table]:
    """All tables in a decoded text, in order, with titles, units, columns and rows; each
    table's own sums tested (`Table.misread` set where most of them fail)."""
    tables = _find_tables(text)
    mark_misread(tables)
    return tables


def _find_tables(text: str) -> list[Table]:
    tx = _Text(text)
    tables: list[Table] = []
    floor = 0
    for reg in _regions(tx):
        captions = _lookback(tx, reg.first, floor)
        floor = reg.last + 1
        if reg.layout == "B":
            title = caption_title(captions)
            rows = reg.rows if reg.content is None else reg.content
            t = _build(tx, rows, "B", title, caption_unit(captions), reg.first, reg.last,
                       separators_removed=reg.content is not None)
            tables.append(t)
            continue
        segs = _segments(reg.rows, [_row_kind(r) for r in reg.rows])
        run_title = caption_title(captions)
        run_unit = caption_unit(captions)
        for si, (seg, seg_kinds) in enumerate(segs):
            caps = [r for r, k in zip(seg, seg_kinds) if k == "cap"]
            body = [r for r, k in zip(seg, seg_kinds) if k != "cap"]
            body_kinds = [k for k in seg_kinds if k != "cap"]
            cap_texts = [c.text for r in caps for c in r if c.text]
            title = caption_title(cap_texts) or run_title
            if caption_title(cap_texts):
                run_title = title
            unit = caption_unit(cap_texts) or run_unit
            first = reg.first if si == 0 else seg[0][0].line - 1
            last = (segs[si + 1][0][0][0].line - 2) if si + 1 < len(segs) else reg.last
            while last > first and tx.lines[last].strip() == "":
                last -= 1
            if not body:
                continue
            kv = all(k == "kv" for k in body_kinds)
            tables.append(_build(tx, body, "A", title, unit, first, last, force_no_header=kv))
    return tables
