"""Load the rule catalogue (YAML) into validated models.

Rule files are untrusted input written by people, so loading is strict and every
mistake is reported as one Chinese message naming file:line:col (and the rule id
when it is known):

- the file: too large, not UTF-8, not YAML, several documents, nesting too deep,
  YAML aliases (``*name``: rejected outright, so an alias bomb cannot expand),
  duplicate keys;
- numbers YAML would change: ``0.10`` (read as 0.1), ``1e4`` (read as text),
  ``no`` (read as false), ``010`` (read as 8) must be quoted;
- the schema: unknown key (with a "did you mean"), missing field, wrong type,
  unknown kind (the valid ones listed), unknown or wrongly typed ``params``;
- ids: malformed, or used twice in one rules folder; a later folder (``--rules``)
  may deliberately override a rule of an earlier one by reusing its id;
- message placeholders the kind does not provide;
- patterns that do not compile, match the empty text, or time out on the rule's
  own test cases (``regex`` module timeout);
- test cases: duplicate case ids, no expectation, a flag expected from an
  unknown rule; concepts referenced by ``params`` that no lexicon defines.

``load_catalogue`` raises the first ``RuleError``; given ``errors=[]`` it
collects one error per broken file instead, skips those files and loads the rest.
"""

from __future__ import annotations

import difflib
import string
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import regex
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"

MAX_FILE_BYTES = 1_000_000  # a rule file is a page of YAML; the classification data is 30 kB
MAX_DEPTH = 32  # nesting levels of YAML collections
PATTERN_TIMEOUT = 0.5  # seconds a rule's pattern may take on one of its own test texts
RULE_SUFFIXES = (".yaml", ".yml")
_ID_RE = regex.compile(r"^[a-z][a-z0-9_]*(?:[.\-][a-z0-9_]+)*$")


class RuleError(Exception):
    """A rule file that cannot be used; str() is 'file:line:col: [rule-id] what is wrong'."""

    def __init__(self, path: Path | str, line: int | None, reason: str, column: int | None = None,
                 rule_id: str | None = None):
        self.path, self.line, self.reason = str(path), line, reason
        self.column, self.rule_id = column, rule_id
        super().__init__(self._text())

    def _text(self) -> str:
        where = f"{self.path}:{self.line or 1}" + (f":{self.column}" if self.column else "")
        return f"{where}: " + (f"[{self.rule_id}] " if self.rule_id else "") + self.reason

    def __str__(self) -> str:  # rule_id may be filled in after construction
        return self._text()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Concept(_Strict):
    name: str
    aliases: list[str]
    # names a table row uses for the concept that would be too vague in prose
    # ("政府采购情况/合计", "车辆数合计(辆)"); only matched against table labels
    table_aliases: list[str] = Field(default_factory=list)
    # fund scopes (names from the vocabulary's fund_scopes) the quantity lies in by definition
    # (三公经费 and 机关运行经费 are 一般公共预算财政拨款 figures): printed before the name,
    # such a scope restates it instead of naming another quantity
    own_scope: list[str] = Field(default_factory=list)


class CaseClaim(_Strict):
    quote: str
    kind: str | None = None
    concept: str | None = None
    role: str | None = None
    direction: int | None = None
    denominator: str | None = None
    rate_kind: str | None = None
    subject: str | None = None
    confidence: Literal["high", "low"] | None = None
    no_direction: bool | None = None  # true: the figure must have no direction (None)
    no_concept: bool | None = None  # true: the figure must belong to no lexicon concept


class CaseFlag(_Strict):
    rule: str
    line: int | None = None
    stated: str | None = None
    expected: str | None = None
    severity: str | None = None


class Case(_Strict):
    id: str
    text: str
    expect: list[CaseFlag] | None = None
    expect_claims: list[CaseClaim] | None = None
    # a known gap kept as a case: why it fails today. The case still runs; while it fails it is
    # reported as todo (xfail), and once it passes it fails, so the note cannot outlive the gap
    todo: str | None = None


