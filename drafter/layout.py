"""`drafter check --layout`: where a Word file departs from a layout profile.

Each body paragraph gets its role from the text (``typeset.recognise``, the same as
``format``) and its effective values are read back from the XML: direct formatting, then
the character and paragraph style chains, then the document defaults. Page setup, the line
grid, page numbers and tables are checked too. The result is ``drafter.check.Finding`` of
type ``layout``, numbered like the text checks (non-empty paragraphs from 1; 0 = the
document as a whole).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from .docx_writer import AMBIGUOUS, ROLE_LABELS, RoleLayout, first_line_chars, role_layout
from .profile import Profile, load_profile, size_label
from . import docx_xml as X
from .typeset import open_docx, recognise, run_in_lead

KINDS = {
    "font": "字体", "size": "字号", "bold": "加粗", "theme": "主题字体", "quotes": "引号破折号", "align": "对齐",
    "indent": "缩进", "spacing": "行距", "before_after": "段前段后", "page": "纸张", "margins": "页边距",
    "grid": "网格", "page_number": "页码", "table": "表格",
}
_ALIGN_NAMES = {"both": "两端对齐", "distribute": "分散对齐", "center": "居中", "right": "右对齐", "end": "右对齐",
                "left": "左对齐", "start": "左对齐", None: "左对齐"}
_ALIGN_XML = {WD_ALIGN_PARAGRAPH.JUSTIFY: "both", WD_ALIGN_PARAGRAPH.CENTER: "center",
              WD_ALIGN_PARAGRAPH.RIGHT: "right", WD_ALIGN_PARAGRAPH.LEFT: "left"}
_TRUE_VALS = {None, "1", "true", "on"}


@dataclass
class LayoutIssue:
    paragraph: int  # 1-based among non-empty paragraphs; 0 for the page, tables, footers
    text: str
    role: str
    kinds: list[str] = field(default_factory=list)
    found: list[str] = field(default_factory=list)  # what it is
    expected: list[str] = field(default_factory=list)  # what it should be

    def add(self, kind: str, found: str, expected: str) -> None:
        if kind not in self.kinds:
            self.kinds.append(kind)
        if found not in self.found:
            self.found.append(found)
        if expected not in self.expected:
            self.expected.append(expected)

    @property
    def message(self) -> str:
        label = ROLE_LABELS.get(self.role) or {"page": "页面"}.get(self.role, self.role)
        return f"{'、'.join(self.found)}，{label}应为{'，'.join(self.expected)}"


class Resolver:
    """Effective run and paragraph properties: direct → styles (basedOn chain) → defaults."""

    def __init__(self, doc):
        root = doc.styles.element
        self.styles = {s.get(qn("w:styleId")): s for s in root.iterchildren(qn("w:style"))}
        self.default_para = next(
            (sid for sid, s in self.styles.items() if s.get(qn("w:type")) == "paragraph" and s.get(qn("w:default")) in ("1", "true")),
            None,
        )
        dd = root.find(qn("w:docDefaults"))
        self.default_rpr = dd.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}") if dd is not None else None
        self.default_ppr = dd.find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}") if dd is not None else None
        self._chains: dict[tuple[str | None, str], list] = {}

    def chain(self, style_id: str | None, part: str) -> list:
        """The w:pPr or w:rPr elements of a style and the styles it is based on."""
        key = (style_id, part)
        if key not in self._chains:
            out, seen = [], set()
            while style_id and style_id in self.styles and style_id not in seen:
                seen.add(style_id)
                s = self.styles[style_id]
                el = s.find(qn(f"w:{part}"))
                if el is not None:
                    out.append(el)
                based = s.find(qn("w:basedOn"))
                style_id = based.get(qn("w:val")) if based is not None else None
            self._chains[key] = out
        return self._chains[key]

    def para_style(self, p) -> str | None:
        ps = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        return ps.get(qn("w:val")) if ps is not None else self.default_para

    def ppr_levels(self, p) -> list:
        levels = [p.find(qn("w:pPr"))] + self.chain(self.para_style(p), "pPr") + [self.default_ppr]
        return [x for x in levels if x is not None]

    def rpr_levels(self, r, p) -> list:
        rpr = r.find(qn("w:rPr"))
        rstyle = rpr.find(qn("w:rStyle")) if rpr is not None else None
        levels = [rpr]
        if rstyle is not None:
            levels += self.chain(rstyle.get(qn("w:val")), "rPr")
        levels += self.chain(self.para_style(p), "rPr") + [self.default_rpr]
        return [x for x in levels if x is not None]

    @staticmethod
    def attr(levels: list, tag: str, attr: str = "val"):
        """(found, value) of the first level that sets ``tag``'s ``attr``."""
        for el in levels:
            c = el.find(qn(f"w:{tag}"))
            if c is not None and (attr == "" or c.get(qn(f"w:{attr}")) is not None):
                return True, c.get(qn(f"w:{attr}")) if attr else c
        return False, None

    @staticmethod
    def east_asia_font(levels: list) -> str:
        for el in levels:
            f = el.find(qn("w:rFonts"))
            if f is None:
                continue
            if f.get(qn("w:eastAsiaTheme")):
                return f"主题字体（{f.get(qn('w:eastAsiaTheme'))}）"
            if f.get(qn("w:eastAsia")):
                return f.get(qn("w:eastAsia"))
        return "未指定（由软件替换）"

    @staticmethod
    def uses_theme(levels: list) -> bool:
        for el in levels:
            f = el.find(qn("w:rFonts"))
            if f is not None and any(k.endswith("Theme") or k.endswith("theme") for k in f.attrib):
                return True
        return False


