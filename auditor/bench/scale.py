"""Scale bench: a streamed corpus run (`audit --jsonl`) with each engine, documents/s and peak RSS.

Each setting (engine, corpus size) is the real command line in a fresh process:
`python -m auditor audit DIR --engine E -j J --jsonl OUT -q`. While it runs, the bench reads
every process of its tree twice a second: VmHWM from /proc/PID/status (the kernel's own
peak resident set of that process, so a peak between two reads is not missed as long as the
process is read once before it exits) and the number of lines written so far. Processes
are named by their place in the tree: `main` (the command: client, and for Dask the
scheduler), `dask_worker` (a Dask worker process), `forkserver`, `audit_child` (the
isolated process that audits documents: the local engine's workers, a Dask worker's child).

Reported per setting: wall time, documents/s over the whole command and over the steady
part (10% to 90% of the lines written, so start-up is apart), and the peak RSS of each
process by role. `flat` compares the peaks of the largest corpus with those of the
smallest (the issue's bar: within 10%). `dask_overhead` submits trivial tasks to a
LocalCluster of the same size to measure the scheduler's own tasks per second.

The corpus is `synth.py`'s: the seed and dev texts with their figures varied, so no cache
or dedup can serve one document for another.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


def _status_kb(pid: int, field: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of `pid` so far (/proc/PID/stat fields 14 and 15)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text("ascii", "replace")
        fields = stat[stat.rindex(")") + 2:].split()
        return (int(fields[11]) + int(fields[12])) / _TICK
    except (OSError, ValueError, IndexError):
        return None


def _children(pid: int) -> list[int]:
    """Children started by any thread of `pid` (a LocalCluster starts its workers from its own thread)."""
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", encoding="ascii") as fh:
                out.extend(int(x) for x in fh.read().split())
        except OSError:
            continue
    return out


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


class TreeSampler(threading.Thread):
    """Peak RSS (VmHWM) of every process below `root`, by role, and lines written to `lines_of`."""

    def __init__(self, root: int, lines_of: Path, interval: float = 0.5):
        super().__init__(daemon=True)
        self.root, self.lines_of, self.interval = root, lines_of, interval
        self.peaks: dict[int, tuple[str, int]] = {}
        self.cpu: dict[int, float] = {}
        self.progress: list[tuple[float, int]] = []
        self._halt = threading.Event()
        self._lines = 0
        self._offset = 0

    def _role(self, pid: int, parent_role: str | None) -> str:
        if pid == self.root:
            return "main"
        cmd = _cmdline(pid)
        if "forkserver" in cmd and parent_role != "forkserver":
            return "forkserver"
        if parent_role == "forkserver":
            return "audit_child"
        if "resource_tracker" in cmd:
            return "resource_tracker"
        if parent_role == "main" and "spawn_main" in cmd:
            return "dask_worker"
        return "other"

    def _walk(self) -> None:
        stack = [(self.root, None)]
        while stack:
            pid, parent_role = stack.pop()
            role = self.peaks[pid][0] if pid in self.peaks else self._role(pid, parent_role)
            hwm = _status_kb(pid, "VmHWM")
            if hwm is not None:
                old = self.peaks.get(pid, (role, 0))[1]
                self.peaks[pid] = (role, max(old, hwm))
            cpu = _cpu_s(pid)
            if cpu is not None:
                self.cpu[pid] = max(cpu, self.cpu.get(pid, 0.0))
            stack.extend((c, role) for c in _children(pid))

    def _count_lines(self) -> None:
        try:
            with self.lines_of.open("rb") as fh:
                fh.seek(self._offset)
                chunk = fh.read()
        except OSError:
            return
        self._lines += chunk.count(b"\n")
        self._offset += len(chunk)
        self.progress.append((time.perf_counter(), self._lines))

    def run(self) -> None:
        while not self._halt.is_set():
            self._walk()
            self._count_lines()
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join(5)
        self._count_lines()

    def cpu_by_role(self) -> dict[str, float]:
        """CPU seconds by role, summed over processes (as last read: the final moments may be missed)."""
        out: dict[str, float] = {}
        for pid, (role, _kb) in self.peaks.items():
            out[role] = round(out.get(role, 0.0) + self.cpu.get(pid, 0.0), 2)
        return dict(sorted(out.items()))

    def by_role(self) -> dict[str, list[float]]:
        out: dict[str, list[float]] = {}
        for role, kb in self.peaks.values():
            out.setdefault(role, []).append(round(kb / 1024, 1))
        return {k: sorted(v, reverse=True) for k, v in sorted(out.items())}


def steady_rate(progress: list[tuple[float, int]], total: int) -> float | None:
    """Documents/s between 10% and 90% of the lines written (start-up and tail apart)."""
    lo = next(((t, n) for t, n in progress if n >= total * 0.1), None)
    hi = next(((t, n) for t, n in progress if n >= total * 0.9), None)
    if not lo or not hi or hi[0] <= lo[0]:
        return None
    return round((hi[1] - lo[1]) / (hi[0] - lo[0]), 2)


def run_setting(folder: Path, n: int, engine: str, jobs: int, out_dir: Path) -> dict:
    """One streamed corpus run in a fresh process, sampled."""
    out = out_dir / f"{engine}-{n}.jsonl"
    out.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "auditor", "audit", str(folder), "--engine", engine, "-j", str(jobs),
           "--jsonl", str(out), "-q", "--fail-on", "none"]
    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    import auditor

    here = str(Path(auditor.__file__).resolve().parent.parent)  # the package this bench is part of
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [here, os.environ.get("PYTHONPATH")]))}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    sampler = TreeSampler(proc.pid, out)
    sampler.start()
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - t0
    sampler.stop()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {stderr[-2000:]}")
    lines = sum(1 for _ in out.open("rb"))
    rss = sampler.by_role()
    return {
        "engine": engine, "jobs": jobs, "docs": n, "documents_written": lines,
        "command": " ".join(["python3 -m auditor", *cmd[3:]]),
        "wall_s": round(wall, 2), "docs_per_s": round(lines / wall, 2),
        "steady_docs_per_s": steady_rate(sampler.progress, lines),
        "peak_rss_mb": {"main": rss.get("main", [None])[0], "workers": rss.get("audit_child", []),
                        "dask_workers": rss.get("dask_worker", []), "forkservers": rss.get("forkserver", []),
                        "other": rss.get("other", [])},
        "cpu_s": sampler.cpu_by_role(),
        "summary": stdout.strip().splitlines()[0] if stdout.strip() else "",
        "loadavg_1min": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
    }


def dask_overhead(workers: int, tasks: int = 5000) -> dict:
    """The scheduler's own cost: trivial tasks through a LocalCluster of `workers` (one thread each)."""
    from auditor.engines.dask_engine import DaskCluster

    with DaskCluster(workers=workers) as c:
        client = c.client
        client.gather(client.map(_noop, range(200), pure=False))  # warm
        t = time.perf_counter()
        futures = client.map(_noop, range(tasks), pure=False)
        client.gather(futures)
        bulk = time.perf_counter() - t
        t = time.perf_counter()
        for i in range(200):
            client.submit(_noop, i, pure=False).result()
        one_by_one = time.perf_counter() - t
        payload = "x" * 200_000  # about one result with its source text
        t = time.perf_counter()
        client.gather(client.map(_echo, [payload] * 500, pure=False))
        with_payload = time.perf_counter() - t
    return {"tasks": tasks, "bulk_tasks_per_s": round(tasks / bulk, 1),
            "bulk_ms_per_task": round(bulk / tasks * 1000, 3),
            "round_trip_ms": round(one_by_one / 200 * 1000, 2),
            "ms_per_task_with_200kb_result": round(with_payload / 500 * 1000, 3)}


