"""Segmentation: cleaned lines → articles → sections (headings at their levels) → passages.

The work is done in three passes over the text:
1. lines → groups of consecutive non-blank lines, with furniture dropped and a
   compilation's table of contents removed;
2. groups → units (heading, title, text paragraph, caption), using the line's
   own shape first and its neighbours second (a short line is a heading only
   when body text follows it);
3. units → Article/Section/Passage objects, long paragraphs split at their
   一是/二是 points or sentence ends.
Chapters are added afterwards by ``classify``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import clean
from .text import CN_NUM, HAN, HEADING_NUMBER, PART, POINT_START, numbered_level, simplified, strip_pinyin
from .text import POINT as _POINT
from .model import Article, Passage, Section

MAX_PASSAGE = 400  # characters; longer paragraphs are split

_MARKS = re.compile(r"^(#{1,6})\s*(.*)$")
# A subtitle that opens with the unit's name: 济宁市加快建设一流产业技术工人队伍.
_ORG_HINT = re.compile(r"^[\u4e00-\u9fff]{2,8}?(省|市|县|区|州|旗|盟|集团|公司|兵团)")


@dataclass
class Line:
    no: int  # 1-based line number in the source
    text: str
    indented: bool
    hard: bool  # ended with two spaces: a hard wrap inside a paragraph


@dataclass
class Group:
    lines: list[Line]
    blank_before: int = 0
    blank_after: int = 0


@dataclass
class Unit:
    kind: str  # "heading" | "title" | "subtitle" | "text" | "short" | "drop"
    text: str
    line: int
    level: int = 0
    marks: int = 0  # number of '#' for marked-up headings
    indented: bool = False
    blank_before: int = 0
    blank_after: int = 0
    lines: list[Line] = field(default_factory=list)
    runin: bool = False  # the lead clause of a paragraph, cut off its body


# --- pass 0: run-together text -----------------------------------------------------------

# Paragraph gaps of a one-line paste: three or more spaces between two pieces of text.
_WIDE_GAP = re.compile(r"(?<=\S)[ \u3000\t]{3,}(?=\S)")
# Page-chunk markers of document viewers: "2、" opening a long line that goes on from the last.
_CHUNK = re.compile(r"^(\d{1,2})、")
# A heading number run into the text: after a sentence end or a gap (spaces), or a bracketed
# Chinese numeral anywhere but after 第 (（一）never sits inside a sentence).
_RUN_IN_NUMBER = re.compile(
    rf"(?:(?<=[。！？；：:!?;])[ \u3000]*|(?<=[{HAN}”）)])[ \u3000]+)(?={HEADING_NUMBER})"
    rf"|(?<=[{HAN}])(?<!第)(?=[（(][{CN_NUM}]{{1,3}}[)）])"
)
_LONG_LINE = 60


def unrun(text: str) -> list[tuple[int, str]]:
    """Split run-together text back into lines, each with its 1-based line number in the
    source: paragraph gaps of one-line pastes, heading numbers glued to the text before
    them, and page-chunk markers (1、 2、) removed."""
    lines = _join_page_chunks(text.split("\n"))
    out: list[tuple[int, str]] = []
    for no, line in lines:
        if len(line) <= _LONG_LINE:
            out.append((no, line))
            continue
        for piece in _WIDE_GAP.split(line):
            if len(piece) > _LONG_LINE:
                out.extend((no, p) for p in _RUN_IN_NUMBER.split(piece) if p.strip())
            else:
                out.append((no, piece))
    return out


def _join_page_chunks(lines: list[str]) -> list[tuple[int, str]]:
    """Long lines numbered 1、 2、 3、 where a line's predecessor stops mid-sentence are pages of a
    document viewer, not headings: drop the numbers and join the page back to the one before."""
    chunks = [i for i, l in enumerate(lines) if len(l) > 20 and _CHUNK.match(l.strip())]
    numbers = {i: int(_CHUNK.match(lines[i].strip()).group(1)) for i in chunks}
    prev_of = {}
    for a, b in zip(chunks, chunks[1:]):
        if numbers[b] == numbers[a] + 1:
            prev_of[b] = a
    broken = [b for b, a in prev_of.items() if not clean.ends_sentence(lines[b - 1] if lines[b - 1].strip() else lines[a])]
    if not broken or max(len(lines[i]) for i in chunks) <= 150:  # pages are long
        return list(enumerate(lines, 1))
    run = set(prev_of) | set(prev_of.values())
    out: list[tuple[int, str]] = []
    for i, line in enumerate(lines):
        if i in run:
            stripped = _CHUNK.sub("", line.strip(), count=1)
            if i in prev_of:
                while out and not out[-1][1].strip():
                    out.pop()  # the blank lines between two pages
                if out and not clean.ends_sentence(out[-1][1]):
                    out[-1] = (out[-1][0], out[-1][1] + stripped)
                    continue
            out.append((i + 1, stripped))
        else:
            out.append((i + 1, line))
    return out


# --- pass 1: lines and groups ---------------------------------------------------------


FURNITURE = "furniture"


def _lines(text: str) -> tuple[list[Line | str | None], list[str]]:
    """Lines with furniture and the TOC blanked out (None), and the TOC's entry titles."""
    numbered = unrun(clean.remove_watermarks(clean.normalize(text)))
    raw = [l for _, l in numbered]
    stripped = [l.strip(" \u3000\t") for l in raw]
    toc = clean.find_toc(stripped)
    entries: list[str] = []
    skip = range(0)
    if toc:
        start, end, entries = toc
        skip = range(0, end)  # the compilation's own title sits above its TOC
    out: list[Line | str | None] = []
    has_item_titles = any(is_item_title(s) for s in stripped)
    # The next non-empty line after each line (one backward pass: a signature looks at it).
    next_text = [""] * len(stripped)
    for k in range(len(stripped) - 2, -1, -1):
        next_text[k] = stripped[k + 1] or next_text[k + 1]
    short_seen: set[str] = set()
    content = False
    for i, (r, s) in enumerate(zip(raw, stripped)):
        if i in skip or not s:
            out.append(None)
            continue
        s = clean.cut_breadcrumbs(s)
        following = next_text[i]
        if (
            clean.is_furniture(s)
            or clean.is_signature(s, following)
            or (has_item_titles and len(s) <= 60 and LIST_TITLE.search(simplified(s)))
        ):
            out.append(FURNITURE)  # breaks a group but is not a blank line
            continue
        indented = r.startswith(("\u3000", "  ", "\t")) and not r.startswith("#")
        no = numbered[i][0]
        pieces = _cut_glued_title(s, first=not content, seen=short_seen)
        for k, piece in enumerate(pieces):
            out.append(Line(no, piece, indented and k == 0, r.endswith("  ") and k == len(pieces) - 1))
        if len(s) <= 60:
            short_seen.add(clean.title_key(s))
        content = True
    return out, entries


