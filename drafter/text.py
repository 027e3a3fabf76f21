"""Chinese text rules every stage shares (see docs/text-rules.md).

One place for: the Han character ranges, ASCII → full-width punctuation, sentence
ends and sentence splitting, heading-number patterns and their levels, the 一是/二是
points, 万/亿 (NUMBER_SCALE), traditional → simplified conversion (zhconv) with pinyin left
in brackets removed, and the entry point to the configured jieba tokenizer. Reading,
cleaning, segmentation, classification, the phrasing bank, numbers, the figures file and
the draft check import these, so a draft and the corpus are read by the same rules.
"""

from __future__ import annotations

import codecs
import re
from functools import lru_cache

from .resources import import_without_pkg_resources

# CJK Unified Ideographs, Extension A and the compatibility block (traditional texts use it).
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN_RE = re.compile(f"[{HAN}]")
CN_NUM = "一二三四五六七八九十"

# --- punctuation --------------------------------------------------------------------------

ASCII_TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
# ASCII punctuation touching a Han character (or a full-width mark) on either side.
_ASCII_PUNCT = re.compile(
    rf"(?<=[{HAN}“”‘’、，。）》])\s*([,;:?!])\s*|\s*([,;:?!])\s*(?=[{HAN}“”‘’《（])"
)
# ASCII brackets around text that holds a Han character: (市级) → （市级）.
_PAREN = re.compile(rf"\((?=[^()]*[{HAN}])([^()]*)\)")

# Sentence-final marks: a paragraph that ends with one of these is complete.
TERMINAL = "。！？!?…"
CLOSERS = "”’」』）)》"
# Marks that end a sentence for splitting (； and ﹔ end a clause of a list).
SENTENCE_END = "。！？；!?;﹔"
_SENT_RE = re.compile(f"[^{SENTENCE_END}]+[{SENTENCE_END}]*[{CLOSERS}]*")


def punctuation_fixes(text: str) -> list[tuple[int, int, str]]:
    """The (start, end, full-width mark) spans fix_punctuation replaces, in text order: what
    the check's ascii-punct rule reports, so it flags exactly what normalising changes."""
    out = [(m.start(), m.end(), ASCII_TO_FULL[m.group(1) or m.group(2)]) for m in _ASCII_PUNCT.finditer(text)]
    for m in _PAREN.finditer(text):
        out += [(m.start(), m.start() + 1, "（"), (m.end() - 1, m.end(), "）")]
    return sorted(out)


def fix_punctuation(text: str) -> str:
    """ASCII , ; : ? ! ( ) between Chinese characters made full-width (增长3.5%,达到 → 增长3.5%，达到)."""
    text = _ASCII_PUNCT.sub(lambda m: ASCII_TO_FULL[m.group(1) or m.group(2)], text)
    return _PAREN.sub(lambda m: f"（{m.group(1)}）", text)


def ends_sentence(text: str) -> bool:
    text = text.rstrip(" \u3000")
    while text and text[-1] in CLOSERS:
        text = text[:-1]
    return bool(text) and text[-1] in TERMINAL


def sentences(text: str) -> list[str]:
    """Sentences (with their final mark and closing quote), stripped, none empty."""
    return [s.strip() for s in _SENT_RE.findall(text) if s.strip()]


# 万 and 亿 scale the number before them (23.3万人次 = 233,000): numbers.py, the check's number
# rules and the figures file all read them from here. Ints, so Decimal(x) * scale stays exact.
NUMBER_SCALE = {"万": 10_000, "亿": 100_000_000}


def han_count(text: str) -> int:
    return len(HAN_RE.findall(text))


# --- heading numbers ------------------------------------------------------------------------

