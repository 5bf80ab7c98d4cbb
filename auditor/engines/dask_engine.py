"""`auditor audit --engine dask`: the same per-document work on a Dask cluster.

Why this shape:
- A Dask task is a batch of 8 documents (the scheduler's per-task cost spread over 8). The
  task does not audit in the Dask worker's own process: it hands each file, one at a time,
  to an isolated child process of that worker (the same `_worker_main`
  loop as the local runner, auditor.runner), so the per-document timeout (the child is
  killed; pdfium and lxml run C code no signal interrupts) and the memory cap (RLIMIT_AS
  of the child) hold on the cluster exactly as on one machine, and a crashing reader takes
  down a child, never the Dask worker.
- Each Dask worker thread keeps its child for the whole run (a worker plugin holds them),
  so the Auditor (catalogue, compiled vocabulary) is built once per worker thread, and again
  only after a child was killed.
- The client submits a bounded window of tasks and puts results back in input order; it
  never holds more than `ahead` results (a slow document blocks the window, not memory),
  so 1,000,000 documents never mean 1,000,000 futures on the scheduler or results in RAM.
- Cache look-ups (ResultCache, keyed on file bytes) happen on the client as for the local
  engine, so a killed Dask run resumes from its cache and both engines write the same thing.

Workers need the same files at the same paths (a shared or copied corpus folder) and the
same auditor version; the README shows a one-machine and a two-machine setup.
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Callable, Sequence

from auditor.cache import ResultCache
from auditor.runner import (InOrder, RunnerError, RunSettings, _WORKER_START_LIMIT, _EXIT_MEMORY, _Slot,
                            _crash_message, _signal_name, audit_document, error_document)
from auditor.worker_setup import mp_context

PLUGIN_NAME = "auditor-isolated"
MISSING_DASK = ("未安装 Dask：--engine dask 需要可选依赖，请运行 pip install -e '.[dask]'"
                "（或 pip install 'auditor[dask]'）")


def import_distributed():
    """dask.distributed, or a RunnerError in Chinese naming the extra to install."""
    try:
        import distributed  # noqa: F401
        from dask import config  # noqa: F401
    except ImportError as exc:
        raise RunnerError(f"{MISSING_DASK}（{exc}）") from None
    return distributed


# ---- on the worker ------------------------------------------------------------------------


class IsolatedAuditor:
    """One child process that audits one document at a time, with the run's time and memory limits."""

    def __init__(self, settings: RunSettings):
        self.settings = settings
        self.slot: _Slot | None = None

    def _start(self) -> _Slot:
        slot = _Slot(mp_context(), self.settings)
        deadline = time.monotonic() + _WORKER_START_LIMIT
        while not slot.ready:
            left = deadline - time.monotonic()
            if left <= 0:
                slot.kill()
                raise RunnerError(f"工作进程 {_WORKER_START_LIMIT:g} 秒内未能启动")
            if not slot.conn.poll(min(left, 1.0)):
                if not slot.proc.is_alive():
                    slot.kill()
                    raise RunnerError(f"工作进程启动失败（{_signal_name(slot.proc.exitcode)}）")
                continue
            msg = slot.conn.recv()
            if msg[0] == "fatal":
                slot.kill()
                raise RunnerError(f"工作进程无法加载规则目录: {msg[1]}")
            slot.ready = msg[0] == "ready"
        return slot

    def audit(self, path: str) -> dict:
        """The document's result dict; a timeout, a memory cap or a crash is the document's error."""
        if self.slot is not None and not self.slot.proc.is_alive():  # died idle (OOM killer): not this document's fault
            self.close()
        if self.slot is None:
            self.slot = self._start()
        slot, s = self.slot, self.settings
        try:
            slot.conn.send((0, path))
        except (BrokenPipeError, OSError):
            pass  # its death is seen below
        limit = s.timeout or None
        t0 = time.monotonic()
        while True:
            wait_for = 1.0 if limit is None else max(0.0, min(1.0, t0 + limit - time.monotonic()))
            try:
                if slot.conn.poll(wait_for):
                    msg = slot.conn.recv()
                    if msg[0] == "done":
                        _, _i, d, retiring = msg
                        if retiring:
                            self.close()
                        return d
                    continue
            except (EOFError, OSError):
                pass  # the child died: its exit code says how
            if not slot.proc.is_alive() or slot.conn.closed:
                slot.proc.join(5)
                code = slot.proc.exitcode
                self.close()
                kind = "memory" if code == _EXIT_MEMORY else "crash"
                return error_document(path, _crash_message(path, code, s), kind)
            if limit is not None and time.monotonic() - t0 > limit:
                self.close()
                return error_document(
                    path, f"{path}: 超时：超过 {limit:g} 秒仍未完成，已终止这个文档的审核（--timeout 可调整），运行继续",
                    "timeout")

    def close(self) -> None:
        if self.slot is not None:
            try:
                self.slot.conn.send(None)
            except (BrokenPipeError, OSError):
                pass
            self.slot.proc.join(0.5)
            self.slot.kill()
            self.slot = None


