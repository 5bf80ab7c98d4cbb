"""The fact base: every claim of a document, indexed the ways the checks ask."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import regex

from auditor.rules_model import Catalogue
from auditor.claims.model import Claim, Sentence
from auditor.claims.numbers import MONEY_UNITS, money_in
from auditor.interval import Interval
from auditor.model import Document, Evidence, Table, TableRow

# words around a denominator that do not change what it names
_DENOMINATOR_FILLER = regex.compile(r"本部门|本单位|部门|单位|[（(）)]|总额|合计|总计|的|全部|全年|本年度|当年")


@dataclass
class FactBase:
    document: Document
    sentences: list[Sentence]
    claims: list[Claim]
    catalogue: Catalogue
    by_concept: dict[str, list[Claim]] = field(default_factory=lambda: defaultdict(list))

    def __post_init__(self) -> None:
        for c in self.claims:
            if c.concept and c.kind in ("amount", "count"):
                self.by_concept[c.concept].append(c)
        self._aliases = self.catalogue.alias_table()
        self._by_span: dict[tuple[int, int], list[Claim]] = defaultdict(list)
        for c in self.claims:
            self._by_span[(c.location.start, c.location.end)].append(c)
        self._tables = sorted(self.document.tables, key=lambda t: t.location.start)
        self._table_starts = [t.location.start for t in self._tables]
        self._cells: dict[int, tuple[Table, int]] = {}  # cell start → (table, row index)
        for t in self._tables:
            for i, row in enumerate(t.rows):
                for cell in row.cells:
                    if cell.text:
                        self._cells.setdefault(cell.location.start, (t, i))
        self._doubt: dict[int, str | None] = {}

    def claim(self, cid: int) -> Claim:
        return self.claims[cid]

    def sentence(self, sid: int) -> Sentence:
        return self.sentences[sid]

    def statements(self, concept: str, role: str = "current") -> list[Claim]:
        return [c for c in self.by_concept.get(concept, []) if c.role == role]

    def value(self, concept: str, role: str = "current") -> tuple[Interval, Claim] | None:
        """The concept's value when every certain statement of it agrees; None when absent or disputed.

        A statement whose reading is doubtful (see `doubt`) is not a statement of the concept.
        """
        stated = [c for c in self.statements(concept, role) if c.kind == "amount" and self.doubt(c) is None]
        if not stated:
            return None
        first = stated[0]
        iv = in_wan(first)
        for other in stated[1:]:
            if not in_wan(other).overlaps(iv):
                return None
        return iv, first

    def resolve(self, text: str) -> str | None:
        """The concept a printed name refers to, when nothing else is left in the name."""
        for alias, concept in self._aliases:
            if alias in text:
                rest = _DENOMINATOR_FILLER.sub("", text.replace(alias, "", 1))
                if not rest:
                    return concept
                return None
        return None

    def section_concept(self, section: tuple[str, ...]) -> str | None:
        """A heading that names a quantity ('一般公共预算财政拨款支出决算结构情况') gives shares their base."""
        for heading in reversed(section):
            for alias, concept in self._aliases:
                if alias in heading:
                    return concept
        return None


    # --- where a printed figure stands: the claims it is, the table it sits in ---

    def claims_at(self, ev: Evidence) -> list[Claim]:
        """The claims an evidence quotes (same printed span), none for a quote that is no claim."""
        if ev.start is None or ev.end is None:
            return []
        return self._by_span.get((ev.start, ev.end), [])

    def table_at(self, offset: int | None) -> Table | None:
        """The table whose text holds this offset of the document."""
        if offset is None:
            return None
        i = bisect_right(self._table_starts, offset) - 1
        if i >= 0 and offset < self._tables[i].location.end:
            return self._tables[i]
        return None

    def cell_of(self, claim: Claim) -> tuple[Table, TableRow] | None:
        """The table and row a table claim was read from."""
        found = self._cells.get(claim.location.start)
        if found is None:
            return None
        table, i = found
        return table, table.rows[i]

    def table_title(self, claim: Claim) -> str:
        """What the table a claim sits in says it is: a title printed inside the grid above the
        claim's row (two tables read as one), else the table's title, else the heading or the
        line printed just above the table."""
        found = self._cells.get(claim.location.start)
        if found is None:
            return ""
        table, i = found
        for row in reversed(table.rows[:i]):
            text = _WS.sub("", "".join(c.text for c in row.cells) or row.label)
            if all(c.value is None for c in row.cells) and _TITLE.search(text):
                return text
        if table.title:
            return table.title
        if table.section and _TITLE.search(table.section[-1]):
            return table.section[-1]
        lines = self.document.lines
        for k in range(table.location.line - 2, max(table.location.line - 6, -1), -1):
            text = _WS.sub("", lines[k]) if 0 <= k < len(lines) else ""
            if _TITLE.search(text):
                return text
        return ""

    def concept_scope(self, concept: str | None) -> str | None:
        """Whose money a concept counts: all / fiscal / gpb / gov_fund / soe; None when the concept
        exists at one scope only (三公 items, vehicles, procurement), so no scope can be mistaken."""
        if not concept:
            return None
        if ":code:" in concept:
            return {"gpb": "gpb", "all": "all"}.get(concept.split(":", 1)[0])
        known = self.catalogue.concepts.get(concept)
        named = scope_of_text(known.name) if known else None
        if named:
            return named
        return _SCOPED_FAMILIES.get(concept.split(".", 1)[0])

    def doubt(self, claim: Claim) -> str | None:
        """Why a claim may not be a certain statement of its concept (None: it is one).

        Computed once per claim. The reasons are readings the extractor could not rule out:
        a level that is really a change, a figure of another scope, a classification line
        taken for a named total, a code key that the row's own name contradicts.
        """
        if claim.id not in self._doubt:
            self._doubt[claim.id] = self._why_doubtful(claim)
        return self._doubt[claim.id]

    def change_word(self, c: Claim) -> str | None:
        """Why a narrative level may really be a change: a change verb stands in its clause
        before it ("减支79.52万元", "增加基本支出844.15万元"), one the extractor did not read."""
        if c.source == "table" or c.sentence_id < 0 or c.kind not in ("amount", "count"):
            return None
        m = _CHANGE_VERB.search(self._lead_without_names(c))
        return f"“{m.group(0)}”之后的数字可能是增减额而非总额" if m else None

    def _lead_without_names(self, c: Claim) -> str:
        """The clause before a claim with the quantity names taken out: a name such as
        年初结转和结余 or 增加值 says nothing about the figure's role."""
        lead = clause_lead(self, c)
        for alias, _ in self._aliases:
            if alias in lead:
                lead = lead.replace(alias, "")
        return lead

    def _why_doubtful(self, c: Claim) -> str | None:
        if c.source == "table":
            return self._table_doubt(c)
        if c.sentence_id < 0:
            return None
        other = governed_noun(self, c)
        if other:
            return f"数字前的“{other}”才是它的主语，未必是“{c.subject}”"
        if c.kind in ("amount", "count"):
            why = self.change_word(c)
            if why:
                return why
            if c.role == "current" and _PRIOR_WORD.search(self._lead_without_names(c)):
                return "数字前写有上年、年初或下年，未必是本年数"
        scope = self.concept_scope(c.concept)
        if scope == "all":
            for heading in c.section:
                named = scope_of_text(heading)
                if named and named != "all":
                    return f"所在章节“{heading}”只说{_SCOPE_NAMES[named]}，数字未必是全部资金的口径"
        return None

    def _table_doubt(self, c: Claim) -> str | None:
        found = self.cell_of(c)
        if found is None:
            return None
        table, row = found
        title = self.table_title(c)
        if c.concept and ":code:" not in c.concept and row.code and row.code.isdigit():
            return f"{row.code} {row.label}是分类科目行，不是“{c.subject}”的总数"
        if c.concept and c.concept.startswith("sangong.") and _ECONOMIC_TABLE.search(title):
            return f"“{title}”中的{c.subject}是经济分类科目，不是“三公”经费项目"
        t_scope = scope_of_text(title) or "all"
        c_scope = self.concept_scope(c.concept)
        if not scopes_compatible(t_scope, c_scope):
            return f"“{title}”是{_SCOPE_NAMES[t_scope]}口径，与“{c.subject}”的口径不同"
        if c.concept and ":code:" in c.concept and row.code:
            names = self.catalogue.classification.get("function", {}).get(row.code)
            if names and _norm_name(row.label) not in {_norm_name(n) for n in names}:
                return f"行名“{row.label}”不是科目{row.code}的名称，编码可能读错"
        return None


