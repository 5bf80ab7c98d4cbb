"""The checks across documents: a narrative against its attached tables, a year against the last.

Both compare figures of one concept (a lexicon id or a classification key such as
gpb:code:2040401), never names: a concept the reader did not assign is not compared.
A figure is used only when its reading is sure: high confidence, and for a narrative level no
change verb or prior-year word in its own clause (增加基本支出844.15万元 is a change; 上年
安排… is not this year's). A comparison needs the other side to be one value: when the other
document states the concept with two values that disagree, the flag is a warning at most.

- cross.bundle: a narrative level against the table cells of the same concept and role in the
  attached table file (the same unit and year; see pairing).
- cross.prior_year: this year's 上年 figures against last year's 本年 figures (same family):
  a figure stated as 上年, a level with its change (本年 − 增减额), a level "与上年持平/相等",
  and a change rate recomputed from this year's level and last year's.

A flag is an error only when the pairing is sure (the same unit key, or a bundle) and every
figure it rests on is read with high confidence; otherwise a warning.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Iterable

import regex

from auditor.corpus.pairing import Bundle, YearPair
from auditor.corpus.summary import ClaimSummary, DocSummary
from auditor.interval import Interval

_CHANGE_VERB = regex.compile(r"增加|减少|增长|下降|增支|减支|节支|节约|超支|调增|调减|压减|缩减|上升|降低|小于|大于|多于|少于|增减|变动")
_PRIOR = regex.compile(r"上年|去年|上一年|同期|年初|下一?年|明年|以前|历年|累计")
_CLAUSE_END = regex.compile(r"[，,；;。：:！？]")
_FLAT = regex.compile(r"^[^0-9。；;]{0,6}?(?:与|和|同|较|比)[^0-9。；;]{0,3}?上年[^0-9。；;]{0,6}?(?:持平|相等|相同|一致|不变)")
# a change and the level it changes stand this close (characters) in one sentence
_NEAR = 80

RULES = {
    "cross.bundle": {"name": "说明与附表文件一致", "severity": "error", "groups": ["cross"],
                     "summary": "同一单位同一年度分两个文件公开（说明与附表）时，说明中的数字应与附表文件中同一数量一致"},
    "cross.prior_year": {"name": "上年数与上年文件一致", "severity": "error", "groups": ["cross"],
                         "summary": "本年文件中的上年数（直接写出、由本年数与增减额推出、“与上年持平”）"
                                    "应等于同一单位上一年度同类文件的本年数，增减率应由两者算出"},
}


def _clause(text: str) -> str:
    return _CLAUSE_END.split(text)[-1]


def is_sure_level(c: ClaimSummary) -> bool:
    """A level of this year that may be compared: a confident amount, no change or prior word in its clause."""
    if c.kind != "amount" or c.confidence != "high":
        return False
    if c.source == "table":
        return True
    lead = _clause(c.lead)
    return not _CHANGE_VERB.search(lead) and not _PRIOR.search(lead)


def _fmt(v: Decimal) -> str:
    return f"{v.quantize(Decimal('0.01')):,}"


def _fmt_iv(iv: Interval) -> str:
    lo, hi = _fmt(iv.lo), _fmt(iv.hi)
    return lo if lo == hi else f"{lo}～{hi}"


def _name(path: str) -> str:
    return Path(path).name


@dataclass
class Side:
    """The values one document (or bundle) gives a concept, in clusters of agreeing prints."""

    clusters: list[list[tuple[DocSummary, ClaimSummary]]]

    @classmethod
    def of(cls, items: list[tuple[DocSummary, ClaimSummary]]) -> "Side":
        clusters: list[list[tuple[DocSummary, ClaimSummary]]] = []
        for d, c in items:
            for cl in clusters:
                if all(c.interval.overlaps(o.interval) for _, o in cl):
                    cl.append((d, c))
                    break
            else:
                clusters.append([(d, c)])
        clusters.sort(key=lambda cl: (-len(cl), -sum(c.source == "table" for _, c in cl)))
        return cls(clusters)

    @property
    def firm(self) -> bool:
        return len(self.clusters) == 1

    def matching(self, iv: Interval) -> list[tuple[DocSummary, ClaimSummary]]:
        return [x for cl in self.clusters for x in cl if x[1].interval.overlaps(iv)]


def _flag(rule: str, severity: str, message: str, document: str, documents: list[str], evidence: list[dict],
          stated: str, expected: str, arithmetic: str, section: str, confidence: str, downgraded: str | None) -> dict:
    key = "\x1f".join([rule, *(f"{e['document']}:{e['line']}:{e['start']}:{e['end']}:{e['quote']}" for e in evidence)])
    return {"rule": rule, "severity": severity, "message": f"[{rule}] {message}", "stated": stated,
            "expected": expected, "arithmetic": arithmetic, "section": [section] if section else [],
            "evidence": evidence, "id": hashlib.sha1(key.encode("utf-8")).hexdigest()[:16],
            "waived": False, "waiver": None, "basis": "mixed", "confidence": confidence,
            "downgraded": downgraded, "document": document, "documents": documents}


# ---- bundles ------------------------------------------------------------------------------


def check_bundle(b: Bundle) -> list[dict]:
    """Each sure narrative level against the attached tables' cells of the same concept and role."""
    cells: dict[tuple[str, str], list[tuple[DocSummary, ClaimSummary]]] = defaultdict(list)
    for c in b.tables.claims:
        if c.source == "table" and is_sure_level(c):
            cells[(c.concept, c.role)].append((b.tables, c))
    out, seen = [], set()
    for c in b.narrative.claims:
        if c.source != "narrative" or not is_sure_level(c) or (c.concept, c.role) not in cells:
            continue
        side = Side.of(cells[(c.concept, c.role)])
        if side.matching(c.interval):
            continue
        ref = side.clusters[0][0][1]
        if (c.concept, c.role, c.value) in seen:
            continue
        seen.add((c.concept, c.role, c.value))
        sure = side.firm
        why = None if sure else "附表文件中同一数量有两个不同的数，无法确定以哪个为准"
        subject = c.subject or ref.subject or c.concept
        out.append(_flag(
            "cross.bundle", "error" if sure else "warning",
            f"{subject}在说明中写为{c.quote}，而同年附表文件《{_name(b.tables.path)}》写为{ref.quote}"
            f"（两文件配对依据：{b.how}）",
            b.narrative.path, [b.narrative.path, b.tables.path],
            [c.evidence(b.narrative.path, "stated"), ref.evidence(b.tables.path, "table")],
            c.quote, ref.quote, f"{c.quote} ≠ {ref.quote}（附表第{ref.page or '?'}页）", c.section, "high", why))
    return out