def _check_runs(issue: LayoutIssue, res: Resolver, p, lay: RoleLayout, bold_expected: bool | None,
                lead: tuple[RoleLayout, int] | None = None) -> None:
    for r, start, text in X.iter_runs(p):
        if not text.strip():
            continue
        in_lead = bool(lead and start < lead[1])
        want = lead[0].font if in_lead else lay.font
        accepted = {want.name, *want.fallbacks}
        label = f"段首小标题{want.label()}" if in_lead else want.label()
        levels = res.rpr_levels(r, p)
        cjk = any("\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in text)
        if cjk:
            font = res.east_asia_font(levels)
            if font not in accepted:
                issue.add("font", f"字体为{font}", label)
        if res.uses_theme(levels):
            issue.add("theme", "用了主题字体", "不用主题字体")
        found, sz = res.attr(levels, "sz")
        pt = int(sz) / 2 if found and sz and sz.isdigit() else 10  # Word's own default is 10 pt
        if abs(pt - want.size) > 0.01:
            issue.add("size", f"字号为{size_label(pt)}", label)
        found, b = res.attr(levels, "b", "")
        is_bold = found and b.get(qn("w:val")) in _TRUE_VALS
        should = want.bold if bold_expected is None else bold_expected
        if cjk and is_bold != should:
            issue.add("bold", "加粗" if is_bold else "未加粗", label if bold_expected is None else "表头加粗")
        if AMBIGUOUS.search(text):
            f = r.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
            if f is None or f.get(qn("w:hint")) != "eastAsia":
                issue.add("quotes", "引号、破折号等用西文字体（显示为半角）", "引号、破折号用中文字体")


def _check_paragraph(issue: LayoutIssue, res: Resolver, p, lay: RoleLayout, want_first: float) -> None:
    levels = res.ppr_levels(p)
    _, jc = res.attr(levels, "jc")
    want_jc = _ALIGN_XML[lay.align]
    if not (jc == want_jc or (want_jc == "right" and jc == "end")):
        issue.add("align", f"{_ALIGN_NAMES.get(jc, jc)}", _ALIGN_NAMES[want_jc])
    size = lay.font.size

    def chars(name: str) -> float:
        found, v = res.attr(levels, "ind", f"{name}Chars")
        if found and v not in (None, "0"):
            return int(v) / 100
        found, v = res.attr(levels, "ind", name)
        return int(v) / (size * 20) if found and v else 0.0

    first = chars("firstLine") - chars("hanging")
    if abs(first - want_first) > 0.15:  # want_first: less the spaces typed at the start
        issue.add("indent", f"首行缩进{first:.3g}字", f"首行缩进{want_first:g}字" if want_first else "首行不缩进")
    for side, want, label in (("left", lay.left_chars, "左"), ("right", lay.right_chars, "右")):
        got = chars(side)
        if abs(got - want) > 0.15:
            issue.add("indent", f"{label}缩进{got:.3g}字", f"{label}缩进{want:g}字" if want else f"{label}侧不缩进")
    _, rule = res.attr(levels, "spacing", "lineRule")
    _, line = res.attr(levels, "spacing", "line")
    if lay.line_pt is not None:
        ok = rule == "exact" and line is not None and abs(int(line) / 20 - lay.line_pt) < 0.1
        if not ok:
            what = (f"行距固定值{int(line) / 20:g}磅" if rule == "exact" else
                    f"行距{int(line) / 240:.2g}倍" if line else "单倍行距")
            issue.add("spacing", what, f"行距固定值{lay.line_pt:g}磅")
    if lay.role in ("body", "h1", "h2", "h3", "h4", "attachment", "attachment_item"):
        for name, label in (("before", "段前"), ("after", "段后")):
            _, v = res.attr(levels, "spacing", name)
            if v and int(v) != 0:
                issue.add("before_after", f"{label}{int(v) / 20:g}磅", "段前段后为0")


def check_layout(doc, profile: Profile | None = None) -> list[LayoutIssue]:
    """All layout deviations of a python-docx Document from ``profile``."""
    profile = profile or load_profile()
    res = Resolver(doc)
    issues = _page_issues(doc, profile)
    paras = list(doc.paragraphs)
    texts = [p.text for p in paras]  # python-docx builds .text with XPath: once per paragraph
    roles = recognise(texts)
    layouts = {r: role_layout(profile, r) for r in set(roles) | {"table"}}
    # The text checks read a table as one paragraph where it stands: count it the same way.
    tables_before: dict = {}
    seen_tables = 0
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:tbl") and "".join(t.text or "" for t in child.iter(qn("w:t"))).strip():
            seen_tables += 1
        elif child.tag == qn("w:p"):
            tables_before[child] = seen_tables
    n = 0
    counted_tables = 0
    for para, text, role in zip(paras, texts, roles):
        n += tables_before.get(para._p, counted_tables) - counted_tables
        counted_tables = tables_before.get(para._p, counted_tables)
        lines = [l for l in text.splitlines() if l.strip()]
        if not lines:
            continue
        n += 1
        issue = LayoutIssue(n, _short(text), role)
        lay = layouts[role]
        lead = run_in_lead(X.paragraph_text(para._p)) if role == "body" else None
        _check_runs(issue, res, para._p, lay, None, (role_layout(profile, lead[0]), lead[1]) if lead else None)
        _check_paragraph(issue, res, para._p, lay, first_line_chars(lay, X.paragraph_text(para._p)))
        if issue.kinds:
            issues.append(issue)
        n += len(lines) - 1
    for t, tbl in enumerate(doc.element.body.iter(qn("w:tbl")), 1):
        issue = LayoutIssue(0, f"第{t}个表格", "table")
        rows = tbl.findall(qn("w:tr"))
        for k, tr in enumerate(rows):
            header = k == 0 and profile.table_header_bold and len(rows) > 1
            for p in tr.iter(qn("w:p")):
                _check_runs(issue, res, p, layouts["table"], True if header else None)
        borders = tbl.find(f"{qn('w:tblPr')}/{qn('w:tblBorders')}")
        if profile.table_border and (borders is None or borders.find(qn("w:insideH")) is None):
            issue.add("table", "没有表格线", f"{profile.table_border:g}磅单线边框")
        if issue.kinds:
            issue.kinds = ["table", *[k for k in issue.kinds if k != "table"]]
            issues.append(issue)
    return issues


def _short(text: str, n: int = 30) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n] + "…"


