"""Per document: how many tables, how many pass their own arithmetic, how many are marked
misread, and how many sum.table errors the audit raises.

    python3 scripts/table_counts.py ../shared/corpus/dev/pdf ../shared/corpus/pdf [--detail]

A table "passes" when it has at least one testable sum and none fails; "untestable" when it
has none (a text table, an empty template); "fails" when some sum fails and it is not
marked misread (each such failure is a sum.table error the audit reports).
The auditor measured is the one of the current directory (run it from another checkout to
measure that checkout's reader; the relations are this repository's when that one has none).
"""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path


def _arith():
    try:
        from auditor import table_arith
        return table_arith
    except ImportError:  # an older checkout: use this repo's relations on its tables
        here = Path(__file__).resolve().parents[1] / "auditor" / "table_arith.py"
        spec = importlib.util.spec_from_file_location("table_arith", here)
        mod = importlib.util.module_from_spec(spec)
        sys.modules["table_arith"] = mod
        assert spec.loader is not None
        spec.loader.exec_module(mod)
        return mod


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(Path.cwd()))
    from auditor.audit import Auditor

    detail = "--detail" in argv
    paths: list[Path] = []
    for a in (a for a in argv if not a.startswith("--")):
        p = Path(a)
        paths.extend(sorted(p.glob("*.pdf")) if p.is_dir() else [p])
    arith = _arith()
    auditor = Auditor()
    total: Counter = Counter()
    print(f"{'document':58} tables pass untestable fails misread sum.table_err misread_warn")
    for path in paths:
        from auditor.ingest import load_document

        doc = load_document(path)
        res = auditor.audit_path(path)
        c: Counter = Counter()
        for t in doc.tables:
            tl = arith.tally(t)
            c["tables"] += 1
            misread = getattr(t, "misread", None)
            if misread:
                c["misread"] += 1
                state = "misread"
            elif tl.tested == 0:
                c["untestable"] += 1
                state = "untestable"
            elif tl.failed == 0:
                c["pass"] += 1
                state = "pass"
            else:
                c["fails"] += 1
                state = "fails"
            if detail:
                print(f"    p{t.location.page} {state:10} {tl.failed}/{tl.tested} {t.title}")
        c["sum_err"] = sum(1 for f in res.flags if f.rule == "sum.table" and f.severity == "error")
        c["misread_warn"] = sum(1 for f in res.flags if f.rule == "table.misread")
        total.update(c)
        print(f"{path.name:58} {c['tables']:6} {c['pass']:4} {c['untestable']:10} {c['fails']:5} {c['misread']:7}"
              f" {c['sum_err']:13} {c['misread_warn']:12}")
    print(f"{'TOTAL':58} {total['tables']:6} {total['pass']:4} {total['untestable']:10} {total['fails']:5}"
          f" {total['misread']:7} {total['sum_err']:13} {total['misread_warn']:12}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
