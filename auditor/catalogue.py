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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import yaml

from auditor.checks.validate import check_kind, check_patterns, check_references, validate_check
from auditor.rulefile import (MAX_DEPTH, MAX_FILE_BYTES, PATTERN_TIMEOUT, RULE_SUFFIXES, RULES_DIR, _col_of,
                              _compile, _data_id, _ID_RE, _line_of, _node_for, _pairs, _pattern_nodes, _stress_error,
                              _validate, _value_node, message_fields, pattern_literals, read_yaml, stress_pattern,
                              stress_texts)
from auditor.rules_model import (Case, CaseClaim, CaseFlag, Catalogue, CheckRule, ClaimKindName, Concept,
                                 LexiconRule, RuleError, VocabularyRule)

__all__ = ["Case", "CaseClaim", "CaseFlag", "Catalogue", "CheckRule", "ClaimKindName", "Concept", "LexiconRule",
           "MAX_DEPTH", "MAX_FILE_BYTES", "PATTERN_TIMEOUT", "RULES_DIR", "RuleError", "VocabularyRule",
           "check_patterns", "load_catalogue", "message_fields", "pattern_literals", "read_yaml", "rule_files",
           "stress_errors", "stress_pattern", "stress_texts", "vocabulary_patterns"]


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
    """The envelope every check shares here; the kind's own parameters in checks/validate.py."""
    check_kind(data["kind"], path, root)  # before the schema: a wrong kind explains any other complaint
    rule: CheckRule = _validate(CheckRule, {**data, "path": str(path)}, path, root)
    try:
        _check_cases(rule.tests, path, root, rule.id)
    except RuleError as exc:
        exc.rule_id = exc.rule_id or rule.id
        raise
    return validate_check(rule, path, root, _case_texts(rule.tests))


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


Fail = Callable[[RuleError], None]


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

    if not dirs[0].exists():
        raise RuleError(dirs[0], None, "规则目录不存在")
    classification: dict[str, dict[str, list[str]]] = {}
    loaded, vocabulary = _read_folders(dirs, classification, fail)
    lexicons = [x for x in loaded.values() if isinstance(x.rule, LexiconRule)]
    concepts, concept_src = _merge_concepts(lexicons, fail)
    _check_aliases(concepts, concept_src, fail)
    good_checks = _good_checks(loaded, concepts, classification, fail)
    if vocabulary is None:
        raise RuleError(dirs[0], None, "规则目录中没有 claim_vocabulary 规则（rules/extract/claims.yaml）")
    _check_own_scopes(concepts, concept_src, vocabulary.rule.fund_scopes, fail)  # type: ignore[union-attr]
    return Catalogue(concepts, vocabulary.rule, good_checks, classification,  # type: ignore[arg-type]
                     [x.rule for x in lexicons], {rid: str(x.path) for rid, x in loaded.items()})


def _read_folders(dirs: list[Path], classification: dict[str, dict[str, list[str]]], fail: Fail
                  ) -> tuple[dict[str, _Loaded], _Loaded | None]:
    """Every rule file of every folder by id (a later folder overrides), and the vocabulary."""
    loaded: dict[str, _Loaded] = {}
    vocabulary: _Loaded | None = None
    for index, d in enumerate(dirs):
        if not d.exists():
            fail(RuleError(d, None, "规则目录或文件不存在"))
            continue
        for path in rule_files(d):
            try:
                item = _load_file(path, index, classification)
                if item is None:
                    continue
                _check_unique(item, loaded, path, index)
                if isinstance(item.rule, VocabularyRule):
                    _check_one_vocabulary(item, vocabulary, path, index)
                    if vocabulary is not None:
                        loaded.pop(vocabulary.rule.id, None)
                    vocabulary = item
                loaded[item.rule.id] = item
            except RuleError as exc:
                fail(exc)
    return loaded, vocabulary


def _check_unique(item: _Loaded, loaded: dict[str, _Loaded], path: Path, index: int) -> None:
    rid = item.rule.id
    if rid in loaded and loaded[rid].source == index:
        prev, id_node = loaded[rid], _id_node(item.root)
        raise RuleError(path, _line_of(id_node),
                        f"规则 id“{rid}”重复：{prev.path}:{_line_of(_id_node(prev.root))} 已使用。"
                        "同一规则目录内 id 必须唯一；要替换内置规则，请把文件放进用 --rules 指定的目录",
                        _col_of(id_node), rid)


def _check_one_vocabulary(item: _Loaded, vocabulary: _Loaded | None, path: Path, index: int) -> None:
    if vocabulary is not None and vocabulary.source == index and vocabulary.rule.id != item.rule.id:
        id_node = _id_node(item.root)
        raise RuleError(path, _line_of(id_node),
                        f"一个规则目录只能有一个 claim_vocabulary，{vocabulary.path} 已定义"
                        f"“{vocabulary.rule.id}”", _col_of(id_node), item.rule.id)


def _merge_concepts(lexicons: list[_Loaded], fail: Fail) -> tuple[dict[str, Concept], dict[str, _Loaded]]:
    """Concepts of every lexicon; a later folder's concept replaces an earlier one's."""
    concepts: dict[str, Concept] = {}
    concept_src: dict[str, _Loaded] = {}
    for x in lexicons:
        try:
            for cid in x.rule.concepts:  # type: ignore[union-attr]
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
    return concepts, concept_src


def _check_aliases(concepts: dict[str, Concept], concept_src: dict[str, _Loaded], fail: Fail) -> None:
    owner: dict[str, str] = {}
    for cid, concept in concepts.items():
        for alias in concept.aliases:
            if alias in owner and owner[alias] != cid:
                x = concept_src[cid]
                node = _node_for(x.root, ("concepts", cid))
                fail(RuleError(x.path, _line_of(node), f"别名“{alias}”同时属于概念“{owner[alias]}”和“{cid}”："
                               "一个别名只能指一个概念", _col_of(node), x.rule.id))
            owner.setdefault(alias, cid)


def _good_checks(loaded: dict[str, _Loaded], concepts: dict[str, Concept],
                 classification: dict[str, dict[str, list[str]]], fail: Fail) -> list[CheckRule]:
    """The check rules whose concepts exist and whose test cases name known rules."""
    checks = [x for x in loaded.values() if isinstance(x.rule, CheckRule)]
    known = {x.rule.id for x in checks}
    good: list[CheckRule] = []
    for x in checks:
        try:
            check_references(x.rule, x.path, x.root, concepts, classification)  # type: ignore[arg-type]
            good.append(x.rule)  # type: ignore[arg-type]
        except RuleError as exc:
            fail(exc)
    for x in loaded.values():
        try:
            _check_case_rules(x, known)
        except RuleError as exc:
            fail(exc)
            if isinstance(x.rule, CheckRule) and x.rule in good:
                good.remove(x.rule)
    return good


def _check_own_scopes(concepts: dict[str, Concept], concept_src: dict[str, _Loaded], scopes: dict[str, list[str]],
                      fail: Fail) -> None:
    for cid, concept in concepts.items():
        for name in concept.own_scope:
            if name not in scopes:
                x = concept_src[cid]
                node = _node_for(x.root, ("concepts", cid))
                fail(RuleError(x.path, _line_of(node), f"概念“{cid}”的 own_scope“{name}”不是抽取词表 fund_scopes "
                               f"中的口径；可用的口径: {', '.join(scopes) or '（无）'}", _col_of(node), x.rule.id))


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