# ---- year over year -----------------------------------------------------------------------


@dataclass
class Prior:
    """A figure the later document gives for last year, and how it was obtained."""

    value: Interval
    how: str
    evidence: list[dict]
    claims: list[ClaimSummary]
    subject: str
    section: str


def _levels_by_concept(doc: DocSummary) -> dict[str, list[ClaimSummary]]:
    out: dict[str, list[ClaimSummary]] = defaultdict(list)
    for c in doc.claims:
        if c.source == "narrative" and c.role == "current" and is_sure_level(c) and c.start is not None:
            out[c.concept].append(c)
    return out


def _level_before(levels: dict[str, list[ClaimSummary]], c: ClaimSummary) -> ClaimSummary | None:
    """The level of the same concept printed just before a change (本年 X万元，比上年增加 Y万元)."""
    if c.start is None:
        return None
    cands = [a for a in levels.get(c.concept, []) if a.end is not None and a.end <= c.start and c.start - a.end <= _NEAR]
    return max(cands, key=lambda a: a.end or 0) if cands else None


def _is_prior_base(doc: DocSummary, c: ClaimSummary) -> bool:
    """A change against last year: role current, or a budget's 比上年预算数 (budget_base with 上年)."""
    if c.role == "current":
        return True
    return c.role == "budget_base" and doc.family == "budget" and "上年" in _clause(c.lead)


def priors(doc: DocSummary) -> dict[str, list[Prior]]:
    """Every statement of last year's figure in a document, by concept."""
    out: dict[str, list[Prior]] = defaultdict(list)
    levels = _levels_by_concept(doc)
    for c in doc.claims:
        ev = c.evidence(doc.path, "stated")
        if c.kind == "amount" and c.role == "previous" and c.confidence == "high":
            out[c.concept].append(Prior(c.interval, f"写明上年数{c.quote}", [ev], [c], c.subject, c.section))
        elif c.kind == "change_amount" and c.direction in (1, -1) and _is_prior_base(doc, c):
            a = _level_before(levels, c)
            if a is None:
                continue
            word = "增加" if c.direction == 1 else "减少"
            value = a.interval - c.interval.scale(Decimal(c.direction))
            out[c.concept].append(Prior(value, f"本年{a.quote}、比上年{word}{c.quote}",
                                        [a.evidence(doc.path, "current"), ev], [a, c], a.subject, a.section))
        elif c.source == "narrative" and is_sure_level(c) and c.role == "current" and _FLAT.search(c.tail):
            out[c.concept].append(Prior(c.interval, f"本年{c.quote}、写明与上年持平（相等）",
                                        [c.evidence(doc.path, "current")], [c], c.subject, c.section))
    return out


def _earlier_side(docs: list[DocSummary]) -> dict[str, list[tuple[DocSummary, ClaimSummary]]]:
    out: dict[str, list[tuple[DocSummary, ClaimSummary]]] = defaultdict(list)
    for d in docs:
        for c in d.claims:
            if c.role == "current" and is_sure_level(c):
                out[c.concept].append((d, c))
    return out


