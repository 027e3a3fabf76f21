"""Check a draft: misquoted formulations, numbers that are not the unit's own, text copied
from the corpus, and missing or thin chapters.

``check_file(path, figures=None, corpus=None)`` reads the draft, splits it into numbered
paragraphs and returns a list of Finding. The copy check uses ``CopyIndex``: corpus
sentences and sampled 10-character windows keyed by hash, so a draft sentence is looked
up in time proportional to its length, whatever the size of the corpus.
"""

from __future__ import annotations

import gc
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable

from .errors import DrafterError
from .formulations import FormulationMatcher
from .model import MAIN_CHAPTERS, PassageRecord
from .phrases import sentences

FINDING_TYPES = ("formulation", "number", "copy", "structure")


@dataclass
class Finding:
    type: str  # formulation | number | copy | structure
    paragraph: int  # 1-based paragraph number; 0 for the document as a whole
    text: str  # the text around the finding
    message: str
    suggestion: str = ""  # the right form, where there is one
    source: str = ""  # corpus file and article, for a copy

    def to_dict(self) -> dict:
        return asdict(self)


# ---------------------------------------------------------------- reading the draft into paragraphs

_CJK = "\u4e00-\u9fff"
_TERMINAL = tuple("。！？；：…”」）)!?;:")
_HEADING_RE = re.compile(
    r"^\s*(?:(?P<hash>#{1,6})\s*|(?P<cn>[一二三四五六七八九十]+)[、.．]|(?P<cnp>[（(][一二三四五六七八九十]+[）)])|"
    r"(?P<ar>\d{1,2})[.．、](?!\d)|(?P<arp>[（(]\d{1,2}[）)]))"
)
_ASCII_PUNCT = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
_ASCII_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}“”])\s*([,;:?!()])\s*(?=[{_CJK}“”\d])|(?<=[{_CJK}])\s*([,;:?!()])")
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}，。；：、“”（）])[ \t\u3000]+(?=[{_CJK}，。；：、“”（）\d])")


def normalize(text: str) -> str:
    """Spaces between Chinese characters dropped and ASCII punctuation there made full-width."""
    text = _SPACE_BETWEEN_CJK.sub("", text.strip())
    return _ASCII_BETWEEN_CJK.sub(lambda m: _ASCII_PUNCT[m.group(1) or m.group(2)], text)


def _markdown_lines(text: str) -> list[str]:
    # Quoted lines are references (drafter's own Markdown output puts corpus passages there),
    # not the writer's text; HTML wrappers and emphasis marks are layout.
    out = []
    for line in text.splitlines():
        if line.lstrip().startswith(">"):
            out.append("")
            continue
        line = re.sub(r"</?[a-zA-Z][^>]*>", "", line)
        line = line.replace("**", "")
        line = re.sub(r"\\([\\*_#<>])", r"\1", line)
        out.append(line)
    return out


def split_paragraphs(text: str, markdown: bool = False) -> list[str]:
    """Non-empty paragraphs, numbered from 1 by position in the list.

    Text hard-wrapped inside blank-line separated blocks (as extracted from PDFs) is
    reflowed; otherwise every non-empty line is a paragraph (as in .docx and Markdown).
    """
    lines = _markdown_lines(text) if markdown else text.splitlines()
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            blocks[-1].append(line.strip())
        elif blocks[-1]:
            blocks.append([])
    wrapped = any(len(b) > 1 and not b[0].endswith(_TERMINAL) for b in blocks)
    paras: list[str] = []
    for block in blocks:
        if not wrapped:
            paras.extend(block)
            continue
        cur = ""
        for line in block:
            if cur and (_HEADING_RE.match(line) or line.startswith("\u3000\u3000") or _HEADING_RE.match(cur)):
                paras.append(cur)
                cur = ""
            cur += line
            if cur.endswith(_TERMINAL[:3]):  # a sentence end closes a paragraph line
                paras.append(cur)
                cur = ""
        if cur:
            paras.append(cur)
    return [p for p in (normalize(x) for x in paras) if p]


