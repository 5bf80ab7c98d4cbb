"""`auditor bench accuracy|speed|synth|profile`: measure the auditor (see README § Benchmarks)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from auditor.cli._app import app

bench_app = typer.Typer(no_args_is_help=True, help="基准测试：植入矛盾的准确率、吞吐量、真实文档上的精确率",
                        context_settings={"help_option_names": ["-h", "--help"]})
app.add_typer(bench_app, name="bench")


def _ints(text: str, name: str) -> list[int]:
    try:
        values = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise typer.BadParameter(f"{name}: comma-separated integers, e.g. 1,2") from None
    if not values or any(v < 1 for v in values):
        raise typer.BadParameter(f"{name}: positive integers")
    return values


def _write(path: Path, report: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str) + "\n", "utf-8")
    tmp.replace(path)


@bench_app.command("accuracy")
def accuracy(
    corpus: Path = typer.Argument(..., help="语料目录或文件（原文，作为未植入矛盾的对照）"),
    seed: int = typer.Option(0, "--seed", help="随机种子（结果可复现）"),
    kinds: Optional[str] = typer.Option(None, "--kinds", help="只植入这些类型，逗号分隔"),
    limit: Optional[int] = typer.Option(None, "--limit", help="每个文档每种类型最多植入几处"),
    jobs: int = typer.Option(1, "--jobs", help="并行进程数"),
    out: Path = typer.Option(Path("reports/bench/accuracy.json"), "--out", help="JSON 结果"),
) -> None:
    """植入矛盾（每个副本一处），统计每种类型的植入、检出、漏检，以及原文上的报警。"""
    from auditor.bench.accuracy import markdown_table, run_accuracy
    from auditor.bench.mutate import KINDS

    console = Console(highlight=False)
    if not corpus.exists():
        console.print(f"{corpus}: 不存在")
        raise typer.Exit(2)
    kind_list = [k.strip() for k in kinds.split(",") if k.strip()] if kinds else None
    if kind_list and set(kind_list) - set(KINDS):
        console.print(f"未知类型: {', '.join(sorted(set(kind_list) - set(KINDS)))}；可选: {', '.join(KINDS)}")
        raise typer.Exit(2)
    report = run_accuracy(corpus, seed=seed, kinds=kind_list, limit=limit, jobs=max(1, jobs))
    _write(out, report)
    console.print(markdown_table(report))
    o = report["originals_total"]
    console.print(f"原文: {report['documents']} 个文档, {o['errors']} 个错误, {o['warnings']} 个警告"
                  f"（答案键之外 {o['raised_outside_key']}，落在成立关系上的错误 {o['errors_on_key_holds']}）")
    console.print(f"结果已写入 {out}（{report['seconds']} s）")


@bench_app.command("precision")
def precision(
    folders: list[Path] = typer.Argument(None, help="含答案键（*.expected.yaml）的目录；默认 corpora/seeds 与 corpora/dev"),
    out: Path = typer.Option(Path("reports/bench/precision.json"), "--out", help="JSON 结果"),
) -> None:
    """真实文档上的精确率：每个报警是否在人工答案键中，错误是否落在成立的关系上，漏检了哪些。"""
    from auditor.bench.precision import markdown_table, run_precision

    console = Console(highlight=False)
    folders = folders or [Path("corpora/seeds"), Path("corpora/dev")]
    missing = [f for f in folders if not f.is_dir()]
    if missing:
        console.print(f"{missing[0]}: 不是目录")
        raise typer.Exit(2)
    report = run_precision(folders)
    _write(out, report)
    console.print(markdown_table(report), soft_wrap=True)
    t = report["total"]
    console.print(f"错误 {t['errors']['raised']} 个，其中答案键内 {t['errors']['in_key']}、键外 "
                  f"{t['errors']['outside_key']}；落在成立关系上的错误 {t['errors_on_holds']}；"
                  f"答案键问题检出 {t['key_flags_caught']}/{t['key_flags']}")
    console.print(f"结果已写入 {out}（{report['seconds']} s）")


@bench_app.command("speed")
def speed(
    corpus: Path = typer.Argument(..., help="种子语料目录（放大成合成语料）"),
    jobs: str = typer.Option("1,2", "--jobs", help="进程数列表，如 1,2"),
    docs: str = typer.Option("10,100,1000", "--docs", help="文档数列表，如 10,100,1000"),
    seed: int = typer.Option(0, "--seed", help="合成语料的随机种子"),
    workdir: Optional[Path] = typer.Option(None, "--workdir", help="合成语料目录（默认临时目录）"),
    out: Path = typer.Option(Path("reports/bench/speed.json"), "--out", help="JSON 结果"),
) -> None:
    """吞吐量：文档/秒、MB/秒、单文档 p50/p95、启动时间、峰值内存，按 --jobs 与 --docs 逐项测量。"""
    from auditor.bench.speed import markdown_table, run_speed

    console = Console(highlight=False)
    if not corpus.exists():
        console.print(f"{corpus}: 不存在")
        raise typer.Exit(2)
    job_list, doc_list = _ints(jobs, "--jobs"), _ints(docs, "--docs")

    def progress(n: int, j: int) -> None:
        print(f"… {n} docs, jobs {j}", file=sys.stderr, flush=True)

    report = run_speed(corpus, job_list, doc_list, seed=seed, workdir=workdir, progress=progress)
    _write(out, report)
    console.print(markdown_table(report))
    console.print(f"结果已写入 {out}")


@bench_app.command("scale")
def scale(
    corpus: Path = typer.Argument(Path("corpora"), help="种子语料目录（其中全部 .txt 放大成合成语料）"),
    docs: str = typer.Option("1000,10000", "--docs", help="文档数列表，如 1000,10000"),
    engines: str = typer.Option("local,dask", "--engines", help="引擎列表：local、dask"),
    jobs: int = typer.Option(2, "--jobs", help="本机工作进程数 / LocalCluster 的 Dask 工作进程数"),
    seed: int = typer.Option(0, "--seed", help="合成语料的随机种子"),
    workdir: Optional[Path] = typer.Option(None, "--workdir", help="合成语料与输出目录（默认临时目录）"),
    out: Path = typer.Option(Path("reports/bench/scale.json"), "--out", help="JSON 结果"),
) -> None:
    """规模：流式写出（--jsonl）的语料运行，按引擎与文档数测量文档/秒与各进程峰值内存（是否持平），以及 Dask 调度开销。"""
    from auditor.bench.scale import markdown_table, run_scale, write_report

    console = Console(highlight=False)
    if not corpus.exists():
        console.print(f"{corpus}: 不存在")
        raise typer.Exit(2)
    engine_list = [e.strip() for e in engines.split(",") if e.strip()]
    if not engine_list or set(engine_list) - {"local", "dask"}:
        raise typer.BadParameter("--engines: local, dask")

    def progress(n: int, engine: str) -> None:
        print(f"… {n} docs, {engine}" if n else f"… {engine}", file=sys.stderr, flush=True)

    report = run_scale(corpus, _ints(docs, "--docs"), engine_list, jobs, seed, workdir, progress)
    write_report(out, report)
    console.print(markdown_table(report))
    console.print(json.dumps({"flat": report["flat"], "dask_overhead": report.get("dask_overhead")}, ensure_ascii=False))
    console.print(f"结果已写入 {out}")


@bench_app.command("synth")
def synth(
    corpus: Path = typer.Argument(..., help="种子语料目录"),
    out_dir: Path = typer.Argument(..., help="输出目录"),
    n: int = typer.Option(100, "--n", help="文档数"),
    seed: int = typer.Option(0, "--seed", help="随机种子"),
) -> None:
    """把种子文档放大成 N 个数字各不相同的合成文档。"""
    from auditor.bench.synth import generate

    paths = generate(corpus, out_dir, n, seed)
    Console(highlight=False).print(f"{len(paths)} 个文档已写入 {out_dir}")


@bench_app.command("profile")
def profile(
    corpus: Path = typer.Argument(..., help="语料目录"),
    out: Path = typer.Option(Path("reports/bench/profile.txt"), "--out", help="pyinstrument 文本报告"),
    repeat: int = typer.Option(3, "--repeat", help="每个文档审核几遍"),
) -> None:
    r"""用 pyinstrument 剖析热身后的审核（需要 `pip install -e '.\[bench]'`）。"""
    from auditor.bench.speed import profile as run_profile

    try:
        text = run_profile(corpus, out, repeat)
    except RuntimeError as exc:
        Console(highlight=False).print(str(exc))
        raise typer.Exit(2)
    print(text)


@bench_app.command("pdf")
def pdf(
    folder: Path = typer.Argument(..., help="PDF 所在目录，如 ../shared/corpus/pdf"),
    out: Path = typer.Option(Path("reports/bench/pdf_extract.json"), "--out", help="JSON 结果"),
    runs: int = typer.Option(5, "--runs", help="每个文件测几遍（取中位数）"),
) -> None:
    """PDF 每页抽取耗时：本工具的读取器与单独使用 pdfplumber 对比，并核对表格单元格。"""
    import json

    from auditor.bench.pdf_extract import run
    from auditor.report.json_report import write_atomic

    result = run(folder, runs)
    write_atomic(out, json.dumps(result, ensure_ascii=False, indent=1))
    for f in result["files"]:
        Console(highlight=False).print(
            f"{f['file']}: {f['pages']} 页，本工具 {f['auditor_s_per_page']} s/页，pdfplumber "
            f"{f['pdfplumber_s_per_page']} s/页（{f['speedup']}×），单元格一致 {f['pdfplumber_cells_matched']}")
    Console(highlight=False).print(f"结果已写入 {out}")
