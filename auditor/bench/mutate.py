"""Plant one contradiction in a copy of a document, at a known place.

A *site* is a printed figure (or direction word, or table cell) that takes part
in a relation that holds on the original: the claim is `verified`, no flag on the
original cites it, and the bench's own oracle (`relations.py`) finds the relation
and finds that it holds. The mutation reprints the figure in the same shape (same
decimals, same thousands separators, same number of integer digits, so no new
number shape and no shifted offsets) with a value that breaks the relation even
when the new print is read with a margin of several units in its last place.

Mutation kinds:
- change_rate, share, rate, score: the stated percentage or score;
- amount: an amount (or change amount) in any relation (agree, identity, change,
  share, rate, 其中);
- count: a count stated more than once, or in a 其中 list;
- qizhong_part: a part of a 其中 list raised until the parts exceed their total;
- direction: 增加↔减少, 增长↔下降, 上升↔下降 on one half of a change whose two words agree;
- table_cell: a table cell whose figure the narrative repeats verbatim;
- change_levels: the rate or change amount a sentence states with both years' levels;
- fund_change: one of two changes of one quantity stated at the 财政拨款 and the
  一般公共预算 scope (equal levels);
- fund_parts: one figure of "财政拨款X，其中一般公共预算A、政府性基金B…" (X = A + B + C);
- compare_words: 大于↔小于 (等于/一致/持平 → 小于 or 大于) in "决算数小于预算数".
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

import regex

from auditor.bench.relations import Relation, View, find_relations, ulp
from auditor.checks.facts import FactBase
from auditor.claims.model import Claim
from auditor.interval import Interval

KINDS = ("change_rate", "share", "rate", "amount", "count", "qizhong_part", "direction", "table_cell", "score",
         "sangong_share", "breakdown_item", "change_levels", "fund_change", "fund_parts", "compare_words")
MARGIN_ULPS = 3  # the mutated print is read as ±3 units in its last place, not ±0.5
_PRINT = regex.compile(r"^(?P<sign>[-+])?(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?")
_CELL = regex.compile(r"^(?P<int>\d{1,3}(?:,\d{3})+|\d+)\.(?P<frac>\d+)$")
FLIP = {"增加": "减少", "减少": "增加", "增长": "下降", "下降": "增长", "上升": "下降",
        "提高": "降低", "降低": "提高"}


@dataclass(frozen=True)
class Printed:
    """The numeric part of a print: its shape and value."""

    sign: str
    int_digits: int
    decimals: int
    grouped: bool  # thousands separators
    value: Decimal
    length: int  # characters of the numeric part

    @staticmethod
    def parse(text: str) -> "Printed | None":
        m = _PRINT.match(text)
        if not m:
            return None
        intpart = m["int"].replace(",", "")
        frac = m["frac"] or ""
        value = Decimal(intpart + ("." + frac if frac else ""))
        return Printed(m["sign"] or "", len(intpart.lstrip("0") or "0"), len(frac), "," in m["int"], value,
                       m.end())

    def fits(self, v: Decimal) -> bool:
        """Whether `v` prints in this shape: same integer digits, positive, not the same print."""
        if v <= 0:
            return False
        digits = len(str(int(v))) if int(v) else 1
        return digits == self.int_digits

    def format(self, v: Decimal) -> str:
        q = v.quantize(ulp(self.decimals))
        s = f"{q:,.{self.decimals}f}" if self.grouped else f"{q:.{self.decimals}f}"
        return self.sign + s


@dataclass
class Site:
    doc: str
    kind: str
    line: int
    start: int  # replaced span in the original text
    end: int
    old: str  # the replaced text
    new: str  # what replaces it
    cite_start: int  # the planted place a catching flag must cite (same line)
    cite_end: int
    relations: list[str] = field(default_factory=list)  # which relations the mutation breaks
    note: str = ""

    def apply(self, text: str) -> str:
        assert text[self.start:self.end] == self.old, (self.doc, self.line, self.old)
        return text[:self.start] + self.new + text[self.end:]

    @property
    def shift(self) -> int:
        return len(self.new) - len(self.old)

    def cited_by(self, evidence: list[tuple[int, int | None, int | None, str]]) -> bool:
        """Whether a flag's evidence (line, start, end, quote) in the copy overlaps the planted place."""
        lo, hi = self.cite_start, self.cite_end + self.shift
        for line, start, end, _quote in evidence:
            if line != self.line or start is None or end is None:
                continue
            if start < hi and end > lo:
                return True
        return False


