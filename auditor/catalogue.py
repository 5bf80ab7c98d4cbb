"""Load the rule catalogue (YAML) into validated models.

Rule files are untrusted input written by people: unknown keys are errors (a
typo must never silently disable a rule), numbers that would lose precision must
be quoted, patterns must compile, and every error names file:line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import regex
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"


class RuleError(Exception):
    """A rule file that cannot be used; str() is 'file:line: what is wrong'."""

    def __init__(self, path: Path | str, line: int | None, reason: str):
        self.path, self.line, self.reason = str(path), line, reason
        super().__init__(f"{path}:{line or 1}: {reason}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Concept(_Strict):
    name: str
    aliases: list[str]


class CaseClaim(_Strict):
    quote: str
    kind: str | None = None
    concept: str | None = None
    role: str | None = None
    direction: int | None = None
    denominator: str | None = None
    rate_kind: str | None = None


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
    change_context: list[str]
    scope_qualifiers: list[str]
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


@dataclass
class Catalogue:
    concepts: dict[str, Concept]
    vocabulary: VocabularyRule
    checks: list[CheckRule]
    classification: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    lexicon_rules: list[LexiconRule] = field(default_factory=list)

    def alias_table(self) -> list[tuple[str, str]]:
        """(alias, concept id), longest alias first so scoped names win."""
        pairs = [(a, cid) for cid, c in self.concepts.items() for a in c.aliases]
        return sorted(pairs, key=lambda p: len(p[0]), reverse=True)


def _line_of(node: yaml.Node | None) -> int | None:
    return node.start_mark.line + 1 if node is not None else None


def _node_for(root: yaml.Node, loc: tuple[Any, ...]) -> yaml.Node | None:
    """Walk a composed YAML tree along a pydantic error location to find its line."""
    node = root
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            found = None
            for k, v in node.value:
                if k.value == key:
                    found = k if key == loc[-1] else v
                    break
            if found is None:
                return node
            node = found
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            return node
    return node


def read_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    text = path.read_text(encoding="utf-8")
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise RuleError(path, mark.line + 1 if mark else None, f"YAML 无法解析: {exc}") from None
    return data, root


def _validate(model: type[BaseModel], data: Any, path: Path, root: yaml.Node | None) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        node = _node_for(root, tuple(err["loc"])) if root is not None else None
        where = ".".join(str(x) for x in err["loc"])
        raise RuleError(path, _line_of(node), f"{where}: {err['msg']}") from None


def _check_patterns(words: list[str], path: Path) -> None:
    for w in words:
        try:
            regex.compile(regex.escape(w))
        except regex.error as exc:  # pragma: no cover - escaped words always compile
            raise RuleError(path, None, f"无法编译: {w}: {exc}") from None


def load_catalogue(rules_dir: Path | None = None, extra_dirs: list[Path] | None = None) -> Catalogue:
    """Read every rule file; later folders override rules with the same id."""
    dirs = [rules_dir or RULES_DIR, *(extra_dirs or [])]
    concepts: dict[str, Concept] = {}
    vocabulary: VocabularyRule | None = None
    checks: dict[str, CheckRule] = {}
    lexicons: list[LexiconRule] = []
    classification: dict[str, dict[str, list[str]]] = {}
    for d in dirs:
        for path in sorted(Path(d).rglob("*.yaml")):
            data, root = read_yaml(path)
            if path.parent.name == "data":
                if path.stem == "classification" and isinstance(data, dict):
                    for section, table in data.items():
                        classification.setdefault(section, {}).update(
                            {str(k): (v if isinstance(v, list) else [v]) for k, v in (table or {}).items()}
                        )
                continue
            if not isinstance(data, dict) or "kind" not in data:
                raise RuleError(path, 1, "规则文件必须是含 kind 字段的映射")
            kind = data["kind"]
            if kind == "lexicon":
                rule = _validate(LexiconRule, data, path, root)
                lexicons.append(rule)
                concepts.update(rule.concepts)
            elif kind == "claim_vocabulary":
                vocabulary = _validate(VocabularyRule, data, path, root)
                for words in [vocabulary.change_up, vocabulary.change_down, vocabulary.change_flat]:
                    _check_patterns(words, path)
            else:
                rule = _validate(CheckRule, {**data, "path": str(path)}, path, root)
                if rule.id in checks and checks[rule.id].path.startswith(str(d)):
                    raise RuleError(path, _line_of(_node_for(root, ("id",))), f"规则 id 重复: {rule.id}")
                checks[rule.id] = rule
    if vocabulary is None:
        raise RuleError(dirs[0], None, "目录中没有 claim_vocabulary 规则")
    return Catalogue(concepts, vocabulary, list(checks.values()), classification, lexicons)
