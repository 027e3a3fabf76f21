"""Usage and punctuation rules of official writing (公文): 截止/截至, 做/作, 必须/必需,
的/地/得 in set phrases, misspelt idioms, redundant estimates, and the punctuation slips
reviewers mark (ASCII punctuation between Chinese characters, unbalanced quotes and
brackets, doubled characters and marks, full-width digits).

Rules that are one regular expression live in ``drafter/data/usage_rules.json``; those that
need counting or pairing are functions here, registered in ``CODE_RULES`` with the same
fields. Every rule has an id, a right and a wrong example, and can be switched off.
They run on paragraphs as written (before the check normalises punctuation).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterator

from ..errors import DrafterError
from ..resources import data_dir
from ..text import HAN as CJK
from ..text import punctuation_fixes

Hit = tuple[int, int, "str | None"]  # start, end, replacement (None: the writer rewrites)


@dataclass(frozen=True)
class UsageRule:
    id: str
    group: str
    message: str
    right: str  # a right example: the rule must not fire on it
    wrong: str  # a wrong example: the rule must fire on it
    pattern: re.Pattern | None = None
    replace: str | None = None
    func: Callable[[str], Iterator[Hit]] | None = None

    def find(self, text: str) -> Iterator[Hit]:
        if self.func is not None:
            yield from self.func(text)
            return
        for m in self.pattern.finditer(text):
            yield m.start(), m.end(), None if self.replace is None else m.expand(self.replace)


# ---------------------------------------------------------------- rules written in code

def _ascii_punct(text: str) -> Iterator[Hit]:
    # Exactly what the check's normalising (text.fix_punctuation) changes, so a flagged mark
    # and a fixed one never disagree.
    yield from punctuation_fixes(text)


def _ascii_quotes(text: str) -> Iterator[Hit]:
    if not re.search(f"[{CJK}]", text):
        return
    marks = [m.start() for m in re.finditer('"', text)]
    if len(marks) % 2:
        yield marks[-1], marks[-1] + 1, None  # cannot tell opening from closing
        return
    for k, i in enumerate(marks):
        yield i, i + 1, "“" if k % 2 == 0 else "”"


_PAIRS = {"“": "”", "‘": "’", "《": "》", "（": "）", "【": "】", "〔": "〕", "「": "」"}
_CLOSERS = {v: k for k, v in _PAIRS.items()}


def _unbalanced(text: str, kinds: str) -> Iterator[Hit]:
    # Only a finished paragraph: one cut mid-sentence is a line wrap of the source, and the
    # mark is closed on the next line. A closing mark before any opening one closes a quote
    # opened in an earlier paragraph (a wrapped line, or a quotation of several paragraphs).
    if not text.rstrip().endswith(tuple("。！？；…")):
        return
    stack: list[tuple[str, int]] = []
    opened: set[str] = set()
    for i, ch in enumerate(text):
        if ch in _PAIRS and ch in kinds:
            stack.append((ch, i))
            opened.add(ch)
        elif ch in _CLOSERS and _CLOSERS[ch] in kinds:
            if stack and stack[-1][0] == _CLOSERS[ch]:
                stack.pop()
            elif _CLOSERS[ch] in opened:
                yield i, i + 1, None
                return
    if stack:
        i = stack[0][1]
        yield i, i + 1, None


_FULL_DIGITS = re.compile("[０-９]+(?:[．.][０-９]+)?")
_TO_ASCII = str.maketrans("０１２３４５６７８９．", "0123456789.")


def _full_width_digits(text: str) -> Iterator[Hit]:
    for m in _FULL_DIGITS.finditer(text):
        yield m.start(), m.end(), m.group().translate(_TO_ASCII)


# Function characters that are never doubled in prose (不了了之, 的的确确, 和和美美 are). Not
# 在/为/对: they end words (现在在家, 成为为职工, 面对对手).
_DOUBLED = re.compile(r"(?<!不)([的了是和与及把被])\1(?![确美非之])")


def _doubled(text: str) -> Iterator[Hit]:
    for m in _DOUBLED.finditer(text):
        yield m.start(), m.end(), m.group(1)


_SPACE = re.compile(rf"(?<=[{CJK}，。；：、])[ \u3000]+(?=[{CJK}])")


def _space_in_text(text: str) -> Iterator[Hit]:
    # Titles, headings and slogans use spaces as separators (政治引领勇担当 砥砺奋进建新功,
    # “劳模工匠讲 青年职工说”); running prose does not: only a space after a comma of the
    # same paragraph and outside quotes and book titles counts.
    if len(text) < 30 or not text.rstrip().endswith("。"):
        return
    for m in _SPACE.finditer(text):
        before = text[: m.start()]
        inside = before.count("“") > before.count("”") or before.count("《") > before.count("》")
        if "，" in before and not inside:
            yield m.start(), m.end(), ""


CODE_RULES = (
    ("ascii-punct", "标点", _ascii_punct, "中文之间用了半角（英文）标点，应改为全角", "全年开展活动30场，覆盖职工1万人。", "全年开展活动30场,覆盖职工1万人。"),
    ("ascii-quotes", "标点", _ascii_quotes, "中文里用了英文直引号，应改为“”", "弘扬“劳模精神”。", '弘扬"劳模精神"。'),
    ("unbalanced-quotes", "标点", lambda t: _unbalanced(t, "“‘「"), "引号不成对", "弘扬“劳模精神”。", "弘扬“劳模精神。"),
    ("unbalanced-brackets", "标点", lambda t: _unbalanced(t, "《（【〔"), "括号或书名号不成对", "学习《中国工会章程》。", "学习《中国工会章程。"),
    ("full-width-digits", "数字", _full_width_digits, "数字用了全角，应改为半角阿拉伯数字", "开展活动30场。", "开展活动３０场。"),
    ("doubled-char", "错别字", _doubled, "字重复", "全县的职工。", "全县的的职工。"),
    ("space-in-text", "标点", _space_in_text, "正文中文字之间有多余的空格", "全县各级工会组织开展劳模宣讲活动86场，覆盖职工3万人次。", "全县各级工会组织开展劳模宣讲活动86场， 覆盖职工3万人次。"),
)


# ---------------------------------------------------------------- the rule list


def usage_rules_path():
    return data_dir() / "usage_rules.json"


@lru_cache(maxsize=2)
def load_usage_rules(path: str | None = None) -> tuple[UsageRule, ...]:
    """The shipped regular-expression rules followed by the rules written in code."""
    path = path or str(usage_rules_path())
    try:
        data = json.loads(open(path, encoding="utf-8").read())
    except (OSError, ValueError) as exc:
        raise DrafterError(f"用语规则文件 {path} 无法读取：{exc}。请重新安装 drafter。") from exc
    out = []
    for i, item in enumerate(data.get("rules", [])):
        try:
            out.append(
                UsageRule(
                    id=item["id"],
                    group=item["group"],
                    message=item["message"],
                    right=item["cases"]["right"],
                    wrong=item["cases"]["wrong"],
                    pattern=re.compile(item["pattern"]),
                    replace=item.get("replace"),
                )
            )
        except (KeyError, TypeError, re.error) as exc:
            raise DrafterError(f"用语规则文件 {path} 第 {i + 1} 条有误：{exc}。请重新安装 drafter。") from exc
    for rid, group, func, message, right, wrong in CODE_RULES:
        out.append(UsageRule(rid, group, message, right, wrong, func=func))
    return tuple(out)


def rule_ids() -> list[str]:
    return [r.id for r in load_usage_rules()]


def usage_hits(text: str, disabled: frozenset[str] | set[str] = frozenset()) -> list[tuple[UsageRule, int, int, str | None]]:
    """(rule, start, end, replacement) for every rule that fires, by position; overlaps dropped."""
    hits = []
    for rule in load_usage_rules():
        if rule.id in disabled or rule.group in disabled:
            continue
        for start, end, rep in rule.find(text):
            hits.append((rule, start, end, rep))
    hits.sort(key=lambda h: (h[1], -h[2]))
    kept: list = []
    for h in hits:
        if kept and h[1] < kept[-1][2]:
            continue
        kept.append(h)
    return kept
