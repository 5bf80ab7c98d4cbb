"""Basis, confidence and the downgrade reason reach every report: JSON, HTML, XLSX and CSV."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from auditor.audit import Auditor
from auditor.report.csv_report import csv_text
from auditor.report.html import write_html
from auditor.report.json_report import SCHEMA, result_dict
from auditor.report.xlsx import FLAG_COLUMNS, write_xlsx

# the last statement disagrees with the two before it; its reading is then marked weak
TEXT = "本年基本支出1,250.40万元。\n基本支出合计为1,250.40万元。\n此外，基本支出为1,350.40万元。\n"
REASON = "主语由较弱的规则确定"


def _data(weak: bool) -> dict:
    a = Auditor()
    result = a.audit_text(TEXT, "hand.txt")
    if weak:
        doc = result.document
        sentences, claims = a.extractor.extract(doc)
        for c in claims:
            if c.quote == "1,350.40万元":
                c.confidence, c.confidence_reason = "low", REASON
        from auditor.checks.engine import run_checks
        from auditor.checks.facts import FactBase
        from auditor.checks.kinds import registry

        result.claims = claims
        result.flags = run_checks(FactBase(doc, sentences, claims, a.catalogue), a.catalogue.checks, registry())
    return result_dict([result], a.catalogue)


def _flag(data: dict) -> dict:
    [flag] = [f for f in data["documents"][0]["flags"] if f["rule"] == "agree.same_quantity"]
    return flag


def test_json_keeps_its_fields_and_adds_basis_confidence_downgraded():
    data = _data(weak=False)
    assert data["schema"] == SCHEMA == "auditor.result/1"
    flag = _flag(data)
    for old in ("rule", "severity", "message", "stated", "expected", "arithmetic", "section", "evidence",
                "id", "waived", "waiver"):
        assert old in flag
    assert (flag["severity"], flag["basis"], flag["confidence"], flag["downgraded"]) == \
        ("error", "narrative", "high", None)
    claim = next(c for c in data["documents"][0]["claim_list"] if c["quote"] == "1,350.40万元")
    assert claim["confidence"] == "high" and claim["confidence_reason"] == ""


def test_a_weak_reading_shows_in_json_html_xlsx_and_csv(tmp_path):
    data = _data(weak=True)
    flag = _flag(data)
    assert flag["severity"] == "warning" and flag["confidence"] == "low" and REASON in flag["downgraded"]
    claim = next(c for c in data["documents"][0]["claim_list"] if c["quote"] == "1,350.40万元")
    assert claim["confidence"] == "low" and claim["confidence_reason"] == REASON

    index = write_html(data, tmp_path / "html")
    page = next(p for p in index.parent.glob("*.html") if p.name != "index.html").read_text(encoding="utf-8")
    assert "依据：叙述" in page and "可信度：低" in page and REASON in page

    write_xlsx(data, tmp_path / "r.xlsx")
    ws = load_workbook(tmp_path / "r.xlsx")["问题"]
    header = [c.value for c in ws[1]]
    assert header == FLAG_COLUMNS
    at = header.index("依据")
    assert header[at:at + 3] == ["依据", "可信度", "降级原因"]
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[3] == "agree.same_quantity")
    assert row[5] == "警告" and row[at:at + 2] == ("叙述", "低") and REASON in row[at + 2]

    rows = list(csv.reader(io.StringIO(csv_text(data).lstrip("\ufeff"))))
    got = next(r for r in rows[1:] if r[3] == "agree.same_quantity")
    assert got[at:at + 2] == ["叙述", "低"] and REASON in got[at + 2]
