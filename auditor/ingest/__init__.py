"""Ingest: turn a file into a Document of blocks that remember where they came from.

`load_document` sniffs the content (never the file name) and dispatches to a reader; only
text is supported now, PDF/DOCX/HTML readers plug into `_READERS` later.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from auditor.ingest.errors import IngestError
from auditor.ingest.text import read_text
from auditor.model import Document

__all__ = ["IngestError", "load_document", "read_text", "sniff_format"]

_MAGIC: list[tuple[bytes, str]] = [
    (b"%PDF", "pdf"),
    (b"PK\x03\x04", "zip"),  # DOCX / XLSX / ZIP
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),  # legacy DOC / XLS
]

_READERS: dict[str, Callable[[Path], Document]] = {"text": read_text}


def sniff_format(head: bytes) -> str:
    """Format from the first bytes: 'pdf', 'zip', 'ole' or 'text'."""
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    return "text"


def load_document(path: str | Path) -> Document:
    """Read a file, find its tables and outline; IngestError for unreadable or unsupported files."""
    from auditor.outline import build_outline
    from auditor.tables import find_tables

    p = Path(path)
    try:
        with p.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise IngestError(str(p), f"cannot read file: {exc.strerror or exc}") from exc
    kind = sniff_format(head)
    reader = _READERS.get(kind)
    if reader is None:
        raise IngestError(str(p), f"unsupported format for now ({kind})")
    doc = reader(p)
    if not doc.text:
        return doc
    return build_outline(doc, find_tables(doc.text))
