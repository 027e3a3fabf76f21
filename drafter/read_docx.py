"""Read a .docx as people type it into plain text with Markdown ``#`` marks.

What Word shows is what we return: the title set apart (``# ``), headings from styles,
outline levels, automatic list numbering (the number rendered from numbering.xml, as
Word displays it) and wholly bold or larger paragraphs; tables row by row, each table
one paragraph that keeps its figures, in the place it sits in the body.
"""

from __future__ import annotations

import io
import re
import weakref
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputFileError
from .limits import check_zip_members

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.I)
_SENTENCE_END = "。！？；"


def docx_text(path: Path, data: bytes) -> str:
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise InputFileError(str(path), "文件已加密，或是旧版 .doc 格式；请在 Word 中取消密码并另存为 .docx")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InputFileError(str(path), "不是有效的 .docx 文件（文件损坏或扩展名不对）") from None
    with archive:
        check_zip_members(path, archive)
    import docx  # python-docx; imported here to keep start-up light

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several kinds for broken packages
        raise InputFileError(str(path), f"不是有效的 .docx 文件（{type(exc).__name__}）") from exc
    return _Reader(document).text()


@dataclass
class _Para:
    text: str
    marks: int = 0
    centred: bool = False
    emphasis: bool = False  # wholly bold or larger than the body
    table: bool = False


@dataclass
class _Reader:
    document: object
    numbering: "_Numbering" = field(init=False)
    body_size: float = field(init=False, default=0.0)

    def __post_init__(self) -> None:
        self.numbering = _Numbering.of(self.document)

    def text(self) -> str:
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        items: list[Paragraph | Table] = []
        for child in _body_children(self.document.element.body):
            if child.tag == f"{W}p":
                items.append(Paragraph(child, self.document))
            elif child.tag == f"{W}tbl":
                items.append(Table(child, self.document))
        self.body_size = _body_size(p for p in items if isinstance(p, Paragraph))
        paras = [self._table(t) if isinstance(t, Table) else self._paragraph(t) for t in items]
        self._mark_title(paras)
        lines = []
        for p in paras:
            if not p.text.strip() and lines and not lines[-1].strip():
                continue  # runs of empty paragraphs are one gap, not a photo block's blank lines
            text = p.text.strip() if p.marks else p.text
            lines.append("#" * p.marks + " " + text if p.marks and text else text)
        # Most Word files hold one paragraph per paragraph: separate them by a blank line.
        # Files converted from text keep its blank lines as empty paragraphs: keep them as lines.
        empty = sum(1 for l in lines if not l.strip())
        return "\n".join(lines) if empty >= 0.2 * len(lines) else "\n\n".join(lines)

    def _paragraph(self, para) -> _Para:
        text = _para_text(para)
        number, ilvl = self.numbering.render(para)
        centred = _alignment(para) == "center"
        size = _max_size(para)
        emphasis = bool(text.strip()) and (
            _all_bold(para) or (self.body_size > 0 and size >= self.body_size + 1.5)
        )
        marks = _style_marks(para) or _outline_marks(para)
        if number is not None:
            text = number + text.lstrip()
            if not marks and _heading_shaped(text, limit=None):
                marks = min(ilvl + 2, 6)
        if not marks and emphasis and _heading_shaped(text.strip(), limit=60):
            marks = 2 if size >= self.body_size + 1.5 else 3
        return _Para(text, marks, centred, emphasis)

    def _table(self, table) -> _Para:
        rows: list[list[str]] = []
        for row in table.rows:
            cells, seen = [], set()
            for cell in row.cells:
                if id(cell._tc) in seen:  # a merged cell is listed once per grid column it spans
                    continue
                seen.add(id(cell._tc))
                cells.append(re.sub(r"\s+", " ", cell.text).strip())
            if any(cells):
                rows.append(cells)
        return _Para(table_paragraph(rows), table=True)

    def _mark_title(self, paras: list[_Para]) -> None:
        """The first non-empty paragraph is the title when it is set apart from the body."""
        first = next((i for i, p in enumerate(paras) if p.text.strip()), None)
        if first is None or paras[first].table:
            return
        p = paras[first]
        if p.marks == 1 or (p.marks and p.marks > 1 and not p.centred):
            return
        # Marks switch the segmenter to trusting marks alone: mark the title only when the
        # headings are marked too, else leave it to the segmenter's own title rule.
        if not any(q.marks for q in paras[first + 1 :]):
            return
        blank_after = first + 1 < len(paras) and not paras[first + 1].text.strip()
        text = p.text.strip()
        if len(text) <= 80 and not text.endswith(tuple(_SENTENCE_END)) and (p.centred or p.emphasis or blank_after):
            p.marks = 1


