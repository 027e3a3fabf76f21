"""`drafter format`: re-typeset a hand-typed Word file in the layout of a profile.

The structure comes from the text, not from the typist's styles: ``recognise`` gives each
body paragraph a role (title, 主送, 一、/（一）/1./（1） headings, body, 附件, 落款, date);
``format_document`` then applies the profile through the same ``Styler`` as ``draft``.
No character of the text changes: only paragraph, run, style, section, table and footer
properties are rewritten. Tracked changes are refused rather than silently accepted.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from copy import deepcopy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.opc.part import XmlPart
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from . import convert
from . import docx_xml as X
from .docx_writer import Styler
from .errors import DrafterError, InputFileError
from .fsutil import atomic_write_bytes, check_can_write
from .profile import Profile, load_profile
from .text import CN_NUM

_CN = CN_NUM + "百零〇"  # 一百、 and dates written 二〇二五年
HEADING_PATTERNS = (
    ("h1", re.compile(rf"^\s*[{_CN}]+\s*[、.．]")),
    ("h2", re.compile(rf"^\s*[（(]\s*[{_CN}]+\s*[）)]")),
    ("h3", re.compile(r"^\s*\d{1,2}\s*[.．、](?!\d)")),
    ("h4", re.compile(r"^\s*[（(]\s*\d{1,2}\s*[）)]")),
)
_DATE = re.compile(
    rf"^\s*(?:\d{{4}}|[{_CN}]{{4}})\s*年\s*(?:\d{{1,2}}|[{_CN}]{{1,2}})\s*月\s*(?:(?:\d{{1,2}}|[{_CN}]{{1,3}})\s*日)?\s*$"
)
_ATTACH = re.compile(r"^\s*附\s*件")
_TERMINAL = tuple("。；！？，、;!?,")
_SUBTITLE = re.compile(r"^\s*(?:[（(].*[）)]|——.*|—.*)\s*$")
TRACKED = ("ins", "del", "moveFrom", "moveTo", "pPrChange", "rPrChange", "sectPrChange", "tblPrChange",
           "trPrChange", "tcPrChange", "numberingChange")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def heading_role(text: str) -> str | None:
    """h1..h4 for a heading paragraph: numbered 一、/（一）/1./（1） and short, or short enough
    to be a heading that ends in 。; a long numbered paragraph is body text."""
    s = text.strip()
    for role, rx in HEADING_PATTERNS:
        if rx.match(s):
            if len(s) <= 30 or (len(s) <= 60 and not s.endswith(("。", "；"))):
                return role
            return None
    return None


def run_in_lead(text: str) -> tuple[str, int] | None:
    """(heading role, length) of a run-in heading opening a body paragraph: 一、/（一）/1./（1）
    and words up to the first 。 or ：, when that is short and body text follows."""
    if heading_role(text):
        return None
    for role, rx in HEADING_PATTERNS:
        m = rx.match(text)
        if m:
            ends = [i for i in (text.find(c, m.end()) for c in "。：:！？") if i >= 0]
            end = min(ends) + 1 if ends else 0
            return (role, end) if 0 < end <= m.end() + 30 and text[end:].strip() else None
    return None


def _short_line(s: str, limit: int) -> bool:
    return 0 < len(s) <= limit and not s.endswith(_TERMINAL + ("：", ":")) and not heading_role(s)


def recognise(texts: list[str]) -> list[str]:
    """A role for every paragraph (``blank`` for an empty one), from the text alone."""
    s = [t.strip() for t in texts]
    roles = ["blank" if not t else "body" for t in s]
    filled = [i for i, t in enumerate(s) if t]
    if not filled:
        return roles
    # title: up to 3 short unpunctuated lines at the top, then an optional subtitle
    k = 0
    while k < min(3, len(filled)) and (k == 0 or filled[k] == filled[k - 1] + 1):
        t = s[filled[k]]
        if not _short_line(t, 40) or _DATE.match(t) or _ATTACH.match(t) or (k and _SUBTITLE.match(t)):
            break
        roles[filled[k]] = "title"
        k += 1
    if k and k < len(filled) and _SUBTITLE.match(s[filled[k]]) and not heading_role(s[filled[k]]) and len(s[filled[k]]) <= 60:
        roles[filled[k]] = "subtitle"
        k += 1
    # 主送: the first line after the title that ends in a colon
    if k < len(filled):
        t = s[filled[k]]
        if len(t) <= 60 and t.endswith(("：", ":")) and not heading_role(t) and not _ATTACH.match(t):
            roles[filled[k]] = "recipient"
            k += 1
    body = filled[k:]
    # date and signature: the last date among the last lines, the short lines right above it
    tail_start = len(body)
    for j in range(len(body) - 1, max(-1, len(body) - 9), -1):
        if _DATE.match(s[body[j]]):
            roles[body[j]] = "date"
            tail_start = j
            for up in range(j - 1, max(-1, j - 3), -1):
                if body[up] != body[up + 1] - 1 or not _short_line(s[body[up]], 30) or _ATTACH.match(s[body[up]]):
                    break
                roles[body[up]] = "sign"
                tail_start = up
            break
    # headings, 附件 lines (with the numbered items right under them), body
    attach_open = False
    for j, i in enumerate(body[:tail_start]):
        t = s[i]
        prev_adjacent = j > 0 and body[j - 1] == i - 1
        if _ATTACH.match(t) and len(t) <= 80:
            roles[i], attach_open = "attachment", True
            continue
        if attach_open and prev_adjacent and HEADING_PATTERNS[2][1].match(t):
            roles[i] = "attachment_item"
            continue
        attach_open = False
        roles[i] = heading_role(t) or "body"
    return roles


# ---------------------------------------------------------------- opening a file


def open_docx(path: str | Path):
    """The Word file as a python-docx Document, or a DrafterError that says what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise DrafterError(f"找不到文件 {path}。")
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if data[:8] == _OLE:
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise InputFileError(str(path), "文件设有打开密码。请在 Word/WPS 中用密码打开，取消密码后另存为 .docx 再排版")
        try:  # a .doc/.wps (whatever its name says): the converter reading uses
            data = convert.to_docx(path, data)
        except FileNotFoundError:
            raise InputFileError(str(path), "是旧版 .doc/.wps 格式，本机没有 LibreOffice 无法转换；"
                                            "请在 Word/WPS 中另存为 .docx") from None
    elif suffix in (".doc", ".wps"):
        raise InputFileError(str(path), "不是有效的 .doc/.wps 文件（文件损坏或扩展名不对）")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise InputFileError(str(path), "不是 Word 文件（.docx）。请在 Word/WPS 中打开后另存为 .docx")
    try:
        return docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several kinds for broken packages
        raise InputFileError(str(path), f"不是有效的 Word 文件（{type(exc).__name__}），请在 Word/WPS 中另存为 .docx") from exc


