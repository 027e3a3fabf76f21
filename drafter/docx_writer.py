"""The .docx layout of FORMAT.md, shared by ``draft`` (blocks → a new document) and
``format`` (a typist's document re-typeset): one ``Styler`` applies a layout profile.

python-docx's object API does what it covers (alignment, twips indents, spacing, sizes,
bold, page setup, keep-with-next); ``docx_xml`` does the rest (East Asian fonts, theme
removal, character indents, the grid, fields, borders).
"""

from __future__ import annotations

import bisect
import io
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from . import docx_xml as X
from .blocks import Block, safe_text
from .fsutil import atomic_write_bytes, check_can_write
from .profile import Font, Profile, load_profile

if TYPE_CHECKING:
    from .draft import Draft

TITLE_CHARS = 20  # characters of 22 pt that fit one line of the 156 mm 版心
COMMENT_FONT = Font("宋体", 10.5)  # 5号 for the reference comments

# Word's built-in paragraph style used for each role (outline levels, navigation pane)
ROLE_STYLE = {
    "title": "Title", "subtitle": "Subtitle", "h1": "Heading 1", "h2": "Heading 2", "h3": "Heading 3",
    "h4": "Heading 4",
}
ROLE_LABELS = {
    "title": "标题", "subtitle": "副标题", "recipient": "主送机关", "h1": "一级标题", "h2": "二级标题",
    "h3": "三级标题", "h4": "四级标题", "body": "正文", "attachment": "附件说明", "attachment_item": "附件说明",
    "sign": "落款", "date": "成文日期", "blank": "空行", "table": "表格",
}
# quotes, dashes, ellipsis, middle dot: shared by Latin and CJK, full width only in the East Asian font
AMBIGUOUS = re.compile("[\u00b7\u2010-\u2027\u2030-\u205e\u3000]")


@dataclass(frozen=True)
class RoleLayout:
    """Everything the profile says about one kind of paragraph (read by writer and checker)."""

    role: str
    font: Font
    align: WD_ALIGN_PARAGRAPH
    first_chars: float = 0
    left_chars: float = 0
    right_chars: float = 0
    line_pt: float | None = None  # exact line spacing; None: single (auto)
    snap: bool = True
    char_spacing: int = 0  # twips
    keep_next: bool = False


def role_layout(profile: Profile, role: str) -> RoleLayout:
    J, C, R = WD_ALIGN_PARAGRAPH.JUSTIFY, WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
    body, pitch, cs = profile.font("body"), profile.line_pitch, profile.char_spacing_twips
    if role == "title":
        return RoleLayout(role, profile.font("title"), C, line_pt=profile.title_line, snap=False)
    if role == "subtitle":
        return RoleLayout(role, profile.font("subtitle"), C, line_pt=pitch, char_spacing=cs)
    if role in ("h1", "h2", "h3", "h4"):
        return RoleLayout(role, profile.font(role), J, first_chars=2, line_pt=pitch, char_spacing=cs, keep_next=True)
    if role in ("sign", "date"):
        return RoleLayout(role, body, R, right_chars=2, line_pt=pitch, char_spacing=cs)
    if role in ("recipient", "blank"):
        return RoleLayout(role, body, J, line_pt=pitch, char_spacing=cs)
    if role == "attachment_item":  # aligned under the first item, after 附件：
        return RoleLayout(role, body, J, first_chars=5, line_pt=pitch, char_spacing=cs)
    if role == "table":
        return RoleLayout(role, profile.font("table"), WD_ALIGN_PARAGRAPH.CENTER, snap=False)
    return RoleLayout("body" if role != "attachment" else role, body, J, first_chars=2, line_pt=pitch, char_spacing=cs)


def first_line_chars(lay: RoleLayout, text: str) -> float:
    """The first-line indent for a paragraph: the role's, less the spaces a typist put at its
    start to indent by hand (kept, since format changes no character): 　　正文 → 0."""
    typed = 0.0
    for ch in text:
        if ch not in " \u3000\t":
            break
        typed += 0.5 if ch == " " else 2 if ch == "\t" else 1
    return max(0.0, lay.first_chars - typed)


