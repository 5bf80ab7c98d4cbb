from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.claims.numbers import find_numbers
from auditor.interval import Interval


@pytest.mark.parametrize("text,quotes", [
    ("收入总计16,040.59万元，减少6,213.10万元", ["16,040.59万元", "6,213.10万元"]),
    ("下降27.92%", ["27.92%"]),
    ("－5.2%", ["－5.2%"]),
    ("１２．５万元", ["１２．５万元"]),
    ("1.2个百分点", ["1.2个百分点"]),
    ("设备3台（套）", ["3台（套）"]),
    ("百分之八", ["百分之八"]),
    ("购置两辆", ["两辆"]),
])
def test_numbers_found_as_printed(text, quotes):
    assert [n.text for n in find_numbers(text)] == quotes


@pytest.mark.parametrize("text", [
    "2024年12月31日", "（2040201）", "电话0994-2345678", "1.2.3万元", "10,00万元", "1,2,3个",
    "信息化建设（19项）", "公安（02款）", "第一批次", "3个月", "98分钟",
])
def test_not_amounts(text):
    assert [n.text for n in find_numbers(text)] == []


def test_values_and_units():
    n = find_numbers("≥85%，5912元，－5.2%")
    assert [(x.value, x.unit, x.comparator) for x in n] == [
        (Decimal("85"), "%", ">="), (Decimal("5912"), "元", None), (Decimal("-5.2"), "%", None)]


def test_rounding_interval():
    n = find_numbers("15,750.76万元")[0]
    assert n.interval == Interval(Decimal("15750.755"), Decimal("15750.765"))
    assert find_numbers("138辆")[0].interval == Interval.exact(138)


@settings(max_examples=300)
@given(st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=8))
def test_sum_of_rounded_prints_holds(cents_list):
    """A total that holds on exact values holds on the rounded prints (the premise of every check)."""
    exact = [Decimal(c) / 1000 for c in cents_list]  # three decimals, printed with two
    total = sum(exact)
    printed = [Interval.rounded(x.quantize(Decimal("0.01")), 2) for x in exact]
    printed_total = Interval.rounded(total.quantize(Decimal("0.01")), 2)
    s = Interval.exact(0)
    for p in printed:
        s = s + p
    assert s.overlaps(printed_total)