def tracked_changes(doc) -> int:
    """How many tracked insertions, deletions and format changes the body holds."""
    tags = {qn(f"w:{t}") for t in TRACKED}
    return sum(1 for el in doc.element.body.iter() if el.tag in tags)


# ---------------------------------------------------------------- re-typesetting


@dataclass
class FormatReport:
    roles: Counter = field(default_factory=Counter)
    tables: int = 0
    theme_fonts_removed: int = 0
    profile: str = ""

    def to_dict(self) -> dict:
        return {"roles": dict(self.roles), "tables": self.tables, "theme_fonts_removed": self.theme_fonts_removed,
                "profile": self.profile}


Progress = Callable  # progress(iterable, length, label) -> iterable


def format_document(doc, profile: Profile | None = None, progress: Progress | None = None) -> FormatReport:
    """Re-typeset ``doc`` in place."""
    styler = Styler(doc, profile)
    report = FormatReport(profile=styler.profile.name)
    report.theme_fonts_removed = strip_theme_everywhere(doc)
    styler.setup_styles()
    styler.setup_page()
    styler.declare_fonts()
    paras = list(doc.paragraphs)
    roles = recognise([p.text for p in paras])
    items = zip(paras, roles)
    if progress is not None:
        items = progress(items, length=len(paras), label="排版")
    numbering = _style_numbering(doc)
    last_title = None
    for i, (para, role) in enumerate(items):
        _pin_numbering(para._p, numbering)
        lead = run_in_lead(X.paragraph_text(para._p)) if role == "body" else None
        styler.format_paragraph(para, role, lead=lead)
        report.roles[role] += 1
        if role == "title":
            last_title = i
    p = styler.profile
    # blank line(s) under the title: the typist's empty paragraph, or the same height as spacing
    if last_title is not None and p.title_blank_lines:
        nxt = roles[last_title + 1] if last_title + 1 < len(roles) else "blank"
        if nxt not in ("blank", "subtitle"):
            paras[last_title].paragraph_format.space_after = Pt(p.line_pitch * p.title_blank_lines)
    # one blank line above the signature, the signature kept with the text above
    first_sign = next((i for i, r in enumerate(roles) if r in ("sign", "date")), None)
    if first_sign:
        above = paras[first_sign - 1]
        above.paragraph_format.keep_with_next = True
        if roles[first_sign - 1] != "blank":
            paras[first_sign].paragraph_format.space_before = Pt(p.line_pitch)
        for j in range(first_sign, len(roles) - 1):
            if roles[j] in ("sign", "date") and roles[j + 1] in ("sign", "date"):
                paras[j].paragraph_format.keep_with_next = True
    for tbl in doc.element.body.iter(qn("w:tbl")):
        report.tables += 1
        Table(tbl, doc._body).alignment = WD_TABLE_ALIGNMENT.CENTER
        X.set_table_borders(tbl, p.table_border)
        rows = tbl.findall(qn("w:tr"))
        for n, tr in enumerate(rows):
            for pe in tr.iter(qn("w:p")):
                para = Paragraph(pe, doc._body)
                header = n == 0 and p.table_header_bold and len(rows) > 1
                styler.format_paragraph(para, "table", keep_align=True, bold=True if header else None)
    return report


