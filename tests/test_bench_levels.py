"""The accuracy bench plants the issue-11 relations too: a change against two stated
levels, one change at two fund scopes, a 财政拨款 list of funds, 决算/预算 comparison words.

The sample is consistent by construction (arithmetic in the comments); each planted
copy must be caught by the checks of those relations.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from auditor.bench import accuracy
from auditor.bench.mutate import Skips
from auditor.cli import app

SAMPLE = """2024年度某某中心部门决算
一、收入支出决算总体情况说明
本年培训费支出8.50万元，上年培训费支出10.00万元，下降15.00%。
本单位2024年财政拨款收支总计6,400.00万元。与上年相比，财政拨款收、支总计各增加400.00万元。
一般公共预算财政拨款收入6,400.00万元，与上年相比增加400.00万元。
本年财政拨款收入6,400.00万元，其中：一般公共预算拨款6,350.00万元，政府性基金预算拨款50.00万元。
本单位无国有资本经营预算拨款。
信息系统运维（项）年初预算为86.40万元，支出决算为79.15万元。决算数小于预算数的主要原因是合同延后签订。
"""
# line 3: (8.50 − 10.00) ÷ 10.00 = −15%
# lines 4-5: both scopes 6,400.00 this year, both 增加400.00
# line 6: 6,350 + 50 (+ 0 国有资本经营, line 7) = 6,400
# line 8: 79.15 < 86.40


def _sample(tmp_path: Path) -> Path:
    p = tmp_path / "corpus" / "levels.txt"
    p.parent.mkdir()
    p.write_text(SAMPLE, "utf-8")
    return p


def test_the_sample_is_consistent_and_has_a_site_per_kind(tmp_path: Path):
    kinds = {"change_levels", "fund_change", "fund_parts", "compare_words"}
    text, result, sites = accuracy.plan(_sample(tmp_path), 0, kinds, None, Skips())
    assert [f for f in result.flags if f.severity != "info"] == []
    assert {s.kind for s in sites} == kinds
    compare = [s for s in sites if s.kind == "compare_words"]
    assert [(s.old, s.new) for s in compare] == [("小于", "大于")]
    assert {s.line for s in sites if s.kind == "change_levels"} == {3}


def test_every_issue11_plant_is_caught(tmp_path: Path):
    out = tmp_path / "acc.json"
    r = CliRunner().invoke(app, ["bench", "accuracy", str(_sample(tmp_path).parent), "--kinds",
                                 "change_levels,fund_change,fund_parts,compare_words", "--out", str(out)])
    assert r.exit_code == 0, r.output
    s = json.loads(out.read_text("utf-8"))["summary"]
    for kind in ("change_levels", "fund_change", "fund_parts", "compare_words"):
        assert s[kind]["planted"] >= 1, kind
        assert s[kind]["caught"] == s[kind]["planted"], (kind, s[kind])
