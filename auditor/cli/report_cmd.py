"""`auditor report RESULT.json`: re-render saved results without re-auditing."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from auditor.cli._app import app


def _attach_sources(data: dict) -> int:
    """For documents saved without their text, read it back when the file still has the same content."""
    from auditor.ingest import load_document
    from auditor.report.json_report import source_dict, text_sha256

    found = 0
    for d in data["documents"]:
        if d.get("source") or d.get("error") or not d.get("sha256"):
            continue
        try:
            doc = load_document(Path(d["path"]))
        except Exception:  # moved, changed or unreadable: the page lists the flags only
            continue
        if text_sha256(doc.text) == d["sha256"]:
            d["source"] = source_dict(doc)
            found += 1
    return found


@app.command()
def report(
    result_json: Path = typer.Argument(..., help="auditor audit --json 写出的结果文件"),
    html_out: Optional[Path] = typer.Option(None, "--html", help="写出静态 HTML 报告到该目录"),
    xlsx_out: Optional[Path] = typer.Option(None, "--xlsx", help="写出 Excel 工作簿"),
    csv_out: Optional[Path] = typer.Option(None, "--csv", help="写出问题清单 CSV"),
    waivers: Optional[Path] = typer.Option(None, "--waivers", "--review",
                                           help="重新应用审阅/豁免文件（替换结果中原有的审阅与豁免）：驳回的问题标为已豁免，确认的问题带上审阅备注"),
    json_out: Optional[Path] = typer.Option(None, "--json", help="另存（应用豁免后的）JSON 结果"),
) -> None:
    """根据已保存的 JSON 结果重新生成 HTML / Excel / CSV 报告，不重新审核。"""
    from auditor.api import Result
    from auditor.cli.audit_cmd import _write_outputs, usage_error
    from auditor.report.text_report import print_summary_dict
    from auditor.report.waivers import WaiverError, apply_waivers, load_waivers

    console = Console(highlight=False)
    if not any([html_out, xlsx_out, csv_out, json_out]):
        raise usage_error(console, "请至少指定一个输出: --html、--xlsx、--csv 或 --json")
    from auditor.report.jsonl import is_jsonl

    if is_jsonl(result_json):
        _report_jsonl(console, result_json, html_out, xlsx_out, csv_out, waivers, json_out)
    try:
        result = Result.from_json(result_json)
    except (OSError, ValueError) as exc:
        raise usage_error(console, f"{result_json}: 无法读取结果: {exc}")
    if waivers is not None:
        for d in result.documents:
            for f in d.get("flags", []):
                f["waived"], f["waiver"], f["review"] = False, None, None
        try:
            apply_waivers(result.data, load_waivers(waivers), str(waivers))
        except WaiverError as exc:
            raise usage_error(console, str(exc))
    if html_out is not None:
        _attach_sources(result.data)
    print_summary_dict(console, result.data)
    _write_outputs(console, result, json_out, html_out, xlsx_out, csv_out)
    raise typer.Exit(0)


def _report_jsonl(console: Console, path: Path, html_out, xlsx_out, csv_out, waivers, json_out) -> None:
    """A JSON Lines result (`audit --jsonl`): rendered one document at a time, for any corpus size."""
    from auditor.cli.audit_cmd import usage_error
    from auditor.report.jsonl import iter_documents
    from auditor.report.stream import write_outputs_from_jsonl
    from auditor.report.tally import RunTally
    from auditor.report.waivers import WaiverError, load_waivers

    if json_out is not None:
        raise usage_error(console, "--json 不适用于 JSON Lines 结果（它本身就是结果文件）；请用 --html、--xlsx 或 --csv")
    pair = None
    if waivers is not None:
        try:
            pair = (load_waivers(waivers), str(waivers))
        except WaiverError as exc:
            raise usage_error(console, str(exc))
    tally = RunTally()
    try:
        for d in iter_documents(path):
            tally.add(d)
        written = write_outputs_from_jsonl(path, html_out, xlsx_out, csv_out, pair)
    except (OSError, ValueError) as exc:
        raise usage_error(console, f"{path}: 无法读取或写出: {exc}")
    console.print(tally.summary_line(), soft_wrap=True)
    for label, where in written:
        console.print(f"{label}已写入 {where}")
    raise typer.Exit(0)


__all__ = ["report"]
