"""Numbers of a draft that are not the unit's own figures."""

from __future__ import annotations

import re

from ..text import LEVEL_PATTERNS, NUMBER_SCALE

NUM_RE = re.compile(r"(?<![\d.])\d+(?:\.\d+)?")
# Calendar positions are not figures: 2025年, 2021—2025年, 5月, 20日.
CALENDAR_RE = re.compile(r"(?:19|20)\d{2}(?=\s*(?:年|—|－|-|～|~|至))|\d{1,2}(?=\s*(?:月|日|号))")
# A heading number in digits (1. / （1）, text.LEVEL_PATTERNS) is not a figure.
_LEADING_NUMBER = re.compile(r"^\s*(?:#+\s*)?(?:" + "|".join(p for level, p in LEVEL_PATTERNS if level >= 3) + ")")


def _allowed(value: float, decimals: int, allowed: set[float], rounded: bool) -> bool:
    # Only rates may be written rounded (增长12% for 12.4%); counts must be the unit's own.
    if rounded:
        return any(abs(round(a, decimals) - value) < 1e-9 for a in allowed)
    return any(abs(a - value) < 1e-9 * max(1.0, abs(a)) for a in allowed)


def foreign_numbers(paragraph: str, allowed: set[float]) -> list[re.Match]:
    """Numbers of a paragraph that are neither calendar positions, heading numbers, nor allowed."""
    calendar = {m.start() for m in CALENDAR_RE.finditer(paragraph)}
    lead = _LEADING_NUMBER.match(paragraph)
    out = []
    for m in NUM_RE.finditer(paragraph):
        if m.start() in calendar or (lead and m.start() < lead.end()):
            continue
        text = m.group()
        value = float(text)
        decimals = len(text.split(".")[1]) if "." in text else 0
        after = paragraph[m.end() : m.end() + 5]
        scale = NUMBER_SCALE.get(after[:1])
        candidates = [(value, decimals)]
        if scale:
            candidates.append((round(value * scale, 6), 0))
        rate = after.startswith(("%", "％", "个百分点"))
        if not any(_allowed(v, d, allowed, rate) for v, d in candidates):
            out.append(m)
    return out


def numbers_written(paragraph: str) -> set[float]:
    """The values of the numbers of a paragraph that are not calendar positions."""
    calendar = {m.start() for m in CALENDAR_RE.finditer(paragraph)}
    return {round(float(m.group()), 6) for m in NUM_RE.finditer(paragraph) if m.start() not in calendar}


_CLAUSE_START = re.compile(r"[，。；：、,;:（）()“”\s]")


def misplaced_numbers(paragraph: str, figures) -> list[tuple[re.Match, object, object]]:
    """Numbers of the unit's figures written for another item: (match, owner, item named).

    ``新建基层工会43家`` when 43 is the figure of 开展劳动和技能竞赛 and 新建基层工会 has its
    own figure: the clause before the number names an item of the figures file that is not
    the owner of the number (rapidfuzz partial ratio of item and clause).
    """
    from rapidfuzz import fuzz

    figs = [f for ch in figures.chapters for f in ch.figures if f.value is not None and len(f.item) >= 4]
    calendar = {m.start() for m in CALENDAR_RE.finditer(paragraph)}
    out = []
    for m in NUM_RE.finditer(paragraph):
        if m.start() in calendar:
            continue
        value = float(m.group())
        scaled = value * NUMBER_SCALE.get(paragraph[m.end() : m.end() + 1], 1)
        owners = [f for f in figs if abs(f.value - value) < 1e-9 or abs(f.value - scaled) < 1e-6]
        if not owners:
            continue
        start = max((c.end() for c in _CLAUSE_START.finditer(paragraph, 0, m.start())), default=0)
        clause = paragraph[start : m.start()]
        if len(clause) < 4:
            continue
        score = lambda f: fuzz.partial_ratio(f.item, clause) if len(f.item) <= len(clause) else fuzz.partial_ratio(clause, f.item)
        if any(score(f) >= 80 for f in owners):
            continue
        named = max((f for f in figs if f not in owners), key=score, default=None)
        if named is not None and score(named) >= 85:
            out.append((m, owners[0], named))
    return out
