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
from auditor.ingest.errors import IngestError
from auditor.ingest.text import read_text
from auditor.model import Document

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
            names = set(z.namelist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise IngestError(str(p), f"damaged ZIP container ({exc})") from exc
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    raise IngestError(str(p), "unsupported ZIP content (neither DOCX nor XLSX)")


def _read_text_document(p: Path) -> tuple[Document, TextSink | None]:
    from auditor.outline import build_outline
    from auditor.tables import find_tables

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
    raise IngestError(str(p), "legacy Office file (.doc/.xls) not supported: save it as .docx/.xlsx")


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
        raise IngestError(str(p), f"cannot read file: {exc.strerror or exc}") from exc
    kind = sniff_format(head)
    if kind == "zip":
        return _zip_kind(p)
    if kind == "text" and _looks_html(head):
        return "html"
    return kind


def extract(path: str | Path) -> tuple[Document, TextSink | None]:
    """The Document and, for structured formats, the extracted lines with their pages and notes."""
    p = Path(path)
    kind = detect_format(p)
    reader = _READERS.get(kind)
    if reader is None:  # pragma: no cover - every sniffed kind has a reader
        raise IngestError(str(p), f"unsupported format ({kind})")
    try:
        return reader(p)
    except IngestError:
        raise
    except (ValueError, KeyError, OSError, zipfile.BadZipFile) as exc:
        raise IngestError(str(p), f"unreadable {kind} file ({type(exc).__name__}: {exc})") from exc


def load_document(path: str | Path) -> Document:
    """Read a file, find its tables and outline; IngestError for unreadable or unsupported files."""
    return extract(path)[0]
