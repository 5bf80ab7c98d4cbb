from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "corpora" / "seeds"
# the shared corpus lies beside the clone (../shared), locally and in CI
SHARED = ROOT.parent / "shared" / "corpus"


def without_run(json_text: str) -> str:
    """A result JSON's text without its last key, `run` (the run's own time differs run to run)."""
    cut = json_text.rfind('"run"')
    return json_text[:cut] if cut >= 0 else json_text


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


def need_shared(path: Path) -> pytest.MarkDecorator:
    """Skip a test whose shared file is absent, except in CI, where its absence is a failure:
    a fresh clone without ../shared must not pass by skipping every PDF test."""
    if path.exists() or not in_ci():
        return pytest.mark.skipif(not path.exists(), reason=f"shared corpus not found at {path}")
    raise RuntimeError(f"CI: the shared corpus is missing at {path} (expected ../shared beside the clone)")


@pytest.fixture(scope="session")
def auditor():
    from auditor.audit import Auditor

    return Auditor()


@pytest.fixture(scope="session")
def seed_results(auditor):
    return {p.name: auditor.audit_path(p) for p in sorted(SEEDS.glob("*.txt"))}
