"""Reading a draft into numbered paragraphs: reflow of hard-wrapped text, Markdown markup
dropped, spaces and ASCII punctuation between Chinese characters normalised, heading levels."""

from __future__ import annotations

import re
from pathlib import Path

from ..clean import tidy_body
from ..errors import DrafterError
from ..text import CLOSERS, TERMINAL, ends_sentence, numbered_level

# A first line ending like this is a whole paragraph (the text is not hard-wrapped).
_LINE_END = tuple(TERMINAL + CLOSERS + "；：;:")
_HASHES = re.compile(r"^\s*(#{1,6})\s*")


def normalize(text: str) -> str:
    """Spaces between Chinese characters dropped and ASCII punctuation there made full-width:
    the rules the corpus is read by (clean.tidy_body → text.fix_punctuation)."""
    return tidy_body(text.strip())


def _starts_heading(line: str) -> bool:
    return bool(_HASHES.match(line) or numbered_level(line.lstrip()))


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
    """Non-empty paragraphs, normalised, numbered from 1 by position in the list."""
    return [normalize(p) for p in split_raw_paragraphs(text, markdown)]


def split_raw_paragraphs(text: str, markdown: bool = False) -> list[str]:
    """The same paragraphs as split_paragraphs, as written (for the punctuation rules).

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
    wrapped = any(len(b) > 1 and not b[0].endswith(_LINE_END) for b in blocks)
    paras: list[str] = []
    for block in blocks:
        if not wrapped:
            paras.extend(block)
            continue
        cur = ""
        for line in block:
            if cur and (_starts_heading(line) or line.startswith("\u3000\u3000") or _starts_heading(cur)):
                paras.append(cur)
                cur = ""
            cur += line
            if ends_sentence(cur):  # a sentence end closes a paragraph line
                paras.append(cur)
                cur = ""
        if cur:
            paras.append(cur)
    return [p.strip() for p in paras if normalize(p)]


def heading_level(paragraph: str) -> int:
    """# … ###### give their count; otherwise the number's level (text.numbered_level: 1 for 一、,
    2 for （一）, 3 for 1. , 4 for （1） and ①); 0 for a body paragraph."""
    if len(paragraph) > 60 or paragraph.rstrip().endswith("。"):
        return 0
    m = _HASHES.match(paragraph)
    return len(m[1]) if m else numbered_level(paragraph.lstrip())


def read_paragraphs(path: str | Path) -> list[str]:
    """The normalised paragraphs of a draft file."""
    return [normalize(p) for p in read_raw_paragraphs(path)]


def read_raw_paragraphs(path: str | Path) -> list[str]:
    """The paragraphs of a draft file as written."""
    from ..read import read_text

    path = Path(path)
    text = read_text(path)
    paras = split_raw_paragraphs(text, markdown=path.suffix.lower() in (".md", ".markdown"))
    if not paras:
        raise DrafterError(f"文件 {path} 中没有可检查的文字。")
    return paras
