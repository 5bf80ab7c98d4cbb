"""Which documents of a corpus belong together: bundles (one unit, one year) and series (years).

A unit name is printed in several forms (江苏省人大常委会办公厅, 省人大常委会办公厅, a title
line that wraps after 江苏省人大). Names are compared after a conservative normalisation
(`unit_key`): spacing, punctuation and a leading "标题：" or year taken out, and the two long
forms 常务委员会 / 人民代表大会 written short. Two keys are

- "same" when equal;
- "variant" when one is the other without its region name before 省/市/区/县, 常委会 aside
  (省人大办公厅 and 江苏省人大常委会办公厅), or one is a leading part of the other of at least 5 characters
  (江苏省人大 and 江苏省人大常委会办公厅: a title that wrapped). A variant pairing may
  only warn: 江苏省人民检察院 is a leading part of 江苏省人民检察院南京分院 too.

Two different keys that are neither are different units; a unit key is never shortened
further (财政局 of two cities must never meet).

A bundle is a narrative and a table-only file of the same family and year whose units are the
same, or whose file names say so: the table file's name is the narrative's plus a table word
(…部门预算公开 / …部门预算公开表, …_budget / …_budget_tables) in the same folder, and the table
file prints no unit name of its own (or the same one).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import regex

from auditor.corpus.summary import DocSummary

_STRIP = regex.compile(r"^(?:标题|单位|部门|单位名称|部门名称)\s*[:：]\s*|\s+|[\p{P}\p{S}]")
_YEAR = regex.compile(r"^(?:19|20)\d\d年(?:度)?")
_LONG = (("常务委员会", "常委会"), ("人民代表大会", "人大"))
_REGION = regex.compile(r"^\p{Han}{2,3}?(?=[省市区县])")
_TABLE_SUFFIX = regex.compile(r"^[\s_\-—（(]*(?:附?表格?|附表|tables?|table|附件\d*|报表)[)）]?$", regex.I)
MIN_PREFIX = 5


def unit_key(name: str | None) -> str | None:
    """The unit name in one canonical form, or None when the document prints none."""
    if not name:
        return None
    k = _STRIP.sub("", name)
    k = _YEAR.sub("", k)
    for long, short in _LONG:
        k = k.replace(long, short)
    return k or None


def unit_match(a: str | None, b: str | None) -> str | None:
    """"same", "variant" or None (different, or unknown) for two unit keys."""
    if not a or not b:
        return None
    if a == b:
        return "same"
    for x, y in ((a, b), (b, a)):
        if x[:1] in "省市区县" and _REGION.sub("", y).replace("常委会", "") == x.replace("常委会", ""):
            return "variant"
        if len(x) >= MIN_PREFIX and y.startswith(x):
            return "variant"
    return None


@dataclass(frozen=True)
class Bundle:
    """A narrative and the table file attached to it."""

    narrative: DocSummary
    tables: DocSummary
    how: str  # why they pair, in Chinese


@dataclass(frozen=True)
class YearPair:
    """Two documents of one unit and family, for consecutive years (earlier, later)."""

    earlier: list[DocSummary]  # the earlier year's documents (a bundle counts as one year)
    later: list[DocSummary]
    match: str  # same | variant


def is_table_only(s: DocSummary) -> bool:
    return s.tables > 0 and s.narrative_claims == 0


def _stem_bundle(narr: DocSummary, tab: DocSummary) -> bool:
    if narr.folder != tab.folder or not tab.stem.startswith(narr.stem) or tab.stem == narr.stem:
        return False
    return bool(_TABLE_SUFFIX.match(tab.stem[len(narr.stem):]))


def find_bundles(docs: list[DocSummary]) -> list[Bundle]:
    """Each table-only file with the one narrative of its unit, year and family (none when two could be)."""
    out = []
    narratives = [d for d in docs if d.narrative_claims > 0 and d.year is not None]
    for tab in docs:
        if not is_table_only(tab) or tab.year is None:
            continue
        cands = []
        for n in narratives:
            if n.year != tab.year or n.family != tab.family or n.family == "unknown":
                continue
            ku, kt = unit_key(n.unit_name), unit_key(tab.unit_name)
            if _stem_bundle(n, tab) and (kt is None or unit_match(ku, kt) == "same"):
                cands.append((n, "文件名相同（附表文件名为说明文件名加“表”）、年度与类型相同"))
            elif ku is not None and unit_match(ku, kt) == "same":
                cands.append((n, f"单位名称相同（{n.unit_name}）、年度与类型相同"))
        if len(cands) == 1:
            out.append(Bundle(cands[0][0], tab, cands[0][1]))
    return out


def year_pairs(docs: list[DocSummary], bundles: list[Bundle]) -> list[YearPair]:
    """Consecutive years of one unit and family; a table file counts with its narrative's unit."""
    key_of: dict[str, str | None] = {d.path: unit_key(d.unit_name) for d in docs}
    for b in bundles:
        key_of[b.tables.path] = key_of[b.narrative.path]
    groups: dict[tuple[str, str, int], list[DocSummary]] = defaultdict(list)
    for d in docs:
        k = key_of[d.path]
        if k and d.year is not None and d.family != "unknown":
            groups[(k, d.family, d.year)].append(d)
    out = []
    keys = sorted(groups)
    for (k1, fam1, y1) in keys:
        for (k2, fam2, y2) in keys:
            if fam1 != fam2 or y2 != y1 + 1:
                continue
            m = unit_match(k1, k2)
            if m is None:
                continue
            out.append(YearPair(groups[(k1, fam1, y1)], groups[(k2, fam2, y2)], m))
    return _best_pairs(out)


def _best_pairs(pairs: list[YearPair]) -> list[YearPair]:
    """A later year compared with one earlier unit only: a "same" match wins over variants,
    and two variant candidates for the same later documents mean the unit is unsure (none)."""
    by_later: dict[tuple[str, ...], list[YearPair]] = defaultdict(list)
    for p in pairs:
        by_later[tuple(d.path for d in p.later)].append(p)
    out = []
    for cands in by_later.values():
        same = [p for p in cands if p.match == "same"]
        pick = same if len(same) == 1 else (cands if len(cands) == 1 else [])
        out.extend(pick)
    return out
