"""Strict loading of rule files, and meta-tests over the shipped catalogue.

The malformed-file catalogue: each broken file yields exactly one RuleError that names
the file and line (and, for a check rule, its id), and the rest of the catalogue still
loads. The meta-tests hold every shipped rule to the same standard.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import regex
import yaml

from auditor.catalogue import (
    PATTERN_TIMEOUT,
    RULES_DIR,
    RuleError,
    check_patterns,
    load_catalogue,
    message_fields,
    rule_files,
    vocabulary_patterns,
)
from auditor.checks.kinds import registry
from conftest import SEEDS

GOOD = '''\
id: agree.demo
name: 演示
summary: 演示规则
severity: error
groups: [agree]
kind: agree
params:
  kinds: [amount]
message: "{subject}写为{stated}，而第{other_line}行写为{other}"
tests:
  - id: same
    text: "公务用车保有量138辆。\\n公务用车保有量138辆。"
    expect: []
  - id: differ
    text: "公务用车保有量138辆。\\n公务用车保有量128辆。\\n公务用车保有量138辆。"
    expect: [{rule: agree.demo, line: 2}]
'''

SCORE = (GOOD.replace("kind: agree\nparams:\n  kinds: [amount]", "kind: score_parts\nparams:\n  part_pattern: PATTERN")
         .replace('"{subject}写为{stated}，而第{other_line}行写为{other}"', '"{total}与{sum}不符"'))

# name → (file text, expected line, a phrase the message must contain)
MALFORMED: dict[str, tuple[str, int, str]] = {
    "invalid_yaml": (GOOD.replace("groups: [agree]", "groups: [agree"), 6, "YAML 语法错误"),
    "tab_indent": (GOOD.replace("  kinds: [amount]", "\tkinds: [amount]"), 8, "Tab"),
    "unknown_key": (GOOD.replace("severity: error", "severity: error\nseverty: warning"), 5,
                    "未知字段“severty”，是否想写“severity”"),
    "unknown_case_key": (GOOD.replace("    expect: []", "    expected: []"), 13, "是否想写“expect”"),
    "unknown_kind": (GOOD.replace("kind: agree", "kind: agreee"), 6, "未知的 kind“agreee”"),
    "missing_field": (GOOD.replace('message: "{subject}写为{stated}，而第{other_line}行写为{other}"\n', ""), 1,
                      "缺少必填字段“message”"),
    "missing_kind": (GOOD.replace("kind: agree\n", ""), 1, "缺少必填字段“kind”"),
    "bad_severity": (GOOD.replace("severity: error", "severity: fatal"), 4, "“severity”的值“fatal”无效"),
    "unknown_placeholder": (GOOD.replace("{other_line}", "{other_lines}"), 9, "占位符“{other_lines}”不是 agree"),
    "broken_template": (GOOD.replace('{other}"', '{other"'), 9, "message 模板格式错误"),
    "unquoted_float": (GOOD.replace("kinds: [amount]", "kinds: [amount]\n  tolerance: 0.10"), 9,
                       "数字 0.10 未加引号"),
    "unquoted_no": (GOOD.replace("kinds: [amount]", "kinds: [amount, no]"), 8, "布尔值"),
    "unquoted_exponent": (GOOD.replace("line: 2}", "line: 2, stated: 1e4}"), 16, "“1e4”未加引号"),
    "leading_zero": (GOOD.replace("line: 2}", "line: 02}"), 16, "数字 02 未加引号"),
    "unknown_param": (GOOD.replace("kinds: [amount]", "kind: [amount]"), 8, "未知字段“params.kind”"),
    "bad_param_value": (GOOD.replace("kinds: [amount]", "kinds: [amounts]"), 8, "“params.kinds.0”的值“amounts”无效"),
    "alias": (GOOD.replace("groups: [agree]", "groups: &g [agree]\nname2: *g"), 6, "不支持 YAML 别名"),
    "alias_bomb": ("a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                   "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n" + GOOD, 2, "不支持 YAML 别名"),
    "duplicate_key": (GOOD.replace("severity: error", "severity: error\nseverity: warning"), 5, "键“severity”重复"),
    "case_unknown_rule": (GOOD.replace("{rule: agree.demo, line: 2}", "{rule: agree.dem, line: 2}"), 16,
                          "未知规则“agree.dem”"),
    "duplicate_case_id": (GOOD.replace("id: differ", "id: same"), 14, "测试用例 id“same”重复"),
    "case_without_expectation": (GOOD.replace("    expect: []\n", ""), 11, "既没有 expect 也没有 expect_claims"),
    "bad_id": (GOOD.replace("id: agree.demo", "id: Agree Demo", 1), 1, "格式不对"),
    "regex_does_not_compile": (SCORE.replace("PATTERN", '"指标("'), 8, "无法编译"),
    "regex_matches_empty": (SCORE.replace("PATTERN", '"指标|"'), 8, "能匹配空文字"),
    "regex_times_out": (SCORE.replace("PATTERN", '"(指|指指)+$"').replace(
        "公务用车保有量138辆。\\n公务用车保有量138辆。", "自评得分为98分。\\n" + "指" * 40 + "！"), 8, "超过"),
    "unknown_concept": (GOOD.replace("kinds: [amount]", "kinds: [amount]\n  concepts: [sangong.vehicel]"), 9,
                        "概念“sangong.vehicel”未在任何 lexicon 中定义"),
    "not_a_mapping": ("- id: x\n- kind: agree\n", 1, "顶层必须是映射"),
    "empty_file": ("", 1, "文件为空"),
    "two_documents": (GOOD + "---\nid: x\n", 17, "YAML 语法错误"),
    "too_deep": ("a: " + "[" * 100 + "]" * 100 + "\n", 1, "嵌套超过"),
    "lexicon_alias_clash": ("id: lexicon.clash\nkind: lexicon\nsummary: 冲突\nconcepts:\n"
                            "  demo.total: {name: 本年支出, aliases: [本年支出合计]}\n", 5, "别名“本年支出合计”同时属于"),
    "lexicon_bad_concept": ("id: lexicon.bad\nkind: lexicon\nsummary: 坏\nconcepts:\n"
                            "  demo.x: {name: 某, alias: [某]}\n", 5, "未知字段“concepts.demo.x.alias”"),
}


def _load_one(tmp_path: Path, name: str, text: str) -> tuple[list[RuleError], object]:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "rule.yaml").write_text(text, "utf-8")
    errors: list[RuleError] = []
    cat = load_catalogue(extra_dirs=[folder], errors=errors)
    return errors, cat


@pytest.mark.parametrize("name", list(MALFORMED))
def test_malformed_rule_file_gives_one_clear_message(tmp_path, name):
    text, line, phrase = MALFORMED[name]
    shipped = {r.id for r in load_catalogue().checks}
    errors, cat = _load_one(tmp_path, name, text)
    assert len(errors) == 1, [str(e) for e in errors]
    err = errors[0]
    assert Path(err.path).name == "rule.yaml"
    assert err.line == line, str(err)
    assert phrase in err.reason, str(err)
    assert str(err).startswith(f"{err.path}:{line}"), str(err)
    # nothing else breaks: every shipped check still loads
    assert shipped <= {r.id for r in cat.checks}  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", ["unknown_key", "unknown_kind", "unknown_placeholder", "regex_times_out",
                                  "unquoted_float"])
def test_messages_name_the_rule_and_column(tmp_path, name):
    text, line, _ = MALFORMED[name]
    errors, _ = _load_one(tmp_path, name, text)
    assert errors[0].rule_id == "agree.demo"
    assert errors[0].column
    assert f":{line}:{errors[0].column}: [agree.demo] " in str(errors[0])


def test_without_errors_list_the_first_error_is_raised(tmp_path):
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "x.yaml").write_text(MALFORMED["unknown_kind"][0], "utf-8")
    with pytest.raises(RuleError, match="未知的 kind"):
        load_catalogue(extra_dirs=[folder])


def test_huge_file_is_refused_before_parsing(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("# " + "x" * 1_100_000 + "\n", "utf-8")
    errors: list[RuleError] = []
    load_catalogue(extra_dirs=[big], errors=errors)
    assert len(errors) == 1 and "文件过大" in errors[0].reason


def test_non_utf8_file(tmp_path):
    f = tmp_path / "gbk.yaml"
    f.write_bytes(GOOD.encode("gb18030"))
    errors: list[RuleError] = []
    load_catalogue(extra_dirs=[f], errors=errors)
    assert len(errors) == 1 and "UTF-8" in errors[0].reason


def test_alias_bomb_is_rejected_quickly(tmp_path):
    layers = ["a0: &a0 [" + ",".join(["lol"] * 10) + "]"]
    for i in range(1, 10):
        layers.append(f"a{i}: &a{i} [" + ",".join([f"*a{i-1}"] * 10) + "]")
    f = tmp_path / "bomb.yaml"
    f.write_text("\n".join(layers) + "\n", "utf-8")
    start = time.perf_counter()
    errors: list[RuleError] = []
    load_catalogue(extra_dirs=[f], errors=errors)
    assert time.perf_counter() - start < 2
    assert len(errors) == 1 and "别名" in errors[0].reason


def test_duplicate_id_in_one_folder_is_an_error_even_across_subfolders(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x.yaml").write_text(GOOD, "utf-8")
    (tmp_path / "b" / "y.yaml").write_text(GOOD, "utf-8")
    errors: list[RuleError] = []
    cat = load_catalogue(extra_dirs=[tmp_path], errors=errors)
    assert len(errors) == 1 and "重复" in errors[0].reason and errors[0].path.endswith("y.yaml")
    assert sum(r.id == "agree.demo" for r in cat.checks) == 1


def test_duplicate_id_inside_the_shipped_folder_is_an_error(tmp_path):
    import shutil

    shipped = tmp_path / "rules"
    shutil.copytree(RULES_DIR, shipped)
    src = shipped / "checks" / "change" / "change.rate.yaml"
    (shipped / "checks" / "share" / "copy.yaml").write_text(src.read_text("utf-8"), "utf-8")
    with pytest.raises(RuleError, match="规则 id“change.rate”重复"):
        load_catalogue(shipped)


def test_a_later_folder_overrides_a_shipped_rule_deliberately(tmp_path):
    src = (RULES_DIR / "checks" / "change" / "change.rate.yaml").read_text("utf-8")
    (tmp_path / "change.rate.yaml").write_text(src.replace("severity: error", "severity: warning"), "utf-8")
    cat = load_catalogue(extra_dirs=[tmp_path])
    rates = [r for r in cat.checks if r.id == "change.rate"]
    assert len(rates) == 1 and rates[0].severity == "warning"
    assert cat.sources["change.rate"] == str(tmp_path / "change.rate.yaml")


def test_a_new_lexicon_file_is_merged(tmp_path):
    (tmp_path / "more.yaml").write_text(
        "id: lexicon.more\nkind: lexicon\nsummary: 更多\nconcepts:\n  expense.meeting: {name: 会议费, aliases: [会议费]}\n",
        "utf-8")
    cat = load_catalogue(extra_dirs=[tmp_path])
    assert "expense.meeting" in cat.concepts and "income.grand_total" in cat.concepts


def test_quoted_numbers_are_fine(tmp_path):
    for i, value in enumerate(['"0.10"', '"1e4"', '"no"', '"02"', '"128辆"']):
        text = GOOD.replace("line: 2}", f"line: 2, stated: {value}}}")
        errors, _ = _load_one(tmp_path, f"quoted{i}", text)
        assert errors == [], value


# -- meta-tests over the shipped catalogue ---------------------------------------------------

def test_every_shipped_rule_file_validates():
    errors: list[RuleError] = []
    load_catalogue(errors=errors)
    assert [str(e) for e in errors] == []


def test_rule_ids_are_unique_and_match_their_file_names():
    ids: dict[str, Path] = {}
    for path in rule_files(RULES_DIR):
        if path.parent.name == "data":
            continue
        data = yaml.safe_load(path.read_text("utf-8"))
        assert data["id"] not in ids, (path, ids.get(data["id"]))
        ids[data["id"]] = path
        if path.parent.parent.name == "checks":
            assert path.stem == data["id"], path


def test_every_check_rule_has_a_failing_and_a_passing_case():
    for rule in load_catalogue().checks:
        assert any(c.expect == [] for c in rule.tests), rule.id
        assert any(c.expect for c in rule.tests), rule.id


def test_every_message_placeholder_is_provided_by_its_kind():
    kinds = registry()
    for rule in load_catalogue().checks:
        assert rule.kind in kinds, rule.kind
        missing = set(message_fields(rule.message)) - kinds[rule.kind].message_fields
        assert not missing, (rule.id, missing)


def test_the_registry_is_read_from_the_kind_modules():
    """Every module of auditor/checks/kinds that defines `relations` (or lists KINDS) is a kind,
    with a pydantic Params model; helpers (_common) and imported names are not kinds."""
    import importlib
    import pkgutil

    import auditor.checks.kinds as package
    from pydantic import BaseModel

    kinds = registry()
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"auditor.checks.kinds.{info.name}")
        if info.name.startswith("_"):
            assert not hasattr(module, "KINDS") and info.name not in kinds
            continue
        fn = getattr(module, "relations", None)
        if fn is not None and fn.__module__ == module.__name__:
            assert kinds[getattr(module, "NAME", info.name)].relations is fn
    assert "table_sum" in kinds and kinds["table_sum"].relations.__module__.endswith("table_sum")
    for kind in kinds.values():
        assert issubclass(kind.params, BaseModel), kind.name


def test_a_rendered_message_leaves_no_placeholder_unfilled(auditor):
    """The kinds fill every placeholder their rules' messages use (the engine would print
    "{name}" for one that is missing): checked on the seed documents' flags."""
    fields = {f"{{{n}}}" for r in auditor.catalogue.checks for n in message_fields(r.message)}
    for path in sorted(SEEDS.glob("*.txt")):
        for flag in auditor.audit_path(path).flags:
            assert not [f for f in fields if f in flag.message], (path.name, flag.message)


