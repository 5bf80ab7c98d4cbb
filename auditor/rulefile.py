"""Reading a rule file safely and saying where it is wrong: the loader's toolbox.

Rule files are untrusted input written by people. This module reads one file (size, encoding,
one YAML document, no aliases, no duplicate keys, no numbers YAML would silently change),
maps a pydantic error location back to the file's line and column, explains schema errors in
Chinese, and compiles and times a rule's regular expressions. It knows nothing of the check
kinds, so both the catalogue loader and the kinds' parameter validation (checks/validate.py)
can use it.
"""

from __future__ import annotations

import difflib
import string
import types
import typing
from pathlib import Path
from typing import Any

import regex
import yaml
from pydantic import BaseModel, ValidationError

from auditor.rules_model import RuleError

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"

MAX_FILE_BYTES = 1_000_000  # a rule file is a page of YAML; the classification data is 30 kB
MAX_DEPTH = 32  # nesting levels of YAML collections
PATTERN_TIMEOUT = 0.5  # seconds a rule's pattern may take on one of its own test texts
RULE_SUFFIXES = (".yaml", ".yml")
_ID_RE = regex.compile(r"^[a-z][a-z0-9_]*(?:[.\-][a-z0-9_]+)*$")


class _Reject(Exception):
    def __init__(self, mark: Any, reason: str):
        self.mark, self.reason = mark, reason


class _RuleLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases (no alias bomb can expand) and deep nesting."""

    _depth = 0

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Reject(event.start_mark, f"不支持 YAML 别名“*{event.anchor}”（锚点/别名可被用来制造"
                                            "“亿笑”式膨胀）：请把内容直接写出")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Reject(self.peek_event().start_mark, f"嵌套超过 {MAX_DEPTH} 层")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_YAML_HINTS = [
    ("cannot start any token", "YAML 不允许用 Tab 缩进，请改用空格"),
    ("mapping values are not allowed", "值中含有“: ”时请给整个值加引号"),
    ("expected <block end>", "缩进不一致"),
    ("could not find expected ':'", "缺少冒号，或多行文字未加引号"),
    ("found unexpected end of stream", "引号或括号没有闭合"),
    ("expected a single document", "一个规则文件只能含一个 YAML 文档（去掉多余的 ---）"),
]


def _yaml_error(path: Path, exc: yaml.YAMLError) -> RuleError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    hint = next((h for key, h in _YAML_HINTS if key in str(exc)), "")
    reason = f"YAML 语法错误: {problem}" + (f"（{hint}）" if hint else "")
    return RuleError(path, mark.line + 1 if mark else None, reason, mark.column + 1 if mark else None)


_FLOAT_TAG, _INT_TAG, _BOOL_TAG = ("tag:yaml.org,2002:float", "tag:yaml.org,2002:int",
                                    "tag:yaml.org,2002:bool")
_PLAIN_INT = regex.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_NUMBER_AS_TEXT = regex.compile(r"^[-+]?(?:\d[\d_]*\.?\d*|\.\d+)[eE][-+]?\d+$")


def _scan(node: yaml.Node, path: Path) -> None:
    """Duplicate keys, and unquoted scalars that YAML would read as something else."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, yaml.MappingNode):
            seen: dict[Any, yaml.Node] = {}
            for k, v in n.value:
                if isinstance(k, yaml.ScalarNode):
                    if k.value in seen:
                        first = seen[k.value]
                        raise RuleError(path, k.start_mark.line + 1,
                                        f"键“{k.value}”重复（第 {first.start_mark.line + 1} 行已有）：YAML 会静默"
                                        "丢弃前一个值", k.start_mark.column + 1)
                    seen[k.value] = k
                stack.extend([k, v])
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)
        elif isinstance(n, yaml.ScalarNode) and n.style is None:
            reason = None
            if n.tag == _FLOAT_TAG:
                reason = (f"数字 {n.value} 未加引号：YAML 会把它读成浮点数 {yaml.safe_load(n.value)!r}，"
                          f"丢失精度（如 0.10 变成 0.1）。请写成 \"{n.value}\"")
            elif n.tag == _INT_TAG and not _PLAIN_INT.match(n.value):
                reason = (f"数字 {n.value} 未加引号：YAML 会把它读成 {yaml.safe_load(n.value)!r}"
                          f"（前导 0、下划线或冒号有特殊含义）。请写成 \"{n.value}\"")
            elif n.tag == _BOOL_TAG and n.value.lower() not in ("true", "false"):
                reason = (f"“{n.value}”未加引号：YAML 会把它读成布尔值 {yaml.safe_load(n.value)!r}。"
                          f"若指文字请写成 \"{n.value}\"，若指真假请写 true 或 false")
            elif _NUMBER_AS_TEXT.match(n.value):
                reason = f"“{n.value}”未加引号：YAML 会把它读成文字而不是数字。请写成 \"{n.value}\""
            if reason:
                raise RuleError(path, n.start_mark.line + 1, reason, n.start_mark.column + 1)


