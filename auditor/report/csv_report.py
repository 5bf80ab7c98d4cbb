"""`--csv`: the flags as one CSV table (UTF-8 with BOM, so spreadsheet programs read Chinese).

The columns are those of the XLSX flags sheet. A cell a spreadsheet would run as a formula
(starting with =, +, @, a tab, or - not followed by a digit) is prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from auditor.report.json_report import write_atomic
from auditor.report.xlsx import FLAG_COLUMNS, flag_rows

_FORMULA = re.compile(r"^(?:[=+@\t\r]|-(?![\d.]))")


def _safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if _FORMULA.match(text) else text


def csv_text(data: dict) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(FLAG_COLUMNS)
    for row in flag_rows(data):
        writer.writerow([_safe(v) for v in row])
    return "\ufeff" + buf.getvalue()


def write_csv(data: dict, path: Path) -> None:
    write_atomic(path, csv_text(data))
