"""SARIF 2.1.0: the flags for code-review tools (GitHub code scanning, VS Code's SARIF viewer).

One run, the auditor as its tool with every check rule it ran; each flag is a result at the
line of its first number, and every number it relies on is a related location with the
quote as printed. Waived flags are kept as suppressed results, so a review is not lost.
"""

from __future__ import annotations

from pathlib import Path

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _uri(path: str) -> str:
    p = Path(path)
    return p.as_posix() if not p.is_absolute() else p.as_uri()


def _location(path: str, e: dict) -> dict:
    region = {"startLine": e.get("line") or 1, "snippet": {"text": e.get("quote", "")}}
    loc = {"physicalLocation": {"artifactLocation": {"uri": _uri(path)}, "region": region}}
    if e.get("page"):
        loc["properties"] = {"page": e["page"]}
    return loc


def _result(path: str, f: dict) -> dict:
    ev = f["evidence"] or [{"line": 1, "quote": ""}]
    first = ev[0]  # the stated number
    out = {
        "ruleId": f["rule"],
        "level": LEVEL.get(f["severity"], "warning"),
        "message": {"text": f["message"]},
        "locations": [_location(path, first)],
        "relatedLocations": [dict(_location(path, e), id=i, message={"text": e.get("quote", "")})
                             for i, e in enumerate(ev)],
        "partialFingerprints": {"auditorFlagId": f.get("id") or ""},
    }
    if f.get("waived"):
        out["suppressions"] = [{"kind": "external", "justification": (f.get("waiver") or {}).get("note", "") or ""}]
    return out


def sarif_log(data: dict, version: str) -> dict:
    rules = data.get("rules") or {}
    results = [_result(d["path"], f) for d in data["documents"] for f in d["flags"]]
    notifications = [{"level": "error", "message": {"text": d["error"]},
                      "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(d["path"])}}}]}
                     for d in data["documents"] if d.get("error")]
    driver = {
        "name": "auditor",
        "version": version,
        "rules": [{"id": rid, "name": r.get("name") or rid,
                   "shortDescription": {"text": r.get("summary") or rid},
                   "defaultConfiguration": {"level": LEVEL.get(r.get("severity"), "warning")}}
                  for rid, r in sorted(rules.items())],
    }
    return {"$schema": SCHEMA, "version": "2.1.0",
            "runs": [{"tool": {"driver": driver}, "results": results,
                      "invocations": [{"executionSuccessful": not notifications,
                                       "toolExecutionNotifications": notifications}]}]}
