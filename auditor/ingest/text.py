"""Read a text file into a Document without losing positions.

Only line endings are normalised (\\r\\n and \\r become \\n) so that 1-based line numbers
and character offsets stay those of the file: every flag quotes the printed text.
Encodings are detected, never assumed: disclosures come as UTF-8, UTF-8 with BOM,
UTF-16 (Windows "Unicode" exports) and GB18030/GBK (older government sites).
"""

from __future__ import annotations

import codecs
from pathlib import Path

from auditor.ingest.errors import IngestError
from auditor.model import Document

_BOMS: list[tuple[bytes, str, str]] = [
    (codecs.BOM_UTF32_LE, "utf-32", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16"),
]
# Control characters other than TAB, LF, CR, FF: more than a few of them means binary content.
_CONTROL = {chr(c) for c in range(32) if c not in (9, 10, 12, 13)} | {"\x7f"}


def _line_of(data: bytes, pos: int) -> int:
    """1-based line of byte offset `pos` (counts LF and lone CR as line breaks)."""
    head = data[:pos]
    return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1


def normalise_newlines(text: str) -> str:
    """\\r\\n and \\r → \\n, nothing else, so line numbers match the file."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode_bytes(data: bytes, path: str = "<bytes>") -> tuple[str, str]:
    """Decode `data`, returning (text with newlines normalised, encoding name); IngestError if binary."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise IngestError(path, f"undecodable {name} text", line=None) from exc
            return _checked(normalise_newlines(text.lstrip("\ufeff")), path), name
    nul = data.find(b"\x00")
    if nul >= 0:
        raise IngestError(path, "binary content (NUL byte), not a text file", line=_line_of(data, nul))
    try:
        return _checked(normalise_newlines(data.decode("utf-8")), path), "utf-8"
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    try:
        return _checked(normalise_newlines(data.decode("gb18030")), path), "gb18030"
    except UnicodeDecodeError:
        pass
    best = _charset_normalizer_guess(data)
    if best is not None:
        text, name = best
        return _checked(normalise_newlines(text), path), name
    raise IngestError(path, "undecodable text (not UTF-8, UTF-16 or GB18030)", line=_line_of(data, first_bad))


def _charset_normalizer_guess(data: bytes) -> tuple[str, str] | None:
    """Last resort for other legacy encodings (Big5, ...)."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - declared dependency
        return None
    match = from_bytes(data).best()
    if match is None:
        return None
    return str(match), match.encoding


def _checked(text: str, path: str) -> str:
    """Refuse decoded text that is mostly control characters (binary that happened to decode)."""
    if not text:
        return text
    bad = [i for i, ch in enumerate(text[:200_000]) if ch in _CONTROL]
    if len(bad) > max(3, len(text[:200_000]) // 100):
        line = text.count("\n", 0, bad[0]) + 1
        raise IngestError(path, "binary content (control characters), not a text file", line=line)
    return text


def read_text(path: str | Path) -> Document:
    """Read and decode a text file; an empty file gives a Document with no blocks."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise IngestError(str(p), f"cannot read file: {exc.strerror or exc}") from exc
    if not data:
        return Document(path=str(p), text="", encoding="utf-8")
    text, encoding = decode_bytes(data, str(p))
    return Document(path=str(p), text=text, encoding=encoding)