def read_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    """The data and the composed node tree of one rule file (one parse, safe constructors only)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise RuleError(path, 1, f"文件过大（{size:,} 字节，上限 {MAX_FILE_BYTES:,}）：规则文件应短小，"
                                     "请拆分")
        raw = path.read_bytes()
    except OSError as exc:
        raise RuleError(path, None, f"无法读取: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise RuleError(path, line, "文件不是 UTF-8 编码：请另存为 UTF-8") from None
    loader = _RuleLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except _Reject as exc:
        raise RuleError(path, exc.mark.line + 1, exc.reason, exc.mark.column + 1) from None
    except yaml.YAMLError as exc:
        raise _yaml_error(path, exc) from None
    except RecursionError:
        raise RuleError(path, None, "嵌套过深，无法读取") from None
    finally:
        loader.dispose()
    if root is not None:
        try:
            _scan(root, path)
        except RuleError as exc:
            exc.rule_id = _data_id(data)
            raise
    return data, root


def _data_id(data: Any) -> str | None:
    rid = data.get("id") if isinstance(data, dict) else None
    return rid if isinstance(rid, str) and _ID_RE.match(rid) else None


# -- locating and explaining schema errors -----------------------------------------------------

def _line_of(node: yaml.Node | None) -> int | None:
    return node.start_mark.line + 1 if node is not None else None


def _col_of(node: yaml.Node | None) -> int | None:
    return node.start_mark.column + 1 if node is not None else None


def _node_for(root: yaml.Node, loc: tuple[Any, ...]) -> yaml.Node | None:
    """Walk a composed YAML tree along a pydantic error location to find its line.

    The last key of the location gives its key node (an unknown key points at itself);
    a key that is absent gives the mapping that lacks it (a missing field); location
    parts that name a union member ('list[CaseFlag]') are skipped.
    """
    node = root
    for i, key in enumerate(loc):
        if isinstance(node, yaml.MappingNode):
            found = None
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.value == str(key):
                    found = k if i == len(loc) - 1 else v
                    break
            if found is None:
                if i == len(loc) - 1:
                    return node
                continue
            node = found
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            if key >= len(node.value):
                return node
            node = node.value[key]
        elif isinstance(node, yaml.SequenceNode):
            continue
        else:
            return node
    return node


def _unwrap(tp: Any) -> Any:
    """The model (or container) a field annotation holds, through Optional/Union."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return args[0] if args else tp
    return tp


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    cur: Any = model
    for key in loc:
        cur = _unwrap(cur)
        if isinstance(cur, type) and issubclass(cur, BaseModel):
            if key not in cur.model_fields:
                return None
            cur = cur.model_fields[key].annotation
        elif typing.get_origin(cur) is list:
            cur = typing.get_args(cur)[0]
        elif typing.get_origin(cur) is dict:
            cur = typing.get_args(cur)[1]
        else:
            return None
    cur = _unwrap(cur)
    return cur if isinstance(cur, type) and issubclass(cur, BaseModel) else None


_TYPE_NAMES = {"str": "文字", "int": "整数", "float": "小数", "bool": "布尔值（true/false）", "list": "列表",
               "dict": "映射（键: 值）", "NoneType": "空值"}
