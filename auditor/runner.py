"""The isolated corpus runner behind `auditor audit`: workers, time and memory limits, cache.

One document's failure never stops a run. Each document is audited in a worker process
(unless no limit is asked for and one job is enough: then in this process):
- an exception becomes the document's `error` (kind `internal`; with --debug the
  traceback is kept in the result and printed);
- a document that takes longer than `timeout` seconds has its worker killed (pdfium and
  lxml run C code that no signal handler can interrupt; a killed process always stops),
  is reported with kind `timeout`, and a fresh worker takes the next document;
- a worker's address space is capped at `memory_mb` (RLIMIT_AS, where the platform has
  it): an allocation beyond it raises MemoryError, reported with kind `memory`, and that
  worker is replaced; a worker that dies outright (a C library crash, the system's OOM
  killer) is reported with kind `crash`;
- a file a reader refuses keeps the reader's message (kind `ingest`).

Results are handed on in input order, whatever the number of workers, as document dicts
of `auditor.result/1` (with `error_kind` added). With a ResultCache, every finished result
is stored as it arrives and later runs read it back (see auditor.cache).
"""

from __future__ import annotations

import os
import gc
import signal
import time
import traceback
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path
from typing import Callable, Sequence

from auditor.audit import Auditor, DocumentResult
from auditor.cache import ResultCache, file_sha256
from auditor.recognize import not_a_disclosure
from auditor.worker_setup import filter_severity, load_selected_catalogue, mp_context

DEFAULT_TIMEOUT = 300.0  # seconds per document: the largest real disclosure takes a few seconds
DEFAULT_MEMORY_MB = 2048  # per worker; a worker uses about 100 MB, a large PDF a few hundred
_WORKER_START_LIMIT = 120.0  # seconds for a fresh worker to load the catalogue

CACHEABLE = {None, "ingest", "not_disclosure"}
# kinds of "not audited" that mean an input was lost (exit 2); a file recognised as not a
# disclosure was read and judged, and is only listed
UNREADABLE = {"ingest", "timeout", "memory", "crash", "internal", "missing"}  # results that do not depend on the moment


class RunnerError(Exception):
    """The run itself cannot go on (a worker cannot even load the catalogue)."""


@dataclass
class RunSettings:
    rules: list[str] = field(default_factory=list)
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    min_severity: str | None = None
    timeout: float | None = DEFAULT_TIMEOUT  # None or 0: no limit
    memory_mb: int | None = DEFAULT_MEMORY_MB  # None or 0: no cap
    debug: bool = False

    @property
    def isolated(self) -> bool:
        """Whether documents need a worker process even with one job."""
        return bool(self.timeout) or bool(self.memory_mb)


def error_document(path: str, message: str, kind: str, tb: str | None = None) -> dict:
    from auditor.report.json_report import document_dict

    d = document_dict(DocumentResult(str(path), error=message))
    d["error_kind"] = kind
    if tb:
        d["traceback"] = tb
    return d


def audit_document(auditor: Auditor, path: str, settings: RunSettings) -> tuple[dict, bool]:
    """One document as a result dict, and whether this process should be replaced afterwards."""
    from auditor.report.json_report import document_dict

    try:
        r = auditor.audit_path(path)
        kind = "ingest"
        if r.error is None and r.document is not None and not r.document.text.strip():
            r = DocumentResult(str(path), error=f"{path}: 文件为空（或只有空白），没有可审核的内容")
        elif r.error is None and r.document is not None:
            why = not_a_disclosure(r.document.text, len(r.claims), len(r.document.tables))
            if why:
                r, kind = DocumentResult(str(path), error=f"{path}: 非预决算文档（未识别）：{why}"), "not_disclosure"
        filter_severity([r], settings.min_severity)
        d = document_dict(r)
        d["error_kind"] = kind if r.error else None
        return d, False
    except MemoryError:
        pass  # leave the except block first: its traceback still holds the partial work
    except Exception as exc:  # one document never stops a corpus
        tb = traceback.format_exc() if settings.debug else None
        msg = f"{path}: 内部错误: {type(exc).__name__}: {exc}"
        return error_document(path, msg[:2000], "internal", tb), False
    gc.collect()
    return error_document(path, _memory_message(path, settings), "memory"), True


def _memory_message(path: str, settings: RunSettings) -> str:
    cap = f"超过 {settings.memory_mb} MB 的内存上限" if settings.memory_mb else "内存不足"
    return f"{path}: 内存超限：{cap}，已停止审核这个文档（--memory 可调整）"


# ---- worker processes ---------------------------------------------------------------------


def _limit_memory(memory_mb: int | None) -> None:
    if not memory_mb:
        return
    try:
        import resource
    except ImportError:  # pragma: no cover - not on this platform
        return
    cap = int(memory_mb) * 1024 * 1024
    try:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - platform without RLIMIT_AS
        pass


_EXIT_MEMORY = 86  # a worker that cannot even report its MemoryError exits with this code


