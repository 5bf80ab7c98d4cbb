"""The JSON result contract (`auditor.result/1`): other tools read it, keep it stable."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path

from auditor.audit import DocumentResult
from auditor.claims.model import Claim
from auditor.model import Flag

SCHEMA = "auditor.result/1"


def flag_dict(flag: Flag) -> dict:
    return {
        "rule": flag.rule,
        "severity": flag.severity,
        "message": flag.message,
        "stated": flag.stated,
        "expected": flag.expected,
        "arithmetic": flag.arithmetic,
        "section": list(flag.section),
        "evidence": [{k: v for k, v in asdict(e).items()} for e in flag.evidence],
    }


def claim_dict(c: Claim) -> dict:
    return {"quote": c.quote, "line": c.location.line, "page": c.location.page, "kind": c.kind,
            "subject": c.subject, "concept": c.concept, "role": c.role, "value": str(c.value),
            "unit": c.unit}


def document_dict(r: DocumentResult) -> dict:
    return {
        "path": r.path,
        "family": r.family,
        "year": r.year,
        "unit_name": r.unit_name,
        "claims": len(r.claims),
        "verified": r.verified,
        "unverified": len(r.unverified),
        "error": r.error,
        "flags": [flag_dict(f) for f in r.flags],
        "unverified_claims": [claim_dict(c) for c in r.unverified],
    }


def result_dict(results: list[DocumentResult]) -> dict:
    return {"schema": SCHEMA, "documents": [document_dict(r) for r in results]}


def write_atomic(path: Path, text: str) -> None:
    """Write to a temporary file beside the target and rename, so no half-written file remains."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: Path, results: list[DocumentResult]) -> None:
    write_atomic(path, json.dumps(result_dict(results), ensure_ascii=False, indent=1))