def _mm(length) -> float:
    return length / 36000 if length is not None else 0.0


def _page_issues(doc, profile: Profile) -> list[LayoutIssue]:
    out = []
    for k, sec in enumerate(doc.sections, 1):
        where = "页面设置" if len(doc.sections) == 1 else f"第{k}节页面设置"
        issue = LayoutIssue(0, where, "page")
        w, h = sorted((_mm(sec.page_width), _mm(sec.page_height)))
        if abs(w - profile.page_width) > 1 or abs(h - profile.page_height) > 1:
            issue.add("page", f"纸张为{w:.0f}×{h:.0f}毫米", f"纸张{profile.page_width:g}×{profile.page_height:g}毫米")
        got = [_mm(x) for x in (sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin)]
        if any(abs(a - b) > 0.5 for a, b in zip(got, profile.margins)):
            issue.add("margins", "页边距为上{:.0f}下{:.0f}左{:.0f}右{:.0f}毫米".format(*got),
                      "页边距上{:g}下{:g}左{:g}右{:g}毫米".format(*profile.margins))
        grid = sec._sectPr.find(qn("w:docGrid"))
        gtype = grid.get(qn("w:type")) if grid is not None else None
        pitch = grid.get(qn("w:linePitch")) if grid is not None else None
        if gtype != "lines" or pitch is None or abs(int(pitch) - profile.line_twips) > 1:
            what = "没有行网格" if gtype in (None, "default") else f"网格为{gtype}、行距{int(pitch or 0) / 20:g}磅"
            issue.add("grid", what, f"只设行网格，每页{profile.lines_per_page}行（行距{profile.line_pitch:g}磅）")
        if k == 1:
            _page_number_issue(issue, doc, sec, profile)
        if issue.kinds:
            out.append(issue)
    return out


