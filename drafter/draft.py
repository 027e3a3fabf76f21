"""From a figures file to a draft: Jinja template → block markup → blocks + comments.

Python API: ``build_draft(figures, template=None, refs=3, corpus=None) -> Draft``.
The body is made only of the writer's own words and figures and the template's
fixed wording; the corpus contributes comments (suggestions with their sources) only.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol

import jinja2

from .blocks import Block, missing_labels, parse_blocks, placeholder, safe_text
from .errors import DrafterError
from .figures import KIND_LABELS, Chapter, Figure, Figures
from .guidance import guidance_sentence
from .numbers import cn_numeral
from .prose import ITEM_VERBS, chapter_paragraphs, end_sentence, enumerate_points, has_lead_verb
from .resources import templates_dir
from .templating import ConfinedLoader, LimitedSandbox, TemplateLimitError, render

TEMPLATE_FOR_KIND = {"annual": "annual.md.j2", "half-year": "half-year.md.j2", "five-year": "five-year.md.j2"}

# Default sub-headings, the template's own wording (never taken from the corpus).
# Annual: one （一） per chapter; five-year: one paired heading 一、 per chapter.
ANNUAL_HEADINGS = {
    "思想引领": "强化思想政治引领，凝聚职工奋进力量",
    "建功立业": "深化建功立业行动，发挥职工主力军作用",
    "维权服务": "做实维权服务工作，增强职工获得感",
    "改革创新": "深化工会改革创新，夯实基层组织基础",
    "党建自身建设": "加强党的建设，推进工会自身建设",
}
FIVE_YEAR_HEADINGS = {
    "思想引领": "坚持凝心铸魂，职工思想政治引领更加有力",
    "建功立业": "坚持建功立业，职工主力军作用充分发挥",
    "维权服务": "坚持服务为本，职工获得感幸福感持续增强",
    "改革创新": "坚持改革创新，工会组织活力不断激发",
    "党建自身建设": "坚持从严治会，工会自身建设全面加强",
}


@dataclass
class Suggestion:
    """A comparable passage from the corpus, shown as a comment beside a chapter."""

    chapter: str
    text: str
    file: str = ""
    article: str = ""
    heading: str = ""
    score: float = 0.0
    org: str = ""  # the unit whose report it is
    year: int | None = None

    @property
    def source(self) -> str:
        """《title》（unit，year），见“chapter heading”; the stored file name only when the article has no title."""
        title = f"《{self.article}》" if self.article and self.article != self.file else self.file
        about = "，".join(p for p in (self.org, f"{self.year}年" if self.year else "") if p)
        text = title + (f"（{about}）" if about else "")
        if self.heading:
            text += f"，见“{self.heading}”" if text else self.heading
        return text

    def to_json(self) -> dict[str, Any]:
        return {"chapter": self.chapter, "text": self.text, "title": self.article, "unit": self.org,
                "year": self.year, "heading": self.heading, "file": self.file, "source": self.source}

    @property
    def comment_text(self) -> str:
        return f"{self.text}\n——来源：{self.source}" if self.source else self.text


class SuggestFn(Protocol):
    def __call__(self, chapter: str, query: str, k: int) -> list[Suggestion]: ...


@dataclass
class Draft:
    title: str
    blocks: list[Block]
    comments: dict[int, list[Suggestion]] = field(default_factory=dict)  # block index -> comments
    missing: list[str] = field(default_factory=list)
    figures: Figures | None = None
    notes: list[str] = field(default_factory=list)  # why a chapter got no suggestions
    lengths: list[Any] = field(default_factory=list)  # drafter.length.SectionLength per section, with --chars

    def body_text(self) -> str:
        """Everything in the body (not the comments), one block a line."""
        return "\n".join(b.full_text for b in self.blocks if b.kind != "comment")


# ---------------------------------------------------------------- template context


@dataclass
class FigureView:
    """A figure as templates see it: raw fields plus the written-out forms."""

    item: str
    value: float | None
    unit: str
    quantity: str  # 23.3万人次, or a placeholder when the value is missing
    change: str  # 同比增长12.5%, or ''
    series_text: str  # 累计…，年均…, or ''
    last_year: float | None
    series: dict[int, float]
    phrase: str = ""  # the item as the corpus words such a figure (开展劳动和技能竞赛), else the item

    @property
    def sentence(self) -> str:
        """开展劳模工匠宣讲126场，同比增长28.6% (annual)."""
        return (self.phrase or self.item) + self.quantity + (f"，{self.change}" if self.change else "")

    @property
    def span_sentence(self) -> str:
        """Over a five-year span: 开展…累计612场，年均122.4场, else the plain sentence."""
        if self.series_text:
            return (self.phrase or self.item) + self.series_text
        return (self.phrase or self.item) + self.quantity


# (chapter, figure) -> how to word the figure's item in the body
WordingFn = Callable[[str, Figure], str]


def _figure_view(f: Figure, phrase: str = "") -> FigureView:
    unit_hint = f"（{f.unit}）" if f.unit else ""
    quantity = f.quantity
    if f.value is None and not f.series:
        quantity = placeholder(f"{f.item}的数值{unit_hint}")
    elif f.value is None:
        # five-year figure given only by year: the last year's value stands for it
        last = max(f.series)
        quantity = Figure(f.item, f.series[last], f.unit).quantity
    return FigureView(f.item, f.value, f.unit, quantity, f.change, f.series_text, f.last_year, f.series, phrase)


@dataclass
class ChapterView:
    name: str
    heading: str
    figures: list[FigureView]
    highlights: list[str]
    lead: str = ""  # what opens the first figure sentence: 全年, 上半年
    span: bool = False  # five-year: figures as 累计…，年均…

    @property
    def empty(self) -> bool:
        return not self.figures and not self.highlights

    def prose(self, topic: str = "") -> list[str]:
        """The chapter's paragraphs (drafter.prose): ``topic`` sentence and the figures in
        sentences, then the highlights joined with 一是…二是…/同时/此外."""
        return chapter_paragraphs(topic, self.figures, self.highlights, self.lead, self.span)


# Template filters: a writer's line ended with its full stop (after closing quotes too); 一是…；二是…。
_sentence = end_sentence
_enum = enumerate_points


def _context(figs: Figures, missing: Callable[[str], str], wording: WordingFn | None = None) -> dict[str, Any]:
    p = figs.period
    headings = FIVE_YEAR_HEADINGS if p.kind == "five-year" else ANNUAL_HEADINGS
    lead = {"annual": "全年", "half-year": p.half}.get(p.kind, "")
    chapters = [
        ChapterView(
            ch.name,
            ch.heading or headings[ch.name],
            [_figure_view(f, wording(ch.name, f) if wording else "") for f in ch.figures],
            list(ch.highlights),
            lead,
            p.kind == "five-year",
        )
        for ch in figs.chapters
    ]
    date = f"{figs.date.year}年{figs.date.month}月{figs.date.day}日" if figs.date else missing("成文日期")
    written = _written(figs)
    return {
        "unit": figs.unit,
        "title": figs.title,
        "intro": figs.intro,
        "kind": p.kind,
        "kind_label": KIND_LABELS[p.kind],
        "period": p,
        "year": p.year,
        "start_year": p.start_year,
        "half": p.half,
        "reports_to": figs.reports_to,
        "leaders": "和".join(figs.reports_to),
        "chapters": chapters,
        "problems": figs.problems,
        "plans": figs.plans,
        "signature": figs.signature or figs.unit,
        "date": date,
        # 坚持以…为指导，深入学习贯彻党的二十大和二十届…全会精神，… as current when written
        "guidance": guidance_sentence(*written),
    }


def _written(figs: Figures) -> tuple[int, int]:
    """(year, month) the report is written in: its date, else the end of its period
    (a first-half report: June)."""
    if figs.date:
        return figs.date.year, figs.date.month
    p = figs.period
    return p.year, 6 if p.kind == "half-year" and p.half == "上半年" else 12


# ---------------------------------------------------------------- rendering


def _one_line(value: Any) -> str:
    # Values never break lines, so a writer's text can never open a block of its own.
    if value is None:
        return ""
    # Nor carry a character a Word file cannot hold or that splits a line (\x1e, \u2028 …).
    return safe_text(str(value).replace("\r", "").replace("\n", ""))


def _environment(extra_dir: Path | None) -> LimitedSandbox:
    dirs = [str(extra_dir)] if extra_dir else []
    dirs.append(str(templates_dir()))
    env = LimitedSandbox(
        loader=ConfinedLoader(dirs),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_one_line,
        autoescape=False,
    )
    env.filters["sentence"] = _sentence
    env.filters["enum"] = _enum
    env.filters["cn"] = cn_numeral
    return env


def _template_error(exc: Exception, name: str, dirs: list[str]) -> DrafterError:
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where = f"{exc.filename or exc.name or name} 第{exc.lineno}行"
        return DrafterError(f"模板有语法错误：{where}：{exc.message}。请检查 {{% %}} 与 {{{{ }}}} 是否成对。")
    if isinstance(exc, jinja2.TemplateNotFound):
        return DrafterError(f"模板 {name} 引用的模板文件“{exc.name}”找不到。")
    # Jinja rewrites tracebacks so template frames carry the template file and line.
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if any(f.filename.startswith(d) for d in dirs)]
    where = f"{frames[-1].filename} 第{frames[-1].lineno}行" if frames else name
    if isinstance(exc, TemplateLimitError):
        return DrafterError(f"模板 {where}：{exc}。")
    if isinstance(exc, RecursionError):
        return DrafterError(f"模板 {where}：宏或模板引用自己，层层嵌套停不下来（无限递归）。请检查宏的调用和 include/extends。")
    if isinstance(exc, MemoryError):
        return DrafterError(f"模板 {where}：渲染占用的内存过多，已停止。请检查模板里的循环和重复。")
    if isinstance(exc, jinja2.exceptions.SecurityError):
        return DrafterError(f"模板 {where}：出于安全原因不允许这样写（{exc}）。")
    if isinstance(exc, jinja2.UndefinedError):
        return DrafterError(f"模板 {where}：用到了不存在的变量或字段（{exc.message}）。")
    return DrafterError(f"模板 {where} 渲染出错：{exc}")


def render_template(
    figs: Figures, template: str | Path | None = None, wording: WordingFn | None = None
) -> tuple[str, str]:
    """Render the template for ``figs``; returns (rendered text, template name).

    ``wording`` may give each figure's item the corpus's wording (see ``corpus_wording``)."""
    return _render(*_template_environment(figs, template), figs, wording)


def _template_environment(figs: Figures, template: str | Path | None) -> tuple[LimitedSandbox, str]:
    """The sandbox that loads the template, and the template's name in it."""
    if template is None:
        name, extra = TEMPLATE_FOR_KIND[figs.period.kind], None
    else:
        path = Path(template)
        if not path.is_file():
            raise DrafterError(f"找不到模板文件 {path}。")
        # The folder that really holds the template: its includes must stay inside it.
        real = path.resolve()
        name, extra = real.name, real.parent
    return _environment(extra), name


