"""The phrasing bank: sub-headings, distinctive expressions and figure patterns mined from the corpus.

Everything is computed from ``corpus.documents`` / ``corpus.passages()`` on demand; nothing
is stored. jieba is imported inside the functions that need it.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from . import text as text_rules
from .model import PassageRecord, resolve_chapter  # noqa: F401 (re-exported for the CLI)
from .text import HAN, POINT_START, SENTENCE_END, sentences  # noqa: F401 (shared rules, re-exported)


# ---------------------------------------------------------------- text helpers

_CLAUSE_SPLIT = re.compile(r"[，,：:]")
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９．％", "0123456789.%")


# A figure as reports write it: 近/约/超过 320 余/多 万 ... then its unit.
_MOD_BEFORE = r"(?:累计|共计|总计|合计|超过|达到|不少于|近|约|逾|超|达|共|计)"
_MULT = r"(?:万|亿|千|百)"
UNITS = (
    "个百分点 万人次 人次 家次 场次 期次 余人 平方米 公里 小时 "
    "人 名 位 个 项 场 次 家 户 元 件 批 期 对 所 处 支 篇 部 条 本 册 套 种 份 天 倍 门 类 台 座 间 班 节 堂 轮 亩 % 所 幅 首 组 单 笔 起 例 年"
).split()
_UNIT_RE = "(?:" + "|".join(sorted({re.escape(u) for u in UNITS}, key=len, reverse=True)) + r")(?:[（(]次[）)])?"
FIGURE_RE = re.compile(
    rf"(?<!第)(?P<mod>{_MOD_BEFORE})?(?P<num>(?<![\d.])\d+(?:\.\d+)?)(?P<approx1>余|多)?(?P<mult>{_MULT})?(?P<approx2>余|多)?"
    rf"(?P<unit>{_UNIT_RE})"
)
YEAR_RE = re.compile(r"(?<!\d)(?:19|20)\d{2}(?=年|—|-|－)")


def slot_text(clause: str) -> str:
    """Figures become {数}, years {年}; modifiers and multipliers are kept in the wording."""
    clause = clause.translate(_FULLWIDTH_DIGITS)
    clause = YEAR_RE.sub("{年}", clause)
    return FIGURE_RE.sub(
        lambda m: (m["mod"] or "") + "{数}" + (m["approx1"] or "") + (m["mult"] or "") + (m["approx2"] or "") + m["unit"],
        clause,
    )


# ---------------------------------------------------------------- headings

_PAIR_SEP = re.compile(r"[\s，,、；;：:　]+")
_VERB_CHARS = set("强铸筑聚凝固育建抓促提优守践夯激助创树兴惠暖护扬立亮搭做答画唱谱绘织擦打筑推谋聚展铺拓增练锻塑")
_CODE_RUN = re.compile(r"[A-Za-z0-9]{5,}")
_BRAND_RE = re.compile(r"(?:打造|建设|争创|创建|争当|建好|做强)“[^”]{1,10}工会”")

HEADING_STRUCTURES = (
    "打造“X工会”",
    "在…中…",
    "四字+四字对仗",
    "对仗（字数相同的两句）",
    "动宾短语，成效句",
    "“X”比喻式",
    "其他",
)


@dataclass
class Source:
    file: str
    article: str
    heading: str = ""

    def label(self) -> str:
        article = f"《{self.article}》" if self.article and self.article != self.file else ""
        return "，".join(x for x in (self.file + article, self.heading) if x)


@dataclass
class HeadingExample:
    text: str  # the heading without its numbering
    sources: list[Source] = field(default_factory=list)


@dataclass
class HeadingGroup:
    structure: str
    headings: list[HeadingExample] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.headings)


def strip_numbering(heading: str) -> str:
    """The heading without its number, or its 一是 when it is a point cut off as a run-in heading."""
    text = text_rules.strip_numbering(heading.strip()).strip()
    return POINT_START.sub("", text).strip()


def heading_structure(text: str) -> str:
    """Which of HEADING_STRUCTURES a (numbering-free) sub-heading follows."""
    if _BRAND_RE.search(text):
        return "打造“X工会”"
    if re.match(r"^在[^，,]{1,16}中", text):
        return "在…中…"
    parts = [p for p in _PAIR_SEP.split(text) if p]
    # 凝心聚力勇担使命 (思想政治引领更加有力): two four-character action phrases, alone or
    # opening the heading.
    if len(parts) <= 2 and _is_four_four(parts[0]):
        return "四字+四字对仗"
    if len(parts) == 2 and _is_four_four(parts[0] + parts[1]):
        return "四字+四字对仗"
    if len(parts) == 2:
        a, b = (re.sub(r"[“”\"]", "", p) for p in parts)
        if len(a) == len(b) >= 3:
            return "对仗（字数相同的两句）"
        if _is_verb_object(parts[0]):
            return "动宾短语，成效句"
    if "“" in text or '"' in text:
        return "“X”比喻式"
    return "其他"


def _is_four_four(text: str) -> bool:
    if len(text) != 8 or not _CJK_WORD.match(text) or re.search("[的之和与及了]", text) or not _splits_at(text, 4):
        return False
    return _is_action(text[:4]) and _is_action(text[4:])


def _is_action(four: str) -> bool:
    """A four-character phrase with a verb at its start or end (夯实基础, 勇担使命, 强基铸魂)."""
    from .tokenize import posseg

    pseg = posseg()

    if four.startswith(_HEADING_VERBS) or (four[0] in _VERB_CHARS and four[2] in _VERB_CHARS):
        return True
    words = list(pseg.cut(four))
    return words[0].flag == "v" or words[-1].flag == "v"


def _splits_at(text: str, pos: int) -> bool:
    from .tokenize import import_jieba

    jieba = import_jieba()
    edges, i = set(), 0
    for w in jieba.lcut(text, HMM=False):
        i += len(w)
        edges.add(i)
    return pos in edges


# Verbs that open heading halves but that jieba tags otherwise (服务大局 is one idiom to it).
_HEADING_VERBS = (
    "服务", "围绕", "聚焦", "坚持", "突出", "强化", "深化", "加强", "推进", "推动", "提升", "优化", "健全",
    "完善", "践行", "弘扬", "激发", "凝聚", "夯实", "做实", "做优", "做强", "筑牢", "擦亮", "打造", "实施",
    "持续", "履行", "赋能", "锻造", "发挥", "当好", "争当", "守护", "维护", "引领", "厚植", "铸牢",
)


def _is_verb_object(text: str) -> bool:
    from .tokenize import posseg

    pseg = posseg()

    if text.startswith(_HEADING_VERBS):
        return True
    words = list(pseg.cut(text))
    if words and words[0].flag.startswith("v"):
        return True
    # Four-character verb-object pairs like 强基铸魂, 凝心聚力: verbs at positions 1 and 3.
    return len(text) == 4 and text[0] in _VERB_CHARS and text[2] in _VERB_CHARS


def mine_headings(corpus, chapter: str) -> list[HeadingGroup]:
    """Sub-headings of ``chapter`` in the corpus, grouped by structure, each with its sources."""
    chapter = resolve_chapter(chapter)
    by_text: dict[str, HeadingExample] = {}
    for doc in corpus.documents:
        for art in doc.articles:
            for sec in art.sections:
                if sec.level < 1 or chapter not in sec.chapters:
                    continue
                text = strip_numbering(sec.heading)
                # Headings with stray codes from a bad extraction are not sub-headings; points
                # (一是…) are, without their 一是 (strip_numbering removes it).
                if not 4 <= len(text) <= 40 or _CODE_RUN.search(text):
                    continue
                ex = by_text.setdefault(text, HeadingExample(text))
                ex.sources.append(Source(doc.name, art.title, sec.heading))
    groups = {s: HeadingGroup(s) for s in HEADING_STRUCTURES}
    for ex in by_text.values():
        groups[heading_structure(ex.text)].headings.append(ex)
    out = []
    for s in HEADING_STRUCTURES:
        g = groups[s]
        if g.headings:
            g.headings.sort(key=lambda e: (-len(e.sources), len(e.text), e.text))
            out.append(g)
    return out


def suggested_headings(corpus, chapter: str, k: int = 3) -> list[HeadingExample]:
    """Up to ``k`` sub-headings for a chapter, one per structure in turn (for drafting comments).

    The catch-all group comes last; within a group, headings used in more places first.
    """
    groups = [g.headings for g in mine_headings(corpus, chapter)]
    out: list[HeadingExample] = []
    for rank in range(max((len(h) for h in groups), default=0)):
        for heads in groups:
            if rank < len(heads) and len(out) < k:
                out.append(heads[rank])
    return out


# ---------------------------------------------------------------- formulations (distinctive expressions)

_STOP_EDGE = set(
    "的 了 和 与 及 或 等 在 是 为 对 把 将 从 以 并 也 都 中 上 下 有 个 着 于 被 让 使 向 由 其 之 而 就 又 还 "
    "我们 他们 这 那 该 各 每 一 不 要 能 会 所 给 到 地 得 用 通过 进行 开展 持续 不断 积极 全面 深入 进一步 更加 "
    "坚持 推动 加强 实施 组织 全市 全省 全区 全县 各级 广大 年 月 日 以来 其中 同时 已 已经 共 达".split()
)
# Expressions may hold quotes (“娘家人”), never other punctuation.
_PUNCT_SPLIT = re.compile(rf"[^{HAN}\w“”]+")
_INNER_ONLY = set("“”")


@dataclass
class Expression:
    text: str
    count: int  # occurrences in the chapter
    other_count: int  # occurrences in the other chapters
    articles: int  # distinct articles of the chapter using it
    score: float  # log-odds z-score against the other chapters
    example: str
    source: Source


def _chapter_split(corpus, chapter: str) -> tuple[list[PassageRecord], list[PassageRecord]]:
    inside, outside = [], []
    for rec in corpus.passages():
        (inside if chapter in rec.chapters else outside).append(rec)
    return inside, outside


def _edge_ok(tok: str) -> bool:
    return tok not in _STOP_EDGE and tok not in _INNER_ONLY and not any(c.isdigit() for c in tok)


def _ngrams(text: str, n_max: int = 6, max_chars: int = 16) -> Iterable[str]:
    from .tokenize import import_jieba

    jieba = import_jieba()
    for piece in _PUNCT_SPLIT.split(text):
        if len(piece) < 4:
            continue
        toks = jieba.lcut(piece, HMM=False)
        for i in range(len(toks)):
            if not _edge_ok(toks[i]):
                continue
            gram = toks[i]
            for j in range(i + 1, min(i + n_max, len(toks))):
                if any(c.isdigit() for c in toks[j]):
                    break
                gram += toks[j]
                if len(gram) > max_chars:
                    break
                if len(gram) >= 4 and _edge_ok(toks[j]) and gram.count("“") == gram.count("”"):
                    yield gram


def mine_formulations(corpus, chapter: str, n: int = 20, min_count: int = 3) -> list[Expression]:
    """Multi-word expressions used in ``chapter`` far more than in the others (log-odds with a prior)."""
    chapter = resolve_chapter(chapter)
    inside, outside = _chapter_split(corpus, chapter)
    if not inside:
        return []
    cin: Counter[str] = Counter()
    arts: dict[str, set] = defaultdict(set)
    for rec in inside:
        for g in _ngrams(rec.text):
            cin[g] += 1
            arts[g].add((rec.file, rec.article))
    cout: Counter[str] = Counter()
    for rec in outside:
        cout.update(g for g in _ngrams(rec.text) if g in cin)
    frequent = {g: c for g, c in cin.items() if c >= min_count and len(arts[g]) >= 2}
    # A fragment that nearly always occurs inside a longer expression (劳动和技能 in
    # 劳动和技能竞赛) is not an expression of its own.
    covered: Counter[str] = Counter()
    for g, c in frequent.items():
        for i in range(len(g)):
            for j in range(i + 4, len(g) + 1):
                sub = g[i:j]
                if sub != g and sub in frequent and c > covered[sub]:
                    covered[sub] = c
    n_in, n_out = sum(cin.values()), max(sum(cout.values()), 1)
    total = n_in + n_out
    alpha0 = 1000.0  # prior strength: shrinks rare n-grams toward the corpus rate
    scored = []
    for g, yi in frequent.items():
        if covered[g] >= 0.8 * yi:
            continue
        yj = cout[g]
        a = alpha0 * (yi + yj) / total
        delta = math.log((yi + a) / (n_in + alpha0 - yi - a)) - math.log((yj + a) / (n_out + alpha0 - yj - a))
        z = delta / math.sqrt(1 / (yi + a) + 1 / (yj + a))
        if z > 0:
            scored.append((z, g))
    scored.sort(key=lambda t: (-t[0], t[1]))
    chosen: list[tuple[float, str]] = []
    for z, g in scored:
        # One entry per expression: a piece of a chosen one is skipped; a fuller form that is
        # nearly as frequent (技能竞赛 -> 劳动和技能竞赛) takes the chosen one's place.
        if any(g in c for _, c in chosen):
            continue
        inner = [k for k, (_, c) in enumerate(chosen) if c in g]
        if inner:
            k = inner[0]
            if cin[g] >= 0.6 * cin[chosen[k][1]]:
                chosen[k] = (chosen[k][0], g)
                chosen = [x for m, x in enumerate(chosen) if m == k or m not in inner]
            continue
        chosen.append((z, g))
        if len(chosen) >= n:
            break
    out = []
    for z, g in chosen:
        example, rec = _example_sentence(g, inside)
        out.append(
            Expression(
                text=g,
                count=cin[g],
                other_count=cout[g],
                articles=len(arts[g]),
                score=round(z, 2),
                example=example,
                source=Source(rec.file, rec.article, rec.heading),
            )
        )
    return out


def _example_sentence(gram: str, records: list[PassageRecord]) -> tuple[str, PassageRecord]:
    best = None
    for rec in records:
        if gram not in rec.text:
            continue
        for s in sentences(rec.text):
            if gram in s:
                # Prefer a sentence of readable length.
                cost = abs(len(s) - 50)
                if best is None or cost < best[0]:
                    best = (cost, s, rec)
                break
    assert best is not None  # the n-gram was counted from these records
    return best[1], best[2]


# ---------------------------------------------------------------- figure patterns


@dataclass
class Slot:
    verb: str  # the verb that leads the figure's clause (开展), may be empty
    noun: str  # what is counted, as the corpus wrote it (市级劳动和技能竞赛)
    head: str  # its head word (竞赛)
    unit: str  # 项, 人次 ... without 万/余


@dataclass
class Pattern:
    template: str  # the most common wording, figures as {数}
    count: int  # instances in the chapter
    slots: list[Slot]
    variants: list[str] = field(default_factory=list)  # the other wordings of the same shape
    examples: list[str] = field(default_factory=list)  # instances as written
    sources: list[Source] = field(default_factory=list)
    chapter: str = ""
    shape: tuple = ()  # what the group shares: (head, unit) per figure, and the verb of a lone figure


@dataclass
class _Instance:
    text: str
    template: str
    key: tuple
    slots: list[Slot]
    source: Source


_CJK_WORD = re.compile(rf"^[{HAN}]+$")
_LEAD_NOISE = re.compile(
    r"^(?:[一二三四五六七八九十]是|其中|同时|此外|目前|截至目前|全年|今年以来|五年来|\{年\}年?以来|\{数\}年(?:来|间|以来))"
)


def _figure_clauses(sentence: str) -> list[list[str]]:
    """Runs of consecutive clauses that carry figures (at most three clauses each)."""
    runs, cur = [], []
    for clause in _CLAUSE_SPLIT.split(sentence.rstrip(SENTENCE_END)):
        clause = clause.strip()
        if clause and FIGURE_RE.search(clause.translate(_FULLWIDTH_DIGITS)):
            cur.append(clause)
            if len(cur) == 3:
                runs.append(cur)
                cur = []
        else:
            if cur:
                runs.append(cur)
            cur = []
    if cur:
        runs.append(cur)
    return runs


def _slots(clauses: list[str]) -> list[Slot]:
    from .tokenize import posseg

    pseg = posseg()

    slots: list[Slot] = []
    for clause in clauses:
        clause = clause.translate(_FULLWIDTH_DIGITS)
        verb = ""
        pos = 0
        for m in FIGURE_RE.finditer(clause):
            before = re.sub(r"^[、和及与]", "", clause[pos : m.start()])
            words = [w for w in pseg.cut(before) if w.word.strip()]
            lead = [w.word for w in words if w.flag.startswith("v")]
            known = next((v for v in ITEM_VERBS if before.startswith(v)), "")
            if not verb and (known or lead):
                verb = known or lead[0]
            noun = before
            if verb and verb in noun:
                noun = noun[noun.index(verb) + len(verb) :]
            # The head is the last content word before the figure (vn counts: 竞赛, 服务).
            nouns = [
                w.word
                for w in words
                if w.flag not in ("v", "d", "p", "u", "c", "r", "m", "q", "x") and len(w.word) >= 2 and _CJK_WORD.match(w.word)
            ]
            while len(nouns) > 1 and nouns[-1] in _GENERIC_HEADS:
                nouns.pop()
            head = nouns[-1] if nouns else ""
            slots.append(Slot(verb=verb, noun=noun, head=head, unit=re.sub(r"[（(]次[）)]", "", m["unit"])))
            pos = m.end()
    return slots


# Words that say nothing about what is counted (竞赛项目, 宣讲活动): the word before them does.
_GENERIC_HEADS = {"项目", "活动", "工作", "方面", "形式", "类型"}
# Units that count the same kind of thing in a shape key.
_UNIT_CLASS = {"场次": "场", "次": "场", "期次": "场", "名": "人", "位": "人", "余人": "人"}


def _shape_key(slots: list[Slot]) -> tuple:
    # Consecutive slots counting the same thing (竞赛…项、竞赛…项) collapse into one.
    key: list[tuple[str, str]] = []
    for s in slots:
        k = (s.head, _UNIT_CLASS.get(s.unit, s.unit))
        if not key or key[-1] != k:
            key.append(k)
    if len(key) == 1:  # a lone figure: its verb tells the shapes apart (开展 vs 举办)
        return (slots[0].verb,) + tuple(key)
    return tuple(key)


def _instances(records: list[PassageRecord]) -> list[_Instance]:
    out = []
    for rec in records:
        for sent in sentences(rec.text):
            for run in _figure_clauses(sent):
                text = "，".join(run)
                if len(text) > 90:
                    continue
                template = _LEAD_NOISE.sub("", slot_text(text))
                if "{数}" not in template:
                    continue
                slots = _slots(run)
                if not slots or not all(s.head for s in slots):
                    continue
                out.append(_Instance(text, template, _shape_key(slots), slots, Source(rec.file, rec.article, rec.heading)))
    return out


def mine_patterns(corpus, chapter: str, n: int = 20) -> list[Pattern]:
    """Figure-bearing clauses of ``chapter`` as templates, one entry per shape, most frequent first."""
    chapter = resolve_chapter(chapter)
    inside, _ = _chapter_split(corpus, chapter)
    groups: dict[tuple, list[_Instance]] = defaultdict(list)
    for inst in _instances(inside):
        groups[inst.key].append(inst)
    patterns = []
    for key, insts in groups.items():
        wordings = Counter(i.template for i in insts)
        # The representative: the most common wording, then the shortest (least local detail).
        template = min(wordings, key=lambda t: (-wordings[t], len(t), t))
        rep = next(i for i in insts if i.template == template)
        seen, sources = set(), []
        for i in insts:
            k = (i.source.file, i.source.article)
            if k not in seen:
                seen.add(k)
                sources.append(i.source)
        patterns.append(
            Pattern(
                template=template,
                count=len(insts),
                slots=rep.slots,
                variants=sorted((w for w in wordings if w != template), key=lambda t: (-wordings[t], t)),
                examples=[i.text for i in insts],
                sources=sources,
                chapter=chapter,
                shape=key,
            )
        )
    # Shapes used by several articles first: they are the house style, not one office's habit.
    patterns.sort(key=lambda p: (-len(p.sources), -p.count, p.template))
    return patterns[:n] if n else patterns


# ---------------------------------------------------------------- matching a YAML figure to a pattern


@dataclass
class PatternMatch:
    """How the corpus words a figure like the user's: ``render`` writes the user's figure with it."""

    pattern: Pattern
    slot: Slot  # the figure of the pattern that matched: its verb, counted thing and unit
    score: float

    @property
    def verb(self) -> str:
        return self.slot.verb

    def render(self, item: str, quantity: str) -> str:
        """The clause for the user's figure: the pattern's lead verb, the user's item, the quantity.

        ``quantity`` is the number as it goes in the body, with its unit (Figure.quantity:
        23.3万人次, 520余条). The verb is left out when the item already has one (开展…,
        新建…). Only the user's words and number go in, so nothing of the corpus but the
        verb reaches the draft.
        """
        verb = "" if has_lead_verb(item) else self.slot.verb
        return f"{verb}{item}{quantity}"


# Verbs that open a figure's item (新建基层工会, 新命名工作室); jieba does not always tag them.
ITEM_VERBS = (
    "新建", "新增", "新发展", "新命名", "新组建", "建成", "组织", "开展", "举办", "发展", "收集", "办理", "慰问",
    "帮扶", "培育", "评选", "命名", "打造", "创建", "推动", "实现", "覆盖", "参与", "参加", "发放", "投入",
    "筹集", "培训", "走访", "救助", "资助", "选树", "表彰", "上线", "受理", "调处", "签订", "组建", "建立", "设立",
    "为", "帮助", "挽回", "争取", "服务", "惠及", "吸纳", "推进", "完成", "落实", "送", "送出",
)
# A leading name in quotes or book-title marks (“两节”送温暖…, 《…》学习…) before the verb.
_LEAD_NAME = re.compile(r"^(?:[“「『《（(][^”」』》）)]{0,20}[”」』》）)])+")


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


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


_PATTERN_CACHE: dict[str, list[Pattern]] = {}


def corpus_patterns(corpus, chapters: Iterable[str] | None = None) -> list[Pattern]:
    """All patterns of the given chapters (default: the four main ones), cached per corpus fingerprint."""
    from .model import MAIN_CHAPTERS

    chapters = tuple(resolve_chapter(c) for c in (chapters or MAIN_CHAPTERS))
    key = f"{getattr(corpus, 'fingerprint', id(corpus))}:{','.join(chapters)}"
    if key not in _PATTERN_CACHE:
        _PATTERN_CACHE[key] = [p for c in chapters for p in mine_patterns(corpus, c, n=0)]
    return _PATTERN_CACHE[key]


def match_pattern(
    item_text: str, corpus_or_patterns, unit: str | None = None, chapter: str | None = None, min_score: float = 0.35
) -> PatternMatch | None:
    """The corpus pattern whose counted thing best matches a figure's item (and unit), or None.

    ``corpus_or_patterns`` is a Corpus (patterns mined and cached) or a list of Pattern.
    The counted thing must end with the same head word as the item (竞赛, 职工, 站点 ...)
    and, when ``unit`` is given, count in the same kind of unit (场 and 场次 alike; 万 ignored).
    Among candidates the closest wording (character bigrams) wins, then the more widely used.
    """
    if isinstance(corpus_or_patterns, list):
        patterns = corpus_or_patterns
    else:
        patterns = corpus_patterns(corpus_or_patterns, [chapter] if chapter else None)
    if chapter:
        chapter = resolve_chapter(chapter)
        patterns = [p for p in patterns if not p.chapter or p.chapter == chapter]
    item = re.sub(r"\s+", "", item_text)
    unit_bare = re.sub(r"^[万亿千百]", "", unit or "")
    unit_class = _UNIT_CLASS.get(unit_bare, unit_bare)
    best: PatternMatch | None = None
    item_grams = _bigrams(item)
    for p in patterns:
        for s in p.slots:
            if not s.head:
                continue
            # Same head word; or, more weakly, the item's last word inside the counted thing
            # (宣讲 in 劳模工匠宣讲活动, whose head word jieba takes for a verb).
            if item.endswith(s.head[-2:]):
                base = 0.5
            elif item[-2:] in s.noun:
                base = 0.3
            else:
                continue
            if unit_bare and _UNIT_CLASS.get(s.unit, s.unit) != unit_class:
                continue
            grams = _bigrams(s.noun)
            overlap = len(item_grams & grams) / max(len(item_grams | grams), 1)
            score = base + 0.5 * overlap + 0.05 * math.log1p(len(p.sources))
            if score >= min_score and (best is None or score > best.score):
                best = PatternMatch(p, s, round(score, 3))
    return best
