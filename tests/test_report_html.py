"""The static HTML report, read as files: structure, escaping, CSP, re-rendering from JSON."""

from __future__ import annotations

import base64
import hashlib
import html as html_lib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor.cli import app
from auditor.report.html import document_view, mark, Span, write_html
from auditor.report.json_report import result_dict
from conftest import SEEDS

# A document that tries every way of running script, around a line that raises a flag
# (the change.rate case of test_cli_json), so the payloads land in the text, the flag's
# subject and the file name.
XSS_TEXT = "\n".join([
    "第一部分 <script>window.__pwned = 'script'</script>说明",
    "<img src=x onerror=\"window.__pwned = 'img'\">机关运行经费财政拨款预算377.81万元，比上年预算减少3.65万元，下降9.5%。",
    "详见 javascript:window.__pwned='href' 与 <a href=\"javascript:window.__pwned='a'\">链接</a>",
    "<svg onload=\"window.__pwned='svg'\"></svg> \"'><iframe srcdoc='<script>parent.__pwned=1</script>'>",
    "",
])
XSS_NAME = "x<img src=y onerror=alert(1)>.txt"


@pytest.fixture(scope="module")
def seed_data(seed_results):
    from auditor.catalogue import load_catalogue

    return result_dict(list(seed_results.values()), load_catalogue())


