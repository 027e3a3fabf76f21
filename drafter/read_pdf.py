"""Read a PDF into plain text with Markdown ``#`` marks for what its fonts show as headings.

pdfplumber (on pdfminer.six) places every character by its position, so quotation marks
set in a Latin font land where they stand; pypdf's plain and layout modes both moved them
(benchmarks/read_formats.py measures it: passages found intact in LibreOffice-made PDFs of
the seeds). Lines are rejoined into paragraphs by geometry (a line that runs to the right
margin continues, also across a page break), running headers, footers and page numbers
are dropped, tables are read row by row, and pages without a text layer go to OCR.
"""

from __future__ import annotations

import io
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from . import limits
from .errors import InputFileError
from .read_docx import table_paragraph

_PAGE_NUMBER = re.compile(
    r"^(?:[-—－–~·\s]*\d{1,4}[-—－–~·\s]*|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+|[Pp]age\s*\d+(?:\s*of\s*\d+)?)$"
)
_BOLD = re.compile(r"bold|heavy|black|semibold|demi|黑体|hei|方正小标宋|xbs", re.I)
_SENTENCE_END = "。！？；：”"
# pdfplumber puts a space where digits or letters set in a Latin font meet Chinese
# (总工会 2025 年, 职工 e 家): Word and LibreOffice space them by layout, not by a character.
_WIDE = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”"
_DIGIT_GAP = re.compile(rf"(?<=[{_WIDE}])\s+(?=[0-9A-Za-z])|(?<=[0-9A-Za-z%])\s+(?=[{_WIDE}])")
MIN_TEXT_CHARS = 10  # a page with fewer characters has no real text layer


@dataclass
class _Line:
    page: int
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool
    table: bool = False  # a paragraph already whole: a table, or a block of a page's OCR text
    rows: list[list[str]] | None = None  # a table's cells


@dataclass
class _Page:
    width: float
    height: float
    lines: list[_Line] = field(default_factory=list)


@dataclass
class PdfText:
    text: str
    ocr_pages: int = 0  # pages read by OCR
    pages: int = 0


def pdf_text(path: Path, data: bytes) -> PdfText:
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except PDFPasswordIncorrect:
        raise InputFileError(str(path), "PDF 已加密，请先用原密码打开并另存为不加密的 PDF") from None
    except Exception as exc:  # pdfminer raises many kinds (PDFSyntaxError, struct.error…) for broken files
        if type(exc).__name__ == "PdfminerException" and "Password" in repr(exc.args):
            raise InputFileError(str(path), "PDF 已加密，请先用原密码打开并另存为不加密的 PDF") from None
        raise InputFileError(str(path), f"PDF 文件损坏，无法读取（{type(exc).__name__}）") from None
    with pdf:
        try:
            n = len(pdf.pages)
        except Exception as exc:
            raise InputFileError(str(path), f"PDF 文件损坏，无法读取（{type(exc).__name__}）") from None
        if n > limits.MAX_PDF_PAGES:
            raise InputFileError(str(path), f"PDF 共 {n} 页，超过上限 {limits.MAX_PDF_PAGES} 页；请拆分后再读，"
                                            "或设置环境变量 DRAFTER_MAX_PDF_PAGES 提高上限")
        pages: list[_Page] = []
        scans: list[int] = []  # 1-based numbers of pages that are images without a text layer
        deadline = time.monotonic() + limits.PDF_SECONDS
        for i, page in enumerate(pdf.pages):
            if time.monotonic() > deadline:
                raise InputFileError(str(path), f"读取超时（{limits.PDF_SECONDS} 秒内只读了 {i}/{n} 页），文件可能是"
                                                "恶意构造或已损坏；请另存后再试，或设置环境变量 DRAFTER_PDF_SECONDS 延长时限")
            try:
                pages.append(_read_page(i, page))
                if sum(len(l.text) for l in pages[-1].lines) < MIN_TEXT_CHARS and page.images:
                    scans.append(i + 1)
            except InputFileError:
                raise
            except Exception as exc:
                if "Password" in repr(getattr(exc, "args", "")) or isinstance(exc, PDFPasswordIncorrect):
                    raise InputFileError(str(path), "PDF 已加密，请先用原密码打开并另存为不加密的 PDF") from None
                if isinstance(exc, (PDFSyntaxError, ValueError, KeyError, TypeError, OSError)):
                    raise InputFileError(str(path), f"PDF 第 {i + 1} 页损坏，无法读取（{type(exc).__name__}）") from None
                raise
    ocr_pages = 0
    if scans:
        from .convert import ocr_available, ocr_pdf

        # Scanned pages among text pages (a signed cover, an appendix) are read too when
        # Tesseract is there, and left out when it is not; a document all scan needs it.
        if len(scans) == n or ocr_available() is None:
            for number, text in ocr_pdf(path, data, scans, n).items():
                page = pages[number - 1]
                page.lines = [_Line(number - 1, t, 0, page.width, k, k, 0, False, table=True)
                              for k, t in enumerate(re.split(r"\n\s*\n", text)) if t.strip()]
            ocr_pages = len(scans)
    return PdfText(_assemble(pages), ocr_pages=ocr_pages, pages=n)


