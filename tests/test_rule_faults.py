"""A rule's fault is the rule's: a catastrophic pattern or a crashing kind loses only its own rule.

Before the per-rule guard, a TimeoutError from one rule's pattern escaped run_checks and the
whole document became 内部错误, every other rule's flags with it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor.audit import Auditor
from auditor.catalogue import load_catalogue, pattern_literals, stress_pattern
from auditor.checks.engine import run_checks
from auditor.checks.facts import FactBase
from auditor.checks.engine import check
from auditor.checks.kind import Kind
from auditor.checks.kinds import registry
from auditor.checks.relation import Operand, Relation
from auditor.cli import app
from conftest import SEEDS

# `(.|..)+[@＠]` tries every way of cutting a run of n characters into ones and twos (Fibonacci
# many) before giving up on the missing @: about 30 characters of lead text exceed 0.5 seconds.
# Its own test text is short, so the loader (which runs patterns over the rule's tests) accepts it.
CATASTROPHIC = '''\
id: demo.catastrophic
name: 演示：灾难性正则
summary: 总分的引导词写成了会灾难性回溯的正则
severity: error
groups: [demo]
kind: score_parts
params:
  min_parts: 3
  total_pattern: "{pattern}"
message: "自评得分写为{{total}}，而分项合计为{{sum}}分：{{arithmetic}}"
tests:
  - id: short
    text: "总分98分。"
    expect: []
'''


def _bad_rules(tmp_path: Path, pattern: str = "(.|..)+[@＠]") -> Path:
    folder = tmp_path / "bad_rules"
    folder.mkdir(exist_ok=True)
    (folder / "demo.catastrophic.yaml").write_text(CATASTROPHIC.format(pattern=pattern), "utf-8")
    return folder


def _flag_keys(result) -> list[tuple]:
    return [(f.rule, f.severity, f.message, tuple((e.line, e.quote) for e in f.evidence)) for f in result.flags]


@pytest.fixture(scope="module")
def bad_auditor(tmp_path_factory):
    return Auditor(load_catalogue(extra_dirs=[_bad_rules(tmp_path_factory.mktemp("r"))]))


def test_seeds_keep_every_other_flag_and_name_the_bad_rule(auditor, bad_auditor):
    errored_on = []
    for path in sorted(SEEDS.glob("*.txt")):
        good, bad = auditor.audit_path(path), bad_auditor.audit_path(path)
        assert bad.error is None, bad.error
        assert _flag_keys(bad) == _flag_keys(good), path.name  # not one flag of another rule lost
        rows = {o.rule: o for o in bad.rule_outcomes}
        assert set(rows) == {r.id for r in bad_auditor.catalogue.checks}  # one row per rule
        if rows["demo.catastrophic"].status == "errored":
            errored_on.append(path.name)
            row = rows["demo.catastrophic"]
            assert "TimeoutError" in row.error and row.flags == 0
            assert row.patterns == ["params.total_pattern: “(.|..)+[@＠]”"]
            assert "[demo.catastrophic]" in row.note() and "(.|..)+[@＠]" in row.note()
    # the self-evaluation seed has score leads far longer than 30 characters
    assert "001_9e8aeb52973b4dc7.txt" in errored_on


def test_the_json_carries_outcomes_and_notes(tmp_path):
    out = tmp_path / "r.json"
    seed = SEEDS / "001_9e8aeb52973b4dc7.txt"
    r = CliRunner().invoke(app, ["audit", str(seed), "--rules", str(_bad_rules(tmp_path)), "--json", str(out)])
    assert r.exit_code == 1, r.output  # the seed's own score.parts error, not "unreadable" (2)
    assert "规则出错 [demo.catastrophic]" in r.output and "规则运行出错" in r.output
    [doc] = json.loads(out.read_text("utf-8"))["documents"]
    assert doc["error"] is None
    rows = {o["rule"]: o for o in doc["rule_outcomes"]}
    assert rows["demo.catastrophic"]["status"] == "errored"
    # score.parts (the shipped rule on the same leads) still fails on the seed's sum:
    # 49 + 24 + 15 = 88 ≠ 98 (the seed's key lists it)
    assert rows["score.parts"]["status"] == "failed" and rows["score.parts"]["flags"] == 1
    assert [f["rule"] for f in doc["flags"]] == ["score.parts"]
    assert len(doc["rule_notes"]) == 1 and "(.|..)+[@＠]" in doc["rule_notes"][0]


def _boom(rule, params, facts):
    """A kind that relates a figure (which holds), then crashes: the figure must not count as
    verified by this rule."""
    c = facts.claims[0]
    yield Relation("equal", Operand.of(c, "stated"), (Operand.of(c, "elsewhere"),))
    raise ZeroDivisionError("division by zero in a new kind")


def _facts(auditor, text: str) -> FactBase:
    from auditor.audit import document_from_text

    doc = document_from_text(text, "seed3.txt")
    sentences, claims = auditor.extractor.extract(doc)
    claims += auditor.table_facts.claims(doc, len(claims))
    auditor.codes.rekey(claims)
    claims += auditor.codes.table_claims(doc, len(claims))
    return FactBase(doc, sentences, claims, auditor.catalogue)


def test_a_crashing_kind_loses_only_its_own_rule(auditor):
    text = (SEEDS / "003_21d9eac1c5a0fc54.txt").read_text("utf-8")
    rules = auditor.catalogue.checks
    others = [r for r in rules if r.kind != "change_rate"]
    assert len(others) < len(rules)
    # the same document with change_rate replaced by a kind that raises, and without it at all
    crashed = _facts(auditor, text)
    kinds = {**registry(), "change_rate": Kind("change_rate", _boom)}
    done = check(crashed, rules, kinds)
    flags, outcomes = done.flags, done.outcomes
    without = _facts(auditor, text)
    expected = check(without, others, registry())
    full = run_checks(_facts(auditor, text), rules, registry())
    assert [(f.rule, f.message) for f in flags] == [(f.rule, f.message) for f in expected.flags]
    assert len(flags) == len(full) - 2  # the seed's two change.rate errors were the rule's own
    rows = {o.rule: o for o in outcomes}
    assert rows["change.rate"].status == "errored"
    assert rows["change.rate"].error == "ZeroDivisionError: division by zero in a new kind"
    assert rows["agree.same_change"].status == "failed" and rows["agree.same_change"].flags == 3
    # the crashed rule's relation on claim 0 was dropped with it: the figures stand verified
    # exactly as if the rule had not run
    assert done.verified == expected.verified
    assert crashed.claims[0].id not in expected.verified  # else the test would prove nothing


def test_outcome_counts_are_the_rules_own(auditor):
    """claims counts what the rule compared, even figures another rule had confirmed first."""
    r = auditor.audit_path(SEEDS / "001_9e8aeb52973b4dc7.txt")
    rows = {o.rule: o for o in r.rule_outcomes}
    # score.parts compares the total 98分 with its three parts 49 + 24 + 15: four figures
    assert (rows["score.parts"].status, rows["score.parts"].flags, rows["score.parts"].claims) == ("failed", 1, 4)
    # no 购置 … 辆 enumeration in a self-evaluation: ran, nothing to decide
    assert rows["agree.vehicle_purchases"].status == "evaluated"
    assert all(o.status != "errored" for o in r.rule_outcomes)


@pytest.mark.parametrize("pattern", ["(自评|自评自评)+$", "(\\\\w|\\\\w\\\\w)+$", "(.|..)+[@＠]"])
def test_rules_validate_rejects_catastrophic_patterns(tmp_path, pattern):
    folder = _bad_rules(tmp_path, pattern)
    # loading accepts it (its one test text is short): only the adversarial text shows it
    load_catalogue(extra_dirs=[folder])
    r = CliRunner().invoke(app, ["rules", "validate", str(folder)])
    assert r.exit_code == 1, r.output
    # file:line:col of the pattern's value (line 9 of the file), the rule id and the pattern
    assert f"{folder / 'demo.catastrophic.yaml'}:9:" in r.output
    assert "[demo.catastrophic] params.total_pattern" in r.output and "灾难性回溯" in r.output


def test_rules_validate_accepts_the_shipped_catalogue_and_plain_patterns(tmp_path):
    r = CliRunner().invoke(app, ["rules", "validate"])
    assert r.exit_code == 0, r.output
    folder = _bad_rules(tmp_path, "自评得分|总得分")
    r = CliRunner().invoke(app, ["rules", "validate", str(folder)])
    assert r.exit_code == 0, r.output


def test_adversarial_text_repeats_the_patterns_own_literals():
    assert pattern_literals("(自评|自评自评)+$") == ["自评", "自评自评"]
    assert pattern_literals("(?:购置)(?:了|共)?$") == ["购置", "了", "共"]
    assert pattern_literals(r"[@＠]\d+万元") == ["@", "1", "万元"]
    slow = stress_pattern("(自评|自评自评)+$")
    assert slow is not None and slow.startswith("自评" * 10)
    assert stress_pattern("自评得分|总得分") is None
