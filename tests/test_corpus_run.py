"""Corpus runs: parallel workers, exit codes, rule selection, severity floor, configuration."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import auditor as auditor_pkg
from auditor.cli import app
from conftest import SEEDS, without_run


SMALL = [SEEDS / "001_9e8aeb52973b4dc7.txt", SEEDS / "003_21d9eac1c5a0fc54.txt"]  # score, change, code flags


def selected(select=(), ignore=()) -> set[str]:
    """The rule ids the catalogue keeps for select/ignore (rules change; the selection logic must not)."""
    from auditor.catalogue import load_catalogue
    from auditor.config import select_rules

    return {r.id for r in select_rules(load_catalogue().checks, list(select), list(ignore))}


def run(*args, cwd=None, monkeypatch=None):
    if cwd is not None:
        monkeypatch.chdir(cwd)
    return CliRunner().invoke(app, ["audit", *map(str, args)])


def same_results(a: dict, b: dict) -> None:
    """Compare two results without letting pytest diff megabytes of text (which takes minutes)."""
    assert a.keys() == b.keys()
    assert len(a["documents"]) == len(b["documents"])
    for x, y in zip(a["documents"], b["documents"]):
        for key in x.keys() | y.keys():
            same = json.dumps(x.get(key), sort_keys=True) == json.dumps(y.get(key), sort_keys=True)
            assert same, f"{x['path']}: {key} differs"
    for key in a.keys() - {"documents"}:
        assert json.dumps(a[key], sort_keys=True) == json.dumps(b[key], sort_keys=True), key


def rules_of(path) -> set[str]:
    data = json.loads(path.read_text("utf-8"))
    return {f["rule"] for d in data["documents"] for f in d["flags"]}


def test_results_are_identical_whatever_the_number_of_workers(tmp_path):
    outs = {}
    for jobs in (1, 3):
        out = tmp_path / f"r{jobs}.json"
        r = run(SEEDS, "--jobs", jobs, "--json", out, "-q", "--csv", tmp_path / f"r{jobs}.csv")
        assert r.exit_code == 1, r.output
        outs[jobs] = out.read_text("utf-8")
        assert "审核中" not in r.output  # no progress bar when not on a terminal
    runs = [json.loads(outs[j]).pop("run") for j in (1, 3)]
    assert runs[0]["version"] == runs[1]["version"] and runs[0]["catalogue"] == runs[1]["catalogue"]
    same_results(*(dict(json.loads(outs[j]), run=None) for j in (1, 3)))
    # byte for byte too, but for the run's own time (only reached when the documents are the same)
    assert without_run(outs[1]) == without_run(outs[3])
    assert (tmp_path / "r1.csv").read_bytes() == (tmp_path / "r3.csv").read_bytes()
    api = auditor_pkg.audit(SMALL, jobs=2)  # the API's workers too
    same_results(json.loads(json.dumps(api.data)), json.loads(json.dumps(auditor_pkg.audit(SMALL).data)))


def test_exit_codes(tmp_path):
    clean = tmp_path / "clean.txt"
    clean.write_text("本年收入合计100.00万元。\n", encoding="utf-8")
    assert run(clean, "-q").exit_code == 0
    assert run(SMALL[0], "-q").exit_code == 1
    assert run(tmp_path / "missing.txt", "-q").exit_code == 2
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01garbage\x00")
    assert run(bad, "-q").exit_code == 2  # nothing readable
    # one unreadable file in a corpus is reported and the run goes on, but a CI gate must not
    # pass with part of the corpus unread: exit 2, unless --fail-on leaves `unreadable` out
    both = run(bad, clean, "-q")
    assert both.exit_code == 2 and "bad.txt" in both.output and "审核 1 个文档" in both.output
    assert run(bad, clean, "-q", "--fail-on", "error").exit_code == 0
    assert run(bad, SMALL[0], "-q", "--fail-on", "error").exit_code == 1
    assert run(SMALL[0], "-q", "--fail-on", "unreadable").exit_code == 0  # error flags do not count
    assert run(tmp_path / "missing.txt", clean, "-q").exit_code == 2  # /nonexistent good.txt
    assert run(clean, "-q", "--fail-on", "none").exit_code == 0
    assert run(clean, "-q", "--fail-on", "fatal").exit_code == 2
    assert run(clean, "--select", "no.such.rule").exit_code == 2
    assert run(clean, "--min-severity", "fatal").exit_code == 2
    assert run(clean, "--jobs", "-1").exit_code == 2
    assert run(clean, "--html", clean).exit_code == 2  # a file where a folder is wanted


def test_fail_on_warning_counts_warnings(tmp_path):
    # 309.03 ÷ (13656.34 − 309.03) = 2.3153%: printed 2.31% fits only by truncation, a warning
    short = tmp_path / "short.txt"
    short.write_text("本年收入合计13656.34万元，比上年增加309.03万元，增长2.31%。\n", encoding="utf-8")
    r = run(short, "-q", "--json", tmp_path / "r.json")
    severities = {f["severity"] for d in json.loads((tmp_path / "r.json").read_text("utf-8"))["documents"]
                  for f in d["flags"]}
    assert severities == {"warning"}, r.output
    assert r.exit_code == 0
    assert run(short, "-q", "--fail-on", "warning").exit_code == 1


def test_folder_runs_list_every_file_with_its_outcome(tmp_path):
    folder = tmp_path / "crawl"
    folder.mkdir()
    (folder / "good.txt").write_text("本年收入合计100.00万元，比上年增加10.00万元，增长11.11%。\n", encoding="utf-8")
    (folder / "download_id=123").write_text("本年支出合计50.00万元。\n", encoding="utf-8")  # no extension
    (folder / "notes.md").write_text("# 笔记\n\n## 待办\n\n```\nx\n```\n", encoding="utf-8")
    (folder / "error.pdf").write_text("<html><body><h1>404 Not Found</h1></body></html>", encoding="utf-8")
    (folder / "key.yaml").write_text("document: a.txt\nyear: 2024\nflags:\n  - id: x\n    quote: 5万元\n",
                                     encoding="utf-8")
    (folder / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    (folder / ".hidden").write_text("本年支出合计50.00万元。\n", encoding="utf-8")
    out = tmp_path / "r.json"
    r = run(folder, "-q", "--json", out)
    docs = {Path(d["path"]).name: d for d in json.loads(out.read_text("utf-8"))["documents"]}
    assert set(docs) == {"good.txt", "download_id=123", "notes.md", "error.pdf", "key.yaml", "old.doc"}
    assert docs["good.txt"]["error"] is None and docs["download_id=123"]["error"] is None
    for name in ("notes.md", "error.pdf", "key.yaml"):
        assert docs[name]["error_kind"] == "not_disclosure" and "非预决算文档" in docs[name]["error"], name
    assert docs["old.doc"]["error_kind"] == "ingest"
    assert "审核 2 个文档（1 个无法读取，3 个非预决算文档未审核）" in r.output.replace("\n", "")
    assert r.exit_code == 2  # old.doc could not be audited


def test_config_accepts_jobs_zero_and_fail_on(tmp_path, monkeypatch):
    from auditor.config import ConfigError, load_options

    cfg = tmp_path / "auditor.toml"
    cfg.write_text('jobs = 0\nfail-on = ["unreadable", "warning"]\n', encoding="utf-8")
    opts = load_options(cfg)
    assert opts.jobs == 0 and opts.fail_on == "unreadable,warning"
    cfg.write_text('fail-on = "sometimes"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="fail-on"):
        load_options(cfg)


def test_select_and_ignore_take_ids_groups_and_prefixes(tmp_path):
    out = tmp_path / "r.json"
    assert run(*SMALL, "--select", "change.rate", "--json", out, "-q").exit_code == 1
    assert rules_of(out) == {"change.rate"}
    run(*SMALL, "--select", "change,code", "--ignore", "code.function_label", "--json", out, "-q")
    assert rules_of(out) and rules_of(out) <= selected(["change", "code"], ["code.function_label"])
    assert "code.function_label" not in rules_of(out)
    run(*SMALL, "--ignore", "code", "--json", out, "-q")
    assert not any(r.startswith("code.") for r in rules_of(out))


def test_min_severity_drops_lower_flags(tmp_path):
    out = tmp_path / "r.json"
    run(SEEDS / "000_62da09ba746a1191.txt", *SMALL, "--min-severity", "error", "--json", out, "-q")
    data = json.loads(out.read_text("utf-8"))
    assert {f["severity"] for d in data["documents"] for f in d["flags"]} == {"error"}


def test_configuration_from_pyproject_and_auditor_toml_command_line_wins(tmp_path, monkeypatch):
    out = tmp_path / "r.json"
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.auditor]\nselect = ["code"]\n', "utf-8")
    assert run(*SMALL, "--json", out, "-q", cwd=tmp_path, monkeypatch=monkeypatch).exit_code == 1
    assert "code.function_label" in rules_of(out) and rules_of(out) <= selected(["code"])
    run(*SMALL, "--select", "change.rate", "--json", out, "-q", cwd=tmp_path, monkeypatch=monkeypatch)
    assert rules_of(out) == {"change.rate"}
    (tmp_path / "auditor.toml").write_text('select = ["score"]\nmin-severity = "error"\njobs = 1\n', "utf-8")
    run(*SMALL, "--json", out, "-q", cwd=tmp_path, monkeypatch=monkeypatch)
    assert "score.parts" in rules_of(out) and rules_of(out) <= selected(["score"])
    (tmp_path / "auditor.toml").write_text('selct = ["score"]\n', "utf-8")
    r = run(*SMALL, "-q", cwd=tmp_path, monkeypatch=monkeypatch)
    assert r.exit_code == 2 and "selct" in r.output


def test_api_frames(seed_results):
    result = auditor_pkg.audit([SEEDS / "003_21d9eac1c5a0fc54.txt"], select=["change.rate"])
    flags = result.flags_frame()
    assert set(flags.rule) == {"change.rate"}
    row = flags[flags.stated == "9.5%"].iloc[0]
    assert row.expected == "0.96%" and row.lines == [1689] and "9.5%" in row.quotes
    claims = result.claims_frame()
    assert set(claims.status) <= {"verified", "contradicted", "unverified"}
    assert "contradicted" in set(claims.status)
    hit = claims[(claims.quote == "9.5%") & (claims.line == 1689)].iloc[0]
    assert hit.status == "contradicted" and str(hit.value) == "9.5"
    assert len(claims) == result.documents[0]["claims"]
    assert result.documents_frame().loc[0, "errors"] == len(flags)


def test_api_round_trips_through_json(tmp_path):
    result = auditor_pkg.audit(SEEDS / "001_9e8aeb52973b4dc7.txt")
    result.write_json(tmp_path / "r.json")
    again = auditor_pkg.Result.from_json(tmp_path / "r.json")
    assert again.flags_frame().equals(result.flags_frame())
    assert again.claims_frame().equals(result.claims_frame())
    assert result.exit_code == again.exit_code == 1
    with pytest.raises(ValueError):
        (tmp_path / "x.json").write_text("{}", "utf-8")
        auditor_pkg.Result.from_json(tmp_path / "x.json")


def test_flags_print_one_per_line_with_their_place_even_when_narrow(tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    r = run(SMALL[1], "--jobs", "1")
    lines = [ln for ln in r.output.split("\n") if ln.startswith(f"{SMALL[1]}:") and " 提示 [" not in ln]
    assert len(lines) == 11, r.output  # 003's eleven error flags (README table); notes (提示) aside
    rate = next(ln for ln in lines if "下降9.5%" in ln or "写为9.5%" in ln)
    assert rate.startswith(f"{SMALL[1]}:1689: 错误 [change.rate] ")  # the line of the stated 9.5%
    assert "应为0.96%" in rate  # not cut: the whole message stands on the line
    assert "change.rate" in r.output.split("个文档")[-1]  # the per-rule count after the summary


def test_concise_json_and_sarif_formats(tmp_path):
    concise = run(SMALL[0], "--format", "concise")
    assert concise.output.split("\n")[0].startswith(f"{SMALL[0]}:22: 错误 [score.parts] ")
    json_run = run(SMALL[0], "--format", "json")
    data = json.loads(json_run.stdout)
    assert data["schema"] == "auditor.result/1" and data["run"]["tool"] == "auditor"
    assert data["run"]["version"].startswith(auditor_pkg_version()) and len(data["run"]["catalogue"]) == 16
    assert "共 1 个文件" in json_run.stderr  # the summary does not spoil the payload
    sarif = json.loads(run(SMALL[0], "--format", "sarif").stdout)
    assert sarif["version"] == "2.1.0"
    (res,) = sarif["runs"][0]["results"]
    assert res["ruleId"] == "score.parts" and res["level"] == "error"
    assert res["locations"][0]["physicalLocation"]["region"]["startLine"] == 22
    assert res["locations"][0]["physicalLocation"]["region"]["snippet"]["text"] == "98分"
    assert "score.parts" in {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert run(SMALL[0], "--format", "xml").exit_code == 2


def test_version_help_and_errors_on_stderr():
    from importlib.metadata import version

    v = CliRunner().invoke(app, ["-V"])
    assert v.exit_code == 0 and v.stdout.startswith(f"auditor {version('auditor')}+")
    assert CliRunner().invoke(app, ["--version"]).stdout == v.stdout
    assert "--format" in CliRunner().invoke(app, ["audit", "-h"]).stdout
    bad = CliRunner().invoke(app, ["audit", "/no/such/file.txt"])
    assert bad.exit_code == 2 and "/no/such/file.txt" in bad.stderr and bad.stdout == ""


def auditor_pkg_version() -> str:
    from importlib.metadata import version

    return version("auditor")
