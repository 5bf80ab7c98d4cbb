"""Reports for corpora of any size: HTML with a paged index, CSV and Excel from a JSON Lines result.

Why: one index page listing 10,000 documents and their 50,000 flags is a 100 MB page no
browser uses, and a report that loads every document with its text needs the memory of
the whole corpus. Here:
- the HTML index is cut into pages of `PAGE_SIZE` documents (index.html, index-2.html, …),
  each with the corpus-wide overview and chart, a pager, and the documents and flags of its
  page (filtered and sorted in the page as before); one page per document as before;
- a JSON Lines result is read twice, one document at a time: once for the totals and the
  chart, once to render; a document's text comes from the run's source store
  (`--with-source`) or from the original file when its content is unchanged;
- CSV rows are written as documents pass; the Excel workbook keeps the documents without
  their text and claim list (an .xlsx sheet holds at most 1,048,576 rows anyway).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Callable, Iterable, Iterator

PAGE_SIZE = 500


# ---- document sources -------------------------------------------------------------------


def attach_source(d: dict, store=None) -> bool:
    """Give `d` its `source` from the store, else from its file when the file's text still has the same hash."""
    if d.get("source") or d.get("error") or not d.get("sha256"):
        return bool(d.get("source"))
    if store is not None:
        src = store.get(d["sha256"])
        if src is not None:
            d["source"] = src
            return True
    from auditor.ingest import load_document
    from auditor.report.json_report import source_dict, text_sha256

    try:
        doc = load_document(Path(d["path"]))
    except Exception:  # noqa: BLE001 - moved, changed or unreadable: the page lists the flags only
        return False
    if text_sha256(doc.text) == d["sha256"]:
        d["source"] = source_dict(doc)
        return True
    return False


# ---- HTML ---------------------------------------------------------------------------------


def index_page_name(page: int) -> str:
    return "index.html" if page == 1 else f"index-{page}.html"


def _slim(d: dict) -> dict:
    """What an index row needs of a document (no text, no claim list)."""
    return {k: v for k, v in d.items() if k not in ("source", "claim_list", "unverified_claims")}


