"""Read a source file (.txt/.md in any Chinese encoding, .docx, .pdf) into plain text.

The encoding of a text file is detected from its bytes, never guessed from its
extension. docx headings (by style) come out as Markdown ``#`` marks so that the
segmenter sees them as it sees marked-up text.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .errors import InputFileError

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
SUFFIXES = TEXT_SUFFIXES | {".docx", ".pdf"}

_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class ReadResult:
    text: str
    encoding: str  # "utf-8", "gb18030", "utf-16", "docx", "pdf", ...
    sha256: str = ""  # of the file's bytes


def read_text(path: str | Path) -> str:
    return read_file(path).text


def read_file(path: str | Path) -> ReadResult:
    path = Path(path)
    if not path.exists():
        raise InputFileError(str(path), "文件不存在，请检查路径")
    if path.is_dir():
        raise InputFileError(str(path), "这是一个文件夹，不是文件")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputFileError(
            str(path), f"不支持的文件类型“{path.suffix or '无扩展名'}”，请提供 .txt、.md、.docx 或 .pdf 文件"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputFileError(str(path), f"无法打开（{exc.strerror}）") from exc
    if not data.strip():
        raise InputFileError(str(path), "文件是空的")
    if suffix == ".docx":
        result = ReadResult(_docx_text(path, data), "docx")
    elif suffix == ".pdf":
        result = ReadResult(_pdf_text(path, data), "pdf")
    else:
        result = _decode_text(path, data)
    if not result.text.strip():
        raise InputFileError(str(path), "文件中没有可读的文字")
    result.sha256 = hashlib.sha256(data).hexdigest()
    return result


# --- plain text -------------------------------------------------------------

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def _decode_text(path: Path, data: bytes) -> ReadResult:
    if data[:4] in (b"PK\x03\x04",) or data[:5] == b"%PDF-" or data[:4] == b"\xd0\xcf\x11\xe0":
        raise InputFileError(str(path), "这是一个二进制文件（Word/PDF/压缩包），不是纯文本；请改用正确的扩展名")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return ReadResult(_strict(path, data, enc), enc.replace("-sig", ""))
    utf16 = _utf16_without_bom(data)
    if utf16:
        return ReadResult(_strict(path, data, utf16), utf16)
    if b"\x00" in data:
        raise InputFileError(str(path), "文件含有二进制内容，不是文本文件")
    try:
        return ReadResult(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    enc = _detect_cjk_encoding(data)
    if enc is None:
        raise InputFileError(str(path), "无法识别文字编码（不是 UTF-8、GB18030/GBK、Big5 或 UTF-16）；请用记事本另存为 UTF-8 后再试")
    return ReadResult(_strict(path, data, enc), enc)


def _strict(path: Path, data: bytes, enc: str) -> str:
    try:
        return data.decode(enc)
    except UnicodeDecodeError as exc:
        raise InputFileError(str(path), f"按 {enc} 解码失败（第 {exc.start} 字节）；文件可能已损坏") from exc


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a BOM: NUL bytes (from ASCII characters) and text that reads as Chinese."""
    if b"\x00" not in data[:4000] or len(data) % 2:
        return None
    best, best_score = None, 0.9
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = data[:8000].decode(enc, errors="strict")
        except UnicodeDecodeError:
            continue
        score = sum(1 for ch in text if _plausible(ch)) / max(len(text), 1)
        if score > best_score:
            best, best_score = enc, score
    return best


def _plausible(ch: str) -> bool:
    o = ord(ch)
    return (
        0x20 <= o < 0x7F
        or ch in "\n\r\t"
        or 0x4E00 <= o <= 0x9FFF
        or 0x3000 <= o <= 0x303F
        or 0xFF00 <= o <= 0xFFEF
        or 0x2010 <= o <= 0x2027
    )