class LexiconRule(_Strict):
    id: str
    kind: Literal["lexicon"]
    summary: str
    concepts: dict[str, Concept]
    tests: list[Case] = Field(default_factory=list)


class VocabularyRule(_Strict):
    id: str
    kind: Literal["claim_vocabulary"]
    summary: str
    change_up: list[str]
    change_down: list[str]
    change_flat: list[str]
    # template either-or wording (增加（减少）, 增（减）): a change with no direction
    change_either: list[str] = Field(default_factory=list)
    # comparisons with a base that make a money figure a difference (本年数小于上年预算数X万元)
    compare_up: list[str] = Field(default_factory=list)
    compare_down: list[str] = Field(default_factory=list)
    change_context: list[str]
    scope_qualifiers: list[str]
    # fund scopes by name and the words that print them (一般公共预算: 一般公共预算拨款, …):
    # before a 的 they qualify the noun after it (一般公共预算拨款安排的会议费)
    fund_scopes: dict[str, list[str]] = Field(default_factory=dict)
    subject_fillers: list[str]
    elliptical_aliases: list[str]
    share_markers: list[str]
    rate_markers: dict[str, list[str]]
    roles: dict[str, list[str]]
    tests: list[Case] = Field(default_factory=list)


class CheckRule(_Strict):
    id: str
    name: str
    summary: str
    severity: Literal["error", "warning", "info"]
    groups: list[str] = Field(default_factory=list)
    kind: str
    params: dict[str, Any] = Field(default_factory=dict)
    message: str
    tests: list[Case] = Field(default_factory=list)
    path: str = ""


# -- the parameters each check kind reads (validated; the kind gets the raw dict) -------------

ClaimKindName = Literal["amount", "change_amount", "change_rate", "share", "rate", "count", "score",
                        "percent", "other"]


class _NoParams(_Strict):
    pass


class IdentityItem(_Strict):
    name: str | None = None
    total: str
    parts: list[str] = Field(min_length=1)


class IdentityParams(_Strict):
    identities: list[IdentityItem] = Field(min_length=1)


class GroupItem(_Strict):
    name: str | None = None
    total: str
    parts: list[str] = Field(min_length=2)
    title: str | None = None  # regex the group's breakdown table title must match


class GroupShareParams(_Strict):
    groups: list[GroupItem] = Field(min_length=1)


def _concepts(**kw: Any) -> Any:
    """A parameter naming lexicon concept ids: each must exist once every lexicon is read."""
    return Field(json_schema_extra={"concept": True}, **kw)


class AgreeParams(_Strict):
    kinds: list[ClaimKindName] = Field(default_factory=lambda: ["amount", "count"])
    concepts: list[str] = _concepts(default_factory=list)  # empty: every concept


class CodeLabelParams(_Strict):
    section: str = "function"


class CodeTableParams(_Strict):
    section: str = "function"
    min_rows: int = Field(2, description="一张表中至少几行编码与名称不符（且名称是同级另一编码的名称）才提示")


class ItemRowParams(_Strict):
    min_score: str = Field("0.75", description="叙述名称与表格行名按词匹配的最低得分（行名中被覆盖的词所占比例）")


def _pattern(default: Any = ..., description: str = "", **kw: Any) -> Any:
    """A parameter that is a regular expression (or a list / mapping of them): compiled and timed at load time."""
    if "default_factory" in kw:
        return Field(description=description, json_schema_extra={"regex": True}, **kw)
    return Field(default, description=description, json_schema_extra={"regex": True})


class ScorePartsParams(_Strict):
    total_pattern: str | None = _pattern(None, "总分的引导词")
    part_pattern: str | None = _pattern(None, "分项得分的引导词")
    weights_pattern: str | None = _pattern(None, "表示分值（而非得分）的词")
    min_parts: int = Field(3, ge=1)


class BreakdownParams(_Strict):
    complete: str | None = _pattern(None, "引出全部明细的词（具体情况如下、分别为）")
    partial: str | None = _pattern(None, "引出部分明细的词（主要用于）")
    components: list[IdentityItem] = Field(default_factory=list)  # a total's named components


