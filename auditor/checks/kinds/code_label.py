"""A classification code and the name printed with it must agree (政府收支分类科目).

Short names repeat across classes (行政运行 exists under many 款), so a name is
only ever compared with a full code, and a mismatch is reported only when the
printed name is the name of a *different* code at the same level and under the
same parent: a paraphrase or an abbreviation is not an error.
"""

from __future__ import annotations

from typing import Iterator

import regex

from auditor.catalogue import CheckRule
from auditor.checks.engine import Finding
from auditor.checks.facts import FactBase
from auditor.model import Evidence

_BRACKETED = regex.compile(
    r"(?P<cname>\p{Han}{2,}?)[（(](?P<cls>\d{3})类[）)]"
    r"(?:(?P<kname>\p{Han}{2,}?)[（(](?P<kuan>\d{2})款[）)])?"
    r"(?:(?P<xname>\p{Han}{2,}?)(?:支出)?[（(](?P<xiang>\d{2})项[）)])?"
)
_INLINE = regex.compile(r"(?<!\d)(?P<code>\d{7}|\d{5})(?:类|款|项)?(?P<name>\p{Han}{2,})")


def _norm(name: str) -> str:
    name = regex.sub(r"[（(][^）)]*[）)]", "", name)
    return regex.sub(r"支出$", "", name.strip())


def _matches(printed: str, official: list[str]) -> bool:
    p = _norm(printed)
    for o in official:
        o = _norm(o)
        if p == o or p.startswith(o) or o.startswith(p) or p.endswith(o):
            return True
    return False


def _rival(printed: str, code: str, table: dict[str, list[str]]) -> str | None:
    """Another code at the same level and under the same parent whose name is the printed one."""
    p = _norm(printed)
    parent = code[:-2] if len(code) > 3 else ""
    for other, names in table.items():
        if other == code or len(other) != len(code) or not other.startswith(parent):
            continue
        if any(_norm(n) == p or p.startswith(_norm(n)) for n in names):
            return other
    return None


def code_label(rule: CheckRule, facts: FactBase) -> Iterator[Finding]:
    table = facts.catalogue.classification.get(rule.params.get("section", "function"), {})
    if not table:
        return
    for s in facts.sentences:
        for m in _BRACKETED.finditer(s.text):
            levels = [("cname", m.group("cls"))]
            if m.group("kuan"):
                levels.append(("kname", m.group("cls") + m.group("kuan")))
                if m.group("xiang"):
                    levels.append(("xname", m.group("cls") + m.group("kuan") + m.group("xiang")))
            for group, code in levels:
                yield from _judge(s, m, group, code, table)
        for m in _INLINE.finditer(s.text):
            yield from _judge(s, m, "name", m.group("code"), table)


def _judge(s, m, group: str, code: str, table: dict[str, list[str]]) -> Iterator[Finding]:
    official = table.get(code)
    printed = m.group(group)
    if not official or _matches(printed, official):
        return
    rival = _rival(printed, code, table)
    if rival is None:
        return
    quote = s.text[m.start(group):m.end()]
    start = s.location.start + m.start(group)
    ev = Evidence(quote, s.location.line, s.location.page, start, start + len(quote), "stated")
    yield Finding(
        evidence=[ev],
        values={"code": code, "printed": printed, "official": official[0], "rival": rival,
                "rival_name": table[rival][0]},
        stated=f"{printed}（{code}）",
        expected=f"{code} {official[0]}",
        arithmetic=f"{code} = {official[0]}；{printed} = {rival}",
        section=s.section,
        key=(s.location.line, m.start(group)),
    )
