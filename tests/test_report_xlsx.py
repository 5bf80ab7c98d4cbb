"""Spreadsheet outputs: the XLSX workbook and the CSV flag list."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from typer.testing import CliRunner

from auditor.cli import app
from auditor.report.csv_report import csv_text
from auditor.report.xlsx import FLAG_COLUMNS
from conftest import SEEDS


def test_xlsx_has_flags_documents_and_unverified_sheets(tmp_path):
    out = tmp_path / "r.xlsx"
    r = CliRunner().invoke(app, ["audit", str(SEEDS), "--xlsx", str(out), "--csv", str(tmp_path / "r.csv"), "-q"])
    assert r.exit_code == 1, r.output
    wb = load_workbook(out)
    assert wb.sheetnames[:3] == ["问题", "文档", "未核验数字"]
    flags, docs, claims = wb["问题"], wb["文档"], wb["未核验数字"]
    assert [c.value for c in flags[1]] == FLAG_COLUMNS
    for ws in (flags, docs, claims):
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
        assert all(ws.column_dimensions[c].width >= 8 for c in "ABC")
    # every file of the folder appears once: the seeds, and their keys and notes as non-disclosures
    assert docs.max_row == 1 + len([p for p in SEEDS.iterdir() if p.is_file()])
    rows = list(flags.iter_rows(min_row=2, values_only=True))
    rate = next(r for r in rows if r[3] == "change.rate" and r[8] == "9.5%")
    assert rate[0].endswith("003_21d9eac1c5a0fc54.txt") and rate[5] == "错误" and rate[12] == "1689"
    assert "9.5%" in rate[11] and rate[2]  # quotes and section
    assert claims.max_row > 100
    # the CSV has the same rows
    with open(tmp_path / "r.csv", encoding="utf-8-sig", newline="") as fh:
        csv_rows = list(csv.reader(fh))
    assert csv_rows[0] == FLAG_COLUMNS and len(csv_rows) == len(rows) + 1


def test_document_text_never_becomes_a_formula(tmp_path):
    data = {"documents": [{"path": "a.txt", "unit_name": "=HYPERLINK(\"http://x\")", "family": "budget", "year": 2020,
                           "claims": 1, "verified": 0, "unverified": 1, "error": None,
                           "unverified_claims": [{"quote": "=1+1", "line": 1, "kind": "amount", "subject": "@SUM(A1)"}],
                           "flags": [{"rule": "r", "severity": "error", "message": "+cmd|' /C calc'!A0", "stated": "-5%",
                                      "expected": "-x", "arithmetic": None, "section": [], "evidence": [
                                          {"quote": "=1+1", "line": 1, "page": None}]}]}]}
    from auditor.report.xlsx import write_xlsx

    write_xlsx(data, tmp_path / "x.xlsx")
    wb = load_workbook(tmp_path / "x.xlsx")
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    assert wb["问题"]["B2"].value == "=HYPERLINK(\"http://x\")"
    rows = list(csv.reader(io.StringIO(csv_text(data).lstrip("\ufeff"))))
    assert rows[1][1].startswith("'=") and rows[1][7].startswith("'+")
    assert rows[1][8] == "-5%" and rows[1][9] == "'-x"  # a negative number stays as printed
