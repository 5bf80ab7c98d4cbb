"""A change against the two levels the same sentence states.

"2024年支出120万元，2023年支出100万元，增长20%" gives both years and no 增减额: the rate
follows from the levels, (本年 − 上年) ÷ 上年, and so does a stated 增减额 (本年 − 上年,
with its sign). Three more relations rest on the same reading:
- an increase larger than the current level ("政府性基金0万元，比上年增加1421.25万元")
  leaves a negative 上年 figure, which no budget line has;
- growth from a zero 上年 stated as 100% is a convention, not arithmetic: a warning that
  says so, so that the reader decides;
- "持平" against two levels that differ beyond rounding.
The levels are taken only from the same sentence (DESIGN.md §4a: no guessing across
sentences), and both must name the same subject, or the 上年 one none of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Iterator

from auditor.checks.facts import FactBase, fmt_interval
from auditor.checks.kind import Kind
from auditor.checks.kinds._common import HUNDRED, before_in_sentence, money, ratio, same_subject, show
from auditor.checks.relation import Operand, Relation
from auditor.claims.model import Claim
from auditor.interval import Interval
from auditor.rules_model import CheckRule, NoParams

_YEAR = re.compile(r"(20\d\d)\s*年")
# subjects that only say "last year" and name nothing of their own ("上年为100万元")
_BARE_PREVIOUS = re.compile(r"^(上年|上一年|去年|上年度|上年同期)(决算|预算)?(支出|收入)?(决算|预算)?(数|为|同期)?$")
# 持平 qualified as approximate: "基本持平", "大致持平" are not claims of equality
_FLAT = re.compile(r"(?<!基本)(?<!大致)(?<!大体)(?<!略有)持平")


@dataclass(frozen=True)
class Levels:
    """The two levels a change in one sentence is measured against."""

    current: Claim
    base: Claim


def _year_before(facts: FactBase, c: Claim) -> int | None:
    """The year printed in the clause that leads to `c` ("2023年支出决算为100万元")."""
    text = facts.sentence(c.sentence_id).text[:c.number.start]
    clause = re.split(r"[，,；;。]", text)[-1]
    years = _YEAR.findall(clause)
    return int(years[-1]) if years else None


_ROLE_LEAD = re.compile(r"^(本年度?|今年|当年|上年度?|上一年|去年|20\d\d\s*年度?)")


def _same_thing(facts: FactBase, current: Claim, base: Claim) -> bool:
    """Both levels name one quantity: "本年会议费支出" and "上年会议费支出", or "上年为"."""
    if same_subject(current, base):
        return True
    strip = lambda t: _ROLE_LEAD.sub("", t.replace(" ", ""))  # noqa: E731
    if strip(current.subject) and strip(current.subject) == strip(base.subject):
        return True
    return base.role == "previous" and bool(_BARE_PREVIOUS.match(base.subject.replace(" ", "")))


def levels_before(facts: FactBase, claim: Claim) -> Levels | None:
    """(本年, 上年) amounts stated in the sentence before `claim`, since its last change figure.

    Exactly one pair must be there: with a third amount in between, which two the change
    relates is a guess."""
    prior = before_in_sentence(facts, claim, ("amount", "change_amount", "change_rate", "share", "rate"))
    for i in range(len(prior) - 1, -1, -1):
        if prior[i].kind != "amount":
            prior = prior[i + 1:]
            break
    if len(prior) != 2:
        return None
    a, b = prior
    if a.source != "narrative" or b.source != "narrative":
        return None
    ya, yb = _year_before(facts, a), _year_before(facts, b)
    if ya and yb and ya != yb:
        current, base = (a, b) if ya > yb else (b, a)
        if not _same_thing(facts, current, base):
            return None
    else:
        roles = {a.role: a, b.role: b}
        if set(roles) != {"current", "previous"}:
            return None
        current, base = roles["current"], roles["previous"]
        if not _same_thing(facts, current, base):
            return None
    return Levels(current, base)


def _has_delta(facts: FactBase, rate: Claim) -> bool:
    """A 增减额 stated with the rate: change_rate checks the rate against it instead."""
    return any(c.kind == "change_amount" for c in before_in_sentence(facts, rate, ("change_amount",)))


def change_levels(rule: CheckRule, params: NoParams, facts: FactBase) -> Iterator[Relation]:
    """增减率 or 增减额 against (本年 − 上年) of the levels the sentence states."""
    for c in facts.claims:
        if c.kind not in ("change_rate", "change_amount") or c.direction is None or c.direction == 0:
            continue
        if c.kind == "change_rate" and _has_delta(facts, c):
            continue
        lv = levels_before(facts, c)
        if lv is None:
            continue
        if c.kind == "change_rate" and money(lv.base).lo <= 0:
            continue  # a zero base: change.zero_base says what 100% means there
        yield _levels_relation(c, lv)


def _levels_relation(c: Claim, lv: Levels) -> Relation:
    """stated = (本年 − 上年) ÷ 上年 × 100 for a rate, stated = 本年 − 上年 for an amount.

    The flag names the direction the levels give ("应为下降20.00%") and notes a figure that
    fits once its sign is turned: both need the expected interval, so the kind states the
    texts and the evaluator only decides."""
    cur, base = money(lv.current), money(lv.base)
    diff = cur - base
    printed = c.interval if c.kind == "change_rate" else money(c)
    stated = printed.scale(Decimal(c.direction)) if c.value >= 0 else printed
    current, before = Operand.of(lv.current, "current"), Operand.of(lv.base, "base", sign=-1)
    if c.kind == "change_rate":
        expected = (diff / base) * HUNDRED  # type: ignore[operator]  # base > 0: checked by the caller
        unit, formula = "%", f"({lv.current.quote} − {lv.base.quote}) ÷ {lv.base.quote}"
        words, shown = ("增长", "下降"), show(ratio(cur.mid - base.mid, base.mid), c.number.decimals)
        # 上年 is quoted once (as the subtrahend); its print as the divisor is no other evidence
        over = replace(Operand.of(lv.base, "base", place="den"), evidence=None)
        shape, operands = "ratio_equal", (replace(current, place="num"), replace(before, place="num"), over)
    else:
        expected = diff
        unit, formula = "万元", f"{lv.current.quote} − {lv.base.quote}"
        words, shown = ("增加", "减少"), show(cur.mid - base.mid, 2)
        shape, operands = "equal", (current, before)
    wrong_sign = stated.overlaps(-expected)
    word = ("增" if cur.mid > base.mid else "减") if wrong_sign else ""
    return Relation(
        shape, Operand.of(c, "stated", stated), operands, section=c.section, derived=True,
        percent=c.kind == "change_rate", truncation=c.kind == "change_rate",
        values={"subject": c.subject or lv.current.subject, "current": lv.current.quote,
                "base": lv.base.quote, "word": c.direction_word or "",
                "sign_note": f"（数值相符而方向相反，应为{word}）" if wrong_sign else ""},
        stated_text=f"{c.direction_word or ''}{c.quote}",
        expected_text=words[0 if cur.mid > base.mid else 1] + shown + unit,
        arithmetic=f"{formula} = {fmt_interval(expected)}{unit}",
    )


def change_exceeds_level(rule: CheckRule, params: NoParams, facts: FactBase) -> Iterator[Relation]:
    """增加 Δ with a current level below Δ: the 上年 figure would be negative."""
    # Δ ≤ 本年, written −本年 ≤ −Δ: sum_at_most bounds its operands by the stated figure,
    # and the figure under test here is the 增加额, the smaller side
    for d in facts.claims:
        if d.kind != "change_amount" or d.direction != 1:
            continue
        current = _current_of(facts, d)
        if current is None:
            continue
        base = money(current) - money(d)
        yield Relation(
            "sum_at_most", Operand.of(d, "stated", -money(d)), (Operand.of(current, "current", -money(current)),),
            section=d.section, derived=True,
            values={"subject": d.subject or current.subject, "current": current.quote, "delta": d.quote,
                    "base": fmt_interval(base)},
            stated_text=f"{d.direction_word or ''}{d.quote}",
            expected_text=f"不超过{current.quote}",
            arithmetic=f"上年数 = {current.quote} − {d.quote} = {fmt_interval(base)} < 0",
        )


def _current_of(facts: FactBase, d: Claim) -> Claim | None:
    """The 本年 amount a change amount follows in its sentence, when it is of the same subject."""
    prior = before_in_sentence(facts, d, ("amount", "change_amount", "change_rate", "share", "rate"))
    if not prior or prior[-1].kind != "amount":
        return None
    c = prior[-1]
    if c.role != "current" or c.source != "narrative" or not same_subject(c, d):
        return None
    return c


def change_zero_base(rule: CheckRule, params: NoParams, facts: FactBase) -> Iterator[Relation]:
    """增长100% from a zero 上年: the template's convention for "new", named in a note.

    The shipped rule is `info`: the reader keys of the seeds treat the convention as no
    error, and a warning there would count as a false alarm; a configuration can raise it."""
    # no arithmetic decides it (the rate is undefined): the kind observes the zero base
    for r in facts.claims:
        if r.kind != "change_rate" or r.direction != 1 or r.value == 0:
            continue
        found = _zero_base(facts, r)
        if found is None:
            continue
        current, basis = found
        yield Relation(
            # only the rate as evidence: a note must not hide the amounts from the accuracy bench's plants
            "observed", Operand.of(r, "stated", r.interval), section=r.section, derived=True,
            verifies=(r.id, current.id),
            values={"subject": r.subject or current.subject, "current": current.quote, "basis": basis},
            stated_text=f"{r.direction_word or ''}{r.quote}",
            expected_text="无法计算（上年为0）",
            arithmetic=f"{basis}：增幅 = 增加额 ÷ 0，没有定义",
        )


def _zero_base(facts: FactBase, r: Claim) -> tuple[Claim, str] | None:
    """(本年 amount, how the 上年 figure is known to be zero) for a stated growth rate."""
    lv = levels_before(facts, r)
    if lv is not None and not _has_delta(facts, r):
        if lv.base.value != 0 or money(lv.current).hi <= 0:
            return None
        return lv.current, f"上年数{lv.base.quote}"
    delta = next((c for c in reversed(before_in_sentence(facts, r, ("change_amount",)))), None)
    current = _current_of(facts, delta) if delta is not None else None
    if delta is None or current is None or delta.direction != 1:
        return None
    if not (money(current) - money(delta)).contains_zero() or money(current).hi <= 0:
        return None  # the base is surely not zero (change_rate checks it), or nothing is new
    return current, f"增加额{delta.quote}等于本年数{current.quote}，上年数为0"


def flat_against_levels(rule: CheckRule, params: NoParams, facts: FactBase) -> Iterator[Relation]:
    """"与上年持平" after two levels of the same subject that differ beyond rounding."""
    for s in facts.sentences:
        for m in _FLAT.finditer(s.text):
            before = [c for c in s.claims if c.number.start < m.start()]
            if not before or before[-1].kind != "amount":
                continue
            lv = levels_before(facts, _Probe(s.id, m.start()))  # type: ignore[arg-type]
            if lv is None:
                continue
            diff = money(lv.current) - money(lv.base)
            yield Relation(
                "equal", Operand.of(lv.current, "current"), (Operand.of(lv.base, "base"),),
                section=s.section, derived=True,
                values={"subject": lv.current.subject, "current": lv.current.quote, "base": lv.base.quote},
                stated_text="持平",
                expected_text=("增加" if diff.lo > 0 else "减少") + fmt_interval(
                    Interval(min(abs(diff.lo), abs(diff.hi)), max(abs(diff.lo), abs(diff.hi)))),
                arithmetic=f"{lv.current.quote} − {lv.base.quote} = {fmt_interval(diff)} ≠ 0",
            )


@dataclass
class _Probe:
    """A position in a sentence standing in for a claim (the word 持平 has no number)."""

    sentence_id: int
    start: int

    @property
    def number(self) -> "_Probe":
        return self


KINDS = (
    Kind("change_levels", change_levels, NoParams,
         frozenset({"subject", "current", "base", "word", "sign_note"}),
         "A change follows from the two levels its sentence states."),
    Kind("change_exceeds_level", change_exceeds_level, NoParams, frozenset({"subject", "current", "delta", "base"}),
         "An increase is no larger than the current level."),
    Kind("change_zero_base", change_zero_base, NoParams, frozenset({"subject", "current", "basis"}),
         "Growth from a zero 上年 is a convention, named in a note."),
    Kind("change_flat_levels", flat_against_levels, NoParams, frozenset({"subject", "current", "base"}),
         "持平 between two levels that are equal within rounding."),
)