def _read_page(index: int, page) -> _Page:
    out = _Page(float(page.width), float(page.height))
    tables = []
    try:
        found = page.find_tables()
    except Exception:  # table finding is a bonus: a page it fails on is read as lines
        found = []
    for t in found:
        rows = [[re.sub(r"\s+", "", c or "") for c in r] for r in t.extract()]
        rows = [r for r in rows if any(r)]
        if len(rows) >= 2 or (rows and len(rows[0]) >= 2):
            x0, top, x1, bottom = t.bbox
            tables.append(t.bbox)
            out.lines.append(_Line(index, table_paragraph(rows), x0, x1, top, bottom, 0, False, table=True, rows=rows))

    def outside(obj) -> bool:
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in tables)

    body = page.filter(lambda o: o.get("object_type") != "char" or outside(o)) if tables else page
    for line in body.extract_text_lines(return_chars=True, strip=True):
        chars = [c for c in line["chars"] if c["text"].strip()]
        text = _DIGIT_GAP.sub("", line["text"].strip())
        if not chars or not text:
            continue
        sizes = Counter(round(float(c["size"]), 1) for c in chars)
        bold = sum(1 for c in chars if _BOLD.search(c.get("fontname", ""))) >= 0.8 * len(chars)
        out.lines.append(_Line(index, text, line["x0"], line["x1"], line["top"], line["bottom"],
                               sizes.most_common(1)[0][0], bold))
    out.lines.sort(key=lambda l: (round(l.top), l.x0))
    return out


