"""Command line: `auditor audit PATH...`, `auditor claims FILE`, `auditor rules ...`.

Exit codes follow linters: 0 no error flag, 1 error flags found, 2 usage or input error.
One bad file never stops a corpus run: it is reported and the run goes on.
Each command lives in its own module of this package; this one holds what they share.
"""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, help="政府部门预决算公开文本审核工具")
rules_app = typer.Typer(no_args_is_help=True, help="规则目录：列出、查看、测试")
app.add_typer(rules_app, name="rules")

DOC_SUFFIXES = {".txt", ".text", ".pdf", ".docx", ".html", ".htm", ".xlsx"}


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files as given, and the documents found below each folder, in a stable order."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(q for q in p.rglob("*") if q.is_file() and q.suffix.lower() in DOC_SUFFIXES))
        else:
            out.append(p)
    return out


def make_auditor(rules: list[Path] | None):
    from auditor.audit import Auditor
    from auditor.catalogue import load_catalogue

    return Auditor(load_catalogue(extra_dirs=rules or None))
