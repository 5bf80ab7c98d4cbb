"""What every worker of a corpus run sets up, whichever engine runs it.

The process pool of the Python API (auditor.api), the isolated workers of the runner
(auditor.runner) and the Dask engine each build an Auditor from the same narrowed catalogue,
drop flags below the same severity floor and start processes the same way. Why a module of
its own: the API drives the runner, so what both need sits below both.
"""

from __future__ import annotations

import multiprocessing
from dataclasses import replace
from multiprocessing import get_context
from pathlib import Path
from typing import Sequence

from auditor.audit import DocumentResult
from auditor.config import SEVERITY_RANK, select_rules


def load_selected_catalogue(rules: Sequence[Path] = (), select: Sequence[str] = (), ignore: Sequence[str] = ()):
    """The catalogue with its check rules narrowed by select/ignore (ConfigError on an unknown name)."""
    from auditor.catalogue import load_catalogue

    cat = load_catalogue(extra_dirs=list(rules) or None)
    if select or ignore:
        from auditor.corpus.checks import RULES as CROSS_RULES

        others = {rid: list(r.get("groups") or []) for rid, r in CROSS_RULES.items()}
        cat = replace(cat, checks=select_rules(cat.checks, list(select), list(ignore), others))
    return cat


def filter_severity(results: list[DocumentResult], min_severity: str | None) -> None:
    """Drop flags below min_severity (in place)."""
    if not min_severity:
        return
    floor = SEVERITY_RANK[min_severity]
    for r in results:
        r.flags = [f for f in r.flags if SEVERITY_RANK.get(f.severity, 0) >= floor]


def mp_context():
    """forkserver where there is one: a clean server process imports the pipeline once and
    forks each worker from it (safe with threads, cheap per worker); spawn elsewhere."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = get_context("forkserver")
        ctx.set_forkserver_preload(["auditor.api", "auditor.runner"])
        return ctx
    return get_context("spawn")
