"""The small block markup that templates render to, and its parser.

A rendered template is a list of lines, one block a line, each opened by a tag:

    @title 青禾县总工会2025年工作总结     title (方正小标宋, centred)
    @subtitle （2025年12月10日）          subtitle under the title (楷体, centred)
    @h1 主要工作及成效                    heading 一、   (numbered automatically)
    @h2 …   @h3 …   @h4 …                 headings （一）, 1., （1）
    @p 正文……                              paragraph
    @todo 本年度建会数                     a paragraph that is only a placeholder 【待补充：本年度建会数】
    @comment 建功立业                      attach that chapter's suggestions to the heading above
    @sign 青禾县总工会                     signature (unit), right side
    @date 2025年12月10日                   date under the signature

A line without a tag continues the block above it (Chinese text joins without a
space); blank lines are ignored. Placeholders 【待补充：…】 may also stand inside any
text; writers highlight them and the draft lists them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import DrafterError
from .numbers import cn_numeral

# What may never reach a document: what XML 1.0 cannot hold (C0 controls but tab, newline
# and carriage return; lone surrogates; U+FFFE/U+FFFF), the C1 controls (U+0085 is a line
# break to Python) and the line/paragraph separators U+2028/U+2029. Without the last ones a
# writer's text could open a block of its own (“…\u2028@h1 …”).
UNSAFE_CHARS_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")
PLACEHOLDER_RE = re.compile(r"【待补充：([^】]*)】")
# A long report has a few hundred blocks; Word files take python-docx some milliseconds a
# paragraph, so this bounds the time a template that loops too much can cost (docs/limits.md).
MAX_BLOCKS = 1_000
MAX_SIBLING_HEADINGS = 99  # 一、 … 九十九、 and （一） … （九十九）
TAGS = ("title", "subtitle", "h1", "h2", "h3", "h4", "p", "todo", "comment", "sign", "date")


def safe_text(text: str) -> str:
    """``text`` without the characters of UNSAFE_CHARS_RE."""
    return UNSAFE_CHARS_RE.sub("", text)


def placeholder(label: str) -> str:
    return f"【待补充：{label}】"


def heading_number(level: int, n: int) -> str:
    """一、 / （一） / 1. / （1）"""
    if level == 1:
        return f"{cn_numeral(n)}、"
    if level == 2:
        return f"（{cn_numeral(n)}）"
    if level == 3:
        return f"{n}."
    return f"（{n}）"


@dataclass
class Block:
    kind: str  # title | subtitle | heading | paragraph | sign | date | comment
    text: str = ""
    level: int = 0  # 1..4 for headings
    number: str = ""  # heading number: 一、 （一） 1. （1）
    chapter: str = ""  # for comment anchors: the chapter whose suggestions go here
    line: int = 0  # line of the rendered template

    @property
    def full_text(self) -> str:
        return self.number + self.text

    @property
    def missing(self) -> list[str]:
        return PLACEHOLDER_RE.findall(self.text)

    def segments(self) -> list[tuple[str, bool]]:
        """The text cut into (piece, is_placeholder) for writers that mark placeholders."""
        out, pos = [], 0
        for m in PLACEHOLDER_RE.finditer(self.text):
            if m.start() > pos:
                out.append((self.text[pos : m.start()], False))
            out.append((m.group(), True))
            pos = m.end()
        if pos < len(self.text):
            out.append((self.text[pos:], False))
        return out


def parse_blocks(text: str, source: str = "模板") -> list[Block]:
    """Rendered template text → blocks, with headings numbered 一、（一）1.（1） by level."""
    blocks: list[Block] = []
    counters = [0, 0, 0, 0]
    continued: dict[int, list[str]] = {}  # block index -> its continuation lines
    # Lines end at \n or \r only (str.splitlines would also break at \x1e, \x85, \u2028 …).
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for lineno, raw in enumerate(lines, 1):
        line = safe_text(raw).strip()
        if not line:
            continue
        if not line.startswith("@"):
            if not blocks or blocks[-1].kind == "comment":
                raise DrafterError(f"{source} 输出第{lineno}行：这一行没有标记（如 @p），也没有可接续的段落：“{line[:30]}”。")
            continued.setdefault(len(blocks) - 1, []).append(line)  # joined once at the end: linear
            continue
        if len(blocks) >= MAX_BLOCKS:
            raise DrafterError(f"{source} 输出第{lineno}行：块（标题、段落等）超过 {MAX_BLOCKS} 个，不像一份报告。请检查模板里的循环。")
        tag, _, rest = line[1:].partition(" ")
        rest = rest.strip()
        if tag not in TAGS:
            raise DrafterError(f"{source} 输出第{lineno}行：不认识的标记“@{tag}”。可用的标记：{'、'.join('@' + t for t in TAGS)}。")
        if tag.startswith("h"):
            if not rest:  # an optional heading left blank: skip it without using a number
                continue
            level = int(tag[1])
            counters[level - 1] += 1
            if counters[level - 1] > MAX_SIBLING_HEADINGS:
                raise DrafterError(f"{source} 输出第{lineno}行：同一级的 @{tag} 标题超过 {MAX_SIBLING_HEADINGS} 个。请检查模板里的循环。")
            for i in range(level, 4):
                counters[i] = 0
            num = heading_number(level, counters[level - 1])
            blocks.append(Block("heading", rest, level=level, number=num, line=lineno))
        elif tag == "p":
            blocks.append(Block("paragraph", rest, line=lineno))
        elif tag == "todo":
            blocks.append(Block("paragraph", placeholder(rest), line=lineno))
        elif tag == "comment":
            if not any(b.kind == "heading" for b in blocks):
                raise DrafterError(f"{source} 输出第{lineno}行：@comment 前面要有一个标题，批注挂在这个标题上。")
            blocks.append(Block("comment", chapter=rest, line=lineno))
        else:
            blocks.append(Block(tag, rest, line=lineno))
    for i, parts in continued.items():
        blocks[i].text += "".join(parts)
    # A heading or paragraph that rendered empty (an optional field left blank) is dropped.
    return [b for b in blocks if b.kind == "comment" or b.text]


def missing_labels(blocks: list[Block]) -> list[str]:
    """Placeholder labels in document order, each once."""
    seen: dict[str, None] = {}
    for b in blocks:
        for label in b.missing:
            seen.setdefault(label, None)
    return list(seen)
