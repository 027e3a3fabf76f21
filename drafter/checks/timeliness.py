"""Timeliness: the sessions of the Party and the union a report names as its guidance.

A report of year Y that calls a superseded session's spirit current (a 2025 report that
studies 党的十九大精神), and a report that names a session not yet held in Y. History
(党的十八大以来, 十九大召开后) is not flagged: only a mention followed, in its clause, by
精神 counts as naming current guidance. The sessions and their dates come from
``drafter.guidance`` (the year-aware table the draft's opening phrase uses).
"""

from __future__ import annotations

import datetime
import re
from functools import lru_cache

# After a mention: other sessions of a list (和十九届历次全会), then 精神, in the same clause.
_SPIRIT_AFTER = re.compile(r"[^，。；：！？]{0,24}?精神")
_HISTORY_AFTER = re.compile(r"(?:胜利)?(?:召开)?(?:以来|之后|以后|后|前)")
_TITLE_YEAR = re.compile(r"((?:19|20)\d{2})\s*年(?:度)?(?:上半年|下半年|全年)?.{0,12}?(?:总结|报告|汇报|综述|要点)")
_OPENING_YEAR = re.compile(r"^((?:19|20)\d{2})\s*年(?:度|全年)?[，,]")  # 2025年，全县各级工会……
_SPAN = re.compile(r"((?:19|20)\d{2})\s*[—－-]\s*((?:19|20)\d{2})\s*年")


def report_years(paras: list[str], figures=None, year: int | None = None) -> tuple[int, ...]:
    """The years a report covers: given, from the figures file, or from its title or
    opening sentence (2025年，…) among the first three paragraphs."""
    if year:
        return (year,)
    if figures is not None and figures.period.year:
        p = figures.period
        return tuple(range(p.start_year or p.year, p.year + 1))
    for para in paras[:3]:
        m = _SPAN.search(para)
        if m and int(m.group(1)) <= int(m.group(2)):
            return tuple(range(int(m.group(1)), int(m.group(2)) + 1))
        m = _TITLE_YEAR.search(para) or _OPENING_YEAR.match(para)
        if m:
            return (int(m.group(1)),)
    return ()


def timeliness_hits(text: str, years: tuple[int, ...]) -> list[tuple[str, int, int, str, str]]:
    """(rule, start, end, message, suggestion) for every mention out of its time."""
    from ..guidance import find_sessions, opening_phrase, stale_mentions, union_phrase

    last = max(years)
    # A report on year Y is written up to the spring of Y+1: sessions held by then may be named.
    written_by = datetime.date(last + 1, 3, 31)
    stale = None
    out = []
    mentions = find_sessions(text)
    current = _current_keys(tuple(years))
    for s, a, b in mentions:
        if s.held > written_by:
            out.append(("future-session", a, b, f"“{text[a:b]}”于{s.held.year}年{s.held.month}月召开，"
                        f"{_span(years)}的报告还不可能提到它。", "核对会议名称和届次。"))
            continue
        spirit = _SPIRIT_AFTER.match(text, b)
        if _HISTORY_AFTER.match(text, b) or not spirit:
            continue
        # 党的十九大、二十大精神: a list that ends on the current session is history plus now.
        if any(x.key in current for x, p, _ in mentions if b <= p < spirit.end()):
            continue
        if stale is None:  # stale in every year the report covers
            per_year = [{(x.key, p, q) for x, p, q in stale_mentions(text, y)} for y in years]
            stale = set.intersection(*per_year) if per_year else set()
        if (s.key, a, b) in stale:
            now = f"学习贯彻{union_phrase(last)}" if s.body == "union_congress" else opening_phrase(last)
            out.append(("stale-session", a, b, f"{_span(years)}的报告把“{text[a:b]}”精神当作当前的指导，已经过时。",
                        f"改用当年的提法，如“{now}”。"))
    return out


@lru_cache(maxsize=8)
def _current_keys(years: tuple[int, ...]) -> frozenset[str]:
    from ..guidance import current_sessions

    return frozenset(x.key for y in years for x in current_sessions(y))


def _span(years: tuple[int, ...]) -> str:
    return f"{years[0]}年" if len(years) == 1 else f"{years[0]}—{years[-1]}年"
