"""What a check rule's file must get right for its kind: the kind exists, its `params` fit the
kind's `Params`, its message uses only placeholders the kind provides, its patterns compile
and are quick on its own test texts, and the concepts it names exist.

The catalogue validates the envelope every rule shares (id, name, severity, tests); this
module knows the kinds, and the catalogue asks it about each check rule. Errors name
file:line:col like every other rule error. The validated `Params` object is kept on the rule
(`CheckRule.settings`), so a default is written once, in the kind's `Params`.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, Iterator, Mapping

import yaml
from pydantic import BaseModel

from auditor.checks.kind import Kind
from auditor.checks.kinds import registry
from auditor.rulefile import _col_of, _compile, _line_of, _node_for, _pattern_nodes, _validate, _value_node, \
    message_fields
from auditor.rules_model import CheckRule, Concept, RuleError


def kinds() -> Mapping[str, Kind]:
    return registry()


def check_kind(kind: str, path: Path, root: yaml.Node) -> Kind:
    """The kind a rule names; an unknown one is reported before the schema (it explains any
    other complaint)."""
    known = registry()
    if kind not in known:
        node = _value_node(root, ("kind",))
        close = difflib.get_close_matches(kind, list(known), 1, 0.6)
        raise RuleError(path, _line_of(node), f"未知的 kind“{kind}”"
                        + (f"，是否想写“{close[0]}”？" if close else "")
                        + f"；检查规则可用的 kind: {', '.join(known)}（另有 lexicon、claim_vocabulary）",
                        _col_of(node))
    return known[kind]


def validate_check(rule: CheckRule, path: Path, root: yaml.Node, texts: list[str]) -> CheckRule:
    """The rule with its validated Params object; RuleError on the first mistake."""
    kind = check_kind(rule.kind, path, root)
    try:
        settings = _validate(kind.params, rule.params, path, root, prefix=("params",))
        rule = rule.model_copy(update={"settings": settings})
        check_message(rule, kind, path, root)
        for where, pattern in check_patterns(rule):
            nodes = _pattern_nodes(root, where)
            _compile(pattern, path, nodes[0] if nodes else None, rule.id, where, texts)
    except RuleError as exc:
        exc.rule_id = exc.rule_id or rule.id
        raise
    return rule


def check_message(rule: CheckRule, kind: Kind, path: Path, root: yaml.Node) -> None:
    value_node = _value_node(root, ("message",))
    try:
        names = message_fields(rule.message)
    except ValueError as exc:
        raise RuleError(path, _line_of(value_node), f"message 模板格式错误（{exc}）；字面的花括号请写成 {{{{ 和 }}}}",
                        _col_of(value_node), rule.id) from None
    provided = kind.message_fields
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


def marked(settings: BaseModel | None, flag: str, loc: tuple[Any, ...] = ("params",)
           ) -> Iterator[tuple[tuple[Any, ...], str]]:
    """(location, text) of every parameter value whose schema field is marked `flag`
    (regex, concept, classification), through nested models, lists and mappings."""
    if settings is None:
        return
    for name, info in type(settings).model_fields.items():
        value = getattr(settings, name)
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        yield from _values(value, loc + (name,), flag, bool(extra.get(flag)))


def _values(value: Any, loc: tuple[Any, ...], flag: str, on: bool) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(value, BaseModel):
        yield from marked(value, flag, loc)
    elif isinstance(value, str):
        if on:
            yield loc, value
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _values(item, loc + (i,), flag, on)
    elif isinstance(value, dict):
        for k, item in value.items():
            yield from _values(item, loc + (k,), flag, on)


def check_patterns(rule: CheckRule) -> list[tuple[str, str]]:
    """(params.key[.sub], pattern) for the params of a check that are regular expressions; list
    items share their list's key."""
    return [(".".join(str(k) for k in loc if not isinstance(k, int)), p)
            for loc, p in marked(rule.settings, "regex")]


def check_references(rule: CheckRule, path: Path, root: yaml.Node, concepts: Mapping[str, Concept],
                     classification: Mapping[str, Mapping[str, list[str]]]) -> None:
    """Every concept a rule's params name is defined by some lexicon; every classification it
    names is in data/classification.yaml."""
    for loc, cid in marked(rule.settings, "concept"):
        if cid not in concepts:
            node = _node_for(root, loc)
            close = difflib.get_close_matches(cid, list(concepts), 1, 0.7)
            raise RuleError(path, _line_of(node), f"概念“{cid}”未在任何 lexicon 中定义"
                            + (f"，是否想写“{close[0]}”？" if close else ""), _col_of(node), rule.id)
    for loc, section in marked(rule.settings, "classification"):
        if classification and section not in classification:
            node = _node_for(root, loc)
            raise RuleError(path, _line_of(node), f"分类“{section}”不在 data/classification.yaml 中；可用: "
                            + ", ".join(k for k, v in classification.items() if v), _col_of(node), rule.id)
