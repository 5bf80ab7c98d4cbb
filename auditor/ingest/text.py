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
        utf16 = _utf16_without_bom(data)
        if utf16 is not None:
            text, name = utf16
            return _checked(normalise_newlines(text), path), name
        raise IngestError(path, "二进制内容（含 NUL 字节），不是文本文件（binary content, not a text file）",
                          line=_line_of(data, nul))
    try:
        return _checked(normalise_newlines(data.decode("utf-8")), path), "utf-8"
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    try:
        return _checked(normalise_newlines(data.decode("gb18030")), path), "gb18030"
    except UnicodeDecodeError as exc:
        gb_bad = _bad_bytes(data, "gb18030")
        gb_first = exc.start
    if gb_bad and len(gb_bad) <= max(16, len(data) // 1000):
        # Mostly GB18030 with a few broken bytes (a damaged download): say where, do not guess
        # another encoding that would turn the whole text into mojibake.
        shown = " ".join(f"0x{data[i]:02X}" for i in gb_bad[:5]) + (" …" if len(gb_bad) > 5 else "")
        lines = sorted({_line_of(data, i) for i in gb_bad})
        where = "、".join(map(str, lines[:5])) + (" 等" if len(lines) > 5 else "")
        raise IngestError(path, f"GB18030 文本中有 {len(gb_bad)} 个无法解码的字节（{shown}，第 {where} 行），文件可能已损坏，"
                                "未审核（undecodable text）", line=_line_of(data, gb_first))
    best = _charset_normalizer_guess(data)
    if best is not None:
        text, name = best
        return _checked(normalise_newlines(text), path), name
    raise IngestError(path, "无法解码的文本（不是 UTF-8、UTF-16 或 GB18030；undecodable text）", line=_line_of(data, first_bad))


def _bad_bytes(data: bytes, codec: str) -> list[int]:
    """Offsets of the bytes `codec` cannot decode (each undecodable run counted by its bytes)."""
    bad: list[int] = []

    def collect(exc: UnicodeDecodeError) -> tuple[str, int]:
        bad.extend(range(exc.start, exc.end))
        if len(bad) > 10_000:
            raise exc
        return "\ufffd", exc.end

    name = f"auditor-collect-{id(bad)}"
    codecs.register_error(name, collect)
    try:
        data.decode(codec, errors=name)
    except UnicodeDecodeError:
        pass
    return bad


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 saved without a BOM: the NUL bytes of ASCII characters (digits, newlines) all
    stand on the odd offsets (little-endian) or on the even ones (big-endian), and the
    decoded text is ordinary characters."""
    if len(data) % 2:
        return None
    sample = data[:200_000]
    odd = sample[1::2].count(0)
    even = sample[0::2].count(0)
    if odd >= 9 * even:  # a few CJK characters (一 U+4E00) put a NUL on the other side
        codec = "utf-16-le"
    elif even >= 9 * odd:
        codec = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    head = text[:100_000]
    ordinary = sum(1 for ch in head if ch.isprintable() or ch in "\t\n\r\f\u3000")
    if ordinary < 0.98 * len(head):
        return None
    return text, codec


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
        raise IngestError(str(p), f"无法读取文件: {exc.strerror or exc}") from exc
    if not data:
        return Document(path=str(p), text="", encoding="utf-8")
    text, encoding = decode_bytes(data, str(p))
    return Document(path=str(p), text=text, encoding=encoding)
