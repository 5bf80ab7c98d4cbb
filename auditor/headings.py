"""What one line of text is in the outline: a heading of some level, or a table-of-contents entry.

Why a module of its own: the outline (auditor.outline) finds headings and skips the table of
contents, and the table finder (auditor.tables) stops at headings and TOC lines and reads a
heading that titles a table; both read single lines the same way, so that reading sits
below both and neither imports the other.
"""

from __future__ import annotations

import regex

from auditor.cells import short_text_cache

_BOOKMARK = regex.compile(r"^(\s*\[bookmark:[^\]]*\])+")
_CN = "一二三四五六七八九十百零〇"
# 第X部分: a level-1 heading; the outline also strips it from a title line to find the unit name
PART = regex.compile(rf"^第[{_CN}\d]+部分")
_L2 = regex.compile(rf"^[{_CN}]+[、．.]")
_L3 = regex.compile(rf"^[（(][{_CN}]+[）)]")
_L4 = regex.compile(r"^(\d{1,2}[、．.](?!\d)|[（(]\d{1,2}[）)])")
_L5 = regex.compile(r"^(表[一二三四五六七八九十\d]+[：:]?|公开\d+表|附表\s*\d+)")
_SENTENCE_END = regex.compile(r"[。；;，,]\s*$")
_TITLE_STOP = regex.compile(r"[：:，。]")


def clean_heading(line: str) -> str:
    """Line text without Word bookmark residue ("[bookmark: _GoBack]") and outer spaces."""
    return _BOOKMARK.sub("", line).strip()


def heading_level(line: str) -> int | None:
    """Outline level of a line, or None for prose / list items with claims."""
    t = clean_heading(line)
    if not t or "\t" in t or _SENTENCE_END.search(t):
        return None
    if PART.match(t):
        return 1 if len(t) <= 60 else None
    if _L5.match(t) and len(t) <= 40:
        return 5
    if _L3.match(t):
        return 3 if len(t) <= 60 else None
    if _L2.match(t):
        return 2 if len(t) <= 60 else None
    if _L4.match(t):
        return 4 if len(t) <= 40 else None
    if len(t) <= 30 and t.endswith("表") and not _TITLE_STOP.search(t):
        return 5
    return None


_TOC = regex.compile(r"(?:\.{2,}|…+|·{2,}|-{3,})\s*\t?\s*\d{1,3}\s*$")
_HEADING_START = regex.compile(r"^\s*(第[一二三四五六七八九十\d]+部分|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|附件|附表)")
_PAGE_NO = regex.compile(r"\s*\d{1,3}\s*")


@short_text_cache
def is_toc_line(line: str) -> bool:
    """A table-of-contents entry: dots/ellipsis then a page number, or a heading TAB page number."""
    if _TOC.search(line):
        return True
    parts = line.split("\t")
    return len(parts) == 2 and bool(_PAGE_NO.fullmatch(parts[1])) and bool(_HEADING_START.match(parts[0]))
