"""Checks across documents (issue 11, relations 9 and 10): pairing, bundles, year over year.

The documents are short made-up texts in the wording disclosures use; the arithmetic of each
expectation is written beside it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from auditor.audit import Auditor
from auditor.corpus import cross_document
from auditor.corpus.pairing import unit_key, unit_match
from auditor.report.json_report import document_dict
from conftest import SHARED, need_shared

ROOT = Path(__file__).resolve().parents[1]
DEV = SHARED / "dev"


@pytest.fixture(scope="module")
def auditor() -> Auditor:
    return Auditor()


def doc(auditor: Auditor, text: str, path: str) -> dict:
    return document_dict(auditor.audit_text(text, path))


def budget(unit: str, year: int, body: str) -> str:
    return f"{unit}{year}年部门预算\n\n{body}"


Y2022 = ("一、收支预算总体情况说明\n2022年度收入、支出预算总计1,100.00万元。\n"
         "二、一般公共预算“三公”经费支出预算情况说明\n因公出国（境）费预算支出20万元。公务接待费预算支出15万元。\n")
# 1,200.50 − 100.50 = 1,100.00 (holds); 因公出国 18 "相等" but 2022 had 20 (contradiction);
# 公务接待 15 "持平" and 2022 had 15 (holds)
Y2023 = ("一、收支预算总体情况说明\n2023年度收入、支出预算总计1,200.50万元，与上年相比增加100.50万元，增长9.14%。\n"
         "二、一般公共预算“三公”经费支出预算情况说明\n因公出国（境）费预算支出18万元，与上年预算数相等。"
         "公务接待费预算支出15万元，与上年预算数持平。\n")
Y2023_OK = Y2023.replace("18万元", "20万元")


# ---- pairing ----------------------------------------------------------------------------


def test_unit_names_in_other_forms_pair_as_variants():
    assert unit_match(unit_key("江苏省人大常委会办公厅"), unit_key("标题：江苏省人大常委会办公厅")) == "same"
    assert unit_match(unit_key("江苏省人民代表大会常务委员会办公厅"), unit_key("江苏省人大常委会办公厅")) == "same"
    assert unit_match(unit_key("省人大办公厅"), unit_key("江苏省人大常委会办公厅")) == "variant"
    assert unit_match(unit_key("江苏省人大"), unit_key("江苏省人大常委会办公厅")) == "variant"  # a wrapped title


def test_different_units_never_pair():
    assert unit_match(unit_key("南京市财政局"), unit_key("苏州市财政局")) is None
    assert unit_match(unit_key("江苏省水利厅"), unit_key("江苏省财政厅")) is None
    assert unit_match(unit_key("市财政局"), unit_key("市税务局")) is None
    assert unit_match(None, unit_key("江苏省水利厅")) is None


def test_consecutive_years_of_one_unit_pair_and_others_do_not(auditor):
    docs = [doc(auditor, budget("江苏省水利厅", 2022, Y2022), "a/2022.txt"),
            doc(auditor, budget("江苏省水利厅", 2023, Y2023), "a/2023.txt"),
            doc(auditor, budget("江苏省财政厅", 2023, Y2023), "a/cz2023.txt"),  # another unit
            doc(auditor, budget("江苏省水利厅", 2025, Y2023.replace("2023", "2025")), "a/2025.txt")]  # a gap year
    _, info = cross_document(docs)
    assert [(p["earlier"], p["later"], p["match"]) for p in info["year_pairs"]] == \
        [(["a/2022.txt"], ["a/2023.txt"], "same")]
    assert info["bundles"] == []


def test_budget_is_not_compared_with_final_accounts(auditor):
    final = "江苏省水利厅2022年度部门决算\n\n一、收入支出决算总体情况说明\n2022年度收入、支出决算总计1,300.00万元。\n"
    docs = [doc(auditor, final, "a/f2022.txt"), doc(auditor, budget("江苏省水利厅", 2023, Y2023), "a/2023.txt")]
    flags, info = cross_document(docs)
    assert info["year_pairs"] == [] and flags == []


# ---- year over year ---------------------------------------------------------------------


def test_prior_year_figure_contradicted_is_an_error_naming_both_documents(auditor):
    docs = [doc(auditor, budget("江苏省水利厅", 2022, Y2022), "a/2022.txt"),
            doc(auditor, budget("江苏省水利厅", 2023, Y2023), "a/2023.txt")]
    flags, _ = cross_document(docs)
    assert len(flags) == 1, [f["message"] for f in flags]
    f = flags[0]
    assert f["rule"] == "cross.prior_year" and f["severity"] == "error"
    assert f["document"] == "a/2023.txt" and f["documents"] == ["a/2023.txt", "a/2022.txt"]
    assert [(e["document"], e["quote"]) for e in f["evidence"]] == [("a/2023.txt", "18万元"), ("a/2022.txt", "20万元")]
    assert {"quote", "line", "page", "start", "end", "role"} <= set(f["evidence"][0])  # the usual fields stay


def test_prior_year_figures_that_agree_are_silent(auditor):
    docs = [doc(auditor, budget("江苏省水利厅", 2022, Y2022), "a/2022.txt"),
            doc(auditor, budget("江苏省水利厅", 2023, Y2023_OK), "a/2023.txt")]
    assert cross_document(docs)[0] == []


def test_change_that_implies_another_prior_year_total_is_an_error(auditor):
    # 1,200.50 − 110.50 = 1,090.00 ≠ 1,100.00 printed by the 2022 budget
    later = Y2023_OK.replace("增加100.50万元，增长9.14%", "增加110.50万元")
    docs = [doc(auditor, budget("江苏省水利厅", 2022, Y2022), "a/2022.txt"),
            doc(auditor, budget("江苏省水利厅", 2023, later), "a/2023.txt")]
    flags, _ = cross_document(docs)
    assert [(f["severity"], f["stated"], f["expected"]) for f in flags] == [("error", "1,089.99～1,090.01", "1,100.00万元")]


def test_a_unit_name_variant_only_warns(auditor):
    docs = [doc(auditor, budget("江苏省水利厅", 2022, Y2022), "a/2022.txt"),
            doc(auditor, budget("省水利厅", 2023, Y2023), "a/2023.txt")]
    flags, info = cross_document(docs)
    assert info["year_pairs"][0]["match"] == "variant"
    assert [f["severity"] for f in flags] == ["warning"]


def test_select_and_ignore_apply_to_the_cross_rules(auditor, tmp_path):
    from typer.testing import CliRunner

    from auditor.cli import app

    folder = tmp_path / "a"
    folder.mkdir()
    (folder / "2022.txt").write_text(budget("江苏省水利厅", 2022, Y2022), "utf-8")
    (folder / "2023.txt").write_text(budget("江苏省水利厅", 2023, Y2023), "utf-8")

    def cross_rules(*args: str) -> list[str]:
        out = tmp_path / "r.json"
        r = CliRunner().invoke(app, ["audit", str(folder), "--json", str(out), "-q", *args])
        assert r.exit_code in (0, 1), r.output
        return [f["rule"] for f in json.loads(out.read_text("utf-8"))["cross_document"]]

    assert cross_rules() == ["cross.prior_year"]  # 因公出国 18 "相等" against 20 (see Y2023)
    assert cross_rules("--select", "cross.prior_year") == ["cross.prior_year"]
    assert cross_rules("--select", "cross") == ["cross.prior_year"]  # the group
    assert cross_rules("--select", "change.rate") == []
    assert cross_rules("--ignore", "cross") == []


def test_no_cross_turns_year_over_year_off(auditor):
    docs = [doc(auditor, budget("江苏省水利厅", 2022, Y2022), "a/2022.txt"),
            doc(auditor, budget("江苏省水利厅", 2023, Y2023), "a/2023.txt")]
    assert cross_document(docs, years=False) == ([], {"bundles": [], "year_pairs": []})


# ---- bundles ----------------------------------------------------------------------------

TABLES = ("江苏省水利厅2023年部门预算公开表\n\n收支预算总表\n单位：万元\n收入\t\t支出\t\n项目\t预算数\t项目\t预算数\n"
          "一般公共预算拨款收入\t1,200.50\t一般公共服务支出\t1,200.50\n收入总计\t1,200.50\t支出总计\t1,200.50\n")


def bundle(auditor, narrative_total: str) -> list[dict]:
    narrative = budget("江苏省水利厅", 2023, Y2023_OK.replace("1,200.50万元", narrative_total))
    return [doc(auditor, narrative, "b/江苏省水利厅2023年部门预算公开.txt"),
            doc(auditor, TABLES, "b/江苏省水利厅2023年部门预算公开表.txt")]


def test_narrative_agreeing_with_its_attached_tables_is_silent(auditor):
    flags, info = cross_document(bundle(auditor, "1,200.50万元"))
    assert len(info["bundles"]) == 1 and flags == []


def test_narrative_contradicting_its_attached_tables_is_an_error(auditor):
    flags, info = cross_document(bundle(auditor, "1,250.50万元"))  # the tables say 1,200.50
    assert len(info["bundles"]) == 1
    assert [(f["rule"], f["severity"], f["stated"], f["expected"]) for f in flags] == \
        [("cross.bundle", "error", "1,250.50万元", "1,200.50")]
    assert [e["document"] for e in flags[0]["evidence"]] == \
        ["b/江苏省水利厅2023年部门预算公开.txt", "b/江苏省水利厅2023年部门预算公开表.txt"]


def test_no_bundle_turns_the_pairing_off(auditor):
    flags, info = cross_document(bundle(auditor, "1,250.50万元"), bundles=False)
    assert info["bundles"] == [] and not [f for f in flags if f["rule"] == "cross.bundle"]


def test_tables_of_another_year_are_no_bundle(auditor):
    docs = bundle(auditor, "1,250.50万元")
    docs[1] = doc(auditor, TABLES.replace("2023", "2024"), docs[1]["path"])
    flags, info = cross_document(docs)
    assert info["bundles"] == [] and flags == []  # (a year pair, 2023 → 2024, with nothing to compare)


# ---- the dev corpus against its keys -----------------------------------------------------

_NUM = re.compile(r"\d[\d,]*(?:\.\d+)?")


def _numbers(quote: str) -> set[Decimal]:
    return {Decimal(m.replace(",", "")) for m in _NUM.findall(quote)}


def _matches(flag: dict, entry: dict) -> bool:
    """A flag is the key's relation when, for each document, a number it quotes is one the key quotes."""
    by_doc: dict[str, set[Decimal]] = {}
    for e in entry["evidence"]:
        by_doc.setdefault(e["document"], set()).update(_numbers(str(e["quote"])))
    mine: dict[str, set[Decimal]] = {}
    for e in flag["evidence"]:
        mine.setdefault(Path(e["document"]).name, set()).update(_numbers(e["quote"]))
    return set(mine) == set(by_doc) and all(mine[d] & by_doc[d] for d in mine)


