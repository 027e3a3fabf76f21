"""Writing a draft to the file the user named: the format follows the name.

``.docx`` (Word), ``.md`` (Markdown preview) and ``.pdf`` (the .docx converted by
LibreOffice when it is installed). An output that cannot be written — a missing
folder, a read-only file or folder, a file held open by another program — is a
DrafterError naming the path, never a traceback, and nothing half-written is left.
"""

from __future__ import annotations

import errno
import os
import stat
import subprocess
from pathlib import Path

from .draft import Draft
from .errors import DrafterError, WriteError
from .fsutil import atomic_write_bytes, check_can_write

FORMAT_OF_SUFFIX = {".docx": "docx", ".md": "md", ".markdown": "md", ".pdf": "pdf"}
FORMAT_LABELS = {"docx": "Word 文件", "md": "Markdown 文件", "pdf": "PDF 文件"}
PDF_TIMEOUT = 120  # seconds for LibreOffice to convert one draft


def output_format(path: str | Path, fmt: str | None = None) -> str:
    """The format for ``path``: its suffix decides; ``fmt`` must agree with a known suffix
    and is needed for any other name (预览.txt --format md)."""
    path = Path(path)
    by_name = FORMAT_OF_SUFFIX.get(path.suffix.lower())
    if fmt and by_name and fmt != by_name:
        raise DrafterError(
            f"输出文件 {path} 的扩展名 {path.suffix} 表示{FORMAT_LABELS[by_name]}，与 --format {fmt} 不一致。"
            f"请把文件名改成 .{'md' if fmt == 'md' else fmt} 结尾，或去掉 --format。"
        )
    if fmt:
        return fmt
    if by_name is None:
        raise DrafterError(
            f"不知道 {path} 该写成什么格式：请用 .docx、.md 或 .pdf 结尾的文件名，"
            f"或用 --format docx / md / pdf 指定。"
        )
    return by_name


def _read_only(path: Path) -> bool:
    # Mode bits rather than os.access: an administrator may write anything, yet a file the
    # user marked read-only should not be replaced behind their back.
    try:
        return not (path.stat().st_mode & stat.S_IWUSR) or not os.access(path, os.W_OK)
    except OSError:
        return False


def check_output(path: str | Path, force: bool = False, inputs=()) -> Path:
    """Refuse early (before any drafting) an output that cannot or must not be written."""
    path = check_can_write(path, force, inputs=inputs)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise DrafterError(f"输出文件夹 {parent} 不存在。请先建好这个文件夹，或用 -o 指定一个已有文件夹中的文件。")
    if _read_only(parent):
        raise DrafterError(f"输出文件夹 {parent} 是只读的，无法写入 {path.name}。请换一个文件夹，或修改该文件夹的权限。")
    if path.exists() and _read_only(path):
        raise DrafterError(f"输出文件 {path} 是只读的，没有覆盖。请去掉该文件的只读属性，或用 -o 另存为其他文件名。")
    return path


def _write(path: Path, data: bytes) -> None:
    try:
        atomic_write_bytes(path, data)
    except WriteError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM):
            # On Windows a file open in Word cannot be replaced: say so beside the reason.
            raise WriteError(f"{exc}如果该文件正在 Word、WPS 或其他程序中打开，请先关闭它再运行；"
                             f"也可用 -o 另存为其他文件名。", path=exc.path, errno=exc.errno) from None
        raise


def find_soffice() -> str | None:
    from . import convert  # LibreOffice only for .pdf: a .docx or .md draft does not import it

    return convert.soffice()


def docx_to_pdf(data: bytes, timeout: float = PDF_TIMEOUT) -> bytes:
    """Convert .docx bytes to PDF bytes with LibreOffice (convert.soffice_convert: a temporary
    folder and profile of its own, so an open LibreOffice window does not get in the way)."""
    from . import convert

    try:
        pdf = convert.soffice_convert(data, ".docx", "pdf", timeout)
    except FileNotFoundError:
        raise DrafterError(
            "生成 PDF 需要 LibreOffice，但这台电脑上没有找到（soffice）。"
            "请安装 LibreOffice 后再试，或先生成 Word 文件：-o 初稿.docx。"
        ) from None
    except subprocess.TimeoutExpired:
        raise DrafterError(f"LibreOffice 在 {timeout:.0f} 秒内没有完成 PDF 转换，已放弃。请改用 -o 初稿.docx 后手动另存为 PDF。") from None
    except OSError as exc:
        raise DrafterError(f"无法启动 LibreOffice（{find_soffice()}）：{exc}。请改用 -o 初稿.docx。") from None
    if pdf is None:
        raise DrafterError("LibreOffice 没有生成 PDF 文件。请改用 -o 初稿.docx 后手动另存为 PDF。")
    return pdf


def draft_bytes(draft: Draft, fmt: str, profile=None) -> bytes:
    if fmt == "md":
        from .markdown_writer import draft_markdown

        return draft_markdown(draft).encode("utf-8")
    from .docx_writer import docx_bytes

    data = docx_bytes(draft) if profile is None else docx_bytes(draft, profile)
    return docx_to_pdf(data) if fmt == "pdf" else data


def write_draft(draft: Draft, path: str | Path, fmt: str | None = None, force: bool = False,
                profile=None) -> Path:
    """Write ``draft`` to ``path`` in the format its name says (or ``fmt`` for another name)."""
    fmt = output_format(path, fmt)
    path = check_output(path, force)
    _write(path, draft_bytes(draft, fmt, profile))
    return path
