"""The static HTML report: index.html for the corpus, one page per document.

It is rendered from the `auditor.result/1` dict alone (so `auditor report RESULT.json`
re-renders saved results), works offline from file:// (CSS and JS inline, no CDN), and
treats every document as untrusted input:
- all text goes through Jinja2 autoescaping or markupsafe.escape; the only markup built in
  Python is made of fixed tags around escaped text;
- each page carries a Content-Security-Policy that allows only its own inline script and
  style, by SHA-256 hash: no other script, no inline event handler, no javascript: URL runs.
"""

from __future__ import annotations

import base64
import hashlib
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Callable, Iterable, Iterator

import jinja2
from markupsafe import Markup, escape

from auditor.report.json_report import write_atomic

FAMILY = {"final_accounts": "部门决算", "budget": "部门预算", "self_evaluation": "绩效自评报告", "unknown": "未识别"}
SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}
BASIS = {"narrative": "叙述", "table_cell": "表格", "mixed": "叙述与表格", "derived": "推算"}
CONFIDENCE = {"high": "高", "low": "低"}
STATUS = {"verified": "已核验", "contradicted": "矛盾", "unverified": "未核验"}
KIND = {"amount": "金额", "change_amount": "增减额", "change_rate": "变动率", "share": "占比", "rate": "比率",
        "count": "数量", "score": "得分", "percent": "百分比", "other": "其他"}
ROLE = {"stated": "写为", "total": "合计", "part": "分项", "base": "基数", "current": "本年数", "previous": "上年数",
        "change": "增减额", "budget": "预算数", "score": "得分", "label": "名称", "code": "编码", "whole": "总数",
        "rate": "比率", "weight": "分值", "form": "表中", "elsewhere": "别处所写", "link": "关联"}


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("auditor.report", "templates"),
        autoescape=True,  # every template, whatever its name
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["family"] = lambda v: FAMILY.get(v or "unknown", v)
    env.filters["severity"] = lambda v: SEVERITY.get(v, v)
    env.filters["role"] = lambda v: ROLE.get(v, v)
    return env


def _static(name: str) -> str:
    return resources.files("auditor.report").joinpath("static", name).read_text(encoding="utf-8")


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


@dataclass
class Assets:
    css: str
    js: str

    @property
    def csp(self) -> str:
        return ("default-src 'none'; "
                f"script-src {_csp_hash(self.js)}; style-src {_csp_hash(self.css)}; "
                "img-src data:; base-uri 'none'; form-action 'none'; object-src 'none'")


def load_assets() -> Assets:
    return Assets(_static("report.css"), _static("report.js"))


# ---- marking text ------------------------------------------------------------------------


@dataclass
class Span:
    start: int
    end: int
    claim: dict | None = None  # a claim (with status) this span is
    ev: str | None = None  # an evidence key (f3e1) this span is


def mark(text: str, base: int, spans: list[Span]) -> Markup:
    """`text` (which starts at document offset `base`) escaped, with claims and evidence wrapped.

    Overlapping spans are cut into segments; each segment says which claims and evidence
    keys cover it. Only fixed tags and escaped text are emitted.
    """
    n = len(text)
    local = [(max(0, s.start - base), min(n, s.end - base), s) for s in spans]
    local = [(a, b, s) for a, b, s in local if a < b]
    if not local:
        return escape(text)
    cuts = sorted({0, n, *(a for a, _, _ in local), *(b for _, b, _ in local)})
    out: list[str] = []
    for a, b in zip(cuts, cuts[1:]):
        seg = text[a:b]
        cover = [(sa, sb, s) for sa, sb, s in local if sa <= a and b <= sb]
        claims = [(sa, sb, s) for sa, sb, s in cover if s.claim is not None]
        evs = sorted({s.ev for _, _, s in cover if s.ev}, key=_ev_order)
        for sa, _, s in local:  # anchors where evidence begins, for links without script
            if s.ev and sa == a:
                out.append(f'<i class="anchor" id="ev-{s.ev}"></i>')
        if not cover:
            out.append(str(escape(seg)))
            continue
        classes, attrs = [], []
        if claims:
            sa, sb, s = claims[0]
            c = s.claim
            status = c.get("status") or ("verified" if c.get("verified") else "unverified")
            classes += ["claim", f"c-{status}"]
            if sb == b:
                classes.append("cend")  # the claim's marker (✓ ✗ ?) follows its last segment
            attrs.append(f'data-claim="{int(c.get("id", 0))}"')
            kind = KIND.get(c.get("kind") or "", c.get("kind") or "")
            title = f"{STATUS.get(status, status)} · {kind} · {c.get('subject') or ''}".strip(" ·")
            attrs.append(f'title="{escape(title)}"')
        if evs:
            classes.append("ev")
            attrs.append(f'data-ev="{" ".join(evs)}"')
        out.append(f'<span class="{" ".join(classes)}" {" ".join(attrs)}>{escape(seg)}</span>')
    return Markup("".join(out))


