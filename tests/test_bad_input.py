"""The bad-input catalogue: broken, hostile and odd files, generated here (no binary is
committed). Each gets a clear Chinese message that names the file (and the line or page
where one exists), or is audited like any other text; a corpus run over the whole
catalogue plus the seeds finishes, reports every bad file with its reason, prints no
traceback, and audits the seeds exactly as a run over the seeds alone.
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from auditor.audit import Auditor
from pdfmake import pdf_file
from conftest import SEEDS

CLI = [sys.executable, "-c", "from auditor.cli import main; main()"]
SEED_TEXT = sorted(SEEDS.glob("*.txt"))[1].read_text("utf-8")  # 001: a self-evaluation with one flag


def _pdf(objects: list[bytes], trailer_extra: bytes = b"") -> bytes:
    return pdf_file(objects, trailer_extra)


def text_pdf() -> bytes:
    stream = b"BT /F1 12 Tf 20 100 Td (Total 1,234.56) Tj ET"
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R "
                 b"/Resources << /Font << /F1 5 0 R >> >> >>",
                 b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
                 b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"])


def encrypted_pdf() -> bytes:
    """Standard security handler with a user password: pdfium cannot open it without one."""
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
                 b"<< /Filter /Standard /V 1 /R 2 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32 + b"> /P -4 >>"],
                b"/Encrypt 4 0 R /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>] ")


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def zip_bomb_docx() -> bytes:
    """A DOCX whose document.xml declares 64 MB of zeros packed into ~60 kB (ratio ~1000:1)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w") as fh:
            block = b"\0" * (1 << 20)
            for _ in range(64):
                fh.write(block)
    return buf.getvalue()


RAGGED = ("表一 收入支出决算总表\n单位：万元\n项目\t本年\t上年\n收入合计\t100.00\n支出合计\t90.00\t80.00\t70.00\t1\n"
          "\t\t\n\n\n空表\n\t\n\t\n\n\n")
HEADERLESS = ("2024年度收入总计100.00万元，支出总计90.00万元。\n\n"
              "收入合计\t100.00\t90.00\n支出合计\t90.00\t80.00\n其他\t10.00\t10.00\n")
ODD_NUMBERS = ("一、收入支出决算总体情况说明\n"
               "收入1,2,3万元，支出--万元，结余—万元，另有－万元。\n"
               "其中基本支出１２．５万元，版本1.2.3万元，误写10,00万元。\n"
               "项目\t本年\t上年\n合计\t１２．５\t--\n其他\t—\t－\n结转\t1.2.3\t10,00\n")


def build_catalogue(folder: Path, huge: bool = True) -> dict[str, tuple[str | None, str | None]]:
    """Write the catalogue; return name → (phrase the error must contain, or None if audited; error_kind)."""
    folder.mkdir(parents=True, exist_ok=True)
    gb = SEED_TEXT.encode("gb18030")
    cases: dict[str, tuple[bytes, str | None, str | None]] = {
        "empty.txt": (b"", "文件为空", "ingest"),
        "binary_renamed.txt": (bytes(range(256)) * 8, "二进制内容", "ingest"),
        "utf16_bom.txt": (SEED_TEXT.encode("utf-16"), None, None),
        "utf16le_no_bom.txt": (SEED_TEXT.encode("utf-16-le"), None, None),
        "utf16be_no_bom.txt": (SEED_TEXT.encode("utf-16-be"), None, None),
        "gb18030_bad_bytes.txt": (gb[:600] + b"\xff\xfe" + gb[600:4000] + b"\x81" + gb[4001:], "无法解码的字节", "ingest"),
        "gb18030_clean.txt": (gb, None, None),
        "ragged_tables.txt": (RAGGED.encode("utf-8"), None, None),
        "headerless_tables.txt": (HEADERLESS.encode("utf-8"), None, None),
        "odd_numbers.txt": (ODD_NUMBERS.encode("utf-8"), None, None),
        "zip_of_something_else.docx": (zip_bytes({"photos/a.jpg": b"\xff\xd8\xff" + b"x" * 100, "readme.txt": b"hi"}),
                                       "既不是 DOCX 也不是 XLSX", "ingest"),
        "zip_bomb.docx": (zip_bomb_docx(), "压缩炸弹", "ingest"),
        "damaged_zip.docx": (b"PK\x03\x04" + b"\0" * 40, "ZIP", "ingest"),
        "truncated.pdf": (text_pdf()[:200], "PDF", "ingest"),
        "encrypted.pdf": (encrypted_pdf(), "已加密", "ingest"),
        # read as HTML (sniffed, not taken from the name), then recognised as no disclosure
        "html_error_page_saved_as.pdf": (b"<html><head><title>404</title></head><body><h1>404 Not Found</h1></body></html>",
                                         "非预决算文档", "not_disclosure"),
        "nested_100k.html": (("<html><body>" + "<div>" * 100_000 + "收入100万元" + "</div>" * 100_000
                              + "</body></html>").encode("utf-8"), "嵌套过深", "ingest"),
        "legacy.doc.docx": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "旧版 Office", "ingest"),
    }
    for name, (data, _, _) in cases.items():
        (folder / name).write_bytes(data)
    out = {name: (phrase, kind) for name, (_, phrase, kind) in cases.items()}
    if huge:
        with (folder / "huge_100mb.txt").open("wb") as fh:
            chunk = ("2024年度收入总计1,234.56万元，比上年增长12.5%。\n" * 20_000).encode("utf-8")
            while fh.tell() < 100 * 1024 * 1024:
                fh.write(chunk)
        out["huge_100mb.txt"] = ("文件过大", "ingest")
    return out


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("bad") / "catalogue"
    return folder, build_catalogue(folder)


