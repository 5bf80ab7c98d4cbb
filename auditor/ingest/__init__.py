"""Ingest: turn a file into a Document of blocks that remember where they came from.

`load_document` sniffs the content (never the file name) and dispatches to a reader:
text (any encoding), PDF (pypdfium2 + pdfplumber's table geometry), DOCX and XLSX (ZIP
containers told apart by their parts), HTML (text that is markup). The structured readers
write the same text conventions as the seeds and keep each line's page (see `build`).
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import regex

from auditor.ingest.build import TextSink
from auditor.ingest import limits
from auditor.ingest.errors import IngestError
from auditor.ingest.text import read_text
from auditor.model import Document
from auditor.outline import build_outline
from auditor.tables import find_tables

__all__ = ["IngestError", "extract", "load_document", "read_text", "sniff_format"]

_MAGIC: list[tuple[bytes, str]] = [
    (b"%PDF", "pdf"),
    (b"PK\x03\x04", "zip"),  # DOCX / XLSX / ZIP
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),  # legacy DOC / XLS
]
_HTML = regex.compile(r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title|table|div|p)\b", regex.I | regex.S)


def sniff_format(head: bytes) -> str:
    """Format from the first bytes: 'pdf', 'zip', 'ole' or 'text'."""
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    # A PDF may have a few bytes of junk before its header (the spec allows up to 1024).
    if b"%PDF-" in head[:1024]:
        return "pdf"
    return "text"


def _looks_html(head: bytes) -> bool:
    for codec in ("utf-8-sig", "utf-16", "gb18030"):
        try:
            text = head.decode(codec, errors="ignore")
        except LookupError:  # pragma: no cover
            continue
        if _HTML.match(text.lstrip("\ufeff")):
            return True
    return False


def _zip_kind(p: Path) -> str:
    try:
        with zipfile.ZipFile(p) as z:
            infos = z.infolist()
            names = {i.filename for i in infos}
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise IngestError(str(p), f"ZIP 容器已损坏，无法打开（damaged ZIP: {exc}）") from exc
    _check_zip_sizes(p, infos)
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    raise IngestError(str(p), "ZIP 压缩包里既不是 DOCX 也不是 XLSX（没有 word/document.xml 或 xl/workbook.xml），"
                              "未审核（unsupported ZIP content）")


def _check_zip_sizes(p: Path, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse a zip bomb from its directory, before any member is unpacked: too many members,
    too large a declared total, or one large member compressed beyond any real document's ratio.
    (zipfile never inflates a member past its declared size, so the declared sizes are the bound.)"""
    if len(infos) > limits.MAX_ZIP_MEMBERS:
        raise IngestError(str(p), f"ZIP 容器含 {len(infos):,} 个成员（上限 {limits.MAX_ZIP_MEMBERS:,}），疑似压缩炸弹，未审核")
    total = sum(i.file_size for i in infos)
    if total > limits.MAX_UNZIPPED_BYTES:
        raise IngestError(str(p), f"ZIP 容器声明解压后共 {limits.mb(total)}（上限 {limits.mb(limits.MAX_UNZIPPED_BYTES)}），"
                                  "疑似压缩炸弹，未解压、未审核")
    for i in infos:
        if i.file_size > 1024 * 1024 and i.file_size > limits.MAX_ZIP_RATIO * max(i.compress_size, 1):
            raise IngestError(str(p), f"ZIP 成员 {i.filename} 压缩比 {i.file_size // max(i.compress_size, 1):,}:1"
                                      f"（{limits.mb(i.compress_size)} → {limits.mb(i.file_size)}），疑似压缩炸弹，未解压、未审核")


def _read_text_document(p: Path) -> tuple[Document, TextSink | None]:
    doc = read_text(p)
    if doc.text:
        build_outline(doc, find_tables(doc.text))
    return doc, None


def _pdf(p: Path) -> tuple[Document, TextSink | None]:
    from auditor.ingest.pdf import extract_pdf

    return extract_pdf(p)


def _docx(p: Path) -> tuple[Document, TextSink | None]:
    from auditor.ingest.docx import extract_docx

    return extract_docx(p)


def _xlsx(p: Path) -> tuple[Document, TextSink | None]:
    from auditor.ingest.xlsx import extract_xlsx

    return extract_xlsx(p)


def _html(p: Path) -> tuple[Document, TextSink | None]:
    from auditor.ingest.html import extract_html

    return extract_html(p)


def _ole(p: Path) -> tuple[Document, TextSink | None]:
    raise IngestError(str(p), "旧版 Office 文件（.doc/.xls，legacy Office）不支持：请另存为 .docx/.xlsx")


_READERS: dict[str, Callable[[Path], tuple[Document, TextSink | None]]] = {
    "text": _read_text_document,
    "html": _html,
    "pdf": _pdf,
    "docx": _docx,
    "xlsx": _xlsx,
    "ole": _ole,
}


def detect_format(path: str | Path) -> str:
    """'text', 'html', 'pdf', 'docx', 'xlsx' or 'ole', from the content only."""
    p = Path(path)
    try:
        with p.open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise IngestError(str(p), f"无法读取文件: {exc.strerror or exc}") from exc
    kind = sniff_format(head)
    if kind == "zip":
        return _zip_kind(p)
    if kind == "text" and _looks_html(head):
        return "html"
    return kind


def _check_size(p: Path, kind: str) -> None:
    """A file far larger than any disclosure is refused before it is read."""
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise IngestError(str(p), f"无法读取文件: {exc.strerror or exc}") from exc
    limit = limits.MAX_TEXT_BYTES if kind in ("text", "html") else limits.MAX_CONTAINER_BYTES
    if size > limit:
        what = "文本/HTML" if kind in ("text", "html") else kind.upper()
        raise IngestError(str(p), f"文件过大（{limits.mb(size)}，{what} 上限 {limits.mb(limit)}）：不像一份预决算公开文件，"
                                  "未读取、未审核")


def extract(path: str | Path) -> tuple[Document, TextSink | None]:
    """The Document and, for structured formats, the extracted lines with their pages and notes."""
    p = Path(path)
    kind = detect_format(p)
    _check_size(p, kind)
    reader = _READERS.get(kind)
    if reader is None:  # pragma: no cover - every sniffed kind has a reader
        raise IngestError(str(p), f"不支持的格式（{kind}）")
    try:
        return reader(p)
    except IngestError:
        raise
    except (ValueError, KeyError, OSError, zipfile.BadZipFile, EOFError) as exc:
        raise IngestError(str(p), f"{kind.upper()} 文件无法读取（unreadable {kind} file: {type(exc).__name__}: {exc}）") from exc
    except RecursionError as exc:
        raise IngestError(str(p), f"{kind.upper()} 文件结构嵌套过深，无法读取，未审核") from exc


def load_document(path: str | Path) -> Document:
    """Read a file, find its tables and outline; IngestError for unreadable or unsupported files."""
    return extract(path)[0]