_EXPECTED_TYPE = {"string_type": "文字", "list_type": "列表", "dict_type": "映射（键: 值）",
                  "int_type": "整数", "int_parsing": "整数", "bool_type": "布尔值（true/false）",
                  "bool_parsing": "布尔值（true/false）", "model_type": "映射（键: 值）",
                  "model_attributes_type": "映射（键: 值）", "int_from_float": "整数"}


def _explain(model: type[BaseModel], err: dict[str, Any], prefix: tuple[Any, ...] = ()) -> str:
    loc = tuple(x for x in err["loc"])
    where = ".".join(str(x) for x in (*prefix, *loc)) or "(顶层)"
    kind = err["type"]
    got = _TYPE_NAMES.get(type(err.get("input")).__name__, type(err.get("input")).__name__)
    if kind == "extra_forbidden":
        parent = _model_at(model, loc[:-1])
        allowed = [f for f in (parent.model_fields if parent else {}) if f != "path"]
        close = difflib.get_close_matches(str(loc[-1]), allowed, 1, 0.6)
        return (f"未知字段“{where}”" + (f"，是否想写“{close[0]}”？" if close else "")
                + (f"；此处允许的字段: {', '.join(allowed)}" if allowed else "；此处不接受任何字段"))
    if kind == "missing":
        return f"缺少必填字段“{where}”"
    if kind == "literal_error":
        expected = str(err.get("ctx", {}).get("expected", "")).replace(" or ", " 或 ")
        return f"“{where}”的值“{err.get('input')}”无效，应为 {expected}"
    if kind in _EXPECTED_TYPE:
        quote = "；若是文字请加引号" if kind == "string_type" and got in ("整数", "小数", "布尔值（true/false）") else ""
        return f"“{where}”应为{_EXPECTED_TYPE[kind]}，实际是{got}“{err.get('input')}”{quote}"
    if kind in ("too_short", "greater_than_equal"):
        return f"“{where}”的值太小或为空: {err['msg']}"
    return f"“{where}”: {err['msg']}"


def _validate(model: type[BaseModel], data: Any, path: Path, root: yaml.Node | None,
              prefix: tuple[Any, ...] = ()) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errs = exc.errors()
        # an unknown key says the most; then a missing field; then the rest, in order
        err = sorted(errs, key=lambda e: {"extra_forbidden": 0, "missing": 1}.get(e["type"], 2))[0]
        node = _node_for(root, (*prefix, *err["loc"])) if root is not None else None
        raise RuleError(path, _line_of(node), _explain(model, err, prefix), _col_of(node)) from None


def message_fields(message: str) -> list[str]:
    """The placeholder names of a message template ('{subject}写为{stated}' → subject, stated)."""
    out = []
    for _, name, _, _ in string.Formatter().parse(message):
        if name is not None:
            out.append(regex.split(r"[.\[]", name, maxsplit=1)[0])
    return out


def _compile(pattern: str, path: Path, node: yaml.Node | None, rule_id: str, what: str,
             texts: list[str]) -> None:
    """Compile a rule's own pattern and run it over the rule's test texts with a timeout."""
    try:
        compiled = regex.compile(pattern)
    except (regex.error, TypeError) as exc:
        raise RuleError(path, _line_of(node), f"{what} 的正则表达式“{pattern}”无法编译: {exc}",
                        _col_of(node), rule_id) from None
    if compiled.fullmatch("") is not None:
        raise RuleError(path, _line_of(node), f"{what} 的正则表达式“{pattern}”能匹配空文字，会处处命中",
                        _col_of(node), rule_id)
    for text in texts:
        try:
            compiled.search(text, timeout=PATTERN_TIMEOUT)
            compiled.search(text[::-1], timeout=PATTERN_TIMEOUT)
        except TimeoutError:
            raise RuleError(path, _line_of(node),
                            f"{what} 的正则表达式“{pattern}”在本规则的测试用例上超过 {PATTERN_TIMEOUT} 秒"
                            "（灾难性回溯），已拒绝：请去掉嵌套的重复，如 (a|aa)+", _col_of(node), rule_id) from None


# -- patterns under stress: adversarial text ---------------------------------------------------