def heading_level(paragraph: str) -> int:
    """1 for 一、 / #, 2 for （一） / ##, 3 for 1. , 4 for （1）; 0 for a body paragraph."""
    m = _HEADING_RE.match(paragraph)
    if not m or len(paragraph) > 60 or paragraph.rstrip().endswith("。"):
        return 0
    if m["hash"]:
        return len(m["hash"])
    return 1 if m["cn"] else 2 if m["cnp"] else 3 if m["ar"] else 4


# ---------------------------------------------------------------- copy index

_NORM_DROP = re.compile(rf"[^{_CJK}0-9A-Za-z]+")
MIN_COPY_CHARS = 20
_WIN = 10  # window length; windows are sampled every _WIN characters of the corpus


def _norm(sentence: str) -> str:
    return _NORM_DROP.sub("", sentence)


@dataclass
class CopyHit:
    sentence: str  # the corpus sentence
    source: str  # file《article》


class CopyIndex:
    """Finds draft sentences that stand verbatim in the corpus (punctuation and spaces ignored)."""

    def __init__(self, min_chars: int = MIN_COPY_CHARS):
        self.min_chars = min_chars

    def fit(self, records: Iterable[PassageRecord]) -> "CopyIndex":
        self.sentences_: list[tuple[str, str, str]] = []  # (normalized, as written, source)
        # hash of a window -> packed (sentence index << 16 | offset) of every place it starts.
        self.windows_: dict[int, list[int]] = {}
        windows = self.windows_
        gc_was_on = gc.isenabled()
        gc.disable()  # millions of small lists: the cyclic collector would only slow the build
        try:
            for rec in records:
                src = f"{rec.file}《{rec.article}》" if rec.article else rec.file
                for s in sentences(rec.text):
                    n = _norm(s)
                    if not self.min_chars <= len(n) < 1 << 16:
                        continue
                    idx = len(self.sentences_)
                    self.sentences_.append((n, s, src))
                    for off in range(0, len(n) - _WIN + 1, _WIN):
                        key = hash(n[off : off + _WIN])
                        entry = windows.get(key)
                        if entry is None:
                            windows[key] = [idx << 16 | off]
                        else:
                            entry.append(idx << 16 | off)
        finally:
            if gc_was_on:
                gc.enable()
        return self

    def lookup(self, sentence: str) -> CopyHit | None:
        """The corpus sentence a draft sentence was copied from, if any.

        A copy is: the same sentence; the draft sentence lifted from inside a longer corpus
        sentence; or a corpus sentence of at least ``min_chars`` that makes up at least half
        of the draft sentence. Any shared run of at least 2*_WIN-1 characters covers one of
        the sampled windows, so every such case is found from the windows alone.
        """
        n = _norm(sentence)
        if len(n) < self.min_chars:
            return None
        for i in range(len(n) - _WIN + 1):
            for packed in self.windows_.get(hash(n[i : i + _WIN]), ()):
                idx, off = packed >> 16, packed & 0xFFFF
                cn = self.sentences_[idx][0]
                start = off - i
                if start >= 0 and cn.startswith(n, start):
                    return self._hit(idx)  # the draft sentence lies inside a corpus sentence
                if off == 0 and 2 * len(cn) >= len(n) and n.startswith(cn, i):
                    return self._hit(idx)  # a whole corpus sentence lies inside the draft sentence
        return None

    def _hit(self, idx: int) -> CopyHit:
        _, written, src = self.sentences_[idx]
        return CopyHit(written, src)


_INDEX_CACHE: dict[str, CopyIndex] = {}


def copy_index(corpus) -> CopyIndex:
    """The copy index of a corpus, kept for the process per corpus fingerprint."""
    key = getattr(corpus, "fingerprint", None) or str(id(corpus))
    if key not in _INDEX_CACHE:
        _INDEX_CACHE[key] = CopyIndex().fit(corpus.passages())
    return _INDEX_CACHE[key]


# ---------------------------------------------------------------- numbers

