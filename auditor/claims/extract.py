"""Turn the narrative's sentences into claims, driven by the YAML vocabulary.

Each number is read together with its *lead*: the text between the previous
number of the sentence and itself. The lead says what kind of figure it is
(占 → share, 比上年…增加 → change, 执行率 → rate), the role it plays (年初预算数,
上年) and, through the concept lexicon, what quantity it is about. A figure
whose lead names nothing inherits the subject of the figure before it, as the
template's "X万元，比上年增加A万元，增长B%" chains do.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import regex

from auditor.catalogue import Catalogue
from auditor.claims.model import Claim, Sentence
from auditor.claims.numbers import COUNT_UNITS, MONEY_UNITS, Number, find_numbers
from auditor.model import Document, Location

_SENTENCE_END = regex.compile(r"[。！？!?]+")
_CLAUSE_BREAK = regex.compile(r"[，,；;：:、\s]")
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
_ROLE_FILLER = regex.compile(r"支出|为|是|达|共|的|\s")
_LEADING_ENUM = regex.compile(r"^[\d.、]+")
_LEADING_ITEM_NO = regex.compile(r"^\d{1,2}[.、．]\s*")
_YEAR_WORD = regex.compile(r"\d{4}年度?")
_DIGIT = regex.compile(r"\d")
_PHRASE_HEAD = regex.compile(r"^[\d.、\s]+")
_PHRASE_TAIL = regex.compile(r"(为|是|共|达|约|合计|总额|金额|共计)+$")
_DENOM_HEAD = regex.compile(r"^(比|为|到|了)")
_DENOM_TAIL = regex.compile(r"(的|比重|比例|比为|为)+\s*$")


@lru_cache(maxsize=256)
def _adjacent_to(word: str) -> regex.Pattern[str]:
    """A direction word right before the figure (增加了, 减少为): one pattern per vocabulary word."""
    return regex.compile(r"(?:%s)(?:了|为|约)?$" % regex.escape(word))


def _alternation(words: list[str]) -> regex.Pattern[str]:
    words = sorted(set(words), key=len, reverse=True)
    return regex.compile("|".join(regex.escape(w) for w in words))


@dataclass
class _Vocab:
    aliases: regex.Pattern[str]
    alias_concept: dict[str, str]
    up: regex.Pattern[str]
    down: regex.Pattern[str]
    flat: regex.Pattern[str]
    context: regex.Pattern[str]
    share: regex.Pattern[str]
    qualifier_end: regex.Pattern[str]
    filler_start: regex.Pattern[str]
    rates: list[tuple[str, regex.Pattern[str]]]
    roles: list[tuple[str, regex.Pattern[str]]]


class ClaimExtractor:
    """Built once per process from the catalogue; `extract` is pure per document."""

    def __init__(self, catalogue: Catalogue):
        v = catalogue.vocabulary
        table = catalogue.alias_table()
        self.elliptical = set(v.elliptical_aliases)
        self.qualifiers = list(v.scope_qualifiers)
        self.vocab = _Vocab(
            aliases=_alternation([a for a, _ in table]),
            alias_concept={a: c for a, c in reversed(table)},
            up=_alternation(v.change_up),
            down=_alternation(v.change_down),
            flat=_alternation(v.change_flat),
            context=_alternation(v.change_context),
            share=_alternation(v.share_markers),
            qualifier_end=regex.compile(
                "(?:" + "|".join(regex.escape(w) for w in v.scope_qualifiers) + ")$"),
            filler_start=regex.compile("^(?:" + "|".join(v.subject_fillers) + r"|[（(][^）)]*[）)]|[的\s“”\"])+"),
            rates=[(k, _alternation(ws)) for k, ws in v.rate_markers.items()],
            roles=[(k, _alternation(ws)) for k, ws in v.roles.items()],
        )

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
        subject, concept = self._subject(text, text)
        if concept and concept.startswith(("func:", "code:")):
            return s.location.line, subject, concept
        return None

    def _inherit_item(self, s: Sentence, heading: tuple[int, str, str]) -> None:
        for c in s.claims:
            if c.concept is None and c.kind in ("amount", "change_amount", "change_rate", "rate") \
                    and self._only_role_words(_last_clause(s.text[:c.number.start])):
                c.subject, c.concept = heading[1], heading[2]

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
        prev_end = 0
        last_amount: Claim | None = None
        for n in numbers:
            lead = text[prev_end:n.start]
            claim = self._classify(s, n, lead, len(claims), last_amount)
            if claim is not None and claim.kind == "change_rate" and s.claims \
                    and s.claims[-1].kind == "change_amount" and claim.concept is None:
                # "收入总计减少620.07万元，下降8.45%": the rate is the change just stated
                claim.subject, claim.concept = s.claims[-1].subject, s.claims[-1].concept
            prev_end = n.end
            if claim is None:
                continue
            claims.append(claim)
            s.claims.append(claim)
            if claim.kind in ("amount", "count"):
                last_amount = claim
        self._link_heads(s, previous)

    def _classify(self, s: Sentence, n: Number, lead: str, cid: int,
                  last_amount: Claim | None) -> Claim | None:
        v = self.vocab
        loc = Location(s.location.line, s.location.start + n.start, s.location.start + n.end,
                       s.location.page)
        clause = _last_clause(lead)
        kind = "other"
        direction = None
        dword = None
        dloc = None
        denominator = None
        rate_kind = None
        if n.unit in ("%",):
            share_m = _last(v.share, lead)
            rate_hit = self._rate_kind(lead)
            change = self._direction(lead)
            if rate_hit and (not change or rate_hit[1] >= change[2]):
                kind, rate_kind = "rate", rate_hit[0]
            elif share_m and (not change or share_m.end() > change[2]) and n.comparator is None:
                kind = "share"
                denominator = _denominator(lead[share_m.end():])
            elif change:
                kind = "change_rate"
                direction, dword, pos = change
                dloc = self._loc(s, prev_span=(lead, n.start), pos=pos, word=dword)
            else:
                kind = "percent"
        elif n.unit == "pp":
            kind = "other"
        elif n.unit in MONEY_UNITS or n.unit in COUNT_UNITS:
            change = self._direction(clause)
            adjacent = change is not None and _adjacent_to(change[1]).search(clause) is not None
            in_context = change is not None and n.unit in MONEY_UNITS and (
                v.context.search(s.text[:n.start]) is not None or change[0] == 0)
            if change and (adjacent or in_context):
                kind = "change_amount"
                direction, dword, pos = change
                dloc = self._loc(s, prev_span=(clause, n.start), pos=pos, word=dword)
            else:
                kind = "amount" if n.unit in MONEY_UNITS else "count"
        elif n.unit == "分":
            kind = "score"
        else:
            kind = "other"
        if n.comparator and kind not in ("score",):
            kind = "other"  # a target such as ≥85% or <=10万元: not a stated fact
        role = (self._role(clause) or "current") if kind in ("amount", "count") else "current"
        if kind in ("change_amount", "change_rate", "share", "rate"):
            # a derived figure is about the amount before it, or else the sentence's subject
            named = self._subject(clause, lead) if kind in ("change_amount", "change_rate") else ("", None)
            if named[1] is not None and not named[1].startswith(("func:", "code:")):
                subject, concept = named
            elif last_amount is not None and (kind != "change_amount" or n.unit == last_amount.unit
                                              or (n.is_money and last_amount.number.is_money)):
                subject, concept = last_amount.subject, last_amount.concept
            else:
                subject, concept = self._subject(lead[:len(lead) - len(clause)] if kind == "share" else lead, lead)
        else:
            subject, concept = self._subject(clause, lead)
            if subject in self.elliptical and any(self._scoped(c) for c in s.claims):
                concept = None  # "财政拨款收入总计A，支出总计B": B is 财政拨款支出总计
            if concept is None and last_amount is not None and last_amount.concept \
                    and last_amount.role != role and self._only_role_words(clause):
                # "X年初预算为A万元，支出决算为B万元": B is X too, in another role
                subject, concept = last_amount.subject, last_amount.concept
        if kind == "change_amount":
            # what the change is measured against: 上年预算 and 上年决算/执行数 are different bases
            if _BUDGET_BASE.search(clause):
                role = "budget_base"
            elif _ACTUAL_BASE.search(clause):
                role = "actual_base"
        return Claim(cid, kind, n, loc, s.id, subject, concept, role, direction, dword, dloc,
                     denominator, rate_kind, None, s.section)

    def _loc(self, s: Sentence, prev_span: tuple[str, int], pos: int, word: str) -> Location:
        segment, number_start = prev_span
        start_in_sentence = number_start - len(segment) + pos
        start = s.location.start + start_in_sentence
        return Location(s.location.line, start, start + len(word), s.location.page)

    def _direction(self, lead: str) -> tuple[int, str, int] | None:
        """The last direction word of the lead: (+1/-1/0, word, offset in lead)."""
        v = self.vocab
        hits = []
        for sign, pat in ((0, v.flat), (1, v.up), (-1, v.down)):
            m = _last(pat, lead)
            if m:
                hits.append((m.start(), -len(m.group()), sign, m.group()))
        if not hits:
            return None
        # the last word wins; at the same place the longer one (增加（减少） over 增加)
        hits.sort()
        best = max(hits, key=lambda h: (h[0] + -h[1], -h[1]))
        flat = [h for h in hits if h[2] == 0]
        if flat and flat[-1][0] <= best[0] < flat[-1][0] - flat[-1][1]:
            best = flat[-1]
        return best[2], best[3], best[0]

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

    def _subject(self, clause: str, lead: str) -> tuple[str, str | None]:
        """The quantity a figure is about: a lexicon concept, a classification path, or a phrase."""
        path = None
        for m in _FUNC_PATH.finditer(lead):
            path = m
        if path is not None and _PATH_TAIL.match(lead[path.end():]):
            codes = [path.group("cc"), path.group("kc"), path.group("xc")]
            names = [p for p in (path.group("cls"), path.group("kuan"), path.group("xiang")) if p]
            names = [_LEADING_ENUM.sub("", p) for p in names]
            if codes[0] and all(c for c, n in zip(codes, names) if n):
                return path.group().lstrip("、"), "code:" + "".join(c for c in codes if c)
            if not any(codes):
                return path.group().lstrip("、"), "func:" + "/".join(names)
            return path.group(), None
        coded = _INLINE_CODE.match(_LEADING_ITEM_NO.sub("", clause))
        if coded:
            return clause, "code:" + coded.group("code")
        m = _last(self.vocab.aliases, clause)
        if m:
            prefix = _YEAR_WORD.sub("", self.vocab.filler_start.sub("", clause[:m.start()]))
            if prefix and (_DIGIT.search(prefix) or self.vocab.qualifier_end.search(prefix)):
                return clause, None  # a scoped or coded name: a different quantity
            if prefix.count("（") + prefix.count("(") > prefix.count("）") + prefix.count(")"):
                return clause, None  # 设备（不含车辆）: the name stands inside a remark
            return m.group(), self.vocab.alias_concept[m.group()]
        phrase = _PHRASE_HEAD.sub("", clause).strip()
        phrase = _PHRASE_TAIL.sub("", phrase)
        return phrase, None

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
    return parts[-1] if parts else ""


def _denominator(after_marker: str) -> str | None:
    """'本年支出合计的' → '本年支出合计'; '' → None (the list's own total)."""
    text = after_marker.strip()
    text = _DENOM_HEAD.sub("", text)
    text = _DENOM_TAIL.sub("", text).strip()
    return text or None