def _page_number_issue(issue: LayoutIssue, doc, sec, profile: Profile) -> None:
    import re

    want = profile.page_number_text(1)
    expected = f"页码“{want}”，{profile.page_number_font.label()}，{profile.page_number_position}"
    footers = [("奇数页" if profile.page_number_position == "单右双左" else "", sec.footer, "right")]
    if profile.page_number_position == "单右双左":
        footers.append(("偶数页", sec.even_page_footer, "left"))
        if not doc.settings.odd_and_even_pages_header_footer:
            issue.add("page_number", "奇偶页页脚相同", expected)
    pattern = re.compile(re.escape(profile.page_number_format).replace(re.escape("{页}"), r"\d+"))
    for label, footer, side in footers:
        paras = [p for p in footer.paragraphs if "PAGE" in "".join(t.text or "" for t in p._p.iter(qn("w:instrText")))] \
            if footer._has_definition or not footer.is_linked_to_previous else []
        if not paras:
            issue.add("page_number", f"{label}没有页码", expected)
            continue
        p = paras[0]
        if not pattern.fullmatch(p.text.strip()):
            issue.add("page_number", f"{label}页码为“{p.text.strip()}”", expected)
        want_align = {"居中": "center"}.get(profile.page_number_position, side)
        jc = p._p.find(f"{qn('w:pPr')}/{qn('w:jc')}")
        if (jc.get(qn("w:val")) if jc is not None else None) not in (want_align, {"left": "start", "right": "end"}.get(want_align)):
            issue.add("page_number", f"{label}页码{_ALIGN_NAMES.get(jc.get(qn('w:val')) if jc is not None else None)}", expected)


def layout_findings(path: str | Path, profile: Profile | str | Path | None = None) -> list:
    """``check_layout`` of a .docx as ``drafter.check.Finding`` objects of type ``layout``."""
    from .check import Finding

    if not isinstance(profile, Profile):
        profile = load_profile(profile)
    issues = check_layout(open_docx(path), profile)
    return [Finding(type="layout", paragraph=i.paragraph, text=i.text, message=i.message,
                    suggestion="，".join(i.expected)) for i in issues]


def predicted_pages(doc, profile: Profile | None = None) -> int:
    """Pages the profile's grid predicts: lines of each paragraph at its size and chars a line."""
    profile = profile or load_profile()
    paras = list(doc.paragraphs)
    roles = recognise([p.text for p in paras])
    width = profile.text_width_pt
    lines = 0.0
    for i, (para, role) in enumerate(zip(paras, roles)):
        lay = role_layout(profile, role)
        chars = sum(0.5 if ord(ch) < 128 else 1 for ch in para.text) + lay.first_chars + lay.left_chars + lay.right_chars
        n = max(1, math.ceil(chars / (width / lay.font.size)))
        lines += n * (lay.line_pt or profile.line_pitch) / profile.line_pitch
        if role == "title" and i + 1 < len(roles) and roles[i + 1] not in ("title", "subtitle", "blank"):
            lines += profile.title_blank_lines  # the spacing format puts under the title
    table_pt = profile.font("table").size * 1.2
    for tbl in doc.element.body.iter(qn("w:tbl")):
        lines += len(tbl.findall(qn("w:tr"))) * table_pt / profile.line_pitch
    return max(1, math.ceil(lines / profile.lines_per_page - 1e-9))