def _noop(x):
    return x


def _echo(x):
    return len(x)


def link_subset(files: list[Path], folder: Path) -> Path:
    """A folder holding exactly `files` (hard links: the same bytes, no copy, not symlinks a folder run skips)."""
    folder.mkdir(parents=True, exist_ok=True)
    want = {f.name for f in files}
    for old in folder.iterdir():
        if old.name not in want:
            old.unlink()
    for f in files:
        target = folder / f.name
        if not target.exists():
            os.link(f, target)
    return folder


def run_scale(corpus: Path, docs: list[int], engines: list[str], jobs: int = 2, seed: int = 0,
              workdir: Path | None = None, progress=None, overhead: bool = True) -> dict:
    from auditor.bench.machine import machine_info
    from auditor.bench.synth import generate

    workdir = workdir or Path(tempfile.gettempdir()) / f"auditor-bench-scale-{seed}"
    files = generate(corpus, workdir / "all", max(docs), seed)
    out_dir = workdir / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    settings = []
    for n in sorted(docs):
        folder = link_subset(files[:n], workdir / f"n{n}")
        for engine in engines:
            if progress:
                progress(n, engine)
            settings.append(run_setting(folder, n, engine, jobs, out_dir))
    report = {"schema": "auditor.bench.scale/1", "corpus": str(corpus), "seed": seed, "jobs": jobs,
              "settings": settings, "flat": flatness(settings), "machine": machine_info()}
    if overhead and "dask" in engines:
        if progress:
            progress(0, "dask overhead")
        report["dask_overhead"] = dask_overhead(jobs)
    return report


def flatness(settings: list[dict]) -> dict:
    """Peak RSS at the largest corpus over the smallest, per engine and role (1.0 = flat)."""
    out = {}
    for engine in sorted({s["engine"] for s in settings}):
        rows = sorted((s for s in settings if s["engine"] == engine), key=lambda s: s["docs"])
        if len(rows) < 2:
            continue
        small, large = rows[0]["peak_rss_mb"], rows[-1]["peak_rss_mb"]
        ratios = {}
        for role in ("main", "workers", "dask_workers"):
            a, b = small.get(role), large.get(role)
            a = max(a) if isinstance(a, list) and a else a
            b = max(b) if isinstance(b, list) and b else b
            if a and b:
                ratios[role] = round(b / a, 3)
        out[engine] = {"docs": [rows[0]["docs"], rows[-1]["docs"]], "ratio": ratios,
                       "within_10_percent": all(r <= 1.10 for r in ratios.values())}
    return out


def markdown_table(report: dict) -> str:
    rows = ["| engine | docs | wall s | docs/s | steady docs/s | peak RSS MB main | audit children | Dask workers |",
            "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for s in report["settings"]:
        r = s["peak_rss_mb"]
        rows.append(f"| {s['engine']} (2 {'workers' if s['engine'] == 'dask' else 'jobs'}) | {s['docs']:,} | "
                    f"{s['wall_s']} | {s['docs_per_s']} | {s['steady_docs_per_s']} | {r['main']} | "
                    f"{' / '.join(map(str, r['workers'])) or '—'} | {' / '.join(map(str, r['dask_workers'])) or '—'} |")
    return "\n".join(rows)


def write_report(path: Path, report: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", "utf-8")