class EnumerationParams(_Strict):
    verb: str = _pattern(description="逐项列举所用的动词（正则片段）")
    unit: str
    concept: str = _concepts()


class FormLinkParams(_Strict):
    title: str | None = _pattern(None, "自评表标题")
    keys: dict[str, str] = _pattern(description="键单元格的正则：budget / executed / score / execution_score")
    columns: dict[str, str] = _pattern(default_factory=dict, description="资金表列名的正则")


class TableRateParams(_Strict):
    budget: str = _pattern(description="全年预算数列名")
    executed: str = _pattern(description="全年执行数列名")
    rate: str = _pattern(description="执行率列名")
    weight: str = _pattern(description="分值列名")
    score: str = _pattern(description="得分列名")
    score_rules: list[str] | None = None


class BlankTarget(_Strict):
    name: str
    title: str  # regex the table's title must match (the title names the quantity)
    names: str  # regex: the quantity's names in the narrative (a figure's subject, after 无/没有)
    concepts: list[str] = Field(default_factory=list)  # lexicon concepts that are the quantity or its parts
    exclude: str | None = None  # regex: a subject with these words is another quantity
    ignore_columns: str | None = None  # regex: columns of other quantities in the same table
    total: str | None = None  # the concept of the whole (of `concepts`): a part stated as 0 says nothing
    whole: str | None = None  # regex: a subject naming the whole quantity (not 项目支出 of it)


class BlankTableParams(_Strict):
    targets: list[BlankTarget] = Field(min_length=1)
    none_words: str | None = _pattern(None, "表示“没有”的词（无、没有、未发生）")


KIND_PARAMS: dict[str, type[BaseModel]] = {
    "change_rate": _NoParams,
    "change_direction": _NoParams,
    "share": _NoParams,
    "rate": _NoParams,
    "partsum": _NoParams,
    "identity": IdentityParams,
    "agree": AgreeParams,
    "code_label": CodeLabelParams,
    "score_parts": ScorePartsParams,
    "table_sum": _NoParams,
    "table_misread": _NoParams,
    "table_rate": TableRateParams,
    "enumeration": EnumerationParams,
    "form_link": FormLinkParams,
    "change_levels": _NoParams,
    "change_exceeds_level": _NoParams,
    "change_zero_base": _NoParams,
    "change_flat_levels": _NoParams,
    "compare_budget": _NoParams,
    "fund_scopes": _NoParams,
    "fund_parts": _NoParams,
    "item_row": ItemRowParams,
    "code_level": CodeLabelParams,
    "code_outdated": CodeLabelParams,
    "code_table": CodeTableParams,
    "year_scope": _NoParams,
    "share_of_group": GroupShareParams,
    "breakdown": BreakdownParams,
    "blank_table": BlankTableParams,
}
"""Parameter schema per kind. A kind missing here (a new one) gets its params unchecked."""


@dataclass
class Catalogue:
    concepts: dict[str, Concept]
    vocabulary: VocabularyRule
    checks: list[CheckRule]
    classification: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    lexicon_rules: list[LexiconRule] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # rule id → the file it came from

    def alias_table(self) -> list[tuple[str, str]]:
        """(alias, concept id), longest alias first so scoped names win."""
        pairs = [(a, cid) for cid, c in self.concepts.items() for a in c.aliases]
        return sorted(pairs, key=lambda p: len(p[0]), reverse=True)

    def rule(self, rule_id: str) -> CheckRule | LexiconRule | VocabularyRule | None:
        for r in [*self.checks, *self.lexicon_rules, self.vocabulary]:
            if r.id == rule_id:
                return r
        return None


# -- reading YAML safely -------------------------------------------------------------------

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


# -- rule-level checks -------------------------------------------------------------------------

def message_fields(message: str) -> list[str]:
    """The placeholder names of a message template ('{subject}写为{stated}' → subject, stated)."""
    out = []
    for _, name, _, _ in string.Formatter().parse(message):
        if name is not None:
            out.append(regex.split(r"[.\[]", name, maxsplit=1)[0])
    return out


