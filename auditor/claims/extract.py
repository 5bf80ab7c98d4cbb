"""Turn the narrative's sentences into claims, driven by the YAML vocabulary.

Each number is read together with its *lead*: the text between the previous
number of the sentence and itself. The lead says what kind of figure it is
(占 → share, 比上年…增加 → change, 执行率 → rate), the role it plays (年初预算数,
上年) and, through the concept lexicon, what quantity it is about. A figure
whose lead names nothing inherits the subject of the figure before it, as the
template's "X万元，比上年增加A万元，增长B%" chains do.

A figure's subject is the noun phrase that governs it, right before it: in
"一般公共预算拨款安排的会议费预算支出1305.25万元" that is 会议费, and the fund scope
before the 的 only qualifies it. Every subject found by a weaker rule (a name far
from the figure, a subject carried over from another figure or sentence, an
elliptical name) makes the claim `confidence="low"` with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import regex

from auditor.rules_model import Catalogue
from auditor.claims.model import Claim, Sentence
from auditor.claims.numbers import COUNT_UNITS, MONEY_UNITS, Number, find_numbers
from auditor.model import Document, Location

_SENTENCE_END = regex.compile(r"[。！？!?]+")
# a clause ends at punctuation or a space; not at a space inside a word of a PDF line
# ("一般公共 预算 收入", "2017 年度"): the lead is read with such spaces squeezed out first
_CLAUSE_BREAK = regex.compile(r"[，,；;：:、\s]")
_INNER_SPACE = regex.compile(r"(?<=[\p{Han}\d、])[ \t\u3000]+(?=[\p{Han}、])")
# "收、支预算总计", "收入、支出预算总计": one name for both totals, not two clauses
_BOTH_TOTALS = regex.compile(r"(?<=收入?)、(?=支)")
_FUNC_PATH = regex.compile(
    r"(?P<cls>[\p{Han}、]+?)[（(](?P<cc>\d{3})?类[）)]"
    r"(?:(?P<kuan>[\p{Han}、]+?)[（(](?P<kc>\d{2})?款[）)])?"
    r"(?:(?P<xiang>[\p{Han}、]+?)[（(](?P<xc>\d{2})?项[）)])?"
)
# 2040250款事业运行支出: a full code printed before the item's name
_INLINE_CODE = regex.compile(r"^(?P<code>\d{7}|\d{5}|\d{3})(?:类|款|项)?(?P<name>\p{Han}+?)(?:支出)?$")
# what may stand between a classification path and its figure: 支出决算数为, 2020年预算数为 …
_PATH_TAIL = regex.compile(r"^[\s:：]*(?:\d{4}年)?(?:支出)?(?:决算数|预算数|支出决算数)?(?:为)?(?:支出)?$")
_TIMEOUT = 1.0
# fixed patterns, compiled once (a pattern string passed to regex.sub/search is looked up per call)
_HAN = regex.compile(r"\p{Han}")
_BUDGET_BASE = regex.compile(r"上年度?预算")
_ACTUAL_BASE = regex.compile(r"上年度?(?:执行数|决算)")
_ROLE_FILLER = regex.compile(r"支出|预算|决算|为|是|达|共|的|[\s（(]")
_LEADING_ENUM = regex.compile(r"^[\d.、]+")
_LEADING_ITEM_NO = regex.compile(r"^(?:\d{1,2}[.、．]|[（(]\d{1,2}[）)])\s*")
_YEAR_WORD = regex.compile(r"\d{4}年度?")
_DIGIT = regex.compile(r"\d")
_PHRASE_HEAD = regex.compile(r"^(?:\d{4}年度?|[\d.、．\s]+|[（(][\d一二三四五六七八九十]{1,3}[）)])+")
_PHRASE_TAIL = regex.compile(r"(为|是|共|达|约|合计|总额|金额|共计)+$")
_DENOM_HEAD = regex.compile(r"^(比|为|到|了)")
_DENOM_TAIL = regex.compile(r"(的|比重|比例|比为|为)+\s*$")
_OPEN = regex.compile(r"[（(]")
_CLOSE = regex.compile(r"[）)]")
_REMARK = regex.compile(r"[（(][^（）()]*[）)]")  # 人员经费（项级科目）: a remark, not part of the figure's name
_SEPARATOR = regex.compile(r"[，,；;：:、\s]")
# words that may stand between a name and its figure without naming anything else
# ("因公出国（境）费预算支出222.5万元", "基本支出决算数为…"); anything else left between
# them means the name is far from the figure
_LINK_WORDS = regex.compile(
    r"预算|决算|支出|收入|经费|资金|总额|金额|数额|数|额|为|是|达|共|约|了|的|安排|列支|比|较|与|相比|"
    r"本年度?|全年|当年|年度|各|均|分别|实际|主要原因是?|原因是|主要是|[\s“”\"（）()、，,；;：:]")
# "比上年", "与2023年度相比", "较上年同期": the comparison itself, whatever the vocabulary splits it into
_COMPARED_WITH = regex.compile(r"(?:比|较|与|同)?(?:上一?年度?|去年|\d{4}年度?)(?:同期)?(?:相比|比较)?")
# a total after a name makes it another quantity ("财政拨款收入预算总计" is not 财政拨款收入)
_TOTAL_WORD = regex.compile(r"总计|合计")
# a named phrase of a change that is only a generic word names nothing ("减少支出312.07万元")
_GENERIC_NAME = regex.compile(r"^(?:支出|收入|经费|资金|费用|金额|人数|人员|数量)?$")


@lru_cache(maxsize=256)
def _adjacent_to(word: str) -> regex.Pattern[str]:
    """A direction word right before the figure (增加了, 减少为): one pattern per vocabulary word."""
    return regex.compile(r"(?:%s)(?:了|为|约)?$" % regex.escape(word))


def _alternation(words: list[str]) -> regex.Pattern[str]:
    words = sorted(set(words), key=len, reverse=True)
    return regex.compile("|".join(regex.escape(w) for w in words))


def _either(up: list[str], down: list[str], short: list[str]) -> regex.Pattern[str]:
    """The template's either-or wording: an up or down word with the other in brackets
    (增加（减少）, 下降（增长）, 增长（降低）), or one of the short forms (增（减）)."""
    words = "|".join(regex.escape(w) for w in sorted(set(up) | set(down), key=len, reverse=True))
    pair = rf"(?:{words})\s*[（(]\s*(?:{words})\s*[）)]"
    if short:
        return regex.compile(pair + "|" + "|".join(regex.escape(w) for w in sorted(short, key=len, reverse=True)))
    return regex.compile(pair)


def _squeeze(text: str) -> tuple[str, list[int]]:
    """`text` without the spaces a PDF line puts inside words, and for each character of the
    result (and its end) the offset in `text` it came from."""
    back = list(range(len(text) + 1))
    for pattern in (_INNER_SPACE, _BOTH_TOTALS):  # in turn: "收、 支" loses its space, then its 、
        drop = {i for m in pattern.finditer(text) for i in range(m.start(), m.end())}
        if drop:
            kept = [i for i in range(len(text)) if i not in drop]
            text = "".join(text[i] for i in kept)
            back = [back[i] for i in kept] + [back[-1]]
    return text, back


@dataclass
class _Vocab:
    aliases: regex.Pattern[str]
    alias_concept: dict[str, str]
    up: regex.Pattern[str]
    down: regex.Pattern[str]
    flat: regex.Pattern[str]
    either: regex.Pattern[str]
    compare_up: regex.Pattern[str] | None
    compare_down: regex.Pattern[str] | None
    context: regex.Pattern[str]
    share: regex.Pattern[str]
    qualifier_end: regex.Pattern[str]
    filler_start: regex.Pattern[str]
    fillers: regex.Pattern[str]  # the same words anywhere
    rates: list[tuple[str, regex.Pattern[str]]]
    roles: list[tuple[str, regex.Pattern[str]]]
    funds: regex.Pattern[str] | None  # every word of a fund scope
    fund_of: dict[str, str]  # fund scope word → scope name
    own_scope: dict[str, frozenset[str]]  # concept id → the scopes it lies in by definition


class ClaimExtractor:
    """Built once per process from the catalogue; `extract` is pure per document."""

    def __init__(self, catalogue: Catalogue):
        v = catalogue.vocabulary
        table = catalogue.alias_table()
        self.elliptical = set(v.elliptical_aliases)
        self.qualifiers = list(v.scope_qualifiers)
        fund_of = {w: name for name, words in v.fund_scopes.items() for w in words}
        self.vocab = _Vocab(
            aliases=_alternation([a for a, _ in table]),
            alias_concept={a: c for a, c in reversed(table)},
            up=_alternation(v.change_up),
            down=_alternation(v.change_down),
            flat=_alternation(v.change_flat),
            either=_either(v.change_up, v.change_down, v.change_either),
            compare_up=_alternation(v.compare_up) if v.compare_up else None,
            compare_down=_alternation(v.compare_down) if v.compare_down else None,
            context=_alternation(v.change_context),
            share=_alternation(v.share_markers),
            qualifier_end=regex.compile(
                "(?:" + "|".join(regex.escape(w) for w in v.scope_qualifiers) + ")$"),
            filler_start=regex.compile("^(?:" + "|".join(v.subject_fillers) + r"|[（(][^）)]*[）)]|[的\s“”\"])+"),
            fillers=regex.compile("|".join(v.subject_fillers)),
            rates=[(k, _alternation(ws)) for k, ws in v.rate_markers.items()],
            roles=[(k, _alternation(ws)) for k, ws in v.roles.items()],
            funds=_alternation(list(fund_of)) if fund_of else None,
            fund_of=fund_of,
            own_scope={cid: frozenset(c.own_scope) for cid, c in catalogue.concepts.items() if c.own_scope},
        )
        v2 = self.vocab
        self._noise = [p for p in (v2.either, v2.flat, v2.up, v2.down, v2.context, v2.compare_up,
                                   v2.compare_down, v2.fillers, *(p for _, p in v2.roles)) if p is not None]
        self._cores: dict[str, str] = {}
        self.qualifier_tail = regex.compile(
            "(?:" + "|".join(regex.escape(w) for w in sorted(v.scope_qualifiers, key=len, reverse=True)) + ")$")

    def _scoped(self, claim: Claim) -> bool:
        """Whether a claim's subject names a scope (财政拨款…, 政府性基金预算…)."""
        return any(q in claim.subject for q in self.qualifiers)

    # -- sentences -----------------------------------------------------------------
    def sentences(self, doc: Document) -> list[Sentence]:
        """Sentences of the prose: paragraphs, and table cells that hold prose (目标, 完成情况)."""
        out: list[Sentence] = []
        for block in doc.blocks:
            if block.kind == "paragraph":
                self._split(block.text, block.location, block.section, out)
            elif block.table is not None:
                for row in block.table.rows:
                    for cell in row.cells:
                        if cell.value is None and _is_prose(cell.text):
                            self._split_cell(cell.text, cell.location, block.section, out)
        return out

    def _split_cell(self, text: str, loc: Location, section: tuple[str, ...], out: list[Sentence]) -> None:
        offset = 0
        for i, piece in enumerate(text.split("\n")):
            start = loc.start + offset
            self._split(piece, Location(loc.line + i, start, start + len(piece), loc.page), section, out)
            offset += len(piece) + 1

    @staticmethod
    def _split(text: str, where: Location, section: tuple[str, ...], out: list[Sentence]) -> None:
        start = 0
        pieces = []
        for m in _SENTENCE_END.finditer(text):
            pieces.append((start, m.end()))
            start = m.end()
        if start < len(text):
            pieces.append((start, len(text)))
        for a, b in pieces:
            if not text[a:b].strip():
                continue
            loc = Location(where.line, where.start + a, where.start + b, where.page)
            out.append(Sentence(len(out), text[a:b], loc, section))

    # -- claims ----------------------------------------------------------------------
    def extract(self, doc: Document) -> tuple[list[Sentence], list[Claim]]:
        sentences = self.sentences(doc)
        claims: list[Claim] = []
        previous: Sentence | None = None
        open_head: Claim | None = None
        heading: tuple[int, str, str] | None = None  # (line, subject, concept) of an item's title sentence
        for s in sentences:
            self._extract_sentence(s, claims, previous)
            open_head = self._continue_list(s, open_head)
            if heading is not None and heading[0] == s.location.line:
                self._inherit_item(s, heading)
            else:
                heading = self._item_title(s)
            previous = s
        return sentences, claims

    def _item_title(self, s: Sentence) -> tuple[int, str, str] | None:
        """'1、一般公共服务支出（类）社会工作事务（款）行政运行（项）。' names the item the rest of
        its paragraph speaks of ('…全年预算为52.00万元，支出决算为51.32万元')."""
        if s.claims:
            return None
        text = _ITEM_TITLE_END.sub("", s.text)
        reading = self._coded(text, text)
        if reading is not None and reading.concept:
            return s.location.line, reading.subject, reading.concept
        return None

    def _inherit_item(self, s: Sentence, heading: tuple[int, str, str]) -> None:
        for c in s.claims:
            if c.concept is None and c.kind in ("amount", "change_amount", "change_rate", "rate") \
                    and self._only_role_words(_last_clause(s.text[:c.number.start])):
                c.subject, c.concept = heading[1], heading[2]
                _weaken(c, "主体取自本段标题句")

    def _continue_list(self, s: Sentence, open_head: Claim | None) -> Claim | None:
        """A 其中 list laid out one part per line: '支出合计X，其中：' / '基本支出Y；' / '项目支出Z。'"""
        text = s.text.rstrip()
        if text.endswith(("其中：", "其中:")):
            heads = [c for c in s.claims if c.kind in ("amount", "count")]
            return heads[-1] if heads else None
        if open_head is None or s.section != open_head.section or s.qizhong_at is not None:
            return None
        parts = [c for c in s.claims if c.kind in ("amount", "count") and c.head_id is None]
        if not parts:
            return None
        for part in parts[:1]:
            if _same_family(open_head, part) and part.kind == open_head.kind and part.role == open_head.role:
                part.head_id = open_head.id
        return None if text.endswith("。") else open_head

    def _extract_sentence(self, s: Sentence, claims: list[Claim], previous: Sentence | None) -> None:
        text = s.text
        numbers = find_numbers(text)
        qz = text.find("其中")
        s.qizhong_at = qz if qz >= 0 else None
        if not numbers:
            self._link_heads(s, previous)
            return
        squeezed, back = _squeeze(text)
        forward = back if len(back) == len(text) + 1 else _forward(back, len(text))  # nothing squeezed: identity
        # "X预算数为A万元。与上年相比增加B万元": a change that names nothing is about the amount
        # of the sentence before, when both stand in one paragraph line
        carry = None
        if previous is not None and previous.location.line == s.location.line:
            money = [c for c in previous.claims if c.kind == "amount" and c.number.is_money]
            carry = money[-1] if money else None
        prev_end = 0
        last: dict[str, Claim] = {}  # the last "amount" (amount or count) and "money" claim
        for n in numbers:
            at = _At(back, forward[n.start])
            lead = squeezed[forward[prev_end]:at.number]
            claim = self._classify(s, n, lead, len(claims), last, at, carry)
            prev_end = n.end
            if claim is None:
                continue
            claims.append(claim)
            s.claims.append(claim)
            if claim.kind in ("amount", "count"):
                for key in ("amount", "money"):
                    if key == "amount" or claim.number.is_money:
                        last[key] = claim
                        if claim.role == "current":
                            last["current " + key] = claim
        self._link_heads(s, previous)

    def _classify(self, s: Sentence, n: Number, lead: str, cid: int, last: dict[str, Claim],
                  at: "_At", carry: Claim | None) -> Claim | None:
        loc = Location(s.location.line, s.location.start + n.start, s.location.start + n.end,
                       s.location.page)
        clause = _last_clause(lead)
        if n.unit in ("%",):
            k = self._percent_kind(s, n, lead, at)
        elif n.unit in MONEY_UNITS or n.unit in COUNT_UNITS:
            k = self._quantity_kind(s, n, lead, clause, at)
        else:
            k = _Kind("score" if n.unit == "分" else "other")  # "pp" and other units: other
        if n.comparator and k.kind not in ("score",):
            k.kind = "other"  # a target such as ≥85% or <=10万元: not a stated fact
        if k.direction is None and k.dword is not None and n.value == 0:
            k.direction = 0  # 增加（减少）0万元: whatever the template's words, no change
        role = (self._role(clause) or "current") if k.kind in ("amount", "count") else "current"
        reading = self._reading(k.kind, s, n, clause, lead, last, carry, role)
        if k.kind == "change_amount":
            # what the change is measured against: 上年预算 and 上年决算/执行数 are different bases
            if _BUDGET_BASE.search(clause):
                role = "budget_base"
            elif _ACTUAL_BASE.search(clause):
                role = "actual_base"
        weak = k.weak or reading.weak
        return Claim(cid, k.kind, n, loc, s.id, reading.subject, reading.concept, role, k.direction, k.dword, k.dloc,
                     k.denominator, k.rate_kind, None, s.section,
                     confidence="low" if weak else "high", confidence_reason=weak)

    def _percent_kind(self, s: Sentence, n: Number, lead: str, at: "_At") -> "_Kind":
        """A figure in %: a rate (执行率), a share (占), a change rate (增长), or a bare percent."""
        share_m = _last(self.vocab.share, lead)
        rate_hit = self._rate_kind(lead)
        change = self._direction(lead)
        if rate_hit and (not change or rate_hit[1] >= change[2]):
            return _Kind("rate", rate_kind=rate_hit[0])
        if share_m and (not change or share_m.end() > change[2]) and n.comparator is None:
            return _Kind("share", denominator=_denominator(lead[share_m.end():]))
        if change:
            direction, dword, pos = change
            return _Kind("change_rate", direction, dword, self._loc(s, at, lead, lead, pos, dword))
        return _Kind("percent")

    def _quantity_kind(self, s: Sentence, n: Number, lead: str, clause: str, at: "_At") -> "_Kind":
        """A sum of money or a count: a level (amount, count) or a change (增加X万元, 小于上年X万元)."""
        change = self._direction(clause)
        adjacent = change is not None and _adjacent_to(change[1]).search(clause) is not None
        in_context = change is not None and n.unit in MONEY_UNITS and (
            self.vocab.context.search(s.text[:n.start]) is not None or change[0] in (0, None))
        fronted = change is not None and n.unit in MONEY_UNITS and not (adjacent or in_context) \
            and self._verb_object(clause, change)
        compared = self._comparison(clause) if n.unit in MONEY_UNITS and not change else None
        if change and (adjacent or in_context or fronted):
            direction, dword, pos = change
            weak = "增减词在名称之前（“增加基本支出X”），句中未写比较的基期" if fronted else ""
            return _Kind("change_amount", direction, dword, self._loc(s, at, lead, clause, pos, dword), weak=weak)
        if compared:
            # 本年数小于上年预算数403.75万元: the difference, not a level
            direction, dword, pos = compared
            return _Kind("change_amount", direction, dword, self._loc(s, at, lead, clause, pos, dword))
        return _Kind("amount" if n.unit in MONEY_UNITS else "count")

    def _reading(self, kind: str, s: Sentence, n: Number, clause: str, lead: str, last: dict[str, Claim],
                 carry: Claim | None, role: str) -> "_Reading":
        """Whose figure it is: derived kinds from their neighbours, levels from their own words."""
        if kind in ("change_amount", "change_rate", "share", "rate"):
            return self._derived_subject(kind, n, clause, lead, last, carry, s.claims[-1] if s.claims else None)
        reading = self._subject(clause, lead)
        if reading.subject in self.elliptical and any(self._scoped(c) for c in s.claims):
            # "财政拨款收入总计A，支出总计B": B is 财政拨款支出总计
            reading = _Reading(reading.subject, None, "省略了口径的名称（承接前文的口径）")
        before = last.get("amount")
        if reading.concept is None and before is not None and before.concept \
                and before.role != role and self._only_role_words(clause):
            # "X年初预算为A万元，支出决算为B万元": B is X too, in another role
            reading = _Reading(before.subject, before.concept, "主体承接同句前一数字（省略主语）")
        return reading

    def _derived_subject(self, kind: str, n: Number, clause: str, lead: str, last: dict[str, Claim],
                         carry: Claim | None, prior: Claim | None) -> "_Reading":
        """What a change, share or rate is about: the name in its own clause, else the amount
        before it in the sentence ("X万元，比上年增加A万元，增长B%"), else the sentence before."""
        change = kind in ("change_amount", "change_rate")
        if change:
            named = self._subject(clause, lead)
            if named.concept is not None and not named.concept.startswith(("func:", "code:")):
                return named
            if named.concept is None and self._names_something(named.subject):
                return named  # "人代会专项经费增加200万元": its own subject, not the sentence's
        if kind == "change_rate" and prior is not None and prior.kind == "change_amount":
            # "收入总计减少620.07万元，下降8.45%": the rate is the change just stated
            return _Reading(prior.subject, prior.concept, prior.confidence_reason)
        key = "money" if kind == "change_amount" and n.is_money else "amount"
        # a change is measured on this year's figure, not on a base printed before it
        # ("接待费12.35万元（上年为15.60万元），比上年减少3.25万元")
        before = (last.get("current " + key) if change else None) or last.get(key)
        if before is not None and (kind != "change_amount" or n.unit == before.unit
                                   or (n.is_money and before.number.is_money)):
            return _Reading(before.subject, before.concept, before.confidence_reason)
        if change and carry is not None and prior is None and not self._names_something(lead) \
                and (kind == "change_rate" or n.is_money == carry.number.is_money):
            return _Reading(carry.subject, carry.concept, "主体承接上一句的金额")
        return self._subject(lead[:len(lead) - len(clause)] if kind == "share" else lead, lead)

    def _loc(self, s: Sentence, at: "_At", lead: str, segment: str, pos: int, word: str) -> Location:
        """Where `word` (at `pos` in `segment`, the tail of the squeezed `lead`) stands in the text."""
        start_sq = at.number - len(lead) + lead.rfind(segment) + pos
        start = at.back[start_sq]
        end = at.back[start_sq + len(word) - 1] + 1
        return Location(s.location.line, s.location.start + start, s.location.start + end, s.location.page)

    def _direction(self, lead: str) -> tuple[int | None, str, int] | None:
        """The last direction word of the lead: (+1/-1/0, or None for the template's either-or
        wording 增加（减少）; the word; its offset in the lead)."""
        v = self.vocab
        hits = []
        for sign, pat in ((0, v.flat), (1, v.up), (-1, v.down), (None, v.either)):
            m = _last(pat, lead)
            if m:
                hits.append((m.start(), m.end(), sign, m.group()))
        if not hits:
            return None
        # the word ending last wins; at the same end the longer one (增加（减少） over 减少）)
        best = max(hits, key=lambda h: (h[1], h[1] - h[0]))
        for h in hits:  # a word inside the template's either-or wording is part of it
            if h[2] is None and h[0] <= best[0] and best[1] <= h[1]:
                best = h
        return best[2], best[3], best[0]

    def _comparison(self, clause: str) -> tuple[int, str, int] | None:
        """'本年数小于上年预算数': a comparison word followed by the comparison year."""
        v = self.vocab
        best = None
        for sign, pat in ((1, v.compare_up), (-1, v.compare_down)):
            m = _last(pat, clause) if pat is not None else None
            if m and v.context.search(clause[m.end():]) and (best is None or m.start() > best[2]):
                best = (sign, m.group(), m.start())
        return best

    def _verb_object(self, clause: str, change: tuple[int | None, str, int]) -> bool:
        """'增加基本支出844.15万元': a direction word right before a name and its figure."""
        _, word, pos = change
        rest = clause[pos + len(word):].lstrip("了")
        m = self.vocab.aliases.match(rest)
        return m is not None and not self._core(rest[m.end():])

    def _rate_kind(self, lead: str) -> tuple[str, int] | None:
        best = None
        for name, pat in self.vocab.rates:
            m = _last(pat, lead)
            if m and (best is None or m.end() > best[1]):
                best = (name, m.end())
        return best

    def _only_role_words(self, clause: str) -> bool:
        rest = clause
        for _, pattern in self.vocab.roles:
            rest = pattern.sub("", rest)
        return _ROLE_FILLER.sub("", rest) == ""

    def _role(self, clause: str) -> str | None:
        """The role word of the clause, None when it has none (the figure may inherit one)."""
        best: tuple[str | None, int] = (None, -1)
        for name, pat in self.vocab.roles:
            m = _last(pat, clause)
            if m and m.end() > best[1]:
                best = (name, m.end())
        return best[0]

    def _core(self, text: str) -> str:
        """`text` without the words that name no quantity: roles, directions, comparison years,
        fillers and link words ('比上年预算数增加' → '', '会议费预算支出' → '会议费')."""
        core = self._cores.get(text)
        if core is None:
            core = _COMPARED_WITH.sub("", text)
            for pat in self._noise:
                core = pat.sub("", core)
            core = _LINK_WORDS.sub("", core)
            if len(self._cores) > 4096:  # bounded: phrases repeat within a document, not across all
                self._cores.clear()
            self._cores[text] = core
        return core

    def _names_something(self, text: str) -> bool:
        """Whether a phrase names a quantity of its own (at least two characters of a name)."""
        core = self._core(text)
        return len(_HAN.findall(core)) >= 2 and not _GENERIC_NAME.match(core)

    def _subject(self, clause: str, lead: str) -> "_Reading":
        """The quantity a figure is about: a classification path, a code, a lexicon concept or a phrase."""
        return self._coded(clause, lead) or self._named(clause)

    @staticmethod
    def _coded(clause: str, lead: str) -> "_Reading | None":
        """A classification path ('公共安全（204类）公安（02款）') or an inline code before the figure."""
        path = None
        for m in _FUNC_PATH.finditer(lead):
            path = m
        if path is not None and _PATH_TAIL.match(lead[path.end():]):
            codes = [path.group("cc"), path.group("kc"), path.group("xc")]
            names = [p for p in (path.group("cls"), path.group("kuan"), path.group("xiang")) if p]
            names = [_LEADING_ENUM.sub("", p) for p in names]
            if codes[0] and all(c for c, n in zip(codes, names) if n):
                return _Reading(path.group().lstrip("、"), "code:" + "".join(c for c in codes if c))
            if not any(codes):
                return _Reading(path.group().lstrip("、"), "func:" + "/".join(names))
            return _Reading(path.group(), None)
        coded = _INLINE_CODE.match(_LEADING_ITEM_NO.sub("", clause))
        if coded:
            return _Reading(clause, "code:" + coded.group("code"))
        return None

    def _named(self, clause: str) -> "_Reading":
        """The lexicon concept named right before the figure, in the scope the clause gives it."""
        v = self.vocab
        segment, scopes = self._governed(clause)
        m = _last(v.aliases, segment)
        if m is None:
            return _Reading(_phrase(segment), None)
        concept = v.alias_concept[m.group()]
        prefix = v.filler_start.sub("", _LEADING_ITEM_NO.sub("", segment[:m.start()]))
        prefix, qualifiers = self._strip_qualifiers(_YEAR_WORD.sub("", prefix))
        if _DIGIT.search(prefix):
            return _Reading(segment, None)  # a coded name: a different quantity
        if len(_OPEN.findall(prefix)) > len(_CLOSE.findall(prefix)):
            return _Reading(segment, None)  # 设备（不含车辆）: the name stands inside a remark
        own = v.own_scope.get(concept, frozenset())
        if any(v.fund_of.get(q) not in own for q in qualifiers):
            return _Reading(segment, None)  # 政府性基金预算财政拨款收入总计 is not 收入总计
        weak = ""
        foreign = [x for x in scopes if x not in own]
        if foreign:
            # 一般公共预算拨款安排的基本支出: the name in that scope, if the lexicon knows it
            concept = self._in_scope(m.group(), foreign)
            if concept is None:
                return _Reading(_phrase(segment), None)
            weak = "口径由“的”字前的限定语推定"
        gap = segment[m.end():]
        if _TOTAL_WORD.search(gap) and not _TOTAL_WORD.search(m.group()):
            return _Reading(_phrase(segment), None)  # 财政拨款收入预算总计: a total, not 财政拨款收入
        if v.funds is not None:
            for f in v.funds.finditer(gap):
                if v.fund_of[f.group()] not in own:
                    return _Reading(_phrase(segment), None)  # 基本支出中财政拨款…: a part in a scope
            gap = v.funds.sub("", gap)  # 机关运行经费财政拨款预算: the concept's own scope
        gap = _REMARK.sub("", gap)
        if self._core(_SEPARATOR.split(gap, 1)[0]):
            return _Reading(_phrase(segment), None)  # 车辆运行费, “三公经费”控制数: a longer name
        gap = self._core(gap)
        if gap:
            weak = weak or f"名称“{m.group()}”与数字之间隔有“{gap}”"
        return _Reading(m.group(), concept, weak)

    def _governed(self, clause: str) -> tuple[str, list[str]]:
        """The noun phrase that governs the figure, and the fund scopes put on it: in
        '一般公共预算拨款安排的会议费预算支出' the phrase after the 的 (会议费…), in the
        一般公共预算 scope. A 的 followed by role words only ('…经费的预算数为') splits nothing."""
        v = self.vocab
        de = clause.rfind("的")
        if de <= 0 or not self._names_something(clause[de + 1:]):
            return clause, []
        head = clause[:de]
        scopes = []
        if v.funds is not None:
            for m in v.funds.finditer(head):
                if v.fund_of[m.group()] not in scopes:
                    scopes.append(v.fund_of[m.group()])
        if scopes or v.aliases.search(head):
            return clause[de + 1:], scopes
        return clause, []

    def _strip_qualifiers(self, prefix: str) -> tuple[str, list[str]]:
        """'上年一般公共预算' → ('', ['一般公共预算', '上年']): the qualifiers right before a name."""
        found = []
        while prefix:
            m = self.qualifier_tail.search(prefix)
            if m is None:
                break
            found.append(m.group())
            prefix = prefix[:m.start()]
        return prefix, found

    def _in_scope(self, alias: str, scopes: list[str]) -> str | None:
        """The concept of `alias` printed with a word of one of `scopes` before it, if any."""
        v = self.vocab
        for word, name in v.fund_of.items():
            if name in scopes and word + alias in v.alias_concept:
                return v.alias_concept[word + alias]
        return None

    def _link_heads(self, s: Sentence, previous: Sentence | None) -> None:
        """Mark the parts of a 其中 list with the claim of their total."""
        if s.qizhong_at is None:
            return
        before = [c for c in s.claims if c.number.start < s.qizhong_at]
        after = [c for c in s.claims if c.number.start > s.qizhong_at]
        if not before and previous is not None and previous.location.line == s.location.line:
            before = previous.claims
        for part in after:
            if part.kind not in ("amount", "count"):
                continue
            heads = [c for c in before if c.kind == part.kind and _same_family(c, part)]
            if heads:
                head = heads[-1]
                part.head_id = head.id
                if head.role != "current" and self._role(_last_clause(
                        s.text[:part.number.start])) is None:
                    part.role = head.role  # 年初预算为X，其中：基本支出Y → Y is a budget figure too
        # figures in brackets after a part are its own parts, with the same role
        for c in after:
            if c.head_id is None and c.kind in ("amount", "count"):
                owner = [p for p in after if p.head_id is not None and p.number.start < c.number.start]
                if owner and owner[-1].role != "current":
                    c.role = owner[-1].role


