"""`auditor claims`: the claims of one document, for rule authors."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table as RichTable

from auditor.cli._app import app, make_auditor

@app.command()
def claims(
    path: Path = typer.Argument(..., help="一个文件"),
    rules: Optional[list[Path]] = typer.Option(None, "--rules", help="额外的规则目录"),
    unverified: bool = typer.Option(False, "--unverified", help="只列出未被任何检查用到的数字"),
) -> None:
    """列出从文件中抽取的数字声明（供规则作者检查抽取效果）。"""
    console = Console(highlight=False)
    result = make_auditor(rules).audit_path(path)
    if result.error:
        console.print(result.error)
        raise typer.Exit(2)
    table = RichTable("行", "原文", "类型", "主体", "概念", "角色", "已核验")
    for c in result.claims:
        if unverified and result.is_verified(c):
            continue
        table.add_row(str(c.location.line), c.quote, c.kind, c.subject[:24], c.concept or "", c.role,
                      "是" if result.is_verified(c) else "否")
    console.print(table)
    console.print(f"共 {len(result.claims)} 个数字声明，已核验 {result.verified} 个。")
