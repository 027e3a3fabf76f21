"""External tools for the formats Python cannot read itself: LibreOffice for .doc/.wps/.rtf,
antiword for .doc when LibreOffice is absent, poppler + Tesseract for scanned PDF pages.

Every tool runs in a temporary folder on a copy of the source, in its own process group,
with a time limit; a tool that hangs is killed with its children.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
from contextvars import ContextVar
from pathlib import Path
from typing import Callable, Iterable, Iterator

from . import limits
from .errors import InputFileError
from .text import HAN

INSTALL_LIBREOFFICE = "sudo apt-get install libreoffice-writer（Windows/macOS 请安装 LibreOffice）"
INSTALL_TESSERACT = "sudo apt-get install tesseract-ocr tesseract-ocr-chi-sim poppler-utils"

# How the pages of a scan are walked: the CLI sets its progress bar here (OCR takes seconds
# a page); the library itself prints nothing.
Progress = Callable[[Iterable[int], int, str], Iterator[int]]
ocr_progress: ContextVar[Progress | None] = ContextVar("ocr_progress", default=None)


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def run_tool(cmd: list[str], timeout: float, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``cmd``; on timeout kill its whole process group (soffice forks) and re-raise."""
    proc = subprocess.Popen(
        cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True, env={**os.environ, **(env or {})},
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate()
        raise
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def soffice_convert(data: bytes, suffix: str, target: str, timeout: float, options: Iterable[str] = ()) -> bytes | None:
    """The bytes LibreOffice makes from ``data`` (a file ending in ``suffix``) converted to
    ``target`` ("pdf", "docx:MS Word 2007 XML"); None when it made nothing. Reading, ``format``
    and PDF output all convert here: a copy in a temporary folder, a throwaway profile (no
    clash with a running LibreOffice), killed with its children after ``timeout`` seconds.

    Raises FileNotFoundError without LibreOffice, subprocess.TimeoutExpired past the limit and
    OSError when it cannot start: each caller says so in its own words."""
    exe = soffice()
    if exe is None:
        raise FileNotFoundError("soffice")
    with tempfile.TemporaryDirectory(prefix="drafter-soffice-") as tmp:
        src = Path(tmp) / ("source" + suffix)
        src.write_bytes(data)  # a copy: the user's file is never opened by another program
        profile = Path(tmp) / "profile"
        out_dir = Path(tmp) / "out"
        run_tool([exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", *options,
                  "--convert-to", target, "--outdir", str(out_dir), str(src)], timeout)
        out = out_dir / ("source." + target.split(":")[0])
        if not out.is_file() or out.stat().st_size == 0:
            return None
        return out.read_bytes()


def to_docx(path: Path, data: bytes, timeout: float | None = None) -> bytes:
    """The bytes of a .docx LibreOffice makes from a .doc/.wps/.rtf (given as ``data``)."""
    timeout = timeout or limits.CONVERT_SECONDS
    try:
        out = soffice_convert(data, path.suffix.lower(), "docx:MS Word 2007 XML", timeout, _input_filter(data))
    except subprocess.TimeoutExpired:
        raise InputFileError(
            str(path), f"LibreOffice 转换超时（超过 {timeout:g} 秒未完成），已放弃；文件可能损坏，"
            "请在 Word/WPS 中打开并另存为 .docx，或设置环境变量 DRAFTER_CONVERT_SECONDS 延长时限"
        ) from None
    if out is None:
        raise InputFileError(str(path), "LibreOffice 无法打开此文件（文件损坏或不是 Word/WPS 文档）；"
                                        "请在 Word/WPS 中打开并另存为 .docx")
    return out


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _input_filter(data: bytes) -> list[str]:
    """Name LibreOffice's import filter from the file's own bytes: left to guess, LibreOffice
    imports any unreadable file as plain text and returns its bytes as characters."""
    if data.startswith(b"{\\rtf"):
        return ["--infilter=Rich Text Format"]
    if data.startswith(_OLE):
        return ["--infilter=MS Word 97"]  # Word 97–2003; WPS Office saves .wps in the same container
    return []


def check_readable(path: Path, text: str) -> str:
    """Refuse text that came out as mojibake (a broken file some tool read anyway)."""
    sample = re.sub(r"\s+", "", text[:20000])
    if not sample:
        return text
    good = sum(1 for ch in sample if ch.isascii() or "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"
               or "\u2010" <= ch <= "\u2027")
    if good < 0.9 * len(sample):
        raise InputFileError(str(path), "读出的是乱码，文件可能已损坏或格式不对；请在 Word/WPS 中打开并另存为 .docx")
    return text


def antiword_text(path: Path, data: bytes, timeout: float | None = None) -> str:
    exe = shutil.which("antiword")
    if exe is None:
        raise FileNotFoundError("antiword")
    timeout = timeout or limits.CONVERT_SECONDS
    with tempfile.TemporaryDirectory(prefix="drafter-antiword-") as tmp:
        src = Path(tmp) / "source.doc"
        src.write_bytes(data)
        try:
            done = run_tool([exe, "-m", "UTF-8.txt", "-w", "0", str(src)], timeout)
        except subprocess.TimeoutExpired:
            raise InputFileError(str(path), f"antiword 读取超时（超过 {timeout:g} 秒）；请另存为 .docx") from None
    if done.returncode != 0:
        why = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputFileError(str(path), f"antiword 无法读取此 .doc 文件（{why[-1] if why else '文件损坏'}）；"
                                        "请在 Word/WPS 中打开并另存为 .docx")
    return done.stdout.decode("utf-8", "replace")


# --- OCR ------------------------------------------------------------------------------------


def ocr_available() -> str | None:
    """None when Tesseract with chi_sim and pdftoppm are there, else what is missing."""
    if not shutil.which("tesseract") or not shutil.which("pdftoppm"):
        return "未安装 Tesseract 或 poppler"
    try:
        langs = run_tool(["tesseract", "--list-langs"], 30).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.TimeoutExpired):
        return "Tesseract 无法运行"
    if "chi_sim" not in langs.split():
        return "Tesseract 缺少简体中文语言包 chi_sim"
    return None