@pytest.fixture(scope="module")
def auditor() -> Auditor:
    return Auditor()


def test_each_bad_file_has_a_clear_message_naming_it(catalogue, auditor):
    from auditor.runner import RunSettings, audit_document

    folder, cases = catalogue
    for name, (phrase, kind) in cases.items():
        start = time.perf_counter()
        d, _ = audit_document(auditor, str(folder / name), RunSettings())
        assert time.perf_counter() - start < 30, name
        if phrase is None:
            assert d["error"] is None, (name, d["error"])
            continue
        assert d["error"] and phrase in d["error"], (name, d["error"])
        assert d["error"].startswith(str(folder / name)), d["error"]
        assert d["error_kind"] == kind
        assert "Traceback" not in d["error"]


def test_lines_and_pages_where_they_exist(catalogue, auditor):
    folder, _ = catalogue
    err = {n: auditor.audit_path(folder / n).error for n in ("binary_renamed.txt", "gb18030_bad_bytes.txt",
                                                               "nested_100k.html")}
    assert err["binary_renamed.txt"].startswith(f"{folder / 'binary_renamed.txt'}:1: ")
    gb_line = SEED_TEXT.encode("gb18030")[:600].count(b"\n") + 1
    assert err["gb18030_bad_bytes.txt"].startswith(f"{folder / 'gb18030_bad_bytes.txt'}:{gb_line}: ")
    assert "个无法解码的字节（0x" in err["gb18030_bad_bytes.txt"]
    assert err["nested_100k.html"].startswith(f"{folder / 'nested_100k.html'}:1: ")


def test_re_encoded_seed_is_audited_exactly_as_the_utf8_seed(catalogue, auditor):
    folder, _ = catalogue
    ref = auditor.audit_path(sorted(SEEDS.glob("*.txt"))[1])
    key = lambda r: ([(c.quote, c.location.start) for c in r.claims], [(f.rule, f.message) for f in r.flags])  # noqa: E731
    for name in ("utf16_bom.txt", "utf16le_no_bom.txt", "utf16be_no_bom.txt", "gb18030_clean.txt"):
        r = auditor.audit_path(folder / name)
        assert r.error is None and key(r) == key(ref), name


def test_odd_numbers_are_never_read_as_figures(catalogue, auditor):
    folder, _ = catalogue
    r = auditor.audit_path(folder / "odd_numbers.txt")
    quotes = [c.quote for c in r.claims]
    assert "１２．５万元" in quotes
    for bad in ("1,2,3", "1.2.3", "10,00", "--", "—", "－"):
        assert not any(bad in q for q in quotes), (bad, quotes)
    cells = {c.text: c.value for t in r.document.tables for row in t.rows for c in row.cells}
    assert str(cells.get("１２．５")) == "12.5"
    for bad in ("--", "—", "－", "1.2.3", "10,00"):
        assert cells.get(bad, None) is None


