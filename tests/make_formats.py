"""Write an article in the formats offices keep: .docx as people type it (bold typed headings,
or Word's automatic list numbering), and through LibreOffice/poppler PDF, .doc and a scan.

Shared by the round-trip tests and benchmarks/read_formats.py.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from docx.oxml import parse_xml

from drafter.model import Article

W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
TABLE = [["指标", "2024年", "2025年"], ["新建工会（个）", "35", "42"], ["发展会员（人）", "1380", "1526"]]
TABLE_FIGURES = ["1380", "1526", "42"]
_NUMBER = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+[.．、]|[（(]\d+[)）])\s*")


def strip_number(heading: str) -> str:
    return _NUMBER.sub("", re.sub(r"\s+", "", heading))


def headings(article: Article) -> list[str]:
    return [s.heading for s in article.sections if s.level >= 1]


def _title(document, text: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = document.add_paragraph()
    run = p.add_run(text)
    run.bold, run.font.size = True, Pt(22)
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph("")  # the empty paragraph most Word files have under the title


def _table(document) -> None:
    table = document.add_table(rows=len(TABLE), cols=len(TABLE[0]))
    table.style = "Table Grid"
    for r, row in enumerate(TABLE):
        for c, value in enumerate(row):
            table.cell(r, c).text = value


def bold_docx(article: Article, path: Path, table: bool = True) -> Path:
    """Title centred, bold and large with a blank under it; headings typed in bold runs;
    a table of figures after the first passage of the first section with a heading."""
    import docx

    document = docx.Document()
    _title(document, article.title)
    placed = not table
    for s in article.sections:
        if s.level >= 1:
            document.add_paragraph().add_run(s.heading).bold = True
        for p in s.passages:
            document.add_paragraph(p.text)
            if not placed and s.level >= 1:
                _table(document)
                placed = True
    document.save(path)
    return path


def _add_numbering(document) -> str:
    """An abstract list 一、 / （一） (chineseCounting) and its num; returns the num id."""
    numbering = document.part.numbering_part.element
    abstract_id, num_id = "90", "90"
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {W_NS} w:abstractNumId="{abstract_id}"><w:multiLevelType w:val="multilevel"/>'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>'
        '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>'
        "</w:abstractNum>"
    ))
    numbering.append(parse_xml(f'<w:num {W_NS} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/></w:num>'))
    return num_id


def numbered_paragraph(document, text: str, num_id: str, ilvl: int):
    p = document.add_paragraph(text)
    p._p.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {W_NS}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'
    ))
    return p


def numbered_docx(article: Article, path: Path) -> Path:
    """Headings numbered by Word's automatic list numbering (一、 at level 1, （一） below), not typed."""
    import docx

    document = docx.Document()
    _title(document, article.title)
    num_id = _add_numbering(document)
    for s in article.sections:
        if s.level >= 1:
            numbered_paragraph(document, strip_number(s.heading), num_id, min(s.level - 1, 2))
        for p in s.passages:
            document.add_paragraph(p.text)
    document.save(path)
    return path


def soffice_convert(source: Path | list[Path], fmt: str, outdir: Path) -> Path | list[Path]:
    """Convert one file or several in one LibreOffice run (it starts slowly)."""
    sources = source if isinstance(source, list) else [source]
    outdir.mkdir(parents=True, exist_ok=True)
    profile = outdir / ".profile"
    subprocess.run(
        [shutil.which("soffice") or "soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
         "--convert-to", fmt, "--outdir", str(outdir), *map(str, sources)],
        check=True, capture_output=True, timeout=300,
    )
    outs = [outdir / (s.stem + "." + fmt.split(":")[0]) for s in sources]
    for out in outs:
        assert out.is_file(), f"LibreOffice made no {out.name}"
    return outs if isinstance(source, list) else outs[0]


def digest(article: Article, passages: int = 1) -> Article:
    """The article cut to its first passages under each heading: a short document (a page or
    two) with every heading, for the slow OCR round trip."""
    from dataclasses import replace

    sections = [replace(s, passages=s.passages[:passages]) for s in article.sections]
    return replace(article, sections=sections)


def scanned_pdf(pdf: Path, path: Path, dpi: int = 200, pages: int | None = None) -> Path:
    """A PDF of page images only (no text layer), as a scanner makes."""
    from PIL import Image

    stem = path.parent / (path.stem + "-page")
    cmd = ["pdftoppm", "-r", str(dpi), "-gray", "-png"]
    if pages:
        cmd += ["-l", str(pages)]
    subprocess.run(cmd + [str(pdf), str(stem)], check=True, capture_output=True, timeout=180)
    images = sorted(path.parent.glob(stem.name + "*.png"))
    first, *rest = [Image.open(i).convert("L") for i in images]
    first.save(path, save_all=True, append_images=rest, resolution=dpi)
    for i in images:
        i.unlink()
    return path