def _all_texts() -> list[str]:
    cat = load_catalogue()
    rules = [*cat.checks, *cat.lexicon_rules, cat.vocabulary]
    return [c.text for r in rules for c in r.tests]


def test_every_pattern_survives_a_timeout_smoke_run():
    """Each rule pattern over every case text and every seed document, under the timeout."""
    cat = load_catalogue()
    patterns = [(cat.vocabulary.id, f, p) for f, p in vocabulary_patterns(cat.vocabulary)]
    patterns += [(r.id, f, p) for r in cat.checks for f, p in check_patterns(r)]
    assert patterns, "the catalogue has patterns (subject_fillers at least)"
    texts = _all_texts() + [p.read_text("utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    for rid, where, pattern in patterns:
        compiled = regex.compile(pattern)
        for text in texts:
            try:
                for _ in compiled.finditer(text, timeout=PATTERN_TIMEOUT * 4):
                    pass
            except TimeoutError:  # pragma: no cover - the failure message is the point
                pytest.fail(f"{rid} {where} 的正则“{pattern}”超时")


def test_compiled_vocabulary_survives_the_seeds():
    from auditor.claims.extract import ClaimExtractor

    vocab = ClaimExtractor(load_catalogue()).vocab
    texts = [p.read_text("utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    for name in ("aliases", "up", "down", "flat", "context", "share", "qualifier_end", "filler_start"):
        pattern = getattr(vocab, name)
        for text in texts:
            for line in text.split("\n"):
                pattern.search(line, timeout=PATTERN_TIMEOUT * 4)
