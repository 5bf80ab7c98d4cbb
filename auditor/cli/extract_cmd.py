"""`auditor extract FILE`: the text and tables exactly as the auditor reads them, for reviewers.

Text mode prints every line of the extracted text with its line number and page (TABs shown
as " | " between cells), then each table with its title, unit, pages, columns and rows.
`--json` writes the same as one object: the raw text (quotes in flags are substrings of it),
the page of each line, the tables, and the reader's notes (pages without a text layer ...).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from auditor.cli._app import app


def _line_pages(doc, sink) -> list[int | None]:
    n = len(doc.lines)
    if sink is not None:
        pages = list(sink.pages[:n])
        return pages + [None] * (n - len(pages))
    return [None] * n


def _table_json(t) -> dict:
    pages = sorted({r.location.page for r in t.rows if r.location.page is not None} | (
        {t.location.page} if t.location.page is not None else set()))
    return {
        "title": t.title, "unit": t.unit, "line": t.location.line, "line_end": t.line_end, "pages": pages,
        "section": list(t.section), "columns": t.columns,
        "header_rows": [[c.text for c in r] for r in t.header_rows],
        "rows": [{"label": r.label, "code": r.code, "line": r.location.line, "page": r.location.page,
                  "cells": [c.text for c in r.cells],
                  "values": [None if c.value is None else str(c.value) for c in r.cells]} for r in t.rows],
    }


@app.command()
def extract(
    path: Path = typer.Argument(..., help="一个文件（PDF、DOCX、HTML、XLSX 或文本）"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON（文本、每行页码、表格）"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="写入文件而不是标准输出"),
    tables_only: bool = typer.Option(False, "--tables", help="只输出表格"),
) -> None:
    """输出审核工具实际读到的文本和表格（带行号和页码），供复核抽取是否正确。"""
    from auditor.ingest import IngestError, detect_format, extract as do_extract

    try:
        kind = detect_format(path)
        doc, sink = do_extract(path)
    except IngestError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2)
    pages = _line_pages(doc, sink)
    notes = list(sink.notes) if sink is not None else []
    if as_json:
        payload = {
            "schema": "auditor.extract/1", "path": str(path), "format": kind, "family": doc.family,
            "year": doc.year, "unit_name": doc.unit_name, "notes": notes, "text": doc.text, "line_pages": pages,
            "headings": [{"text": h.text, "level": h.level, "line": h.line} for h in doc.headings],
            "tables": [_table_json(t) for t in doc.tables],
        }
        text = json.dumps(payload, ensure_ascii=False, indent=1)
    else:
        w: list[str] = [f"# {path}  格式={kind}  类型={doc.family}  年度={doc.year}  单位={doc.unit_name}"]
        w += [f"# 注意：{n}" for n in notes]
        if not tables_only:
            w.append("")
            w.append("## 文本（行号 页码│内容）")
            lines = doc.lines[:-1] if doc.text.endswith("\n") else doc.lines
            for i, ln in enumerate(lines, 1):
                p = pages[i - 1] if i - 1 < len(pages) else None
                w.append(f"{i:>5} {p if p is not None else '-':>4}│{ln.replace(chr(9), ' | ')}")
        w.append("")
        w.append(f"## 表格（{len(doc.tables)} 个）")
        for k, t in enumerate(doc.tables, 1):
            tj = _table_json(t)
            pg = "、".join(str(p) for p in tj["pages"]) or "-"
            w.append("")
            w.append(f"### 表{k}：{t.title or '（无标题）'}  单位={t.unit or '-'}  第{t.location.line}–{t.line_end}行  页={pg}")
            w.append("列：" + " | ".join(t.columns))
            for r in t.rows:
                where = f"L{r.location.line}" + (f" p{r.location.page}" if r.location.page is not None else "")
                w.append(f"  {where:<10} {r.code or '':<8} {r.label} ⇒ " + " | ".join(c.text for c in r.cells))
        text = "\n".join(w) + "\n"
    if out is not None:
        out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
