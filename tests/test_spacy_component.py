"""The spaCy component puts the auditor's claims and flags on a Doc (auditor/nlp.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

spacy = pytest.importorskip("spacy")

TEXT = ("机关运行经费财政拨款预算377.81万元，比上年预算减少3.65万元，下降9.5%。\n"
        "本年支出合计6,717.05万元。")


@pytest.fixture(scope="module")
def nlp():
    from auditor.nlp import ClaimsComponent  # noqa: F401  (registers the factory in this process)

    nlp = spacy.blank("zh")
    nlp.add_pipe("auditor_claims")
    return nlp


def test_claims_become_spans_with_their_reading(nlp):
    doc = nlp(TEXT)
    claims = {s._.claim["quote"]: (s, s._.claim) for s in doc.spans["claims"]}
    assert set(claims) >= {"377.81万元", "3.65万元", "9.5%", "6,717.05万元"}
    span, rate = claims["9.5%"]
    assert span.label_ == "change_rate" and rate["value"] == "9.5"
    # 3.65 ÷ (377.81 + 3.65) = 0.957%, so 9.5% is contradicted by the change.rate flag
    assert rate["status"] == "contradicted"
    assert [f["rule"] for f in doc._.auditor_flags] == ["change.rate"]
    # a thousands separator does not cut the amount: the span covers the whole print
    span, amount = claims["6,717.05万元"]
    assert span.text == "6,717.05万元" and amount["value"] == "6717.05" and amount["unit"] == "万元"


def test_offsets_survive_crlf_line_ends(nlp):
    doc = nlp(TEXT.replace("\n", "\r\n"))
    span = next(s for s in doc.spans["claims"] if s._.claim["quote"] == "6,717.05万元")
    assert span.text == "6,717.05万元"


def test_factory_is_found_without_importing_auditor():
    code = ("import spacy, sys; nlp = spacy.blank('zh'); nlp.add_pipe('auditor_claims'); "
            "doc = nlp('本年收入合计100.00万元。'); print(len(doc.spans['claims']))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.strip() == "1"


def test_the_cli_does_not_import_spacy():
    code = "import sys; from auditor.cli import main; import auditor.audit; print('spacy' in sys.modules)"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.stdout.strip() == "False", r.stderr[-2000:]
