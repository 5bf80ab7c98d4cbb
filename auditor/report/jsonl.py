"""`--jsonl FILE`: results streamed as JSON Lines, one `auditor.result/1` document a line.

Why: a corpus of 10,000 or 1,000,000 documents cannot be one JSON held in memory and
written at the end. Each document is written (and flushed) as it arrives, in input order:
- a line is the same document object as in `--json`, without its `source` (text, outline,
  tables: most of the bytes). With `--with-source` the source is stored once per distinct
  text in a folder beside the file (`FILE.sources/<sha[:2]>/<sha256>.json`, keyed on the
  document's content hash), where `auditor report` finds it; without it, `auditor report`
  reads the original file back when its content is unchanged;
- what belongs to the run, not to a document (rules, run metadata, waivers), is in
  `FILE.meta.json`, written at the start and rewritten at the end;
- a killed run leaves whole lines (at most a cut last line, which readers skip); run again
  with the same `--cache` and the file is written anew, the same as an uninterrupted run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Iterator

from auditor.report.json_report import SCHEMA, write_atomic

META_SUFFIX = ".meta.json"
SOURCES_SUFFIX = ".sources"


def meta_path(path: Path) -> Path:
    return path.with_name(path.name + META_SUFFIX)


def sources_path(path: Path) -> Path:
    return path.with_name(path.name + SOURCES_SUFFIX)


class SourceStore:
    """Document sources by content hash: one file per distinct text, written once."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def _entry(self, sha: str) -> Path:
        return self.folder / sha[:2] / f"{sha}.json"

    def put(self, sha: str, source: dict) -> None:
        entry = self._entry(sha)
        if not entry.exists():
            write_atomic(entry, json.dumps(source, ensure_ascii=False, separators=(",", ":")))

    def get(self, sha: str | None) -> dict | None:
        if not sha:
            return None
        try:
            data = json.loads(self._entry(sha).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None


def document_line(d: dict) -> str:
    """One document as one line (no `source`), keys in the order of `--json`."""
    return json.dumps({k: v for k, v in d.items() if k != "source"}, ensure_ascii=False,
                      separators=(",", ":")) + "\n"


class JsonlWriter:
    """Writes documents as they arrive; sources go to a SourceStore when one is given."""

    def __init__(self, path: Path, meta: dict, sources: SourceStore | None = None):
        self.path = Path(path)
        self.meta = dict(meta)
        self.sources = sources
        self.count = 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh: IO[str] | None = self.path.open("w", encoding="utf-8")
        self._write_meta()

    def _write_meta(self) -> None:
        meta = {"schema": SCHEMA, "format": "jsonl", "documents_file": self.path.name, **self.meta,
                "documents": self.count,
                "sources": sources_path(self.path).name if self.sources is not None else None}
        write_atomic(meta_path(self.path), json.dumps(meta, ensure_ascii=False, indent=1))

    def write(self, d: dict) -> None:
        assert self._fh is not None, "writer closed"
        if self.sources is not None and isinstance(d.get("source"), dict) and d.get("sha256"):
            self.sources.put(d["sha256"], d["source"])
        self._fh.write(document_line(d))
        self._fh.flush()
        self.count += 1

    def close(self, **meta) -> None:
        """Close the file and record the run's closing metadata (seconds, waivers)."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        self.meta.update(meta)
        self._write_meta()


def is_jsonl(path: Path) -> bool:
    """A JSON Lines result: named .jsonl, or with a .meta.json beside it."""
    return Path(path).suffix.lower() == ".jsonl" or meta_path(Path(path)).exists()


def read_meta(path: Path) -> dict:
    """The run's metadata (rules, run, waivers); {} when the file has none beside it."""
    try:
        data = json.loads(meta_path(Path(path)).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise ValueError(f"{meta_path(Path(path))}: 不是 auditor.result/1 的元数据")
    return data


def iter_documents(path: Path) -> Iterator[dict]:
    """The documents of a JSON Lines result, one at a time; a cut last line (a killed run) is skipped."""
    with Path(path).open(encoding="utf-8") as fh:
        pending: str | None = None
        for n, line in enumerate(fh, 1):
            if pending is not None:
                raise ValueError(f"{path}:{n - 1}: 不是一个完整的 JSON 文档")
            if not line.strip():
                continue
            try:
                d = json.loads(line)
            except ValueError:
                pending = line  # a cut line is tolerated only as the very last one
                continue
            if not isinstance(d, dict) or "path" not in d or "flags" not in d:
                raise ValueError(f"{path}:{n}: 不是 auditor.result/1 的文档对象")
            yield d


def source_store_for(path: Path) -> SourceStore | None:
    folder = sources_path(Path(path))
    return SourceStore(folder) if folder.is_dir() else None