@pytest.fixture(scope="module")
def site(seed_data, tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    write_html(json.loads(json.dumps(seed_data)), out)
    return out


def _page_for(site: Path, stem: str) -> str:
    [page] = [p for p in site.glob("*.html") if stem in p.name]
    return page.read_text("utf-8")


def test_index_lists_every_document_with_counts_and_chart(site, seed_data):
    html = (site / "index.html").read_text("utf-8")
    for d in seed_data["documents"]:
        assert Path(d["path"]).name in html
    assert "<svg class=\"chart\"" in html
    rules = {f["rule"] for d in seed_data["documents"] for f in d["flags"]}
    for rule in rules:
        assert f'data-rule="{rule}"' in html
    assert len(list(site.glob("*.html"))) == len(seed_data["documents"]) + 1


def test_document_page_marks_claims_and_links_evidence(site, seed_data):
    doc = next(d for d in seed_data["documents"] if d["path"].endswith("003_21d9eac1c5a0fc54.txt"))
    html = _page_for(site, "003_21d9eac1c5a0fc54")
    flag = next(f for f in doc["flags"] if f["rule"] == "change.rate" and f["stated"] == "9.5%")
    i = doc["flags"].index(flag)
    # each evidence quote is a link to an anchor placed where the quote stands
    for j, e in enumerate(flag["evidence"]):
        key = f"f{i}e{j}"
        assert f'href="#ev-{key}"' in html and f'id="ev-{key}"' in html
        m = re.search(rf'id="ev-{key}"></i><span class="[^"]*" [^>]*data-ev="[^"]*\b{key}\b[^"]*">([^<]*)</span>', html)
        assert m and m.group(1) == e["quote"], key
    # statuses by class and by legend text, not colour alone
    for status in ("c-verified", "c-contradicted", "c-unverified"):
        assert status in html
    assert "已核验（✓" in html and "矛盾（✗" in html and "未核验（?" in html
    assert flag["expected"] in html and flag["arithmetic"].split(" ")[0] in html
    assert f'id="L{flag["evidence"][0]["line"]}"' in html


def table_result() -> dict:
    """A hand-made result: one table, one flag whose evidence is a cell."""
    text = "表一：收支表\n项目\t金额\n收入\t100.00\n支出\t90.00\n"
    cell_start = text.index("100.00")
    data = {"schema": "auditor.result/1", "rules": {"sum.x": {"summary": "合计应等于分项之和", "name": "x",
                                                           "severity": "error", "groups": []}},
            "documents": [{
                "path": "t.txt", "family": "budget", "year": 2024, "unit_name": "某局", "claims": 0, "verified": 0,
                "unverified": 0, "error": None, "sha256": "ab", "claim_list": [], "unverified_claims": [],
                "flags": [{"rule": "sum.x", "severity": "error", "message": "[sum.x] 收入写为100.00", "stated": "100.00",
                           "expected": "90.00", "arithmetic": "90.00 = 90.00", "section": [], "id": "f1",
                           "waived": False, "waiver": None,
                           "evidence": [{"quote": "100.00", "line": 3, "page": None, "start": cell_start,
                                         "end": cell_start + 6, "role": "stated"}]}],
                "source": {"encoding": "utf-8", "headings": [], "text": text, "tables": [{
                    "title": "收支表", "unit": "万元", "columns": ["项目", "金额"], "line": 2, "line_end": 4,
                    "start": 7, "end": len(text) - 1, "section": [], "header_rows": [[["项目", 2, 7, 9], ["金额", 2, 10, 12]]],
                    "rows": [{"label": "收入", "code": None, "line": 3,
                              "cells": [["收入", 3, 13, 15], ["100.00", 3, cell_start, cell_start + 6]]},
                             {"label": "支出", "code": None, "line": 4,
                              "cells": [["支出", 4, 23, 25], ["90.00", 4, 26, 31]]}]}]}}]}
    return data


def test_tables_render_as_tables_with_flagged_cells(tmp_path):
    write_html(table_result(), tmp_path)
    html = _page_for(tmp_path, "-t")
    assert '<td class="num flagged" data-ev="f0e0">' in html
    assert '<td class="num">90.00</td>' in html
    assert "<th>金额</th>" in html


def test_mark_escapes_and_nests_overlapping_spans():
    out = str(mark("<b>12%</b>", 100, [Span(103, 106, claim={"id": 1, "status": "verified", "kind": "share",
                                                                  "subject": "<i>"}), Span(103, 105, ev="f0e0")]))
    assert "<b>" not in out and "&lt;b&gt;" in out and "<i>" not in out
    assert 'data-ev="f0e0"' in out and out.count('data-claim="1"') == 2  # two segments of one claim
    assert out.count("cend") == 1


@pytest.fixture(scope="module")
def xss_site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("xss")
    doc = folder / XSS_NAME
    doc.write_text(XSS_TEXT, encoding="utf-8")
    out = folder / "site"
    result = CliRunner().invoke(app, ["audit", str(doc), "--html", str(out), "-q"])
    assert result.exit_code == 1, result.output  # the change.rate flag is an error
    return out


class _Tags(HTMLParser):
    """Every tag and attribute as a browser's parser sees them."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_untrusted_text_is_escaped_everywhere(xss_site):
    pages = {p.name: p.read_text("utf-8") for p in xss_site.glob("*.html")}
    assert len(pages) == 2 and all(re.fullmatch(r"[A-Za-z0-9_.-]+", n) for n in pages)  # no name from the file
    for name, html in pages.items():
        parser = _Tags()
        parser.feed(html)
        tags = [t for t, _ in parser.tags]
        assert tags.count("script") == 1, name  # only the report's own
        assert not {"img", "iframe", "object", "embed"} & set(tags), name
        assert tags.count("svg") == (1 if name == "index.html" else 0), name  # the chart
        for tag, attrs in parser.tags:
            assert not [a for a in attrs if a.startswith("on")], (name, tag, attrs)
            for a in ("href", "src", "action"):
                assert not (attrs.get(a) or "").strip().lower().startswith("javascript:"), (name, tag, attrs)
    doc = next(h for n, h in pages.items() if n != "index.html")
    assert "&lt;script&gt;window.__pwned" in doc
    assert "&lt;img src=x onerror=" in doc


def _csp_sources(html: str) -> dict[str, str]:
    m = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
    assert m, "no CSP meta"
    m = [html_lib.unescape(m.group(1))]
    return {part.split()[0]: part for part in (p.strip() for p in m[0].split(";")) if part}


def test_csp_allows_only_the_reports_own_script_and_style(site):
    for page in site.glob("*.html"):
        html = page.read_text("utf-8")
        csp = _csp_sources(html)
        assert csp["default-src"] == "default-src 'none'"
        [script] = re.findall(r"<script>(.*?)</script>", html, re.S)
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert csp["script-src"] == f"script-src 'sha256-{digest}'"
        assert "unsafe-inline" not in html and "http://" not in html and "https://" not in html
        assert not re.search(r"<[a-z]+[^>]*\son(click|load|error)=", html)


def test_report_command_rerenders_identically_from_json(tmp_path):
    seed = SEEDS / "001_9e8aeb52973b4dc7.txt"
    runner = CliRunner()
    r1 = runner.invoke(app, ["audit", str(seed), "--json", str(tmp_path / "r.json"), "--html", str(tmp_path / "a"), "-q"])
    assert r1.exit_code == 1, r1.output
    r2 = runner.invoke(app, ["report", str(tmp_path / "r.json"), "--html", str(tmp_path / "b")])
    assert r2.exit_code == 0, r2.output
    for page in (tmp_path / "a").glob("*.html"):
        same = page.read_bytes() == (tmp_path / "b" / page.name).read_bytes()
        assert same, page.name  # compared as a bool: a pytest diff of whole pages takes minutes


def test_report_command_reads_the_text_back_when_the_result_has_none(tmp_path):
    seed = SEEDS / "001_9e8aeb52973b4dc7.txt"
    runner = CliRunner()
    runner.invoke(app, ["audit", str(seed), "--json", str(tmp_path / "r.json"), "-q"])
    data = json.loads((tmp_path / "r.json").read_text("utf-8"))
    del data["documents"][0]["source"]
    (tmp_path / "r.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    r = runner.invoke(app, ["report", str(tmp_path / "r.json"), "--html", str(tmp_path / "b")])
    assert r.exit_code == 0, r.output
    page = next(p for p in (tmp_path / "b").glob("*.html") if p.name != "index.html").read_text("utf-8")
    assert "自评得分" in page and "结果文件中没有保存原文" not in page


def test_report_command_usage_errors(tmp_path):
    runner = CliRunner()
    assert runner.invoke(app, ["report", str(tmp_path / "none.json"), "--html", str(tmp_path)]).exit_code == 2
    (tmp_path / "r.json").write_text("{}", "utf-8")
    assert runner.invoke(app, ["report", str(tmp_path / "r.json"), "--html", str(tmp_path / "o")]).exit_code == 2
    assert runner.invoke(app, ["report", str(tmp_path / "r.json")]).exit_code == 2


def test_unreadable_document_gets_a_page_that_says_so(tmp_path):
    bad = tmp_path / "binary.txt"
    bad.write_bytes(b"\x00\x01\x02garbage\x00")
    r = CliRunner().invoke(app, ["audit", str(SEEDS / "001_9e8aeb52973b4dc7.txt"), str(bad), "--html",
                                 str(tmp_path / "site"), "-q"])
    assert r.exit_code == 2, r.output  # an input could not be audited
    page = next((tmp_path / "site").glob("*binary*.html")).read_text("utf-8")
    assert "无法审核这个文档" in page
    assert "无法审核" in (tmp_path / "site" / "index.html").read_text("utf-8")


def test_document_view_without_source_lists_flags_only():
    assert document_view({"flags": []}) == {"items": [], "has_source": False}