_ITEM_TITLE_END = regex.compile(r"[。：:\s]+$")


@dataclass
class _Kind:
    """What a figure is, as its own words say, before whose it is: the claim's kind and change words."""

    kind: str
    direction: int | None = None
    dword: str | None = None
    dloc: Location | None = None
    denominator: str | None = None
    rate_kind: str | None = None
    weak: str = ""


class _Reading(NamedTuple):
    """A subject as read: printed phrase, concept, and why the reading is weak ('' if it is not)."""

    subject: str
    concept: str | None
    weak: str = ""


@dataclass(frozen=True)
class _At:
    """A number's place in the squeezed sentence, and the way back to the printed offsets."""

    back: list[int]  # squeezed offset → offset in the sentence
    number: int  # squeezed offset of the number


def _forward(back: list[int], length: int) -> list[int]:
    """For each offset of the sentence, the squeezed offset of the first character kept from it on."""
    out = [0] * (length + 1)
    j = len(back) - 1
    for i in range(length, -1, -1):
        while j > 0 and back[j - 1] >= i:
            j -= 1
        out[i] = j
    return out


def _weaken(claim: Claim, reason: str) -> None:
    claim.confidence = "low"
    claim.confidence_reason = claim.confidence_reason or reason


def _phrase(text: str) -> str:
    """A clause as a subject phrase: without a leading enumerator and trailing link words."""
    return _PHRASE_TAIL.sub("", _PHRASE_HEAD.sub("", text).strip())


