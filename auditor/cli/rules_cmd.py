"""`auditor rules ...`: the catalogue for rule authors (list, show, test, validate).

Every subcommand takes `--rules DIR` (repeatable), the extra rule folders a user adds on
top of the shipped catalogue. A PATH given to `test` or `validate` outside the shipped
catalogue is loaded as such an extra source too, so a new rule file can be tested
before it is put anywhere. Exit codes: 0 all good, 1 a case failed or a file is
invalid, 2 usage error (unknown rule id, missing path).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable

from auditor.cli._app import rules_app

if TYPE_CHECKING:
    from auditor.rules_model import Catalogue, CheckRule, LexiconRule, VocabularyRule

_RULES_OPT = typer.Option(None, "--rules", help="额外的规则目录（可重复）：与内置规则合并，同 id 时覆盖内置规则")


def _console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def _sources(paths: list[Path] | None, rules: list[Path] | None) -> tuple[list[Path], list[Path]]:
    """(extra sources to load, paths to restrict to): PATHs outside the shipped catalogue are extra."""
    from auditor.catalogue import RULES_DIR

    extra = [Path(r) for r in rules or []]
    shipped = RULES_DIR.resolve()
    for p in paths or []:
        if not p.exists():
            _console().print(f"路径不存在: {escape(str(p))}")
            raise typer.Exit(2)
        rp = p.resolve()
        if rp != shipped and shipped not in rp.parents and not any(
                rp == e.resolve() or e.resolve() in rp.parents for e in extra):
            extra.append(p)
    return extra, list(paths or [])


def _load(extra: list[Path], console: Console):
    """The catalogue with every loadable file, and the errors of the others (printed)."""
    from auditor.catalogue import RuleError, load_catalogue

    errors: list[RuleError] = []
    try:
        cat = load_catalogue(extra_dirs=extra or None, errors=errors)
    except RuleError as exc:
        console.print(f"[red]错误[/red] {escape(str(exc))}")
        raise typer.Exit(2)
    for e in errors:
        console.print(f"[red]错误[/red] {escape(str(e))}")
    return cat, errors


@rules_app.command("list")
def rules_list(group: Optional[str] = typer.Option(None, "--group", help="只列出该组的检查规则"),
               rules: Optional[list[Path]] = _RULES_OPT) -> None:
    """列出规则：id、类型、严重程度、分组、说明。"""
    console = _console()
    cat, errors = _load([Path(r) for r in rules or []], console)
    table = RichTable("id", "kind", "severity", "groups", "summary")
    table.columns[0].no_wrap = table.columns[1].no_wrap = True
    table.columns[4].overflow = "fold"
    shown = 0
    for r in sorted(cat.checks, key=lambda r: r.id):
        if group and group not in r.groups:
            continue
        table.add_row(r.id, r.kind, r.severity, ",".join(r.groups), escape(r.summary))
        shown += 1
    if not group:
        for lex in cat.lexicon_rules:
            table.add_row(lex.id, "lexicon", "-", "lexicon", escape(f"{lex.summary}（{len(lex.concepts)} 个概念）"))
            shown += 1
        table.add_row(cat.vocabulary.id, "claim_vocabulary", "-", "extract", escape(cat.vocabulary.summary))
        shown += 1
    if group and not shown:
        groups = sorted({g for r in cat.checks for g in r.groups})
        console.print(f"没有分组为“{escape(group)}”的规则；已有分组: {', '.join(groups)}")
        raise typer.Exit(2)
    console.print(table)
    raise typer.Exit(1 if errors else 0)


@rules_app.command("show")
def rules_show(rule_id: str = typer.Argument(..., metavar="ID", help="规则 id，如 change.rate"),
               rules: Optional[list[Path]] = _RULES_OPT) -> None:
    """显示一条规则：说明、类型及其文档、参数、消息模板与占位符、测试用例。"""
    from auditor.catalogue import CheckRule, LexiconRule

    console = _console()
    cat, _ = _load([Path(r) for r in rules or []], console)
    rule = cat.rule(rule_id)
    if rule is None:
        _unknown_rule(rule_id, cat, console)
    src = cat.sources.get(rule.id, "")
    console.print(f"[bold]{rule.id}[/bold]" + (f"  {escape(rule.name)}" if isinstance(rule, CheckRule) else ""))
    console.print(f"文件: {escape(_rel(src))}")
    console.print(f"说明: {escape(rule.summary)}")
    if isinstance(rule, CheckRule):
        _show_check(rule, console)
    elif isinstance(rule, LexiconRule):
        _show_lexicon(rule, console)
    else:
        _show_vocabulary(rule, console)
    _show_tests(rule, console)


def _unknown_rule(rule_id: str, cat: Catalogue, console: Console) -> NoReturn:
    """Exit 2, naming the closest ids, so a typo is fixed without listing the whole catalogue."""
    import difflib

    ids = [r.id for r in [*cat.checks, *cat.lexicon_rules, cat.vocabulary]]
    close = difflib.get_close_matches(rule_id, ids, 3, 0.5)
    console.print(f"未知规则“{escape(rule_id)}”" + (f"；相近的有: {', '.join(close)}" if close else "")
                  + "。用 auditor rules list 查看全部。")
    raise typer.Exit(2)


def _show_check(rule: CheckRule, console: Console) -> None:
    """A check rule's kind (with the kind's own doc), params, message and the placeholders it may use."""
    import yaml

    from auditor.checks.kinds import registry

    kind = registry().get(rule.kind)

    console.print(f"类型: {rule.kind}    严重程度: {rule.severity}    分组: {', '.join(rule.groups) or '-'}")
    doc = _kind_doc(kind.relations if kind else None)
    if doc:
        console.print("\n[bold]类型说明[/bold]（" + rule.kind + "）")
        console.print(escape(doc))
    console.print("\n[bold]参数[/bold]")
    if rule.params:
        dumped = yaml.safe_dump(rule.params, allow_unicode=True, sort_keys=False, default_flow_style=None)
        console.print(escape(dumped.rstrip()))
    else:
        console.print("（无）")
    console.print("\n[bold]消息模板[/bold]")
    console.print(escape(rule.message))
    if kind is not None:
        console.print("可用占位符: " + escape(", ".join("{" + p + "}" for p in sorted(kind.message_fields))))


def _show_lexicon(rule: LexiconRule, console: Console) -> None:
    """A lexicon's concepts as a table: id, name, aliases."""
    table = RichTable("概念 id", "名称", "别名")
    table.columns[0].no_wrap = True
    for cid, c in rule.concepts.items():
        table.add_row(cid, escape(c.name), escape("、".join(c.aliases)))
    console.print(table)


