"""The closed set of check kinds a rule may name in `kind:`."""

from auditor.checks.engine import KindFn
from auditor.checks.kinds import agree, blank_table, change, code_label, compare, enumeration, forms, funds, group_share, identity, item_row, levels, partsum, rate, score, share, table_rate, table_sum, year

KINDS: dict[str, KindFn] = {
    "change_rate": change.change_rate,
    "change_direction": change.change_direction,
    "share": share.share,
    "rate": rate.rate,
    "partsum": partsum.partsum,
    "identity": identity.identity,
    "agree": agree.agree,
    "code_label": code_label.code_label,
    "score_parts": score.score_parts,
    "table_sum": table_sum.table_sum,
    "table_misread": table_sum.table_misread,
    "table_rate": table_rate.table_rate,
    "enumeration": enumeration.enumeration,
    "form_link": forms.form_link,
    "change_levels": levels.change_levels,
    "change_exceeds_level": levels.change_exceeds_level,
    "change_zero_base": levels.change_zero_base,
    "change_flat_levels": levels.flat_against_levels,
    "compare_budget": compare.compare_budget,
    "fund_scopes": funds.fund_scopes,
    "fund_parts": funds.fund_parts,
    "item_row": item_row.item_row,
    "code_level": code_label.code_level,
    "code_outdated": code_label.code_outdated,
    "code_table": code_label.code_table,
    "year_scope": year.year_scope,
    "share_of_group": group_share.share_of_group,
    "breakdown": partsum.breakdown,
    "blank_table": blank_table.blank_table,
}

# The placeholders a rule's `message` may use, per kind: what the kind's module puts into
# Finding.values, plus stated / expected / arithmetic, which the engine adds for every kind.
# Read from the kind modules; tests/test_catalogue.py re-derives them from the source and
# fails when a kind and this table drift apart. A new kind without an entry here gets its
# messages unchecked.
_COMMON = {"stated", "expected", "arithmetic"}
PLACEHOLDERS: dict[str, set[str]] = {
    "change_rate": _COMMON | {"subject", "current", "delta", "base", "word"},
    "change_direction": _COMMON | {"subject", "word_amount", "word_rate"},
    "share": _COMMON | {"subject", "part", "whole", "whole_label"},
    "rate": _COMMON | {"subject", "current", "budget"},
    "partsum": _COMMON | {"subject", "total", "sum"},
    "identity": _COMMON | {"subject", "total", "sum", "name"},
    "agree": _COMMON | {"subject", "other", "other_line"},
    "code_label": _COMMON | {"code", "printed", "official", "rival", "rival_name"},
    "score_parts": _COMMON | {"total", "sum"},
    "table_sum": _COMMON | {"what", "table", "total", "sum"},
    "table_misread": _COMMON | {"table", "reason", "page", "line"},
    "table_rate": _COMMON | {"subject", "table", "reason"},
    "enumeration": _COMMON | {"total", "sum", "verb", "subject"},
    "form_link": _COMMON | {"what", "form_line"},
    "change_levels": _COMMON | {"subject", "current", "base", "word", "sign_note"},
    "change_exceeds_level": _COMMON | {"subject", "current", "delta", "base"},
    "change_zero_base": _COMMON | {"subject", "current", "basis"},
    "change_flat_levels": _COMMON | {"subject", "current", "base"},
    "compare_budget": _COMMON | {"subject", "current", "budget", "phrase"},
    "fund_scopes": _COMMON | {"subject", "other_subject", "level", "other", "scope", "other_scope", "gap"},
    "fund_parts": _COMMON | {"subject", "total", "sum", "parts"},
    "item_row": _COMMON | {"subject", "code", "row", "score", "match", "table_value", "note"},
    "code_level": _COMMON | {"pairs", "count"},
    "code_outdated": _COMMON | {"code", "printed", "official", "since", "year"},
    "code_table": _COMMON | {"code", "printed", "official", "rival", "rival_name"},
    "year_scope": _COMMON | {"year", "printed", "what"},
    "share_of_group": _COMMON | {"subject", "part", "whole", "whole_label", "whole_source", "note"},
    "breakdown": _COMMON | {"subject", "total", "sum", "marker", "relation"},
    "blank_table": _COMMON | {"name", "table", "table_state"},
}
