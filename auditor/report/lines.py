"""Flags as single lines (`path:line: …`), for terminals, pipes, grep and editors.

A flag's line is never wrapped, whatever the terminal width: `grep`, `sort` and an editor's
quickfix list read one flag per line, starting with the place (`path:12:`, and `page 3:`
for paged formats), like a compiler's or a linter's messages.
"""

from __future__ import annotations

from collections import Counter

SEVERITY_WORD = {"error": "错误", "warning": "警告", "info": "提示"}


def flag_place(path: str, evidence: list[dict]) -> str:
    """`path:line:` of the flag's first number (the stated one), with `page N:` where the format has pages."""
    first = evidence[0] if evidence else {}
    place = f"{path}:{first.get('line') or 1}:"
    if first.get("page"):
        place += f" page {first['page']}:"
    return place


def flag_line(path: str, flag: dict) -> str:
    word = "已豁免" if flag.get("waived") else SEVERITY_WORD.get(flag["severity"], flag["severity"])
    message = " ".join(flag["message"].split())
    if flag.get("downgraded"):  # an error that became a warning says why
        message += "（" + " ".join(flag["downgraded"].split()) + "）"
    return f"{flag_place(path, flag['evidence'])} {word} {message}"


def document_lines(d: dict) -> list[str]:
    if d.get("error"):
        return [" ".join(d["error"].split())]
    return [flag_line(d["path"], f) for f in d["flags"]]


def rule_counts(documents: list[dict]) -> list[str]:
    """One line per rule that raised anything: `rule  错误 N  警告 M`, most flags first."""
    counts: dict[str, Counter] = {}
    for d in documents:
        for f in d["flags"]:
            if not f.get("waived"):
                counts.setdefault(f["rule"], Counter())[f["severity"]] += 1
    rows = sorted(counts.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    width = max((len(r) for r, _ in rows), default=0)
    return [f"{rule.ljust(width)}  " + "  ".join(f"{SEVERITY_WORD[s]} {c[s]}" for s in ("error", "warning", "info") if c[s])
            for rule, c in rows]