def _render(env: LimitedSandbox, name: str, figs: Figures, wording: WordingFn | None) -> tuple[str, str]:
    """``render_template`` in ``env``: a second render in the same environment reuses the
    template compiled by the first (compiling costs about 30 ms)."""
    ctx = _context(figs, placeholder, wording)
    try:
        tpl = env.get_template(name)
        return render(tpl, ctx), tpl.filename or name
    except (
        jinja2.TemplateError, ArithmeticError, TypeError, ValueError, AttributeError, KeyError, IndexError,
        RecursionError, MemoryError,
    ) as exc:
        raise _template_error(exc, name, [str(Path(d).resolve()) for d in env.loader.searchpath]) from None


def chapter_query(ch: Chapter) -> str:
    """What to ask the retriever for a chapter: its name plus the writer's own highlights."""
    return " ".join([ch.name, *ch.highlights, *(f.item for f in ch.figures)])


def load_corpus(corpus: Any = None, builtin: bool = True) -> Any:
    """A Corpus from a folder (None: the user's default), or ``corpus`` itself when it is one.
    ``builtin=False`` leaves the embedded seed reports out."""
    from .corpus import Corpus

    if corpus is None or isinstance(corpus, (str, Path)):
        return Corpus.load(corpus, include_embedded=builtin)
    return corpus


