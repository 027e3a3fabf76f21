"""Raw WordprocessingML for what python-docx has no API for (FORMAT.md traps): East Asian
fonts and theme-font removal, language, character spacing, character-unit indents, the
line grid, snap-to-grid, fields, table borders, font-table fallbacks.

The schema order of child elements lives in ``ORDER`` and nowhere else: ``child()`` finds
an element or inserts it where Word and LibreOffice expect it.
"""

from __future__ import annotations

from copy import deepcopy

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

THEME_ATTRS = tuple(qn(a) for a in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"))

# Child order of the elements we write into (ECMA-376 part 1, CT_PPr, CT_RPr, CT_SectPr, CT_TblPr).
ORDER: dict[str, tuple[str, ...]] = {
    "pPr": (
        "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
        "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
        "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid",
        "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
        "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange",
    ),
    "rPr": (
        "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline", "shadow",
        "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing", "w", "kern",
        "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs",
        "em", "lang", "eastAsianLayout", "specVanish", "oMath", "rPrChange",
    ),
    "sectPr": (
        "headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz", "pgMar", "paperSrc",
        "pgBorders", "lnNumType", "pgNumType", "cols", "formProt", "vAlign", "noEndnote", "titlePg",
        "textDirection", "bidi", "rtlGutter", "docGrid", "printerSettings", "sectPrChange",
    ),
    "tblPr": (
        "tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize", "tblW",
        "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook",
        "tblCaption", "tblDescription", "tblPrChange",
    ),
    "docDefaults": ("rPrDefault", "pPrDefault"),
    "rPrDefault": ("rPr",),
    "pPrDefault": ("pPr",),
    "styles": ("docDefaults", "latentStyles", "style"),
}
# run properties a re-typeset keeps (the writer's meaning, not its look)
KEEP_RPR = ("rStyle", "strike", "dstrike", "vanish", "webHidden", "noProof", "highlight", "u", "vertAlign", "em", "rtl", "cs")
# paragraph properties a re-typeset keeps (numbering, borders, section breaks, page breaks)
KEEP_PPR = ("keepLines", "pageBreakBefore", "framePr", "numPr", "pBdr", "shd", "tabs", "sectPr")


def local(el) -> str:
    return el.tag.rsplit("}", 1)[-1]


def child(parent, tag: str):
    """The ``w:tag`` child of ``parent``, inserted in schema order when missing."""
    key = qn(f"w:{tag}")
    el = parent.find(key)
    if el is not None:
        return el
    el = OxmlElement(f"w:{tag}")
    order = ORDER[local(parent)]
    after = order[order.index(tag) + 1 :]
    for sibling in parent:
        name = local(sibling)
        if name in after:
            sibling.addprevious(el)
            return el
    parent.append(el)
    return el


def keep_only(el, keep: tuple[str, ...]) -> None:
    """Remove every child of ``el`` whose local name is not in ``keep``."""
    for c in list(el):
        if local(c) not in keep:
            el.remove(c)


def replace_properties(target, template, keep: tuple[str, ...]) -> None:
    """Make ``target`` (a w:pPr or w:rPr) a copy of ``template`` plus its own children named in
    ``keep`` (which win over the template's), in schema order. Copying a prepared template is
    what makes a 500-page file fast: python-docx's setters cost milliseconds a paragraph."""
    kept = [c for c in target if local(c) in keep]
    names = {local(c) for c in kept}
    copies = [deepcopy(c) for c in template if local(c) not in names]
    order = {name: i for i, name in enumerate(ORDER[local(target)])}
    target[:] = sorted(copies + kept, key=lambda c: order.get(local(c), len(order)))


def paragraph_text(p) -> str:
    """The w:t text of a paragraph (the offsets ``iter_runs`` counts in)."""
    return "".join(t.text or "" for t in p.iter(qn("w:t")))


def iter_runs(p):
    """(w:r, offset of its first character, its text) for every run of a paragraph, offsets
    counted over the w:t text (runs inside hyperlinks and fields included)."""
    pos = 0
    for r in p.iter(qn("w:r")):
        text = "".join(t.text or "" for t in r.iter(qn("w:t")))
        yield r, pos, text
        pos += len(text)


def split_run_at(p, offset: int) -> None:
    """Put a run boundary at character ``offset`` of the paragraph by cutting the run that
    spans it in two (the same properties on both halves). Only a plain run (properties and
    one w:t) is cut; any other is left whole."""
    for r, start, text in iter_runs(p):
        if start < offset < start + len(text):
            content = [c for c in r if local(c) != "rPr"]
            if len(content) != 1 or local(content[0]) != "t":
                return
            twin = deepcopy(r)
            k = offset - start
            for el, piece in ((content[0], text[:k]), (twin.find(qn("w:t")), text[k:])):
                el.text = piece
                el.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            r.addnext(twin)
            return


def set_attrs(el, **attrs) -> None:
    """Replace all attributes of ``el`` by ``attrs`` (w: names)."""
    for a in list(el.attrib):
        del el.attrib[a]
    for k, v in attrs.items():
        el.set(qn(f"w:{k}"), str(v))


def set_east_asia(rpr, east_asia: str, latin: str, hint: bool = False) -> None:
    """Write w:eastAsia and the Latin slots on w:rFonts and drop the theme attributes that
    Word would otherwise prefer over them. ``hint``: quotes and dashes, which Unicode shares
    between Latin and CJK, are drawn in the East Asian font (full width)."""
    attrs = {"ascii": latin, "hAnsi": latin, "eastAsia": east_asia, "cs": latin}
    if hint:
        attrs["hint"] = "eastAsia"
    set_attrs(child(rpr, "rFonts"), **attrs)


def strip_theme_fonts(root) -> int:
    """Remove theme font attributes from every w:rFonts under ``root``; how many were removed."""
    n = 0
    for rfonts in root.iter(qn("w:rFonts")):
        for key in THEME_ATTRS:
            if key in rfonts.attrib:
                del rfonts.attrib[key]
                n += 1
    return n


def set_lang(rpr, east_asia: str = "zh-CN", latin: str = "en-US") -> None:
    set_attrs(child(rpr, "lang"), val=latin, eastAsia=east_asia)


def set_size_cs(rpr, pt: float) -> None:
    """w:szCs next to python-docx's w:sz (complex-script size)."""
    set_attrs(child(rpr, "szCs"), val=round(pt * 2))


def set_char_spacing(rpr, twips: int) -> None:
    """w:spacing on the run (character spacing), e.g. -5 to fit 28 characters a line."""
    set_attrs(child(rpr, "spacing"), val=twips)


def set_char_indent(ppr, first: float = 0, left: float = 0, right: float = 0) -> None:
    """The character-unit indents Word reads (w:*Chars, hundredths of a character) beside the
    twips values python-docx writes; LibreOffice reads only the twips."""
    ind = child(ppr, "ind")
    for name, chars in (("firstLineChars", first), ("leftChars", left), ("rightChars", right)):
        if chars or name == "firstLineChars":
            ind.set(qn(f"w:{name}"), str(round(chars * 100)))
        elif qn(f"w:{name}") in ind.attrib:
            del ind.attrib[qn(f"w:{name}")]


def set_snap_to_grid(ppr, on: bool) -> None:
    set_attrs(child(ppr, "snapToGrid"), val="1" if on else "0")


def set_doc_grid(sectpr, pitch_twips: int) -> None:
    """A line grid only: a character grid makes LibreOffice double every character's cell."""
    set_attrs(child(sectpr, "docGrid"), type="lines", linePitch=pitch_twips)


def doc_defaults(styles_root):
    """(rPr, pPr) of w:docDefaults, created when a file has none."""
    dd = child(styles_root, "docDefaults")
    return child(child(dd, "rPrDefault"), "rPr"), child(child(dd, "pPrDefault"), "pPr")


def add_field(paragraph, instr: str, placeholder: str = "1") -> list:
    """A complex field (python-docx has no field API): begin, instrText, separate, result, end.
    Returns the runs so that the caller can format them."""
    runs = []
    for kind in ("begin", "instr", "separate", "result", "end"):
        run = paragraph.add_run()
        if kind == "instr":
            it = OxmlElement("w:instrText")
            it.set(qn("xml:space"), "preserve")
            it.text = f" {instr} "
            run._r.append(it)
        elif kind == "result":
            run.text = placeholder
        else:
            fc = OxmlElement("w:fldChar")
            fc.set(qn("w:fldCharType"), kind)
            run._r.append(fc)
        runs.append(run)
    return runs


def set_table_borders(tbl, pt: float) -> None:
    """Single-line borders on every edge and between cells (python-docx has no border API)."""
    tblpr = tbl.tblPr
    borders = child(tblpr, "tblBorders")
    keep_only(borders, ())
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        b = OxmlElement(f"w:{edge}")
        if pt:
            set_attrs(b, val="single", sz=round(pt * 8), space=0, color="000000")
        else:
            set_attrs(b, val="nil")
        borders.append(b)


def set_font_fallbacks(font_table_root, fonts: dict[str, tuple[str, ...]]) -> None:
    """Declare each font in word/fontTable.xml with its first fallback as w:altName, GB2312
    charset and a serif/sans family, so a machine without it picks a like face, not any sans."""
    by_name = {f.get(qn("w:name")): f for f in font_table_root.iter(qn("w:font"))}
    for name, fallbacks in fonts.items():
        el = by_name.get(name)
        if el is None:
            el = OxmlElement("w:font")
            el.set(qn("w:name"), name)
            font_table_root.append(el)
            by_name[name] = el
        keep_only(el, ("sig", "embedRegular", "embedBold", "embedItalic", "embedBoldItalic"))
        family = "swiss" if "黑" in name or name.lower().startswith("simhei") else "roman"
        items = [("charset", "86"), ("family", family), ("pitch", "variable")]
        if fallbacks:
            items.insert(0, ("altName", fallbacks[0]))
        for pos, (tag, val) in enumerate(items):
            e = OxmlElement(f"w:{tag}")
            e.set(qn("w:val"), val)
            el.insert(pos, e)
