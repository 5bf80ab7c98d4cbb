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
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from auditor.api import Result, expand_paths, load_selected_catalogue
from auditor.cache import ResultCache, run_key
from auditor.cli._app import app, set_debug
from auditor.config import ConfigError, Options, check_fail_on, check_severity, load_options
from auditor.corpus import CrossPass, attach
from auditor.report.json_report import dumps as result_json_text
from auditor.report.json_report import rules_dict
from auditor.report.lines import document_lines, rule_counts
from auditor.report.sarif import sarif_log
from auditor.report.tally import RunTally
from auditor.report.text_report import print_cross_document, print_document_dict, print_summary_dict
from auditor.report.waivers import WaiverError, WaiverSet, load_waivers
from auditor.runner import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT, RunnerError, RunSettings, run_documents


def _tokens(values: list[str] | None) -> list[str] | None:
    """Repeated options and comma-separated lists alike: --select a,b --select c."""
    if not values:
        return None
    return [t.strip() for v in values for t in v.split(",") if t.strip()]


FORMATS = ("text", "concise", "json", "sarif")


def usage_error(console: Console, message: str) -> typer.Exit:
    """A usage or input error: on stderr (whatever `console` is), exit 2."""
    from rich.markup import escape

    # escaped: a message may hold a path or an install hint in brackets (pip install -e '.[dask]')
    Console(stderr=True, highlight=False).print(f"[red]错误[/red]: {escape(message)}", soft_wrap=True)
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
    engine: str = typer.Option("local", "--engine", help="执行引擎：local（本机工作进程，默认）或 dask（Dask 集群，"
                               r"需要 pip install -e '.\[dask]'）"),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="--engine dask：已有调度器的地址，如 tcp://10.0.0.1:8786"
                                            "（不给则在本机启动 --jobs 个工作进程的 LocalCluster）"),
    jsonl_out: Optional[Path] = typer.Option(None, "--jsonl", help="边审核边写出 JSON Lines（每行一个 auditor.result/1 文档，"
                                             "不含原文；运行信息在 FILE.meta.json）"),
    parquet_out: Optional[Path] = typer.Option(None, "--parquet", help="边审核边写出 Parquet 表到该目录（documents、flags、claims）"),
    with_source: bool = typer.Option(False, "--with-source", help="同时保存每个文档的原文（按内容哈希存一份，"
                                     "在 --jsonl 文件旁的 FILE.sources/ 或 --parquet 目录的 sources/），供 HTML 报告使用"),
) -> None:
    """审核文件或目录中的公开文本，逐个文档输出发现的问题。"""
    # long because: the signature is typer's flat table of options; the body hands them on to the steps below
    set_debug(debug)
    started, clock = datetime.now(timezone.utc), time.perf_counter()
    if output_format not in FORMATS:
        raise usage_error(Console(), f"--format 应为 {'、'.join(FORMATS)} 之一，而不是 {output_format!r}")
    machine = output_format in ("json", "sarif")  # stdout carries the payload; everything else goes to stderr
    console = Console(highlight=False, stderr=machine)
    opts = _checked_options(console, config, timeout, memory, cache, select=select, ignore=ignore,
                            min_severity=min_severity, fail_on=fail_on, jobs=jobs, rules=rules, waivers=waivers)
    _check_engine_and_outputs(console, opts, html_out, engine, scheduler, parquet_out)
    n_jobs = opts.jobs or (os.cpu_count() or 1)
    files, catalogue, waiver_set = _inputs(console, paths, opts)
    out = _Outputs(json_out, html_out, xlsx_out, csv_out, jsonl_out, parquet_out)
    settings = RunSettings([str(r) for r in opts.rules], list(opts.select), list(opts.ignore), opts.min_severity,
                           timeout or None, memory or None, debug)
    result_cache = None
    if cache is not None:
        result_cache = ResultCache(cache, run_key(opts.rules, [r.id for r in catalogue.checks], opts.min_severity))
    keep = out.keep(machine)
    meta = {"rules": rules_dict(catalogue), "run": _run_meta(opts, catalogue, started, engine)}
    store_source = with_source or (not keep and html_out is not None)
    try:
        writers = _open_writers(jsonl_out, parquet_out, store_source, meta)
    except (OSError, RuntimeError) as exc:
        raise usage_error(console, str(exc))
    run = _Run(console, output_format, quiet, debug, waiver_set, writers,
               None if no_cross else CrossPass(bundles=not no_bundle), keep)
    try:
        _run_with_progress(run, files, n_jobs, lambda on_result: _run_engine(
            engine, files, settings, n_jobs, scheduler, result_cache, on_result, keep, keep or store_source))
    except KeyboardInterrupt:
        _report_interrupt(run, len(files), result_cache, cache)
        raise typer.Exit(130)
    except RunnerError as exc:
        _close_writers(writers)
        raise usage_error(console, str(exc))
    data = _result_data(run, meta, clock, opts)
    _close_writers(writers, **{k: data[k] for k in ("rules", "run", "waivers", "cross_document") if k in data})
    if not keep:
        run.tally.print(console, result_cache, after_summary=lambda: print_cross_document(console, data))
        _print_writers(console, writers)
        _write_streamed_outputs(console, jsonl_out, html_out, xlsx_out, csv_out)
        raise typer.Exit(run.tally.exit_status(opts.fail_on))
    result = Result(data)
    _print_kept(console, data, output_format, result_cache)
    _write_outputs(console, result, json_out, html_out, xlsx_out, csv_out)
    _print_writers(console, writers)
    raise typer.Exit(result.exit_status(opts.fail_on))


