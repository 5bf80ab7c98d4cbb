"""Command line: `auditor audit PATH...`, `auditor claims FILE`, `auditor rules ...`.

Exit codes follow linters: 0 no error flag, 1 error flags found, 2 usage or input error.
One bad file never stops a corpus run: it is reported and the run goes on.
Each command lives in its own module of this package; this one holds what they share.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

_DEBUG = False


def set_debug(on: bool) -> None:
    global _DEBUG
    _DEBUG = bool(on)


def debug_enabled() -> bool:
    return _DEBUG or "--debug" in sys.argv[1:] or os.environ.get("AUDITOR_DEBUG", "") not in ("", "0")


class _Typer(typer.Typer):
    """The console script: an unexpected exception is one line on stderr (exit 2), never a
    traceback, unless --debug (or AUDITOR_DEBUG=1) asks for it; Ctrl-C is a short message (exit 130)."""

    def __call__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            return super().__call__(*args, **kwargs)
        except KeyboardInterrupt:
            if debug_enabled():
                raise
            print("已中断。", file=sys.stderr)
            sys.exit(130)
        except Exception as exc:  # noqa: BLE001 - the last line of defence for the terminal
            if debug_enabled():
                raise
            text = str(exc).splitlines()[0][:500] if str(exc) else ""
            print(f"内部错误: {type(exc).__name__}: {text}（加 --debug 可显示完整调用栈）", file=sys.stderr)
            sys.exit(2)


_HELP = {"help_option_names": ["-h", "--help"]}
app = _Typer(add_completion=False, no_args_is_help=True, help="政府部门预决算公开文本审核工具",
             pretty_exceptions_show_locals=False, context_settings=_HELP)
rules_app = typer.Typer(no_args_is_help=True, help="规则目录：列出、查看、测试", context_settings=_HELP)


def _print_version(value: bool) -> None:
    if value:
        from auditor.cache import auditor_version

        typer.echo(f"auditor {auditor_version()}")
        raise typer.Exit(0)


@app.callback()
def _root(version: bool = typer.Option(False, "--version", "-V", callback=_print_version, is_eager=True,
                                       help="显示版本（软件包版本+源码摘要）并退出")) -> None:
    """政府部门预决算公开文本审核工具"""
app.add_typer(rules_app, name="rules")

def expand_paths(paths: list[Path]) -> list[Path]:
    """Files as given, and every regular file below each folder, in a stable order.

    Formats are sniffed from the content, so a folder run takes every file (a page saved as
    `download_id=123`, an `old.doc`) and the run lists what is not a disclosure and why,
    rather than skipping by extension in silence. Hidden files and folders (`.git`, `.DS_Store`)
    are not documents of the corpus and are left out.
    """
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(q for q in p.rglob("*") if q.is_file() and not q.is_symlink()
                              and not any(part.startswith(".") for part in q.relative_to(p).parts)))
        else:
            out.append(p)
    return out


def make_auditor(rules: list[Path] | None):
    from auditor.audit import Auditor
    from auditor.catalogue import load_catalogue

    return Auditor(load_catalogue(extra_dirs=rules or None))
