"""rules/README.md's worked example runs as written, so the guide cannot rot.

The YAML blocks of the guide marked ```yaml title="<path>"``` are copied into a temporary
rules folder, loaded on top of the shipped catalogue, and run: their inline cases, and the
Auditor on a small text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor.audit import Auditor
from auditor.catalogue import RULES_DIR, RuleError, load_catalogue
from auditor.cli import app
from auditor.rulecases import check_case, collect_cases

GUIDE = RULES_DIR / "README.md"
RULE_ID = "agree.meeting_training"


def guide_files() -> dict[str, str]:
    text = GUIDE.read_text("utf-8")
    return dict(re.findall(r'```yaml title="([^"]+)"\n(.*?)```', text, re.S))


@pytest.fixture()
def example_dir(tmp_path: Path) -> Path:
    files = guide_files()
    assert set(files) == {"lexicon/expense_items.yaml", f"checks/agree/{RULE_ID}.yaml"}, files.keys()
    for name, body in files.items():
        target = tmp_path / "my_rules" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body, "utf-8")
    return tmp_path / "my_rules"


def test_example_files_validate(example_dir):
    errors: list[RuleError] = []
    cat = load_catalogue(extra_dirs=[example_dir], errors=errors)
    assert [str(e) for e in errors] == []
    assert {"expense.meeting", "expense.training"} <= set(cat.concepts)
    assert RULE_ID in {r.id for r in cat.checks}


def test_example_cases_pass(example_dir):
    cat = load_catalogue(extra_dirs=[example_dir])
    auditor = Auditor(cat)
    cases = collect_cases(paths=[example_dir], catalogue=cat)
    assert {c.name for c in cases} >= {f"{RULE_ID}::meeting_differs", f"{RULE_ID}::same_everywhere",
                                       "lexicon.expense_items::names"}
    for case in cases:
        outcome = check_case(case, auditor)
        assert outcome.passed, (case.name, outcome.problems)


def test_example_rule_flags_a_contradiction_in_a_document(example_dir):
    text = ("（一）基本支出\n本年基本支出中，会议费支出12.50万元，培训费支出8.30万元。\n"
            "（二）机关运行经费\n其中会议费12.50万元，培训费9.30万元。\n"
            "公务用车保有量138辆。\n公务用车保有量128辆。\n公务用车保有量138辆。\n")
    flags = Auditor(load_catalogue(extra_dirs=[example_dir])).audit_text(text).flags
    mine = [f for f in flags if f.rule == RULE_ID]
    assert [(f.stated, f.expected) for f in mine] == [("9.30万元", "8.30万元")]
    assert mine[0].message.startswith(f"[{RULE_ID}] 培训费写为9.30万元")
    assert {e.line for e in mine[0].evidence} == {2, 4}
    # the vehicle count is another concept: agree.same_quantity's business, not this rule's
    assert any(f.rule == "agree.same_quantity" and f.stated == "128辆" for f in flags)


def test_example_commands_of_the_guide(example_dir):
    runner = CliRunner()
    result = runner.invoke(app, ["rules", "validate", str(example_dir)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["rules", "test", str(example_dir)])
    assert result.exit_code == 0, result.output
    assert "5 个通过，0 个失败" in result.output
    rule = example_dir / "checks" / "agree" / f"{RULE_ID}.yaml"
    result = runner.invoke(app, ["try", str(rule), "--rules", str(example_dir),
                                 "--text", "会议费支出12.50万元。\n会议费15.20万元。\n会议费12.50万元。"])
    assert result.exit_code == 1, result.output
    assert f"[{RULE_ID}] 会议费写为15.20万元" in result.output


def test_guide_documents_every_kind():
    from auditor.checks.kinds import registry

    text = GUIDE.read_text("utf-8")
    for kind in registry():
        assert f"| `{kind}` |" in text, f"rules/README.md 没有介绍 kind {kind}"
