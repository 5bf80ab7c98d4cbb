"""Precision bench: the auditor's flags on real documents against the keys written by reading them.

Planted contradictions (the accuracy bench) measure recall on relations the auditor
already finds; they cannot show a false alarm on a layout it misreads. Here every
document that has a key is audited as it is (PDFs included), and each error and warning
is counted as in the key, about an undecided item, or outside the key. Outside-the-key
flags are false alarms until a reader adds them to the key; an error that cites a relation
the key lists as holding is counted apart, because it is the worst kind.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from auditor.bench.keys import Key, judge, keys_in
from auditor.bench.machine import machine_info


def _flag_row(f) -> dict:
    return {"rule": f.rule, "severity": f.severity, "message": f.message,
            "evidence": [{"quote": e.quote, "line": e.line, "page": e.page} for e in f.evidence]}


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def _count(flags, severity: str) -> int:
    return sum(1 for f in flags if f.severity == severity)


def document_report(key: Key, result) -> dict:
    j = judge(result.flags, key)
    row = {"document": key.document.name, "key": str(key.path.name), "error": result.error}
    for sev in ("error", "warning"):
        row[sev + "s"] = {
            "raised": _count(j.in_key + j.in_unsure + j.outside, sev),
            "in_key": _count(j.in_key, sev),
            "in_unsure": _count(j.in_unsure, sev),
            "outside_key": _count(j.outside, sev),
        }
    row.update({
        "errors_on_holds": len(j.errors_on_holds),
        "key_flags": len(key.items("flags")),
        "key_flags_caught": len(j.caught),
        "key_errors": sum(1 for k in key.items("flags") if k.get("severity") == "error"),
        "missed": [{"id": k.get("id"), "kind": k.get("kind"), "severity": k.get("severity")} for k in j.missed],
        "outside": [_flag_row(f) for f in j.outside],
        "on_holds": [_flag_row(f) for f in j.errors_on_holds],
        "by_rule_outside": dict(Counter(f.rule for f in j.outside)),
    })
    return row


def totals(rows: list[dict]) -> dict:
    out: dict = {}
    for sev in ("errors", "warnings"):
        out[sev] = {k: sum(r[sev][k] for r in rows) for k in ("raised", "in_key", "in_unsure", "outside_key")}
        judged = out[sev]["in_key"] + out[sev]["outside_key"]
        out[sev]["precision"] = _ratio(out[sev]["in_key"], judged)
    out["errors_on_holds"] = sum(r["errors_on_holds"] for r in rows)
    out["key_flags"] = sum(r["key_flags"] for r in rows)
    out["key_flags_caught"] = sum(r["key_flags_caught"] for r in rows)
    out["recall"] = _ratio(out["key_flags_caught"], out["key_flags"])
    return out


def run_precision(folders: list[Path], auditor=None) -> dict:
    from auditor.audit import Auditor

    started = time.perf_counter()
    auditor = auditor or Auditor()
    groups = {}
    for folder in folders:
        rows = []
        for key in keys_in(folder):
            rows.append(document_report(key, auditor.audit_path(key.document)))
        groups[str(folder)] = {"documents": rows, "total": totals(rows)}
    every = [r for g in groups.values() for r in g["documents"]]
    return {
        "schema": "auditor.bench.precision/1",
        "corpora": groups,
        "total": totals(every),
        "seconds": round(time.perf_counter() - started, 2),
        "machine": machine_info(),
    }


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.0%}"


def markdown_table(report: dict) -> str:
    rows = ["| document | errors (in key / outside / unsure) | warnings (in key / outside / unsure) "
            "| errors on holds | key flags caught |",
            "|---|---|---|---:|---|"]
    for group in report["corpora"].values():
        for r in group["documents"]:
            e, w = r["errors"], r["warnings"]
            rows.append(f"| {r['document']} | {e['raised']} ({e['in_key']} / {e['outside_key']} / {e['in_unsure']}) "
                        f"| {w['raised']} ({w['in_key']} / {w['outside_key']} / {w['in_unsure']}) "
                        f"| {r['errors_on_holds']} | {r['key_flags_caught']} of {r['key_flags']} |")
    for name, group in [*report["corpora"].items(), ("all", {"total": report["total"]})]:
        t = group["total"]
        rows.append(f"| **{Path(name).name}** | {t['errors']['raised']} ({t['errors']['in_key']} / "
                    f"{t['errors']['outside_key']} / {t['errors']['in_unsure']}), precision "
                    f"{_pct(t['errors']['precision'])} | {t['warnings']['raised']} ({t['warnings']['in_key']} / "
                    f"{t['warnings']['outside_key']} / {t['warnings']['in_unsure']}), precision "
                    f"{_pct(t['warnings']['precision'])} | {t['errors_on_holds']} | "
                    f"{t['key_flags_caught']} of {t['key_flags']} ({_pct(t['recall'])}) |")
    return "\n".join(rows)