try:  # the plugin's base class; without Dask the module still imports (and says what to install)
    from distributed.diagnostics.plugin import WorkerPlugin as _PluginBase
except ImportError:  # pragma: no cover - dask is an optional extra
    _PluginBase = object


class AuditorPlugin(_PluginBase):
    """A Dask worker plugin: per worker thread, one IsolatedAuditor (or, without limits, one Auditor)."""

    name = PLUGIN_NAME

    def __init__(self, settings: dict, need_source: bool = True):
        self.settings = settings
        self.need_source = need_source  # False: the source (most of a result's bytes) stays on the worker
        self._local = threading.local()
        self._all: list[IsolatedAuditor] = []
        self._lock = threading.Lock()

    def __getstate__(self) -> dict:
        return {"settings": self.settings, "need_source": self.need_source}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["settings"], state.get("need_source", True))

    def run(self, path: str) -> dict:
        d = self._run(path)
        if not self.need_source:
            d.pop("source", None)
        return d

    def setup(self, worker=None) -> None:
        import multiprocessing

        # A nanny starts the Dask worker as a daemonic process, and multiprocessing refuses
        # children to daemons. Our children need no daemon reaping: each exits by itself when
        # its pipe to this worker closes (EOF in _worker_loop), and close() kills them.
        multiprocessing.current_process()._config["daemon"] = False  # type: ignore[attr-defined]

    def teardown(self, worker=None) -> None:
        with self._lock:
            for a in self._all:
                a.close()
            self._all.clear()

    def _run(self, path: str) -> dict:
        settings = RunSettings(**self.settings)
        if not settings.isolated:
            auditor = getattr(self._local, "auditor", None)
            if auditor is None:
                from auditor.worker_setup import load_selected_catalogue
                from auditor.audit import Auditor

                auditor = Auditor(load_selected_catalogue([Path(r) for r in settings.rules],
                                                          settings.select, settings.ignore))
                self._local.auditor = auditor
            return audit_document(auditor, path, settings)[0]
        iso = getattr(self._local, "isolated", None)
        if iso is None:
            iso = self._local.isolated = IsolatedAuditor(settings)
            with self._lock:
                self._all.append(iso)
        return iso.audit(path)


def audit_batch(paths: list[str]) -> list[dict]:
    """The Dask task: a few documents, each on its own through this worker's plugin (its own limits)."""
    from distributed import get_worker

    plugin = get_worker().plugins.get(PLUGIN_NAME)
    if plugin is None:  # pragma: no cover - registration reaches every worker, late joiners included
        raise RuntimeError("auditor worker plugin is not registered on this worker")
    return [plugin.run(p) for p in paths]


# ---- on the client ------------------------------------------------------------------------


