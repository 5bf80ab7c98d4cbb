"""Canonical flags and claim statuses of a JSON result, to compare two runs of a refactor.

    python3 -m auditor audit corpora/ ../shared/corpus/pdf ../shared/corpus/dev \
        --json /tmp/a.json -q -j 8 --fail-on none
    python3 scripts/snapshot.py /tmp/a.json > /tmp/a.snap
    diff /tmp/base.snap /tmp/a.snap   # empty: the same flags and claim statuses
"""

from __future__ import annotations

import json
import sys

_FLAG_KEYS = ("rule", "severity", "message", "stated", "expected", "arithmetic", "basis", "confidence",
              "downgraded")


def snapshot(result: dict) -> list[str]:
    out: list[str] = []
    for doc in sorted(result["documents"], key=lambda d: d["path"]):
        out.append(f"== {doc['path']} claims={doc.get('claims')} verified={doc.get('verified')} "
                   f"error={doc.get('error')}")
        for f in doc.get("flags") or []:
            ev = ";".join(f"{e.get('role')}:{e.get('quote')}@{e.get('line')}/{e.get('page')}"
                          for e in f.get("evidence", []))
            out.append("F " + json.dumps({k: f.get(k) for k in _FLAG_KEYS}, ensure_ascii=False) + " " + ev)
        for c in doc.get("claim_list") or []:
            out.append(f"C {c.get('id')} {c.get('quote')} {c.get('status')}")
        for o in doc.get("rule_outcomes") or []:
            out.append("O " + json.dumps(o, ensure_ascii=False, sort_keys=True))
    for f in result.get("cross_document") or []:
        out.append("X " + json.dumps(f, ensure_ascii=False, sort_keys=True))
    return out


if __name__ == "__main__":
    print("\n".join(snapshot(json.load(open(sys.argv[1], encoding="utf-8")))))
