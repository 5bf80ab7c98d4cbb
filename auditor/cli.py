"""Command line: `auditor audit PATH...`, `auditor claims FILE`, `auditor rules ...`.

Exit codes follow linters: 0 no error flag, 1 error flags found, 2 usage or input error.
One bad file never stops a corpus run: it is reported and the run goes on.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table as RichTable

app = typer.Typer(add_completion=False, no_args_is_help=True, help="政府部门预决算公开文本审核工具")
rules_app = typer.Typer(no_args_is_help=True, help="规则目录：列出、查看、测试")
app.add_typer(rules_app, name="rules")

DOC_SUFFIXES = {".txt", ".text"}


def _expand(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(q for q in p.rglob("*") if q.is_file() and q.suffix.lower() in DOC_SUFFIXES))
        else:
            out.append(p)
    return out


def _auditor(rules: list[Path] | None):
    from auditor.audit import Auditor
    from auditor.catalogue import load_catalogue

    return Auditor(load_catalogue(extra_dirs=rules or None))


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
    files = _expand(paths)
    if not files:
        console.print("未找到可审核的文件。")
        raise typer.Exit(2)
    try:
        auditor = _auditor(rules)
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


@app.command()
def claims(
    path: Path = typer.Argument(..., help="一个文件"),
    rules: Optional[list[Path]] = typer.Option(None, "--rules", help="额外的规则目录"),
    unverified: bool = typer.Option(False, "--unverified", help="只列出未被任何检查用到的数字"),
) -> None:
    """列出从文件中抽取的数字声明（供规则作者检查抽取效果）。"""
    console = Console(highlight=False)
    result = _auditor(rules).audit_path(path)
    if result.error:
        console.print(result.error)
        raise typer.Exit(2)
    table = RichTable("行", "原文", "类型", "主体", "概念", "角色", "已核验")
    for c in result.claims:
        if unverified and c.verified:
            continue
        table.add_row(str(c.location.line), c.quote, c.kind, c.subject[:24], c.concept or "", c.role,
                      "是" if c.verified else "否")
    console.print(table)
    console.print(f"共 {len(result.claims)} 个数字声明，已核验 {result.verified} 个。")


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


def main() -> None:
    app()


if __name__ == "__main__":
    main()
