"""Review decisions: flags a reviewer dismissed (waivers) or confirmed, brought back into a run.

A dismissed flag is reported as waived, not as new; a confirmed one stays what it was and
carries the decision and note (`review` on the flag), so the XLSX, the re-rendered HTML and
the next reviewer see what was decided. Two inputs, one meaning:
- the JSON a reviewer exports from the HTML report (`auditor.review/1`): each decision,
  "dismissed" or "confirmed", with its note;
- a hand-written YAML (or JSON) list:

```yaml
waivers:
  - sha256: 9f2c…            # the document's content hash (shown on its HTML page); or
    document: 003_21d9.txt   # a path or file name, when the text may change
    rule: code.function_label
    quote: 一般公共服务（204类）   # or quotes: [...]; each must be one of the flag's quotes
    line: 1627               # optional: narrows the match when several flags quote the same text
    note: 模板套用错误，已与单位核实
    decision: dismissed      # the default; confirmed keeps the flag and records the note
```

A waiver matches a flag when the document (content hash, else path) and the rule are the
same and every quote it names is quoted by the flag. Lines only choose among flags that
match already. Waivers that match nothing any more are listed as stale.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

import yaml

REVIEW_SCHEMA = "auditor.review/1"


class WaiverError(Exception):
    """A waiver file that cannot be used; the message names the file and entry."""


@dataclass
class Waiver:
    rule: str
    quotes: list[str]
    sha256: str | None = None
    document: str | None = None
    lines: list[int] = field(default_factory=list)
    note: str = ""
    id: str | None = None
    index: int = 0  # position in the file, for messages
    decision: str = "dismissed"  # dismissed: a waiver; confirmed: the flag stands, with the note

    def to_dict(self) -> dict:
        return {"rule": self.rule, "quotes": self.quotes, "sha256": self.sha256, "document": self.document,
                "lines": self.lines, "note": self.note, "id": self.id, "index": self.index,
                "decision": self.decision}

    def describe(self) -> str:
        where = self.document or (self.sha256 or "")[:12]
        quotes = "、".join(f"“{q}”" for q in self.quotes)
        return f"#{self.index + 1} {where} {self.rule} {quotes}"


MAX_WAIVER_BYTES = 10 * 1024 * 1024  # thousands of decisions fit in well under a megabyte
MAX_DEPTH = 16
ENTRY_KEYS = {"id", "document", "sha256", "rule", "quote", "quotes", "line", "lines", "decision", "note", "time"}
TOP_KEYS = {"schema", "exported", "decisions", "waivers"}
DECISIONS = {"dismissed", "confirmed", None}


class _WaiverLoader(yaml.SafeLoader):
    """safe_load's constructors, but no aliases (no "billion laughs") and no deep nesting."""

    _depth = 0

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(problem=f"不支持 YAML 别名“*{event.anchor}”（可被用来制造膨胀），请直接写出内容",
                                       problem_mark=event.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.MarkedYAMLError(problem=f"嵌套超过 {MAX_DEPTH} 层", problem_mark=self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _read_yaml(path: Path, text: str) -> tuple[Any, yaml.Node | None]:
    loader = _WaiverLoader(text)
    try:
        root = loader.get_single_node()
        return (loader.construct_document(root) if root is not None else None), root
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise WaiverError(f"{where}: 豁免文件既不是有效的 JSON 也不是有效的 YAML: {problem}") from None
    except RecursionError:
        raise WaiverError(f"{path}: 豁免文件嵌套过深，无法读取") from None
    finally:
        loader.dispose()


def _entry_nodes(root: yaml.Node | None) -> list[yaml.Node]:
    """The YAML nodes of the entries, in order, to name their lines."""
    if isinstance(root, yaml.MappingNode):
        for k, v in root.value:
            if isinstance(k, yaml.ScalarNode) and k.value in ("decisions", "waivers"):
                return v.value if isinstance(v, yaml.SequenceNode) else []
        return []
    return root.value if isinstance(root, yaml.SequenceNode) else []


def _key_line(node: yaml.Node | None, key: str) -> int | None:
    if isinstance(node, yaml.MappingNode):
        for k, _v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return k.start_mark.line + 1
    return node.start_mark.line + 1 if node is not None else None


def load_waivers(path: Path) -> list[Waiver]:
    """Read a review export (JSON) or a hand-written YAML/JSON list; WaiverError names file:line."""
    path = Path(path)
    data, root = _parse(path, _read_text(path))
    where = _Where(path, _entry_nodes(root))
    out: list[Waiver] = []
    for i, e in enumerate(_entries(path, data, root)):
        w = _entry(e, i, where)
        if w is not None:
            out.append(w)
    return out


def _read_text(path: Path) -> str:
    """The file's text, refused when too large or not UTF-8 (a BOM is dropped: Excel and Notepad write one)."""
    try:
        size = path.stat().st_size
        if size > MAX_WAIVER_BYTES:
            raise WaiverError(f"{path}: 豁免文件过大（{size:,} 字节，上限 {MAX_WAIVER_BYTES:,}），未读取")
        return path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise WaiverError(f"{path}: 豁免文件无法读取: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise WaiverError(f"{path}: 豁免文件不是 UTF-8 编码（第 {exc.start} 个字节），请另存为 UTF-8") from None


def _parse(path: Path, text: str) -> tuple[Any, yaml.Node | None]:
    """(data, YAML node tree): JSON first (the review export); YAML, with its nodes to name lines, else."""
    try:
        return json.loads(text), None
    except RecursionError:
        raise WaiverError(f"{path}: 豁免文件嵌套过深，无法读取") from None
    except ValueError:
        return _read_yaml(path, text)


@dataclass(frozen=True)
class _Where:
    """Names entry `i` (and the line of its `key`) in messages; a JSON file has no nodes, so no line."""

    path: Path
    nodes: list[yaml.Node]

    def __call__(self, i: int | None = None, key: str | None = None) -> str:
        if i is None or i >= len(self.nodes):
            return f"{self.path}" + ("" if i is None else f": 第 {i + 1} 条豁免")
        line = _key_line(self.nodes[i], key) if key else self.nodes[i].start_mark.line + 1
        return f"{self.path}:{line}: 第 {i + 1} 条豁免"


def _entries(path: Path, data: Any, root: yaml.Node | None) -> list:
    """The list of entries: the file itself, or its `decisions` (review export) or `waivers` key."""
    if isinstance(data, dict):
        unknown = sorted(set(map(str, data)) - TOP_KEYS)
        if unknown:
            line = _key_line(root, unknown[0]) if root is not None else None
            raise WaiverError(f"{path}{f':{line}' if line else ''}: 未知字段“{unknown[0]}”（可用: {', '.join(sorted(TOP_KEYS))}）")
        entries = data.get("decisions", data.get("waivers"))
        if entries is None:
            raise WaiverError(f"{path}: 应包含 decisions（审阅导出）或 waivers 列表")
    else:
        entries = data
    if not isinstance(entries, list):
        raise WaiverError(f"{path}: 豁免条目应为列表")
    return entries


def _entry(e: Any, i: int, where: _Where) -> Waiver | None:
    """Entry `i` checked field by field (the first problem is raised); None for a note without a decision."""
    import difflib

    if not isinstance(e, dict):
        raise WaiverError(f"{where(i)}应为映射")
    unknown = sorted(set(map(str, e)) - ENTRY_KEYS)
    if unknown:
        close = difflib.get_close_matches(unknown[0], sorted(ENTRY_KEYS), 1, 0.6)
        raise WaiverError(f"{where(i, unknown[0])}有未知字段“{unknown[0]}”"
                          + (f"，是否想写“{close[0]}”？" if close else f"（可用: {', '.join(sorted(ENTRY_KEYS))}）"))
    decision = e.get("decision", "dismissed")
    if decision not in DECISIONS:
        raise WaiverError(f"{where(i, 'decision')}的 decision 应为 dismissed 或 confirmed，而不是“{decision}”")
    if decision is None:
        return None  # a note without a decision (cleared in the page) decides nothing
    rule = e.get("rule")
    if not isinstance(rule, str) or not rule:
        raise WaiverError(f"{where(i)}缺少 rule")
    quotes = _quotes(e, i, where)
    if not e.get("sha256") and not e.get("document"):
        raise WaiverError(f"{where(i)}缺少 sha256 或 document")
    for key in ("sha256", "document", "id"):
        if e.get(key) is not None and not isinstance(e[key], str):
            raise WaiverError(f"{where(i, key)}的 {key} 应为文字")
    lines = _lines(e, i, where)
    note = e.get("note")
    if note is not None and not isinstance(note, (str, int, float)):
        raise WaiverError(f"{where(i, 'note')}的 note 应为文字")
    return Waiver(rule, quotes, e.get("sha256") or None, e.get("document") or None,
                  lines, str(note or ""), e.get("id"), i, decision)


def _quotes(e: dict, i: int, where: _Where) -> list[str]:
    """`quotes` (a list, or one text) or `quote`: at least one, none empty — a waiver matches by quote."""
    quotes = e.get("quotes", [e["quote"]] if "quote" in e else None)
    if isinstance(quotes, str):
        quotes = [quotes]
    if not isinstance(quotes, list) or not quotes or not all(isinstance(q, str) and q for q in quotes):
        raise WaiverError(f"{where(i)}缺少 quote/quotes（按引用原文匹配，不只按行号）")
    return list(quotes)


def _lines(e: dict, i: int, where: _Where) -> list[int]:
    """`lines` or `line`: positive line numbers (a bool is not a number here), or none."""
    lines = e.get("lines", [e["line"]] if "line" in e else [])
    if isinstance(lines, int) and not isinstance(lines, bool):
        lines = [lines]
    if not isinstance(lines, list) or not all(isinstance(x, int) and not isinstance(x, bool) and x > 0 for x in lines):
        raise WaiverError(f"{where(i, 'lines' if 'lines' in e else 'line')}的 line/lines 应为正整数（行号）")
    return list(lines)


def _same_document(w: Waiver, doc: dict) -> bool:
    if w.sha256:
        return doc.get("sha256") == w.sha256
    path = doc.get("path") or ""
    return path == w.document or PurePath(path).name == PurePath(w.document or "").name


def _matches(w: Waiver, flag: dict) -> bool:
    quoted = {e["quote"] for e in flag.get("evidence", [])}
    return flag["rule"] == w.rule and all(q in quoted for q in w.quotes)


class WaiverSet:
    """Waivers applied document by document (as a corpus run finishes each), stale ones at the end."""

    def __init__(self, waivers: list[Waiver], source: str | None = None):
        self.waivers = waivers
        self.source = source
        self.used: set[int] = set()
        self.applied = 0
        self.confirmed = 0

    def apply_document(self, doc: dict) -> dict:
        """Mark the flags of one document dict that a waiver matches (in place)."""
        if doc.get("error"):
            return doc
        for w in self.waivers:
            if not _same_document(w, doc):
                continue
            candidates = [f for f in doc.get("flags", []) if _matches(w, f)]
            if w.id and any(f.get("id") == w.id for f in candidates):
                candidates = [f for f in candidates if f.get("id") == w.id]
            elif w.lines:
                on_line = [f for f in candidates if set(w.lines) & {e["line"] for e in f["evidence"]}]
                candidates = on_line or candidates
            for f in candidates:
                self.used.add(w.index)
                f["review"] = {"decision": w.decision, "note": w.note, "file": self.source, "index": w.index}
                if w.decision == "confirmed":
                    self.confirmed += 1
                    continue
                if not f.get("waived"):
                    self.applied += 1
                f["waived"] = True
                f["waiver"] = {"note": w.note, "file": self.source, "index": w.index}
        return doc

    def stale(self) -> list[dict]:
        return [w.to_dict() for w in self.waivers if w.index not in self.used]

    def summary(self) -> dict:
        """count and applied: the dismissals and the flags they waived (as before confirmations
        came back); confirmed: the flags a confirmation matched (an added field)."""
        dismissals = sum(1 for w in self.waivers if w.decision == "dismissed")
        return {"file": self.source, "count": dismissals, "applied": self.applied, "stale": self.stale(),
                "confirmed": self.confirmed}


def apply_waivers(data: dict, waivers: list[Waiver], source: str | None = None) -> dict:
    """Mark waived flags in a result dict (in place) and record which waivers are stale."""
    ws = WaiverSet(waivers, source)
    for d in data["documents"]:
        ws.apply_document(d)
    data["waivers"] = ws.summary()
    return data


def review_export(data: dict, decisions: dict[str, dict]) -> dict:
    """The auditor.review/1 document for decisions keyed by flag id (used by tests and the API)."""
    out = []
    for d in data["documents"]:
        for f in d.get("flags", []):
            dec = decisions.get(f.get("id"))
            if dec:
                out.append({"id": f["id"], "document": d["path"], "sha256": d.get("sha256"), "rule": f["rule"],
                            "quotes": [e["quote"] for e in f["evidence"]],
                            "lines": sorted({e["line"] for e in f["evidence"]}),
                            "decision": dec["decision"], "note": dec.get("note", "")})
    return {"schema": REVIEW_SCHEMA, "decisions": out}


def describe_stale(stale: list[dict]) -> list[str]:
    return [Waiver(**{k: v for k, v in s.items()}).describe() for s in stale]
