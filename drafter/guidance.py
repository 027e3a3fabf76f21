"""Which guiding sessions a report of a given year names as current.

The curated table ``drafter/data/guidance.json`` lists the CPC national congresses,
the Central Committee plenary sessions and the national congresses of the Chinese
trade unions, each with its date, its source and the spellings report text uses.
``opening_phrase`` gives the draft's opening its year; ``current_sessions`` and
``find_sessions`` let ``check`` tell a stale formulation (a 2025 report that calls
十九大精神 current) from a current one.
"""

from __future__ import annotations

import calendar
import datetime
import json
import re
from dataclasses import dataclass
from functools import lru_cache

from .errors import DrafterError
from .resources import data_dir
from .text import CN_NUM

BODIES = ("party_congress", "party_plenum", "union_congress")
# What may stand between 中国工会/全总 and a bare 十八大 that still belongs to it:
# more congress numbers of a list (中国工会十七大、十八大).
_UNION_MARKERS = ("中国工会", "全总", "工会")
_UNION_GAP = re.compile(r"[一二三四五六七八九十大第次、和及与]*")
_NUMERALS = CN_NUM
# 二十届二中、三中、四中全会: one term, several plenums.
_PLENUM_LIST = re.compile(r"([一二三四五六七八九十]+)届((?:[一二三四五六七]中、?)+)全会")


@dataclass(frozen=True)
class Session:
    key: str  # "cpc-20-3"
    name: str  # "党的二十届三中全会"
    body: str  # "party_congress" | "party_plenum" | "union_congress"
    held: datetime.date
    forms: tuple[str, ...]  # spellings found in text
    source: str

    @property
    def term(self) -> str:
        """The congress a session belongs to: cpc-20-3 → cpc-20."""
        return self.key.rsplit("-", 1)[0] if self.body == "party_plenum" else self.key

    @property
    def short(self) -> str:
        """How an enumeration names it: 二十大, 三中 (of 二十届…全会), 中国工会十八大."""
        if self.body == "party_congress":
            return self.name.removeprefix("党的")
        if self.body == "party_plenum":
            return self.name.removeprefix("党的").split("届", 1)[1].removesuffix("全会")
        return self.name


@lru_cache(maxsize=1)
def sessions() -> list[Session]:  # noqa: D401 - a cached table
    """Every session of the table, sorted by date."""
    path = data_dir() / "guidance.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        out = [
            Session(
                e["key"],
                e["name"],
                e["body"],
                datetime.date.fromisoformat(e["held"]),
                tuple(e["forms"]),
                e["source"],
            )
            for e in raw["sessions"]
        ]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DrafterError(f"提法年份表 {path} 读不出来（{exc}）。请重新安装 drafter。") from None
    return sorted(out, key=lambda s: (s.held, s.key))


def current_sessions(year: int, month: int = 12) -> list[Session]:
    """What a report written in ``year`` (by the end of ``month``) names as its current
    guidance: the latest congress of each body held by then, and the plenums of the
    current Party congress held by then (sorted by date)."""
    cutoff = datetime.date(year, month, calendar.monthrange(year, month)[1])
    held = [s for s in sessions() if s.held <= cutoff]
    out: list[Session] = []
    for body in ("party_congress", "union_congress"):
        latest = [s for s in held if s.body == body]
        if latest:
            out.append(latest[-1])
    party = next((s for s in out if s.body == "party_congress"), None)
    if party is not None:
        out += [s for s in held if s.body == "party_plenum" and s.term == party.key]
    return sorted(out, key=lambda s: (s.held, s.key))


def opening_phrase(year: int, month: int = 12) -> str:
    """深入学习贯彻党的二十大和二十届二中、三中、四中全会精神 for a report of 2025.

    The first plenum (which elects the leadership the day after the congress) is not
    named, as reports do not name it."""
    current = current_sessions(year, month)
    party = next((s for s in current if s.body == "party_congress"), None)
    if party is None:
        raise DrafterError(f"{year}年不在提法年份表的范围内（最早 {sessions()[0].held.year} 年）。")
    plenums = [s for s in current if s.body == "party_plenum" and not s.key.endswith("-1")]
    text = party.name
    if plenums:
        term = plenums[0].name.removeprefix("党的").split("届", 1)[0]
        text += f"和{term}届" + "、".join(p.short for p in plenums) + "全会"
    return f"深入学习贯彻{text}精神"


