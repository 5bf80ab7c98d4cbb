"""The one error the ingest stage raises: it always names the file (and the line when known)
so a user with a folder of hundreds of disclosures can find the culprit at once."""

from __future__ import annotations


class IngestError(Exception):
    """A file that cannot be turned into a Document (binary, undecodable, unsupported format)."""

    def __init__(self, path: str, reason: str, line: int | None = None, page: int | None = None) -> None:
        self.path = str(path)
        self.reason = reason
        self.line = line
        self.page = page
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.path}:{self.line}: {self.reason}"
        if self.page is not None:
            return f"{self.path}:page {self.page}: {self.reason}"
        return f"{self.path}: {self.reason}"