_NUM_RE = re.compile(r"(?<![\d.])\d+(?:\.\d+)?")
# Calendar positions are not figures: 2025年, 2021—2025年, 5月, 20日.
_CALENDAR_RE = re.compile(r"(?:19|20)\d{2}(?=\s*(?:年|—|－|-|～|~|至))|\d{1,2}(?=\s*(?:月|日|号))")
_LEADING_NUMBER = re.compile(r"^\s*(?:#+\s*)?(?:\d{1,2}[.．、](?!\d)|[（(]\d{1,2}[）)])")
_SCALE = {"万": 10_000, "亿": 100_000_000}


def _allowed(value: float, decimals: int, allowed: set[float], rounded: bool) -> bool:
    # Only rates may be written rounded (增长12% for 12.4%); counts must be the unit's own.
    if rounded:
        return any(abs(round(a, decimals) - value) < 1e-9 for a in allowed)
    return any(abs(a - value) < 1e-9 * max(1.0, abs(a)) for a in allowed)


def foreign_numbers(paragraph: str, allowed: set[float]) -> list[re.Match]:
    """Numbers of a paragraph that are neither calendar positions, heading numbers, nor allowed."""
    calendar = {m.start() for m in _CALENDAR_RE.finditer(paragraph)}
    lead = _LEADING_NUMBER.match(paragraph)
    out = []
    for m in _NUM_RE.finditer(paragraph):
        if m.start() in calendar or (lead and m.start() < lead.end()):
            continue
        text = m.group()
        value = float(text)
        decimals = len(text.split(".")[1]) if "." in text else 0
        after = paragraph[m.end() : m.end() + 5]
        scale = _SCALE.get(after[:1])
        candidates = [(value, decimals)]
        if scale:
            candidates.append((round(value * scale, 6), 0))
        rate = after.startswith(("%", "％", "个百分点"))
        if not any(_allowed(v, d, allowed, rate) for v, d in candidates):
            out.append(m)
    return out


# ---------------------------------------------------------------- structure

_PROBLEM_RE = re.compile(r"问题|不足|短板|差距|薄弱")
_PLAN_RE = re.compile(r"打算|下一步|计划|思路|展望|今后|努力方向|重点工作|新的一年|未来")
_PROBLEM_TEXT_RE = re.compile(r"存在的?(?:问题|不足|短板)|不足之处|问题和不足")
_PLAN_TEXT_RE = re.compile(r"(?:下一步|今后|新的一年|明年|未来五年|下半年)[，,]")
_HAS_FIGURE = re.compile(r"\d")
_HASHES = re.compile(r"^#+\s*")


def _sections(paras: list[str]) -> list[tuple[int, str, list[str]]]:
    """(paragraph number, heading, body paragraphs up to the next heading)."""
    out: list[tuple[int, str, list[str]]] = []
    for i, p in enumerate(paras, 1):
        if heading_level(p):
            out.append((i, p, []))
        elif out:
            out[-1][2].append(p)
    return out


def structure_findings(paras: list[str]) -> list[Finding]:
    secs = _sections(paras)
    if len(secs) < 2:  # not a report with sections: nothing to say about its structure
        return []
    out = []
    headings = [h for _, h, _ in secs]
    # A five-year review states its shortcomings inside the outlook section: a paragraph
    # that opens on them counts as much as a heading.
    if not any(_PROBLEM_RE.search(h) for h in headings) and not any(_PROBLEM_TEXT_RE.search(p) for p in paras):
        out.append(
            Finding("structure", 0, "", "稿子中没有写问题和不足的部分。", "增加一节“存在的问题和不足”，如实写明短板和差距。")
        )
    if not any(_PLAN_RE.search(h) for h in headings) and not any(_PLAN_TEXT_RE.match(p) for p in paras):
        out.append(Finding("structure", 0, "", "稿子中没有写下一步打算的部分。", "增加一节“下一步工作打算”，写明今后的重点工作。"))
    from .classify import classify_text

    for n, heading, body in secs:
        heading = _HASHES.sub("", heading)
        # The title (first line) and the problem and plan sections are not chapters.
        if n == 1 or heading.startswith("——") or not body or _PROBLEM_RE.search(heading) or _PLAN_RE.search(heading):
            continue
        chapters = classify_text(heading + "\n" + "\n".join(body))
        chapter = chapters[0] if chapters else ""
        if chapter in MAIN_CHAPTERS and not any(_HAS_FIGURE.search(_CALENDAR_RE.sub("", b)) for b in body):
            out.append(
                Finding(
                    "structure",
                    n,
                    heading,
                    f"“{heading}”（{chapter}）一节没有任何数字，显得单薄。",
                    "补充本单位这方面的主要数据，如活动场次、覆盖人数、投入资金。",
                )
            )
    return out


