"""A result cache for resumable corpus runs (`auditor audit --cache DIR`).

Each document's result (its `auditor.result/1` document dict, before waivers) is stored under
a key made of three things:
- the SHA-256 of the file's bytes;
- the run key: the rule catalogue (every file of the rules folders, and the rule ids that
  --select/--ignore leave) and --min-severity;
- the auditor version: the package version and a digest of its source, so a changed
  pipeline never serves an old result.

Entries are written atomically (temporary file + rename) as each document finishes, so a
run killed at any moment leaves only whole entries; run again with the same --cache and
the finished documents are read back instead of audited. Only results that do not depend
on the moment are kept: audited documents and files the readers refuse. A timeout, a memory
limit or a crashed worker is not cached, so the next run tries that document again.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

CACHE_FORMAT = "auditor.cache/1"
_CHUNK = 1024 * 1024


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in chunks (a 100 MB file never sits in memory)."""
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


@lru_cache(maxsize=1)
def auditor_version() -> str:
    """The package version and a digest of the package's Python source and rule code."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        v = version("auditor")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        v = "0"
    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for p in sorted(root.rglob("*.py")):
        h.update(str(p.relative_to(root)).encode("utf-8") + b"\0" + p.read_bytes() + b"\0")
    return f"{v}+{h.hexdigest()[:16]}"


def _tree_digest(h: "hashlib._Hash", source: Path) -> None:
    source = Path(source)
    files = [source] if source.is_file() else sorted(p for p in source.rglob("*") if p.is_file())
    for p in files:
        rel = p.name if p == source else str(p.relative_to(source))
        h.update(rel.encode("utf-8") + b"\0" + p.read_bytes() + b"\0")


def catalogue_hash(rule_dirs: Iterable[Path], check_ids: Iterable[str]) -> str:
    """The shipped rules folder, each --rules folder or file, and the selected check ids."""
    from auditor.catalogue import RULES_DIR

    h = hashlib.sha256()
    for i, d in enumerate([Path(RULES_DIR), *map(Path, rule_dirs)]):
        h.update(f"source {i}\0".encode())
        if d.exists():
            _tree_digest(h, d)
    h.update("\0".join(sorted(check_ids)).encode("utf-8"))
    return h.hexdigest()


def run_key(rule_dirs: Iterable[Path], check_ids: Iterable[str], min_severity: str | None) -> str:
    parts = [CACHE_FORMAT, auditor_version(), catalogue_hash(rule_dirs, check_ids), min_severity or ""]
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


class ResultCache:
    """One folder of entries: <dir>/<run key[:16]>/<sha[:2]>/<sha>.json."""

    def __init__(self, folder: Path, key: str):
        self.folder = Path(folder)
        self.key = key
        self.root = self.folder / key[:16]
        self.hits = 0
        self.stored = 0

    def _entry(self, sha: str) -> Path:
        return self.root / sha[:2] / f"{sha}.json"

    def get(self, sha: str, path: str) -> dict | None:
        """The cached document dict for these bytes, with `path` set to this file's; None on a miss
        (or a damaged entry, which is then audited again and overwritten)."""
        entry = self._entry(sha)
        try:
            data = json.loads(entry.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("key") != self.key or not isinstance(data.get("document"), dict):
            return None
        doc = data["document"]
        old = doc.get("path")
        if old != path:  # the same bytes under another name: the result is the same, the name is not
            doc["path"] = path
            if isinstance(doc.get("error"), str) and old and doc["error"].startswith(old):
                doc["error"] = path + doc["error"][len(old):]
        self.hits += 1
        return doc

    def put(self, sha: str, doc: dict[str, Any]) -> None:
        from auditor.report.json_report import write_atomic

        text = json.dumps({"key": self.key, "document": doc}, ensure_ascii=False, separators=(",", ":"))
        write_atomic(self._entry(sha), text)
        self.stored += 1