def table_paragraph(rows: list[list[str]]) -> str:
    """A table as one paragraph: ``label：header value，…；`` per row when the first row
    is a header of words, else the cells of each row joined; rows end with ``；``."""
    if not rows:
        return ""
    header = rows[0]
    wide = max(len(r) for r in rows)
    has_header = (
        len(rows) > 1 and wide > 1 and not any(_numeric(c) for c in header)
        and any(_numeric(c) for r in rows[1:] for c in r[1:])
    )
    out = []
    body = rows[1:] if has_header else rows
    if has_header:
        out.append("，".join(c for c in header if c))
    for r in body:
        if has_header and len(r) == len(header) and len(r) > 1:
            pairs = [f"{h}{v}" if h and not v.startswith(h) else v for h, v in zip(header[1:], r[1:]) if v]
            out.append(f"{r[0]}：" + "，".join(pairs) if r[0] else "，".join(pairs))
        else:
            out.append("，".join(c for c in r if c))
    return "；".join(x.rstrip("；;。") for x in out if x) + "。"


def _numeric(s: str) -> bool:
    """A bare figure (35, 1,380, 12.5%); a label with a unit such as 2024年 is a header."""
    return bool(re.fullmatch(r"[-+]?[\d,.，．]+\s*[%％]?", s.strip()))


def _body_children(body):
    """Paragraphs and tables of the body in order, including those inside content controls."""
    for child in body.iterchildren():
        if child.tag == f"{W}sdt":
            content = child.find(f"{W}sdtContent")
            if content is not None:
                yield from _body_children(content)
        else:
            yield child


def _para_text(para) -> str:
    # python-docx's Paragraph.text covers runs and hyperlinks; tabs and breaks become spaces/newlines.
    return para.text.replace("\n", " ").replace("\t", " ")


def _heading_shaped(text: str, limit: int | None) -> bool:
    """A heading has no sentence inside it: nothing after its first 。 but the end."""
    s = text.strip().rstrip("。")
    if not s or (limit is not None and len(s) > limit):
        return False
    return not any(ch in s for ch in _SENTENCE_END) and not s.endswith(("：", ":", "，"))


_CHAINS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _style_chain(para) -> list:
    """The paragraph's style and those it is based on, looked up once per style of a document
    (python-docx scans every style for each lookup: most of the reading time otherwise)."""
    chains = _CHAINS.setdefault(para.part, {})
    style_id = para._p.style
    if style_id not in chains:
        chain, style = [], para.style
        while style is not None and len(chain) < 20:  # a based-on loop must not hang
            chain.append(style)
            style = style.base_style
        chains[style_id] = chain
    return chains[style_id]


def _style_marks(para) -> int:
    """Markdown ``#`` count for a paragraph's style: Title → 1, Heading N → N+1, body → 0."""
    for style in _style_chain(para):
        name = (style.name or "").strip()
        if name.lower() == "title" or name == "标题":
            return 1
        m = _HEADING_STYLE.match(name)
        if m:
            return min(int(m.group(1)) + 1, 6)
    return 0


def _ppr_value(para, tag: str):
    """A paragraph property from the paragraph or the first style in its chain that sets it."""
    ppr = para._p.pPr
    if ppr is not None and ppr.find(f"{W}{tag}") is not None:
        return ppr.find(f"{W}{tag}")
    for style in _style_chain(para):
        sppr = style.element.find(f"{W}pPr")
        if sppr is not None and sppr.find(f"{W}{tag}") is not None:
            return sppr.find(f"{W}{tag}")
    return None


def _outline_marks(para) -> int:
    el = _ppr_value(para, "outlineLvl")
    if el is None:
        return 0
    try:
        level = int(el.get(f"{W}val", "9"))
    except ValueError:
        return 0
    return min(level + 2, 6) if level < 9 else 0


def _alignment(para) -> str:
    el = _ppr_value(para, "jc")
    return el.get(f"{W}val", "") if el is not None else ""


def _runs(para):
    return [r for r in para.runs if r.text.strip()]


def _run_bold(run, para) -> bool:
    if run.bold is not None:
        return bool(run.bold)
    for style in _style_chain(para):
        if style.font.bold is not None:
            return bool(style.font.bold)
    return False


def _all_bold(para) -> bool:
    runs = _runs(para)
    return bool(runs) and all(_run_bold(r, para) for r in runs)


def _run_size(run, para) -> float:
    if run.font.size is not None:
        return run.font.size.pt
    for style in _style_chain(para):
        if style.font.size is not None:
            return style.font.size.pt
    return 0.0


def _max_size(para) -> float:
    return max((_run_size(r, para) for r in _runs(para)), default=0.0)


def _body_size(paras) -> float:
    """The font size carrying most characters: the body's."""
    weight: dict[float, int] = {}
    for p in paras:
        for r in _runs(p):
            size = _run_size(r, p)
            weight[size] = weight.get(size, 0) + len(r.text)
    return max(weight, key=weight.get) if weight else 0.0


# --- automatic list numbering ------------------------------------------------------------


@dataclass
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    legal: bool = False