def apply_paragraph_layout(pf, ppr, lay: RoleLayout, align: bool = True) -> None:
    """Alignment, indents and spacing on a paragraph's or a style's ParagraphFormat."""
    size = lay.font.size
    if align:
        pf.alignment = lay.align
    pf.first_line_indent = Pt(lay.first_chars * size)
    pf.left_indent = Pt(lay.left_chars * size) if lay.left_chars else None
    pf.right_indent = Pt(lay.right_chars * size) if lay.right_chars else None
    pf.space_before, pf.space_after = Pt(0), Pt(0)
    if lay.line_pt is None:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        pf.line_spacing, pf.line_spacing_rule = Pt(lay.line_pt), WD_LINE_SPACING.EXACTLY
    pf.keep_with_next = lay.keep_next or None
    X.set_char_indent(ppr, lay.first_chars, lay.left_chars, lay.right_chars)
    X.set_snap_to_grid(ppr, lay.snap)


def apply_font(font, rpr, east_asia: Font, latin: str, char_spacing: int = 0, hint: bool = False) -> None:
    """Font, size, weight, language and character spacing on a run's or a style's Font."""
    font.size = Pt(east_asia.size)
    font.bold = east_asia.bold
    X.set_east_asia(rpr, east_asia.name, latin, hint)
    X.set_size_cs(rpr, east_asia.size)
    X.set_char_spacing(rpr, char_spacing)
    X.set_lang(rpr)