def _is_prose(text: str) -> bool:
    """A cell worth reading as sentences: some words and at least one figure with a unit."""
    return len(text) >= 8 and len(_HAN.findall(text)) >= 8 and any(n.unit for n in find_numbers(text))


def _same_family(a: Claim, b: Claim) -> bool:
    if a.unit in MONEY_UNITS:
        return b.unit in MONEY_UNITS
    return a.unit == b.unit


def _last(pattern: regex.Pattern[str], text: str) -> regex.Match[str] | None:
    found = None
    for m in pattern.finditer(text, timeout=_TIMEOUT):
        found = m
    return found


def _last_clause(lead: str) -> str:
    """The lead after its last clause break, so '…减少专项资金。其中：X' gives 'X'."""
    parts = [p for p in _CLAUSE_BREAK.split(lead) if p]
    clause = parts[-1] if parts else ""
    # "比2015年（与2015年数据相比，下同）减少支出": the clause after a remark that held a comma
    close = max(clause.rfind("）"), clause.rfind(")"))
    if close >= 0 and len(_OPEN.findall(clause[:close])) < len(_CLOSE.findall(clause[:close + 1])):
        clause = clause[close + 1:]
    return clause


def _denominator(after_marker: str) -> str | None:
    """'本年支出合计的' → '本年支出合计'; '' → None (the list's own total)."""
    text = after_marker.strip()
    text = _DENOM_HEAD.sub("", text)
    text = _DENOM_TAIL.sub("", text).strip()
    return text or None