def _check_message(rule: CheckRule, path: Path, root: yaml.Node) -> None:
    from auditor.checks.kinds import PLACEHOLDERS

    value_node = _value_node(root, ("message",))
    try:
        names = message_fields(rule.message)
    except ValueError as exc:
        raise RuleError(path, _line_of(value_node), f"message 模板格式错误（{exc}）；字面的花括号请写成 {{{{ 和 }}}}",
                        _col_of(value_node), rule.id) from None
    provided = PLACEHOLDERS.get(rule.kind)
    if provided is None:
        return
    for name in names:
        if name == "" or name.isdigit():
            raise RuleError(path, _line_of(value_node), "message 中的占位符必须有名字，如 {stated}",
                            _col_of(value_node), rule.id)
        if name not in provided:
            close = difflib.get_close_matches(name, sorted(provided), 1, 0.6)
            raise RuleError(path, _line_of(value_node),
                            f"message 中的占位符“{{{name}}}”不是 {rule.kind} 类型提供的"
                            + (f"，是否想写“{{{close[0]}}}”？" if close else "")
                            + f"；可用的占位符: {', '.join(sorted(provided))}",
                            _col_of(value_node), rule.id)


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


def stress_errors(catalogue: "Catalogue") -> list[RuleError]:
    """Each pattern of the catalogue's rule files tried on adversarial text (rules validate).

    The loader only runs a pattern over its rule's own test cases, so a catastrophic pattern
    with short tests loads; at run time it would time out on real text. This is slower than
    loading (a timeout costs PATTERN_TIMEOUT seconds), so only `rules validate` pays for it.
    """
    errors: list[RuleError] = []
    roots: dict[str, yaml.Node | None] = {}

    def root_of(path: str) -> yaml.Node | None:
        if path not in roots:
            try:
                roots[path] = read_yaml(Path(path))[1]
            except (RuleError, OSError):
                roots[path] = None
        return roots[path]

    for rule in catalogue.checks:
        path = catalogue.sources.get(rule.id) or rule.path
        for where, pattern in check_patterns(rule):
            root = root_of(path)
            nodes = _pattern_nodes(root, where) if root is not None else []
            err = _stress_error(pattern, Path(path), nodes[0] if nodes else None, rule.id, where)
            if err is not None:
                errors.append(err)
    vocab = catalogue.vocabulary
    vpath = catalogue.sources.get(vocab.id)
    if vpath:
        root = root_of(vpath)
        fillers = _pattern_nodes(root, "subject_fillers") if root is not None else []
        for i, (where, pattern) in enumerate(vocabulary_patterns(vocab)):
            node = (fillers[i] if where == "subject_fillers" and i < len(fillers)
                    else _node_for(root, (where,)) if root is not None else None)
            err = _stress_error(pattern, Path(vpath), node, vocab.id, where)
            if err is not None:
                errors.append(err)
    return errors


def _case_texts(tests: list[Case]) -> list[str]:
    return [c.text for c in tests]


def vocabulary_patterns(rule: VocabularyRule) -> list[tuple[str, str]]:
    """(field, pattern) for the vocabulary lists that are regular expressions, not literal words."""
    out = [("subject_fillers", p) for p in rule.subject_fillers]
    for name, value in rule:
        if name.endswith(("_pattern", "_patterns")):
            out += [(name, p) for p in (value if isinstance(value, list) else [value]) if isinstance(p, str)]
    return out


def check_patterns(rule: CheckRule) -> list[tuple[str, str]]:
    """(params key, pattern) for the params of a check that are regular expressions."""
    declared = _flagged(rule.kind, "regex")
    out = []
    for key, value in rule.params.items():
        if key in declared or key.endswith(("_pattern", "_patterns")):
            if isinstance(value, dict):
                out += [(f"params.{key}.{k}", p) for k, p in value.items() if isinstance(p, str)]
            else:
                out += [(f"params.{key}", p) for p in (value if isinstance(value, list) else [value])
                        if isinstance(p, str)]
    return out


