"""TRANSITION (issue 14): kinds still yielding Findings, registered by hand until each moves
to `relations()`. Delete a kind's line when its module exports `relations` / `KINDS`."""

from __future__ import annotations

import functools
from typing import Any, Callable

from auditor.checks.kind import Kind
from auditor.rules_model import NoParams


def _wrap(fn: Callable) -> Callable:
    @functools.wraps(fn)
    def relations(rule: Any, params: Any, facts: Any):
        return fn(rule, facts)
    relations.legacy = True  # type: ignore[attr-defined]
    return relations


def legacy_kinds() -> list[Kind]:
    from auditor.checks.kinds import change, compare, levels

    table: list[tuple[str, Callable, Any, set[str]]] = [
        ("change_rate", change.change_rate, NoParams, {"subject", "current", "delta", "base", "word"}),
        ("change_direction", change.change_direction, NoParams, {"subject", "word_amount", "word_rate"}),
        ("change_levels", levels.change_levels, NoParams, {"subject", "current", "base", "word", "sign_note"}),
        ("change_exceeds_level", levels.change_exceeds_level, NoParams, {"subject", "current", "delta", "base"}),
        ("change_zero_base", levels.change_zero_base, NoParams, {"subject", "current", "basis"}),
        ("change_flat_levels", levels.flat_against_levels, NoParams, {"subject", "current", "base"}),
        ("compare_budget", compare.compare_budget, NoParams, {"subject", "current", "budget", "phrase"}),
    ]
    return [Kind(name, _wrap(fn), params, frozenset(ph)) for name, fn, params, ph in table]
