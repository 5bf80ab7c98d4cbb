"""Per-page PDF extraction time: the auditor's reader against pdfplumber alone, on the same
files in one process, and how many of pdfplumber's table cells the reader reproduces.

`auditor bench pdf FOLDER` → reports/bench/pdf_extract.json.
"""

from __future__ import annotations

import os
import platform
import statistics
import time
from pathlib import Path

from auditor.ingest.build import clean_cell
from auditor.ingest.pdf import _read_page, extract_pdf


def plumber(p):
    import pdfplumber

    texts, tables = [], []
    with pdfplumber.open(p) as pdf:
        for pg in pdf.pages:
            texts.append(pg.extract_text())
            tables.append(pg.extract_tables())
    return texts, tables


def run(folder: Path, runs: int = 5) -> dict:
    import pdfplumber
    import pypdfium2

    pdfs = sorted(Path(folder).glob("*.pdf"))
    out = {"schema": "auditor.bench.pdf_extract/1",
           "what": ("seconds per page, median of %d runs in one process; 'auditor' = "
                    "auditor.ingest.pdf.extract_pdf (pypdfium2 chars+paths, pdfplumber table geometry, "
                    "text joined, tables across pages joined, Document built); 'auditor_pages_only' = "
                    "the pages read without joining or building the Document; 'pdfplumber' = "
                    "pdfplumber alone: open, then extract_text() and extract_tables() on every page") % runs,
           "machine": {"python": platform.python_version(), "pdfplumber": pdfplumber.__version__,
                       "pypdfium2": str(pypdfium2.version.PYPDFIUM_INFO), "cpus": os.cpu_count()},
           "files": []}
    for p in pdfs:
        extract_pdf(p); plumber(p)  # warm-up (imports, caches)
        ta, tp, tr = [], [], []
        for _ in range(runs):
            t = time.perf_counter()
            _pdf = pypdfium2.PdfDocument(str(p)); [_read_page(_pdf, i) for i in range(len(_pdf))]; _pdf.close()
            tr.append(time.perf_counter() - t)
            t = time.perf_counter(); doc, sink = extract_pdf(p); ta.append(time.perf_counter() - t)
            t = time.perf_counter(); texts, ptables = plumber(p); tp.append(time.perf_counter() - t)
        n = len(texts)
        # table agreement, page by page: every pdfplumber cell against ours at the same grid place
        pdf = pypdfium2.PdfDocument(str(p))
        same = total = tables_ours = tables_plumber = 0
        for i in range(n):
            ours = [it for it in _read_page(pdf, i).items if hasattr(it, "rows")]
            theirs = ptables[i]
            tables_ours += len(ours); tables_plumber += len(theirs)
            for k, tt in enumerate(theirs):
                rows = ours[k].rows if k < len(ours) else []
                for r, row in enumerate(tt):
                    for c, cell in enumerate(row):
                        if cell is None:
                            continue
                        total += 1
                        mine = rows[r][c] if r < len(rows) and c < len(rows[r]) else None
                        if mine is not None and clean_cell(cell).replace(" ", "") == mine.replace(" ", ""):
                            same += 1
        pdf.close()
        a, b = statistics.median(ta), statistics.median(tp)
        out["files"].append({
            "file": p.name, "pages": n,
            "auditor_s_per_page": round(a / n, 4),
            "auditor_pages_only_s_per_page": round(statistics.median(tr) / n, 4), "pdfplumber_s_per_page": round(b / n, 4),
            "auditor_s_total": round(a, 3), "pdfplumber_s_total": round(b, 3), "speedup": round(b / a, 1),
            "tables_found": {"auditor_per_page": tables_ours, "pdfplumber": tables_plumber,
                              "auditor_after_joining_pages": len(doc.tables)},
            "pdfplumber_cells_matched": f"{same}/{total}",
        })

    return out
