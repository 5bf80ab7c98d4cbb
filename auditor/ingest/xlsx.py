"""XLSX reader (openpyxl): each sheet is one table with its title row.

The first rows of a sheet that hold a single filled cell (the title merged across the
sheet, "单位：万元", "编制单位：…") are written as caption lines before the table, so the
title and the unit are read as for any other table; a sheet without such a row gets the
sheet name as its title. Merged cells keep their text in the top-left cell. Numbers are
written as the sheet displays them (decimals and thousands separators from the number
format); formulas give their cached value. Hidden sheets are skipped. No pages.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import regex

from auditor.ingest.build import TextSink, build_document
from auditor.ingest.errors import IngestError
from auditor.model import Document


def _fmt(value, number_format: str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%Y-%m-%d") if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, (int, float, Decimal)):
        fmt = (number_format or "General").split(";")[0]
        d = Decimal(str(value))
        pct = "%" in fmt
        if pct:
            d *= 100
        m = regex.search(r"0\.(0+)", fmt)
        if m:
            d = d.quantize(Decimal(1).scaleb(-len(m.group(1))))
        elif fmt in ("0", "#,##0", "0%") or regex.fullmatch(r"[#,]*0%?", fmt or ""):
            d = d.quantize(Decimal(1))
        else:
            d = d.normalize() if d == d.to_integral() else d
            if d == d.to_integral():
                d = d.quantize(Decimal(1))
        s = f"{d:,f}" if "," in fmt else f"{d:f}"
        return s + ("%" if pct else "")
    return str(value)


def extract_xlsx(path: str | Path) -> tuple[Document, TextSink]:
    import openpyxl

    p = Path(path)
    try:
        with p.open("rb") as fh:  # a file object: openpyxl would refuse a name not ending in .xlsx
            wb = openpyxl.load_workbook(io.BytesIO(fh.read()), data_only=True)
    except MemoryError:
        raise  # the runner reports it as the memory limit, not as a damaged file
    except Exception as exc:  # openpyxl raises many types for damaged workbooks
        raise IngestError(str(p), f"XLSX 文件无法读取（unreadable XLSX: {type(exc).__name__}: {exc}）") from exc
    sink = TextSink()
    try:
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                sink.notes.append(f"隐藏工作表“{ws.title}”未读取")
                continue
            rows = [[_fmt(c.value, c.number_format) for c in row] for row in ws.iter_rows()]
            rows = [r for r in rows if any(x.strip() for x in r)]
            if not rows:
                continue
            width = max(len(r) for r in rows)
            while width > 1 and all(len(r) < width or not r[width - 1].strip() for r in rows):
                width -= 1
            rows = [r[:width] for r in rows]
            captions: list[str] = []
            while rows and sum(1 for x in rows[0] if x.strip()) == 1 and len(captions) < 4 and width > 1:
                captions.append(next(x for x in rows[0] if x.strip()))
                rows = rows[1:]
            if not any(c.strip().endswith("表") for c in captions):
                captions.insert(0, ws.title)
            for c in captions:
                sink.para(c)
            sink.table(rows)
    finally:
        wb.close()
    return build_document(str(p), sink, "xlsx"), sink
