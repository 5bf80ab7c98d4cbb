"""Waivers: matched by content hash + rule + quoted text; stale ones are listed."""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

from auditor.cli import app
from auditor.report.waivers import WaiverError, apply_waivers, load_waivers, review_export

LINE = "机关运行经费财政拨款预算377.81万元，比上年预算减少3.65万元，下降9.5%。"
OTHER = "公用经费预算100.00万元，比上年预算增加10.00万元，增长20.0%。"


def _run(tmp_path, doc, *extra):
    out = tmp_path / "r.json"
    r = CliRunner().invoke(app, ["audit", str(doc), "--json", str(out), "-q", *extra])
    return r, json.loads(out.read_text("utf-8")) if out.exists() else None


@pytest.fixture
def doc(tmp_path):
    p = tmp_path / "doc.txt"
    p.write_text(f"说明\n{LINE}\n{OTHER}\n", encoding="utf-8")
    return p


def test_exported_review_waives_the_dismissed_flag_only(tmp_path, doc):
    r, data = _run(tmp_path, doc)
    assert r.exit_code == 1
    flags = data["documents"][0]["flags"]
    assert len(flags) == 2 and all(f["id"] for f in flags)
    review = review_export(data, {flags[0]["id"]: {"decision": "dismissed", "note": "口径不同"},
                                  flags[1]["id"]: {"decision": "confirmed"}})
    (tmp_path / "review.json").write_text(json.dumps(review, ensure_ascii=False), "utf-8")
    r, again = _run(tmp_path, doc, "--waivers", str(tmp_path / "review.json"))
    assert r.exit_code == 1  # the confirmed one is still an error
    f0, f1 = again["documents"][0]["flags"]
    assert f0["waived"] and f0["waiver"]["note"] == "口径不同" and not f1["waived"]
    assert again["waivers"] == {"file": str(tmp_path / "review.json"), "count": 1, "applied": 1, "stale": [],
                                "confirmed": 1}
    assert "已豁免" in r.output


def test_hand_written_yaml_by_quote_and_a_changed_document_makes_the_waiver_stale(tmp_path, doc):
    _, data = _run(tmp_path, doc)
    d = data["documents"][0]
    waivers = {"waivers": [
        {"sha256": d["sha256"], "rule": "change.rate", "quote": "9.5%", "note": "已核实"},
        {"sha256": d["sha256"], "rule": "change.rate", "quote": "20.0%"},
        {"document": "doc.txt", "rule": "change.rate", "quote": "99.9%"},  # quotes nothing: stale
    ]}
    (tmp_path / "w.yaml").write_text(yaml.safe_dump(waivers, allow_unicode=True), "utf-8")
    r, again = _run(tmp_path, doc, "--waivers", str(tmp_path / "w.yaml"))
    assert r.exit_code == 0, r.output  # both errors waived
    assert [s["index"] for s in again["waivers"]["stale"]] == [2]
    assert "1 条豁免不再匹配" in r.output
    # the same line moved down by one: lines differ, the hash too, so hash-bound waivers go stale
    doc.write_text(f"新增一行\n说明\n{LINE}\n{OTHER}\n", encoding="utf-8")
    r, moved = _run(tmp_path, doc, "--waivers", str(tmp_path / "w.yaml"))
    assert r.exit_code == 1
    assert [s["index"] for s in moved["waivers"]["stale"]] == [0, 1, 2]


def test_path_bound_waiver_follows_the_quote_not_the_line(tmp_path, doc):
    (tmp_path / "w.yaml").write_text(yaml.safe_dump(
        [{"document": "doc.txt", "rule": "change.rate", "quote": "9.5%", "line": 2}], allow_unicode=True), "utf-8")
    doc.write_text(f"新增一行\n说明\n{LINE}\n", encoding="utf-8")  # the flag is now on line 3
    r, data = _run(tmp_path, doc, "--waivers", str(tmp_path / "w.yaml"))
    assert r.exit_code == 0, r.output
    assert data["documents"][0]["flags"][0]["waived"]


def test_line_chooses_among_flags_quoting_the_same_text():
    data = {"documents": [{"path": "a.txt", "sha256": "h", "error": None, "flags": [
        {"id": "1", "rule": "code.x", "evidence": [{"quote": "一般公共服务（204类）", "line": 10}]},
        {"id": "2", "rule": "code.x", "evidence": [{"quote": "一般公共服务（204类）", "line": 12}]}]}]}
    from auditor.report.waivers import Waiver

    apply_waivers(data, [Waiver("code.x", ["一般公共服务（204类）"], sha256="h", lines=[12])])
    assert [f.get("waived", False) for f in data["documents"][0]["flags"]] == [False, True]


@pytest.mark.parametrize("content, message", [
    ("[{rule: x}]", "quote"),
    ("[{rule: x, quote: y}]", "sha256 或 document"),
    ("{other: 1}", "decisions"),
    ("- [unclosed", "YAML"),
])
def test_bad_waiver_files_are_usage_errors(tmp_path, doc, content, message):
    (tmp_path / "w.yaml").write_text(content, "utf-8")
    with pytest.raises(WaiverError, match=message):
        load_waivers(tmp_path / "w.yaml")
    r = CliRunner().invoke(app, ["audit", str(doc), "--waivers", str(tmp_path / "w.yaml"), "-q"])
    assert r.exit_code == 2 and message in r.output
