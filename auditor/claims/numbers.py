"""Find printed numbers with their units in raw text.

Numbers are found with `regex` on the raw text, never on tokens: jieba splits
`6,717.05万元` into four tokens (DEPENDENCY-FACTS.md). Full-width forms are
folded to ASCII in a same-length copy of the text, so every match's offsets
point at the original characters and the quote is the text exactly as printed.

Only numbers that carry a unit are claims. Years, dates, codes, enumerators and
phone numbers have no unit from the whitelist, or are excluded explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import regex

from auditor.interval import Interval

_FOLD = str.maketrans(
    "０１２３４５６７８９．％－＋＝＞＜−（）",
    "0123456789.%-+=><-()",
)

# Units as printed → canonical unit. Longest alternatives are tried first by \L<...>.
UNIT_ALIASES: dict[str, str] = {
    "万元": "万元", "亿元": "亿元", "千元": "千元", "元": "元",
    "个百分点": "pp", "百分点": "pp", "%": "%",
    "辆": "辆", "批次": "批次", "人次": "人次", "人": "人", "名": "人",
    "台(套)": "台套", "台套": "台套", "台": "台套", "套": "台套",
    "个": "个", "次": "次", "场次": "场次", "分": "分", "平方米": "平方米",
    "项": "项", "起": "起", "家": "家", "户": "户", "件": "件", "只": "只",
    "公顷": "公顷", "门": "门", "所": "所", "处": "处", "条": "条",
    "份": "份", "期": "期", "天": "天", "篇": "篇", "宗": "宗", "座": "座",
}
MONEY_UNITS = {"万元", "亿元", "千元", "元"}
PERCENT_UNITS = {"%", "pp"}
COUNT_UNITS = set(UNIT_ALIASES.values()) - MONEY_UNITS - PERCENT_UNITS - {"分", "平方米", "公顷"}

# A unit letter followed by these is a different word: 分钟, 人员, 个人, 次年, 台账 ...
_UNIT_BLOCKERS = {
    "分": "钟值类别项析配局管担摊",
    "人": "员民口均数力才事大们社身为",
    "名": "称单义录额",
    "个": "人体别性",
    "次": "年日月数要序",
    "台": "账阶上下",
    "项": "目",
    "条": "件例款",
    "期": "间末初限",
    "处": "理置室",
    "件": "数",
    "门": "户诊",
    "所": "有属在得需",
    "天": "然",
    "起": "草来",
    "只": "是有能要",
    "家": "庭",
    "户": "籍",
    "元": "旦",
}

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}

_NUMBER = regex.compile(
    r"""
    (?P<cmp>>=|<=|≥|≤|=|>|<)?
    (?<![\d.,A-Za-z_/\-])
    (?P<sign>[-+](?=\d))?
    (?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)
    (?![\d]|\.\d|,\d{3}(?!\d))
    (?P<after>(?:,\d{1,2}(?!\d)|\.\d)+)?
    [ \t]*
    (?P<unit>\L<units>)?
    """,
    regex.VERBOSE,
    units=sorted(UNIT_ALIASES, key=len, reverse=True),
)
_CN_NUMBER = regex.compile(
    r"(?P<pct>百分之)(?P<cn>[零〇一二两三四五六七八九十百]+(?:点[零〇一二三四五六七八九]+)?)"
    r"|(?<![第每逐统唯单])(?P<cn2>[一二两三四五六七八九十百]+)(?P<unit2>辆|批次|人次|台\(套\)|台套|台|套)"
)


@dataclass(frozen=True)
class Number:
    """A printed number: its exact text, value in its own unit, and rounding interval."""

    text: str  # exactly as printed, unit included (e.g. "6,717.05万元", "下降" not included)
    value: Decimal
    unit: str | None  # canonical unit, None when printed bare
    decimals: int
    start: int  # offsets into the scanned text
    end: int
    comparator: str | None = None  # >=, <=, =, >, < as printed before the number (targets)
    chinese: bool = False

    @property
    def interval(self) -> Interval:
        """Counts are exact; amounts, percentages, scores and areas are rounded prints."""
        if self.unit in COUNT_UNITS and self.decimals == 0:
            return Interval.exact(self.value)
        return Interval.rounded(self.value, self.decimals)

    @property
    def is_money(self) -> bool:
        return self.unit in MONEY_UNITS

    @property
    def is_percent(self) -> bool:
        return self.unit in PERCENT_UNITS


def fold(text: str) -> str:
    """Full-width digits and signs to ASCII, keeping every offset."""
    return text.translate(_FOLD)


def _cn_to_int(s: str) -> int | None:
    total, current = 0, 0
    for ch in s:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            total += (current or 1) * _CN_UNITS[ch]
            current = 0
        else:
            return None
    return total + current


def _cn_value(s: str) -> Decimal | None:
    whole, _, frac = s.partition("点")
    n = _cn_to_int(whole)
    if n is None:
        return None
    if frac:
        digits = "".join(str(_CN_DIGITS[c]) for c in frac)
        return Decimal(f"{n}.{digits}")
    return Decimal(n)


def _is_excluded(folded: str, m: "regex.Match[str]", unit: str | None) -> bool:
    """Years, dates, codes and enumerators that happen to carry a unit-like letter."""
    if unit is None:
        return True
    num = m.group("num")
    if len(num) > 1 and num.startswith("0") and "." not in num:
        return True  # 01项, 02款: pieces of a classification code
    before = folded[m.start() - 1:m.start()] if m.start() else ""
    nxt = folded[m.end():m.end() + 1]
    if before == "(" and nxt == ")" and unit in COUNT_UNITS:
        return True  # 信息化建设（19项）: a code fragment in brackets
    if unit == "个" and nxt == "月":
        return True  # 3个月: a duration
    blockers = _UNIT_BLOCKERS.get(unit[-1] if unit != "台套" else "台", "")
    return bool(nxt) and nxt in blockers


def find_numbers(text: str) -> list[Number]:
    """Every unit-bearing number in `text`, in order, with offsets into `text`."""
    folded = fold(text)
    out: list[Number] = []
    for m in _NUMBER.finditer(folded):
        if m.group("after"):
            continue  # 1.2.3 or 10,00: malformed, not a figure we can read
        unit_raw = m.group("unit")
        unit = UNIT_ALIASES.get(unit_raw) if unit_raw else None
        if unit_raw and unit_raw.startswith("台(") and text[m.start("unit"):m.end("unit")] not in (
            "台(套)", "台（套）"
        ):
            unit = "台套"
        if _is_excluded(folded, m, unit):
            continue
        num = m.group("num")
        try:
            value = Decimal(num.replace(",", ""))
        except InvalidOperation:
            continue
        if m.group("sign") == "-":
            value = -value
        decimals = len(num.partition(".")[2])
        start = m.start("sign") if m.group("sign") else m.start("num")
        cmp_ = m.group("cmp")
        if cmp_:
            cmp_ = {"≥": ">=", "≤": "<="}.get(cmp_, cmp_)
        out.append(Number(text[start:m.end()].rstrip(" \t"), value, unit, decimals, start,
                          start + len(text[start:m.end()].rstrip(" \t")), cmp_))
    for m in _CN_NUMBER.finditer(folded):
        if m.group("pct"):
            value = _cn_value(m.group("cn"))
            unit = "%"
        else:
            value = _cn_value(m.group("cn2"))
            unit = UNIT_ALIASES.get(m.group("unit2"), "台套")
        if value is None:
            continue
        decimals = len(m.group("cn").partition("点")[2]) if m.group("pct") else 0
        out.append(Number(text[m.start():m.end()], value, unit, decimals, m.start(), m.end(),
                          None, chinese=True))
    out.sort(key=lambda n: n.start)
    return out


@lru_cache(maxsize=1)
def unit_registry():  # pragma: no cover - trivial factory
    """One pint registry per process: creating one costs ~0.1 s (DEPENDENCY-FACTS.md)."""
    import pint

    ureg = pint.UnitRegistry(non_int_type=Decimal, autoconvert_offset_to_baseunit=False)
    ureg.define("元 = [currency]")
    ureg.define("千元 = 1000 * 元")
    ureg.define("万元 = 10000 * 元")
    ureg.define("亿元 = 100000000 * 元")
    return ureg


_MONEY_SCALE = {"元": Decimal(1), "千元": Decimal(1000), "万元": Decimal(10000), "亿元": Decimal(100000000)}


def money_in(value: Interval, unit: str, target: str = "万元") -> Interval:
    """Convert a money interval between 元 / 万元 / 亿元 with pint's factors, exactly."""
    if unit == target:
        return value
    return value.scale(_money_factor(unit, target))


@lru_cache(maxsize=64)
def _money_factor(unit: str, target: str) -> Decimal:
    """pint's factor from `unit` to `target`; a handful of unit pairs, so asked once each."""
    ureg = unit_registry()
    return Decimal(str(ureg.Quantity(Decimal(1), unit).to(target).magnitude))
