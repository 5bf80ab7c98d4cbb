"""Is a readable file a budget disclosure at all?

A crawler's folder holds error pages, notes, data files and answer keys beside the
disclosures. Audited like a disclosure, such a file gives 0 claims and 0 flags, and a
report that counts it as passed tells a lie: nothing was checked. So a file is recognised
first, by its content (never its name): structured data or markup (YAML, JSON, Markdown)
is not a disclosure even when it quotes budget figures, and a text with no budget
vocabulary, no table and no claim is 未识别.
"""

from __future__ import annotations

import json

import regex

_YAML_LINE = regex.compile(r"^\s*(?:-\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*:(?:\s|$)|^\s*-\s|^\s*#")
_MD_HEADING = regex.compile(r"^#{1,6}\s+\S", regex.M)
_MD_FENCE = regex.compile(r"^\s*```", regex.M)
_MD_TABLE_RULE = regex.compile(r"^\s*\|?\s*:?-{3,}:?\s*\|", regex.M)
_BUDGET_WORDS = regex.compile(r"预算|决算|财政拨款|万元|三公|收支|支出|收入|绩效|经费|资金")


def markup_kind(text: str) -> str | None:
    """'YAML', 'JSON' or 'Markdown' when the text is that kind of file, else None."""
    stripped = text.lstrip("\ufeff \t\n")
    if stripped[:1] in "{[":
        try:
            json.loads(stripped)
            return "JSON"
        except ValueError:
            pass
    signs = (len(_MD_HEADING.findall(text)) >= 2) + (len(_MD_FENCE.findall(text)) >= 2) \
        + bool(_MD_TABLE_RULE.search(text))
    if signs >= 2:
        return "Markdown"
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if len(lines) >= 3 and sum(1 for ln in lines if _YAML_LINE.match(ln)) >= 0.6 * len(lines):
        return "YAML"
    return None


def not_a_disclosure(text: str, claims: int, tables: int) -> str | None:
    """Why the file is not a disclosure (a Chinese reason), or None when it may be one."""
    kind = markup_kind(text)
    if kind:
        return f"内容是 {kind} 数据或标记文本，不是预决算公开文件"
    if claims == 0 and tables == 0 and not _BUDGET_WORDS.search(text):
        return "没有预决算用语、表格或数字声明"
    return None