# Levels of numbered headings: 一、 > （一） > 1. / 1、 > （1） > ①. One pattern per shape; the
# level patterns match at a line start, HEADING_NUMBER anywhere (to split run-together text).
LEVEL_PATTERNS = [
    (1, rf"[{CN_NUM}]{{1,3}}[、.．](?![{CN_NUM}])"),  # not 一、二季度
    (2, rf"[（(][{CN_NUM}]{{1,3}}[)）][、.．]?"),
    (3, r"\d{1,2}\s?(?:[.．](?![\d.．])|、)"),  # 2、2025年… but not 2.5万
    (4, r"[（(]\d{1,2}[)）][、.．]?"),
    (4, r"[①-⑳]"),
]
NUMBERED = [(level, re.compile("^" + pattern)) for level, pattern in LEVEL_PATTERNS]
HEADING_NUMBER = "(?:" + "|".join(pattern for _, pattern in LEVEL_PATTERNS) + ")"
# Any heading number (or Markdown marks, or 第一部分) at the start of a line, for stripping.
NUMBERING = re.compile(
    rf"^\s*(?:#+\s*|[{CN_NUM}]+[、.．]\s*|[（(][{CN_NUM}\d]+[）)][、.．]?\s*|\d+\s?[.．、]\s*|[①-⑳]\s*|"
    rf"第[{CN_NUM}]+(?:章|节|部分|篇)[、：:\s]*)"
)
# 一是/二是 points (1是 where the numeral was turned into a digit).
POINT = re.compile(rf"(?<![{CN_NUM}\d])(?:[{CN_NUM}]{{1,2}}|[1-9])是(?=[^，,；;。]{{1,40}}[，,。；;：:])")
POINT_START = re.compile(rf"^(?:[{CN_NUM}]{{1,2}}|[1-9])是")
# 第一部分 / 第二章 parts of a long report.
PART = re.compile(rf"^第[{CN_NUM}]{{1,3}}(部分|章|篇)")


def numbered_level(text: str) -> int:
    """The level a heading's number gives it (1 for 一、 … 4 for （1） and ①), 0 when unnumbered."""
    for level, pattern in NUMBERED:
        if pattern.match(text):
            return level
    return 0


def strip_numbering(text: str) -> str:
    return NUMBERING.sub("", text, count=1)


# --- traditional characters and pinyin ---------------------------------------------------

# Pinyin a web page left after a character: 報(bào)告, 領(lǐng)導(dǎo).
PINYIN_IN_BRACKETS = re.compile(r"[(（][a-zü\u00e0-\u01dc\u0300-\u036f]{1,8}[)）]")


def strip_pinyin(text: str) -> str:
    return PINYIN_IN_BRACKETS.sub("", text)


def _zhconv():
    """zhconv (well-kept MediaWiki conversion tables), imported on first use and without
    ``pkg_resources``, which its import would otherwise pull in (about 0.1–0.25 s)."""
    return import_without_pkg_resources("zhconv")


@lru_cache(maxsize=1)
def _traditional_chars() -> frozenset[str]:
    """Single characters zhconv changes when writing simplified Chinese."""
    zhconv = _zhconv()
    return frozenset(k for k, v in zhconv.zhconv.getdict("zh-cn").items() if len(k) == 1 and k != v)


def is_traditional(text: str) -> bool:
    """True when ``text`` holds a character zhconv would change. Text that GB2312 encodes is
    simplified already, which spares importing zhconv (and its start-up) for most reports."""
    try:
        text.encode("gb2312", _SKIP_MARKS)
        return False
    except UnicodeEncodeError:
        return not _traditional_chars().isdisjoint(text)


# Marks simplified text uses that GB2312 lacks (中国梦·劳动美): no reason to load zhconv's table.
# Skipped by a codec error handler, called only where the encoder stops (no copy of the text).
_NOT_GB2312_MARKS = frozenset("·•‧–—―")
_SKIP_MARKS = "drafter-skip-marks"


def _skip_marks(err: UnicodeError) -> tuple[str, int]:
    if isinstance(err, UnicodeEncodeError) and _NOT_GB2312_MARKS.issuperset(err.object[err.start : err.end]):
        return "", err.end
    raise err


codecs.register_error(_SKIP_MARKS, _skip_marks)


@lru_cache(maxsize=8192)
def _simplified_short(text: str) -> str:
    return _zhconv().convert(text, "zh-cn")


def simplified(text: str) -> str:
    """The simplified form of ``text`` with pinyin in brackets removed: what chapters and the
    index read. Display keeps the text as written. Simplified text is returned as it is."""
    if "(" in text or "（" in text:
        text = strip_pinyin(text)
    if not is_traditional(text):
        return text
    if len(text) < 200:
        return _simplified_short(text)
    return _zhconv().convert(text, "zh-cn")


def word_automaton(entries):
    """An Aho–Corasick automaton (pyahocorasick) of ``(word, value)`` pairs, empty words left
    out, or None when there is no word: ``.iter(text)`` gives ``(end index, value)`` for
    every occurrence, overlapping ones included, in one pass over the text."""
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for word, value in entries:
        if word:
            automaton.add_word(word, value)
    if not len(automaton):
        return None
    automaton.make_automaton()
    return automaton


# --- the tokenizer ------------------------------------------------------------------------------


def tokenizer(compact: bool = True):
    """The one configured jieba tokenizer (union terms loaded); see drafter.tokenize."""
    from .tokenize import _jieba

    return _jieba(compact)