class Styler:
    """Applies a profile to a python-docx Document: styles, page setup, paragraphs, runs."""

    def __init__(self, doc, profile: Profile | None = None):
        self.doc = doc
        self.profile = profile or load_profile()
        self.layouts = {r: role_layout(self.profile, r) for r in ROLE_LABELS}
        self._styles: dict[str, object] = {}
        self._templates: dict[tuple, tuple] = {}

    # ---- styles and page
    def setup_styles(self) -> None:
        p, styles = self.profile, self.doc.styles
        rpr, ppr = X.doc_defaults(styles.element)
        body = self.layouts["body"]
        # docDefaults: explicit fonts, zh-CN, no space after, exact spacing (python-docx's template
        # says theme fonts, en-US, 10 pt after, 1.15 lines).
        X.set_east_asia(rpr, body.font.name, p.latin_font)
        X.child(rpr, "sz").set(qn("w:val"), str(round(body.font.size * 2)))
        X.set_lang(rpr)
        X.set_attrs(X.child(ppr, "spacing"), before=0, after=0, line=p.line_twips, lineRule="exact")
        X.strip_theme_fonts(styles.element)
        page = RoleLayout("page", p.page_number_font, WD_ALIGN_PARAGRAPH.CENTER)
        comment = RoleLayout("comment", COMMENT_FONT, WD_ALIGN_PARAGRAPH.LEFT)
        named = [("Normal", body), *((ROLE_STYLE[r], self.layouts[r]) for r in ROLE_STYLE),
                 ("Footer", page), ("Comment Text", comment)]
        for name, lay in named:
            style = self._style(name)
            el = style.element
            X.keep_only(el.get_or_add_pPr(), ("outlineLvl",))  # drop the template's look, keep the level
            X.keep_only(el.get_or_add_rPr(), ())
            apply_paragraph_layout(style.paragraph_format, el.pPr, lay, align=name != "Footer")
            apply_font(style.font, el.rPr, lay.font, p.latin_font, lay.char_spacing)

    def _style(self, name: str):
        if name not in self._styles:
            try:
                # files from LibreOffice/WPS may name built-in styles differently; python-docx then
                # finds them by style id and warns, which is what we want here
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", UserWarning)
                    self._styles[name] = self.doc.styles[name]
            except KeyError:
                style = self.doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
                style.base_style = self._style("Normal") if name != "Normal" else None
                self._styles[name] = style
        return self._styles[name]

    def setup_page(self) -> None:
        p = self.profile
        for n, sec in enumerate(self.doc.sections):
            landscape = sec.orientation == WD_ORIENT.LANDSCAPE
            w, h = Mm(p.page_width), Mm(p.page_height)
            sec.page_width, sec.page_height = (h, w) if landscape else (w, h)
            sec.top_margin, sec.bottom_margin = Mm(p.margins[0]), Mm(p.margins[1])
            sec.left_margin, sec.right_margin = Mm(p.margins[2]), Mm(p.margins[3])
            sec.header_distance, sec.footer_distance = Mm(p.header_distance), Mm(p.footer_distance)
            X.set_doc_grid(sec._sectPr, p.line_twips)
            sec.different_first_page_header_footer = False  # 公文 number every page
            if n:
                sec.footer.is_linked_to_previous = True
                sec.even_page_footer.is_linked_to_previous = True
        self._page_numbers(self.doc.sections[0])

    def _page_numbers(self, sec) -> None:
        p = self.profile
        odd_even = p.page_number_position == "单右双左"
        self.doc.settings.odd_and_even_pages_header_footer = odd_even
        R, L, C = WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.CENTER
        footers = [(sec.footer, C if p.page_number_position == "居中" else R, "right")]
        if odd_even:
            footers.append((sec.even_page_footer, L, "left"))
        for footer, align, side in footers:
            footer.is_linked_to_previous = False
            X.keep_only(footer._element, ())
            para = footer.add_paragraph(style=self._style("Footer"))
            para.alignment = align
            indent = 0 if align == C else p.page_number_indent
            lay = RoleLayout("page", p.page_number_font, align, left_chars=indent if side == "left" else 0,
                             right_chars=indent if side == "right" and align == R else 0)
            apply_paragraph_layout(para.paragraph_format, para._p.get_or_add_pPr(), lay)
            head, tail = p.page_number_format.split("{页}")
            runs = [*([para.add_run(head)] if head else []), *X.add_field(para, "PAGE"),
                    *([para.add_run(tail)] if tail else [])]
            for run in runs:
                self.format_run(run, lay)

    def declare_fonts(self) -> None:
        """Fallbacks of every profile font into word/fontTable.xml (where the file has one)."""
        fonts = {f.name: f.fallbacks for f in [*self.profile.fonts.values(), self.profile.page_number_font]}
        for part in self.doc.part.package.iter_parts():
            if str(part.partname) == "/word/fontTable.xml":
                root = parse_xml(part.blob)
                X.set_font_fallbacks(root, fonts)
                from lxml import etree

                part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    # ---- paragraphs and runs
    def format_paragraph(self, para, role: str, keep_align: bool = False, bold: bool | None = None,
                         lead: tuple[str, int] | None = None) -> RoleLayout:
        """Style, direct paragraph layout and every run's font for ``role`` (runs inside
        hyperlinks and fields included); ``keep_align`` leaves the typist's alignment (tables).
        ``lead`` (heading role, length): a run-in heading opening a body paragraph, whose
        characters get that heading's font."""
        ppr_template, _ = self._template(role, bold, False)
        X.replace_properties(para._p.get_or_add_pPr(), ppr_template, X.KEEP_PPR + (("jc",) if keep_align else ()))
        first = first_line_chars(self.layouts[role], X.paragraph_text(para._p))
        if first != self.layouts[role].first_chars:
            para.paragraph_format.first_line_indent = Pt(first * self.layouts[role].font.size)
            X.set_char_indent(para._p.pPr, first, self.layouts[role].left_chars, self.layouts[role].right_chars)
        if lead:
            X.split_run_at(para._p, lead[1])
        for r, start, text in list(X.iter_runs(para._p)):
            run_role = lead[0] if lead and start < lead[1] else role
            _, rpr_template = self._template(run_role, bold, bool(AMBIGUOUS.search(text)))
            X.replace_properties(r.get_or_add_rPr(), rpr_template, X.KEEP_RPR)
        return self.layouts[role]

    def _template(self, role: str, bold: bool | None, hint: bool):
        """(w:pPr, w:rPr) for a role, written once through the python-docx API on a scratch
        paragraph and then copied onto every paragraph and run of that role."""
        key = (role, bold, hint)
        if key not in self._templates:
            lay = self.layouts[role]
            p = OxmlElement("w:p")
            para = Paragraph(p, self.doc._body)
            style = self._style(ROLE_STYLE.get(role, "Normal"))
            if not style.element.default:  # python-docx writes no pStyle for the default style
                p.style = style.style_id
            ppr = p.get_or_add_pPr()
            apply_paragraph_layout(para.paragraph_format, ppr, lay)
            _format_mark(ppr, lay, self.profile.latin_font)
            run = Run(p.add_r(), para)
            self.format_run(run, lay, bold, hint)
            self._templates[key] = (ppr, run._r.rPr)
        return self._templates[key]

    def format_run(self, run, lay: RoleLayout, bold: bool | None = None, hint: bool | None = None) -> None:
        rpr = run._r.get_or_add_rPr()
        X.keep_only(rpr, X.KEEP_RPR)
        hint = bool(AMBIGUOUS.search(run.text)) if hint is None else hint
        apply_font(run.font, rpr, lay.font, self.profile.latin_font, lay.char_spacing, hint)
        if bold is not None:
            run.font.bold = bold