# The LocalCluster's settings. The statistical profiler is off: it keeps one profile per
# second of each worker for an hour (distributed.worker.profile; its history grew by ~5 KB/s,
# pickled, here), so a worker's memory grew with the length of the run, not with its work.
# Workers of an existing scheduler take the same settings from the environment (README).
LOCAL_CLUSTER_CONFIG = {"distributed.worker.daemon": False, "distributed.worker.profile.enabled": False,
                        "logging.distributed": "error"}


class DaskCluster:
    """A client on an existing scheduler (`tcp://host:8786`) or on a LocalCluster of this machine."""

    def __init__(self, scheduler: str | None = None, workers: int = 2, threads_per_worker: int = 1,
                 memory_limit: str | int | None = "auto"):
        distributed = import_distributed()
        import dask

        self.cluster = None
        if scheduler:
            try:
                self.client = distributed.Client(scheduler, timeout="30s")
            except (OSError, TimeoutError) as exc:
                raise RunnerError(f"无法连接 Dask 调度器 {scheduler}: {exc}") from None
        else:
            with dask.config.set(LOCAL_CLUSTER_CONFIG):
                self.cluster = distributed.LocalCluster(
                    n_workers=max(1, workers), threads_per_worker=max(1, threads_per_worker), processes=True,
                    dashboard_address=None, memory_limit=memory_limit, silence_logs=40)
                self.client = distributed.Client(self.cluster)

    @property
    def threads(self) -> int:
        return max(1, sum(self.client.nthreads().values()))

    def close(self) -> None:
        try:
            self.client.close()
        finally:
            if self.cluster is not None:
                self.cluster.close()

    def __enter__(self) -> "DaskCluster":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def worker_version() -> str:
    """This process's auditor version (run on each worker by check_workers)."""
    from auditor.cache import auditor_version

    return auditor_version()


def check_workers(client, wait_s: float = 60.0) -> None:
    """At least one worker, and every worker runs this auditor version: results must not depend on
    which machine a document landed on (the cache and the JSON record the client's version)."""
    from auditor.cache import auditor_version

    try:
        client.wait_for_workers(1, timeout=wait_s)
    except (TimeoutError, OSError):
        raise RunnerError(f"Dask 调度器在 {wait_s:g} 秒内没有可用的工作进程（先启动 dask worker）") from None
    try:
        versions = client.run(worker_version)
    except Exception as exc:  # noqa: BLE001 - a worker without the auditor package
        raise RunnerError(f"Dask 工作进程无法运行 auditor（{type(exc).__name__}: {exc}）；"
                          "每台工作机都要安装同一版本：pip install -e '.[dask]'") from None
    mine = auditor_version()
    other = {addr: v for addr, v in versions.items() if v != mine}
    if other:
        addr, v = next(iter(other.items()))
        raise RunnerError(f"Dask 工作进程 {addr} 的 auditor 版本 {v} 与本机 {mine} 不同"
                          f"（共 {len(other)} 个）；结果会因机器而异，请在每台机器上安装同一版本")


DEFAULT_BATCH = 8  # documents per task: the scheduler's per-task cost (~1-2 ms, a round trip) spread over 8


def run_documents_dask(files: Sequence[Path], settings: RunSettings, cluster: DaskCluster,
                       cache: ResultCache | None = None, on_document: Callable[[dict], None] | None = None,
                       keep: bool = True, ahead: int | None = None, batch: int = DEFAULT_BATCH,
                       need_source: bool = True) -> list[dict]:
    """Audit `files` on the cluster; their result dicts in input order (handed to on_document as they come).

    A task is a batch of up to `batch` documents in input order; each document still runs
    alone in the worker's isolated child, with its own timeout and memory cap, so a bad file
    costs only its own result. With keep=False nothing is kept (a streaming run): memory
    holds at most `ahead` results, those finished out of order waiting for an earlier one.
    need_source=False leaves each document's `source` on the worker (a streamed run without
    --with-source, --cache or a kept output never writes it): a third less time on 2 cores.
    """
    from distributed import as_completed

    client = cluster.client
    check_workers(client)
    if cache is not None:
        need_source = True  # a cache entry is the whole result: a later --json run reads it back
    client.register_plugin(AuditorPlugin(asdict(settings), need_source), name=PLUGIN_NAME)
    batch = max(1, batch)
    window = 2 * cluster.threads  # batches in flight: one running and one queued per worker thread
    run = _DaskRun(client, files, InOrder(cache, on_document, keep), batch, window,
                   ahead or max(256, 4 * window * batch), as_completed(with_results=True, raise_errors=False))
    try:
        while run.order.emitted < len(files):
            run.submit_more()
            run.order.emit()
            if run.in_flight:
                run.take_one()
    finally:
        run.stop()
    return run.order.out