# The title of one report in a compilation or on a template site: …总结篇1, …报告（一）, …总结一：
ITEM_TITLE = re.compile(rf"(篇\s*[{CN_NUM}\d]{{1,2}}|【篇\s*\d+】|[（(][{CN_NUM}]{{1,2}}[)）]|[{CN_NUM}]\s*[:：])$")
_REPORT_NOUN = re.compile(r"总结|报告|汇报|综述|材料|发言|讲话|计划|思路")


def is_item_title(s: str) -> bool:
    s = simplified(s)
    return len(s) <= 60 and not line_level(s) and ITEM_TITLE.search(s) is not None and _REPORT_NOUN.search(s) is not None


# A template site's list title above them: 上半年工会工作总结7篇, …汇报【7篇】
LIST_TITLE = re.compile(rf"([{CN_NUM}\d]+\s*篇|【\d+篇】|[（(]\d+篇[)）])$")
# Where a report's name ends: 总结, 报告 … (not before 及/和: 总结及计划 goes on).
_TITLE_END = re.compile(r"(总结|报告|汇报|综述|措施|计划|思路|打算|材料|案例|讲话)(篇\s*\d+|[（(][一二三四五六七八九十\d][)）])?(?![及和与暨、])")  # noqa: E501


def _cut_glued_title(s: str, first: bool, seen: set[str]) -> list[str]:
    """A title glued to the body on one line (某镇工会全年总结及打算今年以来我镇…): cut it off when
    the line is the first of the text or starts with a copy of a short line above it."""
    if len(s) <= 24 or line_level(s):
        return [s]
    cuts = [m.end() for m in _TITLE_END.finditer(s[:62]) if m.end() >= 6 and m.end() < len(s) - 6]
    cuts = [c for c in cuts if not re.search(r"[，,。；;：:！？]", s[:c])]
    if not cuts:
        return [s]
    head = s[: cuts[-1]].rstrip()
    if not (first or any(clean.title_key(s[:c]) in seen for c in cuts)):
        return [s]
    if "，" in head or "," in head or "。" in head:
        return [s]
    parts = [s[a:b].strip() for a, b in zip([0] + cuts, cuts) if s[a:b].strip()]
    return parts + [s[cuts[-1]:].strip()]


