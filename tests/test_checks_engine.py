"""The engine's one downgrade for all kinds: an error needs a confident reading.

The fact bases here are made by hand (a document text, its sentences and claims), so the
test says exactly which reading is weak and nothing else can have decided the outcome.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from auditor.catalogue import load_catalogue
from auditor.checks.engine import run_checks
from auditor.checks.facts import FactBase
from auditor.checks.kinds import registry
from auditor.claims.model import Claim, Sentence
from auditor.claims.numbers import Number
from auditor.model import Cell, Document, Location, Table, TableRow

LINES = ["本年基本支出1,250.40万元。", "此外，基本支出为1,350.40万元。", "基本支出1,250.40万元。"]


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def _rule(catalogue, rule_id: str):
    return [r for r in catalogue.checks if r.id == rule_id]


def _narrative(lines: list[str], quotes: list[str]) -> tuple[Document, list[Sentence], list[Claim]]:
    """A document of one sentence per line; in line i, the quote quotes[i] is an amount of 基本支出."""
    text = "\n".join(lines)
    doc = Document("<hand>", text, "utf-8", year=2024)
    sentences, claims, offset = [], [], 0
    for i, (line, quote) in enumerate(zip(lines, quotes)):
        at = line.index(quote)
        value = Decimal(quote.removesuffix("万元").replace(",", ""))
        number = Number(quote, value, "万元", 2, at, at + len(quote))
        s = Sentence(i, line, Location(i + 1, offset, offset + len(line)), ())
        c = Claim(i, "amount", number, Location(i + 1, offset + at, offset + at + len(quote)), i,
                  "基本支出", "expense.basic")
        s.claims.append(c)
        sentences.append(s)
        claims.append(c)
        offset += len(line) + 1
    return doc, sentences, claims


def _flags(catalogue, doc, sentences, claims, rule_id="agree.same_quantity"):
    facts = FactBase(doc, sentences, claims, catalogue)
    return run_checks(facts, _rule(catalogue, rule_id), registry())


def test_confident_readings_keep_the_error(catalogue):
    doc, sentences, claims = _narrative(LINES, ["1,250.40万元", "1,350.40万元", "1,250.40万元"])
    [flag] = _flags(catalogue, doc, sentences, claims)
    assert flag.severity == "error" and flag.confidence == "high" and flag.downgraded is None
    assert flag.stated == "1,350.40万元" and flag.basis == "narrative"


def test_a_low_confidence_claim_makes_the_error_a_warning(catalogue):
    doc, sentences, claims = _narrative(LINES, ["1,250.40万元", "1,350.40万元", "1,250.40万元"])
    claims[1].confidence = "low"
    claims[1].confidence_reason = "主语取自较远的词语"
    [flag] = _flags(catalogue, doc, sentences, claims)
    assert flag.severity == "warning" and flag.confidence == "low"
    assert flag.downgraded.startswith("依据的数字读取不确定")
    assert "1,350.40万元" in flag.downgraded and "主语取自较远的词语" in flag.downgraded


def test_the_other_side_of_the_relation_counts_too(catalogue):
    """The majority statement the odd one is compared with is quoted as evidence as well."""
    doc, sentences, claims = _narrative(LINES, ["1,250.40万元", "1,350.40万元", "1,250.40万元"])
    claims[0].confidence = "low"
    [flag] = _flags(catalogue, doc, sentences, claims)
    assert flag.severity == "warning" and flag.confidence == "low" and flag.downgraded


def test_a_low_confidence_claim_no_flag_quotes_changes_nothing(catalogue):
    lines = LINES + ["项目支出300.00万元。"]
    doc, sentences, claims = _narrative(lines, ["1,250.40万元", "1,350.40万元", "1,250.40万元", "300.00万元"])
    claims[3].concept, claims[3].subject, claims[3].confidence = "expense.project", "项目支出", "low"
    [flag] = _flags(catalogue, doc, sentences, claims)
    assert flag.severity == "error" and flag.confidence == "high"


def _table_doc(misread: str | None) -> tuple[Document, list[Sentence], list[Claim]]:
    """A narrative line, then a two-row table whose 基本支出 cell disagrees with it."""
    line = "基本支出1,250.40万元。"
    rows_text = ["项目\t金额", "基本支出\t1,350.40"]
    text = "\n".join([line, *rows_text])
    doc = Document("<hand>", text, "utf-8", year=2024)
    doc_lines = text.split("\n")
    row_start = len(line) + 1 + len(rows_text[0]) + 1
    cell_start = row_start + rows_text[1].index("1,350.40")
    cell = Cell("1,350.40", Location(3, cell_start, cell_start + 8), Decimal("1350.40"))
    label = Cell("基本支出", Location(3, row_start, row_start + 4))
    table = Table("收入支出预算总表", "万元", ["项目", "金额"], [], [TableRow("基本支出", None, [label, cell],
                  Location(3, row_start, cell_start + 8))], Location(2, len(line) + 1, len(text)), 3,
                  misread=misread)
    from auditor.model import Block
    doc.blocks.append(Block("table", "\n".join(rows_text), table.location, 3, table=table))
    number = Number("1,250.40万元", Decimal("1250.40"), "万元", 2, 4, 4 + len("1,250.40万元"))
    s = Sentence(0, line, Location(1, 0, len(line)), ())
    narrative = Claim(0, "amount", number, Location(1, 4, 4 + len("1,250.40万元")), 0, "基本支出", "expense.basic")
    s.claims.append(narrative)
    cell_number = Number("1,350.40", Decimal("1350.40"), "万元", 2, 0, 8)
    in_table = Claim(1, "amount", cell_number, cell.location, -1, "基本支出", "expense.basic", source="table")
    assert doc_lines[2][4:] == "\t1,350.40"
    return doc, [s], [narrative, in_table]


def test_a_figure_in_a_misread_table_makes_the_error_a_warning(catalogue):
    doc, sentences, claims = _table_doc("表内合计与各行之和多数不符")
    [flag] = _flags(catalogue, doc, sentences, claims)
    assert flag.severity == "warning" and flag.confidence == "low"
    assert "表格" in flag.downgraded and "表内合计与各行之和多数不符" in flag.downgraded
    assert flag.basis == "mixed"


def test_a_table_read_well_keeps_the_error(catalogue):
    doc, sentences, claims = _table_doc(None)
    [flag] = _flags(catalogue, doc, sentences, claims)
    assert flag.severity == "error" and flag.confidence == "high" and flag.basis == "mixed"


def test_a_computed_figure_is_derived(catalogue):
    lines = ["本年支出合计1,000.00万元，其中：基本支出700.00万元，项目支出400.00万元。"]
    from auditor.audit import Auditor

    result = Auditor(catalogue).audit_text(lines[0])
    [flag] = [f for f in result.flags if f.rule == "sum.qizhong"]
    assert flag.basis == "derived" and flag.severity == "error"


def _extracted(catalogue, text: str):
    from auditor.audit import Auditor, document_from_text

    a = Auditor(catalogue)
    doc = document_from_text(text)
    sentences, claims = a.extractor.extract(doc)
    return doc, sentences, claims


def test_a_change_rate_from_a_low_confidence_figure_is_a_warning(catalogue):
    # 100 ÷ 1,000 = 10.00%, stated 12.00%: contradicted; the change and its rate stand in the
    # sentence after the amount, so they reach it only through a carried-over subject
    text = "项目支出1,100.00万元。比上年增加100.00万元，增长12.00%。"
    doc, sentences, claims = _extracted(catalogue, text)
    [flag] = _flags(catalogue, doc, sentences, claims, "change.rate")
    assert flag.severity == "warning" and flag.confidence == "low"
    assert "100.00万元（第1行）主体承接上一句的金额" in flag.downgraded


def test_a_weak_subject_inside_one_sentence_does_not_doubt_its_arithmetic(catalogue):
    text = "项目支出1,100.00万元，比上年增加100.00万元，增长12.00%。"  # 100 ÷ 1,000 = 10.00%
    doc, sentences, claims = _extracted(catalogue, text)
    [flag] = _flags(catalogue, doc, sentences, claims, "change.rate")
    assert flag.severity == "error" and flag.basis == "derived"
    [current] = [c for c in claims if c.quote == "1,100.00万元"]
    current.confidence, current.confidence_reason = "low", "主语由较弱的规则确定"
    [flag] = _flags(catalogue, doc, sentences, claims, "change.rate")
    # the three figures are related by the sentence itself: the subject links nothing
    assert flag.severity == "error" and flag.confidence == "high" and flag.downgraded is None