def retriever_suggestions(corpus: Any = None, on_message: Callable[[str], None] | None = None, progress=None,
                          builtin: bool = True) -> SuggestFn:
    """Suggestions from the corpus: the TF-IDF retriever's best passages for the chapter,
    then one comment listing sub-headings other reports used for it (drafter.phrases).

    The corpus and index are loaded on the first call, so that a template or figures
    error is reported before any time goes into retrieval. ``on_message`` and
    ``progress`` go to the retriever (index rebuild message and bar); ``builtin=False``
    leaves the embedded corpus out."""
    state: dict[str, Any] = {}

    def suggest(chapter: str, query: str, k: int) -> list[Suggestion]:
        if "retriever" not in state:
            from .search import Retriever

            if on_message:
                on_message("正在从语料库检索各章节的参考段落……")
            source = load_corpus(corpus, builtin)
            state["corpus"] = source
            state["retriever"] = Retriever(source, on_message=on_message, progress=progress)
        hits = state["retriever"].search(query, chapter=chapter, k=k)
        out = [Suggestion(chapter, h.text, h.file, h.article, h.heading, float(h.score), h.org, h.year) for h in hits]
        headings = heading_suggestion(state["corpus"], chapter)
        return out + ([headings] if headings else [])

    return suggest


def heading_suggestion(corpus: Any, chapter: str, k: int = 3) -> Suggestion | None:
    """One comment with up to ``k`` sub-headings of the chapter from the corpus, each with its source
    (mined once per corpus state, drafter.minedcache)."""
    from .minedcache import HEADINGS_PER_CHAPTER, heading_examples
    from .phrases import suggested_headings

    examples = heading_examples(corpus, chapter) if k <= HEADINGS_PER_CHAPTER else suggested_headings(corpus, chapter, k)
    lines = []
    for i, h in enumerate(examples[:k], 1):
        src = h.sources[0] if h.sources else None
        where = ""
        if src:
            title = f"《{src.article}》" if src.article and src.article != src.file else src.file
            where = f"（来源：{title}）"
        lines.append(f"{i}. {h.text}{where}")
    if not lines:
        return None
    return Suggestion(chapter, "可参考的小标题：\n" + "\n".join(lines))


