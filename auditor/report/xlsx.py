"""`--xlsx`: a workbook for auditors who share spreadsheets.

Sheets: 问题 (one row per flag, with the reviewer's decision and note when --waivers/--review
brought them back: 审阅 已确认/已驳回, 审阅备注), 文档 (one row per document), 未核验数字 (claims no check
used), and 豁免 when waivers were given. Each has a frozen header row, filters, and column
widths fitted to the content (CJK characters count double). Text that a spreadsheet
would take for a formula is stored as text.
"""

from __future__ import annotations

import datetime as _dt
import unicodedata
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from auditor.report.html import BASIS, CONFIDENCE, FAMILY, KIND, SEVERITY, page_name

FLAG_COLUMNS = ["文档", "单位", "章节", "规则", "规则说明", "严重程度", "状态", "问题", "写为", "应为", "算式",
                "引用原文", "行", "页", "豁免说明", "问题 id", "依据", "可信度", "降级原因", "审阅", "审阅备注"]
REVIEW = {"confirmed": "已确认", "dismissed": "已驳回"}
_FILL = {"error": "FDECEA", "warning": "FFF4E0", "info": "E8F0FE"}
_FIXED = _dt.datetime(2000, 1, 1)  # document properties stay fixed so the same results give the same file


def _width(value) -> int:
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def flag_rows(data: dict) -> list[list]:
    """The rows of the flags sheet (also the CSV's rows)."""
    rules = data.get("rules", {})
    rows = []
    for d in data["documents"]:
        for f in d["flags"]:
            ev = f["evidence"]
            review = f.get("review") or {}
            status = "已豁免" if f.get("waived") else "已确认" if review.get("decision") == "confirmed" else "待审阅"
            rows.append([
                d["path"], d.get("unit_name") or "", " › ".join(f.get("section", [])), f["rule"],
                rules.get(f["rule"], {}).get("summary", ""), SEVERITY.get(f["severity"], f["severity"]),
                status, f["message"], f.get("stated") or "", f.get("expected") or "",
                f.get("arithmetic") or "", "；".join(e["quote"] for e in ev),
                "、".join(str(n) for n in sorted({e["line"] for e in ev})),
                "、".join(str(n) for n in sorted({e["page"] for e in ev if e.get("page") is not None})),
                (f.get("waiver") or {}).get("note", "") if f.get("waived") else "", f.get("id") or "",
                BASIS.get(f.get("basis") or "", f.get("basis") or ""),
                CONFIDENCE.get(f.get("confidence") or "", f.get("confidence") or ""), f.get("downgraded") or "",
                REVIEW.get(review.get("decision") or "", ""), review.get("note") or "",
            ])
    return rows


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[list], first: bool = False,
           severity_col: int | None = None, wrap: set[int] = frozenset()):
    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    ws.append(header)
    for row in rows:
        ws.append(row)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E5E7EB")
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if cell.data_type == "f":  # document text such as "=1+1" is text, never a formula
                cell.data_type = "s"
            if cell.column - 1 in wrap:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        if severity_col is not None:
            sev = {v: k for k, v in SEVERITY.items()}.get(row[severity_col].value)
            if sev in _FILL:
                row[severity_col].fill = PatternFill("solid", fgColor=_FILL[sev])
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
    for i, name in enumerate(header):
        widest = max([_width(name)] + [_width(r[i]) for r in rows[:2000]])
        ws.column_dimensions[get_column_letter(i + 1)].width = min(max(8, widest + 2), 60 if i in wrap else 40)
    return ws


def write_xlsx(data: dict, path: Path) -> None:
    wb = Workbook()
    flags = flag_rows(data)
    _sheet(wb, "问题", FLAG_COLUMNS, flags, first=True, severity_col=5, wrap={7, 10})
    docs = []
    for i, d in enumerate(data["documents"]):
        active = [f for f in d["flags"] if not f.get("waived")]
        docs.append([d["path"], d.get("unit_name") or "", FAMILY.get(d.get("family") or "unknown", d.get("family")),
                     d.get("year"), d.get("claims"), d.get("verified"), d.get("unverified"),
                     sum(1 for f in active if f["severity"] == "error"),
                     sum(1 for f in active if f["severity"] == "warning"),
                     sum(1 for f in active if f["severity"] == "info"),
                     len(d["flags"]) - len(active), d.get("error") or "", d.get("sha256") or "", page_name(i, d)])
    _sheet(wb, "文档", ["文档", "单位", "类型", "年度", "数字声明", "已核验", "未核验", "错误", "警告", "提示", "已豁免",
                      "读取错误", "内容哈希", "HTML 页面"], docs)
    claims = []
    for d in data["documents"]:
        for c in d.get("unverified_claims", []):
            claims.append([d["path"], c["line"], c.get("page"), c["quote"], KIND.get(c["kind"], c["kind"]), c.get("subject") or "",
                           c.get("concept") or "", c.get("role") or "", " › ".join(c.get("section", []))])
    _sheet(wb, "未核验数字", ["文档", "行", "页", "原文", "类型", "主体", "概念", "角色", "章节"], claims)
    w = data.get("waivers")
    if w and w.get("stale"):
        _sheet(wb, "失效豁免", ["序号", "规则", "引用原文", "内容哈希", "文档", "行", "说明"],
               [[s["index"] + 1, s["rule"], "；".join(s["quotes"]), s.get("sha256") or "", s.get("document") or "",
                 "、".join(map(str, s.get("lines") or [])), s.get("note") or ""] for s in w["stale"]])
    wb.properties.creator = "auditor"
    wb.properties.created = _FIXED
    wb.properties.modified = _FIXED
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    wb.save(tmp)
    tmp.replace(path)
