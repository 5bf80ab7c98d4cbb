"""The Python API for notebooks, and the corpus runner the `audit` command shares.

```python
import auditor
result = auditor.audit(["corpora/seeds"], jobs=2, select=["change"])
result.flags_frame()      # one row per flag (pandas)
result.claims_frame()     # one row per claim, with verified / contradicted / unverified
result.write_html("out")  # the same static site as `auditor audit --html out`
```

A corpus run keeps the order of its inputs whatever the number of workers: each worker
process builds its Auditor (catalogue, compiled vocabulary) once and audits the files it
is handed; the results are put back in input order, so they are identical for any N.
"""

from __future__ import annotations

import json
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable, Sequence

import pandas as pd

from auditor.audit import Auditor, DocumentResult
from auditor.config import ConfigError, Options, check_severity
from auditor.worker_setup import filter_severity, load_selected_catalogue, mp_context

def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, and the documents found below each folder, in a stable order (as the CLI)."""
    from auditor.cli._app import expand_paths as _expand

    return _expand([Path(p) for p in paths])


# ---- workers --------------------------------------------------------------------------

_WORKER: Auditor | None = None


def _init_worker(rules: list[str], select: list[str], ignore: list[str]) -> None:
    global _WORKER
    _WORKER = Auditor(load_selected_catalogue([Path(r) for r in rules], select, ignore))


def audit_one(auditor: Auditor, path: Path) -> DocumentResult:
    """Audit one file; whatever goes wrong becomes the document's error, never the run's."""
    try:
        return auditor.audit_path(path)
    except Exception as exc:  # one document never stops a corpus
        r = DocumentResult(str(path), error=f"{path}: 内部错误: {type(exc).__name__}: {exc}")
        r.error_kind = "memory" if isinstance(exc, MemoryError) else "internal"  # type: ignore[attr-defined]
        return r


def _work(path: str) -> DocumentResult:
    assert _WORKER is not None
    return audit_one(_WORKER, Path(path))


def run_files(files: Sequence[Path], auditor_or_options: Auditor | Options, jobs: int = 1,
              on_result: Callable[[DocumentResult], None] | None = None) -> list[DocumentResult]:
    """Audit files in input order with `jobs` processes (1: in this process)."""
    results: list[DocumentResult] = []
    if jobs <= 1 or len(files) <= 1:
        auditor = auditor_or_options if isinstance(auditor_or_options, Auditor) else Auditor(
            load_selected_catalogue(auditor_or_options.rules, auditor_or_options.select, auditor_or_options.ignore))
        for f in files:
            r = audit_one(auditor, f)
            results.append(r)
            if on_result:
                on_result(r)
        return results
    if isinstance(auditor_or_options, Auditor):
        raise TypeError("jobs > 1 needs Options: each worker builds its own Auditor")
    o = auditor_or_options
    init = ([str(r) for r in o.rules], list(o.select), list(o.ignore))
    with ProcessPoolExecutor(max_workers=min(jobs, len(files)), mp_context=mp_context(),
                             initializer=_init_worker, initargs=init) as pool:
        try:
            for r in pool.map(_work, [str(f) for f in files]):
                results.append(r)
                if on_result:
                    on_result(r)
        except BrokenProcessPool as exc:
            for f in files[len(results):]:
                r = DocumentResult(str(f), error=f"{f}: 内部错误: 工作进程异常退出 ({exc})")
                results.append(r)
                if on_result:
                    on_result(r)
    return results


# ---- results --------------------------------------------------------------------------


@dataclass
class Result:
    """An audit's results as the `auditor.result/1` dict, with frames and writers for notebooks."""

    data: dict
    results: list[DocumentResult] = field(default_factory=list)  # empty when loaded from JSON

    @classmethod
    def from_json(cls, path: str | Path) -> "Result":
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("schema") != "auditor.result/1":
            raise ValueError(f"{path}: 不是 auditor.result/1 结果文件")
        return cls(data)

    @property
    def documents(self) -> list[dict]:
        return self.data["documents"]

    @property
    def exit_code(self) -> int:
        """The exit code with the default `--fail-on unreadable,error` (see exit_status)."""
        return self.exit_status()

    def exit_status(self, fail_on: str = "unreadable,error") -> int:
        """2 when nothing could be audited, or an input could not be (with `unreadable`); 1 for
        error flags (`error`) or error and warning flags (`warning`); else 0. "none": always 0.

        A file recognised as not a disclosure was read and judged: it is listed, not lost.
        Waived flags never count.
        """
        from auditor.runner import UNREADABLE

        tokens = set(fail_on.split(","))
        docs = self.documents
        if "none" in tokens:
            return 0
        lost = [d for d in docs if d.get("error") and (d.get("error_kind") or "ingest") in UNREADABLE]
        if (docs and all(d.get("error") for d in docs)) or ("unreadable" in tokens and lost):
            return 2
        levels = {"warning", "error"} if "warning" in tokens else ({"error"} if "error" in tokens else set())
        flags = [f for d in docs for f in d["flags"]] + list(self.data.get("cross_document") or [])
        return 1 if any(f["severity"] in levels and not f.get("waived") for f in flags) else 0

    def documents_frame(self) -> pd.DataFrame:
        rows = []
        for d in self.documents:
            sev = [f["severity"] for f in d["flags"] if not f.get("waived")]
            rows.append({"document": d["path"], "family": d["family"], "year": d["year"], "unit_name": d["unit_name"],
                         "claims": d["claims"], "verified": d["verified"], "unverified": d["unverified"],
                         "errors": sev.count("error"), "warnings": sev.count("warning"), "infos": sev.count("info"),
                         "waived": sum(1 for f in d["flags"] if f.get("waived")), "error": d["error"],
                         "sha256": d.get("sha256")})
        return pd.DataFrame(rows, columns=["document", "family", "year", "unit_name", "claims", "verified",
                                           "unverified", "errors", "warnings", "infos", "waived", "error", "sha256"])

    def flags_frame(self) -> pd.DataFrame:
        """One row per flag: document, rule, severity, message, stated/expected, quotes and lines."""
        rules = self.data.get("rules", {})
        rows = []
        for d in self.documents:
            for f in d["flags"]:
                ev = f["evidence"]
                rows.append({"document": d["path"], "unit_name": d["unit_name"], "rule": f["rule"],
                             "summary": rules.get(f["rule"], {}).get("summary"), "severity": f["severity"],
                             "message": f["message"], "stated": f["stated"], "expected": f["expected"],
                             "arithmetic": f["arithmetic"], "section": " / ".join(f.get("section", [])),
                             "quotes": [e["quote"] for e in ev], "lines": sorted({e["line"] for e in ev}),
                             "pages": sorted({e["page"] for e in ev if e.get("page") is not None}),
                             "waived": bool(f.get("waived")), "id": f.get("id")})
        return pd.DataFrame(rows, columns=["document", "unit_name", "rule", "summary", "severity", "message",
                                           "stated", "expected", "arithmetic", "section", "quotes", "lines",
                                           "pages", "waived", "id"])

    def claims_frame(self) -> pd.DataFrame:
        """One row per claim, with `status` verified / contradicted / unverified and a Decimal `value`."""
        rows = []
        for d in self.documents:
            claims = d.get("claim_list")
            if claims is None:  # a result written before claim_list existed: the unverified ones only
                claims = [{**c, "status": "unverified", "verified": False} for c in d.get("unverified_claims", [])]
            for c in claims:
                rows.append({"document": d["path"], "id": c.get("id"), "line": c["line"], "page": c.get("page"),
                             "start": c.get("start"), "end": c.get("end"), "quote": c["quote"],
                             "value": Decimal(c["value"]) if c.get("value") is not None else None,
                             "unit": c.get("unit"), "kind": c["kind"], "subject": c["subject"],
                             "concept": c.get("concept"), "role": c.get("role"), "status": c.get("status"),
                             "verified": c.get("verified"), "section": " / ".join(c.get("section", []))})
        return pd.DataFrame(rows, columns=["document", "id", "line", "page", "start", "end", "quote", "value", "unit",
                                           "kind", "subject", "concept", "role", "status", "verified", "section"])

    def write_json(self, path: str | Path) -> None:
        from auditor.report.json_report import write_json

        write_json(Path(path), self.data)

    def write_html(self, folder: str | Path) -> Path:
        from auditor.report.html import write_html

        return write_html(self.data, Path(folder))

    def write_xlsx(self, path: str | Path) -> None:
        from auditor.report.xlsx import write_xlsx

        write_xlsx(self.data, Path(path))

    def write_csv(self, path: str | Path) -> None:
        from auditor.report.csv_report import write_csv

        write_csv(self.data, Path(path))

    def __repr__(self) -> str:
        docs = self.documents
        flags = sum(len(d["flags"]) for d in docs)
        return f"<auditor.Result: {len(docs)} documents, {flags} flags>"