def _worker_main(conn, settings: RunSettings) -> None:
    """The worker's loop; whatever happens, nothing is printed: the main process reports it."""
    try:
        _worker_loop(conn, settings)
    except MemoryError:
        os._exit(_EXIT_MEMORY)
    except BaseException:  # noqa: BLE001 - the main process sees the exit code and reports the document
        os._exit(1)


def _worker_loop(conn, settings: RunSettings) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
    _limit_memory(settings.memory_mb)
    try:
        auditor = Auditor(load_selected_catalogue([Path(r) for r in settings.rules], settings.select, settings.ignore))
    except BaseException as exc:  # noqa: BLE001 - reported to the main process
        hint = f"（--memory {settings.memory_mb} MB 可能过低）" if isinstance(exc, MemoryError) else ""
        conn.send(("fatal", f"{type(exc).__name__}: {exc}{hint}"))
        return
    gc.freeze()  # the catalogue and compiled patterns live as long as the worker: keep them out of GC scans
    conn.send(("ready", None))
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):  # the main process is gone
            return
        if msg is None:
            return
        index, path = msg
        d, replace = audit_document(auditor, path, settings)
        try:
            conn.send(("done", index, d, replace))
        except MemoryError:
            d = None
            gc.collect()
            conn.send(("done", index, error_document(path, _memory_message(path, settings), "memory"), True))
            return
        except (BrokenPipeError, OSError):
            return
        if replace:
            return


class _Slot:
    def __init__(self, ctx, settings: RunSettings):
        parent, child = ctx.Pipe()
        self.conn = parent
        self.proc = ctx.Process(target=_worker_main, args=(child, settings), daemon=True)
        self.proc.start()
        child.close()
        self.ready = False
        self.task: tuple[int, str] | None = None
        self.since = time.monotonic()

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()


def _signal_name(code: int | None) -> str:
    if code is None or code >= 0:
        return f"退出码 {code}"
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"信号 {-code}"


def _crash_message(path: str, code: int | None, settings: RunSettings) -> str:
    name = _signal_name(code)
    if code == _EXIT_MEMORY:
        return _memory_message(path, settings)
    if code == -signal.SIGKILL:
        return f"{path}: 工作进程被强制终止（{name}），可能是系统内存不足；这个文档未审核，运行继续"
    return f"{path}: 工作进程异常退出（{name}），可能是读取该文件的底层库崩溃；这个文档未审核，运行继续"


class InOrder:
    """Results handed on in input order as they arrive, each stored in the cache when known.

    A document that finishes early waits for the ones before it; with keep=False nothing is
    held once handed on (a streaming run). Both engines (local workers, Dask) use it.
    """

    def __init__(self, cache: ResultCache | None, on_document: Callable[[dict], None] | None, keep: bool):
        self.cache, self.on_document, self.keep = cache, on_document, keep
        self.done: dict[int, dict] = {}
        self.shas: dict[int, str] = {}
        self.out: list[dict] = []
        self.emitted = 0

    def settle_from_cache(self, i: int, f: Path) -> bool:
        """Whether document i is settled without auditing: a cache hit, or a file that cannot be hashed."""
        if self.cache is None:
            return False
        try:
            self.shas[i] = file_sha256(f)
        except OSError as exc:
            self.done[i] = error_document(str(f), f"{f}: 无法读取文件: {exc.strerror or exc}", "ingest")
            return True
        hit = self.cache.get(self.shas[i], str(f))
        if hit is not None:
            self.done[i] = hit
            return True
        return False

    def record(self, i: int, d: dict) -> None:
        if self.cache is not None and i in self.shas and d.get("error_kind") in CACHEABLE:
            try:
                self.cache.put(self.shas[i], d)
            except OSError:
                pass  # a full disk loses the cache entry, never the result
        self.done[i] = d

    def emit(self) -> None:
        while self.emitted in self.done:
            d = self.done.pop(self.emitted)
            self.shas.pop(self.emitted, None)
            if self.keep:
                self.out.append(d)
            if self.on_document:
                self.on_document(d)
            self.emitted += 1


def run_documents(files: Sequence[Path], settings: RunSettings, jobs: int = 1,
                  cache: ResultCache | None = None,
                  on_document: Callable[[dict], None] | None = None, keep: bool = True) -> list[dict]:
    """Audit `files`; returns their result dicts in input order (and hands each to on_document).

    keep=False (a streaming run) returns [] and holds no result once it is handed on.
    """
    order = InOrder(cache, on_document, keep)
    pending: deque[int] = deque()
    for i, f in enumerate(files):
        if not order.settle_from_cache(i, f):
            pending.append(i)
        order.emit()  # a resumed run's cached prefix is handed on now, not held

    if not pending:
        return order.out
    if not settings.isolated and jobs <= 1:
        auditor = Auditor(load_selected_catalogue([Path(r) for r in settings.rules], settings.select, settings.ignore))
        while pending:
            i = pending.popleft()
            order.record(i, audit_document(auditor, str(files[i]), settings)[0])
            order.emit()
        return order.out
    _run_in_workers(files, settings, jobs, order, pending)
    order.emit()
    return order.out