def corpus_wording(corpus: Any = None, builtin: bool = True) -> WordingFn:
    """Word a figure the way the corpus words such figures (drafter.phrases patterns).

    劳动和技能竞赛 / 43 / 项 becomes 开展劳动和技能竞赛43项: the pattern gives only its lead
    verb, and only a verb from the known list of figure verbs (a verb the tagger got wrong
    would read badly). Items that already start with a verb, rates and unmatched items
    stay as the writer wrote them.
    """
    from .minedcache import wording_patterns
    from .phrases import match_pattern

    state: dict[str, Any] = {}

    def wording(chapter: str, f: Figure) -> str:
        if f.unit in ("%", "％") or not f.item:
            return ""
        if "patterns" not in state:
            state["patterns"] = wording_patterns(load_corpus(corpus, builtin))
        match = match_pattern(f.item, state["patterns"], unit=f.unit or None, chapter=chapter, min_score=0.6)
        # Only a verb of the known list, never one the item already has (慰问“两节”…慰问…).
        if match is None or len(match.verb) < 2 or match.verb not in ITEM_VERBS or match.verb in f.item:
            return ""
        return "" if has_lead_verb(f.item) else match.verb + f.item

    return wording


def build_draft(
    figures: Figures,
    template: str | Path | None = None,
    refs: int = 3,
    corpus: Any = None,
    suggest: SuggestFn | None = None,
    wording: WordingFn | None = None,
    builtin: bool = True,
    chars: int | None = None,
) -> Draft:
    """Render ``figures`` into a Draft; with refs > 0, each chapter heading marked by
    ``@comment`` gets up to ``refs`` suggestions (``suggest``, default the retriever).
    ``wording`` words figures as the corpus does (``corpus_wording``); None keeps the
    writer's items as written. ``builtin=False`` leaves the embedded corpus out of the
    default suggestions. ``chars`` aims the body at about that many characters
    (``drafter.length.aim_length``; the lengths per section go to ``Draft.lengths``)."""
    env, template_name = _template_environment(figures, template)
    text, name = _render(env, template_name, figures, None)
    if wording is not None:
        # The plain render above has already reported any template error, before the corpus loads.
        text, name = _render(env, template_name, figures, wording)
    blocks = parse_blocks(text, source=f"模板 {name}")
    titles = [b.full_text for b in blocks if b.kind == "title"]
    draft = Draft(title=titles[0] if titles else "", blocks=blocks, missing=missing_labels(blocks), figures=figures)
    if chars:
        from .length import aim_length

        draft.lengths = aim_length(draft, chars)
        blocks = draft.blocks
    anchors = [(i, b.chapter) for i, b in enumerate(blocks) if b.kind == "comment"]
    if refs <= 0 or not anchors:
        return draft
    if suggest is None:
        suggest = retriever_suggestions(corpus, builtin=builtin)
    by_name = {ch.name: ch for ch in figures.chapters}
    for i, chapter in anchors:
        heading = next(j for j in range(i - 1, -1, -1) if blocks[j].kind == "heading")
        ch = by_name.get(chapter)
        query = chapter_query(ch) if ch else chapter
        try:
            hits = suggest(chapter, query, refs)
        except DrafterError as exc:  # e.g. no passage of that chapter in the corpus: the draft still gets written
            draft.notes.append(f"“{chapter}”没有参考批注：{exc.message}")
            continue
        if hits:
            draft.comments.setdefault(heading, []).extend(hits)
    return draft
