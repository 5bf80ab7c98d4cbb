"""A spaCy pipeline component: the auditor's claims and flags on a spaCy `Doc`.

For NLP users who already hold disclosures as spaCy documents (a corpus in DocBin, a
pipeline with their own components). `nlp.add_pipe("auditor_claims")` works without any
import: the factory is registered through the `spacy_factories` entry point. The component
runs the same pipeline as `auditor audit` on `doc.text` and puts:

- `doc.spans["claims"]`: one span per claim, labelled with its kind (amount, change_rate,
  share …); `span._.claim` holds the claim's dict (value as a string, unit, concept, role,
  subject, status verified / contradicted / unverified);
- `doc._.auditor_flags`: the flags as dicts (rule, severity, message, evidence).

Claims are found on the raw text, never on tokens (a segmenter splits `6,717.05万元`, see
DEPENDENCY-FACTS), so a span is aligned outwards to whole tokens (`alignment_mode="expand"`),
while `span._.claim["quote"]` stays the number exactly as printed. Nothing here is imported
by the CLI: `import spacy` costs most of a second.
"""

from __future__ import annotations

from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from auditor.audit import Auditor
from auditor.report.json_report import claim_dict, claim_statuses, flag_dict


def _register_extensions() -> None:
    if not Span.has_extension("claim"):
        Span.set_extension("claim", default=None)
    if not Doc.has_extension("auditor_flags"):
        Doc.set_extension("auditor_flags", default=None)


def _to_original(text: str) -> list[int]:
    """Offsets in the auditor's text (CR LF and CR read as LF) → offsets in `text`."""
    out, i = [], 0
    while i < len(text):
        out.append(i)
        i += 2 if text.startswith("\r\n", i) else 1
    out.append(len(text))
    return out


class ClaimsComponent:
    """Holds one Auditor (the catalogue and compiled vocabulary) for every document."""

    def __init__(self, auditor: Auditor | None = None):
        _register_extensions()
        self.auditor = auditor or Auditor()

    def __call__(self, doc: Doc) -> Doc:
        result = self.auditor.audit_text(doc.text)
        where = _to_original(doc.text) if "\r" in doc.text else None
        statuses = claim_statuses(result)
        spans: list[Span] = []
        for c in result.claims:
            start, end = c.location.start, c.location.end
            if where is not None:
                start, end = where[start], where[end]
            span = doc.char_span(start, end, label=c.kind, alignment_mode="expand")
            if span is None:  # pragma: no cover - expand always finds tokens for a non-empty range
                continue
            span._.claim = claim_dict(c, statuses[c.id], result.is_verified(c))
            spans.append(span)
        doc.spans["claims"] = spans
        doc._.auditor_flags = [flag_dict(f) for f in result.flags]
        return doc


@Language.factory("auditor_claims", default_config={})
def make_claims_component(nlp: Language, name: str) -> ClaimsComponent:
    return ClaimsComponent()


def claims_of(doc: Doc) -> list[dict[str, Any]]:
    """The claim dicts of a processed doc, in text order."""
    return [s._.claim for s in doc.spans.get("claims", [])]
