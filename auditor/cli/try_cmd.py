"""`auditor try RULE.yaml FILE`: run one rule file on one document, for rule authors.

A check rule runs alone (the other checks are switched off), so the claims marked as
used are exactly the ones it evaluated. A lexicon or vocabulary file is merged into the
catalogue and every check runs; the claims shown are then the ones its concepts name
(lexicon) or all of them (vocabulary). Exit codes as for `audit`: 1 when an error flag
is raised, 2 when the rule file is invalid or the document cannot be read.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable

from auditor.cli._app import app

if TYPE_CHECKING:
    from auditor.audit import DocumentResult
    from auditor.model import Flag
    from auditor.rules_model import Catalogue, CheckRule, LexiconRule, VocabularyRule

    AnyRule = CheckRule | LexiconRule | VocabularyRule


@app.command("try")
def try_rule(
    rule_file: Path = typer.Argument(..., metavar="RULE.yaml", help="一个规则文件（检查规则、lexicon 或词表）"),
    path: Optional[Path] = typer.Argument(None, metavar="FILE", help="一个文档"),
    text: Optional[str] = typer.Option(None, "--text", help="直接给出一段文字，代替 FILE"),
    rules: Optional[list[Path]] = typer.Option(None, "--rules", help="额外的规则目录（可重复）"),
    all_claims: bool = typer.Option(False, "--all-claims", help="列出文档的全部数字声明，而不只是本规则用到的"),
) -> None:
    """用一个规则文件审核一个文档，显示它用到的数字声明和它给出的标记。"""
    from auditor.audit import Auditor
    from auditor.catalogue import CheckRule

    console = Console(highlight=False, soft_wrap=True)
    if (path is None) == (text is None):
        console.print("请给出 FILE 或 --text（二者取一）。")
        raise typer.Exit(2)
    cat, rule_id, rule = _load_rule_file(rule_file, rules, console)
    if isinstance(rule, CheckRule):
        cat = dataclasses.replace(cat, checks=[rule])
    auditor = Auditor(cat)
    result = auditor.audit_text(text) if text is not None else auditor.audit_path(path)  # type: ignore[arg-type]
    if result.error:
        console.print(escape(result.error))
        raise typer.Exit(2)

    kind = rule.kind if rule is not None else "?"
    console.print(f"规则 [bold]{escape(rule_id if rule_id is not None else str(rule_file))}[/bold]（{kind}）应用于 "
                  f"{escape(str(path) if path else '<text>')}")
    _print_claims(rule, result, all_claims, console)
    flags = [f for f in result.flags if not isinstance(rule, CheckRule) or f.rule == rule.id]
    _print_flags(flags, console)
    raise typer.Exit(1 if any(f.severity == "error" for f in flags) else 0)


def _load_rule_file(rule_file: Path, rules: list[Path] | None,
                    console: Console) -> tuple[Catalogue, str | None, AnyRule | None]:
    """The catalogue with the rule file merged in, the file's first rule id and that rule (None when the
    file holds none); exit 2 when the file is missing or invalid, so nothing runs on a broken rule."""
    from auditor.catalogue import RuleError, load_catalogue

    if not rule_file.is_file():
        console.print(f"规则文件不存在: {escape(str(rule_file))}")
        raise typer.Exit(2)
    try:
        cat = load_catalogue(extra_dirs=[*(rules or []), rule_file])
    except RuleError as exc:
        console.print(f"[red]规则文件无效[/red] {escape(str(exc))}")
        raise typer.Exit(2)
    target = rule_file.resolve()
    mine = [rid for rid, src in cat.sources.items() if Path(src).resolve() == target]
    return cat, (mine[0] if mine else None), (cat.rule(mine[0]) if mine else None)


def _print_claims(rule: AnyRule | None, result: DocumentResult, all_claims: bool, console: Console) -> None:
    """The claims the rule is about: a check's verified claims, a lexicon's concepts, or all of them."""
    from auditor.catalogue import CheckRule, LexiconRule

    if isinstance(rule, LexiconRule):
        keep = lambda c: all_claims or c.concept in rule.concepts  # noqa: E731
    elif isinstance(rule, CheckRule):
        keep = lambda c: all_claims or result.is_verified(c)  # noqa: E731
    else:
        keep = lambda c: True  # noqa: E731
    shown = [c for c in result.claims if keep(c)]
    table = RichTable("行", "原文", "类型", "主体", "概念", "角色", "已核验")
    for c in shown:
        table.add_row(str(c.location.line), escape(c.quote), c.kind, escape(c.subject[:24]), c.concept or "",
                      c.role, "是" if result.is_verified(c) else "否")
    what = "全部数字声明" if all_claims or rule is None or not isinstance(rule, (CheckRule, LexiconRule)) else (
        "本规则用到的数字声明" if isinstance(rule, CheckRule) else "本概念表中概念的数字声明")
    console.print(f"\n[bold]{what}[/bold]（{len(shown)} / {len(result.claims)}）")
    if shown:
        console.print(table)


def _print_flags(flags: list[Flag], console: Console) -> None:
    """The flags, coloured by severity, each with its evidence lines."""
    console.print(f"\n[bold]标记[/bold]（{len(flags)} 个）")
    for f in flags:
        color = {"error": "red", "warning": "yellow"}.get(f.severity, "dim")
        console.print(f"[{color}]{f.severity}[/{color}] {escape(f.message)}")
        for e in f.evidence:
            console.print(f"    第 {e.line} 行  {escape(e.quote)}" + (f"  ({e.role})" if e.role else ""))
    if not flags:
        console.print("（无）")
