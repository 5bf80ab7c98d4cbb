"""A fresh clone without ../shared must fail in CI rather than pass by skipping (issue 13: 8)."""

from __future__ import annotations

import pytest

from conftest import SHARED, need_shared


def test_missing_shared_corpus_is_a_skip_locally_and_a_failure_in_ci(tmp_path, monkeypatch):
    missing = tmp_path / "no-shared"
    monkeypatch.delenv("CI", raising=False)
    mark = need_shared(missing)
    assert mark.name == "skipif" and mark.args == (True,)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(RuntimeError, match="shared corpus is missing"):
        need_shared(missing)


def test_present_shared_corpus_runs(monkeypatch):
    monkeypatch.setenv("CI", "true")
    if SHARED.exists():
        assert need_shared(SHARED).args == (False,)