def _flagged(kind: str, flag: str) -> set[str]:
    """The params of a kind whose schema marks them as `flag` (regex, concept)."""
    schema = KIND_PARAMS.get(kind)
    return {name for name, f in (schema.model_fields.items() if schema else [])
            if isinstance(f.json_schema_extra, dict) and f.json_schema_extra.get(flag)}


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


def _check_cases(tests: list[Case], path: Path, root: yaml.Node, rule_id: str) -> None:
    seen: set[str] = set()
    for i, case in enumerate(tests):
        node = _node_for(root, ("tests", i, "id"))
        if case.id in seen:
            raise RuleError(path, _line_of(node), f"测试用例 id“{case.id}”重复", _col_of(node), rule_id)
        seen.add(case.id)
        if case.expect is None and case.expect_claims is None:
            node = _node_for(root, ("tests", i))
            raise RuleError(path, _line_of(node), f"测试用例“{case.id}”既没有 expect 也没有 expect_claims："
                            "通过用例写 expect: []，失败用例写出期望的标记", _col_of(node), rule_id)
        if case.todo is not None and not case.todo.strip():
            node = _node_for(root, ("tests", i, "todo"))
            raise RuleError(path, _line_of(node), f"测试用例“{case.id}”的 todo 是空的：请写明它今天为什么不通过",
                            _col_of(node), rule_id)


def _validate_check(data: dict[str, Any], path: Path, root: yaml.Node) -> CheckRule:
    from auditor.checks.kinds import KINDS

    kind = data["kind"]
    if kind not in KINDS:  # before the schema: a wrong kind explains any other complaint
        node = _value_node(root, ("kind",))
        close = difflib.get_close_matches(kind, list(KINDS), 1, 0.6)
        raise RuleError(path, _line_of(node), f"未知的 kind“{kind}”"
                        + (f"，是否想写“{close[0]}”？" if close else "")
                        + f"；检查规则可用的 kind: {', '.join(KINDS)}（另有 lexicon、claim_vocabulary）",
                        _col_of(node))
    rule: CheckRule = _validate(CheckRule, {**data, "path": str(path)}, path, root)
    try:
        schema = KIND_PARAMS.get(rule.kind)
        if schema is not None:
            _validate(schema, rule.params, path, root, prefix=("params",))
        _check_message(rule, path, root)
        _check_cases(rule.tests, path, root, rule.id)
        for where, pattern in check_patterns(rule):
            nodes = _pattern_nodes(root, where)
            _compile(pattern, path, nodes[0] if nodes else None, rule.id, where, _case_texts(rule.tests))
    except RuleError as exc:
        exc.rule_id = exc.rule_id or rule.id
        raise
    return rule


def _validate_vocabulary(data: dict[str, Any], path: Path, root: yaml.Node) -> VocabularyRule:
    vocab: VocabularyRule = _validate(VocabularyRule, data, path, root)
    texts = _case_texts(vocab.tests)
    try:
        _check_cases(vocab.tests, path, root, vocab.id)
        for name, value in vocab:
            if name in ("id", "kind", "summary", "tests"):
                continue
            lists = value.values() if isinstance(value, dict) else [value]
            for words in lists:
                if isinstance(words, list) and any(w == "" for w in words):
                    node = _node_for(root, (name,))
                    raise RuleError(path, _line_of(node), f"{name} 中有空词，会处处命中", _col_of(node))
        fillers = _pattern_nodes(root, "subject_fillers")
        for i, (where, pattern) in enumerate(vocabulary_patterns(vocab)):
            node = fillers[i] if where == "subject_fillers" and i < len(fillers) else _node_for(root, (where,))
            _compile(pattern, path, node, vocab.id, where, texts)
    except RuleError as exc:
        exc.rule_id = exc.rule_id or vocab.id
        raise
    return vocab