_WS = regex.compile(r"\s+")
_TITLE = regex.compile(r"表[）)]?$")
# a title that says its lines are economic classification lines (基本支出 tables)
_ECONOMIC_TABLE = regex.compile(r"基本支出|经济分类")
# words that make the figure after them a change, not a level, even where the extractor
# did not read a change ("减支79.52万元", "增加基本支出844.15万元")
_CHANGE_VERB = regex.compile(r"增加|减少|增长|下降|增支|减支|节支|节约|超支|调增|调减|压减|缩减|上升|降低|小于|大于|多于|少于")
_PRIOR_WORD = regex.compile(r"上年|去年|上一年|同期|年初|下一?年|明年")
_CLAUSE_END = regex.compile(r"[，,；;。：:！？]")
_SCOPE_WORDS = (("一般公共预算", "gpb"), ("政府性基金", "gov_fund"), ("国有资本经营", "soe"),
                ("社会保险基金", "social"), ("财政拨款", "fiscal"))
_SCOPE_NAMES = {"all": "全部资金", "fiscal": "财政拨款", "gpb": "一般公共预算", "gov_fund": "政府性基金",
                "soe": "国有资本经营预算", "social": "社会保险基金"}
# lexicon families whose quantities exist at every scope: the bare name is all funds
_SCOPED_FAMILIES = {"income": "all", "expense": "all", "balance": "all", "gpb": "gpb", "fiscal": "fiscal"}
_SCOPE_RANK = {"all": 0, "fiscal": 1}


