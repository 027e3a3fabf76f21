"""Blocks → .docx in the GB/T 9704-2012 look of FORMAT.md.

python-docx objects (Document, styles, paragraphs, runs, comments) are used here;
the XML it has no API for lives in ``docx_xml``.
"""

from __future__ import annotations

import bisect
import io
import re
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.shared import Mm

from . import docx_xml as X
from .blocks import Block, safe_text
from .draft import Draft
from .fsutil import atomic_write_bytes, check_can_write

BODY_PT = 16  # 3号
TITLE_PT = 22  # 2号
PAGE_NUMBER_PT = 14  # 4号
COMMENT_PT = 10.5  # 5号
TITLE_CHARS = 20  # characters of 22 pt that fit one line of the 156 mm 版心

FONT_BODY = "仿宋_GB2312"
FONT_TITLE = "方正小标宋简体"
FONT_H1 = "黑体"
FONT_H2 = "楷体_GB2312"
FONT_PAGE = "宋体"

# style name -> (east-asian font, size pt, alignment, first-line indent chars)
STYLES = {
    "Normal": (FONT_BODY, BODY_PT, WD_ALIGN_PARAGRAPH.JUSTIFY, 2),
    "Title": (FONT_TITLE, TITLE_PT, WD_ALIGN_PARAGRAPH.CENTER, 0),
    "Subtitle": (FONT_H2, BODY_PT, WD_ALIGN_PARAGRAPH.CENTER, 0),
    "Heading 1": (FONT_H1, BODY_PT, WD_ALIGN_PARAGRAPH.JUSTIFY, 2),
    "Heading 2": (FONT_H2, BODY_PT, WD_ALIGN_PARAGRAPH.JUSTIFY, 2),
    "Heading 3": (FONT_BODY, BODY_PT, WD_ALIGN_PARAGRAPH.JUSTIFY, 2),
    "Heading 4": (FONT_BODY, BODY_PT, WD_ALIGN_PARAGRAPH.JUSTIFY, 2),
    "Footer": (FONT_PAGE, PAGE_NUMBER_PT, None, 0),
    "Comment Text": (FONT_PAGE, COMMENT_PT, WD_ALIGN_PARAGRAPH.LEFT, 0),
}
STYLE_FOR_BLOCK = {"title": "Title", "subtitle": "Subtitle", "paragraph": "Normal", "sign": "Normal", "date": "Normal"}


def title_width(text: str) -> float:
    """Width in characters of 22 pt: digits and Latin letters take half a cell."""
    return sum(0.5 if ord(ch) < 128 else 1 for ch in text)


_TITLE_CUT_AFTER = re.compile(r"工会|委员会|关于|\d{4}年度?|\d{4}—\d{4}年")
_TITLE_CUT_BEFORE = re.compile(r"关于|工作|的")


def split_title(text: str, width: int = TITLE_CHARS) -> list[str]:
    """Break a long title by hand into whole words, lines as even as possible.

    Breaks only after a unit name (…工会), 关于 or a year, or before 关于/工作/的;
    a title that fits stays one line. Widths come from prefix sums and the cut points
    are found once, so a long title costs O(n log n), not O(n³).
    """
    if title_width(text) <= width:
        return [text]
    n = len(text)
    prefix = [0.0]  # prefix[i]: width of text[:i]
    for ch in text:
        prefix.append(prefix[-1] + (0.5 if ord(ch) < 128 else 1))
    cuts = sorted(
        {m.end() for m in _TITLE_CUT_AFTER.finditer(text)} | {m.start() for m in _TITLE_CUT_BEFORE.finditer(text)}
    )
    lines: list[str] = []
    start = 0
    while prefix[n] - prefix[start] > width:
        lo = bisect.bisect_right(cuts, start)
        # Two lines left: the most even break in whole words, if there is one.
        if prefix[n] - prefix[start] <= 2 * width:
            fits = [
                c
                for c in cuts[lo:]
                if c < n and prefix[c] - prefix[start] <= width and prefix[n] - prefix[c] <= width
            ]
            if fits:
                best = min(fits, key=lambda c: abs((prefix[c] - prefix[start]) - (prefix[n] - prefix[c])))
                lines.append(text[start:best])
                start = best
                break
        # Otherwise the longest first line that fits, at a cut if there is one, else anywhere.
        limit = prefix[start] + width
        hi = bisect.bisect_right(cuts, n - 1)
        j = bisect.bisect_right(cuts, limit, lo, max(lo, hi), key=lambda c: prefix[c])
        head = cuts[j - 1] if j > lo else bisect.bisect_right(prefix, limit) - 1
        head = max(head, start + 1)
        lines.append(text[start:head])
        start = head
    return [*lines, text[start:]]


