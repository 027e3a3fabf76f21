"""Limits on what a source file may cost to read (docs/limits.md, 读取文件的限制).

Every check runs before the expensive step: the zip directory before a .docx is
inflated, ``stat`` before a file is opened, the file size before its bytes are read.
Each limit can be raised through an environment variable for a legitimate huge file.
"""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

from .errors import InputFileError

MB = 1024 * 1024


def _env_int(name: str, default: int) -> int:
    try:
        value = int(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if value > 0 else default


# Plain text: 20 MB of bytes is about 7–10 million Chinese characters, far beyond any report.
MAX_TEXT_BYTES = _env_int("DRAFTER_MAX_TEXT_MB", 20) * MB
# Extracted text of a .docx/.pdf/converted file, in characters.
MAX_TEXT_CHARS = MAX_TEXT_BYTES
# A binary source (.docx, .pdf, .doc…) on disk.
MAX_FILE_BYTES = _env_int("DRAFTER_MAX_FILE_MB", 200) * MB
# Every member of a .docx once inflated, and all of them together.
MAX_MEMBER_BYTES = 100 * MB
MAX_INFLATED_BYTES = 300 * MB
MAX_MEMBERS = 10000
# Deflate reaches ~1000:1 on runs of one byte; Word's own XML stays far below 100:1.
MAX_RATIO = 100
RATIO_FLOOR = 1 * MB  # small members may compress as they like
# PDF pages; OCR is slow (seconds a page), so scans have their own cap and a time limit.
MAX_PDF_PAGES = _env_int("DRAFTER_MAX_PDF_PAGES", 2000)
MAX_OCR_PAGES = _env_int("DRAFTER_MAX_OCR_PAGES", 60)
PDF_SECONDS = _env_int("DRAFTER_PDF_SECONDS", 300)  # reading a PDF's text layer, checked between pages
OCR_SECONDS = _env_int("DRAFTER_OCR_SECONDS", 900)
# LibreOffice converting one .doc/.wps/.rtf.
CONVERT_SECONDS = _env_int("DRAFTER_CONVERT_SECONDS", 120)


def check_regular_file(path: Path) -> os.stat_result:
    """Only regular files are read: a device, FIFO or socket (also behind a symlink) would
    hang or never end. Returns the stat of the file the path finally points to."""
    try:
        st = os.stat(path)  # follows symlinks: the target is what gets read
    except FileNotFoundError:
        if os.path.islink(path):
            raise InputFileError(str(path), "是一个失效的快捷方式（符号链接指向的文件不存在）") from None
        raise InputFileError(str(path), "文件不存在，请检查路径") from None
    except OSError as exc:
        raise InputFileError(str(path), f"无法访问（{exc.strerror or exc}）") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputFileError(str(path), "这是一个文件夹，不是文件")
    if not stat.S_ISREG(st.st_mode):
        what = (
            "管道（FIFO）" if stat.S_ISFIFO(st.st_mode)
            else "套接字" if stat.S_ISSOCK(st.st_mode)
            else "设备文件" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
            else "特殊文件"
        )
        target = f"（链接指向 {os.path.realpath(path)}）" if os.path.islink(path) else ""
        raise InputFileError(str(path), f"不是普通文件，而是{what}{target}；只能读取普通的文档文件")
    return st


def read_bounded(path: Path, limit: int, what: str) -> bytes:
    """The file's bytes, refusing it by its size before reading and never reading past ``limit``
    (a file may grow while it is read)."""
    st = check_regular_file(path)
    if st.st_size > limit:
        raise InputFileError(str(path), _too_big(st.st_size, limit, what))
    try:
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise InputFileError(str(path), f"无法打开（{exc.strerror or exc}）") from None
    if len(data) > limit:
        raise InputFileError(str(path), _too_big(len(data), limit, what))
    return data


def _too_big(size: int, limit: int, what: str) -> str:
    env = "DRAFTER_MAX_TEXT_MB" if what == "文本" else "DRAFTER_MAX_FILE_MB"
    return (
        f"{what}文件过大（{size / MB:.1f} MB，上限 {limit // MB} MB）；"
        f"请拆分后再读，或设置环境变量 {env} 提高上限"
    )


def check_text_chars(path: Path, text: str) -> str:
    if len(text) > MAX_TEXT_CHARS:
        raise InputFileError(
            str(path),
            f"读出的文字过多（{len(text)} 字，上限 {MAX_TEXT_CHARS} 字）；请拆分文件，"
            f"或设置环境变量 DRAFTER_MAX_TEXT_MB 提高上限",
        )
    return text


def check_zip_members(path: Path, archive: zipfile.ZipFile) -> None:
    """Refuse a zip bomb from the zip directory alone, before any member is inflated:
    too many members, a member (images included) or the whole too large once inflated,
    or a member compressed beyond what real documents reach."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise InputFileError(str(path), f"压缩包内文件过多（{len(infos)} 个，上限 {MAX_MEMBERS}）；文件可能是恶意构造的")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_MEMBER_BYTES:
            raise InputFileError(
                str(path),
                f"其中的 {info.filename} 解压后过大（{info.file_size / MB:.0f} MB，上限 {MAX_MEMBER_BYTES // MB} MB）；"
                "文件可能是恶意构造的“压缩炸弹”，或插入了超大图片，请删去后另存",
            )
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise InputFileError(
                str(path),
                f"其中的 {info.filename} 压缩比异常（{info.file_size // max(info.compress_size, 1)}:1，"
                f"上限 {MAX_RATIO}:1）；文件可能是恶意构造的“压缩炸弹”，未读取",
            )
    if total > MAX_INFLATED_BYTES:
        raise InputFileError(
            str(path), f"解压后总大小过大（{total / MB:.0f} MB，上限 {MAX_INFLATED_BYTES // MB} MB）；请删去大图片后另存"
        )