def write_html_paged(meta: dict, documents: Callable[[], Iterable[dict]], folder: Path,
                     store=None, page_size: int | None = None) -> Path:
    """index.html (+ index-N.html) and one page per document; `documents()` is iterated three times
    (totals and chart, the rule table, the pages), one document at a time."""
    page_size = page_size or PAGE_SIZE
    from auditor.report.html import (OUTCOME, SEVERITY, STATUS, _chart, _counts, _env, _flag_view, document_view,
                                     load_assets, page_name, rule_table, run_view)
    from auditor.report.json_report import write_atomic

    env = _env()
    assets = load_assets()
    rules = meta.get("rules", {})
    totals = {"documents": 0, "unreadable": 0, "claims": 0, "verified": 0,
              **{s: 0 for s in (*SEVERITY, "waived", "contradicted")}}

    def counted() -> Iterator[dict]:
        for d in documents():
            c = _counts(d)
            totals["documents"] += 1
            totals["unreadable"] += 1 if d.get("error") else 0
            totals["claims"] += d.get("claims") or 0
            totals["verified"] += d.get("verified") or 0
            for s in (*SEVERITY, "waived", "contradicted"):
                totals[s] += c[s]
            yield {"flags": d["flags"]}

    chart = _chart({"documents": counted(), "rules": rules})
    totals["pct"] = round(100 * totals["verified"] / totals["claims"]) if totals["claims"] else None
    pages = max(1, -(-totals["documents"] // page_size))
    rule_rows = rule_table({"documents": ({"path": d.get("path"), "rule_outcomes": d.get("rule_outcomes")}
                                          for d in documents()), "rules": rules})
    common = {"assets": assets, "csp": assets.csp, "rules": rules, "STATUS": STATUS, "SEVERITY": SEVERITY,
              "run": run_view(meta), "OUTCOME": OUTCOME}
    folder.mkdir(parents=True, exist_ok=True)
    index_t, page_t = env.get_template("index.html.j2"), env.get_template("document.html.j2")
    rows: list[dict] = []
    page = 1

    def flush_index() -> None:
        first = (page - 1) * page_size
        pager = {"page": page, "pages": pages, "size": page_size, "first": first + 1, "last": first + len(rows),
                 "links": [{"n": n, "href": index_page_name(n), "first": (n - 1) * page_size + 1,
                            "last": min(n * page_size, totals["documents"])} for n in range(1, pages + 1)]}
        html = index_t.render(docs=rows, totals=totals, chart=chart, waivers=meta.get("waivers"), pager=pager,
                              rule_rows=rule_rows, **common)
        write_atomic(folder / index_page_name(page), html)

    for i, d in enumerate(documents()):
        x = {"i": i, "doc": d, "page": page_name(i, d), "name": Path(d.get("path") or "").name,
             "counts": _counts(d), "flags": [_flag_view(j, f, rules) for j, f in enumerate(d["flags"])]}
        if not d.get("error"):
            attach_source(d, store)
        view = document_view(d) if not d.get("error") else {"items": [], "has_source": False}
        write_atomic(folder / x["page"], page_t.render(d=x, view=view, **common))
        x["doc"] = _slim(d)
        rows.append(x)
        if len(rows) == page_size:
            flush_index()
            rows, page = [], page + 1
    if rows or page == 1:
        flush_index()
    for stale in folder.glob("index-*.html"):  # pages of an earlier, larger report
        try:
            n = int(stale.stem.split("-", 1)[1])
        except ValueError:
            continue
        if n > pages:
            stale.unlink()
    return folder / "index.html"


# ---- from a JSON Lines result ------------------------------------------------------------


def write_outputs_from_jsonl(path: Path, html_out: Path | None = None, xlsx_out: Path | None = None,
                             csv_out: Path | None = None, waivers=None) -> list[tuple[str, Path]]:
    """Render each requested output from `path`; (label, where) for each one written.

    `waivers`, (entries, file name), replaces the waivers recorded in the result.
    """
    from auditor.report.jsonl import iter_documents, read_meta, source_store_for

    meta = read_meta(path)
    store = source_store_for(path)
    applier = _waiver_applier(waivers) if waivers is not None else None

    def documents() -> Iterator[dict]:
        for d in iter_documents(path):
            if applier is not None:
                applier(d)
            yield d

    written: list[tuple[str, Path]] = []
    if html_out is not None:
        written.append(("HTML 报告", write_html_paged(meta, documents, html_out, store)))
    if csv_out is not None:
        write_csv_stream(meta, documents(), csv_out)
        written.append(("CSV 问题清单", csv_out))
    if xlsx_out is not None:
        from auditor.report.xlsx import write_xlsx

        write_xlsx({**meta, "documents": [_without_claim_list(d) for d in documents()]}, xlsx_out)
        written.append(("Excel 工作簿", xlsx_out))
    return written


def _without_claim_list(d: dict) -> dict:
    return {k: v for k, v in d.items() if k not in ("source", "claim_list")}


def _waiver_applier(waivers):
    from auditor.report.waivers import WaiverSet

    ws = WaiverSet(*waivers)

    def apply(d: dict) -> None:
        for f in d.get("flags", []):
            f["waived"], f["waiver"] = False, None
        ws.apply_document(d)

    return apply


def write_csv_stream(meta: dict, documents: Iterable[dict], path: Path) -> None:
    """The CSV of csv_report, written row by row (same bytes for the same documents)."""
    import os
    import tempfile

    from auditor.report.csv_report import _safe
    from auditor.report.xlsx import FLAG_COLUMNS, flag_rows

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write("\ufeff")
            buf = io.StringIO()
            writer = csv.writer(buf, lineterminator="\r\n")
            writer.writerow(FLAG_COLUMNS)
            for d in documents:
                for row in flag_rows({"documents": [d], "rules": meta.get("rules", {})}):
                    writer.writerow([_safe(v) for v in row])
                fh.write(buf.getvalue())
                buf.seek(0)
                buf.truncate()
            fh.write(buf.getvalue())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # as write_atomic: a report is for sharing
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
