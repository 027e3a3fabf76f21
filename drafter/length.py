"""字数: the body's length per section, against a target for the whole body (``--chars N``).

The target is shared out by the weight reports give each part (a work chapter three
shares, the problems and the plans one and a half, the opening one). A section well
short of its share gets a placeholder asking for more of the writer's own material;
the numbers themselves go only to the summary, never into the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .blocks import PLACEHOLDER_RE, Block, placeholder
from .draft import Draft

WEIGHT_CHAPTER = 3.0
WEIGHT_OTHER = 1.5
WEIGHT_OPENING = 1.0
SHORT = 0.7  # below 70 % of its share a section is short
LONG = 1.3
_SPACE = re.compile(r"\s+")
PROMPT = "本部分篇幅偏短，可再补充具体做法、典型事例和取得的成效"


@dataclass
class SectionLength:
    section: str  # the heading as numbered in the draft, or 导语
    chars: int
    target: int = 0
    first: int = 0  # block index of the heading (or of the first paragraph for 导语)
    last: int = 0  # block index of its last paragraph (or heading when it has none)

    @property
    def verdict(self) -> str:
        if not self.target:
            return ""
        if self.chars < SHORT * self.target:
            return "偏短"
        if self.chars > LONG * self.target:
            return "偏长"
        return "适中"

    def to_json(self) -> dict:
        return {"section": self.section, "chars": self.chars, "target": self.target, "verdict": self.verdict}


def text_length(text: str) -> int:
    """Characters of body text, placeholders and white space left out."""
    return len(_SPACE.sub("", PLACEHOLDER_RE.sub("", text)))


def section_lengths(draft: Draft) -> list[SectionLength]:
    """The body cut at its headings; a heading with nothing under it before the next
    heading (一、主要工作及成效 above its （一）) is not a section of its own."""
    out: list[SectionLength] = []
    current: SectionLength | None = None
    for i, b in enumerate(draft.blocks):
        if b.kind == "heading":
            current = SectionLength(b.full_text, 0, first=i, last=i)
            out.append(current)
        elif b.kind == "paragraph":
            if current is None:
                current = SectionLength("导语", 0, first=i, last=i)
                out.append(current)
            current.chars += text_length(b.text)
            current.last = i
    return [s for s in out if s.chars or s.last > s.first]


def aim_length(draft: Draft, chars: int) -> list[SectionLength]:
    """Give each section its share of ``chars`` and put a placeholder asking for more at the
    end of each section well short of it. Returns the lengths (with targets)."""
    if chars <= 0:
        raise ValueError("chars must be positive")
    sections = section_lengths(draft)
    chapter_heads = {i - 1 for i, b in enumerate(draft.blocks) if b.kind == "comment"}
    weights = [
        WEIGHT_OPENING if s.section == "导语" else (WEIGHT_CHAPTER if s.first in chapter_heads else WEIGHT_OTHER)
        for s in sections
    ]
    total = sum(weights) or 1.0
    for s, w in zip(sections, weights):
        s.target = round(chars * w / total)
    # Insert from the end so earlier block indexes stay valid.
    # Not the opening (the template's own words) nor a section left to fill anyway.
    short = [s for s in sections if s.verdict == "偏短" and s.section != "导语"
             and PLACEHOLDER_RE.fullmatch(draft.blocks[s.last].text) is None]
    for s in sorted(short, key=lambda s: -s.last):
        at = s.last + 1
        # A chapter's comment anchor stays right under its heading.
        while at < len(draft.blocks) and draft.blocks[at].kind == "comment":
            at += 1
        draft.blocks.insert(at, Block("paragraph", placeholder(PROMPT)))
        draft.comments = {(k + 1 if k >= at else k): v for k, v in draft.comments.items()}
    if short and PROMPT not in draft.missing:
        draft.missing.append(PROMPT)
    return sections