def union_phrase(year: int, month: int = 12) -> str:
    """中国工会十八大精神 for a report of 2025 ('' before the table starts)."""
    union = [s for s in current_sessions(year, month) if s.body == "union_congress"]
    return f"{union[-1].name}精神" if union else ""


@lru_cache(maxsize=1)
def _form_regex() -> tuple[re.Pattern[str], dict[str, list[Session]]]:
    by_form: dict[str, list[Session]] = {}
    for s in sessions():
        for f in s.forms:
            by_form.setdefault(f, []).append(s)
    # Longest form first, so 党的二十届三中全会 wins over 二十届三中全会.
    alternatives = sorted(by_form, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, alternatives))), by_form


def _union_context(text: str, start: int) -> bool:
    """A bare 十八大 belongs to the union when 中国工会/全总/工会 stands right before it
    (possibly with other congress numbers of a list between: 中国工会十七大、十八大)."""
    window = text[max(0, start - 20) : start]
    best = max((window.rfind(m) + len(m) for m in _UNION_MARKERS if m in window), default=-1)
    if best < 0:
        return False
    gap = window[best:]
    return _UNION_GAP.fullmatch(gap) is not None and "党" not in gap


def find_sessions(text: str) -> list[tuple[Session, int, int]]:
    """Mentions of sessions in ``text`` as (session, start, end), in text order.

    The longest spelling wins; a bare 十八大 is the union's when 中国工会 or 全总 stands
    before it, else the Party's; 二十届二中、三中全会 gives one mention per plenum."""
    regex, by_form = _form_regex()
    found: list[tuple[Session, int, int]] = []
    taken: list[tuple[int, int]] = []
    for m in _PLENUM_LIST.finditer(text):
        term, items = m.group(1), m.group(2)
        pieces = [p for p in items.split("、") if p]
        if len(pieces) < 2:
            continue  # a single plenum is matched by its forms below
        pos = m.start(2)
        for p in pieces:
            i = text.index(p, pos)
            s = _plenum(term, p[0])
            if s is not None:
                found.append((s, i, i + len(p)))
            pos = i + len(p)
        taken.append((m.start(), m.end()))
    for m in regex.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        if m.start() > 0 and text[m.start() - 1] in _NUMERALS:
            continue  # 二十大 is not 十大; part of a longer numeral
        candidates = by_form[m.group()]
        if len(candidates) > 1:
            union = _union_context(text, m.start())
            candidates = [s for s in candidates if (s.body == "union_congress") == union] or candidates
        found.append((candidates[0], m.start(), m.end()))
    return sorted(found, key=lambda t: t[1])


def _plenum(term: str, ordinal: str) -> Session | None:
    name = f"党的{term}届{ordinal}中全会"
    return next((s for s in sessions() if s.name == name), None)


def stale_mentions(text: str, year: int, month: int = 12) -> list[tuple[Session, int, int]]:
    """Mentions of a congress (of either body) older than the one current in ``year``,
    and of plenums of an earlier congress; a report may still name them in history
    (十八大以来), so callers decide what to flag."""
    current = current_sessions(year, month)
    terms = {s.term for s in current}
    latest = {s.body: s.held for s in current if s.body != "party_plenum"}
    out = []
    for s, a, b in find_sessions(text):
        body = "party_congress" if s.body == "party_plenum" else s.body
        if s.term not in terms and body in latest and s.held < latest[body]:
            out.append((s, a, b))
    return out


@lru_cache(maxsize=1)
def _thoughts() -> dict[str, dict[str, str]]:
    raw = json.loads((data_dir() / "guidance.json").read_text(encoding="utf-8"))
    return {k: v for k, v in raw.get("guiding_thought", {}).items() if isinstance(v, dict)}


def guidance_sentence(year: int, month: int = 12) -> str:
    """The opening's guiding clause for a report of ``year``: 坚持以…为指导，深入学习贯彻…精神，
    全面落实中国工会十八大部署 ('' for a year before the table)."""
    try:
        phrase = opening_phrase(year, month)
    except DrafterError:
        return ""
    party = next(s for s in current_sessions(year, month) if s.body == "party_congress")
    thought = _thoughts().get(party.key, {})
    parts = [f"坚持以{thought['text']}为指导"] if thought.get("text") else []
    if thought.get("also"):
        parts.append(thought["also"])
    parts.append(phrase)
    union = [s for s in current_sessions(year, month) if s.body == "union_congress"]
    if union:
        parts.append(f"全面落实{union[-1].name}部署")
    return "，".join(parts)