def _furniture_keys(pages: list[_Page]) -> set[tuple[str, int]]:
    """Texts (digits masked) at one height that repeat among the outermost lines of many pages."""
    seen: Counter[tuple[str, int]] = Counter()
    for p in pages:
        seen.update({_key(l) for l in _outermost(p) if _in_band(l, p)})
    need = max(2, len(pages) // 2)
    return {k for k, n in seen.items() if n >= need} if len(pages) >= 2 else set()


def _outermost(page: _Page) -> list[_Line]:
    """The two first and two last lines of a page: where running headers and footers sit."""
    lines = [l for l in page.lines if not l.table]
    return lines[:2] + lines[-2:]


def _key(line: _Line) -> tuple[str, int]:
    return re.sub(r"\d+", "0", re.sub(r"\s+", "", line.text)), round(line.top / 6)


def _in_band(line: _Line, page: _Page) -> bool:
    return line.top < 0.1 * page.height or line.bottom > 0.9 * page.height


def _assemble(pages: list[_Page]) -> str:
    furniture = _furniture_keys(pages)
    lines: list[_Line] = []
    for p in pages:
        outer = {id(l) for l in _outermost(p) if _in_band(l, p)}
        for l in p.lines:
            if id(l) in outer and (_PAGE_NUMBER.match(l.text) or _key(l) in furniture):
                continue
            lines.append(l)
    body = [l for l in lines if not l.table]
    if not body:
        return "\n\n".join(l.text for l in lines)
    weights: Counter[float] = Counter()
    for l in body:
        weights[l.size] += len(l.text)
    body_size = weights.most_common(1)[0][0]
    plain = [l for l in body if l.size == body_size and not l.bold]
    # The text's left edge: the leftmost x0 common among body lines (with short paragraphs,
    # indented first lines can outnumber the lines at the margin).
    starts = Counter(round(l.x0) for l in plain or body)
    common = [x for x, k in starts.items() if k >= max(2, 0.1 * sum(starts.values()))]
    left = min(common) if common else starts.most_common(1)[0][0]
    right = max(l.x1 for l in plain or body)
    pitch = Counter(round(b.top - a.top) for a, b in zip(plain, plain[1:])
                    if a.page == b.page and 0 < b.top - a.top < 3 * body_size).most_common(1)
    pitch = pitch[0][0] if pitch else 1.5 * body_size
    title_size = max(l.size for l in body)

    def style(l: _Line) -> int:
        """0 body, 2 larger than the body, 3 bold at body size."""
        if l.size >= body_size + 1.5:
            return 2
        return 3 if l.bold else 0

    paras: list[tuple[int, str]] = []  # (marks, text)
    prev: _Line | None = None
    table: list[list[str]] | None = None  # rows of the table just read, while nothing follows it
    table_page = -1
    for l in lines:
        if l.table:
            if table and l.rows and l.page != table_page and len(l.rows[0]) == len(table[0]):
                # The same table run over a page break: its rows join the first part's, under its header.
                table += l.rows[1:] if l.rows[0] == table[0] else l.rows
                paras[-1] = (0, table_paragraph(table))
            else:
                paras.append((0, l.text))
                table = list(l.rows) if l.rows else None
            table_page = l.page
            prev = None
            continue
        table = None
        s = style(l)
        new = True
        if prev is not None and paras:
            same_style = style(prev) == s
            # Line breaking keeps numbers and closing quotes whole, so a wrapped line may stop a few
            # characters short; a line ending a sentence must come nearer the margin to continue.
            slack = 1.5 if prev.text.endswith(tuple(_SENTENCE_END)) else 5
            full = prev.x1 >= right - slack * body_size or (s and abs((prev.x0 + prev.x1) / 2 - (l.x0 + l.x1) / 2) < body_size)
            near = l.page != prev.page or l.top - prev.top <= pitch * 1.35 * max(l.size, 1) / body_size
            indented = l.x0 > left + 1.2 * body_size and not s
            new = not (same_style and full and near and not indented)
            if l.page != prev.page and not new and prev.text.endswith(tuple(_SENTENCE_END)) and l.x0 > left + 0.8 * body_size:
                new = True
        if new:
            paras.append((s, l.text))
        else:
            marks, text = paras[-1]
            paras[-1] = (marks, text + (" " if re.match(r"[A-Za-z0-9]", l.text[:1]) and re.search(r"[A-Za-z0-9]$", text) else "") + l.text)
        prev = l
    headings = sum(1 for marks, text in paras[1:] if marks)
    out = []
    titled = not headings  # without marked headings the segmenter finds the title itself
    for i, (marks, text) in enumerate(paras):
        if marks and (len(text) > 80 or text.rstrip("”").endswith(tuple("。！？；，"))):
            marks = 0  # a bold or large sentence is emphasis, not a heading
        if marks and not titled and not out:
            first_size = next((l.size for l in body if l.text and text.startswith(l.text[:5])), 0)
            if first_size >= title_size or marks:
                out.append("# " + text)
                titled = True
                continue
        out.append(("#" * marks + " " + text) if marks else text)
    return "\n\n".join(out)
