"""Smoke test of `auditor bench pdf` (no timing assertions): it reads the shared PDFs and
reproduces pdfplumber's own table cells."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SHARED, need_shared

PDF_DIR = SHARED / "pdf"


@need_shared(PDF_DIR)
def test_pdf_bench_runs_and_matches_pdfplumber_cells():
    from auditor.bench.pdf_extract import run

    result = run(PDF_DIR, runs=1)
    assert {f["file"] for f in result["files"]} >= {"putuo_social_work_dept_2024_final.pdf"}
    for f in result["files"]:
        same, total = (int(x) for x in f["pdfplumber_cells_matched"].split("/"))
        assert total > 0 and same == total, f
        assert f["auditor_s_per_page"] > 0 and f["pdfplumber_s_per_page"] > 0
