"""The declarative `relation` kind: an identity written in YAML alone, judged like `identity`.

Every expected figure below is worked out by hand from the printed roundings (a figure
printed with two decimals stands for ±0.005).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor.audit import Auditor
from auditor.catalogue import RuleError, load_catalogue
from auditor.checks.kinds import registry
from auditor.cli import app

RUNNER = CliRunner()

SUM_RULE = '''\
id: sum.current_demo
name: 本年支出的构成
summary: 本年支出合计应等于基本支出与项目支出之和
severity: error
groups: [demo]
kind: relation
params:
  shape: sum_equal
  stated: expense.current
  operands: [expense.basic, expense.project]
message: "{name}{stated}与{operands}之和{sum}不符：{arithmetic}"
tests:
  - id: holds
    text: "本年支出合计1,200.50万元。基本支出800.25万元。项目支出400.25万元。"
    expect: []
  - id: broken
    text: "本年支出合计1,300.50万元。基本支出800.25万元。项目支出400.25万元。"
    expect: [{rule: sum.current_demo, line: 1, stated: "1,300.50万元", expected: "1,200.49～1,200.51"}]
'''

SHARE_RULE = '''\
id: share.basic_demo
name: 基本支出占本年支出的比例
summary: 写明“占本年支出”的基本支出占比应等于基本支出除以本年支出合计
severity: error
groups: [demo]
kind: relation
params:
  shape: ratio_equal
  stated: expense.basic
  numerator: [expense.basic]
  denominator: [expense.current]
  percent: true
message: "{subject}的占比写为{stated}，按{operands}应为{expected}：{arithmetic}"
tests:
  - id: holds
    text: "本年支出1,000.00万元，其中基本支出800.00万元，占本年支出的80.00%。"
    expect: []
  - id: wrong
    text: "本年支出1,000.00万元，其中基本支出800.00万元，占本年支出的85.00%。"
    expect: [{rule: share.basic_demo, line: 1, stated: "85.00%", expected: "80.00%"}]
'''


def _folder(tmp_path: Path, **files: str) -> Path:
    root = tmp_path / "my_rules"
    for name, text in files.items():
        path = root / "checks" / "demo" / f"{name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return root


def _auditor(tmp_path: Path, **files: str) -> Auditor:
    return Auditor(load_catalogue(extra_dirs=[_folder(tmp_path, **files)]))


def _mine(result, rule_id: str):
    return [f for f in result.flags if f.rule == rule_id]


def _outcome(result, rule_id: str) -> str:
    return next(o.status for o in result.rule_outcomes if o.rule == rule_id)


def test_relation_is_a_registered_kind():
    kind = registry()["relation"]
    assert {"subject", "name", "sum", "operands"} <= kind.message_fields
    assert kind.summary.startswith("A relation stated in the rule file")


def test_inline_cases_of_a_relation_rule_pass_through_the_cli(tmp_path):
    folder = _folder(tmp_path, **{"sum.current_demo": SUM_RULE, "share.basic_demo": SHARE_RULE})
    result = RUNNER.invoke(app, ["rules", "test", str(folder), "-v"])
    assert result.exit_code == 0, result.output
    for case in ("sum.current_demo::holds", "sum.current_demo::broken", "share.basic_demo::holds",
                 "share.basic_demo::wrong"):
        assert f"ok   {case}" in result.output
    assert "4 个通过，0 个失败" in result.output


def test_a_wrong_expectation_fails_the_case(tmp_path):
    # 800.25 + 400.25 lies in [1,200.49, 1,200.51], so 1,200.50 is not what the rule prints
    folder = _folder(tmp_path, **{"sum.current_demo": SUM_RULE.replace('"1,200.49～1,200.51"', '"1,200.50"')})
    result = RUNNER.invoke(app, ["rules", "test", str(folder)])
    assert result.exit_code == 1, result.output
    assert "FAIL sum.current_demo::broken" in result.output


def test_a_contradiction_is_flagged_with_the_expected_sum(tmp_path):
    auditor = _auditor(tmp_path, **{"sum.current_demo": SUM_RULE})
    result = auditor.audit_text("本年支出合计1,300.50万元。\n基本支出800.25万元。\n项目支出400.25万元。")
    flags = _mine(result, "sum.current_demo")
    assert len(flags) == 1
    flag = flags[0]
    assert (flag.stated, flag.expected, flag.severity) == ("1,300.50万元", "1,200.49～1,200.51", "error")
    assert flag.arithmetic == "800.25万元 + 400.25万元 = 1,200.49～1,200.51 ≠ 1,300.50万元"
    assert flag.message == ("[sum.current_demo] 本年支出合计1,300.50万元与基本支出 + 项目支出之和1,200.49～1,200.51"
                            "不符：800.25万元 + 400.25万元 = 1,200.49～1,200.51 ≠ 1,300.50万元")
    assert sorted(e.line for e in flag.evidence) == [1, 2, 3]
    assert flag.basis == "derived"


def test_a_holding_relation_is_silent_and_verifies_its_figures(tmp_path):
    auditor = _auditor(tmp_path, **{"sum.current_demo": SUM_RULE})
    # 1,200.51 is within the sum's reach [1,200.49, 1,200.51] (one rounding endpoint)
    result = auditor.audit_text("本年支出合计1,200.51万元。基本支出800.25万元。项目支出400.25万元。")
    assert _mine(result, "sum.current_demo") == []
    assert _outcome(result, "sum.current_demo") == "held"
    quotes = {c.quote for c in result.claims if c.id in result.verified_ids}
    assert {"1,200.51万元", "800.25万元", "400.25万元"} <= quotes


@pytest.mark.parametrize("text", [
    "本年支出合计1,300.50万元。基本支出800.25万元。",  # 项目支出 not stated
    # 基本支出 stated twice, differently: a dispute for `agree`, not a sum to judge
    "本年支出合计1,300.50万元。基本支出800.25万元。项目支出400.25万元。\n基本支出900.25万元。",
])
def test_nothing_is_said_unless_every_figure_is_stated_consistently(tmp_path, text):
    result = _auditor(tmp_path, **{"sum.current_demo": SUM_RULE}).audit_text(text)
    assert _mine(result, "sum.current_demo") == []
    assert _outcome(result, "sum.current_demo") == "evaluated"


def _without_cases(text: str) -> str:
    return text.split("tests:")[0] + "tests: []\n"


SUBTRACT_RULE = _without_cases(SUM_RULE.replace("id: sum.current_demo", "id: sum.closing_demo").replace(
    "  stated: expense.current\n  operands: [expense.basic, expense.project]\n",
    "  stated: balance.closing\n  operands: [expense.grand_total]\n  subtract: [expense.current]\n"))


def test_subtract_gives_operands_a_minus_sign(tmp_path):
    auditor = _auditor(tmp_path, **{"sum.closing_demo": SUBTRACT_RULE})
    # 年末结转和结余 = 支出总计 − 本年支出 = 500.00 − 420.00 = 80.00 (±0.01), not 90.00
    result = auditor.audit_text("支出总计500.00万元。本年支出合计420.00万元。年末结转和结余90.00万元。")
    flags = _mine(result, "sum.closing_demo")
    assert [(f.stated, f.expected) for f in flags] == [("90.00万元", "79.99～80.01")]
    assert flags[0].arithmetic == "500.00万元 − 420.00万元 = 79.99～80.01 ≠ 90.00万元"
    held = auditor.audit_text("支出总计500.00万元。本年支出合计420.00万元。年末结转和结余80.00万元。")
    assert _mine(held, "sum.closing_demo") == []


def test_sum_at_most_allows_a_partial_list_but_not_a_larger_one(tmp_path):
    rule = _without_cases(SUM_RULE.replace("shape: sum_equal", "shape: sum_at_most"))
    auditor = _auditor(tmp_path, **{"sum.current_demo": rule})
    short = auditor.audit_text("本年支出合计1,300.50万元。基本支出800.25万元。项目支出400.25万元。")
    assert _mine(short, "sum.current_demo") == []
    over = auditor.audit_text("本年支出合计1,100.50万元。基本支出800.25万元。项目支出400.25万元。")
    assert [(f.stated, f.expected) for f in _mine(over, "sum.current_demo")] == [("1,100.50万元", "≥1,200.49～1,200.51")]


def test_ratio_equal_with_percent(tmp_path):
    auditor = _auditor(tmp_path, **{"share.basic_demo": SHARE_RULE})
    # 800.00 ÷ 1,000.00 × 100 lies in [79.999, 80.001]: 85.00% is out of reach, 80.00% fits
    wrong = auditor.audit_text("本年支出1,000.00万元，其中基本支出800.00万元，占本年支出的85.00%。")
    flags = _mine(wrong, "share.basic_demo")
    assert [(f.stated, f.expected) for f in flags] == [("85.00%", "80.00%")]
    assert flags[0].arithmetic == "800.00万元 ÷ 1,000.00万元 = 80.00%"
    assert flags[0].message.startswith("[share.basic_demo] 基本支出的占比写为85.00%，按基本支出 ÷ 本年支出合计应为80.00%")
    held = auditor.audit_text("本年支出1,000.00万元，其中基本支出800.00万元，占本年支出的80.00%。")
    assert _mine(held, "share.basic_demo") == [] and _outcome(held, "share.basic_demo") == "held"


def test_a_share_of_another_whole_is_not_the_ratio(tmp_path):
    auditor = _auditor(tmp_path, **{"share.basic_demo": SHARE_RULE})
    # 800 ÷ 900 = 88.89%: a share of 一般公共预算财政拨款支出, which this rule does not speak of
    result = auditor.audit_text("本年支出1,000.00万元，一般公共预算财政拨款支出900.00万元，"
                                "基本支出800.00万元，占一般公共预算财政拨款支出的88.89%。")
    assert _mine(result, "share.basic_demo") == []
    assert _outcome(result, "share.basic_demo") == "evaluated"


def _load_error(tmp_path: Path, text: str) -> RuleError:
    folder = _folder(tmp_path, **{"sum.current_demo": text})
    errors: list[RuleError] = []
    load_catalogue(extra_dirs=[folder], errors=errors)
    assert len(errors) == 1, [str(e) for e in errors]
    assert errors[0].path.endswith("sum.current_demo.yaml") and errors[0].rule_id == "sum.current_demo"
    return errors[0]


def test_an_unknown_concept_is_located(tmp_path):
    err = _load_error(tmp_path, SUM_RULE.replace("expense.project]", "expense.projct]"))
    assert (err.line, err.column) == (10, 29)
    assert "概念“expense.projct”未在任何 lexicon 中定义，是否想写“expense.project”？" in err.reason


@pytest.mark.parametrize("edit, line, words", [
    # a field the shape does not use, at its own line
    (("  operands:", "  numerator: [expense.basic]\n  operands:"), 10, "numerator 只用于 ratio_equal"),
    (("shape: sum_equal", "shape: equal"), 10, "shape 为 equal 时 operands 只能有一个概念"),
    (("shape: sum_equal", "shape: ratio_equal"), 10, "shape 为 ratio_equal 时不用 operands"),
    (("shape: sum_equal", "shape: sum_equal\n  percent: true"), 9, "percent 只用于 ratio_equal"),
    (("expense.project]", "expense.basic]"), 10, "operands 中的“expense.basic”写了两次"),
    (("expense.project]", "expense.current]"), 10, "operands 中的“expense.current”就是 stated 本身"),
    (("shape: sum_equal", "shape: sum"), 8, "“params.shape”的值“sum”无效"),
    # a field the shape needs but the rule lacks: at the params mapping that lacks it
    (("  operands: [expense.basic, expense.project]\n", ""), 8, "shape 为 sum_equal 时须写 operands"),
])
def test_fields_that_do_not_fit_the_shape_are_located(tmp_path, edit, line, words):
    err = _load_error(tmp_path, SUM_RULE.replace(*edit))
    assert err.line == line, str(err)
    assert words in err.reason


def test_a_percentage_names_one_denominator(tmp_path):
    text = SHARE_RULE.replace("denominator: [expense.current]", "denominator: [expense.basic, expense.project]")
    folder = _folder(tmp_path, **{"share.basic_demo": text})
    result = RUNNER.invoke(app, ["rules", "validate", str(folder)])
    assert result.exit_code == 1
    path = folder / "checks" / "demo" / "share.basic_demo.yaml"
    assert f"{path}:11:3: [share.basic_demo]" in result.output
    assert "percent 为 true 时 denominator 只能有一个概念" in result.output


def _guide_section() -> str:
    from auditor.catalogue import RULES_DIR

    text = (RULES_DIR / "README.md").read_text("utf-8")
    return text[text.index("## 9. 声明式关系（kind: relation）"):]


def test_the_guide_example_runs_as_written(tmp_path):
    """rules/README.md §9: the rule loads, its cases pass, and `try` prints the flag the guide shows."""
    import re

    section = _guide_section()
    rule = re.search(r"```yaml\n(id: sum\.current_parts\n.*?)```", section, re.S).group(1)
    shown = re.search(r"`try` 报出的标记：\n\n```\n(error .*?)\n", section).group(1)
    folder = tmp_path / "my_rules"
    path = folder / "checks" / "sum" / "sum.current_parts.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(rule, "utf-8")
    result = RUNNER.invoke(app, ["rules", "test", str(folder)])
    assert result.exit_code == 0 and "3 个通过，0 个失败" in result.output, result.output
    result = RUNNER.invoke(app, ["try", str(path), "--rules", str(folder),
                                 "--text", "本年支出合计1,300.50万元。其中：基本支出800.25万元，项目支出400.25万元。"])
    assert result.exit_code == 1, result.output
    assert shown in result.output
