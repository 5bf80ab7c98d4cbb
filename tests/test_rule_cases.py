"""Every inline case of every rule file is its own test (`pytest -k change.rate`).

A case with a `todo:` note is a known gap: it runs as a strict xfail, so it shows as
`x` while it fails and turns into a failure the day it passes (the note must go).
Below the cases: how fixtures are read (a block-scalar text is the escaped string)
and how todo cases are run, on tiny rule files written to tmp_path.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.audit import Auditor
from auditor.catalogue import RuleError, load_catalogue
from auditor.rulecases import check_case, collect_cases, run_case

pytest_plugins = ("pytester",)

CASES = collect_cases()


def _param(case):
    if case.case.todo is None:
        return pytest.param(case, id=case.name)
    reason = f"todo: {case.case.todo}（用例通过时请删除 todo）"
    return pytest.param(case, id=case.name, marks=pytest.mark.xfail(strict=True, reason=reason))


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_rule_case(case):
    assert run_case(case) == []


def test_every_check_rule_has_a_passing_and_a_failing_case():
    # a todo case does not count: it does not hold today
    for rule in load_catalogue().checks:
        held = [c for c in rule.tests if c.todo is None]
        assert any(c.expect == [] for c in held), rule.id
        assert any(c.expect for c in held), rule.id


# -- fixtures on tiny rule files ----------------------------------------------------------------

RULE = '''\
id: change.demo_rate
name: 演示
summary: 演示用的增减幅度规则
severity: error
groups: [demo]
kind: change_rate
message: "{subject}的变动率写为{stated}，应为{expected}"
tests:
CASES
'''

# the same two-line text, once escaped and once as a literal block (no final newline: |-);
# the second line has tabs inside and a trailing tab, as an empty table cell would
ESCAPED = '''\
  - id: escaped
    text: "支出决算数为25.00万元，比上年决算增加5.00万元，增长25.00%。\\n项目\\t金额\\t"
    expect: [{rule: change.demo_rate, line: 1, stated: "25.00%", expected: "25.00%"}]
'''
BLOCK = ('  - id: block\n'
         '    text: |-\n'
         '      支出决算数为25.00万元，比上年决算增加5.00万元，增长25.00%。\n'
         '      项目\t金额\t\n'
         '    expect: [{rule: change.demo_rate, line: 1, stated: "25.00%", expected: "25.00%"}]\n')


def _folder(tmp_path: Path, cases: str) -> Path:
    folder = tmp_path / "my_rules"
    folder.mkdir(exist_ok=True)
    (folder / "change.demo_rate.yaml").write_text(RULE.replace("CASES\n", cases), "utf-8")
    return folder


def _outcomes(folder: Path) -> dict[str, object]:
    cat = load_catalogue(extra_dirs=[folder])
    auditor = Auditor(cat)
    return {rc.case.id: check_case(rc, auditor) for rc in collect_cases(paths=[folder], catalogue=cat)}


def test_a_block_scalar_text_is_read_as_the_escaped_string(tmp_path):
    cat = load_catalogue(extra_dirs=[_folder(tmp_path, ESCAPED + BLOCK)])
    texts = {c.id: c.text for c in cat.rule("change.demo_rate").tests}
    assert texts["escaped"] == "支出决算数为25.00万元，比上年决算增加5.00万元，增长25.00%。\n项目\t金额\t"
    assert texts["block"] == texts["escaped"]


def test_the_guide_s_table_block_is_its_escaped_string():
    # rules/README.md shows a table fixture as a block (→ standing for a tab) and its escaped form
    import re

    import yaml

    from auditor.catalogue import RULES_DIR

    guide = (RULES_DIR / "README.md").read_text("utf-8")
    block = re.search(r"```yaml\n(  - id: item_rows_add_up\n.*?)```", guide, re.S)[1]
    escaped = re.search(r'完全相同）.*?与 `text: ("[^`]*")` 完全相同', guide, re.S)[1]
    case = yaml.safe_load(block.replace("→", "\t"))[0]
    assert case["text"] == yaml.safe_load(escaped)
    assert "\t\t500.00\n201\t" in case["text"] and not case["text"].endswith("\n")


def test_a_failing_todo_case_is_todo_and_a_passing_one_is_a_failure(tmp_path):
    # 5.00 ÷ (25.00 − 5.00) = 25.00%: the stated rate is right, so expecting a flag fails
    wrong = ESCAPED.replace("id: escaped", "id: gap").replace("expect:", 'todo: "演示：尚未实现"\n    expect:')
    right = BLOCK.replace("id: block", "id: fixed").replace(
        "expect: [{rule: change.demo_rate, line: 1, stated: \"25.00%\", expected: \"25.00%\"}]",
        'todo: "演示：已经修好"\n    expect: []')
    out = _outcomes(_folder(tmp_path, wrong + right))
    gap, fixed = out["gap"], out["fixed"]
    assert gap.problems and gap.status == "todo" and not gap.failed and gap.failures() == []
    assert not fixed.problems and fixed.status == "fixed" and fixed.failed
    assert "可以删除 todo" in fixed.failures()[0] and "演示：已经修好" in fixed.failures()[0]


def test_a_todo_case_runs_as_a_strict_xfail(pytester):
    # this module's own parametrisation, run by pytest on one failing and one passing todo case
    pytester.makepyfile(test_todo=f'''
        import importlib.util
        import pytest
        from auditor.catalogue import Case
        from auditor.rulecases import RuleCase

        spec = importlib.util.spec_from_file_location("rule_cases_under_test", {str(Path(__file__))!r})
        t = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(t)
        TEXT = "支出决算数为25.00万元，比上年决算增加5.00万元，增长25.00%。"  # 5.00 ÷ 20.00 = 25.00%: right

        def _case(id, expect):
            return RuleCase("change.rate", Case(id=id, text=TEXT, expect=expect, todo="演示"), "")

        @pytest.mark.parametrize("case", [t._param(_case("gap", [{{"rule": "change.rate"}}])),
                                          t._param(_case("fixed", []))])
        def test_case(case):
            t.test_rule_case(case)
    ''')
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-rxX")
    result.assert_outcomes(xfailed=1, failed=1)
    out = result.stdout.str()
    assert "XFAIL test_todo.py::test_case[change.rate::gap] - todo: 演示" in out
    failure = out.split("test_case[change.rate::fixed]", 1)[1]
    assert failure.lstrip(" _\n").startswith("[XPASS(strict)] todo: 演示（用例通过时请删除 todo）")


def test_the_cli_reports_todo_cases_and_fails_on_a_fixed_one(tmp_path):
    from typer.testing import CliRunner

    from auditor.cli import app

    gap = ESCAPED.replace("id: escaped", "id: gap").replace("expect:", 'todo: "演示：尚未实现"\n    expect:')
    fixed = gap.replace("id: gap", "id: fixed").replace("尚未实现", "已经修好").replace(
        'expect: [{rule: change.demo_rate, line: 1, stated: "25.00%", expected: "25.00%"}]', "expect: []")
    run = CliRunner().invoke(app, ["rules", "test", str(_folder(tmp_path, gap))])
    assert run.exit_code == 0, run.output  # a known gap alone does not fail the run
    assert "todo change.demo_rate::gap  演示：尚未实现" in run.output
    assert "0 个通过，0 个失败，1 个待办（todo）" in run.output
    run = CliRunner().invoke(app, ["rules", "test", str(_folder(tmp_path, gap + fixed))])
    assert run.exit_code == 1, run.output
    assert "FAIL change.demo_rate::fixed" in run.output
    assert "此用例已经通过，可以删除 todo（原注明：演示：已经修好）" in run.output
    assert "0 个通过，1 个失败，1 个待办（todo）" in run.output


@pytest.mark.parametrize("value", ["5", "true", "[缺口]", "{why: 缺口}", '""', '"  "'])
def test_a_todo_that_is_not_a_reason_is_rejected(tmp_path, value):
    case = ESCAPED.replace("expect:", f"todo: {value}\n    expect:")
    errors: list[RuleError] = []
    load_catalogue(extra_dirs=[_folder(tmp_path, case)], errors=errors)
    assert len(errors) == 1, [str(e) for e in errors]
    assert errors[0].line == 11 and "todo" in errors[0].reason, str(errors[0])
    assert errors[0].rule_id == "change.demo_rate"
