"""agree.blank_table on small documents of our own and on the shared real PDFs: what counts as
a blank table (blank, "-", "—", 0, 0.00), when a table is left undecided, and which readings
only warrant a warning."""

from __future__ import annotations

import pytest

from conftest import SHARED, need_shared

RULE = "agree.blank_table"
TITLE = "政府性基金预算财政拨款支出预算表\n单位：万元\n功能科目编码\t功能科目名称\t金额\n"
TEXT_SAYS = "\n\n九、政府性基金预算支出情况说明\n本部门政府性基金预算财政拨款支出126.40万元，用于城乡社区支出。"


def _mine(auditor, text: str):
    return [f for f in auditor.audit_text(text).flags if f.rule == RULE]


@pytest.mark.parametrize("cell", ["", "-", "—", "0", "0.00"])
def test_every_spelling_of_zero_is_a_blank_table(auditor, cell):
    flags = _mine(auditor, TITLE + f"合计\t\t{cell}" + TEXT_SAYS)
    assert [(f.severity, f.stated, f.expected) for f in flags] == [("error", "126.40万元", "0")]
    # the evidence quotes the narrative figure and the table's title
    assert [e.quote for e in flags[0].evidence] == ["126.40万元", "政府性基金预算财政拨款支出预算表"]


def test_a_figure_in_the_table_is_no_blank_table(auditor):
    # the table prints 126.40 too: 126.40 = 126.40, nothing to report
    assert _mine(auditor, TITLE + "合计\t\t126.40\n212\t城乡社区支出\t126.40" + TEXT_SAYS) == []


def test_a_narrative_zero_within_rounding_is_no_contradiction(auditor):
    # 0.004万元 rounds to 0.00: the narrative figure is within rounding of 0
    text = TITLE + "合计\t\t" + TEXT_SAYS.replace("126.40万元", "0.00万元")
    assert _mine(auditor, text) == []


def test_a_narrative_zero_against_a_blank_table_was_compared(auditor):
    # nothing to report, yet the figure was checked against the table: the rule held on it
    result = auditor.audit_text(TITLE + "合计\t\t" + TEXT_SAYS.replace("126.40万元", "0.00万元"))
    zero = [c for c in result.claims if c.quote == "0.00万元"]
    assert len(zero) == 1 and zero[0].id in result.verified_ids
    outcome = next(o for o in result.rule_outcomes if o.rule == RULE)
    assert (outcome.status, outcome.flags, outcome.claims) == ("held", 0, 1)


def test_amount_in_yuan_against_a_blank_table(auditor):
    text = TITLE.replace("万元", "元") + "合计\t\t" + TEXT_SAYS.replace("126.40万元", "1,264,000元")
    assert [f.stated for f in _mine(auditor, text)] == ["1,264,000元"]


def test_last_years_figure_says_nothing_about_this_years_table(auditor):
    text = TITLE + "合计\t\t" + "\n\n九、政府性基金预算支出情况说明\n上年政府性基金预算财政拨款支出50.00万元，本年未安排。"
    assert _mine(auditor, text) == []


def test_a_table_continued_right_below_is_undecided(auditor):
    # the grid goes on in an untitled table (read as a table of its own after the blank lines):
    # the titled part alone is not the whole table
    from auditor.audit import document_from_text
    from auditor.checks.kinds.blank_table import _continued

    text = TITLE + "合计\t\t\n\n\n212\t城乡社区支出\t126.40\n21208\t国有土地使用权出让收入安排的支出\t126.40" + TEXT_SAYS
    doc = document_from_text(text)
    assert len(doc.tables) == 2 and _continued(doc, doc.tables[0])
    assert _mine(auditor, text) == []


def test_the_same_quantity_in_two_tables_that_disagree_is_undecided(auditor):
    second = "\n\n政府性基金支出预算表\n单位：万元\n功能科目编码\t功能科目名称\t金额\n合计\t\t126.40\n212\t城乡社区支出\t126.40"
    assert _mine(auditor, TITLE + "合计\t\t" + second + TEXT_SAYS) == []


FILLED = ("国有资本经营预算财政拨款支出决算表\n单位：万元\n科目编码\t科目名称\t本年支出\n合计\t\t25.00\n"
          "22301\t国有资本经营预算资本性支出\t25.00\n\n八、国有资本经营预算财政拨款支出决算情况说明\n")


def test_none_right_before_the_name_is_an_error(auditor):
    flags = _mine(auditor, FILLED + "本单位2024年度没有国有资本经营预算财政拨款支出。")
    assert [(f.severity, f.stated, f.expected) for f in flags] == [("error", "没有国有资本经营", "25.00")]


def test_none_far_from_the_name_is_a_warning(auditor):
    # 无 … 国有资本经营: five characters (相关的上级) between the none word and the name
    flags = _mine(auditor, FILLED + "本单位无相关的上级国有资本经营预算财政拨款支出。")
    assert [(f.severity, f.downgraded is not None) for f in flags] == [("warning", True)]


def test_the_text_agreeing_with_the_table_is_silent(auditor):
    assert _mine(auditor, FILLED + "本单位本年度国有资本经营预算财政拨款支出25.00万元。") == []


def test_general_budget_sentence_with_none_word_is_another_scope(auditor):
    # 无一般公共预算… is not about 国有资本经营 even though the name follows in the sentence
    assert _mine(auditor, FILLED + "本单位无一般公共预算结转，国有资本经营预算财政拨款支出25.00万元。") == []


@need_shared(SHARED / "pdf")
@pytest.mark.parametrize("name", ["final_accounts_template_national.pdf", "putuo_social_work_dept_2024_final.pdf"])
def test_real_blank_tables_with_none_in_the_text_stay_silent(auditor, name):
    # both print the 三公, 政府性基金 and 国有资本经营 tables empty and say 无/没有 in the text
    result = auditor.audit_path(SHARED / "pdf" / name)
    assert [f.message for f in result.flags if f.rule == RULE] == []
