"""Raw WordprocessingML helpers for what python-docx has no API for (FORMAT.md traps).

Each helper takes an oxml element (a style's or run's ``w:rPr`` parent, a ``w:pPr``,
a ``w:sectPr``) and writes the exact attributes Word and LibreOffice read.
"""

from __future__ import annotations

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
LATIN_FONT = "Times New Roman"
LINE_PITCH = 579  # twips: exactly 28.95 pt, 22 lines in the 225 mm 版心


def pt_twips(pt: float) -> int:
    return round(pt * 20)


def set_fonts(rpr, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Write w:eastAsia (and the Latin slots) on w:rFonts, removing theme attributes
    that Word would otherwise prefer over the explicit names."""
    rfonts = rpr.get_or_add_rFonts()
    for attr in THEME_ATTRS:
        key = qn(attr)
        if key in rfonts.attrib:
            del rfonts.attrib[key]
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:cs"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)


def strip_theme_fonts(root) -> None:
    """Remove theme font attributes from every w:rFonts under ``root`` (styles part)."""
    for rfonts in root.iter(qn("w:rFonts")):
        for attr in THEME_ATTRS:
            key = qn(attr)
            if key in rfonts.attrib:
                del rfonts.attrib[key]


def set_size(rpr, pt: float) -> None:
    half = str(round(pt * 2))
    rpr.get_or_add_sz().set(qn("w:val"), half)
    szcs = rpr.find(qn("w:szCs"))
    if szcs is None:
        szcs = OxmlElement("w:szCs")
        rpr.get_or_add_sz().addnext(szcs)
    szcs.set(qn("w:val"), half)


def set_lang(rpr, east_asia: str = "zh-CN", latin: str = "en-US") -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        # w:lang comes late in CT_RPr: after everything python-docx knows but eastAsianLayout/specVanish/oMath
        rpr.insert_element_before(lang, "w:eastAsianLayout", "w:specVanish", "w:oMath")
    lang.set(qn("w:val"), latin)
    lang.set(qn("w:eastAsia"), east_asia)


def set_char_spacing(rpr, twips: int) -> None:
    """w:spacing on the run (character spacing), e.g. -5 to fit 28 characters a line."""
    sp = rpr.find(qn("w:spacing"))
    if sp is None:
        sp = OxmlElement("w:spacing")
        rpr.insert_element_before(
            sp, "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect",
            "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang",
            "w:eastAsianLayout", "w:specVanish", "w:oMath",
        )
    sp.set(qn("w:val"), str(twips))


def set_indent(ppr, first_chars: float = 0, font_pt: float = 16, left_chars: float = 0, right_chars: float = 0) -> None:
    """w:ind with both the Chars values (Word) and the twips values (LibreOffice ignores Chars)."""
    ind = ppr.get_or_add_ind()
    for attr in list(ind.attrib):
        del ind.attrib[attr]
    char = pt_twips(font_pt)
    if first_chars:
        ind.set(qn("w:firstLineChars"), str(round(first_chars * 100)))
        ind.set(qn("w:firstLine"), str(round(first_chars * char)))
    else:
        ind.set(qn("w:firstLineChars"), "0")
        ind.set(qn("w:firstLine"), "0")
    if left_chars:
        ind.set(qn("w:leftChars"), str(round(left_chars * 100)))
        ind.set(qn("w:left"), str(round(left_chars * char)))
    if right_chars:
        ind.set(qn("w:rightChars"), str(round(right_chars * 100)))
        ind.set(qn("w:right"), str(round(right_chars * char)))


def set_line_spacing(ppr, twips: int = LINE_PITCH, before: int = 0, after: int = 0) -> None:
    """Exact line spacing and no space before/after (python-docx's template adds 10 pt after)."""
    sp = ppr.get_or_add_spacing()
    for attr in list(sp.attrib):
        del sp.attrib[attr]
    sp.set(qn("w:before"), str(before))
    sp.set(qn("w:after"), str(after))
    sp.set(qn("w:line"), str(twips))
    sp.set(qn("w:lineRule"), "exact")


def set_snap_to_grid(ppr, on: bool) -> None:
    el = ppr.find(qn("w:snapToGrid"))
    if el is None:
        el = OxmlElement("w:snapToGrid")
        ppr.insert_element_before(
            el, "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
            "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
            "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
        )
    el.set(qn("w:val"), "1" if on else "0")


def set_doc_grid(sectpr, pitch: int = LINE_PITCH) -> None:
    """A line grid only: a character grid makes LibreOffice double every character's cell."""
    grid = sectpr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sectpr.append(grid)
    for attr in list(grid.attrib):
        del grid.attrib[attr]
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(pitch))


def clear_children(el, keep: tuple[str, ...] = ()) -> None:
    """Remove every child of ``el`` except the tags in ``keep`` (e.g. a style's old pPr)."""
    keep_tags = {qn(t) for t in keep}
    for child in list(el):
        if child.tag not in keep_tags:
            el.remove(child)


def add_field(paragraph, instr: str, placeholder: str = "1"):
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