def _main_doc(docs: list[DocSummary]) -> DocSummary:
    """The document a year's flags are shown on: the narrative of a bundle."""
    return max(docs, key=lambda d: d.narrative_claims)


def check_year_pair(p: YearPair) -> list[dict]:
    """Last year's figures as this year's documents state them, against last year's documents."""
    earlier = _earlier_side(p.earlier)
    out: list[dict] = []
    seen: set = set()
    for later in p.later:
        for concept, stated in priors(later).items():
            if concept not in earlier:
                continue
            side = Side.of(earlier[concept])
            for pr in stated:
                out.extend(_prior_flag(p, later, concept, side, pr, seen))
        out.extend(_rate_flags(p, later, earlier, seen))
    return out


def _severity(p: YearPair, side: Side, claims: Iterable[ClaimSummary]) -> tuple[str, str | None]:
    if p.match != "same":
        return "warning", "两文件的单位名称写法不同，是否同一单位未能确定"
    if not side.firm:
        return "warning", "上年文件自身对这一数量写有两个不同的数"
    if any(c.confidence != "high" for c in claims):
        return "warning", "本年文件中的数字读取把握不足"
    return "error", None


def _prior_flag(p: YearPair, later: DocSummary, concept: str, side: Side, pr: Prior, seen: set) -> list[dict]:
    matching = side.matching(pr.value)
    if matching and side.firm:
        return []
    ref_doc, ref = side.clusters[0][0]
    if matching:  # last year's document disagrees with itself, and this year follows one of its prints
        other = next(x for x in side.clusters[0] + [y for cl in side.clusters[1:] for y in cl] if x not in matching)
        ref_doc, ref = other
    key = ("prior", concept, pr.evidence[-1]["line"], pr.evidence[-1]["quote"])
    if key in seen:
        return []
    seen.add(key)
    severity, why = _severity(p, side, pr.claims)
    subject = pr.subject or ref.subject or concept
    where = _main_doc(p.later)
    return [_flag(
        "cross.prior_year", severity,
        f"{subject}：{pr.how}，即上年为{_fmt_iv(pr.value)}；而{ref_doc.year}年文件《{_name(ref_doc.path)}》"
        f"的本年数为{ref.quote}",
        where.path, [later.path, ref_doc.path],
        pr.evidence + [ref.evidence(ref_doc.path, "previous_year")],
        _fmt_iv(pr.value), ref.quote, f"上年 {_fmt_iv(pr.value)} ≠ {ref.quote}（{ref_doc.year}年文件）",
        pr.section, "high" if severity == "error" else "low", why)]


def _change_between(doc: DocSummary, a: ClaimSummary, r: ClaimSummary) -> bool:
    return any(c.kind == "change_amount" and c.concept == a.concept and c.start is not None
               and (a.end or 0) <= c.start < (r.start or 0) for c in doc.claims)


def _rate_flags(p: YearPair, later: DocSummary, earlier: dict, seen: set) -> list[dict]:
    """A change rate against (本年 − 上年文件的本年) ÷ 上年文件的本年."""
    out = []
    levels = _levels_by_concept(later)
    for r in later.claims:
        if r.kind != "change_rate" or r.direction not in (1, -1) or r.role != "current" or r.unit != "%":
            continue
        if r.concept not in earlier:
            continue
        a = _level_before(levels, r)
        side = Side.of(earlier[r.concept])
        if a is None or not side.firm or _change_between(later, a, r):
            continue  # with its change amount beside it, the document's own change.rate checks the rate
        ref_doc, ref = side.clusters[0][0]
        q = (a.interval - ref.interval) / ref.interval
        if q is None:
            continue
        expected = q.percent()
        stated = r.interval.scale(Decimal(r.direction))
        if expected.overlaps(stated):
            continue
        key = ("rate", r.concept, r.line, r.quote)
        if key in seen:
            continue
        seen.add(key)
        severity, why = _severity(p, side, [a, r])
        step = Decimal(1).scaleb(-r.decimals)
        if Interval(stated.lo - step, stated.hi + step).overlaps(expected):
            severity, why = "warning", "差一个末位，可能是截尾而非四舍五入"
        out.append(_flag(
            "cross.prior_year", severity,
            f"{a.subject or r.concept}增减率写为{r.quote}，而由本年{a.quote}与{ref_doc.year}年文件"
            f"《{_name(ref_doc.path)}》的本年数{ref.quote}算出为{_fmt_iv(expected)}%",
            _main_doc(p.later).path, [later.path, ref_doc.path],
            [r.evidence(later.path, "stated"), a.evidence(later.path, "current"),
             ref.evidence(ref_doc.path, "previous_year")],
            r.quote, f"{_fmt_iv(expected)}%",
            f"({a.quote} − {ref.quote}) ÷ {ref.quote} = {_fmt_iv(expected)}%", r.section,
            "high" if severity == "error" else "low", why))
    return out
