"""A synthetic corpus: the seeds scaled to N documents with varied figures.

Document i is seed i mod S with every money-like figure (a number with decimals
that is not a percentage) multiplied by its own factor k_i in [0.5, 2.0] and
reprinted with the same decimals and the same grouping. Shares, rates and change
rates are ratios and stay as printed, so the relations mostly still hold and the
audit does the same work as on the seed; no two documents have the same text, so
nothing can be served from a cache keyed on content.
"""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import regex

_FIGURE = regex.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)\.(\d+)(?![\d.]|,\d)(?!\s*[%％])")


def _scale(m: regex.Match, k: Decimal) -> str:
    grouped = "," in m[1]
    decimals = len(m[2])
    v = Decimal(m[1].replace(",", "") + "." + m[2]) * k
    v = v.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return f"{v:,.{decimals}f}" if grouped else f"{v:.{decimals}f}"


def vary(text: str, k: Decimal) -> str:
    return _FIGURE.sub(lambda m: _scale(m, k), text)


def seeds_of(corpus: Path) -> list[Path]:
    if corpus.is_file():
        return [corpus]
    return sorted(p for p in corpus.rglob("*.txt") if p.is_file())


def generate(corpus: Path, out_dir: Path, n: int, seed: int = 0) -> list[Path]:
    """Write N documents to `out_dir` (reusing the ones already there for this seed); their paths."""
    seeds = seeds_of(corpus)
    if not seeds:
        raise ValueError(f"{corpus}: no .txt documents to scale")
    texts = [p.read_text("utf-8") for p in seeds]
    out_dir.mkdir(parents=True, exist_ok=True)
    marker = out_dir / ".synth"
    stamp = f"{corpus.resolve()}|{seed}"
    if marker.exists() and marker.read_text("utf-8") != stamp:
        raise ValueError(f"{out_dir} holds a synthetic corpus of another seed or corpus; use another folder")
    marker.write_text(stamp, "utf-8")
    paths = []
    for i in range(n):
        j = i % len(seeds)
        path = out_dir / f"{i:05d}_{seeds[j].stem}.txt"
        if not path.exists():
            rng = random.Random(f"{seed}|{i}")
            k = Decimal(str(round(rng.uniform(0.5, 2.0), 6)))
            path.write_text(vary(texts[j], k), "utf-8")
        paths.append(path)
    return paths
