"""`auditor rules ...`: the catalogue for rule authors."""

from __future__ import annotations

from typing import Optional

import typer
from rich.console import Console
from rich.table import Table as RichTable

from auditor.cli._app import rules_app

@rules_app.command("list")
def rules_list(group: Optional[str] = typer.Option(None, "--group", help="只列出该组的规则")) -> None:
    """列出检查规则。"""
    from auditor.catalogue import load_catalogue

    cat = load_catalogue()
    table = RichTable("id", "kind", "severity", "groups", "summary")
    for r in sorted(cat.checks, key=lambda r: r.id):
        if group and group not in r.groups:
            continue
        table.add_row(r.id, r.kind, r.severity, ",".join(r.groups), r.summary)
    Console().print(table)


@rules_app.command("test")
def rules_test() -> None:
    """运行所有规则文件中的内联测试用例；有失败则退出码为 1。"""
    from auditor.rulecases import collect_cases, run_case

    console = Console(highlight=False)
    failed = 0
    cases = collect_cases()
    for case in cases:
        problems = run_case(case)
        if problems:
            failed += 1
            console.print(f"FAIL {case.name}")
            for p in problems:
                console.print(f"    {p}")
    console.print(f"{len(cases) - failed} passed, {failed} failed")
    raise typer.Exit(1 if failed else 0)
