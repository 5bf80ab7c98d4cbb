"""A compact summary of one audited document, for the checks across documents.

A corpus run may stream its results (each document's dict written out and dropped), so the
cross-document pass never keeps whole results: it keeps, per document, who published it
(unit, year, family, path) and the claims that name a concept, each reduced to what a
comparison needs (value, interval, role, kind, the printed quote and where it stands, and a
few characters of context). Claims without a concept cannot be matched across documents
and are not kept. A document of 200 claims keeps some 60, a few kilobytes.

Built from the `auditor.result/1` document dict (what `on_result` receives), so it works the
same for fresh and cached results. The context (the words just before and after a number)
is read from the dict's `source.text`; without it (an old or a trimmed result) a claim keeps
no context and the checks that need context (a change's direction, "与上年持平") skip it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import regex

from auditor.interval import Interval

# context kept on each side of a number: enough for "增加" before and "，与上年预算数相等" after
_LEAD_CHARS = 24
_TAIL_CHARS = 24
_MONEY = {"万元": Decimal(1), "元": Decimal("0.0001"), "千元": Decimal("0.1"), "亿元": Decimal(10000)}
_UP = regex.compile(r"增加|增长|上升|提高|增支|调增|大于|多于|多|增")
_DOWN = regex.compile(r"减少|下降|降低|压减|缩减|减支|节支|调减|小于|少于|少|减|降")
_CLAUSE_END = regex.compile(r"[，,；;。：:！？\n]")


@dataclass(frozen=True, slots=True)
class ClaimSummary:
    """One claim of a document, reduced to what a comparison across documents needs."""

    concept: str
    role: str  # current | previous | budget_initial | budget_full | budget_base
    kind: str  # amount | change_amount | change_rate | share | ...
    value: Decimal  # as printed, in its own unit
    unit: str | None
    quote: str
    subject: str
    line: int
    page: int | None
    start: int | None
    end: int | None
    source: str  # narrative | table
    section: str  # the innermost heading (the scope a reader sees)
    confidence: str  # high | low
    direction: int | None = None  # a change: +1 up, -1 down, 0 flat; None when unread
    lead: str = ""  # the clause before the number (narrative only)
    tail: str = ""  # the clause after the number (narrative only)

    @property
    def decimals(self) -> int:
        exp = self.value.as_tuple().exponent
        return -exp if isinstance(exp, int) and exp < 0 else 0

    @property
    def interval(self) -> Interval:
        """In 万元 for money (元/亿元 converted), else in the claim's own unit."""
        iv = Interval.rounded(self.value, self.decimals)
        k = _MONEY.get(self.unit or "")
        return iv.scale(k) if k is not None and k != 1 else iv

    def evidence(self, document: str, role: str = "") -> dict:
        """An evidence item as flags print them, with the document it stands in."""
        return {"quote": self.quote, "line": self.line, "page": self.page, "start": self.start,
                "end": self.end, "role": role, "document": document}


@dataclass(slots=True)
class DocSummary:
    """Who published a document, for which year, and its concept-bearing claims."""

    path: str
    unit_name: str | None
    year: int | None
    family: str
    tables: int  # tables the document prints
    narrative_claims: int  # claims read from prose (0: a table-only file)
    claims: list[ClaimSummary] = field(default_factory=list)

    @property
    def stem(self) -> str:
        return Path(self.path).stem

    @property
    def folder(self) -> str:
        return str(Path(self.path).parent)


def _direction(lead: str) -> int | None:
    """The direction a change word in the figure's own clause gives (the last one wins)."""
    lead = _CLAUSE_END.split(lead)[-1]
    best: tuple[int, int] | None = None
    for pat, sign in ((_UP, 1), (_DOWN, -1)):
        for m in pat.finditer(lead):
            if best is None or m.end() > best[0]:
                best = (m.end(), sign)
    return best[1] if best else None


def _context(text: str, start: int, end: int) -> tuple[str, str]:
    """The clause before and after a number, line breaks taken out (a PDF line may end mid-sentence)."""
    before = text[max(0, start - _LEAD_CHARS * 2):start].replace("\n", "")[-_LEAD_CHARS:]
    after = text[end:end + _TAIL_CHARS * 2].replace("\n", "")[:_TAIL_CHARS]
    return before, after


def summarize(d: dict) -> DocSummary | None:
    """The summary of one result dict, or None for a document that was not audited."""
    if d.get("error"):
        return None
    text = (d.get("source") or {}).get("text") or ""
    tables = len((d.get("source") or {}).get("tables") or [])
    claims = d.get("claim_list") or []
    out = DocSummary(d["path"], d.get("unit_name"), d.get("year"), d.get("family") or "unknown", tables,
                     sum(1 for c in claims if c.get("source") == "narrative"))
    for c in claims:
        if not c.get("concept") or c.get("value") is None:
            continue
        try:
            value = Decimal(c["value"])
        except InvalidOperation:
            continue
        lead = tail = ""
        if c.get("source") == "narrative" and text and c.get("start") is not None and c.get("end") is not None:
            lead, tail = _context(text, c["start"], c["end"])
        direction = c.get("direction") if "direction" in c else (
            _direction(lead) if c.get("kind") in ("change_amount", "change_rate") else None)
        section = c.get("section") or []
        out.claims.append(ClaimSummary(
            c["concept"], c.get("role") or "current", c["kind"], value, c.get("unit"), c["quote"], (c.get("subject") or "")[:24], c["line"],
            c.get("page"), c.get("start"), c.get("end"), c.get("source") or "narrative",
            section[-1] if section else "", c.get("confidence") or "high", direction, lead, tail))
    return out