def _run_in_workers(files: Sequence[Path], settings: RunSettings, jobs: int, order: InOrder,
                    pending: deque[int]) -> None:
    """The pending documents on up to `jobs` worker processes, each watched for its time and memory."""
    ctx = mp_context()
    width = max(1, min(jobs, len(pending)))
    slots: list[_Slot] = []
    try:
        while pending or any(s.task is not None for s in slots):
            while len(slots) < width and len(pending) > sum(1 for s in slots if s.task is None):
                slots.append(_Slot(ctx, settings))
            _hand_out(slots, pending, files)
            _wait_for_any(slots, settings)
            for s in list(slots):
                if _settle_if_gone(s, order, settings) or _settle_if_late(s, order, settings):
                    slots.remove(s)
            order.emit()
    finally:
        _stop(slots)


def _hand_out(slots: list[_Slot], pending: deque[int], files: Sequence[Path]) -> None:
    """The next pending documents to the ready, idle workers."""
    for s in slots:
        if s.ready and s.task is None and pending:
            i = pending.popleft()
            s.task = (i, str(files[i]))
            s.since = time.monotonic()
            try:
                s.conn.send(s.task)
            except (BrokenPipeError, OSError):
                pass  # its death is noticed by _settle_if_gone


def _wait_for_any(slots: list[_Slot], settings: RunSettings) -> None:
    """Until a worker speaks or exits, or the nearest deadline (at most a second)."""
    now = time.monotonic()
    deadlines = [s.since + (settings.timeout if s.task is not None and settings.timeout else _WORKER_START_LIMIT)
                 for s in slots if s.task is not None or not s.ready]
    wait_for = max(0.0, min(deadlines) - now) if deadlines else 1.0
    wait([s.conn for s in slots] + [s.proc.sentinel for s in slots], timeout=min(wait_for, 1.0))


def _read_messages(s: _Slot, order: InOrder) -> bool:
    """Take in what the worker sent; False when its pipe is broken."""
    try:
        while s.conn.poll():
            msg = s.conn.recv()
            if msg[0] == "ready":
                s.ready = True
            elif msg[0] == "fatal":
                raise RunnerError(f"工作进程无法加载规则目录: {msg[1]}")
            elif msg[0] == "done":
                _, i, d, retiring = msg
                order.record(i, d)
                s.task = None
                if retiring:  # it exits now: take no more work, it is replaced
                    s.ready = False
                    s.since = time.monotonic()
    except (EOFError, OSError):
        return False
    return True


def _settle_if_gone(s: _Slot, order: InOrder, settings: RunSettings) -> bool:
    """Whether the worker is gone (killed now); its document, if any, is recorded as crashed."""
    if _read_messages(s, order) and s.proc.is_alive():
        return False
    s.proc.join(5)
    if s.task is not None:
        i, path = s.task
        kind = "memory" if s.proc.exitcode == _EXIT_MEMORY else "crash"
        order.record(i, error_document(path, _crash_message(path, s.proc.exitcode, settings), kind))
    elif not s.ready and s.proc.exitcode != 0:
        hint = (f"：--memory {settings.memory_mb} MB 可能过低，一个工作进程约需 300 MB"
                if settings.memory_mb and settings.memory_mb < 1024 else "")
        raise RunnerError(f"工作进程启动失败（{_signal_name(s.proc.exitcode)}）{hint}")
    s.kill()
    return True


def _settle_if_late(s: _Slot, order: InOrder, settings: RunSettings) -> bool:
    """Whether the worker overran --timeout (killed now, its document recorded as timed out)."""
    now = time.monotonic()
    if s.task is not None and settings.timeout and now - s.since > settings.timeout:
        i, path = s.task
        s.kill()
        order.record(i, error_document(
            path, f"{path}: 超时：超过 {settings.timeout:g} 秒仍未完成，已终止这个文档的审核（--timeout 可调整），运行继续",
            "timeout"))
        return True
    if not s.ready and now - s.since > _WORKER_START_LIMIT:
        raise RunnerError(f"工作进程 {_WORKER_START_LIMIT:g} 秒内未能启动")
    return False


def _stop(slots: list[_Slot]) -> None:
    """Ask every worker to finish, then make sure it has."""
    for s in slots:
        try:
            s.conn.send(None)
        except (BrokenPipeError, OSError):
            pass
    for s in slots:
        s.proc.join(0.5)
        s.kill()


def summarize(documents: list[dict]) -> dict[str, int]:
    """How many documents ended with each error kind (for the closing summary)."""
    counts: dict[str, int] = {}
    for d in documents:
        if d.get("error"):
            k = d.get("error_kind") or "ingest"
            counts[k] = counts.get(k, 0) + 1
    return counts


ERROR_KIND_LABEL = {"ingest": "无法读取", "timeout": "超时", "memory": "内存超限", "crash": "进程崩溃",
                    "internal": "内部错误", "missing": "不存在", "not_disclosure": "非预决算文档"}


def default_jobs(jobs: int | None) -> int:
    return jobs or (os.cpu_count() or 1)