def _setup_styles(doc) -> None:
    styles = doc.styles
    root = styles.element
    # docDefaults: explicit fonts, zh-CN, no space after, exact spacing (the template says en-US, 10 pt, 1.15).
    rpr_default = root.find(X.qn("w:docDefaults")).find(X.qn("w:rPrDefault")).find(X.qn("w:rPr"))
    X.set_fonts(rpr_default, FONT_BODY)
    X.set_size(rpr_default, BODY_PT)
    X.set_lang(rpr_default)
    ppr_default = root.find(X.qn("w:docDefaults")).find(X.qn("w:pPrDefault")).find(X.qn("w:pPr"))
    X.set_line_spacing(ppr_default)
    X.strip_theme_fonts(root)

    if "Comment Text" not in [s.name for s in styles]:
        styles.add_style("Comment Text", WD_STYLE_TYPE.PARAGRAPH).base_style = styles["Normal"]
    for name, (font, size, align, indent) in STYLES.items():
        style = styles[name]
        el = style.element
        # Drop the template's formatting (blue theme colours, borders, spacing) but keep the outline level.
        ppr = el.get_or_add_pPr()
        outline = ppr.find(X.qn("w:outlineLvl"))
        X.clear_children(ppr)
        X.clear_children(el.get_or_add_rPr())
        rpr = el.get_or_add_rPr()
        X.set_fonts(rpr, font)
        X.set_size(rpr, size)
        X.set_lang(rpr)
        rpr.get_or_add_b().set(X.qn("w:val"), "0")
        if name == "Comment Text":
            X.set_line_spacing(ppr, twips=240)
            ppr.find(X.qn("w:spacing")).set(X.qn("w:lineRule"), "auto")
        elif name == "Footer":
            X.set_line_spacing(ppr, twips=240)
            ppr.find(X.qn("w:spacing")).set(X.qn("w:lineRule"), "auto")
        else:
            X.set_line_spacing(ppr)
        X.set_indent(ppr, first_chars=indent, font_pt=size)
        if align is not None:
            style.paragraph_format.alignment = align
        if name == "Title":
            X.set_snap_to_grid(ppr, False)
        if name.startswith("Heading"):
            style.paragraph_format.keep_with_next = True
            if outline is not None:
                ppr.append(outline)
        if name == "Normal":
            # -5 twips of character spacing: exactly 28 characters of 16 pt in a 156 mm line
            # (headings and the subtitle inherit it, so that they sit on the same 28-character grid)
            X.set_char_spacing(rpr, -5)
        elif name in ("Title", "Footer", "Comment Text"):
            X.set_char_spacing(rpr, 0)


