"""Property-based tests (hypothesis) for the number parser, the interval arithmetic and the
table reader.

Each property runs twice: a small sample in the default test run, and a large one marked
`slow` (deselected by default; run it with `python3 -m pytest -m slow`), which generates
more than 10,000 cases in all. No example database is written (database=None).

Properties:
- find_numbers never crashes; every number's quote is exactly text[start:end]; numbers do
  not overlap and come in order; a well-formed number with a unit is found with its exact
  value; a malformed print (1,2,3 / 1.2.3 / 10,00) is never read; full-width digits and
  signs give the same numbers at the same offsets as their ASCII forms.
- Interval arithmetic: a relation that holds on exact values (sum, difference, ratio,
  share) is never contradicted by their rounded (or truncated) prints.
- find_tables never crashes on ragged, empty, header-less tables, placeholders and odd
  numbers; every cell's text is exactly text[start:end] and starts on its line; a cell's
  value is the number its text holds.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.claims.numbers import UNIT_ALIASES, find_numbers
from auditor.interval import Interval
from auditor.tables import find_tables, parse_value

FAST = settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
SLOW = settings(max_examples=1700, deadline=None, database=None, suppress_health_check=list(HealthCheck))

# ---- generated text ---------------------------------------------------------------------

_FULL = str.maketrans("0123456789.%-+", "０１２３４５６７８９．％－＋")
ODD_TOKENS = ["1,2,3", "--", "—", "－", "１２．５", "1.2.3", "10,00", "——", "/", "…", "1,234.5", "-12.5%", "+3",
              "0.00", "００", "百分之八", "两辆", "≥85%", "=5门", "(19项)", "（204类）", "2024年", "12月31日"]
FILLER = ["收入", "支出", "合计", "比上年增加", "下降", "占", "其中", "本年", "，", "。", "；", "：", " ", "、",
          "一般公共预算财政拨款", "万元", "%", "项目", "基本支出", "a", "x", "（", "）", "\t"]
UNITS = sorted(UNIT_ALIASES)


@st.composite
def printed_number(draw) -> str:
    whole = draw(st.integers(min_value=0, max_value=10**9))
    grouped = draw(st.booleans())
    s = f"{whole:,}" if grouped else str(whole)
    decimals = draw(st.integers(min_value=0, max_value=3))
    if decimals:
        s += "." + "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=decimals, max_size=decimals)))
    if draw(st.booleans()):
        s = draw(st.sampled_from(["-", "+", ""])) + s
    return s


token = st.one_of(
    st.sampled_from(ODD_TOKENS),
    st.sampled_from(FILLER),
    printed_number(),
    st.builds(lambda n, u: n + u, printed_number(), st.sampled_from(UNITS)),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=4),
)
messy_text = st.lists(token, max_size=30).map("".join)


# ---- the number parser -------------------------------------------------------------------


def _check_numbers(text: str) -> None:
    nums = find_numbers(text)
    last_end = -1
    for n in nums:
        assert 0 <= n.start < n.end <= len(text)
        assert text[n.start:n.end] == n.text, (text, n)
        assert n.start >= last_end, ("overlapping numbers", text, nums)
        last_end = n.end
        assert n.decimals >= 0


def _check_full_width(text: str) -> None:
    ascii_nums = find_numbers(text)
    wide = text.translate(_FULL)
    wide_nums = find_numbers(wide)
    assert [(n.start, n.end, n.value, n.unit, n.decimals) for n in ascii_nums] == \
           [(n.start, n.end, n.value, n.unit, n.decimals) for n in wide_nums], (text, wide)
    for n in wide_nums:
        assert wide[n.start:n.end] == n.text


_SAFE_UNITS = ["万元", "亿元", "元", "%", "个百分点", "辆", "人", "项", "次"]


@st.composite
def number_in_sentence(draw) -> tuple[str, str, Decimal, str]:
    whole = draw(st.integers(min_value=1, max_value=10**9))
    s = f"{whole:,}" if draw(st.booleans()) else str(whole)
    decimals = draw(st.integers(min_value=0, max_value=3))
    if decimals:
        s += "." + "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=decimals, max_size=decimals)))
    unit = draw(st.sampled_from(_SAFE_UNITS))
    return s, unit, Decimal(s.replace(",", "")), draw(st.sampled_from(["收入", "比上年增长", "合计为", "共"]))


def _check_well_formed(case: tuple[str, str, Decimal, str]) -> None:
    s, unit, value, lead = case
    text = f"{lead}{s}{unit}，其余不变。"
    nums = find_numbers(text)
    assert len(nums) == 1, (text, nums)
    n = nums[0]
    assert n.value == value and n.text == s + unit and n.start == len(lead), (text, n)
    assert n.interval.lo <= value <= n.interval.hi


@st.composite
def malformed(draw) -> str:
    a = draw(st.integers(min_value=1, max_value=999))
    kind = draw(st.sampled_from(["dots", "commas", "short_group"]))
    if kind == "dots":
        return f"{a}.{draw(st.integers(0, 99))}.{draw(st.integers(0, 99))}"
    if kind == "commas":
        return f"{a},{draw(st.integers(0, 9))},{draw(st.integers(0, 9))}"
    return f"{a},{draw(st.integers(0, 99)):02d}"


def _check_malformed(tok: str, unit: str) -> None:
    text = f"支出{tok}{unit}。"
    span = (2, 2 + len(tok) + len(unit))
    for n in find_numbers(text):
        assert n.end <= span[0] or n.start >= span[1], (text, n)


@FAST
@given(messy_text)
def test_numbers_offsets_exact(text):
    _check_numbers(text)


@pytest.mark.slow
@SLOW
@given(messy_text)
def test_numbers_offsets_exact_many(text):
    _check_numbers(text)


@FAST
@given(messy_text)
def test_numbers_full_width_same_as_ascii(text):
    _check_full_width(text)


@pytest.mark.slow
@SLOW
@given(messy_text)
def test_numbers_full_width_same_as_ascii_many(text):
    _check_full_width(text)


@FAST
@given(number_in_sentence())
def test_well_formed_number_read_exactly(case):
    _check_well_formed(case)


@pytest.mark.slow
@SLOW
@given(number_in_sentence())
def test_well_formed_number_read_exactly_many(case):
    _check_well_formed(case)


@FAST
@given(malformed(), st.sampled_from(_SAFE_UNITS))
def test_malformed_prints_are_never_read(tok, unit):
    _check_malformed(tok, unit)


@pytest.mark.slow
@SLOW
@given(malformed(), st.sampled_from(_SAFE_UNITS))
def test_malformed_prints_are_never_read_many(tok, unit):
    _check_malformed(tok, unit)


@pytest.mark.parametrize("tok", ["1,2,3", "1.2.3", "10,00"])
def test_the_issue_examples_are_not_read(tok):
    _check_malformed(tok, "万元")


def test_the_issue_placeholders_and_full_width():
    assert find_numbers("收入--万元，—万元，－万元") == []
    (n,) = find_numbers("收入１２．５万元")
    assert n.value == Decimal("12.5") and n.text == "１２．５万元"
    for mark in ("--", "—", "－", "", "——"):
        assert parse_value(mark) is None
    assert parse_value("１２．５") == Decimal("12.5")
    for bad in ("1,2,3", "1.2.3", "10,00"):
        assert parse_value(bad) is None


# ---- interval arithmetic -----------------------------------------------------------------

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999"), places=4, allow_nan=False,
                      allow_infinity=False)
places = st.integers(min_value=0, max_value=3)
rounding = st.sampled_from([ROUND_HALF_UP, ROUND_HALF_EVEN, ROUND_DOWN])


def _print(v: Decimal, decimals: int, mode: str) -> Interval:
    """The interval a reader gives the printed form of the exact value v."""
    p = v.quantize(Decimal(1).scaleb(-decimals), rounding=mode)
    if mode == ROUND_DOWN:
        return Interval.truncated(p, decimals)
    return Interval.rounded(p, decimals)


def _check_relations(a: Decimal, b: Decimal, d: int, mode: str) -> None:
    pa, pb = _print(a, d, mode), _print(b, d, mode)
    assert pa.lo <= a <= pa.hi and pb.lo <= b <= pb.hi
    # sum and difference: the printed total/difference always overlaps the sum of the printed parts
    assert (pa + pb).overlaps(_print(a + b, d, mode))
    assert (pa - pb).overlaps(_print(a - b, d, mode))
    # ratio as a percentage printed with two decimals (change rates, shares, execution rates)
    q = pa / pb
    if q is not None:
        assert q.percent().overlaps(_print(a / b * 100, 2, mode))
    # share of a total: part / (part + rest)
    # (a quotient whose divisor may be zero is None: unbounded, it can contradict nothing)
    share = pa / (pa + pb)
    if share is not None:
        assert share.percent().overlaps(_print(a / (a + b) * 100, 2, mode))
    # change rate: (this - last) / last
    rate = (pa - pb) / pb
    if rate is not None:
        assert rate.percent().overlaps(_print((a - b) / b * 100, 2, mode))


@FAST
@given(amounts, amounts, places, rounding)
def test_relations_hold_on_rounded_prints(a, b, d, mode):
    _check_relations(a, b, d, mode)


@pytest.mark.slow
@SLOW
@given(amounts, amounts, places, rounding)
def test_relations_hold_on_rounded_prints_many(a, b, d, mode):
    _check_relations(a, b, d, mode)


def _check_sum_of_parts(parts: list[Decimal], d: int) -> None:
    from auditor.interval import interval_sum

    total = sum(parts, Decimal(0))
    assert interval_sum([_print(p, d, ROUND_HALF_UP) for p in parts]).overlaps(_print(total, d, ROUND_HALF_UP))


@FAST
@given(st.lists(amounts, min_size=1, max_size=12), places)
def test_sum_of_many_rounded_parts_overlaps_the_rounded_total(parts, d):
    _check_sum_of_parts(parts, d)


@pytest.mark.slow
@SLOW
@given(st.lists(amounts, min_size=1, max_size=12), places)
def test_sum_of_many_rounded_parts_overlaps_the_rounded_total_many(parts, d):
    _check_sum_of_parts(parts, d)


# ---- the table reader --------------------------------------------------------------------

cell_text = st.one_of(
    st.sampled_from(["", " ", "合计", "收入", "支出", "项目", "本年收入合计", "科目编码", "201", "20101 行政运行",
                     "一般公共服务支出", "单位：万元", "栏次", "1", "2", "-", "--", "—", "－", "/", "１２．５",
                     "1,2,3", "1.2.3", "10,00", "100.00%", "12,345.67", "=5门", "……", "表一", "　"]),
    printed_number(),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="\t\n\r"),
            max_size=6),
)


@st.composite
def table_text(draw) -> str:
    lines: list[str] = []
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        kind = draw(st.sampled_from(["caption", "b", "a", "prose", "blank"]))
        if kind == "caption":
            lines.append(draw(st.sampled_from(["收入支出决算总表", "单位：万元", "表一：财政拨款收支总表", "金额单位：元",
                                              "一、部门基本情况", "公开01表"])))
        elif kind == "b":  # TAB-separated rows, ragged on purpose, header or not
            for _ in range(draw(st.integers(min_value=0, max_value=6))):
                lines.append("\t".join(draw(st.lists(cell_text, min_size=1, max_size=6))))
        elif kind == "a":  # one cell per line after a TAB, rows split by blank lines
            for _ in range(draw(st.integers(min_value=0, max_value=4))):
                lines.extend("\t" + c for c in draw(st.lists(cell_text, min_size=0, max_size=5)))
                lines.append("")
        elif kind == "prose":
            lines.append(draw(messy_text).replace("\n", ""))
        else:
            lines.extend([""] * draw(st.integers(min_value=1, max_value=3)))
    return "\n".join(lines) + draw(st.sampled_from(["", "\n"]))


def _check_tables(text: str) -> None:
    tables = find_tables(text)
    starts = [0]
    for line in text.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    for t in tables:
        cells = [c for row in t.header_rows for c in row] + [c for row in t.rows for c in row.cells]
        for c in cells:
            loc = c.location
            assert 0 <= loc.start <= loc.end <= len(text), (text, c)
            assert text[loc.start:loc.end] == c.text, (text, c)
            if c.text:
                assert starts[loc.line - 1] <= loc.start < starts[loc.line], (text, c)
            if c.value is not None:
                assert parse_value(c.text) == c.value, (text, c)


@FAST
@given(table_text())
def test_table_reader_never_crashes_and_cells_are_exact(text):
    _check_tables(text)


@pytest.mark.slow
@SLOW
@given(table_text())
def test_table_reader_never_crashes_and_cells_are_exact_many(text):
    _check_tables(text)
