"""Decoding, newline normalisation, binary detection and format dispatch."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from auditor.ingest import IngestError, load_document, read_text
from auditor.ingest.text import decode_bytes

SAMPLE = "阳泉市公安局城区分局\n2024年度单位决算公开\n第一部分 概况\n本年收入合计6,650.61万元。\n"


def _write(tmp_path: Path, data: bytes, name: str = "doc.txt") -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def test_utf8(tmp_path: Path) -> None:
    doc = read_text(_write(tmp_path, SAMPLE.encode("utf-8")))
    assert doc.text == SAMPLE and doc.encoding == "utf-8"


def test_utf8_bom_is_stripped(tmp_path: Path) -> None:
    doc = read_text(_write(tmp_path, codecs.BOM_UTF8 + SAMPLE.encode("utf-8")))
    assert doc.text == SAMPLE and doc.encoding == "utf-8-sig"
    assert not doc.text.startswith("\ufeff")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom(tmp_path: Path, codec: str) -> None:
    data = SAMPLE.encode(codec)
    if codec != "utf-16":
        data = (codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE) + data
    doc = read_text(_write(tmp_path, data))
    assert doc.text == SAMPLE and doc.encoding == "utf-16"


@pytest.mark.parametrize("codec", ["gb18030", "gbk"])
def test_gb18030_and_gbk_are_detected(tmp_path: Path, codec: str) -> None:
    doc = read_text(_write(tmp_path, SAMPLE.encode(codec)))
    assert doc.text == SAMPLE
    assert doc.encoding == "gb18030"


def test_gb18030_only_characters(tmp_path: Path) -> None:
    text = "单位：万元 𠀀 ㈠\n"  # characters outside GBK
    doc = read_text(_write(tmp_path, text.encode("gb18030")))
    assert doc.text == text


def test_line_endings_normalised_and_line_numbers_kept(tmp_path: Path) -> None:
    raw = "第一行\r\n第二行\r第三行\n\n第五行"
    doc = read_text(_write(tmp_path, raw.encode("utf-8")))
    assert doc.text == "第一行\n第二行\n第三行\n\n第五行"
    assert doc.line_text(5) == "第五行"
    assert doc.line_text(3) == "第三行"


def test_binary_nul_names_file_and_line(tmp_path: Path) -> None:
    p = _write(tmp_path, b"line one\nline two\x00\x01\x02binary", name="report.bin")
    with pytest.raises(IngestError) as ei:
        read_text(p)
    err = ei.value
    assert err.path == str(p) and err.line == 2
    assert str(err).startswith(f"{p}:2: ")


def test_control_characters_are_binary(tmp_path: Path) -> None:
    p = _write(tmp_path, bytes(range(1, 9)) * 50)
    with pytest.raises(IngestError) as ei:
        read_text(p)
    assert str(p) in str(ei.value)


def test_empty_file_gives_empty_document(tmp_path: Path) -> None:
    p = _write(tmp_path, b"")
    doc = load_document(p)
    assert doc.text == "" and doc.blocks == [] and doc.tables == []


@pytest.mark.parametrize(("magic", "word"), [(b"%PDF-1.7\n%...", "PDF"), (b"PK\x03\x04rest-of-zip", "ZIP")])
def test_damaged_pdf_and_zip_name_the_file(tmp_path: Path, magic: bytes, word: str) -> None:
    p = _write(tmp_path, magic + b"\x00" * 20, name="x.txt")
    with pytest.raises(IngestError) as ei:
        load_document(p)
    assert word in str(ei.value) and str(p) in str(ei.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(IngestError):
        load_document(tmp_path / "nope.txt")


def test_error_str_format() -> None:
    assert str(IngestError("a.txt", "bad", line=3)) == "a.txt:3: bad"
    e = IngestError("a.txt", "坏文件")
    assert e.line is None and e.page is None and str(e) == "a.txt: 坏文件"


def test_decode_bytes_does_not_depend_on_name() -> None:
    text, enc = decode_bytes("部门预算".encode("gb18030"), "whatever.utf8")
    assert text == "部门预算" and enc == "gb18030"


def test_load_document_runs_tables_and_outline(tmp_path: Path) -> None:
    text = (
        "某某局2024年度部门决算\n第一部分 概况\n一、收入\n收入支出决算总表\n金额单位：万元\n"
        "项目\t金额\n本年收入合计\t1,234.50\n总计\t1,234.50\n注：本表反映收入。\n"
    )
    doc = load_document(_write(tmp_path, text.encode("gb18030")))
    assert doc.encoding == "gb18030"
    assert doc.family == "final_accounts" and doc.year == 2024
    assert len(doc.tables) == 1
    t = doc.tables[0]
    assert t.title == "收入支出决算总表" and t.unit == "万元"
    assert t.section == ("第一部分 概况", "一、收入", "收入支出决算总表")
