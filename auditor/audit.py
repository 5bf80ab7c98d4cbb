"""One document through the pipeline: ingest → outline/tables → claims → checks → result."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from auditor.catalogue import Catalogue, load_catalogue
from auditor.checks.engine import RuleOutcome, check
from auditor.checks.facts import FactBase
from auditor.checks.kinds import registry
from auditor.claims.extract import ClaimExtractor
from auditor.claims.model import Claim
from auditor.claims.numbers import unit_registry
from auditor.claims.code_facts import CodeResolver
from auditor.claims.table_facts import TableFactReader
from auditor.ingest import load_document
from auditor.ingest.errors import IngestError
from auditor.model import Document, Flag


@dataclass
class DocumentResult:
    path: str
    family: str = "unknown"
    year: int | None = None
    unit_name: str | None = None
    claims: list[Claim] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    error: str | None = None
    document: Document | None = None  # the text and tables, for reports that show them
    # one row per check rule: failed / held / evaluated / errored (auditor.checks.engine.RuleOutcome)
    rule_outcomes: list[RuleOutcome] = field(default_factory=list)
    # ids of the claims some check compared with other figures (held or failed); the claims
    # themselves are not changed by the checks
    verified_ids: frozenset[int] = frozenset()

    def is_verified(self, claim: Claim) -> bool:
        return claim.id in self.verified_ids

    @property
    def verified(self) -> int:
        return sum(1 for c in self.claims if c.id in self.verified_ids)

    @property
    def unverified(self) -> list[Claim]:
        return [c for c in self.claims if c.id not in self.verified_ids]


def document_from_text(text: str, path: str = "<text>") -> Document:
    from auditor.outline import build_outline
    from auditor.tables import find_tables

    text = text.replace("\r\n", "\n").replace("\r", "\n")
    doc = Document(path, text, "utf-8")
    return build_outline(doc, find_tables(text)) if text else doc


class Auditor:
    """Holds what is expensive to build (catalogue, compiled vocabulary) for many documents."""

    def __init__(self, catalogue: Catalogue | None = None):
        self.catalogue = catalogue or load_catalogue()
        self.extractor = ClaimExtractor(self.catalogue)
        self.table_facts = TableFactReader(self.catalogue)
        self.codes = CodeResolver(self.catalogue)
        unit_registry()  # built now, at start-up, rather than inside the first document

    def audit_text(self, text: str, path: str = "<text>") -> DocumentResult:
        """Audit a string as if it were a UTF-8 text file (rule test cases, notebooks)."""
        return self._audit(document_from_text(text, path))

    def audit_path(self, path: str | Path) -> DocumentResult:
        try:
            doc = load_document(Path(path))
        except IngestError as exc:
            return DocumentResult(str(path), error=str(exc))
        except OSError as exc:
            return DocumentResult(str(path), error=f"{path}: 无法读取: {exc.strerror or exc}")
        return self._audit(doc)

    def _audit(self, doc) -> DocumentResult:
        sentences, claims = self.extractor.extract(doc)
        claims += self.table_facts.claims(doc, len(claims))
        self.codes.rekey(claims)
        claims += self.codes.table_claims(doc, len(claims))
        facts = FactBase(doc, sentences, claims, self.catalogue)
        done = check(facts, self.catalogue.checks, registry())
        return DocumentResult(doc.path, doc.family, doc.year, doc.unit_name, claims, done.flags, document=doc,
                              rule_outcomes=done.outcomes, verified_ids=done.verified)