def _groups(lines: list[Line | str | None]) -> list[Group]:
    groups: list[Group] = []
    blank = 99
    current: list[Line] = []
    for line in lines + [None]:
        if line is None or line is FURNITURE:
            if current:
                groups.append(Group(current, blank_before=blank))
                current = []
                blank = 0
            if line is None:
                blank += 1
        else:
            current.append(line)
    for g, nxt in zip(groups, groups[1:] + [None]):
        g.blank_after = nxt.blank_before if nxt else 99
    return groups


# --- pass 2: units -----------------------------------------------------------------------


def _is_short(s: str) -> bool:
    s = clean.fix_punctuation(s)
    return (
        len(s) <= 40
        and not clean.ends_sentence(s)
        and not s.endswith(("：", ":", "，", "、", "；"))
        and not any(ch in s for ch in "。！？；")
    )


def _bare_heading_shape(s: str, after_heading: bool = False) -> bool:
    """An unnumbered heading is one or two balanced phrases, not a clause of running text."""
    if s.startswith("——"):
        return len(s) <= 40 and after_heading
    if len(s) > 30 or "、" in s or not _balanced(s):
        return False
    parts = [p for p in re.split(r"[，, \u3000]+", s) if p]
    return len(parts) <= 3 and all(len(p) <= (22 if len(parts) == 1 else 14) for p in parts)


def _units(groups: list[Group], entry_keys: set[str]) -> list[Unit]:
    units: list[Unit] = []
    for g in groups:
        first = len(units)  # this group's units start here
        pending: list[Line] = []

        def flush_text() -> None:
            if pending:
                units.extend(_text_units(pending, g))
                pending.clear()

        for line in g.lines:
            s = line.text
            m = _MARKS.match(s)
            if m and m.group(2).strip():
                flush_text()
                units.append(Unit("heading", m.group(2).strip(), line.no, marks=len(m.group(1)), lines=[line]))
                continue
            if (entry_keys and len(g.lines) == 1 and clean.toc_matches(entry_keys, s)) or is_item_title(s):
                flush_text()
                units.append(Unit("title", s, line.no, lines=[line]))
                continue
            level = line_level(s)
            if level and _heading_like_numbered(s):
                flush_text()
                units.extend(_numbered_units(s, line, level))
                continue
            pending.append(line)
        flush_text()
        for u in units[first:]:
            if u.blank_before == 0 and u.line == g.lines[0].no:
                u.blank_before = g.blank_before
        if units and units[-1].lines and units[-1].lines[-1] is g.lines[-1]:
            units[-1].blank_after = g.blank_after
    return units


# A heading whose numeral was lost in copying: .政治引领不断深化。
_LOST_NUMERAL = re.compile(rf"^[.．](?=[{HAN}“])")
MAX_LEAD = 60  # characters: a lead clause longer than this is a sentence of the body


def line_level(s: str) -> int:
    if PART.match(s):
        return 1
    return numbered_level(s) or (3 if _LOST_NUMERAL.match(s) else 0)


def _levels_under_parts(units: list[Unit]) -> None:
    """第一部分 / 第二章 parts stand above the 一、 headings inside them."""
    if not any(u.kind == "heading" and PART.match(u.text) for u in units):
        return
    for u in units:
        if u.kind == "heading" and not PART.match(u.text) and u.level:
            u.level += 1


def _lead_end(s: str) -> int | None:
    """Where the lead clause of a numbered or 一是 line ends (heading = s[:end]), or None when
    the whole line is the heading. The lead is the first sentence when short enough; in
    run-together text it stops where a 一是 point starts, or at its first comma when the
    first sentence is too long to be a heading."""
    body = s.rstrip("。")
    stop = body.find("。")
    # A one-line paste keeps a space between a heading and its body: 推行民主管理，坚持厂务公开 对涉及…
    gap = re.search(rf"(?<=[{HAN}”）)])[ \u3000]+(?=[{HAN}“])", s)
    if gap and 6 <= gap.start() <= MAX_LEAD and (stop < 0 or gap.start() < stop):
        return gap.start()
    point = next((m.start() for m in _POINT.finditer(s) if m.start() > 4), None)
    if point is not None and (stop < 0 or point < stop) and point <= MAX_LEAD:
        return point
    if stop < 0:
        return None
    if stop <= MAX_LEAD:
        return stop
    comma = re.search(r"[，,]", s)
    if comma and 8 <= comma.start() <= 30:
        return comma.start()
    return -1  # a paragraph that happens to start with a number