_META = set("()[]{}|*+?.^$\\")
STRESS_LENGTH = 60  # characters of repeated text: Fibonacci-type backtracking needs about 30 to time out
_STRESS_TAILS = ("", "。", "x", "1", "\n")
# text any budget document is full of, when the pattern names no literal of its own
_GROUP_OPEN = regex.compile(r"\(\?(?:[:=!>|]|<[=!]|P?<\w+>|P=\w+\)|[a-zA-Z-]+:?)")
_STRESS_GENERIC = ("一", "a", "1", " ", "，", "本年度支出123.45万元，")


def pattern_literals(pattern: str) -> list[str]:
    """The literal runs of a pattern ('(自评|自评自评)+$' → 自评, 自评自评), and one character
    of each class ('[@＠]' → @): the text a rule's own pattern is most likely to backtrack on."""
    out: list[str] = []
    run, i = "", 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            if nxt.isalnum():  # \d \w \s \b ...: a class, not a literal
                out.append(run)
                run = ""
                out.append({"d": "1", "w": "一", "s": " "}.get(nxt.lower(), ""))
            else:
                run += nxt
            i += 2
            continue
        if ch == "[":
            out.append(run)
            run = ""
            end = pattern.find("]", i + 2)
            inner = pattern[i + 1:end if end > 0 else len(pattern)].lstrip("^")
            out.append(inner[:1] if inner[:1] not in ("\\", "") else "")
            i = end + 1 if end > 0 else len(pattern)
            continue
        if ch in _META:
            out.append(run)
            run = ""
            group = _GROUP_OPEN.match(pattern, i) if ch == "(" else None
            if group:  # (?: (?= (?<name> ...: the group's syntax is no literal
                i = group.end()
                continue
        else:
            run += ch
        i += 1
    out.append(run)
    return list(dict.fromkeys(x for x in out if x))


def stress_texts(pattern: str) -> list[str]:
    """Long repeats of the pattern's own literals (each, and all of them in turn), each followed
    by a character that may make the match fail at the very end, where backtracking explodes."""
    literals = pattern_literals(pattern)
    units = [*literals, "".join(literals)] if len(literals) > 1 else literals
    units += [u for u in _STRESS_GENERIC if u not in units]
    texts = []
    for u in dict.fromkeys(units):
        body = u * max(2, STRESS_LENGTH // len(u))
        texts += [body + tail for tail in _STRESS_TAILS]
    return texts


def stress_pattern(pattern: str, timeout: float = PATTERN_TIMEOUT) -> str | None:
    """The first adversarial text on which the pattern takes longer than `timeout`, or None."""
    try:
        compiled = regex.compile(pattern)
    except (regex.error, TypeError):
        return None  # reported by the loader
    for text in stress_texts(pattern):
        try:
            compiled.search(text, timeout=timeout)
        except TimeoutError:
            return text
    return None


def _stress_error(pattern: str, path: Path, node: yaml.Node | None, rule_id: str, what: str) -> RuleError | None:
    text = stress_pattern(pattern)
    if text is None:
        return None
    shown = text if len(text) <= 24 else f"{text[:12]}…（{len(text)} 字）"
    return RuleError(path, _line_of(node),
                     f"{what} 的正则表达式“{pattern}”在构造的文字“{shown}”上超过 {PATTERN_TIMEOUT} 秒"
                     "（灾难性回溯），运行时会超时：请去掉嵌套或重叠的重复，如 (a|aa)+、(.|..)+",
                     _col_of(node), rule_id)


def _value_node(root: yaml.Node, loc: tuple[Any, ...]) -> yaml.Node | None:
    """The value node at a location (where `_node_for` gives the key node of the last key)."""
    node: yaml.Node | None = root
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == str(key)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            return None
    return node


def _pattern_nodes(root: yaml.Node, dotted: str) -> list[yaml.Node | None]:
    node = _value_node(root, tuple(dotted.split(".")))
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return [node]


def _pairs(node: yaml.Node) -> list[tuple[yaml.Node, yaml.Node]]:
    return list(node.value) if isinstance(node, yaml.MappingNode) else []