def _ev_order(key: str) -> tuple[int, int]:
    m = re.fullmatch(r"f(\d+)e(\d+)", key)
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


# ---- view models ---------------------------------------------------------------------------


@dataclass
class Line:
    no: int
    html: Markup
    heading: int | None = None  # outline level when the line is a heading


@dataclass
class TableView:
    no: int  # first line
    line_end: int
    title: str | None
    unit: str | None
    columns: list[str]
    rows: list[dict]  # {"line", "cells": [{"html", "flagged", "ev", "num"}]}
    extra: list[Line] = field(default_factory=list)  # lines of the table no row or header holds
    flagged: bool = False


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for i, ch in enumerate(text):
        if ch == "\n":
            starts.append(i + 1)
    return starts


def _evidence_spans(doc: dict, lines: list[str], starts: list[int]) -> tuple[list[Span], dict[str, tuple[int, int]]]:
    """An evidence span for every quote of every flag, by its offsets or else found on its line."""
    spans: list[Span] = []
    where: dict[str, tuple[int, int]] = {}
    for fi, f in enumerate(doc["flags"]):
        for ei, e in enumerate(f["evidence"]):
            key = f"f{fi}e{ei}"
            s, t = e.get("start"), e.get("end")
            line = e.get("line") or 0
            ok = (isinstance(s, int) and isinstance(t, int) and t > s and 1 <= line <= len(lines)
                  and doc["source"]["text"][s:t] == e["quote"])
            if not ok and 1 <= line <= len(lines):
                col = lines[line - 1].find(e["quote"]) if e["quote"] else -1
                s, t = (starts[line - 1] + col, starts[line - 1] + col + len(e["quote"])) if col >= 0 else (None, None)
            if isinstance(s, int) and isinstance(t, int) and t > s:
                spans.append(Span(s, t, ev=key))
                where[key] = (s, t)
    return spans, where


def document_view(doc: dict) -> dict:
    """Lines and tables of one document, marked; None parts when the result holds no source."""
    src = doc.get("source")
    if not src or src.get("text") is None:
        return {"items": [], "has_source": False}
    text = src["text"]
    lines = text.split("\n")
    starts = _line_starts(text)
    ev_spans, _ = _evidence_spans(doc, lines, starts)
    claim_spans = [Span(c["start"], c["end"], claim=c) for c in doc.get("claim_list", [])
                   if isinstance(c.get("start"), int) and isinstance(c.get("end"), int)]
    spans = sorted(ev_spans + claim_spans, key=lambda s: (s.start, s.end))
    span_starts = [s.start for s in spans]
    max_len = max((s.end - s.start for s in spans), default=0)

    def spans_in(a: int, b: int) -> list[Span]:
        lo = bisect_right(span_starts, a - max_len - 1)
        hi = bisect_right(span_starts, b)
        return [s for s in spans[lo:hi] if s.start < b and a < s.end]

    def line_view(no: int) -> Line:
        a = starts[no - 1]
        return Line(no, mark(lines[no - 1], a, spans_in(a, a + len(lines[no - 1]))), headings.get(no))

    headings = {h["line"]: h["level"] for h in src.get("headings", [])}
    tables = {t["line"]: t for t in src.get("tables", [])}
    items: list[tuple[str, object]] = []
    no = 1
    while no <= len(lines):
        t = tables.get(no)
        if t is not None and t["line_end"] >= no:
            items.append(("table", _table_view(t, lines, spans_in, line_view)))
            no = t["line_end"] + 1
            continue
        if lines[no - 1].strip():
            items.append(("line", line_view(no)))
        no += 1
    return {"items": items, "has_source": True}


