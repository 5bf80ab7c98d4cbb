"""Speed bench: documents/s, MB/s, per-document p50/p95, start-up and peak RSS.

Each (corpus size, jobs) setting runs in a fresh Python process, so start-up
(importing the package and building the Auditor: catalogue, compiled vocabulary)
is measured cold and reported apart from the warm per-document cost, and the
peak RSS of a setting is its own. With --jobs J > 1 the setting's process starts
a pool of J workers (fork); each builds its Auditor once in its initializer, and
the clock starts when every worker is ready. Peak RSS is reported for the main
process and for the largest worker (ru_maxrss of the children).

The corpus is the synthetic one of `synth.py`, so the same seeds are scaled to
10, 100, 1,000 ... documents with different figures in each.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_AUDITOR = None


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    k = (len(s) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def _init(barrier) -> None:
    global _AUDITOR
    from auditor.audit import Auditor

    _AUDITOR = Auditor()
    barrier.wait()


def _audit_one(path: str) -> tuple[float, int, int, bool, float]:
    t, c = time.perf_counter(), time.process_time()
    result = _AUDITOR.audit_path(path)  # type: ignore[union-attr]
    return (time.perf_counter() - t, len(result.flags), len(result.claims), result.error is not None,
            time.process_time() - c)


def _maxrss_mb(who: int) -> float:
    kb = resource.getrusage(who).ru_maxrss  # kilobytes on Linux
    return round(kb / 1024, 1)


# the fresh process of one setting: the clock starts before the package is imported
_BOOT = ("import time; _t0 = time.perf_counter(); import auditor.audit; "
         "_ti = time.perf_counter() - _t0; from auditor.bench.speed import _main; _main(_ti)")


def _main(t_import: float) -> None:
    files = json.loads(Path(sys.argv[1]).read_text("utf-8"))
    res = worker(files, int(sys.argv[2]), t_import)
    Path(sys.argv[3]).write_text(json.dumps(res), "utf-8")


def worker(files: list[str], jobs: int, t_import: float) -> dict:
    """One setting, in this (fresh) process."""
    global _AUDITOR
    load_before = os.getloadavg()
    t1 = time.perf_counter()
    if jobs == 1:
        from auditor.audit import Auditor

        _AUDITOR = Auditor()
        t_build = time.perf_counter() - t1
        t_start = time.perf_counter()
        out = [_audit_one(f) for f in files]
        wall = time.perf_counter() - t_start
        workers_ready = None
    else:
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        barrier = ctx.Barrier(jobs + 1)
        pool = ctx.Pool(jobs, initializer=_init, initargs=(barrier,))
        barrier.wait()
        workers_ready = time.perf_counter() - t1
        t_build = None
        t_start = time.perf_counter()
        out = list(pool.imap_unordered(_audit_one, files, chunksize=max(1, min(8, len(files) // (jobs * 8)))))
        wall = time.perf_counter() - t_start
        pool.close()
        pool.join()
    times = [o[0] for o in out]
    cpu = [o[4] for o in out]
    size = sum(os.path.getsize(f) for f in files)
    return {
        "docs": len(files),
        "jobs": jobs,
        "bytes": size,
        "startup": {"import_s": round(t_import, 3),
                    "auditor_build_s": None if t_build is None else round(t_build, 3),
                    "workers_ready_s": None if workers_ready is None else round(workers_ready, 3)},
        "wall_s": round(wall, 3),
        "docs_per_s": round(len(files) / wall, 2) if wall else None,
        "mb_per_s": round(size / 2**20 / wall, 3) if wall else None,
        "per_doc_ms": {"mean": round(statistics.fmean(times) * 1000, 2),
                       "p50": round(_percentile(times, 0.50) * 1000, 2),
                       "p95": round(_percentile(times, 0.95) * 1000, 2),
                       "max": round(max(times) * 1000, 2)},
        "per_doc_cpu_ms": {"mean": round(statistics.fmean(cpu) * 1000, 2),
                           "p50": round(_percentile(cpu, 0.50) * 1000, 2),
                           "p95": round(_percentile(cpu, 0.95) * 1000, 2)},
        "loadavg_1min": {"before": round(load_before[0], 2), "after": round(os.getloadavg()[0], 2)},
        "peak_rss_mb": {"main": _maxrss_mb(resource.RUSAGE_SELF),
                        "largest_worker": _maxrss_mb(resource.RUSAGE_CHILDREN) if jobs > 1 else None},
        "flags": sum(o[1] for o in out),
        "claims": sum(o[2] for o in out),
        "errors": sum(1 for o in out if o[3]),
    }


def run_setting(files: list[Path], jobs: int) -> dict:
    """Run one setting in a fresh interpreter and return its measurements."""
    with tempfile.TemporaryDirectory() as tmp:
        listing = Path(tmp) / "files.json"
        listing.write_text(json.dumps([str(f) for f in files]), "utf-8")
        result = Path(tmp) / "result.json"
        cmd = [sys.executable, "-c", _BOOT, str(listing), str(jobs), str(result)]
        t = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        elapsed = time.perf_counter() - t
        if proc.returncode != 0:
            raise RuntimeError(f"speed worker failed ({proc.returncode}): {proc.stderr[-2000:]}")
        out = json.loads(result.read_text("utf-8"))
        out["process_s"] = round(elapsed, 3)  # interpreter start to exit, start-up included
        return out


def run_speed(corpus: Path, jobs: list[int], docs: list[int], seed: int = 0, workdir: Path | None = None,
              progress=None) -> dict:
    from auditor.bench.machine import machine_info
    from auditor.bench.synth import generate

    workdir = workdir or Path(tempfile.gettempdir()) / f"auditor-bench-synth-{seed}"
    files = generate(corpus, workdir, max(docs), seed)
    settings = []
    for n in sorted(docs):
        for j in jobs:
            if progress:
                progress(n, j)
            settings.append(run_setting(files[:n], j))
    by = {(s["docs"], s["jobs"]): s for s in settings}
    scaling = {}
    for n in sorted(docs):
        if (n, 1) in by:
            for j in jobs:
                if j > 1 and (n, j) in by and by[(n, j)]["wall_s"]:
                    scaling[f"{n} docs: jobs {j} vs 1"] = round(by[(n, 1)]["wall_s"] / by[(n, j)]["wall_s"], 2)
    return {
        "schema": "auditor.bench.speed/1",
        "corpus": str(corpus),
        "synthetic_corpus": str(workdir),
        "seed": seed,
        "settings": settings,
        "speedup": scaling,
        "machine": machine_info(),
    }


def markdown_table(report: dict) -> str:
    rows = ["| docs | jobs | docs/s | MB/s | per-doc p50 ms | p95 ms | start-up s (import + build) "
            "| peak RSS MB (main / worker) | CPU ms/doc p50 | load before/after |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for s in report["settings"]:
        st = s["startup"]
        start = (f"{st['import_s']} + {st['auditor_build_s']}" if st["auditor_build_s"] is not None
                 else f"{st['import_s']} + {st['workers_ready_s']} (pool)")
        rss = s["peak_rss_mb"]
        rss_s = f"{rss['main']}" + (f" / {rss['largest_worker']}" if rss["largest_worker"] else "")
        rows.append(f"| {s['docs']} | {s['jobs']} | {s['docs_per_s']} | {s['mb_per_s']} | "
                    f"{s['per_doc_ms']['p50']} | {s['per_doc_ms']['p95']} | {start} | {rss_s} | "
                    f"{s['per_doc_cpu_ms']['p50']} | {s['loadavg_1min']['before']} / {s['loadavg_1min']['after']} |")
    return "\n".join(rows)


def profile(corpus: Path, out: Path, repeat: int = 3) -> str:
    """Profile warm audits of the corpus with pyinstrument (the `bench` extra); the text report."""
    try:
        from pyinstrument import Profiler
    except ImportError as exc:  # pragma: no cover - depends on the optional extra
        raise RuntimeError("pyinstrument is not installed: pip install -e '.[bench]'") from exc
    from auditor.audit import Auditor
    from auditor.bench.synth import seeds_of

    auditor = Auditor()
    files = seeds_of(corpus)
    for f in files:
        auditor.audit_path(f)  # warm
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(repeat):
        for f in files:
            auditor.audit_path(f)
    profiler.stop()
    text = profiler.output_text(unicode=True, color=False, show_all=False)
    text += "\n\n" + _cprofile_top(auditor, files, repeat)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, "utf-8")
    return text


def _cprofile_top(auditor, files, repeat: int, top: int = 30) -> str:
    """Totals per function (cProfile): what the call tree spreads over many callers, summed."""
    import cProfile
    import io
    import pstats

    prof = cProfile.Profile()
    prof.enable()
    for _ in range(repeat):
        for f in files:
            auditor.audit_path(f)
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(top)
    return "cProfile, sorted by cumulative time (same audits):\n" + buf.getvalue()
