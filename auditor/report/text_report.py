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
        note = f"（{f.downgraded}）" if f.downgraded else ""
        console.print(f"  {_MARK.get(f.severity, f.severity)} {where}: {f.message}{note}", markup=True)


def print_summary(console: Console, results: list[DocumentResult]) -> None:
    errors = sum(1 for r in results for f in r.flags if f.severity == "error")
    warnings = sum(1 for r in results for f in r.flags if f.severity == "warning")
    failed = sum(1 for r in results if r.error)
    console.print(f"共审核 {len(results)} 个文档（{failed} 个无法读取）：错误 {errors}，警告 {warnings}。")


def print_document_dict(console: Console, d: dict) -> None:
    """One document of a result dict: a header, then one unwrapped `path:line:` line per flag."""
    from rich.markup import escape

    from auditor.report.lines import flag_line

    if d.get("error"):
        console.print(f"[bold]{escape(d['path'])}[/bold]  [red]无法审核[/red]: {escape(d['error'])}", soft_wrap=True)
        return
    console.print(f"[bold]{escape(d['path'])}[/bold]  {d['family']} {d['year'] or ''} {escape(d['unit_name'] or '')}",
                  soft_wrap=True)
    waived = sum(1 for f in d["flags"] if f.get("waived"))
    extra = f"（已豁免 {waived}）" if waived else ""
    console.print(f"  数字声明 {d['claims']}，已核验 {d['verified']}，未核验 {d['unverified']}；"
                  f"问题 {len(d['flags']) - waived}{extra}", soft_wrap=True)
    for f in d["flags"]:
        console.print(flag_line(d["path"], f), soft_wrap=True, markup=False, highlight=False)
    for note in d.get("rule_notes") or []:  # a broken rule is named, never silently silent
        console.print(f"{d['path']}: 规则出错 {' '.join(note.split())}", soft_wrap=True, markup=False, highlight=False)


def print_summary_dict(console: Console, data: dict) -> None:
    docs = data["documents"]
    active = [f for d in docs for f in d["flags"] if not f.get("waived")]
    errors = sum(1 for f in active if f["severity"] == "error")
    warnings = sum(1 for f in active if f["severity"] == "warning")
    infos = sum(1 for f in active if f["severity"] == "info")
    waived = sum(1 for d in docs for f in d["flags"] if f.get("waived"))
    skipped = sum(1 for d in docs if d.get("error") and d.get("error_kind") == "not_disclosure")
    failed = sum(1 for d in docs if d.get("error")) - skipped
    tail = f"，已豁免 {waived}" if waived else ""
    other = f"，{skipped} 个非预决算文档未审核" if skipped else ""
    console.print(f"共 {len(docs)} 个文件：审核 {len(docs) - failed - skipped} 个文档（{failed} 个无法读取{other}）："
                  f"错误 {errors}，警告 {warnings}，提示 {infos}{tail}。", soft_wrap=True)
    broken = rule_errors(docs)
    if broken:
        parts = "，".join(f"{rule}（{n} 个文档）" for rule, n in broken)
        console.print(f"[yellow]规则运行出错[/yellow]，这些规则的结果未计入，其他规则不受影响：{parts}。"
                      "用 auditor rules validate 检查规则文件。", soft_wrap=True)
    w = data.get("waivers")
    if w and w.get("stale"):
        from rich.markup import escape

        from auditor.report.waivers import describe_stale

        console.print(f"[yellow]{len(w['stale'])} 条豁免不再匹配任何问题[/yellow]（文档已修改或问题已消失）:")
        for line in describe_stale(w["stale"]):
            console.print(f"  {escape(line)}")


def print_cross_document(console: Console, data: dict) -> None:
    """The flags across documents (bundles, year over year), one line each, naming both files."""
    flags = [f for f in data.get("cross_document") or [] if not f.get("waived")]
    info = (data.get("run") or {}).get("cross_document") or {}
    if not flags and not info.get("bundles") and not info.get("year_pairs"):
        return
    errors = sum(1 for f in flags if f["severity"] == "error")
    console.print(f"跨文档核对：附表配对 {len(info.get('bundles', []))} 组，相邻年度 {len(info.get('year_pairs', []))} 组；"
                  f"错误 {errors}，警告 {len(flags) - errors}。", soft_wrap=True, markup=False, highlight=False)
    from auditor.report.lines import flag_line

    for f in flags:
        # `path:line: [page N:]` of the document the flag belongs to, as for every other flag,
        # then where each number stands in both files
        own = [e for e in f["evidence"] if e.get("document") == f.get("document")] or f["evidence"]
        where = "；".join(f"{e.get('document', '').rsplit('/', 1)[-1]} 第{e['page'] or '?'}页第{e['line']}行"
                         for e in f["evidence"])
        note = f"（{f['downgraded']}）" if f.get("downgraded") else ""
        line = flag_line(f.get("document") or "", dict(f, evidence=own))
        console.print(f"{line}{note}  [{where}]", soft_wrap=True, markup=False, highlight=False)


def rule_errors(docs: list[dict]) -> list[tuple[str, int]]:
    """(rule id, documents it errored on), most first, from the documents' rule outcome rows."""
    from collections import Counter

    counts = Counter(o["rule"] for d in docs for o in d.get("rule_outcomes") or [] if o.get("status") == "errored")
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
