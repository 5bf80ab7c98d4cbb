"""Accuracy bench: plant one contradiction per copy, audit originals and copies, count catches.

For each document of the corpus the original is audited once; every site found by
`mutate.find_sites` gives one copy with one planted contradiction (the text is
changed in memory and audited with `Auditor.audit_text`). A plant is *caught*
when the copy has a flag, not raised on the original, whose evidence stands on the
planted line and overlaps the planted span. Flags on the originals are reported
too, against the answer key where one lies beside the document
(`<stem>.expected.yaml`), so precision is visible next to recall.
"""

from __future__ import annotations

import multiprocessing
import random
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

from auditor.bench.keys import judge, load_key
from auditor.bench.machine import machine_info
from auditor.bench.mutate import KINDS, Site, Skips, find_sites

_AUDITOR = None  # one per worker process


def _auditor():
    global _AUDITOR
    if _AUDITOR is None:
        from auditor.audit import Auditor

        _AUDITOR = Auditor()
    return _AUDITOR


def _flag_rows(result) -> list[dict]:
    return [{"rule": f.rule, "severity": f.severity, "message": f.message,
             "evidence": [(e.line, e.start, e.end, e.quote) for e in f.evidence]} for f in result.flags]


def _flag_key(row: dict) -> tuple:
    return (row["rule"], tuple((e[0], e[3]) for e in row["evidence"]))


def audit_copy(job: tuple[str, str]) -> tuple[list[dict], float]:
    text, path = job
    t = time.perf_counter()
    result = _auditor().audit_text(text, path)
    return _flag_rows(result), time.perf_counter() - t


def corpus_files(corpus: Path) -> list[Path]:
    if corpus.is_file():
        return [corpus]
    return sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix.lower() in {".txt", ".text"})


def _read(path: Path) -> str:
    from auditor.ingest import load_document

    return load_document(path).text.replace("\r\n", "\n").replace("\r", "\n")


def plan(path: Path, seed: int, kinds: set[str], limit: int | None, skips: Skips) -> tuple[str, object, list[Site]]:
    """The original's text, its audit result, and the sites chosen for it."""
    from auditor.audit import document_from_text
    from auditor.checks.facts import FactBase

    auditor = _auditor()
    text = _read(path)
    result = auditor.audit_text(text, str(path))
    # the sentences are not kept on the result: extract again (same ids); the claims the checks
    # compared are the result's verified ids
    doc = document_from_text(text, str(path))
    sentences, claims = auditor.extractor.extract(doc)
    facts = FactBase(doc, sentences, claims, auditor.catalogue)
    sites = find_sites(path.name, text, facts, auditor.catalogue, result.flags, seed, kinds, skips,
                       result.verified_ids)
    if limit is not None:
        chosen: list[Site] = []
        by_kind: dict[str, list[Site]] = defaultdict(list)
        for s in sites:
            by_kind[s.kind].append(s)
        for kind in sorted(by_kind):
            group = by_kind[kind]
            if len(group) > limit:
                group = sorted(random.Random(f"{seed}|{path.name}|{kind}").sample(group, limit),
                               key=lambda s: s.start)
            chosen.extend(group)
        sites = chosen
    sites.sort(key=lambda s: (s.start, s.kind))
    return text, result, sites


def _key_for(path: Path):
    key = path.with_name(path.stem + ".expected.yaml")
    return load_key(key) if key.exists() else None


@dataclass(frozen=True)
class _Cited:
    """A flag row's evidence in the shape the key matcher reads."""

    line: int
    quote: str
    page: int | None = None


@dataclass
class _Raised:
    row: dict
    severity: str
    evidence: list[_Cited]


def _originals_summary(path: Path, rows: list[dict]) -> dict:
    out: dict = {"document": path.name, "flags": len(rows),
                 "by_severity": dict(Counter(r["severity"] for r in rows)),
                 "by_rule": dict(Counter(r["rule"] for r in rows))}
    key = _key_for(path)
    if key is None:
        return out
    raised = [_Raised(r, r["severity"], [_Cited(e[0], e[3]) for e in r["evidence"]]) for r in rows]
    j = judge(raised, key)
    out["answer_key"] = {
        "key_flags": len(key.items("flags")),
        "key_flags_caught": len(j.caught),
        "raised_in_key": len(j.in_key),
        "raised_in_unsure": len(j.in_unsure),
        "raised_outside_key": len(j.outside),
        "errors_on_holds": len(j.errors_on_holds),
        "outside_key": [{"rule": f.row["rule"], "evidence": [[e[0], e[3]] for e in f.row["evidence"]]}
                        for f in j.outside],
    }
    return out