def _validate_lexicon(data: dict[str, Any], path: Path, root: yaml.Node) -> LexiconRule:
    lex: LexiconRule = _validate(LexiconRule, data, path, root)
    try:
        _check_cases(lex.tests, path, root, lex.id)
        for cid, concept in lex.concepts.items():
            node = _node_for(root, ("concepts", cid))
            if not _ID_RE.match(cid):
                raise RuleError(path, _line_of(node), f"概念 id“{cid}”格式不对：应为小写英文、数字、下划线，"
                                "用点分段，如 expense.meeting", _col_of(node))
            if not concept.aliases or any(not a.strip() for a in concept.aliases):
                raise RuleError(path, _line_of(node), f"概念“{cid}”的 aliases 为空或含空别名", _col_of(node))
    except RuleError as exc:
        exc.rule_id = exc.rule_id or lex.id
        raise
    return lex


# -- the catalogue -----------------------------------------------------------------------------

@dataclass
class _Loaded:
    rule: CheckRule | LexiconRule | VocabularyRule
    path: Path
    root: yaml.Node
    source: int  # index of the rules folder (0: shipped, 1…: --rules)


def rule_files(source: Path) -> list[Path]:
    """The rule files of a folder (recursively, sorted), or the file itself."""
    source = Path(source)
    if source.is_file():
        return [source]
    return sorted(p for p in source.rglob("*") if p.suffix in RULE_SUFFIXES and p.is_file())