def _show_vocabulary(rule: VocabularyRule, console: Console) -> None:
    """The claim vocabulary's word lists, one field a line (a dict field as `key: words; ...`)."""
    for name, value in rule:
        if name in ("id", "kind", "summary", "tests"):
            continue
        words = ("; ".join(f"{k}: {'、'.join(v)}" for k, v in value.items()) if isinstance(value, dict)
                 else "、".join(value))
        console.print(f"{name}: {escape(words)}")


def _show_tests(rule: CheckRule | LexiconRule | VocabularyRule, console: Console) -> None:
    """The rule's test cases: numbered text lines, then the expected flags and claims."""
    console.print(f"\n[bold]测试用例[/bold]（{len(rule.tests)} 个）")
    for case in rule.tests:
        console.print(f"- {escape(case.id)}")
        for i, line in enumerate(case.text.split("\n"), 1):
            console.print(f"    {i:>3}│ {escape(line)}")
        if case.expect is not None:
            from auditor.rulecases import show_expect

            console.print("    expect: " + ("[]  （不应有标记）" if not case.expect else ""))
            for e in case.expect:
                console.print("      - " + escape(show_expect(e)))
        for c in case.expect_claims or []:
            console.print("    expect_claims: " + escape(str(c.model_dump(exclude_none=True))))


