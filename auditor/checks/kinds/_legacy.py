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
    from auditor.checks.kinds import change, compare, enumeration, funds, levels, partsum, score

    table: list[tuple[str, Callable, Any, set[str]]] = [
        ("change_rate", change.change_rate, NoParams, {"subject", "current", "delta", "base", "word"}),
        ("change_direction", change.change_direction, NoParams, {"subject", "word_amount", "word_rate"}),
        ("partsum", partsum.partsum, NoParams, {"subject", "total", "sum"}),
        ("score_parts", score.score_parts, score.ScorePartsParams, {"total", "sum"}),
        ("enumeration", enumeration.enumeration, enumeration.EnumerationParams, {"total", "sum", "verb", "subject"}),
        ("change_levels", levels.change_levels, NoParams, {"subject", "current", "base", "word", "sign_note"}),
        ("change_exceeds_level", levels.change_exceeds_level, NoParams, {"subject", "current", "delta", "base"}),
        ("change_zero_base", levels.change_zero_base, NoParams, {"subject", "current", "basis"}),
        ("change_flat_levels", levels.flat_against_levels, NoParams, {"subject", "current", "base"}),
        ("compare_budget", compare.compare_budget, NoParams, {"subject", "current", "budget", "phrase"}),
        ("fund_scopes", funds.fund_scopes, NoParams,
         {"subject", "other_subject", "level", "other", "scope", "other_scope", "gap"}),
        ("fund_parts", funds.fund_parts, NoParams, {"subject", "total", "sum", "parts"}),
        ("breakdown", partsum.breakdown, partsum.BreakdownParams, {"subject", "total", "sum", "marker", "relation"}),
    ]
    return [Kind(name, _wrap(fn), params, frozenset(ph)) for name, fn, params, ph in table]