def _heading_like_numbered(s: str) -> bool:
    """一、X is a heading unless it is a full paragraph (several sentences)."""
    return _lead_end(s) != -1


def _numbered_units(s: str, line: Line, level: int) -> list[Unit]:
    # Run-in heading: （一）坚持政治引领。全年开展… → heading + text.
    cut = _lead_end(s)
    if cut is None:
        return [Unit("heading", s.rstrip("。"), line.no, level=level, lines=[line])]
    head, rest = s[:cut], s[cut:].lstrip("。，, ")
    return [
        Unit("heading", head, line.no, level=level, lines=[line]),
        Unit("text", rest, line.no, lines=[line]),
    ]


def _text_units(lines: list[Line], g: Group) -> list[Unit]:
    """Lines of one group → paragraphs; a lone short line may be a heading or a caption ("short")."""
    if all(_is_short(l.text) for l in lines) and len(lines) <= 3 and not any(l.hard for l in lines[:-1]):
        return [Unit("short", " ".join(l.text for l in lines), lines[0].no, lines=list(lines),
                     indented=lines[0].indented)]
    longest = max(len(l.text) for l in lines)
    median = sorted(len(l.text) for l in lines)[len(lines) // 2]
    paras: list[list[Line]] = [[lines[0]]]
    for prev, line in zip(lines, lines[1:]):
        # Hard-wrapped lines run to the full width; a clearly shorter line ends its paragraph
        # (or is a heading of its own, in files with one paragraph per line and no blank lines).
        short_prev = len(prev.text) < 0.7 * max(len(line.text), 0.5 * longest)
        ends = clean.ends_sentence(prev.text)
        # No page is 100 characters wide: a line that long ending a sentence is a whole paragraph;
        # a sentence end on a line shorter than most of the group's lines ends one too.
        whole = ends and (len(prev.text) > 100 or len(prev.text) < 0.85 * median)
        new_para = not prev.hard and (short_prev or whole or (ends and line.indented))
        if new_para:
            paras.append([line])
        else:
            paras[-1].append(line)
    units = []
    for p in paras:
        if len(p) == 1 and _is_short(p[0].text):
            units.append(Unit("short", p[0].text, p[0].no, lines=p, indented=p[0].indented))
        else:
            units.append(Unit("text", _join(p), p[0].no, indented=p[0].indented, lines=p))
    return units


def _join(lines: list[Line]) -> str:
    out = ""
    for l in lines:
        s = l.text
        if out and re.match(r"[A-Za-z]", s[:1]) and re.match(r"[A-Za-z]", out[-1:]):
            out += " "
        out += s
    return out


def _resolve_short(units: list[Unit], uses_marks: bool) -> None:
    """Decide whether each short unit is a heading (body text follows), a title, or a caption."""

    def next_content(i: int) -> int | None:
        """Index of the first unit after ``i`` that is not dropped."""
        return next((j for j in range(i + 1, len(units)) if units[j].kind != "drop"), None)

    has_numbered = any(u.kind == "heading" and u.level == 1 for u in units)
    # Trailing short lines after the last paragraph are captions (photo block at the end of a page).
    has_text = any(u.kind == "text" for u in units)
    if has_text:
        for i in range(len(units) - 1, -1, -1):
            if units[i].kind == "text":
                break
            if units[i].kind == "short" and (
                3 <= units[i].blank_before < 99 or 3 <= units[i].blank_after < 99  # 99: start or end of the text
                or clean.looks_like_caption(units[i].text)
                or len(units[i].lines) > 1
            ):
                units[i].kind = "drop"

    first = next((i for i, u in enumerate(units) if u.kind != "drop"), None)
    for i, u in enumerate(units):
        if u.kind != "short":
            continue
        parts = [l.text for l in u.lines]
        if i == first and len(u.text) <= 60 and not clean.looks_like_caption(u.text) and not uses_marks:
            # The first line of a text, when short and followed by body text, a heading or a
            # copy of itself, is its title (a masthead is followed by another short line).
            j = next_content(i)
            nxt = units[j] if j is not None else None
            if nxt is not None and (
                nxt.kind in ("text", "heading")
                or (nxt.kind == "short" and clean.title_key(nxt.text) == clean.title_key(u.text))
            ):
                u.kind = "heading"
                continue
        j = next_content(i)
        nxt = units[j] if j is not None else None
        j2 = next_content(j) if j is not None else None
        nxt2 = units[j2] if j2 is not None else None
        body_follows = nxt is not None and (
            nxt.kind == "text" or (nxt.kind == "short" and nxt2 is not None and nxt2.kind == "text")
        )
        if (
            len(parts) >= 2
            and all(len(p) <= 16 and _balanced(p) for p in parts[-2:])
            and not any(clean.looks_like_caption(p) for p in parts[-2:])
            and nxt is not None
            and nxt.kind == "text"
            and not uses_marks
        ):
            # Paired heading of the five-year style; lines above it are a caption.
            u.kind, u.text, u.level = "heading", " ".join(parts[-2:]), 1
            u.line = u.lines[-2].no
            continue
        if len(parts) == 1 and len(parts[0]) <= 2 and i > 0 and units[i - 1].kind == "heading":
            units[i - 1].text += parts[0]  # a heading wrapped onto a second line (…显著增 / 强)
            u.kind = "drop"
            continue
        isolated = u.blank_before >= 3 and u.blank_after >= 3  # photo blocks of page layouts
        if (
            len(parts) == 1
            and _bare_heading_shape(parts[0], after_heading=i > 0 and units[i - 1].kind == "heading")
            and not clean.looks_like_caption(parts[0])
            and not isolated
            and not uses_marks
            and body_follows
        ):
            u.kind = "heading"
            prev = units[i - 1] if i > 0 else None
            # A bare heading right under another bare heading is its sub-heading (思想铸魂 / 深挖…).
            sub = prev is not None and prev.kind == "heading" and not prev.marks and not line_level(prev.text)
            u.level = 2 if has_numbered or sub else 1
            continue
        # A short line among headings (not a photo block, not a caption) is text of the report:
        # keep it rather than lose it.
        # A numbered line or a 一是 point is never a photo caption.
        structural = nxt is None or nxt.kind in ("heading", "title") or bool(line_level(u.text) or POINT_START.match(u.text))
        # Inside the body (below a paragraph or heading), a line that is no caption is the report's.
        structural = structural or any(x.kind in ("text", "heading") for x in units[max(0, i - 1) : i])
        if structural and (not isolated or not has_text) and not any(clean.looks_like_caption(p) for p in parts):
            u.kind = "text"
            continue
        u.kind = "drop"


def _balanced(s: str) -> bool:
    return s.count("“") == s.count("”") and s.count("《") == s.count("》")


# --- pass 3: articles, sections, passages -------------------------------------------------------


def segment(text: str) -> list[Article]:
    lines, entries = _lines(text)
    entry_keys = {clean.title_key(e) for e in entries}
    units = _units(_groups(lines), entry_keys)
    uses_marks = any(u.marks for u in units)
    _list_items(units)
    _resolve_short(units, uses_marks)
    units = [u for u in units if u.kind != "drop"]
    if uses_marks:
        _levels_from_marks(units)
    units = _drop_repeats(units)
    _find_titles(units, has_toc=bool(entries))
    units = [u for u in units if u.kind != "drop"]
    _join_broken_paragraphs(units)
    _levels_under_parts(units)
    units = _run_in_headings(units)
    return _build(units)


def _list_items(units: list[Unit]) -> None:
    """Numbered whole sentences with no body of their own, one after another at the same
    level ((2)、在街道总工会的努力下，…补助。 (3)、…), are the items of a list, not headings."""
    def item_like(u: Unit) -> bool:
        return (
            u.kind == "heading" and u.level > 0 and not u.marks and len(u.text) > 30
            and len(u.lines) == 1 and u.lines[0].text.rstrip() == u.text + "。"
        )

    prev_item_level = 0
    for i, u in enumerate(units):
        nxt = units[i + 1] if i + 1 < len(units) else None
        if item_like(u) and (
            (nxt is not None and nxt.kind == "heading" and nxt.level == u.level) or prev_item_level == u.level
        ):
            u.kind, u.text = "text", u.text + "。"
            prev_item_level = u.level
        elif u.kind != "text":
            prev_item_level = 0 if u.kind == "heading" else prev_item_level


def _drop_repeats(units: list[Unit]) -> list[Unit]:
    """Web pages repeat their title (and a preview of the first headings) above the text:
    a heading that repeats one above it, with no paragraph of body text in between, is a copy."""
    seen: set[str] = set()
    out: list[Unit] = []
    for u in units:
        if u.kind == "text" and len(u.text) > 20:
            seen.clear()
        elif u.kind in ("heading", "title", "subtitle") and len(u.text) <= 40:
            key = clean.title_key(u.text)
            if key in seen:
                continue
            seen.add(key)
        out.append(u)
    return out


def _levels_from_marks(units: list[Unit]) -> None:
    first = units[0] if units else None
    title_depth = first.marks if first is not None and first.marks else None
    for u in units:
        if u.marks and u.text.startswith(("——", "--", "—")):
            u.kind = "subtitle"
    depths = sorted({u.marks for u in units if u.marks and u.kind == "heading" and u.marks != title_depth})
    for u in units:
        if not u.marks or u.kind == "subtitle":
            continue
        if u.marks == title_depth:
            u.kind = "title"
        else:
            u.level = numbered_level(u.text) or depths.index(u.marks) + 1


def _find_titles(units: list[Unit], has_toc: bool) -> None:
    """Article titles: TOC entries in a compilation; otherwise a heading that opens the text
    or that is followed by a subtitle (——…, or a line naming the unit)."""
    if has_toc:
        return
    # Of several headings before the first paragraph, the last is the title (with its
    # subtitle); the ones above it are mastheads such as 菏泽工会.
    lead = []
    for u in units:
        if u.kind == "text":
            break
        if u.kind == "heading" and not u.marks and not line_level(u.text) and not u.text.startswith("——"):
            lead.append(u)
    for u in lead[:-2]:
        u.kind = "drop"
    if len(lead) == 2 and not _ORG_HINT.search(lead[1].text):
        lead[0].kind = "drop"
    seen_text = False
    for i, u in enumerate(units):
        if u.kind == "text":
            seen_text = True
            continue
        if u.kind != "heading" or u.marks:
            continue
        nxt = units[i + 1] if i + 1 < len(units) else None
        sub = (
            nxt is not None
            and nxt.kind == "heading"
            and not line_level(nxt.text)
            and (nxt.text.startswith("——") or _ORG_HINT.search(nxt.text) is not None)
        )
        if not seen_text and not line_level(u.text) and not any(x.kind == "title" for x in units[:i]):
            u.kind = "title"
        elif sub and not line_level(u.text):
            u.kind = "title"
        if u.kind == "title" and sub:
            nxt.kind = "subtitle"
    for i, u in enumerate(units):
        if u.kind == "text" and u.text.startswith("——") and i > 0 and units[i - 1].kind == "title" and len(u.text) <= 40:
            u.kind = "subtitle"
    _titles_from_numbering_restarts(units)


def _titles_from_numbering_restarts(units: list[Unit]) -> None:
    """A compilation without a TOC: when 一、 starts again after 二、 or later, the bare
    heading just above the restart opens a new article."""
    seen = 0
    last_numbered = -1
    for i, u in enumerate(units):
        if u.kind == "title":
            seen = 0
        if u.kind != "heading" or u.level != 1 or not numbered_level(u.text):
            continue
        number = CN_NUM.find(u.text[0]) + 1
        if number == 1 and seen >= 2:
            for cand in units[last_numbered + 1 : i]:
                if cand.kind == "heading" and not numbered_level(cand.text) and not cand.marks:
                    cand.kind = "title"
                    break
        seen = max(seen, number) if number != 1 else 1
        last_numbered = i


def _join_broken_paragraphs(units: list[Unit]) -> None:
    """A paragraph cut by a page or column break (or by a removed caption) continues
    in the next text unit: join them when the first does not end a sentence and the
    second does not start a new indented paragraph."""
    i = 0
    while i < len(units) - 1:
        a, b = units[i], units[i + 1]
        if (
            a.kind == "text"
            and b.kind == "text"
            and not clean.ends_sentence(a.text)
            and not b.indented
            and not _POINT.match(b.text)
        ):
            a.text = a.text + b.text
            a.lines = a.lines + b.lines
            del units[i + 1]
            continue
        i += 1


# --- run-in headings -------------------------------------------------------------------------

# Openers of ordinary sentences, never a heading's lead: 今年以来，… 目前，…
_PLAIN_OPENER = re.compile(r"^(今年|去年|明年|目前|同时|此外|其中|全年|截至|截止|近年|为此|据|经|通过|在|按照|根据|如|但|并|又|还|共|我们|我局|我校|我镇|他们)")
_SHORT_LEAD = 24  # characters of an unnumbered lead clause


def _first_sentence(text: str) -> str:
    m = re.search(r"[。！？]", text)
    return text[: m.start()] if m else ""


def _unnumbered_lead(text: str) -> bool:
    """A short verdict sentence that can head a paragraph: 实施精准帮扶。 职工素质持续提升。"""
    lead = _first_sentence(text)
    return (
        6 <= len(strip_pinyin(lead)) <= 16
        and len(text) - len(lead) >= 20
        and not re.search(r"[，,：:；;、\d]", lead)
        and not _PLAIN_OPENER.match(lead)
        and not re.match(r"^[这那此其它他她我你]", lead)
        and not _POINT.match(lead)
        and _balanced(lead)
    )


def _run_in_headings(units: list[Unit]) -> list[Unit]:
    """Cut run-in headings off their paragraphs (ISSUE: the commonest heading in Chinese
    reports). Three shapes are recognised, each by evidence beyond one sentence:
    - a 一是/二是 point whose lead sentence is short (≤ 22 characters, at most one comma),
      a level below the heading it sits under;
    - parallel lead clauses: two or more paragraphs of one section that each open with a
      short verdict sentence (实施精准帮扶。…), or three such sentences of similar length
      inside one long paragraph (a news item run together);
    - anaphoric leads: three or more paragraphs opening with the same words before a comma
      (这一年，我们…), whose first clause after those words is the heading.
    """
    out: list[Unit] = []
    level = 0
    i = 0
    while i < len(units):
        u = units[i]
        if u.kind != "text":
            if u.kind == "heading":
                level = u.level or 1
            elif u.kind == "title":
                level = 0
            out.append(u)
            i += 1
            continue
        j = i
        while j < len(units) and units[j].kind == "text":
            j += 1
        out.extend(_section_run_ins(units[i:j], level))
        i = j
    return out


def _section_run_ins(paras: list[Unit], level: int) -> list[Unit]:
    sub = max(level + 1, 2)  # a run-in heading sits below any heading on a line of its own
    leads = [p for p in paras if _unnumbered_lead(p.text)]
    if len(leads) * 2 < len(paras):
        leads = []  # parallel leads open most paragraphs of their section
    anaphora = _anaphoric_prefix(paras)
    aspects = [p for p in paras if _ASPECT.match(p.text)]
    out: list[Unit] = []
    for p in paras:
        if len(aspects) >= 2 and p in aspects:
            out.extend(_cut(p, _ASPECT.match(p.text).group(1), sub))  # 服务大局方面，聚焦…
            continue
        if anaphora and p.text.startswith(anaphora):
            rest = p.text[len(anaphora):]
            first = _first_sentence(p.text)
            m = re.search(r"[，,]", rest)
            head = first if first and len(first) <= 40 else (anaphora + rest[: m.start()] if m else "")
            if head and len(head) < len(p.text) - 10:
                out.extend(_cut(p, head, sub))
                continue
        if len(leads) >= 2 and p in leads:
            out.extend(_cut(p, _first_sentence(p.text), sub))
            continue
        out.extend(_split_points(p, sub))
    result: list[Unit] = []
    for u in out:
        result.extend(_split_parallel_inside(u, sub) if u.kind == "text" else [u])
    return result


# A lead naming the area the paragraph is about: 服务大局方面，聚焦… / ——在服务方面，持续…
_ASPECT = re.compile(r"^((?:——)?[^，,。；]{2,12}方面)[，,：:]")


def _cut(p: Unit, head: str, level: int) -> list[Unit]:
    rest = p.text[len(head):].lstrip("。！？，, ")
    h = Unit("heading", head, p.line, level=level, lines=p.lines, runin=True)
    t = Unit("text", rest, p.line, indented=p.indented, lines=p.lines)
    return [h, t] if rest else [h]


def _anaphoric_prefix(paras: list[Unit]) -> str:
    """The opening words (up to a comma) shared by three or more paragraphs: 这一年，"""
    counts: dict[str, int] = {}
    for p in paras:
        m = re.match(r"^[—-]*([^，,。]{2,6}[，,])", p.text)
        if m:
            counts[m.group(0)] = counts.get(m.group(0), 0) + 1
    best = max(counts.items(), key=lambda kv: kv[1], default=("", 0))
    return best[0] if best[1] >= 3 and not _PLAIN_OPENER.match(best[0].lstrip("—-")) else ""


def _split_points(p: Unit, level: int) -> list[Unit]:
    """一是抓思想武装。围绕… : each point with a short lead sentence becomes a heading."""
    text = p.text
    cuts = []
    for m in _POINT.finditer(text):
        start = m.start()
        if start and text[start - 1] not in "。！？；; ":
            continue
        lead = _first_sentence(text[start:])
        if lead and len(strip_pinyin(lead)) <= 22 and lead.count("，") + lead.count(",") <= 1 and len(text) - start - len(lead) > 10:
            cuts.append((start, lead))
    if not cuts:
        return [p]
    out: list[Unit] = []
    if cuts[0][0] > 0:
        out.append(Unit("text", text[: cuts[0][0]].strip(), p.line, indented=p.indented, lines=p.lines))
    for (start, lead), nxt in zip(cuts, cuts[1:] + [(len(text), "")]):
        out.append(Unit("heading", lead, p.line, level=level, lines=p.lines, runin=True))
        rest = text[start + len(lead) : nxt[0]].lstrip("。！？ ")
        if rest:
            out.append(Unit("text", rest, p.line, lines=p.lines))
    return out


def _split_parallel_inside(p: Unit, level: int) -> list[Unit]:
    """Three or more short verdict sentences of similar length inside one long paragraph
    (a news summary run together): each opens a part."""
    if len(p.text) < 150:
        return [p]
    spans = []
    pos = 0
    for sent in re.finditer(r"[^。！？]+[。！？]", p.text):
        body = sent.group(0)[:-1]
        if pos < sent.start():
            pos = sent.start()
        if 6 <= len(body) <= 16 and not re.search(r"[，,：:；;、\d“”]", body) and not _PLAIN_OPENER.match(body):
            spans.append((sent.start(), body))
    if len(spans) < 3 or max(len(b) for _, b in spans) - min(len(b) for _, b in spans) > 3:
        return [p]
    if any(b - a < 40 for (a, _), (b, _) in zip(spans, spans[1:])):
        return [p]
    out: list[Unit] = []
    if spans[0][0] > 0:
        out.append(Unit("text", p.text[: spans[0][0]], p.line, indented=p.indented, lines=p.lines))
    for (start, body), nxt in zip(spans, spans[1:] + [(len(p.text), "")]):
        out.append(Unit("heading", body, p.line, level=level, lines=p.lines, runin=True))
        rest = p.text[start + len(body) + 1 : nxt[0]]
        if rest:
            out.append(Unit("text", rest, p.line, lines=p.lines))
    return out


def _build(units: list[Unit]) -> list[Article]:
    articles: list[Article] = []
    article: Article | None = None
    section: Section | None = None

    def ensure_article(line: int) -> Article:
        nonlocal article
        if article is None:
            article = Article(title="", line=line)
            articles.append(article)
        return article

    for u in units:
        if u.kind == "title":
            title, _, sub = u.text.partition(" ——")  # a title over two lines with its —— subtitle
            article = Article(title=clean.tidy_heading(title), line=u.line)
            if sub:
                article.subtitle = clean.tidy_heading(sub).lstrip("—- ")
            articles.append(article)
            section = None
        elif u.kind == "subtitle":
            art = ensure_article(u.line)
            art.subtitle = clean.tidy_heading(u.text).lstrip("—- ")
        elif u.kind == "heading":
            art = ensure_article(u.line)
            section = Section(heading=clean.tidy_heading(u.text), level=u.level or 1, line=u.line)
            art.sections.append(section)
        elif u.kind == "text":
            art = ensure_article(u.line)
            if section is None:
                section = Section(heading="", level=0, line=u.line)
                art.sections.append(section)
            for piece in split_passage(clean.tidy_body(u.text)):
                section.passages.append(Passage(text=piece, line=u.line))
            # a section belongs to one article; a new title resets it
        if u.kind == "title":
            section = None
    return [a for a in articles if a.sections or a.title]


def split_passage(text: str, limit: int = MAX_PASSAGE) -> list[str]:
    """Split a long paragraph at its 一是/二是 points, else at sentence ends, into pieces ≤ limit."""
    if len(text) <= limit:
        return [text] if text else []
    points = [m.start() for m in _POINT.finditer(text)]
    # 一是 must be among the points for an enumeration, and each piece must start at one.
    if len(points) >= 2:
        cuts = [0] + [p for p in points if p > 0] + [len(text)]
        pieces = [text[a:b].strip() for a, b in zip(cuts, cuts[1:]) if text[a:b].strip()]
        out: list[str] = []
        for piece in pieces:
            out.extend(_split_sentences(piece, limit) if len(piece) > limit else [piece])
        return out
    return _split_sentences(text, limit)


_SENTENCE_END = re.compile(r"(?<=[。！？；])(?![”’」）])")


def _split_sentences(text: str, limit: int) -> list[str]:
    sentences = [s for s in _SENTENCE_END.split(text) if s]
    out: list[str] = []
    current = ""
    for s in sentences:
        if current and len(current) + len(s) > limit and current.endswith(("。", "！", "？")):
            out.append(current)
            current = s
        else:
            current += s
    if current:
        out.append(current)
    return out
