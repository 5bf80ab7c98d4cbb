"""Resumable runs: kill a 2,000-document run halfway, restart with the same --cache, and get
exactly the JSON of an uninterrupted run.

The corpus is generated: 2,000 tiny final-account texts, each different (its own amounts),
every seventh one with a wrong change rate so that flags are part of what must survive.
The interrupted run is a real process killed with SIGKILL (with its workers) once at least
800 results are in the cache. Results are compared document by document through hashes
and counts, never as megabyte strings.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import without_run

N_DOCS = 2000
KILL_AFTER = 800
CLI = [sys.executable, "-c", "from auditor.cli import main; main()"]


def tiny_document(i: int) -> str:
    last = Decimal(1000 + 7 * i) + Decimal(i % 100) / 100
    this = last + Decimal(50 + i % 37)
    rate = ((this - last) / last * 100).quantize(Decimal("0.01"))
    if i % 7 == 0:
        rate += Decimal("3.00")  # a planted contradiction
    basic = (this * Decimal("0.6")).quantize(Decimal("0.01"))
    project = this - basic
    return (f"第{i}号单位2024年度部门决算\n"
            "一、收入支出决算总体情况说明\n"
            f"2024年度收入、支出总计{this:,.2f}万元。与上年相比，收入、支出总计各增加{this - last:,.2f}万元，"
            f"增长{rate}%。\n"
            f"其中：基本支出{basic:,.2f}万元，项目支出{project:,.2f}万元。\n")


def make_corpus(folder: Path, n: int = N_DOCS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"doc{i:05d}.txt").write_text(tiny_document(i), encoding="utf-8")
    return folder


def digest(doc: dict) -> str:
    return hashlib.sha256(json.dumps(doc, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def cached_entries(cache: Path) -> int:
    return sum(1 for _ in cache.rglob("*.json")) if cache.exists() else 0


def kill_once_cached(cmd: list[str], cache: Path, count: int, limit: float = 240) -> None:
    """Run `cmd` and SIGKILL its whole process group (main process, workers, their children)
    as soon as `count` results are in the cache: an interruption at a known point."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + limit
        while cached_entries(cache) < count:
            assert proc.poll() is None, "the run finished before it could be interrupted"
            assert time.monotonic() < deadline, "the run is too slow to reach the kill point"
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)


def run_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, "audit", *args], capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return make_corpus(tmp_path_factory.mktemp("resume") / "corpus")


def test_killed_run_resumes_to_the_same_json(corpus: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    killed_json = tmp_path / "killed.json"
    kill_once_cached([*CLI, "audit", str(corpus), "--cache", str(cache), "--json", str(killed_json), "-j", "2", "-q"],
                     cache, KILL_AFTER)
    done_before = cached_entries(cache)
    assert KILL_AFTER <= done_before < N_DOCS
    assert not killed_json.exists(), "no report is written by a run that did not finish"

    resumed_json = tmp_path / "resumed.json"
    resumed = run_cli(str(corpus), "--cache", str(cache), "--json", str(resumed_json), "-j", "2", "-q")
    assert resumed.returncode == 1, resumed.stdout + resumed.stderr  # the planted flags are errors
    assert "Traceback" not in resumed.stderr
    hits = int(resumed.stdout.split("读取 ")[1].split(" 个")[0])
    assert hits >= done_before - 2  # (an entry being written at the kill may be lost; it is redone)
    assert cached_entries(cache) == N_DOCS

    fresh_json = tmp_path / "fresh.json"
    fresh = run_cli(str(corpus), "--json", str(fresh_json), "-j", "2", "-q")
    assert fresh.returncode == 1

    a = json.loads(fresh_json.read_text("utf-8"))
    b = json.loads(resumed_json.read_text("utf-8"))
    assert len(a["documents"]) == len(b["documents"]) == N_DOCS
    assert [d["path"] for d in a["documents"]] == [d["path"] for d in b["documents"]]
    mismatched = [x["path"] for x, y in zip(a["documents"], b["documents"]) if digest(x) != digest(y)]
    assert mismatched == [], mismatched[:5]
    assert digest(a["rules"]) == digest(b["rules"])
    assert a.keys() == b.keys()
    flagged = sum(1 for d in a["documents"] if d["flags"])
    assert flagged >= N_DOCS // 7  # the planted contradictions are there, in both


def test_cache_key_changes_with_rules_and_content(tmp_path: Path) -> None:
    from auditor.cache import ResultCache, file_sha256, run_key

    corpus = make_corpus(tmp_path / "c", 3)
    key = run_key([], ["change.rate"], None)
    assert key == run_key([], ["change.rate"], None)
    assert key != run_key([], ["change.rate", "share.of_total"], None)
    assert key != run_key([], ["change.rate"], "error")
    extra = tmp_path / "rules"
    extra.mkdir()
    (extra / "x.yaml").write_text("id: x\n", "utf-8")
    assert key != run_key([extra], ["change.rate"], None)
    a, b = (corpus / "doc00000.txt"), (corpus / "doc00001.txt")
    assert file_sha256(a) != file_sha256(b)
    cache = ResultCache(tmp_path / "cache", key)
    cache.put(file_sha256(a), {"path": str(a), "error": f"{a}: 坏", "flags": []})
    copy = tmp_path / "copy.txt"
    copy.write_bytes(a.read_bytes())
    hit = cache.get(file_sha256(copy), str(copy))
    assert hit == {"path": str(copy), "error": f"{copy}: 坏", "flags": []}  # same bytes, its own name
    assert cache.get(file_sha256(b), str(b)) is None
    # a damaged entry is a miss, not a crash
    entry = next((tmp_path / "cache").rglob("*.json"))
    entry.write_text("{half", "utf-8")
    assert cache.get(file_sha256(a), str(a)) is None


def test_second_run_reads_everything_from_the_cache(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "c", 12)
    cache = tmp_path / "cache"
    first = run_cli(str(corpus), "--cache", str(cache), "--json", str(tmp_path / "1.json"), "-q", "-j", "1")
    second = run_cli(str(corpus), "--cache", str(cache), "--json", str(tmp_path / "2.json"), "-q", "-j", "1")
    assert "读取 0 个已有结果，新存入 12 个" in first.stdout, first.stdout + first.stderr
    assert "读取 12 个已有结果，新存入 0 个" in second.stdout, second.stdout
    texts = [(tmp_path / n).read_text("utf-8") for n in ("1.json", "2.json")]
    assert without_run(texts[0]) == without_run(texts[1])  # byte for byte, but for the run's time
