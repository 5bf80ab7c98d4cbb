"""Every inline case of every rule file is its own test (`pytest -k change.rate`)."""

from __future__ import annotations

import pytest

from auditor.rulecases import collect_cases, run_case

CASES = collect_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_rule_case(case):
    assert run_case(case) == []


def test_every_check_rule_has_a_passing_and_a_failing_case():
    from auditor.catalogue import load_catalogue

    for rule in load_catalogue().checks:
        assert any(c.expect == [] for c in rule.tests), rule.id
        assert any(c.expect for c in rule.tests), rule.id
