from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "corpora" / "seeds"


@pytest.fixture(scope="session")
def auditor():
    from auditor.audit import Auditor

    return Auditor()


@pytest.fixture(scope="session")
def seed_results(auditor):
    return {p.name: auditor.audit_path(p) for p in sorted(SEEDS.glob("*.txt"))}