def _setup_page(doc) -> None:
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(37), Mm(35)
    sec.left_margin, sec.right_margin = Mm(28), Mm(26)
    sec.header_distance, sec.footer_distance = Mm(15), Mm(22)
    X.set_doc_grid(sec._sectPr)
    doc.settings.odd_and_even_pages_header_footer = True
    # — 1 —: odd pages right-aligned one character in, even pages left-aligned one character in.
    for footer, align, side in (
        (sec.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
        (sec.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left"),
    ):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.style = doc.styles["Footer"]
        p.alignment = align
        ppr = p._p.get_or_add_pPr()
        X.set_indent(ppr, font_pt=PAGE_NUMBER_PT, **{f"{side}_chars": 1})
        runs = [p.add_run("— "), *X.add_field(p, "PAGE"), p.add_run(" —")]
        for run in runs:
            _format_run(run, FONT_PAGE, PAGE_NUMBER_PT)


def _format_run(run, font: str, size: float) -> None:
    rpr = run._r.get_or_add_rPr()
    X.set_fonts(rpr, font)
    X.set_size(rpr, size)
    X.set_lang(rpr)


def _add_text(paragraph, block: Block, font: str, size: float) -> list:
    runs = []
    if block.number:
        runs.append(paragraph.add_run(block.number))
    for piece, is_placeholder in block.segments():
        run = paragraph.add_run(piece)
        if is_placeholder:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        runs.append(run)
    for run in runs:
        _format_run(run, font, size)
    return runs


def build_document(draft: Draft):
    """A python-docx Document for ``draft`` (not yet saved)."""
    doc = Document()
    _setup_styles(doc)
    _setup_page(doc)
    body = doc.element.body
    for p in list(body.iterchildren(X.qn("w:p"))):  # the template's empty first paragraph
        body.remove(p)

    heading_runs: dict[int, list] = {}
    last_body = None
    title_done = False
    for i, block in enumerate(draft.blocks):
        if block.kind == "comment":
            continue
        if block.kind not in ("title", "subtitle") and not title_done:
            title_done = True
            if i > 0:
                doc.add_paragraph(style="Normal")  # one blank line under the title
        if block.kind in ("sign", "date"):
            continue
        style = f"Heading {block.level}" if block.kind == "heading" else STYLE_FOR_BLOCK[block.kind]
        font, size, _, _ = STYLES[style]
        if block.kind == "title":
            for line in split_title(block.text):
                p = doc.add_paragraph(style=style)
                _add_text(p, Block("title", line), font, size)
            continue
        p = doc.add_paragraph(style=style)
        runs = _add_text(p, block, font, size)
        if block.kind == "heading":
            heading_runs[i] = runs
        last_body = p

    signs = [b for b in draft.blocks if b.kind in ("sign", "date")]
    if signs:
        if last_body is not None:
            last_body.paragraph_format.keep_with_next = True
        blank = doc.add_paragraph(style="Normal")
        blank.paragraph_format.keep_with_next = True
        for n, block in enumerate(signs):
            p = doc.add_paragraph(style="Normal")
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            # unit (and date) two characters in from the right
            X.set_indent(p._p.get_or_add_pPr(), right_chars=2, font_pt=BODY_PT)
            p.paragraph_format.keep_with_next = n < len(signs) - 1
            _add_text(p, block, FONT_BODY, BODY_PT)

    for i, suggestions in draft.comments.items():
        runs = heading_runs.get(i)
        if not runs:
            continue
        for s in suggestions:
            # corpus text may carry characters a Word file cannot hold
            comment = doc.add_comment(runs, text=safe_text(s.comment_text), author="drafter", initials="DR")
            for cp in comment.paragraphs:
                cp.style = doc.styles["Comment Text"]
                for run in cp.runs:
                    if run.text:
                        _format_run(run, FONT_PAGE, COMMENT_PT)
        # the comment reference runs python-docx adds after the heading get the heading's fonts too
        style = runs[0]._parent.style.name
        for run in runs[0]._parent.runs:
            _format_run(run, STYLES[style][0], BODY_PT)
    doc.core_properties.title = draft.title[:255]  # the core property holds at most 255 characters
    doc.core_properties.author = "drafter"
    doc.core_properties.language = "zh-CN"
    return doc


def docx_bytes(draft: Draft) -> bytes:
    buf = io.BytesIO()
    build_document(draft).save(buf)
    return buf.getvalue()


def write_docx(draft: Draft, path: str | Path, force: bool = False) -> Path:
    """Write the draft atomically; refuse to overwrite without ``force``."""
    path = check_can_write(path, force)
    atomic_write_bytes(path, docx_bytes(draft))
    return path