class _DaskRun:
    """The batches of one run on the cluster: submitted ahead of the results handed on, taken as they finish."""

    def __init__(self, client, files: Sequence[Path], order: InOrder, batch: int, window: int, ahead: int,
                 futures) -> None:
        self.client, self.files, self.order = client, files, order
        self.batch, self.window, self.ahead, self.futures = batch, window, ahead, futures
        self.submitted = 0
        self.in_flight: dict[str, list[int]] = {}  # task key -> its documents' indices
        self.live: dict[str, object] = {}  # task key -> its future
        self.run_id = f"{time.time_ns():x}"

    def _may_submit(self) -> bool:
        return self.submitted < len(self.files) and self.submitted - self.order.emitted < self.ahead

    def next_batch(self) -> list[int]:
        """Up to `batch` indices to audit, from the next ones; cache hits and unreadable files are settled here."""
        picked: list[int] = []
        while self._may_submit() and len(picked) < self.batch:
            i = self.submitted
            self.submitted += 1
            if not self.order.settle_from_cache(i, self.files[i]):
                picked.append(i)
        return picked

    def submit_more(self) -> None:
        """Batches until `window` are in flight or `ahead` results would wait."""
        while len(self.in_flight) < self.window and self._may_submit():
            picked = self.next_batch()
            if picked:
                fut = self.client.submit(audit_batch, [str(self.files[i]) for i in picked], pure=False,
                                         key=f"audit-{self.run_id}-{picked[0]}")
                self.in_flight[fut.key] = picked
                self.live[fut.key] = fut
                self.futures.add(fut)
            self.order.emit()

    def take_one(self) -> None:
        """The next finished batch's results, recorded and handed on in order."""
        fut, result = _next_result(self.futures)
        picked = self.in_flight.pop(fut.key)
        self.live.pop(fut.key, None)
        if isinstance(result, BaseException):  # a worker lost with the task, again and again (KilledWorker)
            result = [error_document(str(self.files[i]), f"{self.files[i]}: Dask 工作进程异常（{type(result).__name__}: "
                                     f"{str(result)[:300]}），这个文档未审核，运行继续", "crash") for i in picked]
        fut.release()
        for i, d in zip(picked, result):
            self.order.record(i, d)
        self.order.emit()

    def stop(self) -> None:
        """An interrupted run drops what is queued on the cluster; every run takes its plugin off the workers."""
        if self.in_flight:
            try:
                self.client.cancel(list(self.live.values()), force=True)
            except Exception:  # noqa: BLE001 - the cluster may be gone already
                pass
        try:
            self.client.unregister_worker_plugin(PLUGIN_NAME)
        except Exception:  # noqa: BLE001 - the cluster may be gone already
            pass


def _next_result(futures):
    """The next finished future and its result, or the exception it ended with."""
    try:
        fut, result = next(futures)
    except StopIteration:  # pragma: no cover - only when nothing is in flight, which the caller excludes
        raise RunnerError("Dask: 没有进行中的任务") from None
    if fut.status != "finished":  # an error comes as the exception, or as (type, exception, traceback)
        if isinstance(result, tuple) and len(result) == 3 and isinstance(result[1], BaseException):
            result = result[1]
        if not isinstance(result, BaseException):
            result = RuntimeError(f"task {fut.status}")
    return fut, result