def build_result(results: list[DocumentResult], catalogue=None, waivers: Path | None = None) -> Result:
    from auditor.report.json_report import result_dict

    data = result_dict(results, catalogue)
    if waivers is not None:
        from auditor.report.waivers import apply_waivers, load_waivers

        apply_waivers(data, load_waivers(waivers), str(waivers))
    return Result(data, results)


def audit(paths: str | Path | Iterable[str | Path], *, rules: Sequence[str | Path] = (),
          select: Sequence[str] = (), ignore: Sequence[str] = (), min_severity: str | None = None,
          jobs: int = 1, waivers: str | Path | None = None, cross: bool = True, bundles: bool = True) -> Result:
    """Audit files and folders; returns a Result with `.flags_frame()` and `.claims_frame()`.

    `select`/`ignore` take rule ids, groups or dotted prefixes; `min_severity` drops flags
    below it; `waivers` is a review export or a YAML list (see auditor.report.waivers);
    `cross=False` turns the cross-document checks off, `bundles=False` only the bundles.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    files = expand_paths(paths)
    if min_severity is not None:
        check_severity(min_severity)
    opts = Options(list(select), list(ignore), min_severity, jobs, [Path(r) for r in rules],
                   Path(waivers) if waivers else None)
    catalogue = load_selected_catalogue(opts.rules, opts.select, opts.ignore)
    results = run_files(files, Auditor(catalogue) if jobs <= 1 else opts, jobs)
    filter_severity(results, min_severity)
    result = build_result(results, catalogue, opts.waivers)
    if cross:
        from auditor.corpus import attach, cross_document

        attach(result.data, *cross_document(result.documents, bundles=bundles), min_severity=min_severity,
               select=list(opts.select), ignore=list(opts.ignore))
    return result


__all__ = ["Result", "audit", "expand_paths", "run_files", "ConfigError"]