def load_catalogue(rules_dir: Path | None = None, extra_dirs: list[Path] | None = None, *,
                   errors: list[RuleError] | None = None) -> Catalogue:
    """Read every rule file of `rules_dir` (the shipped catalogue) and then of each extra folder.

    Ids are unique within one folder (and its subfolders); a rule in a later folder whose
    id is already used by an earlier folder replaces that rule (deliberate override), and
    so does a concept id in a later folder's lexicon. An extra source may also be a single
    rule file. Raises the first RuleError, or, with `errors=[]`, collects them (one per
    broken file) and loads every other file.
    """
    dirs = [Path(rules_dir or RULES_DIR), *(Path(d) for d in (extra_dirs or []))]

    def fail(exc: RuleError) -> None:
        if errors is None:
            raise exc
        errors.append(exc)

    loaded: dict[str, _Loaded] = {}
    vocabulary: _Loaded | None = None
    classification: dict[str, dict[str, list[str]]] = {}
    if not dirs[0].exists():
        raise RuleError(dirs[0], None, "规则目录不存在")
    for index, d in enumerate(dirs):
        if not d.exists():
            fail(RuleError(d, None, "规则目录或文件不存在"))
            continue
        for path in rule_files(d):
            try:
                item = _load_file(path, index, classification)
                if item is None:
                    continue
                rid = item.rule.id
                id_node = next((k for k, _ in item.root.value if k.value == "id"), None)
                if rid in loaded and loaded[rid].source == index:
                    prev = loaded[rid]
                    raise RuleError(path, _line_of(id_node),
                                    f"规则 id“{rid}”重复：{prev.path}:{_line_of(_id_node(prev.root))} 已使用。"
                                    "同一规则目录内 id 必须唯一；要替换内置规则，请把文件放进用 --rules 指定的目录",
                                    _col_of(id_node), rid)
                if isinstance(item.rule, VocabularyRule):
                    if vocabulary is not None and vocabulary.source == index and vocabulary.rule.id != rid:
                        raise RuleError(path, _line_of(id_node),
                                        f"一个规则目录只能有一个 claim_vocabulary，{vocabulary.path} 已定义"
                                        f"“{vocabulary.rule.id}”", _col_of(id_node), rid)
                    if vocabulary is not None:
                        loaded.pop(vocabulary.rule.id, None)
                    vocabulary = item
                loaded[rid] = item
            except RuleError as exc:
                fail(exc)

    lexicons = [x for x in loaded.values() if isinstance(x.rule, LexiconRule)]
    concepts: dict[str, Concept] = {}
    concept_src: dict[str, _Loaded] = {}
    for x in lexicons:
        try:
            for cid, concept in x.rule.concepts.items():  # type: ignore[union-attr]
                prev = concept_src.get(cid)
                if prev is not None and prev.source == x.source and prev is not x:
                    node = _node_for(x.root, ("concepts", cid))
                    raise RuleError(x.path, _line_of(node), f"概念 id“{cid}”重复：{prev.path} 已定义。同一规则"
                                    "目录内概念 id 必须唯一", _col_of(node), x.rule.id)
            for cid, concept in x.rule.concepts.items():  # type: ignore[union-attr]
                concepts[cid] = concept
                concept_src[cid] = x
        except RuleError as exc:
            fail(exc)
    owner: dict[str, str] = {}
    for cid, concept in concepts.items():
        for alias in concept.aliases:
            if alias in owner and owner[alias] != cid:
                x = concept_src[cid]
                node = _node_for(x.root, ("concepts", cid))
                fail(RuleError(x.path, _line_of(node), f"别名“{alias}”同时属于概念“{owner[alias]}”和“{cid}”："
                               "一个别名只能指一个概念", _col_of(node), x.rule.id))
            owner.setdefault(alias, cid)

    checks = [x for x in loaded.values() if isinstance(x.rule, CheckRule)]
    known = {x.rule.id for x in checks}
    good_checks: list[CheckRule] = []
    for x in checks:
        try:
            _check_references(x, concepts, classification)
            good_checks.append(x.rule)  # type: ignore[arg-type]
        except RuleError as exc:
            fail(exc)
    for x in loaded.values():
        try:
            _check_case_rules(x, known)
        except RuleError as exc:
            fail(exc)
            if isinstance(x.rule, CheckRule) and x.rule in good_checks:
                good_checks.remove(x.rule)

    if vocabulary is None:
        raise RuleError(dirs[0], None, "规则目录中没有 claim_vocabulary 规则（rules/extract/claims.yaml）")
    scopes = vocabulary.rule.fund_scopes  # type: ignore[union-attr]
    for cid, concept in concepts.items():
        for name in concept.own_scope:
            if name not in scopes:
                x = concept_src[cid]
                node = _node_for(x.root, ("concepts", cid))
                fail(RuleError(x.path, _line_of(node), f"概念“{cid}”的 own_scope“{name}”不是抽取词表 fund_scopes "
                               f"中的口径；可用的口径: {', '.join(scopes) or '（无）'}", _col_of(node), x.rule.id))
    return Catalogue(concepts, vocabulary.rule, good_checks, classification,  # type: ignore[arg-type]
                     [x.rule for x in lexicons], {rid: str(x.path) for rid, x in loaded.items()})


def _id_node(root: yaml.Node) -> yaml.Node | None:
    return next((k for k, _ in _pairs(root) if k.value == "id"), None)


def _load_file(path: Path, index: int, classification: dict[str, dict[str, list[str]]]) -> _Loaded | None:
    data, root = read_yaml(path)
    if path.parent.name == "data":
        if path.stem == "classification":
            if not isinstance(data, dict):
                raise RuleError(path, 1, "分类数据应为映射: 部分 → 编码 → 名称列表")
            for section, table in data.items():
                if table is not None and not isinstance(table, dict):
                    continue
                classification.setdefault(section, {}).update(
                    {str(k): (v if isinstance(v, list) else [v]) for k, v in (table or {}).items()})
        return None
    if root is None:
        raise RuleError(path, 1, "文件为空：规则文件应含 id、kind 等字段")
    if not isinstance(data, dict):
        raise RuleError(path, _line_of(root), "规则文件的顶层必须是映射（键: 值），且含 kind 字段")
    if "kind" not in data:
        raise RuleError(path, _line_of(root), "缺少必填字段“kind”：检查规则填检查类型，概念表填 lexicon，"
                        "抽取词表填 claim_vocabulary", rule_id=data.get("id") if isinstance(data.get("id"), str) else None)
    rid = data.get("id")
    if isinstance(rid, str) and not _ID_RE.match(rid):
        node = next((v for k, v in root.value if k.value == "id"), None)
        raise RuleError(path, _line_of(node), f"规则 id“{rid}”格式不对：应为小写英文、数字和下划线，用点分段，"
                        "如 agree.meeting_training", _col_of(node))
    try:
        return _Loaded(_validate_kind(data, path, root), path, root, index)
    except RuleError as exc:
        exc.rule_id = exc.rule_id or _data_id(data)
        raise


