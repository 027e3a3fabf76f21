"""Read a source file (.txt/.md in any Chinese encoding, .docx, .pdf, .doc/.wps/.rtf) into plain text.

The encoding of a text file is detected from its bytes, never guessed from its
extension. What a reader knows of the layout (the title, heading levels) comes out
as Markdown ``#`` marks, tables as paragraphs of their own, so that the segmenter sees
every format as it sees marked-up text. Per-format readers: read_docx, read_pdf;
external tools (LibreOffice, antiword, Tesseract): convert; limits: limits.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from . import limits
from .errors import InputFileError
from .text import HAN_RE

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
CONVERTED_SUFFIXES = {".doc", ".wps", ".rtf"}  # through LibreOffice (antiword for .doc)
SUFFIXES = TEXT_SUFFIXES | {".docx", ".pdf"} | CONVERTED_SUFFIXES

_CJK = HAN_RE


@dataclass
class ReadResult:
    text: str
    encoding: str  # "utf-8", "gb18030", "utf-16", "docx", "pdf", "pdf-ocr" (a scan), "doc", ...
    sha256: str = ""  # of the file's bytes

    @property
    def ocr(self) -> bool:
        return is_ocr(self.encoding)


def is_ocr(encoding: str) -> bool:
    """Text that Tesseract read from page images: expect misread characters."""
    return encoding.endswith("-ocr")


def read_text(path: str | Path) -> str:
    return read_file(path).text


def read_file(path: str | Path) -> ReadResult:
    """Read one file within the limits of drafter.limits (scans: progress through convert.ocr_progress)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        limits.check_regular_file(path)
        raise InputFileError(
            str(path), f"不支持的文件类型“{path.suffix or '无扩展名'}”，"
            "请提供 .txt、.md、.docx、.doc、.wps、.rtf 或 .pdf 文件"
        )
    if suffix in TEXT_SUFFIXES:
        data = limits.read_bounded(path, limits.MAX_TEXT_BYTES, "文本")
    else:
        data = limits.read_bounded(path, limits.MAX_FILE_BYTES, "文档")
    if not data.strip():
        raise InputFileError(str(path), "文件是空的")
    if suffix == ".docx":
        from .read_docx import docx_text

        result = ReadResult(docx_text(path, data), "docx")
    elif suffix == ".pdf":
        from .read_pdf import pdf_text

        pdf = pdf_text(path, data)
        result = ReadResult(pdf.text, "pdf-ocr" if pdf.ocr_pages else "pdf")
    elif suffix in CONVERTED_SUFFIXES:
        result = _converted(path, data)
    else:
        result = _decode_text(path, data)
    if not result.text.strip():
        raise InputFileError(str(path), "文件中没有可读的文字")
    limits.check_text_chars(path, result.text)
    result.sha256 = hashlib.sha256(data).hexdigest()
    return result


def _converted(path: Path, data: bytes) -> ReadResult:
    """A .doc/.wps/.rtf through LibreOffice into .docx, read as one; antiword for .doc without it."""
    from . import convert
    from .read_docx import docx_text

    kind = path.suffix.lower().lstrip(".")
    if data[:4] == b"PK\x03\x04":  # a .docx under an old name
        return ReadResult(docx_text(path, data), "docx")
    if convert.soffice():
        text = docx_text(path, convert.to_docx(path, data))
        return ReadResult(convert.check_readable(path, text), kind)
    if kind == "doc" and convert.shutil.which("antiword"):
        return ReadResult(convert.check_readable(path, convert.antiword_text(path, data)), "doc-antiword")
    fallback = "或 antiword（sudo apt-get install antiword）" if kind == "doc" else ""
    raise InputFileError(
        str(path), f"读取 .{kind} 文件需要 LibreOffice{fallback}，本机未安装；"
        f"请安装 {convert.INSTALL_LIBREOFFICE}，或在 Word/WPS 中把它另存为 .docx"
    )


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


