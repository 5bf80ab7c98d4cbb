"""Streaming results: --jsonl, --parquet, --with-source, and reports rendered from JSON Lines.

The reference is always the one-file `--json` result of the same inputs: a streamed run must
say the same thing document by document, only split differently (source apart, tables).
"""

from __future__ import annotations

import json
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor.cli import app
from conftest import SEEDS

SEED_TEXTS = sorted(SEEDS.glob("*.txt"))


def run(*args):
    return CliRunner().invoke(app, ["audit", *map(str, args)])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """The seed texts, one of them twice under another name (same content: its source is stored once)."""
    folder = tmp_path_factory.mktemp("stream") / "corpus"
    folder.mkdir()
    for p in SEED_TEXTS:
        shutil.copy(p, folder / p.name)
    shutil.copy(SEED_TEXTS[1], folder / "zz_copy_of_001.txt")
    (folder / "notes.md").write_text("# 说明\n\n这是一个说明文件。\n", "utf-8")  # listed, not audited
    return folder


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("ref") / "r.json"
    r = run(corpus, "--json", out, "-q")
    assert r.exit_code == 1, r.output
    return {"data": json.loads(out.read_text("utf-8")), "output": r.output, "path": out}


@pytest.fixture(scope="module")
def streamed(corpus, tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("streamed")
    r = run(corpus, "--jsonl", folder / "r.jsonl", "--parquet", folder / "pq", "--with-source", "-q")
    return {"folder": folder, "output": r.output, "exit": r.exit_code}


def test_jsonl_lines_are_the_json_documents_without_source(reference, streamed):
    path = streamed["folder"] / "r.jsonl"
    lines = path.read_text("utf-8").splitlines()
    docs = reference["data"]["documents"]
    assert len(lines) == len(docs) == len(SEED_TEXTS) + 2
    for line, d in zip(lines, docs):
        got = json.loads(line)
        assert "source" not in got
        assert list(got) == [k for k in d if k != "source"]  # same keys, same order
        assert got == {k: v for k, v in d.items() if k != "source"}
    meta = json.loads((streamed["folder"] / "r.jsonl.meta.json").read_text("utf-8"))
    assert meta["schema"] == "auditor.result/1" and meta["documents"] == len(docs)
    assert meta["rules"] == reference["data"]["rules"]
    assert meta["run"]["seconds"] >= 0 and meta["sources"] == "r.jsonl.sources"


def test_sources_are_stored_once_per_distinct_text(reference, streamed):
    store = streamed["folder"] / "r.jsonl.sources"
    entries = sorted(store.rglob("*.json"))
    audited = [d for d in reference["data"]["documents"] if not d["error"]]
    assert len(audited) == len(SEED_TEXTS) + 1  # the copy is audited too
    assert len(entries) == len({d["sha256"] for d in audited}) == len(SEED_TEXTS)  # but stored once
    for d in audited:
        stored = json.loads((store / d["sha256"][:2] / f"{d['sha256']}.json").read_text("utf-8"))
        assert stored == d["source"]


def test_streamed_summary_and_exit_code_are_the_kept_runs(reference, streamed):
    assert streamed["exit"] == 1
    kept = [ln for ln in reference["output"].splitlines() if "已写入" not in ln]
    stream = [ln for ln in streamed["output"].splitlines() if "已写入" not in ln]
    assert stream == kept
    assert "非预决算文档 1" in streamed["output"]  # notes.md, listed with its reason


def test_parquet_tables_hold_the_frames_of_the_result(reference, streamed):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    from auditor.api import Result

    ref = Result(reference["data"])
    pq = streamed["folder"] / "pq"
    docs, flags, claims = (pd.read_parquet(pq / t) for t in ("documents", "flags", "claims"))
    want_docs = ref.documents_frame()
    assert list(docs["document"]) == list(want_docs["document"]) and list(docs["n"]) == list(range(len(want_docs)))
    assert list(docs["errors"]) == list(want_docs["errors"]) and list(docs["claims"]) == list(want_docs["claims"])
    assert docs["error_kind"].tolist().count("not_disclosure") == 1
    want_flags = ref.flags_frame()
    assert len(flags) == len(want_flags) > 0
    assert list(flags["rule"]) == list(want_flags["rule"]) and list(flags["id"]) == list(want_flags["id"])
    first = reference["data"]["documents"][int(flags["n"][0])]["flags"][0]
    assert json.loads(flags["evidence"][0]) == first["evidence"]
    want_claims = ref.claims_frame()
    assert len(claims) == len(want_claims)
    assert [Decimal(v) for v in claims["value"]] == list(want_claims["value"])  # exact decimals, not floats


def test_parquet_parts_are_cut_by_input_position(corpus, tmp_path, monkeypatch):
    from auditor.report import parquet

    pd = pytest.importorskip("pandas")
    real = parquet.ParquetWriter.__init__
    monkeypatch.setattr(parquet.ParquetWriter, "__init__",
                        lambda self, folder, rules=None, batch=1000: real(self, folder, rules, batch=2))
    (tmp_path / "pq" / "flags").mkdir(parents=True)
    (tmp_path / "pq" / "flags" / "part-00099.parquet").write_bytes(b"stale part of an earlier run")
    run(corpus, "--parquet", tmp_path / "pq", "-q")
    parts = sorted(p.name for p in (tmp_path / "pq" / "documents").glob("part-*.parquet"))
    n_docs = len(SEED_TEXTS) + 2
    assert parts == [f"part-{i:05d}.parquet" for i in range(-(-n_docs // 2))]
    assert not (tmp_path / "pq" / "flags" / "part-00099.parquet").exists()
    assert list(pd.read_parquet(tmp_path / "pq" / "documents")["n"]) == list(range(n_docs))


def test_resume_with_cache_writes_the_same_jsonl(corpus, tmp_path):
    cache = tmp_path / "cache"
    a = run(corpus, "--cache", cache, "--jsonl", tmp_path / "a.jsonl", "-q", "-j", "1")
    assert "新存入" in a.output
    b = run(corpus, "--cache", cache, "--jsonl", tmp_path / "b.jsonl", "-q", "-j", "1")
    assert f"读取 {len(SEED_TEXTS) + 2} 个已有结果" in b.output, b.output
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()


def test_a_cut_last_line_is_skipped_and_a_cut_line_inside_is_an_error(streamed, tmp_path):
    from auditor.report.jsonl import iter_documents

    lines = (streamed["folder"] / "r.jsonl").read_text("utf-8").splitlines(keepends=True)
    cut = tmp_path / "cut.jsonl"
    cut.write_text("".join(lines[:3]) + lines[3][: len(lines[3]) // 2], "utf-8")  # a run killed mid-write
    assert [d["path"] for d in iter_documents(cut)] == [json.loads(ln)["path"] for ln in lines[:3]]
    broken = tmp_path / "broken.jsonl"
    broken.write_text(lines[0] + lines[1][:20] + "\n" + lines[2], "utf-8")
    with pytest.raises(ValueError, match="broken.jsonl:2"):
        list(iter_documents(broken))


def test_report_from_jsonl_renders_the_same_pages_as_from_json(corpus, tmp_path):
    # one run writes both, so that even the run's time in the pages' footer is the same
    run(corpus, "--json", tmp_path / "r.json", "--jsonl", tmp_path / "r.jsonl", "--with-source", "-q")
    r1 = CliRunner().invoke(app, ["report", str(tmp_path / "r.json"), "--html", str(tmp_path / "a"),
                                  "--csv", str(tmp_path / "a.csv")])
    r2 = CliRunner().invoke(app, ["report", str(tmp_path / "r.jsonl"), "--html", str(tmp_path / "b"),
                                  "--csv", str(tmp_path / "b.csv"), "--xlsx", str(tmp_path / "b.xlsx")])
    assert r1.exit_code == 0 and r2.exit_code == 0, r1.output + r2.output
    pages = sorted(p.name for p in (tmp_path / "a").glob("*.html"))
    assert pages == sorted(p.name for p in (tmp_path / "b").glob("*.html"))
    for name in pages:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert (tmp_path / "b.xlsx").stat().st_size > 0
    page = next((tmp_path / "b").glob("*001_9e8aeb52973b4dc7.html")).read_text("utf-8")
    assert 'class="claim' in page  # the text came from the source store: claims are marked in it


def test_a_large_index_is_paged_and_lists_every_document_once(streamed, tmp_path, monkeypatch):
    from auditor.report import html, stream

    monkeypatch.setattr(html, "PAGE_SIZE", 3)
    written = stream.write_outputs_from_jsonl(streamed["folder"] / "r.jsonl", html_out=tmp_path / "site")
    assert written[0][1] == tmp_path / "site" / "index.html"
    n_docs = len(SEED_TEXTS) + 2
    n_pages = -(-n_docs // 3)
    names = ["index.html"] + [f"index-{i}.html" for i in range(2, n_pages + 1)]
    assert sorted(p.name for p in (tmp_path / "site").glob("index*.html")) == sorted(names)
    listed = []
    for i, name in enumerate(names, 1):
        html = (tmp_path / "site" / name).read_text("utf-8")
        rows = re.findall(r'<tr data-flagged="[01]">\s*<td><a href="([^"]+)"', html)
        assert 1 <= len(rows) <= 3
        listed += rows
        assert f"第 {i}/{n_pages} 页" in html
        for href in re.findall(r'<a href="(index[^"#]*\.html)"', html):  # every pager link is a page
            assert (tmp_path / "site" / href).exists(), href
        assert f"<b>{n_docs}</b><span>文档" in html  # the overview counts the whole corpus on every page
    assert len(listed) == len(set(listed)) == n_docs
    assert all((tmp_path / "site" / href).exists() for href in listed)


def test_audit_html_with_jsonl_renders_from_the_stream(corpus, tmp_path):
    r = run(corpus, "--jsonl", tmp_path / "r.jsonl", "--html", tmp_path / "site", "-q")
    assert r.exit_code == 1, r.output
    assert "HTML 报告已写入" in r.output
    assert (tmp_path / "r.jsonl.sources").is_dir()  # the pages need the text: stored for them
    page = next((tmp_path / "site").glob("*003_21d9eac1c5a0fc54.html")).read_text("utf-8")
    assert 'class="claim' in page


def test_write_html_of_a_large_result_dict_is_paged_too(reference, tmp_path, monkeypatch):
    from auditor.api import Result
    from auditor.report import html

    monkeypatch.setattr(html, "PAGE_SIZE", 4)
    Result(reference["data"]).write_html(tmp_path / "site")
    assert (tmp_path / "site" / "index-2.html").exists() and not (tmp_path / "site" / "index-3.html").exists()
    first = (tmp_path / "site" / "index.html").read_text("utf-8")
    assert first.count('<tr data-flagged=') == 4 and 'rel="next"' in first
