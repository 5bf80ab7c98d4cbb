"""Answer keys written by reading documents: loading, validating, and matching flags to them.

A key (`<stem>.expected.yaml`, format in `corpora/seeds/ANSWER_KEY_FORMAT.md` and
`corpora/dev/README.md`) lists the contradictions a careful reader found (`flags`), the
relations that look wrong but hold (`holds`) and what the reader could not decide
(`unsure`). Text documents cite a 1-based `line`; PDFs cite a `page`, because line numbers
depend on the extraction while a page and the printed number do not. One matcher serves the
seed tests, the dev tests and the precision benchmark, so they cannot drift apart.

Run `python3 -m auditor.bench.keys validate KEY…` to check that every quote stands where
its key says (a quote is compared with white space removed, as PDF text runs split digits
and units unpredictably).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Protocol

import regex
import yaml

REPO = Path(__file__).resolve().parents[2]
SECTIONS = ("flags", "holds", "unsure")
_SPACE = regex.compile(r"\s+")


class EvidenceLike(Protocol):
    quote: str
    line: int
    page: int | None


class FlagLike(Protocol):
    severity: str
    evidence: list


def norm(text: str) -> str:
    return _SPACE.sub("", text)


@dataclass
class Key:
    path: Path  # the key file
    data: dict

    @property
    def document(self) -> Path:
        """The audited file: `source:` (relative to the repo root) or `document:` beside the key."""
        source = self.data.get("source")
        if source:
            p = Path(source)
            return p if p.is_absolute() else (REPO / p).resolve()
        return self.path.with_name(self.data["document"])

    def items(self, section: str) -> list[dict]:
        return list(self.data.get(section) or [])


def load_key(path: Path) -> Key:
    return Key(path, yaml.safe_load(path.read_text("utf-8")) or {})


def keys_in(folder: Path) -> list[Key]:
    return [load_key(p) for p in sorted(folder.glob("*.expected.yaml"))]


def covers(evidence: EvidenceLike, item: dict) -> bool:
    """A flag's evidence stands where a key item says, quoting the same printed number."""
    if "page" in item:
        if evidence.page != item["page"]:
            return False
    elif evidence.line != item.get("line"):
        return False
    a, b = norm(evidence.quote), norm(str(item["quote"]))
    return bool(a) and bool(b) and (a in b or b in a)


def matches(flag: FlagLike, entry: dict) -> bool:
    """A flag reports a key entry when it cites two of its numbers (or its only one)."""
    items = entry.get("evidence") or []
    hit = sum(1 for i in items if any(covers(e, i) for e in flag.evidence))
    return bool(items) and hit >= min(2, len(items))


@dataclass
class Judgement:
    """How one document's flags stand against its key."""

    in_key: list  # flags that report a key flag
    in_unsure: list  # flags about something the reader could not decide (citing its numbers as a flag would)
    outside: list  # flags the key does not know: false alarms until the key says otherwise
    errors_on_holds: list  # errors that cite a relation the key lists as holding
    caught: list[dict]  # key flags reported
    missed: list[dict]  # key flags not reported


def judge(flags: Iterable[FlagLike], key: Key) -> Judgement:
    raised = [f for f in flags if f.severity in ("error", "warning")]
    key_flags, holds, unsure = key.items("flags"), key.items("holds"), key.items("unsure")
    in_key = [f for f in raised if any(matches(f, k) for k in key_flags)]
    rest = [f for f in raised if f not in in_key]
    in_unsure = [f for f in rest if any(matches(f, u) for u in unsure)]
    outside = [f for f in rest if f not in in_unsure]
    on_holds = [f for f in rest if f.severity == "error" and any(matches(f, h) for h in holds)]
    caught = [k for k in key_flags if any(matches(f, k) for f in raised)]
    missed = [k for k in key_flags if k not in caught]
    return Judgement(in_key, in_unsure, outside, on_holds, caught, missed)


def page_texts(pdf: Path) -> list[str]:
    import pdfplumber

    with pdfplumber.open(str(pdf)) as doc:
        return [norm(p.extract_text() or "") for p in doc.pages]


def validate(key: Key) -> list[str]:
    """Problems of a key: quotes that do not stand where it says, missing fields."""
    problems = []
    for field in ("document", "family", "year"):
        if field not in key.data:
            problems.append(f"{key.path.name}: missing `{field}`")
    doc = key.document
    if not doc.exists():
        return problems + [f"{key.path.name}: document not found: {doc}"]
    if doc.suffix.lower() == ".pdf":
        pages = page_texts(doc)
        lines = None
    else:
        lines = doc.read_text("utf-8").split("\n")
        pages = None
    for section in SECTIONS:
        for n, item in enumerate(key.items(section)):
            name = f"{key.path.name}: {section}[{n}] {item.get('id', '')}".rstrip()
            if not item.get("evidence"):
                problems.append(f"{name}: no evidence")
            for e in item.get("evidence") or []:
                quote = norm(str(e.get("quote", "")))
                if pages is not None:
                    page = e.get("page")
                    if not isinstance(page, int) or not 1 <= page <= len(pages):
                        problems.append(f"{name}: page {page!r} is not a page of the PDF")
                    elif quote not in pages[page - 1]:
                        problems.append(f"{name}: {e['quote']!r} is not on page {page}")
                else:
                    line = e.get("line")
                    if not isinstance(line, int) or not 1 <= line <= len(lines):
                        problems.append(f"{name}: line {line!r} is not a line of the file")
                    elif quote not in norm(lines[line - 1]):
                        problems.append(f"{name}: {e['quote']!r} is not on line {line}")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] != "validate":
        print("usage: python3 -m auditor.bench.keys validate KEY.expected.yaml…", file=sys.stderr)
        return 2
    bad = 0
    for name in argv[1:]:
        problems = validate(load_key(Path(name)))
        for p in problems:
            print(p)
        bad += bool(problems)
    print(f"{len(argv) - 1 - bad} of {len(argv) - 1} keys valid")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
