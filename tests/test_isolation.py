"""Isolation: a document that hangs, exhausts memory or breaks the pipeline is reported as that
document's error (JSON, HTML, Excel), and the run goes on with the next one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from auditor.audit import Auditor, DocumentResult
from auditor.ingest.limits import MAX_TEXT_BYTES
from auditor.runner import RunSettings, audit_document, run_documents
from conftest import SEEDS

CLI = [sys.executable, "-c", "from auditor.cli import main; main()"]
SEED = sorted(SEEDS.glob("*.txt"))[1]
LINE = "一、收入支出决算总体情况说明：2024年度收入总计1,234.56万元，比上年增加12.5%。\t100.00\t200.00\n"


def slow_text(folder: Path) -> Path:
    """Just under the size limit: read, but far too long to audit within a short --timeout."""
    p = folder / "slow.txt"
    n = (MAX_TEXT_BYTES - 1024) // len(LINE.encode("utf-8"))
    p.write_text(LINE * n, encoding="utf-8")
    return p


def memory_hog(folder: Path, rows: int = 400_000) -> Path:
    """A plausible workbook (7 MB, no zip-bomb ratio) whose sheet needs far more memory to load."""
    import zipfile

    p = folder / "hog.xlsx"
    ns = "http://schemas.openxmlformats.org/"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{ns}package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                   '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
        z.writestr("_rels/.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}package/2006/relationships">'
                   f'<Relationship Id="rId1" Type="{ns}officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{ns}spreadsheetml/2006/main" '
                   f'xmlns:r="{ns}officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}package/2006/relationships">'
                   f'<Relationship Id="rId1" Type="{ns}officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        body = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><v>{r * 3}</v></c><c r="C{r}"><v>1.5</v></c>'
                       f'<c r="D{r}"><v>2</v></c></row>' for r in range(1, rows + 1))
        z.writestr("xl/worksheets/sheet1.xml", f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{ns}spreadsheetml/2006/main">'
                   f'<sheetData>{body}</sheetData></worksheet>')
    return p


def run_cli(*args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, "audit", *args], capture_output=True, text=True, timeout=timeout)


def by_name(path: Path) -> dict[str, dict]:
    return {Path(d["path"]).name: d for d in json.loads(path.read_text("utf-8"))["documents"]}


@pytest.fixture(scope="module")
def alone() -> dict:
    """The seed audited on its own, as the reference for 'the run goes on unchanged'."""
    from auditor.report.json_report import document_dict

    d = document_dict(Auditor().audit_path(SEED))
    return {k: d[k] for k in ("claims", "verified", "flags", "sha256")}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_hung_document_is_killed_and_the_run_goes_on(tmp_path, alone, jobs):
    slow = slow_text(tmp_path)
    out = tmp_path / "r.json"
    r = run_cli(str(slow), str(SEED), "--timeout", "3", "-j", jobs, "--json", str(out), "--html", str(tmp_path / "site"),
                "--xlsx", str(tmp_path / "r.xlsx"))
    assert r.returncode == 2, r.stdout + r.stderr  # a document was not audited (the seed's flags follow)
    assert "Traceback" not in r.stderr
    docs = by_name(out)
    assert docs["slow.txt"]["error_kind"] == "timeout"
    assert "slow.txt" in docs["slow.txt"]["error"] and "超时" in docs["slow.txt"]["error"]
    seed = docs[SEED.name]
    assert seed["error"] is None and {k: seed[k] for k in alone} == alone
    assert "未审核的文档 1 个（超时 1）" in r.stdout
    # the reason is in every report
    index = (tmp_path / "site" / "index.html").read_text("utf-8")
    page = next((tmp_path / "site").glob("*slow*.html")).read_text("utf-8")
    assert "超时" in page and "slow.txt" in index
    sheet = load_workbook(tmp_path / "r.xlsx")["文档"]
    header = [c.value for c in sheet[1]]
    reasons = {row[0]: row[header.index("读取错误")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert "超时" in reasons[str(slow)]


def test_a_document_beyond_the_memory_cap_is_reported_and_the_run_goes_on(tmp_path, alone):
    hog = memory_hog(tmp_path)
    out = tmp_path / "r.json"
    r = run_cli(str(hog), str(SEED), "--memory", "400", "-j", "1", "--json", str(out))
    assert "Traceback" not in r.stderr
    docs = by_name(out)
    assert docs["hog.xlsx"]["error_kind"] == "memory", docs["hog.xlsx"]["error"]
    assert "内存超限" in docs["hog.xlsx"]["error"] and "hog.xlsx" in docs["hog.xlsx"]["error"]
    seed = docs[SEED.name]
    assert seed["error"] is None and {k: seed[k] for k in alone} == alone


class _Broken(Auditor):
    def __init__(self):  # no catalogue needed
        pass

    def audit_path(self, path):
        raise ZeroDivisionError("boom")


def test_an_exception_is_the_documents_error_with_a_traceback_only_in_debug():
    d, replace = audit_document(_Broken(), "x.txt", RunSettings())
    assert d["error_kind"] == "internal" and d["error"].startswith("x.txt: 内部错误: ZeroDivisionError: boom")
    assert "traceback" not in d and not replace
    d, _ = audit_document(_Broken(), "x.txt", RunSettings(debug=True))
    assert "Traceback" in d["traceback"] and "boom" in d["traceback"]


def test_memory_error_replaces_the_worker():
    class Hungry(_Broken):
        def audit_path(self, path):
            raise MemoryError

    d, replace = audit_document(Hungry(), "x.txt", RunSettings(memory_mb=512))
    assert d["error_kind"] == "memory" and "512 MB" in d["error"] and replace


def test_in_process_and_isolated_runs_give_the_same_results(tmp_path):
    files = sorted(SEEDS.glob("*.txt"))[:3] + [tmp_path / "missing.txt"]
    settings = RunSettings(timeout=None, memory_mb=None)
    inproc = run_documents(files, settings, 1)
    isolated = run_documents(files, RunSettings(), 2)
    assert inproc == isolated
    assert isolated[-1]["error_kind"] == "ingest" and "missing.txt" in isolated[-1]["error"]


def test_unexpected_exception_at_top_level_is_one_line_unless_debug(tmp_path):
    code = ("import sys, auditor.runner as r\n"
            "def boom(*a, **k): raise RuntimeError('unexpected')\n"
            "r.run_documents = boom\n"
            "from auditor.cli import main\n"
            "main()\n")
    args = ["audit", str(SEED), "-q"]
    plain = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)
    assert plain.returncode == 2
    assert "Traceback" not in plain.stderr and "内部错误: RuntimeError: unexpected" in plain.stderr
    assert "--debug" in plain.stderr
    debug = subprocess.run([sys.executable, "-c", code, *args, "--debug"], capture_output=True, text=True, timeout=120)
    assert debug.returncode != 0 and "RuntimeError" in debug.stderr and "Traceback" in debug.stderr


def test_document_result_error_kind_in_json():
    from auditor.report.json_report import document_dict

    assert document_dict(DocumentResult("a.txt", error="a.txt: 坏"))["error_kind"] == "ingest"
