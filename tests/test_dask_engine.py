"""`--engine dask`: the same results as the local engine, limits that hold on the cluster, resume.

Every cluster here is a LocalCluster of 2 worker processes on this machine, shut down by
the command that started it (CLI runs) or by the module fixture (API runs).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from auditor.runner import RunSettings  # noqa: E402
from conftest import ROOT, SEEDS, SHARED, need_shared  # noqa: E402
from test_isolation import memory_hog, slow_text  # noqa: E402
from test_resume import cached_entries, digest, kill_once_cached, make_corpus  # noqa: E402

CLI = [sys.executable, "-c", "from auditor.cli import main; main()"]
DEV_TEXTS = sorted((ROOT / "corpora" / "dev").glob("*.txt"))[:3]
SEED_TEXTS = sorted(SEEDS.glob("*.txt"))


def run_cli(*args, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, "audit", *map(str, args)], capture_output=True, text=True, timeout=timeout)


def without_run(path: Path) -> dict:
    data = json.loads(path.read_text("utf-8"))
    run = data.pop("run")
    assert run["version"] and run["catalogue"]
    return data


def test_dask_results_are_identical_to_local(tmp_path):
    inputs = [SEEDS, *DEV_TEXTS]
    out = {}
    for engine in ("local", "dask"):
        r = run_cli(*inputs, "--engine", engine, "-j", "2", "-q", "--json", tmp_path / f"{engine}.json",
                    "--jsonl", tmp_path / f"{engine}.jsonl")
        assert r.returncode == 1, r.stdout + r.stderr  # the seeds' planted errors
        assert "Traceback" not in r.stderr
        out[engine] = r.stdout
    local, dask = without_run(tmp_path / "local.json"), without_run(tmp_path / "dask.json")
    assert len(local["documents"]) == len(SEED_TEXTS) + 6 + len(DEV_TEXTS)  # 5 texts, 5 keys, the format note
    assert json.dumps(local, sort_keys=True) == json.dumps(dask, sort_keys=True)
    assert (tmp_path / "local.jsonl").read_bytes() == (tmp_path / "dask.jsonl").read_bytes()
    assert out["local"].split("\n")[0] == out["dask"].split("\n")[0]  # the same summary line
    # a streamed run alone leaves the sources on the workers: the lines are the same
    r = run_cli(*inputs, "--engine", "dask", "-j", "2", "-q", "--jsonl", tmp_path / "stream.jsonl")
    assert r.returncode == 1, r.stdout + r.stderr
    assert (tmp_path / "stream.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    meta = json.loads((tmp_path / "dask.jsonl.meta.json").read_text("utf-8"))
    assert meta["run"]["engine"] == "dask" and meta["documents"] == len(local["documents"])


@need_shared(SHARED / "dev" / "pdf")
def test_dask_results_are_identical_to_local_on_the_dev_corpus(tmp_path):
    for engine in ("local", "dask"):
        r = run_cli(SHARED / "dev", "--engine", engine, "-j", "2", "-q", "--json", tmp_path / f"{engine}.json")
        assert r.returncode in (0, 1), r.stdout + r.stderr
    local, dask = without_run(tmp_path / "local.json"), without_run(tmp_path / "dask.json")
    assert any(d["path"].endswith(".pdf") and not d["error"] for d in local["documents"])
    assert json.dumps(local, sort_keys=True) == json.dumps(dask, sort_keys=True)


@pytest.fixture(scope="module")
def cluster():
    from auditor.engines.dask_engine import DaskCluster

    c = DaskCluster(workers=2)
    try:
        yield c
    finally:
        c.close()


def test_timeout_and_memory_cap_hold_on_the_cluster_and_the_run_goes_on(tmp_path, cluster):
    from auditor.engines.dask_engine import run_documents_dask
    from auditor.report.json_report import document_dict
    from auditor.audit import Auditor

    slow, hog = slow_text(tmp_path), memory_hog(tmp_path)
    seed_a, seed_b = SEED_TEXTS[1], SEED_TEXTS[3]
    seen: list[str] = []
    # two runs on the same cluster: the worker plugin is registered again with each run's limits
    # (a 400 MB cap is too low for the slow text's regexes, as it is with the local engine)
    docs = [*run_documents_dask([slow, seed_a], RunSettings(timeout=3), cluster,
                                on_document=lambda d: seen.append(d["path"])),
            *run_documents_dask([hog, seed_b], RunSettings(memory_mb=400), cluster,
                                on_document=lambda d: seen.append(d["path"]))]
    files = [slow, seed_a, hog, seed_b]
    assert [d["path"] for d in docs] == seen == [str(f) for f in files]  # input order, each handed on once
    assert [d["error_kind"] for d in docs] == ["timeout", None, "memory", None]
    assert "超时" in docs[0]["error"] and "内存超限" in docs[2]["error"]
    for d, f in ((docs[1], seed_a), (docs[3], seed_b)):  # the workers that lost a child go on, unchanged
        alone = document_dict(Auditor().audit_path(f))
        assert json.dumps(d, sort_keys=True) == json.dumps(alone, sort_keys=True)


def test_a_crashing_child_is_the_documents_error_and_the_worker_goes_on(tmp_path, cluster, monkeypatch):
    """A child killed from outside (as the OOM killer would) is kind `crash`; the next task gets a fresh child."""
    from auditor.engines.dask_engine import run_documents_dask

    slow = slow_text(tmp_path)

    def kill_children(dask_worker=None):
        from auditor.engines.dask_engine import PLUGIN_NAME

        killed = 0
        for iso in dask_worker.plugins[PLUGIN_NAME]._all:
            if iso.slot is not None and iso.slot.proc.is_alive():
                os.kill(iso.slot.proc.pid, signal.SIGKILL)
                killed += 1
        return killed

    files = [slow, SEED_TEXTS[0]]
    import threading

    killed: list[dict] = []

    def killer():
        time.sleep(4)  # the slow text's child is busy by then (the seed is long done)
        killed.append(cluster.client.run(kill_children))

    t = threading.Thread(target=killer)
    t.start()
    docs = run_documents_dask(files, RunSettings(timeout=60, memory_mb=0), cluster)
    t.join()
    assert sum(killed[0].values()) >= 1
    assert docs[0]["error_kind"] == "crash", docs[0]["error"]
    assert "工作进程" in docs[0]["error"]
    assert docs[1]["error"] is None and docs[1]["claims"] > 0


def test_killed_dask_run_resumes_from_its_cache(tmp_path):
    n, kill_after = 300, 100
    corpus = make_corpus(tmp_path / "corpus", n)
    cache = tmp_path / "cache"
    # the process group: the client, the LocalCluster's nannies, workers and children
    kill_once_cached([*CLI, "audit", str(corpus), "--engine", "dask", "-j", "2", "--cache", str(cache),
                      "--jsonl", str(tmp_path / "killed.jsonl"), "-q"], cache, kill_after)
    done_before = cached_entries(cache)
    assert kill_after <= done_before < n

    resumed = run_cli(corpus, "--engine", "dask", "-j", "2", "--cache", cache, "--jsonl", tmp_path / "resumed.jsonl",
                      "--json", tmp_path / "resumed.json", "-q")
    assert resumed.returncode == 1, resumed.stdout + resumed.stderr
    hits = int(resumed.stdout.split("读取 ")[1].split(" 个")[0])
    assert hits >= done_before - 2
    fresh = run_cli(corpus, "-j", "2", "--json", tmp_path / "fresh.json", "--jsonl", tmp_path / "fresh.jsonl", "-q")
    assert fresh.returncode == 1
    a, b = without_run(tmp_path / "fresh.json"), without_run(tmp_path / "resumed.json")
    assert [digest(d) for d in a["documents"]] == [digest(d) for d in b["documents"]]
    assert (tmp_path / "fresh.jsonl").read_bytes() == (tmp_path / "resumed.jsonl").read_bytes()
    assert sum(1 for d in a["documents"] if d["flags"]) >= n // 7


def test_missing_dask_is_a_chinese_error_naming_the_extra(tmp_path):
    blocker = tmp_path / "block"
    blocker.mkdir()
    (blocker / "distributed.py").write_text("raise ImportError('blocked for the test')\n", "utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(blocker), *filter(None, [os.environ.get("PYTHONPATH")])])}
    r = subprocess.run([*CLI, "audit", str(SEED_TEXTS[0]), "--engine", "dask", "-q"], capture_output=True, text=True,
                       env=env, cwd=ROOT, timeout=120)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "未安装 Dask" in r.stderr and "pip install -e '.[dask]'" in r.stderr
    assert "Traceback" not in r.stderr


def test_engine_and_scheduler_usage_errors(tmp_path):
    r = run_cli(SEED_TEXTS[0], "--engine", "spark", "-q")
    assert r.returncode == 2 and "--engine" in r.stderr
    r = run_cli(SEED_TEXTS[0], "--scheduler", "tcp://127.0.0.1:1", "-q")
    assert r.returncode == 2 and "--scheduler" in r.stderr
    r = run_cli(SEED_TEXTS[0], "--engine", "dask", "--scheduler", "tcp://127.0.0.1:1", "-q", timeout=120)
    assert r.returncode == 2 and "无法连接 Dask 调度器" in r.stderr, r.stderr[-2000:]


def test_a_worker_with_another_auditor_version_stops_the_run_before_any_document(cluster, monkeypatch):
    import auditor.cache
    from auditor.engines.dask_engine import run_documents_dask
    from auditor.runner import RunnerError

    monkeypatch.setattr(auditor.cache, "auditor_version", lambda: "0.0.0+client")
    seen: list[dict] = []
    with pytest.raises(RunnerError, match="版本"):
        run_documents_dask(SEED_TEXTS[:1], RunSettings(), cluster, on_document=seen.append)
    assert seen == []


def test_need_source_false_leaves_only_the_source_behind(cluster):
    from auditor.engines.dask_engine import run_documents_dask

    full = run_documents_dask(SEED_TEXTS[:2], RunSettings(), cluster)
    lean = run_documents_dask(SEED_TEXTS[:2], RunSettings(), cluster, need_source=False)
    assert all("source" in d for d in full) and not any("source" in d for d in lean)
    assert [{k: v for k, v in d.items() if k != "source"} for d in full] == lean
