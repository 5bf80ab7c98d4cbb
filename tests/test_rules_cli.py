"""`auditor rules list|show|test|validate` and `auditor try`, through typer's CliRunner."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from auditor.cli import app
from conftest import SEEDS

RUNNER = CliRunner()

RULE = '''\
id: change.rate_demo
name: 演示
summary: 演示用的增减幅度规则
severity: error
groups: [demo]
kind: change_rate
message: "{subject}的变动率写为{stated}，应为{expected}"
tests:
  - id: holds
    text: "机关运行经费支出1,041.09万元，比上年减少34.13万元，下降3.17%。"
    expect: []
  - id: wrong
    text: "机关运行经费财政拨款预算377.81万元，比上年预算减少3.65万元，下降9.5%。"
    expect: [{rule: change.rate_demo, line: 1, stated: "9.5%", expected: "EXPECTED"}]
'''


def _write(tmp_path: Path, text: str, name: str = "demo.yaml") -> Path:
    path = tmp_path / "my_rules" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


def invoke(*args: str):
    return RUNNER.invoke(app, [str(a) for a in args])


def test_rules_list_and_group():
    result = invoke("rules", "list")
    assert result.exit_code == 0, result.output
    for rid in ("change.rate", "share.of_total", "lexicon.concepts", "extract.claims"):
        assert rid in result.output
    result = invoke("rules", "list", "--group", "change")
    assert result.exit_code == 0
    assert "change.rate" in result.output and "share.of_total" not in result.output
    result = invoke("rules", "list", "--group", "nope")
    assert result.exit_code == 2 and "已有分组" in result.output


def test_rules_list_with_an_extra_folder(tmp_path):
    folder = _write(tmp_path, RULE.replace("EXPECTED", "0.96%")).parent
    result = invoke("rules", "list", "--group", "demo", "--rules", folder)
    assert result.exit_code == 0, result.output
    assert "change.rate_demo" in result.output


def test_rules_show():
    result = invoke("rules", "show", "change.rate")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "rules/checks/change/change.rate.yaml" in out
    assert "change_rate" in out and "rate = Δ / (本年 − Δ)" in out  # the kind's own documentation
    assert "{subject}的变动率写为{stated}" in out
    assert "{delta}" in out  # placeholders
    assert "misplaced_decimal" in out and 'stated: "9.5%"' in out
    result = invoke("rules", "show", "sum.identity")
    assert "identities" in result.output and "income.grand_total" in result.output
    result = invoke("rules", "show", "lexicon.concepts")
    assert result.exit_code == 0 and "expense.current" in result.output


def test_rules_show_unknown_id_suggests():
    result = invoke("rules", "show", "change.rat")
    assert result.exit_code == 2
    assert "change.rate" in result.output


def test_rules_test_all_green():
    result = invoke("rules", "test")
    assert result.exit_code == 0, result.output
    assert "0 个失败" in result.output


def test_rules_test_one_file_and_k():
    result = invoke("rules", "test", "rules/checks/change/change.rate.yaml", "-v")
    assert result.exit_code == 0, result.output
    assert "change.rate::misplaced_decimal" in result.output and "share.of_total" not in result.output
    result = invoke("rules", "test", "-k", "change.direction", "-v")
    assert result.exit_code == 0 and "change.direction::contradict" in result.output
    assert "change.rate::" not in result.output


def test_rules_test_failure_shows_a_diff(tmp_path):
    path = _write(tmp_path, RULE.replace("EXPECTED", "0.95%"))
    result = invoke("rules", "test", path)
    assert result.exit_code == 1, result.output
    out = result.output
    assert "FAIL change.rate_demo::wrong" in out
    assert '- {rule: change.rate_demo, line: 1, stated: "9.5%", expected: "0.95%"}' in out
    assert '+ {rule: change.rate_demo, line: 1, stated: "9.5%", expected: "0.96%"}' in out
    assert "1 个通过，1 个失败" in out


def test_rules_test_reports_an_unexpected_flag(tmp_path):
    path = _write(tmp_path, RULE.replace("EXPECTED", "0.96%").replace(
        "下降3.17%。\"\n    expect: []", "下降31.7%。\"\n    expect: []"))
    result = invoke("rules", "test", path)
    assert result.exit_code == 1, result.output
    assert "多出的标记" in result.output and "+ {rule: change.rate_demo" in result.output


def test_rules_validate(tmp_path):
    result = invoke("rules", "validate")
    assert result.exit_code == 0, result.output
    assert "全部有效" in result.output
    good = _write(tmp_path, RULE.replace("EXPECTED", "0.96%"))
    bad = _write(tmp_path, RULE.replace("EXPECTED", "0.96%").replace("id: change.rate_demo", "id: change.rate_bad")
                 .replace("{expected}", "{expect}"), "bad.yaml")
    result = invoke("rules", "validate", good.parent)
    assert result.exit_code == 1
    assert f"{bad}:7:10: [change.rate_bad] message 中的占位符“{{expect}}”" in result.output
    assert "1 个错误" in result.output
    assert "demo.yaml" not in result.output  # the good file is fine
    assert invoke("rules", "validate", good).exit_code == 0


def test_rules_test_still_runs_the_good_files_next_to_a_broken_one(tmp_path):
    good = _write(tmp_path, RULE.replace("EXPECTED", "0.96%"))
    _write(tmp_path, "id: x.y\nkind: nope\n", "bad.yaml")
    result = invoke("rules", "test", good.parent, "-v")
    assert result.exit_code == 1
    assert "未知的 kind“nope”" in result.output
    assert "ok   change.rate_demo::wrong" in result.output


def test_try_on_text_and_file(tmp_path):
    path = _write(tmp_path, RULE.replace("EXPECTED", "0.96%"))
    result = invoke("try", path, "--text", "机关运行经费财政拨款预算377.81万元，比上年预算减少3.65万元，下降9.5%。")
    assert result.exit_code == 1, result.output
    assert "[change.rate_demo] 机关运行经费的变动率写为9.5%，应为0.96%" in result.output
    assert "377.81万元" in result.output and "第 1 行" in result.output
    seed = next(SEEDS.glob("000_*.txt"))
    result = invoke("try", "rules/checks/sum/sum.identity.yaml", seed)
    assert result.exit_code == 0, result.output
    assert "本规则用到的数字声明" in result.output and "标记（0 个）" in result.output


def test_try_with_a_lexicon_file(tmp_path):
    lex = _write(tmp_path, "id: lexicon.more\nkind: lexicon\nsummary: 更多\nconcepts:\n"
                           "  expense.meeting: {name: 会议费, aliases: [会议费]}\n", "more.yaml")
    result = invoke("try", lex, "--text", "会议费12.50万元。\n会议费15.20万元。\n会议费12.50万元。")
    assert "expense.meeting" in result.output
    assert "agree.same_quantity" in result.output


def test_try_with_a_broken_rule_or_missing_input(tmp_path):
    bad = _write(tmp_path, RULE.replace("kind: change_rate", "kind: change_rat"))
    result = invoke("try", bad, "--text", "x")
    assert result.exit_code == 2 and "未知的 kind“change_rat”，是否想写“change_rate”" in result.output
    good = _write(tmp_path, RULE.replace("EXPECTED", "0.96%"), "good.yaml")
    assert invoke("try", good).exit_code == 2
    assert invoke("try", good, tmp_path / "missing.txt").exit_code == 2


def test_audit_rules_option_reports_a_broken_rule_file(tmp_path):
    bad = _write(tmp_path, RULE.replace("severity: error", "severity: error\nseverty: warning"))
    seed = next(SEEDS.glob("000_*.txt"))
    result = invoke("audit", seed, "--rules", bad.parent, "-q")
    assert result.exit_code == 2
    assert "未知字段“severty”" in result.output
