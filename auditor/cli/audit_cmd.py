"""`auditor audit`: audit files and folders, print a summary, write results.

Options come from `[tool.auditor]` in pyproject.toml or an auditor.toml (see
auditor.config); the command line wins. Exit codes (with the default `--fail-on unreadable,error`):
0 no error flag (waived flags do not count), 1 error flags, 2 usage error, unusable
configuration/waivers, or any input that could not be audited (a CI gate must not pass with
half the corpus unread).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from auditor.cli._app import app, set_debug
from auditor.runner import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT


def _tokens(values: list[str] | None) -> list[str] | None:
    """Repeated options and comma-separated lists alike: --select a,b --select c."""
    if not values:
        return None
    return [t.strip() for v in values for t in v.split(",") if t.strip()]


FORMATS = ("text", "concise", "json", "sarif")


def usage_error(console: Console, message: str) -> typer.Exit:
    """A usage or input error: on stderr (whatever `console` is), exit 2."""
    Console(stderr=True, highlight=False).print(f"[red]错误[/red]: {message}", soft_wrap=True)
    return typer.Exit(2)


@app.command()
def audit(
    paths: list[Path] = typer.Argument(..., help="文件或目录"),
    json_out: Optional[Path] = typer.Option(None, "--json", help="写出 JSON 结果（auditor.result/1）"),
    html_out: Optional[Path] = typer.Option(None, "--html", help="写出静态 HTML 报告到该目录"),
    xlsx_out: Optional[Path] = typer.Option(None, "--xlsx", help="写出 Excel 工作簿（问题、文档、未核验数字）"),
    csv_out: Optional[Path] = typer.Option(None, "--csv", help="写出问题清单 CSV"),
    rules: Optional[list[Path]] = typer.Option(None, "--rules", help="额外的规则目录"),
    select: Optional[list[str]] = typer.Option(None, "--select", help="只运行这些规则（id、组名或前缀，可逗号分隔）"),
    ignore: Optional[list[str]] = typer.Option(None, "--ignore", help="不运行这些规则（id、组名或前缀）"),
    min_severity: Optional[str] = typer.Option(None, "--min-severity", help="只报告不低于该级别的问题: error/warning/info"),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="并行进程数（0 = CPU 核数）"),
    waivers: Optional[Path] = typer.Option(None, "--waivers", "--review",
                                           help="审阅/豁免文件：HTML 报告导出的审阅 JSON 或手写 YAML；驳回的问题标为已豁免，确认的问题带上审阅备注"),
    config: Optional[Path] = typer.Option(None, "--config", help="配置文件（默认查找 auditor.toml，或 pyproject.toml 中的 tool.auditor 表）"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="只输出汇总，不显示进度条"),
    timeout: float = typer.Option(DEFAULT_TIMEOUT, "--timeout", help="每个文档的审核时限（秒，0 = 不限）；超时的文档被终止并报告，运行继续"),
    memory: int = typer.Option(DEFAULT_MEMORY_MB, "--memory", help="每个工作进程的内存上限（MB，0 = 不限）；超限的文档被报告，运行继续"),
    cache: Optional[Path] = typer.Option(None, "--cache", help="结果缓存目录：中断后用同一目录重新运行，已完成的文档不再重审"),
    debug: bool = typer.Option(False, "--debug", help="出现内部错误时显示完整的 Python 调用栈"),
    output_format: str = typer.Option("text", "--format", help="终端输出：text（默认，每个文档一段，每个问题一行）、"
                                      "concise（只有问题行 path:行:）、json（auditor.result/1）、sarif（SARIF 2.1.0）"),
    no_bundle: bool = typer.Option(False, "--no-bundle", help="不把同一单位同一年度的说明文件与附表文件配对核对"),
    no_cross: bool = typer.Option(False, "--no-cross", help="不做任何跨文档核对（附表配对与上年数核对）"),
    fail_on: Optional[str] = typer.Option(None, "--fail-on", help="哪些情况使退出码非 0（逗号分隔，默认 unreadable,error）："
                                          "unreadable 有文件无法审核时返回 2；error 有错误时返回 1；warning 有错误或警告时返回 1；none 总是 0"),
) -> None:
    """审核文件或目录中的公开文本，逐个文档输出发现的问题。"""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from auditor.api import Result, expand_paths, load_selected_catalogue
    from auditor.cache import ResultCache, auditor_version, catalogue_hash, run_key
    from auditor.report.json_report import dumps as result_json_text
    from auditor.report.lines import document_lines, rule_counts
    from auditor.report.sarif import sarif_log
    from auditor.config import ConfigError, check_fail_on, check_severity, load_options
    from auditor.report.json_report import rules_dict
    from auditor.runner import RunnerError, RunSettings, run_documents
    from auditor.report.text_report import print_document_dict, print_summary_dict
    from auditor.report.waivers import WaiverError, WaiverSet, load_waivers

    import time
    from datetime import datetime, timezone

    set_debug(debug)
    started, clock = datetime.now(timezone.utc), time.perf_counter()
    if output_format not in FORMATS:
        raise usage_error(Console(), f"--format 应为 {'、'.join(FORMATS)} 之一，而不是 {output_format!r}")
    machine = output_format in ("json", "sarif")  # stdout carries the payload; everything else goes to stderr
    console = Console(highlight=False, stderr=machine)
    if timeout < 0 or memory < 0:
        raise usage_error(console, "--timeout 和 --memory 不能为负数")
    if cache is not None and cache.exists() and not cache.is_dir():
        raise usage_error(console, f"--cache 应为目录: {cache}")
    try:
        opts = load_options(config).merged(
            select=_tokens(select), ignore=_tokens(ignore),
            min_severity=check_severity(min_severity) if min_severity is not None else None,
            fail_on=check_fail_on(fail_on) if fail_on is not None else None, jobs=jobs, rules=list(rules) if rules else None, waivers=waivers)
    except ConfigError as exc:
        raise usage_error(console, str(exc))
    if opts.jobs is not None and opts.jobs < 0:
        raise usage_error(console, "--jobs 不能为负数")
    n_jobs = opts.jobs or (os.cpu_count() or 1)
    if html_out is not None and html_out.exists() and not html_out.is_dir():
        raise usage_error(console, f"--html 应为目录: {html_out}")
    missing = [p for p in paths if not p.exists()]
    files = expand_paths(paths)
    if not files or (missing and len(missing) == len(paths)):
        raise usage_error(console, "未找到可审核的文件: " + "、".join(str(p) for p in missing or paths))
    try:
        catalogue = load_selected_catalogue(opts.rules, opts.select, opts.ignore)
    except ConfigError as exc:
        raise usage_error(console, str(exc))
    except Exception as exc:  # a broken rule file (RuleError names file:line): say which, then stop
        raise usage_error(console, f"规则目录无法加载: {exc}")
    waiver_set = None
    if opts.waivers is not None:
        try:
            waiver_set = WaiverSet(load_waivers(opts.waivers), str(opts.waivers))
        except WaiverError as exc:
            raise usage_error(console, str(exc))

    settings = RunSettings([str(r) for r in opts.rules], list(opts.select), list(opts.ignore), opts.min_severity,
                           timeout or None, memory or None, debug)
    result_cache = None
    if cache is not None:
        result_cache = ResultCache(cache, run_key(opts.rules, [r.id for r in catalogue.checks], opts.min_severity))
    documents: list[dict] = []
    from auditor.corpus import CrossPass

    cross = None if no_cross else CrossPass(bundles=not no_bundle)
    err_console = Console(stderr=True, highlight=False)

    def on_result(d: dict) -> None:
        if waiver_set is not None:
            waiver_set.apply_document(d)
        documents.append(d)
        if cross is not None:
            cross.add(d)  # a compact summary: the cross-document pass never needs whole results
        if output_format == "concise":
            for line in document_lines(d):
                console.print(line, soft_wrap=True, markup=False)
        elif not quiet and output_format == "text":
            print_document_dict(console, d)
        if debug and d.get("traceback"):
            err_console.print(d["traceback"], markup=False)
        progress.advance(task)

    show_progress = sys.stderr.isatty() and not quiet and len(files) > 1
    progress = Progress(TextColumn("审核中"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                        TextColumn("{task.fields[jobs]}"), console=Console(stderr=True),
                        disable=not show_progress, transient=True)
    with progress:
        task = progress.add_task("audit", total=len(files), jobs=f"{n_jobs} 个进程" if n_jobs > 1 else "")
        try:
            run_documents(files, settings, n_jobs, result_cache, on_result)
        except KeyboardInterrupt:
            progress.stop()
            saved = f"已完成的 {result_cache.stored + result_cache.hits} 个结果在缓存 {cache} 中，用同一 --cache 重新运行即可继续" \
                if result_cache is not None else "未使用 --cache，结果未保存"
            console.print(f"[red]已中断[/red]：审核了 {len(documents)}/{len(files)} 个文档；{saved}。未写出任何报告文件。")
            raise typer.Exit(130)
        except RunnerError as exc:
            raise usage_error(console, str(exc))
    data = {"schema": "auditor.result/1", "documents": documents, "rules": rules_dict(catalogue),
            "run": {"tool": "auditor", "version": auditor_version(),
                    "catalogue": catalogue_hash(opts.rules, [r.id for r in catalogue.checks])[:16],
                    "started": started.isoformat(timespec="seconds"),
                    "seconds": round(time.perf_counter() - clock, 2)}}
    if cross is not None:
        from auditor.corpus import attach

        attach(data, *cross.finish(), min_severity=opts.min_severity)
    if waiver_set is not None:
        data["waivers"] = waiver_set.summary()
    result = Result(data)
    if output_format == "json":
        sys.stdout.write(result_json_text(data))
    elif output_format == "sarif":
        sys.stdout.write(json.dumps(sarif_log(data, data["run"]["version"]), ensure_ascii=False, indent=1) + "\n")
    print_summary_dict(console, data)
    from auditor.report.text_report import print_cross_document

    print_cross_document(console, data)
    for line in rule_counts(documents):
        console.print("  " + line, soft_wrap=True, markup=False)
    _print_failures(console, documents, result_cache)
    _write_outputs(console, result, json_out, html_out, xlsx_out, csv_out)
    raise typer.Exit(result.exit_status(opts.fail_on))


def _print_failures(console: Console, documents: list[dict], result_cache) -> None:
    """The closing summary of what could not be audited, by reason, and of the cache."""
    from rich.markup import escape

    from auditor.runner import ERROR_KIND_LABEL, summarize

    counts = summarize(documents)
    if counts:
        parts = "，".join(f"{ERROR_KIND_LABEL.get(k, k)} {n}" for k, n in sorted(counts.items(), key=lambda kv: -kv[1]))
        console.print(f"未审核的文档 {sum(counts.values())} 个（{parts}）：")
        failed = [d for d in documents if d.get("error")]
        for d in failed[:20]:
            console.print(f"  - {escape(d['error'])}", soft_wrap=True)
        if len(failed) > 20:
            console.print(f"  … 另有 {len(failed) - 20} 个，见 JSON/HTML/Excel 报告的“读取错误”")
    if result_cache is not None:
        console.print(f"缓存 {result_cache.folder}：读取 {result_cache.hits} 个已有结果，新存入 {result_cache.stored} 个。",
                      soft_wrap=True)


def _write_outputs(console: Console, result, json_out, html_out, xlsx_out, csv_out) -> None:
    """Write each requested output; a failure to write is a usage/input error (exit 2)."""
    outputs = [(json_out, result.write_json, "JSON 结果"), (html_out, result.write_html, "HTML 报告"),
               (xlsx_out, result.write_xlsx, "Excel 工作簿"), (csv_out, result.write_csv, "CSV 问题清单")]
    for target, write, label in outputs:
        if target is None:
            continue
        try:
            written = write(target)
        except OSError as exc:
            raise usage_error(console, f"{label}无法写入 {target}: {exc.strerror or exc}")
        where = written if isinstance(written, Path) else target
        console.print(f"{label}已写入 {where}")
