"""The benchmarks: smoke runs on a tiny setting (no timing assertions), and the accuracy
bench's mutations checked by hand on a small document."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor.bench import accuracy
from auditor.bench.mutate import Printed, Skips
from auditor.bench.synth import generate, vary
from auditor.cli import app

SAMPLE = """2024年度某某局部门决算
一、收入支出决算总体情况说明
2024年度收入总计1,100.00万元，比上年增加100.00万元，增长10.00%。
2024年度支出总计1,100.00万元，其中：基本支出600.00万元，项目支出300.00万元。
基本支出600.00万元，占支出总计的54.55%。
"""


@pytest.fixture()
def sample(tmp_path: Path) -> Path:
    p = tmp_path / "corpus" / "sample.txt"
    p.parent.mkdir()
    p.write_text(SAMPLE, "utf-8")
    return p


def _sites(path: Path, kinds: set[str]):
    text, result, sites = accuracy.plan(path, 0, kinds, None, Skips())
    assert not result.flags, "the hand-made sample is consistent"
    return text, sites


def _num(s: str) -> Decimal:
    return Decimal(s.replace(",", "").rstrip("%万元"))


def test_change_rate_mutation_breaks_the_change_by_hand(sample: Path):
    text, sites = _sites(sample, {"change_rate"})
    [site] = sites
    assert site.old == "10.00%" and site.line == 3
    # same print shape: two integer digits, two decimals, the % sign
    assert site.new.endswith("%") and len(site.new) == len(site.old) and site.new[2] == "."
    # by hand: 100.00 ÷ (1,100.00 − 100.00) lies in [9.9985%, 10.0015%] with the rounding of every figure
    lo = Decimal("99.995") / (Decimal("1100.005") - Decimal("99.995")) * 100
    hi = Decimal("100.005") / (Decimal("1099.995") - Decimal("100.005")) * 100
    new = _num(site.new)
    assert not (lo - Decimal("0.005") <= new <= hi + Decimal("0.005"))
    assert abs(new - 10) > Decimal("0.5")  # far beyond rounding
    copy = site.apply(text)
    assert copy.count(site.new) == 1 and "10.00%" not in copy


def test_direction_mutation_flips_one_word(sample: Path):
    text, sites = _sites(sample, {"direction"})
    assert {(s.old, s.new) for s in sites} == {("增加", "减少"), ("增长", "下降")}
    for s in sites:
        line = s.apply(text).split("\n")[s.line - 1]
        words = ("增加" in line, "减少" in line, "增长" in line, "下降" in line)
        assert words in ((False, True, True, False), (True, False, False, True))  # the two words disagree


def test_qizhong_part_mutation_makes_the_parts_exceed_the_total(sample: Path):
    text, sites = _sites(sample, {"qizhong_part"})
    assert {s.old for s in sites} == {"600.00万元", "300.00万元"}
    for s in sites:
        other = Decimal(300) if s.old.startswith("600") else Decimal(600)
        # the largest sum the printed figures allow still exceeds the smallest total
        assert _num(s.new) - Decimal("0.005") + other - Decimal("0.005") > Decimal("1100.005")
        assert Printed.parse(s.new).decimals == 2


def test_printed_shape_is_kept():
    p = Printed.parse("15,748.74万元")
    assert p and p.grouped and p.decimals == 2 and p.int_digits == 5
    assert p.format(Decimal("12345.6")) == "12,345.60"
    assert p.fits(Decimal("99999.99")) and not p.fits(Decimal("100000")) and not p.fits(Decimal("9999.99"))


def test_synthetic_corpus_varies_amounts_not_percentages(tmp_path: Path, sample: Path):
    assert vary("支出1,100.00万元，增长10.00%，占54.55 %", Decimal(2)) == "支出2,200.00万元，增长10.00%，占54.55 %"
    paths = generate(sample.parent, tmp_path / "synth", 3, seed=1)
    texts = [p.read_text("utf-8") for p in paths]
    assert len(set(texts)) == 3 and all("10.00%" in t for t in texts)


def test_accuracy_bench_smoke(tmp_path: Path, sample: Path):
    out = tmp_path / "acc.json"
    r = CliRunner().invoke(app, ["bench", "accuracy", str(sample.parent), "--limit", "1", "--out", str(out)])
    assert r.exit_code == 0, r.output
    report = json.loads(out.read_text("utf-8"))
    assert report["documents"] == 1 and report["machine"]["cores"]
    s = report["summary"]
    assert s["change_rate"]["planted"] == 1 and s["all"]["planted"] >= 5
    assert s["all"]["caught"] + s["all"]["missed"] == s["all"]["planted"]
    for p in report["plants"]:
        assert p["old"] != p["new"] and p["line"] in (3, 4, 5)
    assert report["originals"][0]["flags"] == 0


def test_speed_bench_smoke(tmp_path: Path, sample: Path):
    out = tmp_path / "speed.json"
    r = CliRunner().invoke(app, ["bench", "speed", str(sample.parent), "--jobs", "1", "--docs", "2",
                                 "--workdir", str(tmp_path / "synth"), "--out", str(out)])
    assert r.exit_code == 0, r.output
    report = json.loads(out.read_text("utf-8"))
    [setting] = report["settings"]
    assert (setting["docs"], setting["jobs"]) == (2, 1) and setting["errors"] == 0
    assert setting["peak_rss_mb"]["main"] > 0 and setting["startup"]["auditor_build_s"] is not None
    assert report["machine"]["python"]


def test_speed_worker_pool_smoke(tmp_path: Path, sample: Path):
    """--jobs 2 in this process (the CLI runs each setting in a fresh interpreter)."""
    from auditor.bench.speed import worker

    files = [str(p) for p in generate(sample.parent, tmp_path / "synth", 2, seed=0)]
    res = worker(files, 2, 0.0)
    assert res["docs"] == 2 and res["jobs"] == 2 and res["errors"] == 0
    assert res["peak_rss_mb"]["largest_worker"] > 0 and res["startup"]["workers_ready_s"] is not None