def scope_of_text(text: str | None) -> str | None:
    """The scope a title, heading or name states (一般公共预算 before 财政拨款: the narrower wins)."""
    for word, scope in _SCOPE_WORDS:
        if text and word in text:
            return scope
    return None


def scopes_compatible(outer: str, inner: str | None) -> bool:
    """Can a figure of scope `inner` stand in a table (or section) of scope `outer`?

    A 财政拨款 table holds 一般公共预算 rows; it holds no all-funds total, and a 一般公共预算
    table holds no 政府性基金 figure. A concept of no scope fits anywhere."""
    if inner is None or outer == "all":
        return True
    r_out, r_in = _SCOPE_RANK.get(outer, 2), _SCOPE_RANK.get(inner, 2)
    return r_in >= r_out and (r_out < 2 or inner == outer)


def _norm_name(name: str) -> str:
    name = regex.sub(r"[（(][^）)]*[）)]|\s|\d", "", name)
    return regex.sub(r"支出$", "", name)


# "一般公共预算拨款安排的会议费预算支出1305.25万元": after 的 stands the noun the number
# belongs to; the words left after the role and filler words are removed name it
_OF_NOUN = regex.compile(r"的([\p{Han}“”\"]+)")
_ROLE_FILLER = regex.compile(r"预算数|决算数|执行数|预算|决算|支出|收入|金额|总额|合计|共计|数额|本年|全年|年度|[数为是达约共计“”\"]")


def governed_noun(facts: FactBase, claim: Claim) -> str | None:
    """Another noun that governs the numbers printed after a claim's subject, if any.

    The subject is the phrase the extractor gave the claim; the first number after it is
    governed by the noun nearest before that number. When a 的 stands between the two and
    is followed by a noun of its own, that noun, not the subject, is what the numbers
    (this claim and every later one with the same subject) are about."""
    if not claim.subject:
        return None
    s = facts.sentence(claim.sentence_id)
    at = s.text.rfind(claim.subject, 0, claim.number.start)
    if at < 0:
        return None
    end = at + len(claim.subject)
    first = min((c.number.start for c in s.claims if c.number.start >= end), default=claim.number.start)
    for m in _OF_NOUN.finditer(s.text, end, first):
        rest = _ROLE_FILLER.sub("", m.group(1))
        if len(rest) >= 2:
            return m.group(1)
    return None


def clause_lead(facts: FactBase, claim: Claim) -> str:
    """The words of a narrative claim's clause before its number, after any earlier number."""
    s = facts.sentence(claim.sentence_id)
    start = max((c.number.end for c in s.claims if c.number.end <= claim.number.start), default=0)
    lead = s.text[start:claim.number.start]
    cut = [m.end() for m in _CLAUSE_END.finditer(lead)]
    return lead[cut[-1]:] if cut else lead


def in_wan(claim: Claim) -> Interval:
    """Money in 万元 (元 and 亿元 converted), any other unit as is."""
    if claim.unit in MONEY_UNITS:
        return money_in(claim.interval, claim.unit or "万元", "万元")
    return claim.interval


def fmt(value: Decimal, places: int = 2) -> str:
    q = Decimal(1).scaleb(-places)
    return f"{value.quantize(q):,}"


def fmt_interval(iv: Interval, places: int = 2) -> str:
    lo, hi = iv.lo.quantize(Decimal(1).scaleb(-places)), iv.hi.quantize(Decimal(1).scaleb(-places))
    return fmt(lo, places) if lo == hi else f"{fmt(lo, places)}～{fmt(hi, places)}"
