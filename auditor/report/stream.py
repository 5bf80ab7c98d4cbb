"""Reports for corpora of any size from a JSON Lines result: HTML with a paged index, CSV and Excel.

Why: a report that loads every document with its text needs the memory of the whole corpus.
Here:
- the HTML index is cut into pages (auditor.report.html.write_html_paged);
- a JSON Lines result is read twice, one document at a time: once for the totals and the
  chart, once to render; a document's text comes from the run's source store
  (`--with-source`) or from the original file when its content is unchanged;
- CSV rows are written as documents pass; the Excel workbook keeps the documents without
  their text and claim list (an .xlsx sheet holds at most 1,048,576 rows anyway).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Iterable, Iterator

from auditor.report.html import write_html_paged


# ---- from a JSON Lines result ------------------------------------------------------------


def write_outputs_from_jsonl(path: Path, html_out: Path | None = None, xlsx_out: Path | None = None,
                             csv_out: Path | None = None, waivers=None) -> list[tuple[str, Path]]:
    """Render each requested output from `path`; (label, where) for each one written.

    `waivers`, (entries, file name), replaces the waivers recorded in the result.
    """
    from auditor.report.jsonl import iter_documents, read_meta, source_store_for

    meta = read_meta(path)
    store = source_store_for(path)
    applier = _waiver_applier(waivers) if waivers is not None else None

    def documents() -> Iterator[dict]:
        for d in iter_documents(path):
            if applier is not None:
                applier(d)
            yield d

    written: list[tuple[str, Path]] = []
    if html_out is not None:
        written.append(("HTML 报告", write_html_paged(meta, documents, html_out, store)))
    if csv_out is not None:
        write_csv_stream(meta, documents(), csv_out)
        written.append(("CSV 问题清单", csv_out))
    if xlsx_out is not None:
        from auditor.report.xlsx import write_xlsx

        write_xlsx({**meta, "documents": [_without_claim_list(d) for d in documents()]}, xlsx_out)
        written.append(("Excel 工作簿", xlsx_out))
    return written


def _without_claim_list(d: dict) -> dict:
    return {k: v for k, v in d.items() if k not in ("source", "claim_list")}


def _waiver_applier(waivers):
    from auditor.report.waivers import WaiverSet

    ws = WaiverSet(*waivers)

    def apply(d: dict) -> None:
        for f in d.get("flags", []):
            f["waived"], f["waiver"] = False, None
        ws.apply_document(d)

    return apply


def write_csv_stream(meta: dict, documents: Iterable[dict], path: Path) -> None:
    """The CSV of csv_report, written row by row (same bytes for the same documents)."""
    import os
    import tempfile

    from auditor.report.csv_report import _safe
    from auditor.report.xlsx import FLAG_COLUMNS, flag_rows

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write("\ufeff")
            buf = io.StringIO()
            writer = csv.writer(buf, lineterminator="\r\n")
            writer.writerow(FLAG_COLUMNS)
            for d in documents:
                for row in flag_rows({"documents": [d], "rules": meta.get("rules", {})}):
                    writer.writerow([_safe(v) for v in row])
                fh.write(buf.getvalue())
                buf.seek(0)
                buf.truncate()
            fh.write(buf.getvalue())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # as write_atomic: a report is for sharing
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
