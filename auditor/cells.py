"""What one table cell holds: a number, a placeholder, a label, a code and a label.

Why a module of its own: the table finder (auditor.tables) and the arithmetic over found
tables (auditor.table_arith) both read cells, and the finder runs the arithmetic; the cell
readings sit below both so neither imports the other's caller.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache, wraps
from typing import Callable, TypeVar

import regex

# ---------------------------------------------------------------- cell values

_NUM = regex.compile(r"^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(%?)$")
_PLACEHOLDERS = {"", "-", "--", "—", "——", "－", "/", "／", "\\", "…", "……", "*", "x", "X", "×"}
CODE_NAME = regex.compile(r"^(\d{3}(?:\d{2}){0,2})[\s\u3000]+(\S.*)$")
_WS = regex.compile(r"\s+")
_WS_NEXT_TO_CJK = regex.compile(r"\s+(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])\s+")

# Pure functions of one string, called for the same cells and lines many times per document,
# get a cache bounded in entries and in what an entry may hold: long strings are computed
# each time, so a worker never keeps more than a few MB of old documents' text alive.
# (Patterns are compiled once above: `regex.sub(str, …)` would look each up per call.)
_CACHE_ENTRIES = 8192
_CACHE_MAX_LEN = 128
_R = TypeVar("_R")


def short_text_cache(fn: Callable[[str], _R]) -> Callable[[str], _R]:
    cached = lru_cache(maxsize=_CACHE_ENTRIES)(fn)

    @wraps(fn)
    def call(text: str) -> _R:
        return cached(text) if len(text) <= _CACHE_MAX_LEN else fn(text)

    call.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
    call.cache_info = cached.cache_info  # type: ignore[attr-defined]
    return call


@short_text_cache
def parse_value(text: str) -> Decimal | None:
    """The number a cell holds when it holds exactly one number, else None.

    "6,717.05" → 6717.05, "98.18%" → 98.18 (the text keeps the % sign), "１２．５" → 12.5;
    "-", "—", "/", "", a zero-padded "06" (a code part) and targets such as "=5门", ">=2次",
    "75.74分" → None.
    """
    s = unicodedata.normalize("NFKC", text).replace("−", "-").strip()
    s = _WS.sub("", s)
    if s in _PLACEHOLDERS:
        return None
    m = _NUM.match(s)
    if not m:
        return None
    sign, whole, frac, _pct = m.groups()
    if len(whole) > 1 and whole[0] == "0" and not frac:
        return None  # "06", "01": a 款/项 code part or a serial number, never an amount
    try:
        return Decimal(sign + whole.replace(",", "") + (frac or ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
        return None


@short_text_cache
def is_blank(text: str) -> bool:
    """Empty or a placeholder mark: carries neither a label nor a number."""
    return _WS.sub("", unicodedata.normalize("NFKC", text)) in _PLACEHOLDERS


@short_text_cache
def norm_label(text: str) -> str:
    """Label for lookup: whitespace next to CJK characters removed ("小    计" → "小计")."""
    s = text.replace("\u3000", " ").strip()
    s = _WS_NEXT_TO_CJK.sub("", s)
    return _WS.sub(" ", s)


def split_code_label(text: str) -> tuple[str | None, str]:
    """"201 一般公共服务支出" → ("201", "一般公共服务支出"); other text → (None, text)."""
    m = CODE_NAME.match(text.strip())
    if m:
        return m.group(1), norm_label(m.group(2))
    return None, norm_label(text)
