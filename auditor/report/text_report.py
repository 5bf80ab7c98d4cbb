"""The readable terminal summary of an audit."""

from __future__ import annotations

from rich.console import Console

from auditor.audit import DocumentResult

_MARK = {"error": "[red]错误[/red]", "warning": "[yellow]警告[/yellow]", "info": "[blue]提示[/blue]"}


def print_document(console: Console, r: DocumentResult) -> None:
    if r.error:
        console.print(f"[bold]{r.path}[/bold]  [red]无法审核[/red]: {r.error}")
        return
    head = f"[bold]{r.path}[/bold]  {r.family} {r.year or ''} {r.unit_name or ''}"
    console.print(head)
    console.print(f"  数字声明 {len(r.claims)}，已核验 {r.verified}，未核验 {len(r.unverified)}；"
                  f"问题 {len(r.flags)}")
    for f in r.flags:
        where = "、".join(sorted({f"第{e.line}行" for e in f.evidence}, key=lambda s: int(s[1:-1])))
        console.print(f"  {_MARK.get(f.severity, f.severity)} {where}: {f.message}", markup=True)


def print_summary(console: Console, results: list[DocumentResult]) -> None:
    errors = sum(1 for r in results for f in r.flags if f.severity == "error")
    warnings = sum(1 for r in results for f in r.flags if f.severity == "warning")
    failed = sum(1 for r in results if r.error)
    console.print(f"共审核 {len(results)} 个文档（{failed} 个无法读取）：错误 {errors}，警告 {warnings}。")
