"""Reviews come back (confirmed and dismissed, with notes), the HTML says which run made it,
and the per-rule outcomes show on the index and each page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from openpyxl import load_workbook
from typer.testing import CliRunner

from auditor.cli import app
from auditor.report.html import rule_table, write_html
from auditor.report.waivers import review_export
from auditor.report.xlsx import FLAG_COLUMNS

# two change.rate errors, each checked by hand:
#   3.65 ÷ (377.81 + 3.65) = 0.96%, printed 9.5%;  10.00 ÷ (100.00 − 10.00) = 11.1%, printed 20.0%
LINE = "机关运行经费财政拨款预算377.81万元，比上年预算减少3.65万元，下降9.5%。"
OTHER = "公用经费预算100.00万元，比上年预算增加10.00万元，增长20.0%。"


def _audit(tmp_path: Path, *extra: str):
    doc = tmp_path / "doc.txt"
    if not doc.exists():
        doc.write_text(f"说明\n{LINE}\n{OTHER}\n", encoding="utf-8")
    out = tmp_path / "r.json"
    r = CliRunner().invoke(app, ["audit", str(doc), "--json", str(out), "-q", *extra])
    return r, json.loads(out.read_text("utf-8"))


def _decide(tmp_path: Path, data: dict) -> Path:
    flags = data["documents"][0]["flags"]
    assert [f["rule"] for f in flags] == ["change.rate", "change.rate"]
    review = review_export(data, {flags[0]["id"]: {"decision": "confirmed", "note": "已与单位核实，应为0.96%"},
                                  flags[1]["id"]: {"decision": "dismissed", "note": "上年数口径调整"}})
    path = tmp_path / "auditor-review.json"
    path.write_text(json.dumps(review, ensure_ascii=False), "utf-8")
    return path


def test_confirmed_flags_and_notes_come_back_into_json_xlsx_and_html(tmp_path):
    _, first = _audit(tmp_path)
    review = _decide(tmp_path, first)
    r, data = _audit(tmp_path, "--review", str(review), "--xlsx", str(tmp_path / "r.xlsx"),
                     "--html", str(tmp_path / "site"))
    assert r.exit_code == 1, r.output  # the confirmed error stands
    f0, f1 = data["documents"][0]["flags"]
    assert f0["review"]["decision"] == "confirmed" and f0["review"]["note"] == "已与单位核实，应为0.96%"
    assert not f0["waived"]
    assert f1["waived"] and f1["review"]["decision"] == "dismissed" and f1["review"]["note"] == "上年数口径调整"
    assert data["waivers"]["confirmed"] == 1 and data["waivers"]["applied"] == 1

    ws = load_workbook(tmp_path / "r.xlsx")["问题"]
    header = [c.value for c in ws[1]]
    assert header == FLAG_COLUMNS
    rows = [dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)]
    by_stated = {r["写为"]: r for r in rows}
    assert (by_stated["9.5%"]["状态"], by_stated["9.5%"]["审阅"], by_stated["9.5%"]["审阅备注"]) == \
        ("已确认", "已确认", "已与单位核实，应为0.96%")
    assert (by_stated["20.0%"]["状态"], by_stated["20.0%"]["审阅"], by_stated["20.0%"]["审阅备注"]) == \
        ("已豁免", "已驳回", "上年数口径调整")

    page = next(p for p in (tmp_path / "site").glob("*.html") if p.name != "index.html").read_text("utf-8")
    cards = re.findall(r'<article class="flag.*?</article>', page, re.S)
    assert len(cards) == 2
    confirmed = next(c for c in cards if "9.5%" in c)
    assert "审阅：<b>已确认</b> · 已与单位核实，应为0.96%" in confirmed and "data-review=" in confirmed
    dismissed = next(c for c in cards if "20.0%" in c)
    assert "审阅：<b>已驳回</b> · 上年数口径调整" in dismissed


def test_report_rerenders_with_a_review_file(tmp_path):
    _, first = _audit(tmp_path)
    review = _decide(tmp_path, first)
    r = CliRunner().invoke(app, ["report", str(tmp_path / "r.json"), "--review", str(review),
                                 "--html", str(tmp_path / "again"), "--xlsx", str(tmp_path / "again.xlsx")])
    assert r.exit_code == 0, r.output
    page = next(p for p in (tmp_path / "again").glob("*.html") if p.name != "index.html").read_text("utf-8")
    assert "已与单位核实，应为0.96%" in page and "上年数口径调整" in page
    index = (tmp_path / "again" / "index.html").read_text("utf-8")
    assert "确认 1 个问题" in index and '<span class="pill confirmed">已确认</span>' in index
    ws = load_workbook(tmp_path / "again.xlsx")["问题"]
    assert {r[FLAG_COLUMNS.index("审阅")] for r in ws.iter_rows(min_row=2, values_only=True)} == {"已确认", "已驳回"}


def test_a_hand_written_confirmation_keeps_the_flag(tmp_path):
    _, first = _audit(tmp_path)
    sha = first["documents"][0]["sha256"]
    (tmp_path / "w.yaml").write_text(yaml.safe_dump({"waivers": [
        {"sha256": sha, "rule": "change.rate", "quote": "9.5%", "decision": "confirmed", "note": "确认"}]},
        allow_unicode=True), "utf-8")
    r, data = _audit(tmp_path, "--waivers", str(tmp_path / "w.yaml"))
    assert r.exit_code == 1
    f0, f1 = data["documents"][0]["flags"]
    assert f0["review"] == {"decision": "confirmed", "note": "确认", "file": str(tmp_path / "w.yaml"), "index": 0}
    assert f1["review"] is None and not f0["waived"] and not f1["waived"]
    assert data["waivers"]["count"] == 0 and data["waivers"]["stale"] == []


def test_html_says_version_catalogue_and_run_time(tmp_path):
    _, data = _audit(tmp_path, "--html", str(tmp_path / "site"))
    run = data["run"]
    assert run["tool"] == "auditor" and run["version"] and len(run["catalogue"]) == 16
    for page in (tmp_path / "site").glob("*.html"):
        html = page.read_text("utf-8")
        assert f'<span class="version">{run["version"]}</span>' in html, page.name
        assert f'<code class="catalogue">{run["catalogue"]}</code>' in html
        assert f'<span class="started">{run["started"]}</span>' in html and f"用时 {run['seconds']} 秒" in html


def test_older_results_without_run_or_outcomes_still_render(tmp_path):
    _, data = _audit(tmp_path)
    del data["run"]
    for d in data["documents"]:
        for key in ("rule_outcomes", "rule_notes"):
            d.pop(key)
        for f in d["flags"]:
            f.pop("review")
    write_html(data, tmp_path / "old")
    index = (tmp_path / "old" / "index.html").read_text("utf-8")
    assert "结果文件没有记录运行信息" in index and "结果文件中没有规则运行记录" in index
    page = next(p for p in (tmp_path / "old").glob("*.html") if p.name != "index.html").read_text("utf-8")
    assert "9.5%" in page and "结果文件没有记录运行信息" in page


def test_rule_outcomes_table_totals_over_the_corpus():
    docs = [{"path": "a.txt", "flags": [], "rule_outcomes": [
                {"rule": "x.one", "kind": "agree", "status": "failed", "flags": 2, "claims": 5},
                {"rule": "x.bad", "kind": "score_parts", "status": "errored", "flags": 0, "claims": 0,
                 "error": "正则表达式超时", "patterns": ["params.total_pattern: “(a|aa)+$”"]}]},
            {"path": "b.txt", "flags": [], "rule_outcomes": [
                {"rule": "x.one", "kind": "agree", "status": "held", "flags": 0, "claims": 3},
                {"rule": "x.bad", "kind": "score_parts", "status": "evaluated", "flags": 0, "claims": 0}]},
            {"path": "c.txt", "flags": [], "error": "无法读取"}]  # no outcomes: not counted
    rows = {r["rule"]: r for r in rule_table({"documents": docs, "rules": {}})}
    one, bad = rows["x.one"], rows["x.bad"]
    assert (one["documents"], one["failed"], one["held"], one["flags"], one["claims"]) == (2, 1, 1, 2, 8)
    assert (bad["documents"], bad["errored"], bad["evaluated"]) == (2, 1, 1)
    assert bad["errors"] == ["a.txt: 正则表达式超时（params.total_pattern: “(a|aa)+$”）"]
    assert [r["rule"] for r in rule_table({"documents": docs})] == ["x.bad", "x.one"]  # errored first


def test_an_errored_rule_shows_on_the_index_and_its_page(tmp_path):
    from test_rule_faults import _bad_rules
    from conftest import SEEDS

    seed = SEEDS / "001_9e8aeb52973b4dc7.txt"
    out = tmp_path / "site"
    r = CliRunner().invoke(app, ["audit", str(seed), "--rules", str(_bad_rules(tmp_path)), "--html", str(out), "-q"])
    assert r.exit_code == 1, r.output
    index = (out / "index.html").read_text("utf-8")
    row = re.search(r'<tr data-rule="demo.catastrophic" class="is-errored">.*?</tr>', index, re.S).group(0)
    assert "(.|..)+[@＠]" in row and "TimeoutError" in row
    page = next(p for p in out.glob("*.html") if p.name != "index.html").read_text("utf-8")
    assert "1 条规则在这个文档上出错" in page and "[demo.catastrophic]" in page
    assert '<tr class="o-failed"><td><code>score.parts</code>' in page  # its sibling rule still ran
