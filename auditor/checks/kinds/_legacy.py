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
    from auditor.checks.kinds import (agree, blank_table, code_label, enumeration, forms, funds,
                                      group_share, item_row, partsum, rate, score, share,
                                      table_rate, table_sum, year)

    table: list[tuple[str, Callable, Any, set[str]]] = [
        ("share", share.share, NoParams, {"subject", "part", "whole", "whole_label"}),
        ("rate", rate.rate, NoParams, {"subject", "current", "budget"}),
        ("partsum", partsum.partsum, NoParams, {"subject", "total", "sum"}),
        ("agree", agree.agree, agree.AgreeParams, {"subject", "other", "other_line"}),
        ("code_label", code_label.code_label, code_label.CodeLabelParams,
         {"code", "printed", "official", "rival", "rival_name"}),
        ("score_parts", score.score_parts, score.ScorePartsParams, {"total", "sum"}),
        ("table_sum", table_sum.table_sum, NoParams, {"what", "table", "total", "sum"}),
        ("table_misread", table_sum.table_misread, NoParams, {"table", "reason", "page", "line"}),
        ("table_rate", table_rate.table_rate, table_rate.TableRateParams, {"subject", "table", "reason"}),
        ("enumeration", enumeration.enumeration, enumeration.EnumerationParams, {"total", "sum", "verb", "subject"}),
        ("form_link", forms.form_link, forms.FormLinkParams, {"what", "form_line"}),
        ("fund_scopes", funds.fund_scopes, NoParams,
         {"subject", "other_subject", "level", "other", "scope", "other_scope", "gap"}),
        ("fund_parts", funds.fund_parts, NoParams, {"subject", "total", "sum", "parts"}),
        ("item_row", item_row.item_row, item_row.ItemRowParams,
         {"subject", "code", "row", "score", "match", "table_value", "note"}),
        ("code_level", code_label.code_level, code_label.CodeLabelParams, {"pairs", "count"}),
        ("code_outdated", code_label.code_outdated, code_label.CodeLabelParams,
         {"code", "printed", "official", "since", "year"}),
        ("code_table", code_label.code_table, code_label.CodeTableParams,
         {"code", "printed", "official", "rival", "rival_name"}),
        ("year_scope", year.year_scope, NoParams, {"year", "printed", "what"}),
        ("share_of_group", group_share.share_of_group, group_share.GroupShareParams,
         {"subject", "part", "whole", "whole_label", "whole_source", "note"}),
        ("breakdown", partsum.breakdown, partsum.BreakdownParams, {"subject", "total", "sum", "marker", "relation"}),
        ("blank_table", blank_table.blank_table, blank_table.BlankTableParams, {"name", "table", "table_state"}),
    ]
    return [Kind(name, _wrap(fn), params, frozenset(ph)) for name, fn, params, ph in table]