@dataclass
class Skips:
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, kind: str, reason: str) -> None:
        self.counts.setdefault(kind, {}).setdefault(reason, 0)
        self.counts[kind][reason] += 1


def _rng(seed: int, *key: object) -> random.Random:
    return random.Random("|".join(str(k) for k in (seed, *key)))


def _candidates(p: Printed, rng: random.Random, exact: bool) -> list[Decimal]:
    """New values in the same print shape, far from the old one: small shifts first, then larger."""
    step = ulp(p.decimals)
    out: list[Decimal] = []
    for i in range(40):
        f = Decimal(str(round(rng.uniform(0.12, 0.45) if i < 16 else rng.uniform(0.45, 4.0), 3)))
        floor = Decimal(rng.randint(1, 3) if exact else rng.randint(7, 40)) * step
        delta = max(abs(p.value) * f, floor)
        for sign in rng.sample((1, -1), 2):
            v = (p.value + sign * delta).quantize(step)
            if v != p.value and p.fits(v) and v not in out:
                out.append(v)
                break
    return out


def _interval(p: Printed, v: Decimal, exact: bool) -> Interval:
    if exact:
        return Interval.exact(v)
    m = ulp(p.decimals) * MARGIN_ULPS
    return Interval(v - m, v + m)


def _claim_kinds(c: Claim, rels: list[Relation]) -> list[str]:
    kinds = []
    if c.kind in ("change_rate", "share", "rate", "count", "score"):
        kinds.append(c.kind)
    if c.kind in ("amount", "change_amount"):
        kinds.append("amount")
    if c.kind in ("amount", "count") and any(r.kind == "partsum" and c.id in r.members[1:] for r in rels):
        kinds.append("qizhong_part")
    return _list_kinds(c, rels, kinds)


def _list_kinds(c: Claim, rels: list[Relation], kinds: list[str]) -> list[str]:
    """A component's share of an unstated group whole is planted as sangong_share (not share);
    an item of a breakdown list (具体情况如下：A…、B…) as breakdown_item."""
    if c.kind == "share" and any(r.kind == "group_share" and r.members[0] == c.id for r in rels):
        kinds = [k for k in kinds if k != "share"] + ["sangong_share"]
    if c.kind == "amount" and any(r.kind == "breakdown" and c.id in r.members[1:] for r in rels):
        kinds.append("breakdown_item")
    return kinds


def find_sites(doc_name: str, text: str, facts: FactBase, catalogue, flags, seed: int,
               kinds: set[str] | None = None, skips: Skips | None = None,
               verified: frozenset[int] = frozenset()) -> list[Site]:
    """Every place in one document where a contradiction can be planted, with its mutation.

    `verified`: the ids of the claims the checks compared on the original (the result's
    `verified_ids`); only those are planted in."""
    skips = skips or Skips()
    kinds = set(kinds or KINDS)
    claims = facts.claims
    # a note (info) is no finding: the figures it cites stay open to plants
    cited = {(e.line, e.start) for f in flags if f.severity != "info" for e in f.evidence}
    rels = find_relations(facts, catalogue)
    orig = View(claims)
    held = [r for r in rels if r.holds(orig) is True]
    failed_members = {i for r in rels if r.holds(orig) is False for i in r.members}
    by_claim: dict[int, list[Relation]] = {}
    for r in held:
        for i in r.members:
            by_claim.setdefault(i, []).append(r)
    sites: list[Site] = []
    for c in claims:
        wanted = [k for k in _claim_kinds(c, rels) + _level_kinds(c, rels) if k in kinds]
        want_dir = "direction" in kinds and c.direction_word and c.kind in ("change_rate", "change_amount")
        if not wanted and not want_dir:
            continue

        def skip(reason: str) -> None:
            for k in wanted + (["direction"] if want_dir else []):
                skips.add(k, reason)

        if c.id not in verified:
            skip("not verified on the original")
            continue
        if (c.location.line, c.location.start) in cited:
            skip("cited by a flag on the original")
            continue
        if c.id in failed_members:
            skip("in a relation that fails on the original")
            continue
        mine = by_claim.get(c.id, [])
        if not mine:
            skip("no relation the bench can evaluate")
            continue
        sites += _claim_sites(doc_name, text, c, wanted, bool(want_dir), mine, claims, seed, skips)
    if "table_cell" in kinds:
        sites.extend(_table_sites(doc_name, text, facts, cited, seed, skips, verified))
    if "compare_words" in kinds:
        sites.extend(_compare_sites(doc_name, facts, held, rels, cited, skips, verified))
    return sites