_WIDE = rf"\u3000-\u303f{HAN}\uff00-\uffef“”‘’"
# Tesseract puts spaces between Chinese characters and around digits: none belong there.
_CJK_GAP = re.compile(rf"(?<=[{_WIDE}])[ \t]+(?=[{_WIDE}0-9])|(?<=[0-9])[ \t]+(?=[{_WIDE}])")


def clean_ocr(text: str) -> str:
    """Tesseract's text of one page: spaces inside Chinese removed, specks (a line of one or two
    Latin letters or signs without any Chinese) dropped."""
    lines = []
    for line in text.splitlines():
        line = _CJK_GAP.sub("", line).strip()
        if line and not re.search(rf"[{_WIDE}]", line) and len(line) <= 3:
            continue
        lines.append(line)
    return "\n".join(lines).strip()


def ocr_page(pdf: Path, page: int, workdir: Path, timeout: float, dpi: int = 300) -> str:
    """Text of one page (1-based) of a PDF: rendered to an image by pdftoppm, read by Tesseract."""
    stem = workdir / f"p{page}"
    run_tool(["pdftoppm", "-r", str(dpi), "-gray", "-png", "-f", str(page), "-l", str(page),
              "-singlefile", str(pdf), str(stem)], timeout)
    image = stem.with_suffix(".png")
    if not image.is_file():
        return ""
    # One OpenMP thread: with two, Tesseract ran 10 times slower on a busy 2-core machine
    # (113 s against 11.6 s a page, benchmarks/read_formats.py's machine).
    threads = {"OMP_THREAD_LIMIT": os.environ.get("OMP_THREAD_LIMIT", "1")}
    done = run_tool(["tesseract", str(image), "stdout", "-l", "chi_sim", "--psm", "3"], timeout, env=threads)
    image.unlink(missing_ok=True)
    return clean_ocr(done.stdout.decode("utf-8", "replace"))


def ocr_pdf(path: Path, data: bytes, pages: list[int], total: int) -> dict[int, str]:
    """OCR the given pages (1-based) of a PDF of ``total`` pages within the page and time caps:
    page number → its text."""
    import time

    missing = ocr_available()
    if missing:
        raise InputFileError(str(path), f"PDF 中没有文字层（扫描件），需要文字识别（OCR），但{missing}；"
                                        f"请安装：{INSTALL_TESSERACT}，或先用其他软件识别后另存")
    if len(pages) > limits.MAX_OCR_PAGES:
        raise InputFileError(
            str(path), f"扫描件共 {total} 页，其中 {len(pages)} 页要文字识别，超过上限 {limits.MAX_OCR_PAGES} 页"
            "（每页需数秒）；请拆分后分别读取，或设置环境变量 DRAFTER_MAX_OCR_PAGES 提高上限"
        )
    deadline = time.monotonic() + limits.OCR_SECONDS
    texts: dict[int, str] = {}
    with tempfile.TemporaryDirectory(prefix="drafter-ocr-") as tmp:
        src = Path(tmp) / "source.pdf"
        src.write_bytes(data)
        walk = ocr_progress.get()
        for page in walk(pages, len(pages), f"文字识别 {path.name}") if walk else pages:
            left = deadline - time.monotonic()
            try:
                if left <= 0:
                    raise subprocess.TimeoutExpired("ocr", limits.OCR_SECONDS)
                texts[page] = ocr_page(src, page, Path(tmp), timeout=left)
            except subprocess.TimeoutExpired:
                raise InputFileError(
                    str(path), f"文字识别超时（{limits.OCR_SECONDS} 秒内只识别了 {len(texts)}/{len(pages)} 页）；"
                    "请拆分后分别读取，或设置环境变量 DRAFTER_OCR_SECONDS 延长时限"
                ) from None
    return texts
