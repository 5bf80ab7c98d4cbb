"""`auditor audit`: audit files and folders, print a summary, write results."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from auditor.cli._app import app, expand_paths, make_auditor

@app.command()
def audit(
    paths: list[Path] = typer.Argument(..., help="文件或目录"),
    json_out: Optional[Path] = typer.Option(None, "--json", help="写出 JSON 结果"),
    rules: Optional[list[Path]] = typer.Option(None, "--rules", help="额外的规则目录"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="只输出汇总"),
) -> None:
    """审核文件或目录中的公开文本，逐个文档输出发现的问题。"""
    from rich.progress import Progress

    from auditor.report.json_report import write_json
    from auditor.report.text_report import print_document, print_summary

    console = Console(stderr=False, highlight=False)
    files = expand_paths(paths)
    if not files:
        console.print("未找到可审核的文件。")
        raise typer.Exit(2)
    try:
        auditor = make_auditor(rules)
    except Exception as exc:  # a broken rule file: say which, then stop
        console.print(f"规则目录无法加载: {exc}")
        raise typer.Exit(2)
    results = []
    show_progress = sys.stderr.isatty() and not quiet and len(files) > 1
    with Progress(console=Console(stderr=True), disable=not show_progress, transient=True) as progress:
        task = progress.add_task("审核中", total=len(files))
        for f in files:
            try:
                result = auditor.audit_path(f)
            except Exception as exc:  # never let one document stop the run
                from auditor.audit import DocumentResult

                result = DocumentResult(str(f), error=f"{f}: 内部错误: {type(exc).__name__}: {exc}")
            results.append(result)
            if not quiet:
                print_document(console, result)
            progress.advance(task)
    print_summary(console, results)
    if json_out:
        write_json(json_out, results)
        console.print(f"JSON 结果已写入 {json_out}")
    if any(r.error for r in results) and len(results) == 1:
        raise typer.Exit(2)
    raise typer.Exit(1 if any(f.severity == "error" for r in results for f in r.flags) else 0)