@dataclass
class _Numbering:
    """numbering.xml: which list a paragraph is in, and the number Word shows for it."""

    levels: dict[str, dict[int, _Level]] = field(default_factory=dict)  # abstractNumId → ilvl → level
    nums: dict[str, tuple[str, dict[int, int]]] = field(default_factory=dict)  # numId → (abstract, overrides)
    counters: dict[str, list[int | None]] = field(default_factory=dict)
    restarted: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, document) -> "_Numbering":
        self = cls()
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return self
        for absn in root.findall(f"{W}abstractNum"):
            levels = {}
            for lvl in absn.findall(f"{W}lvl"):
                levels[_int(lvl.get(f"{W}ilvl"), 0)] = _Level(
                    start=_int(_val(lvl, "start"), 1),
                    fmt=_val(lvl, "numFmt") or "decimal",
                    text=_val(lvl, "lvlText") if lvl.find(f"{W}lvlText") is not None else "",
                    legal=lvl.find(f"{W}isLgl") is not None,
                )
            self.levels[absn.get(f"{W}abstractNumId", "")] = levels
        for num in root.findall(f"{W}num"):
            overrides = {}
            for ov in num.findall(f"{W}lvlOverride"):
                start = ov.find(f"{W}startOverride")
                if start is not None:
                    overrides[_int(ov.get(f"{W}ilvl"), 0)] = _int(start.get(f"{W}val"), 1)
            self.nums[num.get(f"{W}numId", "")] = (_val(num, "abstractNumId") or "", overrides)
        return self

    def render(self, para) -> tuple[str | None, int]:
        """(the number Word shows before the paragraph, its list level), or (None, 0)."""
        numpr = _ppr_value(para, "numPr")
        if numpr is None:
            return None, 0
        num_id = _val(numpr, "numId") or ""
        ilvl = _int(_val(numpr, "ilvl"), 0)
        if num_id not in self.nums or num_id == "0":
            return None, 0
        abstract, overrides = self.nums[num_id]
        levels = self.levels.get(abstract, {})
        if ilvl not in levels:
            return None, 0
        # Lists sharing an abstract definition share counters, as in Word, unless a num restarts them.
        key = abstract
        counters = self.counters.setdefault(key, [None] * 10)
        if overrides and num_id not in self.restarted:
            self.restarted.add(num_id)
            for lvl, start in overrides.items():
                if lvl < 10:
                    counters[lvl] = start - 1
        level = levels[ilvl]
        counters[ilvl] = level.start if counters[ilvl] is None else counters[ilvl] + 1
        for deeper in range(ilvl + 1, 10):
            counters[deeper] = None
        if level.fmt == "bullet":
            return None, 0

        def one(match: re.Match) -> str:
            k = int(match.group(1)) - 1
            lv = levels.get(k, _Level())
            value = counters[k] if counters[k] is not None else lv.start
            return format_number(value, "decimal" if level.legal and k != ilvl else lv.fmt)

        return re.sub(r"%([1-9])", one, level.text), ilvl


def _val(el, tag: str) -> str | None:
    child = el.find(f"{W}{tag}")
    return child.get(f"{W}val") if child is not None else None


def _int(s: str | None, default: int) -> int:
    try:
        return int(s) if s is not None else default
    except ValueError:
        return default


_DIGITS = "〇一二三四五六七八九"
_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_STEMS = "甲乙丙丁戊己庚辛壬癸"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def format_number(n: int, fmt: str) -> str:
    """A list counter in one of Word's number formats (ST_NumberFormat)."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting", "taiwaneseCounting",
               "taiwaneseCountingThousand", "ideographLegalTraditional"):
        return chinese_number(n)
    if fmt == "chineseLegalSimplified":
        return chinese_number(n, _LEGAL, "拾佰仟")
    if fmt in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand"):
        return "".join(_DIGITS[int(d)] for d in str(n))
    if fmt in ("ideographTraditional",):
        return _STEMS[(n - 1) % 10]
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return _CIRCLED[n - 1] if 1 <= n <= 20 else str(n)
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return "".join(chr(0xFF10 + int(d)) for d in str(n))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("upperLetter", "lowerLetter"):
        letter = chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter if fmt == "upperLetter" else letter.lower()
    if fmt in ("upperRoman", "lowerRoman"):
        roman = _roman(n)
        return roman if fmt == "upperRoman" else roman.lower()
    if fmt == "none":
        return ""
    return str(n)


def chinese_number(n: int, digits: str = "零一二三四五六七八九", units: str = "十百千") -> str:
    """1 → 一, 10 → 十, 11 → 十一, 20 → 二十, 105 → 一百零五 (as Word's chineseCounting)."""
    if n <= 0 or n >= 10000:
        return str(n)
    out, zero = "", False
    for power, unit in ((1000, units[2]), (100, units[1]), (10, units[0]), (1, "")):
        d = n // power % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out += digits[0]
            zero = False
        out += ("" if (d == 1 and power == 10 and not out and units == "十百千") else digits[d]) + unit
    return out


def _roman(n: int) -> str:
    out = ""
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                       (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += sym
            n -= value
    return out