def _table_view(t: dict, lines: list[str], spans_in, line_view) -> TableView:
    covered: set[int] = set()
    for hr in t.get("header_rows", []):
        covered.update(c[1] for c in hr)
    rows = []
    any_flag = False
    for r in t.get("rows", []):
        covered.add(r["line"])
        cells = []
        for text, line, start, end in r["cells"]:
            covered.add(line)
            inside = spans_in(start, end) if end > start else []
            evs = sorted({s.ev for s in inside if s.ev}, key=_ev_order)
            any_flag = any_flag or bool(evs)
            cells.append({"html": mark(text, start, inside), "flagged": bool(evs), "ev": " ".join(evs),
                          "num": bool(re.fullmatch(r"[-−]?[\d,，.]+%?", text.strip()))})
        rows.append({"line": r["line"], "cells": cells})
    extra = [line_view(n) for n in range(t["line"], t["line_end"] + 1)
             if n not in covered and n <= len(lines) and lines[n - 1].strip()]
    return TableView(t["line"], t["line_end"], t.get("title"), t.get("unit"), t.get("columns", []), rows, extra,
                     any_flag)


def _flag_view(i: int, f: dict, rules: dict) -> dict:
    rule = rules.get(f["rule"], {})
    message = f["message"]
    prefix = f"[{f['rule']}] "
    if message.startswith(prefix):
        message = message[len(prefix):]
    return {
        "i": i, "id": f.get("id") or f"flag{i}", "rule": f["rule"], "summary": rule.get("summary", ""),
        "name": rule.get("name", ""), "severity": f["severity"], "message": message, "stated": f.get("stated"),
        "expected": f.get("expected"), "arithmetic": f.get("arithmetic"), "section": f.get("section", []),
        "waived": bool(f.get("waived")), "waiver": f.get("waiver") or {},
        "basis": BASIS.get(f.get("basis") or "", f.get("basis") or ""),
        "confidence": f.get("confidence") or "", "confidence_label": CONFIDENCE.get(f.get("confidence") or "", ""),
        "downgraded": f.get("downgraded"),
        "review": _review_view(f.get("review")),
        "evidence": [{"key": f"f{i}e{j}", **e} for j, e in enumerate(f["evidence"])],
        "quotes": [e["quote"] for e in f["evidence"]],
        "lines": sorted({e["line"] for e in f["evidence"]}),
        "first_line": min((e["line"] for e in f["evidence"]), default=0),
    }


REVIEW = {"confirmed": "已确认", "dismissed": "已驳回"}
OUTCOME = {"failed": "发现问题", "held": "成立", "evaluated": "无可核对", "errored": "出错"}


def _review_view(review: dict | None) -> dict | None:
    """A decision brought back from a review file, for the card (None: none, or unusable)."""
    if not isinstance(review, dict) or review.get("decision") not in REVIEW:
        return None
    return {"decision": review["decision"], "label": REVIEW[review["decision"]],
            "note": str(review.get("note") or ""), "file": str(review.get("file") or "")}


def rule_table(data: dict) -> list[dict]:
    """Per rule over the corpus: documents by outcome, flags raised, figures compared, and
    the first error message. Empty when no document carries rule outcomes (older results)."""
    rules = data.get("rules", {})
    rows: dict[str, dict] = {}
    for d in data["documents"]:
        for o in d.get("rule_outcomes") or []:
            row = rows.setdefault(o["rule"], {"rule": o["rule"], "kind": o.get("kind") or "",
                                              **{k: 0 for k in OUTCOME}, "flags": 0, "claims": 0, "errors": []})
            status = o.get("status")
            if status in OUTCOME:
                row[status] += 1
            row["flags"] += int(o.get("flags") or 0)
            row["claims"] += int(o.get("claims") or 0)
            if status == "errored" and o.get("error") and len(row["errors"]) < 3:
                where = "；".join(o.get("patterns") or [])
                row["errors"].append(f"{Path(d.get('path') or '').name}: {o['error']}" + (f"（{where}）" if where else ""))
    out = []
    for rid in sorted(rows):
        row = rows[rid]
        row["documents"] = sum(row[k] for k in OUTCOME)
        row["summary"] = rules.get(rid, {}).get("summary", "")
        row["name"] = rules.get(rid, {}).get("name", "")
        out.append(row)
    return sorted(out, key=lambda r: (-r["errored"], -r["flags"], r["rule"]))