def _record(site: Site, before: set, rows: list[dict], seconds: float) -> dict:
    """One plant: whether a flag new on the mutated copy cites the planted figure."""
    new = [r for r in rows if _flag_key(r) not in before]
    citing = [r for r in new if r["severity"] != "info" and site.cited_by(r["evidence"])]  # a note is no catch
    rec = asdict(site)
    rec.update({
        "caught": bool(citing),
        "caught_by": sorted({r["rule"] for r in citing}),
        "severity": "error" if any(r["severity"] == "error" for r in citing)
        else ("warning" if citing else None),
        "other_new_flags": len(new) - len(citing),
        "seconds": round(seconds, 4),
    })
    return rec


def run_accuracy(corpus: Path, seed: int = 0, kinds: list[str] | None = None, limit: int | None = None,
                 jobs: int = 1, progress=None) -> dict:
    kinds_set = set(kinds or KINDS)
    unknown = kinds_set - set(KINDS)
    if unknown:
        raise ValueError(f"unknown mutation kinds: {', '.join(sorted(unknown))} (known: {', '.join(KINDS)})")
    started = time.perf_counter()
    files = corpus_files(corpus)
    skips = Skips()
    originals = []
    jobs_list: list[tuple[str, str]] = []
    plants: list[tuple[Site, set]] = []
    for path in files:
        text, result, sites = plan(path, seed, kinds_set, limit, skips)
        rows = _flag_rows(result)
        originals.append(_originals_summary(path, rows))
        before = {_flag_key(r) for r in rows}
        for site in sites:
            jobs_list.append((site.apply(text), str(path)))
            plants.append((site, before))
    if jobs > 1 and len(jobs_list) > 1:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            audited = pool.map(audit_copy, jobs_list, chunksize=max(1, len(jobs_list) // (jobs * 8)))
    else:
        audited = []
        for i, job in enumerate(jobs_list):
            audited.append(audit_copy(job))
            if progress:
                progress(i + 1, len(jobs_list))
    records = [_record(site, before, rows, seconds) for (site, before), (rows, seconds) in zip(plants, audited)]
    return {
        "schema": "auditor.bench.accuracy/1",
        "corpus": str(corpus),
        "documents": len(files),
        "seed": seed,
        "kinds": [k for k in KINDS if k in kinds_set],
        "limit_per_kind_per_document": limit,
        "summary": summarize(records, kinds_set),
        "skipped": skips.counts,
        "originals": originals,
        "originals_total": {
            "flags": sum(o["flags"] for o in originals),
            "errors": sum(o["by_severity"].get("error", 0) for o in originals),
            "warnings": sum(o["by_severity"].get("warning", 0) for o in originals),
            "errors_on_key_holds": sum(o.get("answer_key", {}).get("errors_on_holds", 0) for o in originals),
            "raised_outside_key": sum(o.get("answer_key", {}).get("raised_outside_key", 0) for o in originals),
        },
        "plants": records,
        "seconds": round(time.perf_counter() - started, 2),
        "machine": machine_info(),
    }


def summarize(records: list[dict], kinds: set[str]) -> dict:
    out = {}
    for kind in KINDS:
        if kind not in kinds:
            continue
        rs = [r for r in records if r["kind"] == kind]
        caught = [r for r in rs if r["caught"]]
        out[kind] = {
            "planted": len(rs),
            "caught": len(caught),
            "caught_as_error": sum(1 for r in caught if r["severity"] == "error"),
            "caught_as_warning": sum(1 for r in caught if r["severity"] == "warning"),
            "missed": len(rs) - len(caught),
            "recall": round(len(caught) / len(rs), 4) if rs else None,
            "copies_with_other_new_flags": sum(1 for r in rs if r["other_new_flags"]),
        }
    total = len(records)
    hit = sum(1 for r in records if r["caught"])
    out["all"] = {"planted": total, "caught": hit, "missed": total - hit,
                  "recall": round(hit / total, 4) if total else None}
    return out


def markdown_table(report: dict) -> str:
    rows = ["| mutation kind | planted | caught | missed | recall | caught as warning |",
            "|---|---:|---:|---:|---:|---:|"]
    for kind, s in report["summary"].items():
        recall = "–" if s["recall"] is None else f"{s['recall']:.0%}"
        rows.append(f"| {kind} | {s['planted']} | {s['caught']} | {s['missed']} | {recall} | "
                    f"{s.get('caught_as_warning', '')} |")
    return "\n".join(rows)