def _style_numbering(doc) -> dict:
    """style id → the w:numPr it (or a style it is based on) carries: list styles number
    their paragraphs from the style, which format replaces."""
    styles = {s.get(qn("w:styleId")): s for s in doc.styles.element.iterchildren(qn("w:style"))}
    out = {}
    for sid in styles:
        cur, seen = sid, set()
        while cur in styles and cur not in seen:
            seen.add(cur)
            num = styles[cur].find(f"{qn('w:pPr')}/{qn('w:numPr')}")
            if num is not None:
                out[sid] = num
                break
            based = styles[cur].find(qn("w:basedOn"))
            cur = based.get(qn("w:val")) if based is not None else None
    return out


def _pin_numbering(p, numbering: dict) -> None:
    """Copy a style's list numbering onto the paragraph, so that its numbers (not in the
    text) survive the change of style."""
    ppr = p.pPr
    style = ppr.find(qn("w:pStyle")) if ppr is not None else None
    if style is None or ppr.find(qn("w:numPr")) is not None:
        return
    num = numbering.get(style.get(qn("w:val")))
    if num is not None:
        X.child(ppr, "numPr").extend(deepcopy(num))


def strip_theme_everywhere(doc) -> int:
    """Theme font attributes out of every XML part (styles, numbering, body, headers, footers,
    notes, comments): Word prefers them over any explicit font."""
    n = 0
    for part in doc.part.package.iter_parts():
        name = str(part.partname)
        if not name.startswith("/word/") or not name.endswith(".xml") or "/theme/" in name:
            continue
        if isinstance(part, XmlPart):
            n += X.strip_theme_fonts(part.element)
        elif b"Theme=" in part.blob or b"cstheme" in part.blob:
            root = parse_xml(part.blob)
            n += X.strip_theme_fonts(root)
            part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return n


def format_file(src: str | Path, dst: str | Path, profile: Profile | str | Path | None = None, force: bool = False,
                progress: Progress | None = None) -> FormatReport:
    """Read ``src``, re-typeset, write ``dst`` atomically. ``src`` is never written."""
    src, dst = Path(src), Path(dst)
    if dst.exists() and src.exists() and dst.resolve() == src.resolve():
        raise DrafterError(f"输出文件不能是原文件 {src}（drafter 不改动原稿），请用 -o 指定另一个文件名。")
    check_can_write(dst, force)
    if not isinstance(profile, Profile):
        profile = load_profile(profile)
    doc = open_docx(src)
    n = tracked_changes(doc)
    if n:
        raise DrafterError(
            f"文件 {src} 中有 {n} 处未处理的修订（修订模式下的增删或格式更改）。排版会改动格式、可能打乱修订，"
            "drafter 不替您接受或拒绝它们：请在 Word/WPS 的“审阅”中全部接受或拒绝后另存，再排版。"
        )
    report = format_document(doc, profile, progress)
    buf = io.BytesIO()
    doc.save(buf)
    atomic_write_bytes(dst, buf.getvalue())
    return report