def run_view(data: dict) -> dict | None:
    """The run's metadata (tool, version, catalogue hash, start, seconds); None for older results."""
    run = data.get("run")
    if not isinstance(run, dict):
        return None
    return {"tool": str(run.get("tool") or "auditor"), "version": str(run.get("version") or "?"),
            "catalogue": str(run.get("catalogue") or "?"), "started": str(run.get("started") or "?"),
            "seconds": run.get("seconds")}


def page_name(index: int, doc: dict) -> str:
    """A file name made from the index and the safe characters of the document's name."""
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", Path(doc.get("path") or "doc").name)
    safe = re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("_")[:48] or "doc"
    return f"{index + 1:03d}-{safe}.html"


def _counts(doc: dict) -> dict:
    active = [f for f in doc["flags"] if not f.get("waived")]
    by = {s: sum(1 for f in active if f["severity"] == s) for s in SEVERITY}
    statuses = [c.get("status") for c in doc.get("claim_list", [])]
    return {**by, "waived": len(doc["flags"]) - len(active), "active": len(active),
            "contradicted": statuses.count("contradicted"),
            "pct": round(100 * doc["verified"] / doc["claims"]) if doc.get("claims") else None}


def _chart(data: dict) -> dict:
    """Flags by rule across the corpus, as bars (active by severity, waived apart)."""
    tally: dict[str, dict[str, int]] = {}
    for d in data["documents"]:
        for f in d["flags"]:
            row = tally.setdefault(f["rule"], {"error": 0, "warning": 0, "info": 0, "waived": 0})
            row["waived" if f.get("waived") else f["severity"]] += 1
    rules = data.get("rules", {})
    bars = sorted(tally.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    top = max((sum(v.values()) for _, v in bars), default=1)
    label_w, bar_w, row_h = 190, 360, 26
    out = []
    for n, (rule, counts) in enumerate(bars):
        x = label_w
        segs = []
        for key in ("error", "warning", "info", "waived"):
            if counts[key]:
                w = max(2, round(bar_w * counts[key] / top))
                segs.append({"x": x, "w": w, "cls": key, "n": counts[key]})
                x += w
        out.append({"rule": rule, "y": n * row_h, "segs": segs, "total": sum(counts.values()), "end": x,
                    "summary": rules.get(rule, {}).get("summary", ""), "counts": counts})
    return {"bars": out, "height": max(1, len(out)) * row_h, "width": label_w + bar_w + 60, "label_w": label_w}


def _document_row(i: int, d: dict, rules: dict) -> dict:
    """A document's row of the index: its page, counts and flag views."""
    return {"i": i, "doc": d, "page": page_name(i, d), "name": Path(d.get("path") or "").name,
            "counts": _counts(d), "flags": [_flag_view(j, f, rules) for j, f in enumerate(d["flags"])]}


def _render_common(assets: Assets, rules: dict, data: dict) -> dict:
    """What every page template gets, the index and the document pages alike."""
    return {"assets": assets, "csp": assets.csp, "rules": rules, "STATUS": STATUS, "SEVERITY": SEVERITY,
            "run": run_view(data), "OUTCOME": OUTCOME}


def _document_page_view(d: dict) -> dict:
    return document_view(d) if not d.get("error") else {"items": [], "has_source": False}


def write_html(data: dict, folder: Path) -> Path:
    """Write index.html and one page per document into `folder`; returns index.html's path.

    A corpus larger than one index page gets a paged index (write_html_paged).
    """
    if len(data["documents"]) > PAGE_SIZE:
        meta = {k: v for k, v in data.items() if k != "documents"}
        return write_html_paged(meta, lambda: data["documents"], folder)
    env = _env()
    assets = load_assets()
    rules = data.get("rules", {})
    docs = [_document_row(i, d, rules) for i, d in enumerate(data["documents"])]
    totals = {
        "documents": len(docs), "unreadable": sum(1 for x in docs if x["doc"].get("error")),
        "claims": sum(x["doc"].get("claims") or 0 for x in docs),
        "verified": sum(x["doc"].get("verified") or 0 for x in docs),
        **{s: sum(x["counts"][s] for x in docs) for s in (*SEVERITY, "waived", "contradicted")},
    }
    totals["pct"] = round(100 * totals["verified"] / totals["claims"]) if totals["claims"] else None
    common = _render_common(assets, rules, data)
    folder.mkdir(parents=True, exist_ok=True)
    index = env.get_template("index.html.j2").render(
        docs=docs, totals=totals, chart=_chart(data), waivers=data.get("waivers"), rule_rows=rule_table(data),
        **common)
    write_atomic(folder / "index.html", index)
    page = env.get_template("document.html.j2")
    for x in docs:
        write_atomic(folder / x["page"], page.render(d=x, view=_document_page_view(x["doc"]), **common))
    return folder / "index.html"


# ---- paged index, for corpora of any size ------------------------------------------------
# One index page listing 10,000 documents and their 50,000 flags is a 100 MB page no browser
# uses: the index is cut into pages of PAGE_SIZE documents (index.html, index-2.html, …), each
# with the corpus-wide overview and chart, a pager, and the documents and flags of its page.

PAGE_SIZE = 500


def index_page_name(page: int) -> str:
    return "index.html" if page == 1 else f"index-{page}.html"


def _slim(d: dict) -> dict:
    """What an index row needs of a document (no text, no claim list)."""
    return {k: v for k, v in d.items() if k not in ("source", "claim_list", "unverified_claims")}


def attach_source(d: dict, store=None) -> bool:
    """Give `d` its `source` from the store, else from its file when the file's text still has the same hash."""
    if d.get("source") or d.get("error") or not d.get("sha256"):
        return bool(d.get("source"))
    if store is not None:
        src = store.get(d["sha256"])
        if src is not None:
            d["source"] = src
            return True
    from auditor.ingest import load_document  # the readers are needed only when a page lacks its text
    from auditor.report.json_report import source_dict, text_sha256

    try:
        doc = load_document(Path(d["path"]))
    except Exception:  # noqa: BLE001 - moved, changed or unreadable: the page lists the flags only
        return False
    if text_sha256(doc.text) == d["sha256"]:
        d["source"] = source_dict(doc)
        return True
    return False


def _streamed_totals(documents: Callable[[], Iterable[dict]], rules: dict) -> tuple[dict, dict]:
    """The corpus totals and the chart, from one pass over `documents()`."""
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
    return totals, chart


def _pager(page: int, pages: int, page_size: int, rows: int, documents: int) -> dict:
    first = (page - 1) * page_size
    return {"page": page, "pages": pages, "size": page_size, "first": first + 1, "last": first + rows,
            "links": [{"n": n, "href": index_page_name(n), "first": (n - 1) * page_size + 1,
                       "last": min(n * page_size, documents)} for n in range(1, pages + 1)]}


def _remove_stale_index_pages(folder: Path, pages: int) -> None:
    """Index pages of an earlier, larger report in the same folder."""
    for stale in folder.glob("index-*.html"):
        try:
            n = int(stale.stem.split("-", 1)[1])
        except ValueError:
            continue
        if n > pages:
            stale.unlink()


def write_html_paged(meta: dict, documents: Callable[[], Iterable[dict]], folder: Path,
                     store=None, page_size: int | None = None) -> Path:
    """index.html (+ index-N.html) and one page per document; `documents()` is iterated three times
    (totals and chart, the rule table, the pages), one document at a time."""
    page_size = page_size or PAGE_SIZE
    env = _env()
    rules = meta.get("rules", {})
    totals, chart = _streamed_totals(documents, rules)
    pages = max(1, -(-totals["documents"] // page_size))
    rule_rows = rule_table({"documents": ({"path": d.get("path"), "rule_outcomes": d.get("rule_outcomes")}
                                          for d in documents()), "rules": rules})
    common = _render_common(load_assets(), rules, meta)
    folder.mkdir(parents=True, exist_ok=True)
    index_t, page_t = env.get_template("index.html.j2"), env.get_template("document.html.j2")
    rows: list[dict] = []
    page = 1

    def flush_index() -> None:
        html = index_t.render(docs=rows, totals=totals, chart=chart, waivers=meta.get("waivers"),
                              pager=_pager(page, pages, page_size, len(rows), totals["documents"]),
                              rule_rows=rule_rows, **common)
        write_atomic(folder / index_page_name(page), html)

    for i, d in enumerate(documents()):
        x = _document_row(i, d, rules)
        if not d.get("error"):
            attach_source(d, store)
        write_atomic(folder / x["page"], page_t.render(d=x, view=_document_page_view(d), **common))
        x["doc"] = _slim(d)
        rows.append(x)
        if len(rows) == page_size:
            flush_index()
            rows, page = [], page + 1
    if rows or page == 1:
        flush_index()
    _remove_stale_index_pages(folder, pages)
    return folder / "index.html"