def _claim_sites(doc_name: str, text: str, c: Claim, wanted: list[str], want_dir: bool, mine: list[Relation],
                 claims: list[Claim], seed: int, skips: Skips) -> list[Site]:
    """The plants in one claim that holds in the relations `mine`: its word flipped, its value moved."""
    sites: list[Site] = []
    if want_dir:
        site = _direction_site(doc_name, text, c, mine, claims)
        if site:
            sites.append(site)
        else:
            skips.add("direction", "no flippable word or no direction pair")
    for kind in wanted:
        targets = [r for r in mine if r.kind == "partsum" and r.members[0] != c.id] \
            if kind == "qizhong_part" else _LEVEL_TARGETS[kind](c, mine) if kind in _LEVEL_TARGETS \
            else _list_targets(kind, c, mine)
        site = _value_site(doc_name, text, c, kind, targets, claims, seed)
        if isinstance(site, str):
            skips.add(kind, site)
        else:
            sites.append(site)
    return sites


def _list_targets(kind: str, c: Claim, mine: list[Relation]) -> list[Relation]:
    """The relations a list mutation must break: the group share, or the breakdown the item is in."""
    if kind == "sangong_share":
        return [r for r in mine if r.kind == "group_share"]
    if kind == "breakdown_item":
        return [r for r in mine if r.kind == "breakdown" and r.members[0] != c.id]
    return mine


def _value_site(doc: str, text: str, c: Claim, kind: str, rels: list[Relation], claims: list[Claim],
                seed: int) -> Site | str:
    """The site, or why there is none."""
    if c.number.comparator or c.number.chinese:
        return "a target (≥85%) or a number in words"
    p = Printed.parse(c.quote)
    if p is None:
        return "not printed in ASCII digits"
    if p.value == 0:
        return "zero (template wording for no change)"
    exact = c.interval.lo == c.interval.hi
    for v in _candidates(p, _rng(seed, doc, kind, c.location.start), exact):
        view = View(claims, {c.id: _interval(p, v, exact)})
        broken = [r.kind for r in rels if r.holds(view) is False]
        if not broken:
            continue
        new = p.format(v) + c.quote[p.length:]
        return Site(doc, kind, c.location.line, c.location.start, c.location.end, c.quote, new,
                    c.location.start, c.location.end, sorted(set(broken)),
                    f"{c.subject or c.concept or ''}: {c.quote} → {new}")
    if kind == "qizhong_part":
        return "the parts cannot exceed the total within the same print shape"
    return "no value in the same print shape breaks the relation (zero base, wide intervals)"


def _direction_site(doc: str, text: str, c: Claim, rels: list[Relation], claims: list[Claim]) -> Site | None:
    loc = c.direction_location
    if loc is None or c.value == 0:
        return None
    word = text[loc.start:loc.end]
    new = FLIP.get(word)
    if new is None:
        return None
    pairs = [r for r in rels if r.kind in ("direction", "change")]
    if not pairs:
        return None
    view = View(claims, {}, {c.id: -(c.direction or 0)})
    broken = [r.kind for r in pairs if r.holds(view) is False]
    if not broken:
        return None
    same_line = loc.line == c.location.line and loc.start < c.location.start
    cite_start = loc.start
    cite_end = c.location.end if same_line else loc.end
    return Site(doc, "direction", loc.line, loc.start, loc.end, word, new, cite_start, cite_end,
                sorted(set(broken)), f"{c.subject or c.concept or ''}: {word}{c.quote} → {new}{c.quote}")