@need_shared(DEV / "pdf")
def test_dev_corpus_cross_document_flags_follow_the_keys(tmp_path):
    out = tmp_path / "x.json"
    subprocess.run([sys.executable, "-m", "auditor", "audit", str(DEV), "--json", str(out), "-q"],
                   cwd=ROOT, capture_output=True, check=False)
    flags = json.loads(out.read_text(encoding="utf-8"))["cross_document"]
    entries = [e for k in sorted((ROOT / "corpora/dev").glob("*.expected.yaml"))
               for e in (yaml.safe_load(k.read_text(encoding="utf-8")).get("cross_document") or [])]
    key_flags = [e for e in entries if e["status"] == "flag"]
    holds = [e for e in entries if e["status"] == "holds"]
    assert not [f["message"] for f in flags if any(_matches(f, h) for h in holds)]
    outside = [f["message"] for f in flags if not any(_matches(f, e) for e in key_flags)]
    assert outside == []
    caught = {e["id"] for e in key_flags if any(_matches(f, e) for f in flags)}
    # 2017→2018 procuratorate: 因公出国 100 vs 110, 财政拨款 +3,958.98 vs 17,981.68 (errors), 基本支出
    # 12,323.46 vs 12,323.48 (warning); each is listed in both years' keys. Not caught: the 2019 item
    # rates (7.57%, 64.07%), whose narrative items carry no concept to match across documents.
    assert caught >= {"abroad-2018-equal-to-2017-budget", "gpb-change-2018-3958-98", "basic-change-2018-base-12323-46",
                      "fiscal-prior-year-vs-2017", "basic-expenditure-prior-year-vs-2017",
                      "outbound-travel-equal-to-last-year"}
    severities = {e["id"]: e.get("severity") for e in key_flags}
    for f in flags:
        ids = [e["id"] for e in key_flags if _matches(f, e)]
        if f["severity"] == "error":  # an error only where the key says error
            assert all(severities[i] == "error" for i in ids), (f["message"], ids)


def test_cross_document_flags_print_as_path_line_lines(tmp_path):
    from typer.testing import CliRunner

    from auditor.cli import app

    folder = tmp_path / "a"
    folder.mkdir()
    (folder / "2022.txt").write_text(budget("江苏省水利厅", 2022, Y2022), "utf-8")
    (folder / "2023.txt").write_text(budget("江苏省水利厅", 2023, Y2023), "utf-8")
    r = CliRunner().invoke(app, ["audit", str(folder), "-q"])
    later = str(folder / "2023.txt")
    # the flag belongs to the later year's document, at the line of its own number (18万元)
    line = next(ln for ln in r.stdout.split("\n") if "[cross.prior_year]" in ln)
    n = budget("江苏省水利厅", 2023, Y2023).split("\n").index(next(
        x for x in budget("江苏省水利厅", 2023, Y2023).split("\n") if "18万元" in x)) + 1
    assert line.startswith(f"{later}:{n}: 错误 [cross.prior_year] "), line
