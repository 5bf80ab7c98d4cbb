"""Checks across the documents of a corpus run (issue 11, relations 9 and 10).

The pass is built on compact per-document summaries (`summary.summarize`), so a run that
streams its results keeps only these, not whole results: `CrossPass.add(d)` for each result
dict as it arrives, `CrossPass.finish()` once all are in. See pairing.py for how documents
are paired and checks.py for what is compared.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from auditor.corpus.checks import RULES, check_bundle, check_year_pair
from auditor.corpus.pairing import find_bundles, year_pairs
from auditor.corpus.summary import DocSummary, summarize


@dataclass
class CrossPass:
    """Collects summaries during a run; `finish` pairs them and runs the checks."""

    bundles: bool = True  # --no-bundle turns this off
    years: bool = True  # --no-cross turns both off
    summaries: list[DocSummary] = field(default_factory=list)

    def add(self, d: dict) -> None:
        s = summarize(d)
        if s is not None:
            self.summaries.append(s)

    def finish(self) -> tuple[list[dict], dict]:
        """The cross-document flags, and what was paired (for the run record)."""
        bundles = find_bundles(self.summaries) if self.bundles else []
        pairs = year_pairs(self.summaries, bundles) if self.years else []
        flags: list[dict] = []
        for b in bundles:
            flags.extend(check_bundle(b))
        for p in pairs:
            flags.extend(check_year_pair(p))
        info = {"bundles": [{"narrative": b.narrative.path, "tables": b.tables.path, "how": b.how} for b in bundles],
                "year_pairs": [{"earlier": [d.path for d in p.earlier], "later": [d.path for d in p.later],
                                "match": p.match} for p in pairs]}
        return flags, info


def cross_document(documents: list[dict], bundles: bool = True, years: bool = True) -> tuple[list[dict], dict]:
    """The cross-document flags of a list of result dicts (the API and tests)."""
    cp = CrossPass(bundles, years)
    for d in documents:
        cp.add(d)
    return cp.finish()


__all__ = ["CrossPass", "RULES", "cross_document", "summarize"]


def attach(data: dict, flags: list[dict], info: dict, min_severity: str | None = None,
           select: list[str] | None = None, ignore: list[str] | None = None) -> dict:
    """Put the cross-document flags into an `auditor.result/1` dict (it only grows): the top-level
    list `cross_document`, the two rules in `rules`, and what was paired in `run.cross_document`.
    --select / --ignore and --min-severity apply to them as to every other rule."""
    from auditor.config import SEVERITY_RANK, rule_selected

    flags = [f for f in flags if rule_selected(f["rule"], list(RULES.get(f["rule"], {}).get("groups") or []),
                                               list(select or []), list(ignore or []))]
    if min_severity:
        flags = [f for f in flags if SEVERITY_RANK.get(f["severity"], 0) >= SEVERITY_RANK[min_severity]]
    data["cross_document"] = flags
    data.setdefault("rules", {}).update({k: dict(v) for k, v in RULES.items()})
    data.setdefault("run", {})["cross_document"] = info
    return data


__all__ += ["attach"]