# ---------------------------------------------------------------- the check


def _around(text: str, start: int, end: int, width: int = 20) -> str:
    left = "…" if start > width else ""
    right = "…" if len(text) - end > width else ""
    return left + text[max(0, start - width) : end + width] + right


def check_paragraphs(
    paras: list[str],
    allowed: set[float] | None = None,
    index: CopyIndex | None = None,
    matcher: FormulationMatcher | None = None,
) -> list[Finding]:
    """All findings for a list of paragraphs (numbered from 1), in paragraph order."""
    matcher = matcher or FormulationMatcher()
    # Numbers standing in a set formulation (12351) are not figures.
    if allowed is not None:
        allowed = set(allowed)
        for f in matcher.formulations:
            allowed.update(float(x) for x in _NUM_RE.findall(f.right))
    found: list[Finding] = []
    for n, marked in enumerate(paras, 1):
        is_heading = bool(heading_level(marked))
        para = _HASHES.sub("", marked)
        for hit in matcher.find(para):
            found.append(
                Finding("formulation", n, _around(para, hit.start, hit.end), hit.message, hit.formulation.right)
            )
        copied: list[tuple[int, int]] = []
        if index is not None and not is_heading:
            pos = 0
            for s in sentences(para):
                start = para.find(s, pos)
                pos = start + len(s)
                hit = index.lookup(s)
                if hit:
                    copied.append((start, pos))
                    found.append(
                        Finding(
                            "copy",
                            n,
                            s,
                            "这句话与语料库中的旧稿一字不差，可能是照抄。",
                            "用本单位自己的做法和数字重写这句话。",
                            hit.source,
                        )
                    )
        if allowed is not None:
            for m in foreign_numbers(para, allowed):
                if any(a <= m.start() < b for a, b in copied):
                    continue  # the copy finding already says to rewrite that sentence
                found.append(
                    Finding(
                        "number",
                        n,
                        _around(para, m.start(), m.end()),
                        f"数字“{m.group()}”不在数据文件中，也不能由其中的数字推算出来。",
                        "核对这个数字；如确为本单位数据，请补进数据文件。",
                    )
                )
    return found + structure_findings(paras)


def read_paragraphs(path: str | Path) -> list[str]:
    from .read import read_text

    path = Path(path)
    text = read_text(path)
    paras = split_paragraphs(text, markdown=path.suffix.lower() in (".md", ".markdown"))
    if not paras:
        raise DrafterError(f"文件 {path} 中没有可检查的文字。")
    return paras


def check_file(path: str | Path, figures=None, corpus=None) -> list[Finding]:
    """Check a draft (.docx/.txt/.md/.pdf).

    ``figures``: a Figures object, a path to the figures YAML, or a set of allowed numbers;
    None skips the number check. ``corpus``: a Corpus for the copy check; None loads the
    default corpus (embedded seeds plus the user's documents).
    """
    paras = read_paragraphs(path)
    allowed = None
    if figures is not None:
        from .figures import Figures, allowed_numbers, load_figures

        if isinstance(figures, (set, frozenset)):
            allowed = {float(x) for x in figures}
        else:
            figs = figures if isinstance(figures, Figures) else load_figures(figures)
            allowed = allowed_numbers(figs)
    if corpus is None:
        from .corpus import Corpus

        corpus = Corpus.load()
    return check_paragraphs(paras, allowed, copy_index(corpus))



__all__ = ["Finding", "check_file", "check_paragraphs", "split_paragraphs", "CopyIndex"]