def _detect_cjk_encoding(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    # Restrict the detector to encodings Chinese offices actually produce; an open
    # search happily picks a Cyrillic code page for short GBK files.
    matches = from_bytes(data, cp_isolation=["gb18030", "big5", "utf_8"])
    best = matches.best()
    if best is not None and _CJK.search(str(best)):
        return "gb18030" if best.encoding in ("gb18030", "gbk", "gb2312") else best.encoding
    for enc in ("gb18030", "big5"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if len(_CJK.findall(text)) > len(text) * 0.2:
            return enc
    return None


# --- docx --------------------------------------------------------------------

_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.I)


def _docx_text(path: Path, data: bytes) -> str:
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise InputFileError(str(path), "文件已加密，或是旧版 .doc 格式；请在 Word 中取消密码并另存为 .docx")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise InputFileError(str(path), "不是有效的 .docx 文件（文件损坏或扩展名不对）")
    import docx  # python-docx; imported here to keep start-up light

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several kinds for broken packages
        raise InputFileError(str(path), f"不是有效的 .docx 文件（{type(exc).__name__}）") from exc
    lines: list[str] = []
    styles: dict = {}  # style id -> Style: python-docx finds a style by scanning them all
    for para in document.paragraphs:
        text = para.text
        sid = para._p.style
        style = styles[sid] if sid in styles else styles.setdefault(sid, para.style)
        marks = _docx_heading_marks(style) or _docx_numbered_heading_marks(para, text, style)
        if marks and text.strip():
            text = "#" * marks + " " + text.strip()
        lines.append(text)
    # Most Word files hold one paragraph per paragraph: separate them by a blank line.
    # Files converted from text keep its blank lines as empty paragraphs: keep them as lines.
    empty = sum(1 for l in lines if not l.strip())
    return "\n".join(lines) if empty >= 0.2 * len(lines) else "\n\n".join(lines)


def _docx_heading_marks(style) -> int:
    """Markdown ``#`` count for a paragraph's style: Title → 1, Heading N → N+1, body → 0."""
    while style is not None:
        name = (style.name or "").strip()
        if name.lower() == "title" or name == "标题":
            return 1
        m = _HEADING_STYLE.match(name)
        if m:
            return min(int(m.group(1)) + 1, 6)
        style = style.base_style
    return 0


_QN = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx_numbered_heading_marks(para, text: str, style) -> int:
    """A short auto-numbered paragraph (Word list numbering, 一、/（一）) is a heading;
    its number is not in the text, so its list level gives the heading level."""
    numpr = _find_numpr(para, style)
    if numpr is None:
        return 0
    s = text.strip()
    if not s or len(s) > 40 or s[-1] in "。！？；：，":
        return 0
    ilvl = numpr.find(f"{_QN}ilvl")
    level = int(ilvl.get(f"{_QN}val", "0")) if ilvl is not None else 0
    return min(level + 2, 6)


def _find_numpr(para, style):
    """numPr on the paragraph, or inherited from its style chain (List Number…)."""
    ppr = para._p.pPr
    if ppr is not None and ppr.find(f"{_QN}numPr") is not None:
        return ppr.find(f"{_QN}numPr")
    while style is not None:
        sppr = style.element.find(f"{_QN}pPr")
        if sppr is not None and sppr.find(f"{_QN}numPr") is not None:
            return sppr.find(f"{_QN}numPr")
        style = style.base_style
    return None


# --- pdf ---------------------------------------------------------------------


def _pdf_text(path: Path, data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception:
                ok = 0
            if not ok:
                raise InputFileError(str(path), "PDF 已加密，请先用原密码打开并另存为不加密的 PDF")
        pages = [page.extract_text() or "" for page in reader.pages]
    except InputFileError:
        raise
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise InputFileError(str(path), f"PDF 文件损坏，无法读取（{type(exc).__name__}）") from exc
    text = "\n\n".join(pages)
    if not _CJK.search(text) and not text.strip():
        raise InputFileError(str(path), "PDF 中没有文字层（可能是扫描件）；请先做文字识别（OCR）")
    return text