def _format_mark(ppr, lay: RoleLayout, latin: str) -> None:
    """The paragraph mark's font (python-docx has no object for it): an empty line's height
    and the pilcrow's face."""
    rpr = X.child(ppr, "rPr")
    X.keep_only(rpr, ())
    X.set_east_asia(rpr, lay.font.name, latin)
    X.set_attrs(X.child(rpr, "b"), val=int(lay.font.bold))
    X.set_attrs(X.child(rpr, "sz"), val=round(lay.font.size * 2))
    X.set_size_cs(rpr, lay.font.size)
    X.set_lang(rpr)


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


def build_document(draft: Draft, profile: Profile | None = None):
    """A python-docx Document for ``draft`` (not yet saved)."""
    doc = Document()
    styler = Styler(doc, profile)
    styler.setup_styles()
    styler.setup_page()
    styler.declare_fonts()
    body = doc.element.body
    for p in list(body.iterchildren(qn("w:p"))):  # the template's empty first paragraph
        body.remove(p)

    def add(role: str, block: Block | None = None):
        para = doc.add_paragraph()
        runs = _add_text(para, block) if block else []
        styler.format_paragraph(para, role)
        return para, runs

    heading_runs: dict[int, list] = {}
    last_body = None
    title_done = False
    for i, block in enumerate(draft.blocks):
        if block.kind == "comment":
            continue
        if block.kind not in ("title", "subtitle") and not title_done:
            title_done = True
            if i > 0:
                for _ in range(styler.profile.title_blank_lines):
                    add("blank")  # blank line(s) under the title
        if block.kind in ("sign", "date"):
            continue
        if block.kind == "title":
            for line in split_title(block.text):
                add("title", Block("title", line))
            continue
        role = f"h{block.level}" if block.kind == "heading" else "subtitle" if block.kind == "subtitle" else "body"
        p, runs = add(role, block)
        if block.kind == "heading":
            heading_runs[i] = runs
        last_body = p

    signs = [b for b in draft.blocks if b.kind in ("sign", "date")]
    if signs:
        if last_body is not None:
            last_body.paragraph_format.keep_with_next = True
        blank, _ = add("blank")
        blank.paragraph_format.keep_with_next = True
        for n, block in enumerate(signs):
            p, _ = add(block.kind, block)
            p.paragraph_format.keep_with_next = n < len(signs) - 1

    comment_lay = RoleLayout("comment", COMMENT_FONT, WD_ALIGN_PARAGRAPH.LEFT)
    comment_style: list[str | None] = []  # the id ``cp.style = "Comment Text"`` would write, found once:
    # python-docx looks the style and the default style up in styles.xml on every assignment (≈1 ms each)
    for i, suggestions in draft.comments.items():
        runs = heading_runs.get(i)
        if not runs:
            continue
        for s in suggestions:
            # corpus text may carry characters a Word file cannot hold
            comment = doc.add_comment(runs, text=safe_text(s.comment_text), author="drafter", initials="DR")
            for cp in comment.paragraphs:
                if not comment_style:
                    comment_style.append(doc.part.get_style_id(doc.styles["Comment Text"], WD_STYLE_TYPE.PARAGRAPH))
                cp._p.style = comment_style[0]
                for run in cp.runs:
                    if run.text:
                        styler.format_run(run, comment_lay)
        # the comment reference runs python-docx adds after the heading get the heading's fonts too
        para = runs[0]._parent
        heading = styler.layouts[f"h{draft.blocks[i].level}"]
        for run in para.runs:
            styler.format_run(run, heading)
    doc.core_properties.title = draft.title[:255]  # the core property holds at most 255 characters
    doc.core_properties.author = "drafter"
    doc.core_properties.language = "zh-CN"
    return doc


def _add_text(paragraph, block: Block) -> list:
    runs = []
    if block.number:
        runs.append(paragraph.add_run(block.number))
    for piece, is_placeholder in block.segments():
        run = paragraph.add_run(piece)
        if is_placeholder:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        runs.append(run)
    return runs


def docx_bytes(draft: Draft, profile: Profile | None = None) -> bytes:
    buf = io.BytesIO()
    build_document(draft, profile).save(buf)
    return buf.getvalue()


def write_docx(draft: Draft, path: str | Path, force: bool = False, profile: Profile | None = None) -> Path:
    """Write the draft atomically; refuse to overwrite without ``force``."""
    path = check_can_write(path, force)
    atomic_write_bytes(path, docx_bytes(draft) if profile is None else docx_bytes(draft, profile))
    return path