def test_hundred_megabytes_is_refused_at_once(catalogue, auditor):
    folder, _ = catalogue
    start = time.perf_counter()
    r = auditor.audit_path(folder / "huge_100mb.txt")
    assert time.perf_counter() - start < 1
    assert "文件过大（100." in r.error and "上限 8.0 MB" in r.error


def test_zip_bomb_is_refused_from_its_directory_without_unpacking(catalogue, monkeypatch, auditor):
    folder, _ = catalogue

    def no_read(*a, **k):
        raise AssertionError("a member was unpacked")

    monkeypatch.setattr(zipfile.ZipFile, "read", no_read)
    monkeypatch.setattr(zipfile.ZipFile, "open", no_read)
    r = auditor.audit_path(folder / "zip_bomb.docx")
    assert "压缩炸弹" in r.error and "1,0" in r.error  # the ratio is named (about 1,000:1)


def _digest(d: dict) -> str:
    keep = {k: d[k] for k in ("claims", "verified", "unverified", "flags", "claim_list", "sha256", "family", "year")}
    return hashlib.sha256(json.dumps(keep, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def test_corpus_run_over_the_catalogue_and_the_seeds(catalogue, tmp_path):
    folder, cases = catalogue
    out, seeds_only = tmp_path / "all.json", tmp_path / "seeds.json"
    r = subprocess.run([*CLI, "audit", str(folder), str(SEEDS), "--json", str(out), "--html", str(tmp_path / "site"),
                        "--xlsx", str(tmp_path / "all.xlsx"), "-j", "2"], capture_output=True, text=True, timeout=300)
    # the run goes on to the end, and exits 2 because inputs could not be audited
    assert r.returncode == 2, r.stdout[-2000:] + r.stderr[-2000:]
    assert "Traceback" not in r.stdout + r.stderr
    docs = {Path(d["path"]).name: d for d in json.loads(out.read_text("utf-8"))["documents"]}
    for name, (phrase, kind) in cases.items():
        d = docs[name]
        if phrase is None:
            assert d["error"] is None, (name, d["error"])
        else:
            assert phrase in d["error"] and name in d["error"] and d["error_kind"] == kind, (name, d["error"])
            assert name in r.stdout  # named in the closing summary too
    bad = sum(1 for p, _ in cases.values() if p)
    notes = sum(1 for p in SEEDS.iterdir() if p.is_file() and p.suffix != ".txt")  # the seeds' keys, listed too
    assert f"未审核的文档 {bad + notes} 个" in r.stdout
    alone = subprocess.run([*CLI, "audit", str(SEEDS), "--json", str(seeds_only), "-q"], capture_output=True, text=True,
                           timeout=300)
    assert alone.returncode == 1
    for d in json.loads(seeds_only.read_text("utf-8"))["documents"]:
        assert _digest(docs[Path(d["path"]).name]) == _digest(d), d["path"]
    index = (tmp_path / "site" / "index.html").read_text("utf-8")
    assert "zip_bomb.docx" in index


# ---- rule and waiver files ---------------------------------------------------------------


@pytest.mark.parametrize("content, phrase, line", [
    ("waivers:\n  - {rule: x, quote: y, document: a.txt, lien: 3}\n", "是否想写“line”", 2),
    ("waivers:\n  - rule: x\n    quote: y\n    document: a.txt\n    line: abc\n", "正整数", 5),
    ("waivers:\n  - {rule: x, quote: y, document: a.txt, decision: maybe}\n", "dismissed 或 confirmed", 2),
    ("waivers: [\n", "YAML", 2),
    ("other: 1\nwaivers: []\n", "未知字段“other”", 1),
])
def test_waiver_files_name_file_and_line(tmp_path, content, phrase, line):
    from auditor.report.waivers import WaiverError, load_waivers

    f = tmp_path / "w.yaml"
    f.write_text(content, "utf-8")
    with pytest.raises(WaiverError) as ei:
        load_waivers(f)
    assert phrase in str(ei.value) and str(ei.value).startswith(f"{f}:{line}"), str(ei.value)


def test_waiver_alias_bomb_huge_file_and_deep_json_are_refused_quickly(tmp_path):
    from auditor.report.waivers import MAX_WAIVER_BYTES, WaiverError, load_waivers

    layers = ["a0: &a0 [" + ",".join(["lol"] * 10) + "]"]
    for i in range(1, 10):
        layers.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]")
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("waivers:\n  - rule: x\n    quote: y\n    document: a\n    note: *a9\n" + "\n".join(layers), "utf-8")
    bomb.write_text("\n".join(layers) + "\nwaivers:\n  - {rule: x, quote: y, document: a, note: *a9}\n", "utf-8")
    huge = tmp_path / "huge.yaml"
    huge.write_bytes(b"# " + b"x" * (MAX_WAIVER_BYTES + 10))
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, "utf-8")
    for f, phrase in ((bomb, "别名"), (huge, "过大"), (deep, "嵌套")):
        start = time.perf_counter()
        with pytest.raises(WaiverError) as ei:
            load_waivers(f)
        assert time.perf_counter() - start < 2
        assert phrase in str(ei.value) and str(ei.value).startswith(str(f)), str(ei.value)


