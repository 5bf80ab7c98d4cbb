"""The closed set of check kinds a rule may name in `kind:`."""

from auditor.checks.engine import KindFn
from auditor.checks.kinds import agree, change, code_label, identity, partsum, rate, score, share, table_sum

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
}