# ---- the steps of a run ---------------------------------------------------------------------


def _checked_options(console: Console, config: Path | None, timeout: float, memory: int, cache: Path | None,
                     **given) -> Options:
    """The configuration merged with the command line; a bad value is a usage error (exit 2)."""
    if timeout < 0 or memory < 0:
        raise usage_error(console, "--timeout 和 --memory 不能为负数")
    if cache is not None and cache.exists() and not cache.is_dir():
        raise usage_error(console, f"--cache 应为目录: {cache}")
    try:
        opts = load_options(config).merged(
            select=_tokens(given["select"]), ignore=_tokens(given["ignore"]),
            min_severity=check_severity(given["min_severity"]) if given["min_severity"] is not None else None,
            fail_on=check_fail_on(given["fail_on"]) if given["fail_on"] is not None else None, jobs=given["jobs"],
            rules=list(given["rules"]) if given["rules"] else None, waivers=given["waivers"])
    except ConfigError as exc:
        raise usage_error(console, str(exc))
    if opts.jobs is not None and opts.jobs < 0:
        raise usage_error(console, "--jobs 不能为负数")
    return opts


def _check_engine_and_outputs(console: Console, opts: Options, html_out: Path | None, engine: str,
                              scheduler: str | None, parquet_out: Path | None) -> None:
    if html_out is not None and html_out.exists() and not html_out.is_dir():
        raise usage_error(console, f"--html 应为目录: {html_out}")
    if engine not in ("local", "dask"):
        raise usage_error(console, f"--engine 应为 local 或 dask，而不是 {engine!r}")
    if scheduler and engine != "dask":
        raise usage_error(console, "--scheduler 只用于 --engine dask")
    if parquet_out is not None and parquet_out.exists() and not parquet_out.is_dir():
        raise usage_error(console, f"--parquet 应为目录: {parquet_out}")


def _inputs(console: Console, paths: list[Path], opts: Options):
    """The files to audit, the narrowed catalogue and the waivers; what cannot be had is a usage error."""
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
    return files, catalogue, waiver_set


@dataclass
class _Outputs:
    json: Path | None
    html: Path | None
    xlsx: Path | None
    csv: Path | None
    jsonl: Path | None
    parquet: Path | None

    def keep(self, machine: bool) -> bool:
        """Whether the run keeps every document: a streaming run keeps none, unless an output
        needs them all at once."""
        streaming = self.jsonl is not None or self.parquet is not None
        return not streaming or self.json is not None or machine or (
            self.jsonl is None and any(o is not None for o in (self.html, self.xlsx, self.csv)))


