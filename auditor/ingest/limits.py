"""Limits on what a reader accepts, checked before the bytes are read or unpacked.

A crawler's corpus holds files that are not disclosures at all: dumps, archives, zip bombs.
These limits turn each into a clear IngestError naming the file instead of minutes of work
or an exhausted memory. A real disclosure is far below every one of them (the largest seed
is 60 kB of text; the published PDFs are a few MB).
"""

from __future__ import annotations

MAX_TEXT_BYTES = 8 * 1024 * 1024  # a text or HTML file (the largest seed: 60 kB)
MAX_CONTAINER_BYTES = 200 * 1024 * 1024  # a PDF, DOCX or XLSX file
MAX_TEXT_CHARS = 4 * 1024 * 1024  # the text a structured reader extracts (a 24-page PDF: 30 k)
MAX_UNZIPPED_BYTES = 300 * 1024 * 1024  # all members of a DOCX/XLSX, as declared
MAX_ZIP_RATIO = 200  # declared size / compressed size of one large member
MAX_ZIP_MEMBERS = 10_000


def mb(n: int) -> str:
    return f"{n / 1024 / 1024:,.1f} MB"
