"""`--parquet DIR`: the results as three Parquet tables for pandas users.

DIR/documents/, DIR/flags/ and DIR/claims/ each hold part files (`part-00000.parquet`, …)
of up to `batch` documents, written atomically as the run goes: memory holds one batch,
a killed run leaves whole parts, and `pd.read_parquet("DIR/flags")` reads the table. Rows
are the ones of `Result.documents_frame()`, `flags_frame()` and `claims_frame()`, with
`n` (the document's place in the input) first; a claim's `value` is its exact decimal
text (cast with `decimal.Decimal`), never a float. Parts are cut by input position, so a
resumed run (`--cache`) and a Dask run write the same tables as an uninterrupted local run.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

TABLES = ("documents", "flags", "claims")
MISSING = "未安装 pyarrow：--parquet 需要可选依赖，请运行 pip install -e '.[dask]'（或 pip install pyarrow）"


def _schemas():
    import pyarrow as pa

    s, i, b = pa.string(), pa.int64(), pa.bool_()
    return {
        "documents": pa.schema([("n", i), ("document", s), ("family", s), ("year", i), ("unit_name", s),
                                ("claims", i), ("verified", i), ("unverified", i), ("errors", i), ("warnings", i),
                                ("infos", i), ("waived", i), ("error", s), ("error_kind", s), ("sha256", s)]),
        "flags": pa.schema([("n", i), ("document", s), ("unit_name", s), ("rule", s), ("summary", s),
                            ("severity", s), ("message", s), ("stated", s), ("expected", s), ("arithmetic", s),
                            ("section", s), ("quotes", pa.list_(s)), ("lines", pa.list_(i)),
                            ("pages", pa.list_(i)), ("waived", b), ("id", s), ("evidence", s)]),
        "claims": pa.schema([("n", i), ("document", s), ("id", i), ("line", i), ("page", i), ("start", i),
                             ("end", i), ("quote", s), ("value", s), ("unit", s), ("kind", s), ("subject", s),
                             ("concept", s), ("role", s), ("status", s), ("verified", b), ("section", s)]),
    }


def _text(v):
    return None if v is None else str(v)


class ParquetWriter:
    """Buffers `batch` documents, then writes one part of each table."""

    def __init__(self, folder: Path, rules: dict | None = None, batch: int = 1000):
        try:
            import pyarrow  # noqa: F401
            import pyarrow.parquet  # noqa: F401
        except ImportError as exc:
            raise RuntimeError(f"{MISSING}（{exc}）") from None
        self.folder = Path(folder)
        self.rules = rules or {}
        self.batch = max(1, batch)
        self.schemas = _schemas()
        self.count = 0
        self.parts = 0
        self._rows: dict[str, list[dict]] = {t: [] for t in TABLES}
        self._docs_in_batch = 0
        for t in TABLES:  # a new run replaces the parts of an earlier one (a resume writes them all again)
            (self.folder / t).mkdir(parents=True, exist_ok=True)
            for old in (self.folder / t).glob("part-*.parquet"):
                old.unlink()

    def write(self, d: dict) -> None:
        from auditor.api import Result

        n = self.count
        one = Result({"documents": [d], "rules": self.rules})
        doc = one.documents_frame().to_dict("records")[0]
        doc.update(n=n, error_kind=d.get("error_kind"))
        self._rows["documents"].append(doc)
        for f, row in zip(d["flags"], one.flags_frame().to_dict("records")):
            row.update(n=n, stated=_text(row["stated"]), expected=_text(row["expected"]),
                       arithmetic=_text(row["arithmetic"]),
                       evidence=json.dumps(f["evidence"], ensure_ascii=False, separators=(",", ":")))
            self._rows["flags"].append(row)
        for row in one.claims_frame().to_dict("records"):
            row.update(n=n, value=_text(row["value"]))
            self._rows["claims"].append(row)
        self.count += 1
        self._docs_in_batch += 1
        if self._docs_in_batch >= self.batch:
            self.flush()

    def flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not self._docs_in_batch:
            return
        for t in TABLES:
            schema = self.schemas[t]
            rows = [{k: _clean(r.get(k)) for k in schema.names} for r in self._rows[t]]
            table = pa.Table.from_pylist(rows, schema=schema)
            target = self.folder / t / f"part-{self.parts:05d}.parquet"
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
            os.close(fd)
            try:
                pq.write_table(table, tmp)
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; tables are for sharing
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            self._rows[t] = []
        self.parts += 1
        self._docs_in_batch = 0

    def close(self) -> None:
        self.flush()


def _clean(v):
    """pandas' missing values (NaN in a records dict) as None; numpy scalars as Python ones."""
    if v is None:
        return None
    if isinstance(v, float):
        return None if v != v else int(v)  # every numeric column is an integer one (year, counts)
    if hasattr(v, "item") and not isinstance(v, (list, dict, str)):
        return v.item()
    if isinstance(v, list):
        return [_clean(x) for x in v]
    return v