def test_waivers_module_uses_only_safe_yaml_loading():
    import ast
    import inspect

    import auditor.catalogue
    import auditor.report.waivers

    for module in (auditor.report.waivers, auditor.catalogue):
        tree = ast.parse(inspect.getsource(module))
        calls = {n.func.attr for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)}
        assert not calls & {"load", "unsafe_load", "full_load", "load_all"}, module.__name__
        bases = {ast.unparse(b) for n in ast.walk(tree) if isinstance(n, ast.ClassDef) for b in n.bases}
        assert not bases & {"yaml.Loader", "yaml.FullLoader", "yaml.UnsafeLoader"}


def test_broken_rule_folder_is_a_usage_error_naming_file_and_line(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "bad.yaml").write_text("id: x.y\nkind: agree\nseverty: error\n", "utf-8")
    r = subprocess.run([*CLI, "audit", str(sorted(SEEDS.glob("*.txt"))[1]), "--rules", str(rules), "-q"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "Traceback" not in r.stdout + r.stderr
    assert f"{rules / 'bad.yaml'}:" in r.stderr.replace("\n", "")  # errors go to stderr


# ---- hostile names and messages in the HTML report -----------------------------------------


def test_hostile_file_name_and_rule_message_are_escaped(tmp_path):
    from auditor.report.html import write_html

    evil = '<img src=x onerror="alert(1)">'
    data = {"schema": "auditor.result/1", "rules": {"x.evil": {"name": evil, "summary": f"<script>alert(2)</script>{evil}",
                                                             "severity": "error", "groups": ["x"]}},
            "documents": [{"path": f"corpus/{evil}<script>alert(3)</script>.txt", "family": "unknown", "year": None,
                           "unit_name": evil, "claims": 0, "verified": 0, "unverified": 0, "error": None,
                           "error_kind": None, "sha256": "0" * 64, "claim_list": [], "unverified_claims": [],
                           "source": {"encoding": "utf-8", "headings": [], "tables": [], "text": "收入100万元\n"},
                           "flags": [{"rule": "x.evil", "severity": "error", "message": f"写为{evil}</script><script>alert(4)</script>",
                                      "stated": evil, "expected": "<b>1</b>", "arithmetic": "<svg onload=alert(5)>",
                                      "section": [evil], "id": "f1", "waived": False, "waiver": None,
                                      "evidence": [{"quote": "100万元", "line": 1, "page": None, "start": 2, "end": 7,
                                                    "role": "stated"}]}]},
                          {"path": f"{evil}.pdf", "family": "unknown", "year": None, "unit_name": None, "claims": 0,
                           "verified": 0, "unverified": 0, "error": f"{evil}.pdf: PDF 已加密<script>alert(6)</script>",
                           "error_kind": "ingest", "sha256": None, "claim_list": [], "unverified_claims": [], "flags": []}]}
    site = write_html(data, tmp_path / "site")
    pages = [p.read_text("utf-8") for p in (tmp_path / "site").glob("*.html")]
    assert len(pages) == 3 and site.name == "index.html"
    for page in pages:
        assert "<img src=x" not in page and "onerror=\"alert" not in page and "<svg onload" not in page
        for i in range(1, 7):
            assert f"<script>alert({i})</script>" not in page
    assert any("&lt;img src=x onerror=" in p for p in pages)
    for p in (tmp_path / "site").iterdir():  # the hostile name never becomes a path outside the site
        assert p.parent == tmp_path / "site" and "<" not in p.name and "/" not in p.name
