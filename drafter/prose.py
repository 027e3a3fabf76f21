"""Prose for a chapter from the writer's own figures and highlights.

A chapter becomes a topic sentence (the template's own wording), the figures grouped
into sentences by what they measure, and the highlights joined with the connectives
reports use (一是…二是…, 同时, 此外). Nothing here comes from a corpus sentence: the
grouping follows the structure of the figure patterns mined by ``drafter.phrases``
(in the embedded corpus a figure sentence most often counts things or events and then
the people they reached — 家/人, 场次/人次, 个/人 — or runs figures of one kind, and
rates stand together), the words are the writer's and the connectives are fixed.
"""

from __future__ import annotations

import re
from typing import Protocol, Sequence

PEOPLE_UNITS = ("人", "人次", "名", "户", "位", "家庭")
# Verbs that open a figure's item (新建基层工会, 新命名工作室); jieba does not always tag them.
ITEM_VERBS = (
    "新建", "新增", "新发展", "新命名", "新组建", "建成", "组织", "开展", "举办", "发展", "收集", "办理", "慰问",
    "帮扶", "培育", "评选", "命名", "打造", "创建", "推动", "实现", "覆盖", "参与", "参加", "发放", "投入",
    "筹集", "培训", "走访", "救助", "资助", "选树", "表彰", "上线", "受理", "调处", "签订", "组建", "建立", "设立",
    "为", "帮助", "挽回", "争取", "服务", "惠及", "吸纳", "推进", "完成", "落实", "送", "送出",
)
CLOSERS = "”’」』）)》"
ENDS = "。！？；…"
# A leading name in quotes or book-title marks (“两节”送温暖…, 《…》学习…) before the verb.
_LEAD_NAME = re.compile(r"^(?:[“「『《（(][^”」』》）)]{0,20}[”」』》）)])+")
MAX_PER_SENTENCE = 3


class FigureLike(Protocol):
    item: str
    unit: str
    phrase: str

    @property
    def quantity(self) -> str: ...
    @property
    def change(self) -> str: ...
    @property
    def series_text(self) -> str: ...


def measure(unit: str) -> str:
    """What a figure measures, by its unit: people, money, rate or count (things, events)."""
    bare = _bare_unit(unit)
    if bare in ("%", "％"):
        return "rate"
    if bare in PEOPLE_UNITS:
        return "people"
    if bare.endswith("元"):
        return "money"
    return "count"


def _joins(prev: FigureLike, cur: FigureLike) -> bool:
    # People or money after the figure that reached them (人次 then 元 too); a run of figures of one kind
    # (counts only in the same unit: 家 and 家, not 场 and 家).
    a, b = measure(prev.unit), measure(cur.unit)
    if a == b == "count":
        return _bare_unit(prev.unit) == _bare_unit(cur.unit)
    return a == b or (b in ("people", "money") and a != "rate")


def _bare_unit(unit: str) -> str:
    return re.sub(r"^[万亿千百]", "", unit or "")


def group_figures(figures: Sequence[FigureLike]) -> list[list[FigureLike]]:
    """Figures in sentences: counts with the people and money that follow them, runs of one
    kind, at most three a sentence; rates together at the end."""
    groups: list[list[FigureLike]] = []
    rates = [f for f in figures if measure(f.unit) == "rate"]
    for f in figures:
        m = measure(f.unit)
        if m == "rate":
            continue
        last = groups[-1] if groups else None
        if last and len(last) < MAX_PER_SENTENCE and _joins(last[-1], f):
            last.append(f)
        else:
            groups.append([f])
    for i in range(0, len(rates), MAX_PER_SENTENCE):
        groups.append(rates[i : i + MAX_PER_SENTENCE])
    return groups


def figure_clause(f: FigureLike, span: bool = False) -> str:
    """开展劳动和技能竞赛43项，同比增长16.2% / 职工之家建会率达到93.5% / …累计612场，年均122.4场."""
    item = f.phrase or f.item
    if span and f.series_text:
        return item + f.series_text
    quantity = f.quantity
    if measure(f.unit) == "rate" and not item.endswith(("达到", "达", "为", "到", "至")) and not quantity.startswith("【"):
        quantity = "达到" + quantity
    return item + quantity + (f"，{f.change}" if f.change and not span else "")


def figure_sentences(figures: Sequence[FigureLike], lead: str = "", span: bool = False) -> list[str]:
    """One sentence per group; ``lead`` (全年, 上半年) opens the first."""
    out = []
    for i, group in enumerate(group_figures(figures)):
        text = "，".join(figure_clause(f, span) for f in group)
        out.append((lead if i == 0 else "") + text + "。")
    return out


def end_sentence(text: str) -> str:
    """A writer's line with its full stop: after a closing quote too (…“书香班组”。), unless
    the quote itself closes a sentence (…“劳动最光荣。”)."""
    text = text.strip().rstrip("，,;；:：、 ")
    if not text:
        return text
    core = text.rstrip(CLOSERS)
    if core and core[-1] in ENDS + "!?":
        return text
    return text + "。"


def _bare(text: str) -> str:
    return text.strip().rstrip("。；;，,、 ")


def enumerate_points(items: Sequence[str]) -> str:
    """一是…；二是…；三是…。"""
    from .numbers import cn_numeral

    parts = [f"{cn_numeral(i)}是{_bare(t)}" for i, t in enumerate(items, 1) if _bare(t)]
    return "；".join(parts) + "。" if parts else ""


def join_highlights(items: Sequence[str], after_figures: bool = False) -> str:
    """Highlights as one passage: one → (此外，)…。; two → …。同时，…。; more → 一是…；二是…。"""
    items = [t for t in (i.strip() for i in items) if _bare(t)]
    if not items:
        return ""
    if len(items) == 1:
        return ("此外，" if after_figures else "") + end_sentence(items[0])
    if len(items) == 2:
        return end_sentence(items[0]) + "同时，" + end_sentence(items[1])
    return enumerate_points(items)


def chapter_paragraphs(topic: str, figures: Sequence[FigureLike], highlights: Sequence[str],
                       lead: str = "", span: bool = False) -> list[str]:
    """The chapter's paragraphs: topic sentence and figures, then the highlights; a chapter
    without figures opens its highlights with the topic sentence."""
    topic = end_sentence(topic) if topic else ""
    if not figures and not highlights:
        return []
    if not figures:
        return [topic + join_highlights(highlights)]
    paras = [topic + "".join(figure_sentences(figures, lead, span))]
    rest = join_highlights(highlights, after_figures=True)
    return paras + ([rest] if rest else [])


def has_lead_verb(item: str) -> bool:
    """Whether a figure's item already opens with a verb (慰问困难职工, “两节”送温暖慰问…):
    from the known list, else jieba's part of speech on its first words."""
    rest = _LEAD_NAME.sub("", item.strip())
    if not rest:
        return False
    if rest.startswith(ITEM_VERBS):
        return True
    from .tokenize import posseg

    pseg = posseg()

    return any(w.flag == "v" for w in list(pseg.cut(rest))[:2])
