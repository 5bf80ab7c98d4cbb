"""The JSON result contract (`auditor.result/1`): other tools read it, keep it stable."""

from __future__ import annotations

import hashlib
import json
import re
import os
import tempfile
import uuid
from dataclasses import asdict
from pathlib import Path
from typing import Any

from auditor.audit import DocumentResult
from auditor.claims.model import Claim
from auditor.model import Flag

SCHEMA = "auditor.result/1"


def text_sha256(text: str) -> str:
    """The document's content hash: SHA-256 of its decoded text as UTF-8 (waivers match on it)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def flag_id(flag: Flag, sha256: str | None) -> str:
    """A stable identity for one flag of one document text (review decisions are keyed on it)."""
    key = "\x1f".join([sha256 or "", flag.rule, *(f"{e.line}:{e.start}:{e.end}:{e.quote}" for e in flag.evidence)])
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def flag_dict(flag: Flag, sha256: str | None = None) -> dict:
    return {
        "rule": flag.rule,
        "severity": flag.severity,
        "message": flag.message,
        "stated": flag.stated,
        "expected": flag.expected,
        "arithmetic": flag.arithmetic,
        "section": list(flag.section),
        "evidence": [{k: v for k, v in asdict(e).items()} for e in flag.evidence],
        # added fields (auditor.result/1 only grows): identity and review state
        "id": flag_id(flag, sha256),
        "waived": False,
        "waiver": None,
        # added fields: where the figures come from and how sure their reading is
        "basis": flag.basis,  # narrative | table_cell | mixed | derived
        "confidence": flag.confidence,  # high | low
        "downgraded": flag.downgraded,  # why an error became a warning (Chinese), or null
        # added field: a reviewer's decision brought back by --waivers/--review
        # ({decision: confirmed|dismissed, note, file, index}), or null
        "review": None,
    }


def claim_dict(c: Claim, status: str | None = None, verified: bool = False) -> dict:
    d = {"quote": c.quote, "line": c.location.line, "page": c.location.page, "kind": c.kind,
         "subject": c.subject, "concept": c.concept, "role": c.role, "value": str(c.value),
         "unit": c.unit,
         # added fields: where the number stands, and what the checks made of it
         "id": c.id, "start": c.location.start, "end": c.location.end, "section": list(c.section),
         "source": c.source, "verified": verified,
         # added fields: how sure the reading is
         "confidence": c.confidence, "confidence_reason": c.confidence_reason,
         # a change's direction as read (+1 up, -1 down, 0 flat, None: not a change or either-or)
         "direction": c.direction}
    if status is not None:
        d["status"] = status
    return d


def outcome_dict(o: Any) -> dict:
    """A rule outcome row: rule, kind, status, flags, claims (compared), error, patterns."""
    return {"rule": o.rule, "kind": o.kind, "status": o.status, "flags": o.flags, "claims": o.claims,
            "error": o.error, "patterns": list(o.patterns)}


def _overlaps(a: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(s < a[1] and a[0] < e for s, e in spans)


def claim_statuses(r: DocumentResult) -> dict[int, str]:
    """verified / contradicted / unverified for each claim id.

    A claim is contradicted when a flag quotes it (any role in the failed relation);
    that wins over verified, which wins over unverified.
    """
    spans = [(e.start, e.end) for f in r.flags for e in f.evidence
             if e.start is not None and e.end is not None and e.end > e.start]
    out = {}
    for c in r.claims:
        if _overlaps((c.location.start, c.location.end), spans):
            out[c.id] = "contradicted"
        else:
            out[c.id] = "verified" if r.is_verified(c) else "unverified"
    return out


def _cell(c: Any) -> list:
    return [c.text, c.location.line, c.location.start, c.location.end]


def table_dict(t: Any) -> dict:
    return {"title": t.title, "unit": t.unit, "columns": list(t.columns),
            "line": t.location.line, "line_end": t.line_end,
            "start": t.location.start, "end": t.location.end, "section": list(t.section),
            "misread": getattr(t, "misread", None),  # added field: why the table was probably misread
            "header_rows": [[_cell(c) for c in row] for row in t.header_rows],
            "rows": [{"label": row.label, "code": row.code, "line": row.location.line,
                      "cells": [_cell(c) for c in row.cells]} for row in t.rows]}


def source_dict(doc: Any) -> dict:
    """What a report needs to show the document without re-reading it: text, outline, tables."""
    return {"encoding": doc.encoding,
            "headings": [{"text": h.text, "level": h.level, "line": h.line} for h in doc.headings],
            "tables": [table_dict(t) for t in doc.tables],
            "text": doc.text}


def document_dict(r: DocumentResult, include_source: bool = True) -> dict:
    sha = text_sha256(r.document.text) if r.document is not None else None
    statuses = claim_statuses(r)
    d = {
        "path": r.path,
        "family": r.family,
        "year": r.year,
        "unit_name": r.unit_name,
        "claims": len(r.claims),
        "verified": r.verified,
        "unverified": len(r.unverified),
        "error": r.error,
        "flags": [flag_dict(f, sha) for f in r.flags],
        "unverified_claims": [claim_dict(c, None, False) for c in r.unverified],
        # added fields: the content hash, every claim with its position and status, the source
        "sha256": sha,
        "claim_list": [claim_dict(c, statuses[c.id], r.is_verified(c)) for c in r.claims],
        # added field: why a document was not audited (ingest / timeout / memory / crash / internal)
        "error_kind": getattr(r, "error_kind", None) or ("ingest" if r.error else None),
        # added fields: one row per check rule (failed / held / evaluated / errored), and a note
        # per rule that broke, naming it and its pattern (the other rules' results stand)
        "rule_outcomes": [outcome_dict(o) for o in getattr(r, "rule_outcomes", [])],
        "rule_notes": [o.note() for o in getattr(r, "rule_outcomes", []) if o.status == "errored"],
    }
    if include_source and r.document is not None:
        d["source"] = source_dict(r.document)
    return d


def rules_dict(catalogue: Any) -> dict:
    """The check rules a report cites: id → name, summary, severity, groups."""
    return {r.id: {"name": r.name, "summary": r.summary, "severity": r.severity, "groups": list(r.groups),
                   "kind": r.kind}  # added field
            for r in sorted(catalogue.checks, key=lambda r: r.id)}


def result_dict(results: list[DocumentResult], catalogue: Any = None, include_source: bool = True) -> dict:
    out: dict = {"schema": SCHEMA, "documents": [document_dict(r, include_source) for r in results]}
    if catalogue is not None:
        out["rules"] = rules_dict(catalogue)
    return out


def dumps(data: dict) -> str:
    """Indented JSON, except each document's `source` (text, tables), written on one line.

    Sources are swapped in through one regex pass, in time linear in the number of documents.
    """
    nonce = uuid.uuid4().hex
    sources: list[str] = []
    docs = []
    for d in data.get("documents", []):
        if isinstance(d.get("source"), dict):
            sources.append(json.dumps(d["source"], ensure_ascii=False, separators=(",", ":")))
            d = {**d, "source": f"@@source-{nonce}-{len(sources) - 1}@@"}
        docs.append(d)
    text = json.dumps({**data, "documents": docs}, ensure_ascii=False, indent=1)
    return re.sub(f'"@@source-{nonce}-([0-9]+)@@"', lambda m: sources[int(m.group(1))], text)


def write_atomic(path: Path, text: str) -> None:
    """Write to a temporary file beside the target and rename, so no half-written file remains."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a report is for sharing
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: Path, results: list[DocumentResult] | dict, catalogue: Any = None) -> None:
    """Write results (DocumentResults, or an already built result dict) as auditor.result/1."""
    data = results if isinstance(results, dict) else result_dict(results, catalogue)
    write_atomic(path, dumps(data))