def _table_sites(doc: str, text: str, facts: FactBase, cited: set, seed: int, skips: Skips,
                 verified: frozenset[int]) -> list[Site]:
    """Cells whose figure a verified narrative amount repeats verbatim, in the table's unit."""
    narrative: dict[tuple[str, str], Claim] = {}
    for c in facts.claims:
        if c.kind == "amount" and c.id in verified and c.unit and (c.location.line, c.location.start) not in cited:
            p = Printed.parse(c.quote)
            if p is not None and p.decimals > 0:
                narrative.setdefault((c.quote[:p.length], c.unit), c)
    out: list[Site] = []
    seen: set[int] = set()
    for table in facts.document.tables:
        if not table.unit:
            continue
        for row in table.rows:
            for cell in row.cells:
                m = _CELL.match(cell.text)
                if not m or cell.location.start in seen:
                    continue
                claim = narrative.get((cell.text, table.unit))
                if claim is None:
                    continue
                p = Printed.parse(cell.text)
                if p is None or p.value == 0 or len(cell.text.replace(",", "").replace(".", "").lstrip("0")) < 3:
                    skips.add("table_cell", "repeated figure too short to be distinctive")
                    continue
                seen.add(cell.location.start)
                cands = _candidates(p, _rng(seed, doc, "table_cell", cell.location.start), False)
                if not cands:
                    skips.add("table_cell", "no value in the same print shape")
                    continue
                v = cands[0]
                new = p.format(v)
                out.append(Site(doc, "table_cell", cell.location.line, cell.location.start, cell.location.end,
                                cell.text, new, cell.location.start, cell.location.end, ["agree"],
                                f"{table.title or ''} / {row.label}: {cell.text} → {new} "
                                f"(narrative line {claim.location.line}: {claim.quote})"))
    return out


# -- issue 11: changes against two levels, one change at two fund scopes, comparison words --

_COMPARE_FLIP = {"大于": "小于", "高于": "低于", "超过": "小于", "多于": "少于", "小于": "大于", "低于": "高于",
                 "少于": "多于"}


def _level_kinds(c: Claim, rels: list[Relation]) -> list[str]:
    """The issue-11 mutation kinds a claim can carry: the stated change of a levels relation,
    a change of a fund-scope pair."""
    kinds = []
    if any(r.kind == "levels" and r.members[0] == c.id for r in rels):
        kinds.append("change_levels")
    if any(r.kind == "fund_change" and c.id in r.members[:2] for r in rels):
        kinds.append("fund_change")
    if any(r.kind == "fund_parts" and c.id in r.members for r in rels):
        kinds.append("fund_parts")
    return kinds


_LEVEL_TARGETS = {
    "change_levels": lambda c, mine: [r for r in mine if r.kind == "levels" and r.members[0] == c.id],
    "fund_change": lambda c, mine: [r for r in mine if r.kind == "fund_change" and c.id in r.members[:2]],
    "fund_parts": lambda c, mine: [r for r in mine if r.kind == "fund_parts"],
}


def _compare_sites(doc: str, facts: FactBase, held: list[Relation], rels: list[Relation], cited: set,
                   skips: Skips, verified: frozenset[int]) -> list[Site]:
    """Flip the word of a 决算/预算 comparison that holds: 小于 → 大于, 一致 → 小于 or 大于."""
    out: list[Site] = []
    failed = {i for r in rels if r.kind == "compare" and r.holds(View(facts.claims)) is False for i in r.members}
    for r in held:
        if r.kind != "compare":
            continue
        final, budget = (facts.claims[i] for i in r.members)
        if not (final.id in verified and budget.id in verified) or final.id in failed:
            skips.add("compare_words", "figures not verified or in a failing comparison")
            continue
        if (final.location.line, final.location.start) in cited:
            skips.add("compare_words", "cited by a flag on the original")
            continue
        printed = r.data["printed"]
        if r.data["word"] == 0:
            new = "小于" if final.value >= budget.value else "大于"
        else:
            new = _COMPARE_FLIP.get(printed)
        if new is None:
            skips.add("compare_words", "no flippable word")
            continue
        view = View(facts.claims, {}, {-1 - r.members[0]: 1 if new in ("大于", "高于", "多于") else -1})
        if r.holds(view) is not False:
            skips.add("compare_words", "the flipped word still fits (printed equal)")
            continue
        start, end, line = r.data["start"], r.data["end"], r.data["line"]
        out.append(Site(doc, "compare_words", line, start, end, printed, new, start, end, ["compare"],
                        f"{final.subject}: {printed} → {new}"))
    return out