@dataclass
class _Run:
    """What happens to each document's result as it arrives, and what the run has gathered."""

    console: Console
    output_format: str
    quiet: bool
    debug: bool
    waiver_set: object | None
    writers: list
    cross: object | None
    keep: bool
    documents: list[dict] = field(default_factory=list)
    tally: RunTally = field(default_factory=RunTally)
    err_console: Console = field(default_factory=lambda: Console(stderr=True, highlight=False))

    def on_result(self, d: dict) -> None:
        if self.waiver_set is not None:
            self.waiver_set.apply_document(d)
        self.tally.add(d)
        if self.keep:
            self.documents.append(d)
        for w in self.writers:
            w.write(d)
        if self.cross is not None:
            self.cross.add(d)  # a compact summary: the cross-document pass never needs whole results
        if self.output_format == "concise":
            for line in document_lines(d):
                self.console.print(line, soft_wrap=True, markup=False)
        elif not self.quiet and self.output_format == "text":
            print_document_dict(self.console, d)
        if self.debug and d.get("traceback"):
            self.err_console.print(d["traceback"], markup=False)


def _run_with_progress(run: _Run, files: list[Path], n_jobs: int, start) -> None:
    """`start(on_result)` runs the engine; a progress bar on a terminal advances with each result."""
    show_progress = sys.stderr.isatty() and not run.quiet and len(files) > 1
    progress = Progress(TextColumn("审核中"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                        TextColumn("{task.fields[jobs]}"), console=Console(stderr=True),
                        disable=not show_progress, transient=True)
    with progress:
        task = progress.add_task("audit", total=len(files), jobs=f"{n_jobs} 个进程" if n_jobs > 1 else "")

        def on_result(d: dict) -> None:
            run.on_result(d)
            progress.advance(task)

        try:
            start(on_result)
        except KeyboardInterrupt:
            progress.stop()
            raise


def _run_engine(engine: str, files, settings, n_jobs: int, scheduler: str | None, result_cache, on_result,
                keep: bool, need_source: bool) -> None:
    if engine == "dask":
        _run_dask(files, settings, n_jobs, scheduler, result_cache, on_result, keep, need_source=need_source)
    else:
        run_documents(files, settings, n_jobs, result_cache, on_result, keep=keep)


def _report_interrupt(run: _Run, n_files: int, result_cache, cache: Path | None) -> None:
    """Ctrl-C: close the streams and say what was kept, so the run can be resumed."""
    _close_writers(run.writers)
    saved = f"已完成的 {result_cache.stored + result_cache.hits} 个结果在缓存 {cache} 中，用同一 --cache 重新运行即可继续" \
        if result_cache is not None else "未使用 --cache，结果未保存"
    streamed = "".join(f"{w.label} {w.where} 保留已写出的 {w.count} 个文档；" for w in run.writers)
    run.console.print(f"[red]已中断[/red]：审核了 {run.tally.documents}/{n_files} 个文档；{saved}。{streamed}"
                      "未写出其他报告文件。")


def _result_data(run: _Run, meta: dict, clock: float, opts: Options) -> dict:
    """The `auditor.result/1` dict of the run, with the cross-document pass and the waivers' summary."""
    data = {"schema": "auditor.result/1", "documents": run.documents, "rules": meta["rules"],
            "run": {**meta["run"], "seconds": round(time.perf_counter() - clock, 2)}}
    if run.cross is not None:
        attach(data, *run.cross.finish(), min_severity=opts.min_severity, select=list(opts.select),
               ignore=list(opts.ignore))
        run.tally.add_cross(data["cross_document"])
    if run.waiver_set is not None:
        data["waivers"] = run.waiver_set.summary()
    return data


def _print_kept(console: Console, data: dict, output_format: str, result_cache) -> None:
    """The payload on stdout (json, sarif), then the summary, the cross-document flags, the rule
    counts and the failures."""
    if output_format == "json":
        sys.stdout.write(result_json_text(data))
    elif output_format == "sarif":
        sys.stdout.write(json.dumps(sarif_log(data, data["run"]["version"]), ensure_ascii=False, indent=1) + "\n")
    print_summary_dict(console, data)
    print_cross_document(console, data)
    for line in rule_counts(data["documents"]):
        console.print("  " + line, soft_wrap=True, markup=False)
    _print_failures(console, data["documents"], result_cache)


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


# ---- engines and streaming outputs ----------------------------------------------------------


def _run_meta(opts, catalogue, started, engine: str) -> dict:
    """The run's metadata (the JSON's `run`, less the seconds known only at the end)."""
    from auditor.cache import auditor_version, catalogue_hash

    run = {"tool": "auditor", "version": auditor_version(),
           "catalogue": catalogue_hash(opts.rules, [r.id for r in catalogue.checks])[:16],
           "started": started.isoformat(timespec="seconds")}
    if engine != "local":
        run["engine"] = engine
    return run


def _run_dask(files, settings, jobs: int, scheduler: str | None, cache, on_result, keep: bool,
              need_source: bool = True) -> None:
    """The corpus on a Dask cluster: a LocalCluster of `jobs` workers, or the given scheduler's."""
    from auditor.engines.dask_engine import DaskCluster, run_documents_dask

    with DaskCluster(scheduler, workers=jobs) as cluster:
        run_documents_dask(files, settings, cluster, cache, on_result, keep=keep, need_source=need_source)


class _Writer:
    """A streaming writer with what the closing lines say about it."""

    def __init__(self, inner, label: str, where: Path):
        self.inner, self.label, self.where = inner, label, where

    @property
    def count(self) -> int:
        return self.inner.count

    def write(self, d: dict) -> None:
        self.inner.write(d)

    def close(self, **meta) -> None:
        if hasattr(self.inner, "meta"):
            self.inner.close(**meta)
        else:
            self.inner.close()


def _open_writers(jsonl_out: Path | None, parquet_out: Path | None, with_source: bool, meta: dict) -> list[_Writer]:
    from auditor.report.jsonl import JsonlWriter, SourceStore, sources_path

    writers: list[_Writer] = []
    if parquet_out is not None:
        from auditor.report.parquet import ParquetWriter

        writers.append(_Writer(ParquetWriter(parquet_out, meta["rules"]), "Parquet 表", parquet_out))
    if jsonl_out is not None:
        store = SourceStore(sources_path(jsonl_out)) if with_source else None
        writers.append(_Writer(JsonlWriter(jsonl_out, meta, store), "JSON Lines 结果", jsonl_out))
    elif parquet_out is not None and with_source:
        writers.append(_Writer(_SourceOnly(SourceStore(parquet_out / "sources")), "原文", parquet_out / "sources"))
    return writers


class _SourceOnly:
    """--parquet --with-source: each document's source into the store, nothing else."""

    def __init__(self, store):
        self.store, self.count = store, 0

    def write(self, d: dict) -> None:
        if isinstance(d.get("source"), dict) and d.get("sha256"):
            self.store.put(d["sha256"], d["source"])
        self.count += 1

    def close(self) -> None:
        pass


def _print_writers(console: Console, writers: list[_Writer]) -> None:
    for w in writers:
        console.print(f"{w.label}已写入 {w.where}（{w.count} 个文档）", soft_wrap=True)


def _close_writers(writers: list[_Writer], **meta) -> None:
    for w in writers:
        w.close(**meta)


def _write_streamed_outputs(console: Console, jsonl_out: Path | None, html_out, xlsx_out, csv_out) -> None:
    """HTML / Excel / CSV of a streamed run, rendered from its JSON Lines file (never all in memory for HTML)."""
    if jsonl_out is None or not any(o is not None for o in (html_out, xlsx_out, csv_out)):
        return
    from auditor.report.stream import write_outputs_from_jsonl

    try:
        for label, where in write_outputs_from_jsonl(jsonl_out, html_out, xlsx_out, csv_out):
            console.print(f"{label}已写入 {where}")
    except OSError as exc:
        raise usage_error(console, f"报告无法写入: {exc.strerror or exc}")