def _kind_doc(fn) -> str:
    if fn is None:
        return ""
    doc = fn.__doc__ or sys.modules[fn.__module__].__doc__ or ""
    return doc.strip()


def _rel(path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return path


@rules_app.command("test")
def rules_test(paths: Optional[list[Path]] = typer.Argument(None, help="规则文件或目录；省略则测试全部规则"),
               rules: Optional[list[Path]] = _RULES_OPT,
               select: Optional[str] = typer.Option(None, "-k", help="只运行名称（规则id::用例id）含此文字的用例"),
               verbose: bool = typer.Option(False, "--verbose", "-v", help="列出每个通过的用例")) -> None:
    """运行规则文件中的内联测试用例；有失败（或有规则文件无效）则退出码为 1。"""
    from auditor.audit import Auditor
    from auditor.rulecases import check_case, collect_cases

    console = _console()
    extra, only = _sources(paths, rules)
    cat, errors = _load(extra, console)
    cases = collect_cases(paths=only or None, catalogue=cat)
    if select:
        cases = [c for c in cases if select in c.name]
    if not cases and not errors:
        console.print("没有找到测试用例。")
        raise typer.Exit(1 if paths else 0)
    auditor = Auditor(cat)
    failed = todo = 0
    for rc in cases:
        try:
            outcome = check_case(rc, auditor)
        except Exception as exc:  # a crashing case is a failure, and the others still run
            failed += 1
            console.print(f"[red]FAIL[/red] {escape(rc.name)}  ({escape(_rel(rc.path))})")
            console.print(f"    运行出错: {escape(type(exc).__name__)}: {escape(str(exc))}")
            continue
        if outcome.passed:
            if verbose:
                console.print(f"[green]ok[/green]   {escape(rc.name)}")
            continue
        if outcome.status == "todo":  # a known gap, noted in the case: reported, not a failure
            todo += 1
            console.print(f"[yellow]todo[/yellow] {escape(rc.name)}  {escape(rc.case.todo or '')}")
            continue
        failed += 1
        console.print(f"[red]FAIL[/red] {escape(rc.name)}  ({escape(_rel(rc.path))})")
        for p in outcome.failures():
            console.print(f"    {escape(p)}")
        diff = outcome.diff()
        if diff:
            console.print("    --- 期望 (expect)\n    +++ 实际")
            for line in diff:
                color = "red" if line.startswith("-") else "green" if line.startswith("+") else "dim"
                console.print(f"    [{color}]{escape(line)}[/{color}]")
    console.print(f"{len(cases) - failed - todo} 个通过，{failed} 个失败" + (f"，{todo} 个待办（todo）" if todo else "")
                  + (f"，{len(errors)} 个规则文件无效" if errors else ""))
    raise typer.Exit(1 if failed or errors else 0)


@rules_app.command("validate")
def rules_validate(paths: Optional[list[Path]] = typer.Argument(None, help="规则文件或目录；省略则校验内置规则"),
                   rules: Optional[list[Path]] = _RULES_OPT) -> None:
    """严格校验规则文件（字段、类型、占位符、正则、id 重复……），不运行用例；有错则退出码为 1。

    每个正则表达式还要在构造的对抗文字（其自身字面量的长串重复）上限时运行：
    会灾难性回溯的正则在这里被拒绝，而不是在审核时超时。
    """
    from auditor.catalogue import RULES_DIR, rule_files, stress_errors

    console = _console()
    extra, _ = _sources(paths, rules)
    cat, errors = _load(extra, console)
    stressed = stress_errors(cat)
    for e in stressed:
        console.print(f"[red]错误[/red] {escape(str(e))}")
    errors = [*errors, *stressed]
    n = len(rule_files(RULES_DIR)) + sum(len(rule_files(p)) for p in extra if p.exists())
    if errors:
        console.print(f"{n} 个文件，{len(errors)} 个错误。")
        raise typer.Exit(1)
    console.print(f"{n} 个文件全部有效。")
