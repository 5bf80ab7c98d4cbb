"""A running tally of a streamed run: what the closing summary and the exit code need, in O(1) memory.

A streaming run (`--jsonl`/`--parquet` without `--json`) hands each document on and keeps
none, so the summary line, the per-rule counts, the list of what could not be audited and
the exit status are counted as documents pass. The text is the one `print_summary_dict`,
`rule_counts` and `_print_failures` print for a kept run (tests compare the two).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from rich.console import Console

from auditor.report.lines import SEVERITY_WORD

FAILURES_SHOWN = 20


@dataclass
class RunTally:
    documents: int = 0
    failed: int = 0  # an error, not_disclosure included
    skipped: int = 0  # not_disclosure
    lost: int = 0  # an error kind that means an input was lost (exit 2)
    active: Counter = field(default_factory=Counter)  # severity -> active flags
    waived: int = 0
    by_rule: dict[str, Counter] = field(default_factory=dict)
    kinds: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)  # the first FAILURES_SHOWN error messages
    cross: Counter = field(default_factory=Counter)  # severity -> active cross-document flags

    def add(self, d: dict) -> None:
        from auditor.runner import UNREADABLE

        self.documents += 1
        if d.get("error"):
            kind = d.get("error_kind") or "ingest"
            self.failed += 1
            self.kinds[kind] += 1
            self.skipped += kind == "not_disclosure"
            self.lost += kind in UNREADABLE
            if len(self.failures) < FAILURES_SHOWN:
                self.failures.append(d["error"])
        for f in d["flags"]:
            if f.get("waived"):
                self.waived += 1
                continue
            self.active[f["severity"]] += 1
            self.by_rule.setdefault(f["rule"], Counter())[f["severity"]] += 1

    def add_cross(self, flags: list[dict]) -> None:
        """The cross-document flags (auditor.corpus): they count for the exit status, as in Result."""
        for f in flags:
            if not f.get("waived"):
                self.cross[f["severity"]] += 1

    def summary_line(self) -> str:
        """The line of text_report.print_summary_dict."""
        audited_failed = self.failed - self.skipped
        tail = f"，已豁免 {self.waived}" if self.waived else ""
        other = f"，{self.skipped} 个非预决算文档未审核" if self.skipped else ""
        return (f"共 {self.documents} 个文件：审核 {self.documents - audited_failed - self.skipped} 个文档"
                f"（{audited_failed} 个无法读取{other}）：错误 {self.active['error']}，警告 {self.active['warning']}，"
                f"提示 {self.active['info']}{tail}。")

    def rule_lines(self) -> list[str]:
        """The lines of lines.rule_counts."""
        rows = sorted(self.by_rule.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
        width = max((len(r) for r, _ in rows), default=0)
        return [f"{rule.ljust(width)}  " + "  ".join(f"{SEVERITY_WORD[s]} {c[s]}" for s in ("error", "warning", "info")
                                                     if c[s]) for rule, c in rows]

    def print(self, console: Console, result_cache=None, after_summary=None) -> None:
        """Summary, per-rule counts and failures, as audit_cmd prints them for a kept run
        (`after_summary` prints what comes between the summary line and the rule counts)."""
        from rich.markup import escape

        from auditor.runner import ERROR_KIND_LABEL

        console.print(self.summary_line(), soft_wrap=True)
        if after_summary is not None:
            after_summary()
        for line in self.rule_lines():
            console.print("  " + line, soft_wrap=True, markup=False)
        if self.kinds:
            parts = "，".join(f"{ERROR_KIND_LABEL.get(k, k)} {n}" for k, n in sorted(self.kinds.items(), key=lambda kv: -kv[1]))
            console.print(f"未审核的文档 {sum(self.kinds.values())} 个（{parts}）：")
            for message in self.failures:
                console.print(f"  - {escape(message)}", soft_wrap=True)
            if self.failed > FAILURES_SHOWN:
                console.print(f"  … 另有 {self.failed - FAILURES_SHOWN} 个，见 JSON/HTML/Excel 报告的“读取错误”")
        if result_cache is not None:
            console.print(f"缓存 {result_cache.folder}：读取 {result_cache.hits} 个已有结果，新存入 {result_cache.stored} 个。",
                          soft_wrap=True)

    def exit_status(self, fail_on: str = "unreadable,error") -> int:
        """Result.exit_status for the documents seen."""
        tokens = set(fail_on.split(","))
        if "none" in tokens:
            return 0
        if (self.documents and self.failed == self.documents) or ("unreadable" in tokens and self.lost):
            return 2
        levels = {"warning", "error"} if "warning" in tokens else ({"error"} if "error" in tokens else set())
        return 1 if any(self.active[s] or self.cross[s] for s in levels) else 0
