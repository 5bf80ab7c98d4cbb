"""The CLI and the JSON contract other tools read."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from auditor.cli import app
from conftest import SEEDS


def test_audit_corpus_writes_the_contract(tmp_path):
    bad = tmp_path / "binary.txt"
    bad.write_bytes(b"\x00\x01\x02garbage\x00")
    out = tmp_path / "r.json"
    result = CliRunner().invoke(app, ["audit", str(SEEDS), str(bad), "--json", str(out), "-q"])
    assert result.exit_code == 2, result.output  # an input could not be audited
    errors_only = CliRunner().invoke(app, ["audit", str(SEEDS), str(bad), "-q", "--fail-on", "error"])
    assert errors_only.exit_code == 1, errors_only.output  # the seeds hold error flags
    data = json.loads(out.read_text("utf-8"))
    assert data["schema"] == "auditor.result/1"
    docs = {d["path"].rsplit("/", 1)[-1]: d for d in data["documents"]}
    assert docs["binary.txt"]["error"] and "binary.txt" in docs["binary.txt"]["error"]
    for name, d in docs.items():
        if d["error"]:
            continue
        assert d["claims"] == d["verified"] + d["unverified"]
        lines = (SEEDS / name).read_text("utf-8").split("\n")
        for flag in d["flags"]:
            assert flag["message"].startswith(f"[{flag['rule']}]")
            for ev in flag["evidence"]:
                assert ev["quote"] in lines[ev["line"] - 1], (name, ev)


def test_change_rate_flag_carries_the_arithmetic(auditor):
    text = "机关运行经费财政拨款预算377.81万元，比上年预算减少3.65万元，下降9.5%。"
    flags = auditor.audit_text(text).flags
    assert [f.rule for f in flags] == ["change.rate"]
    f = flags[0]
    assert (f.stated, f.expected) == ("9.5%", "0.96%")  # 3.65 / 381.46 = 0.957%
    assert {e.quote for e in f.evidence} == {"9.5%", "3.65万元", "377.81万元"}


def test_missing_path_exits_2(tmp_path):
    result = CliRunner().invoke(app, ["audit", str(tmp_path / "nope")])
    assert result.exit_code == 2