def _validate_kind(data: dict[str, Any], path: Path, root: yaml.Node) -> CheckRule | LexiconRule | VocabularyRule:
    kind = data["kind"]
    if kind == "lexicon":
        rule: Any = _validate_lexicon(data, path, root)
    elif kind == "claim_vocabulary":
        rule = _validate_vocabulary(data, path, root)
    else:
        if not isinstance(kind, str):
            node = next((v for k, v in root.value if k.value == "kind"), None)
            raise RuleError(path, _line_of(node), f"kind 应为文字，实际是“{kind}”", _col_of(node))
        rule = _validate_check(data, path, root)
    return rule


# kinds whose params hold a list of {total: concept, parts: [concept…]} groups, by param name
_TOTAL_PARTS_PARAM = {"identity": "identities", "breakdown": "components", "share_of_group": "groups"}


def _check_references(x: _Loaded, concepts: dict[str, Concept],
                      classification: dict[str, dict[str, list[str]]]) -> None:
    rule: CheckRule = x.rule  # type: ignore[assignment]
    refs: list[tuple[tuple[Any, ...], str]] = []
    key = _TOTAL_PARTS_PARAM.get(rule.kind)
    if key:
        for i, g in enumerate(rule.params.get(key, [])):
            refs.append((("params", key, i, "total"), g["total"]))
            refs += [(("params", key, i, "parts", j), p) for j, p in enumerate(g["parts"])]
    if rule.kind == "blank_table":
        for i, t in enumerate(rule.params.get("targets", [])):
            refs += [(("params", "targets", i, "concepts", j), c) for j, c in enumerate(t.get("concepts") or [])]
            if t.get("total"):
                refs.append((("params", "targets", i, "total"), t["total"]))
    for key in _flagged(rule.kind, "concept"):
        value = rule.params.get(key)
        if isinstance(value, str):
            refs.append((("params", key), value))
        elif isinstance(value, list):
            refs += [(("params", key, j), c) for j, c in enumerate(value) if isinstance(c, str)]
    for loc, cid in refs:
        if cid not in concepts:
            node = _node_for(x.root, loc)
            close = difflib.get_close_matches(cid, list(concepts), 1, 0.7)
            raise RuleError(x.path, _line_of(node), f"概念“{cid}”未在任何 lexicon 中定义"
                            + (f"，是否想写“{close[0]}”？" if close else ""), _col_of(node), rule.id)
    if rule.kind == "code_label":
        section = rule.params.get("section", "function")
        if classification and section not in classification:
            node = _node_for(x.root, ("params", "section"))
            raise RuleError(x.path, _line_of(node), f"分类“{section}”不在 data/classification.yaml 中；可用: "
                            + ", ".join(k for k, v in classification.items() if v), _col_of(node), rule.id)


def _check_case_rules(x: _Loaded, known: set[str]) -> None:
    for i, case in enumerate(x.rule.tests):
        for j, flag in enumerate(case.expect or []):
            if flag.rule not in known:
                node = _node_for(x.root, ("tests", i, "expect", j, "rule"))
                node = next((v for k, v in _pairs(_node_for(x.root, ("tests", i, "expect", j)) or x.root)
                             if k.value == "rule"), node)
                close = difflib.get_close_matches(flag.rule, sorted(known), 1, 0.6)
                raise RuleError(x.path, _line_of(node), f"测试用例“{case.id}”期望的标记来自未知规则“{flag.rule}”"
                                + (f"，是否想写“{close[0]}”？" if close else ""), _col_of(node), x.rule.id)
