"""`auditor bench scale` on a tiny setting: what it records, never how fast (no timing assertions)."""

from __future__ import annotations

import json

import pytest

from auditor.bench.scale import flatness, steady_rate
from conftest import SEEDS


def test_scale_bench_records_every_process_of_the_run(tmp_path):
    from auditor.bench.scale import run_scale

    report = run_scale(SEEDS, [6, 12], ["local"], jobs=2, workdir=tmp_path / "w", overhead=False)
    assert [s["docs"] for s in report["settings"]] == [6, 12]
    for s in report["settings"]:
        assert s["documents_written"] == s["docs"]
        lines = (tmp_path / "w" / "out" / f"local-{s['docs']}.jsonl").read_text("utf-8").splitlines()
        assert len(lines) == s["docs"] and all(json.loads(ln)["error"] is None for ln in lines)
        rss = s["peak_rss_mb"]
        assert rss["main"] > 20 and len(rss["workers"]) == 2  # the two isolated workers of --jobs 2
        assert all(w > 20 for w in rss["workers"])
        assert f"共 {s['docs']} 个文件" in s["summary"]
        assert "--engine local" in s["command"] and "--jsonl" in s["command"]
    # the 12-document folder holds exactly the first 12 synthetic documents, each different
    texts = {p.read_text("utf-8") for p in (tmp_path / "w" / "n12").iterdir()}
    assert len(texts) == 12
    assert set(report["flat"]["local"]["ratio"]) == {"main", "workers"}


def test_flatness_and_steady_rate_arithmetic():
    settings = [{"engine": "dask", "docs": 1000, "peak_rss_mb": {"main": 100.0, "workers": [90.0, 80.0], "dask_workers": [140.0]}},
                {"engine": "dask", "docs": 10000, "peak_rss_mb": {"main": 105.0, "workers": [99.0, 85.0], "dask_workers": [160.0]}}]
    flat = flatness(settings)["dask"]
    assert flat["ratio"] == {"main": 1.05, "workers": 1.1, "dask_workers": pytest.approx(1.143, abs=0.001)}
    assert flat["within_10_percent"] is False  # the Dask worker grew by 14%
    progress = [(0.0, 0), (1.0, 5), (2.0, 10), (3.0, 50), (4.0, 90), (5.0, 100)]
    assert steady_rate(progress, 100) == 40.0  # 10 → 90 lines between t=2 and t=4
    assert steady_rate([(0.0, 0)], 100) is None
