"""Safe file writes: atomic replacement, readable errors, one writer per store, printable names.

- ``atomic_write_*``: a temp file ``.<name>.<random>.tmp`` in the same folder, then
  ``os.replace``; any OSError becomes a ``WriteError`` whose Chinese message names the path.
- ``store_lock``: an inter-process lock (filelock; ``flock`` on Linux, released by the
  kernel when a process dies) held around every write into a corpus folder.
- ``printable``: a file name as it can be shown, also when it is not valid UTF-8.
"""

from __future__ import annotations

import contextlib
import errno as errno_codes
import json
import logging
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .errors import DrafterError, WriteError

log = logging.getLogger("drafter")

LOCK_NAME = ".lock"
# Seconds a writer waits for another drafter process to finish writing the same store.
DEFAULT_LOCK_TIMEOUT = 300.0


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


# --- names and error messages ---------------------------------------------------------------


# Where a file name ends inside a path or a message: a name is decoded on its own.
_NAME_BOUNDARY = re.compile(r"([/\\\s：，。；、（）()\[\]“”\"':;,]+)")


def printable(text: str | os.PathLike) -> str:
    """A path, or a message naming one, as text that can be printed and stored as UTF-8.

    A name that is not valid UTF-8 (GBK names from old Windows archives) reaches Python with
    surrogate escapes; each name is decoded as GB18030 when its bytes are valid there, else
    its odd bytes are shown as ``\\xNN``.
    """
    text = os.fspath(text)
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    out = []
    for part in _NAME_BOUNDARY.split(text):
        try:
            part.encode("utf-8")
            out.append(part)
            continue
        except UnicodeEncodeError:
            pass
        try:
            out.append(_decode_part(os.fsencode(part)))
        except UnicodeEncodeError:  # a surrogate that no file name can contain
            out.append(part.encode("utf-8", "backslashreplace").decode("utf-8"))
    return "".join(out)


def _decode_part(raw: bytes) -> str:
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "backslashreplace")


_REASONS = {
    errno_codes.EACCES: ("没有写入权限", "请换一个有写入权限的位置，或检查文件夹权限"),
    errno_codes.EPERM: ("没有写入权限", "请换一个有写入权限的位置，或检查文件夹权限"),
    errno_codes.EROFS: ("所在的磁盘是只读的", "请换一个可写的位置"),
    errno_codes.ENOSPC: ("磁盘空间已满", "请清理磁盘空间后重试，原有文件没有改动"),
    errno_codes.EDQUOT: ("超出了磁盘配额", "请清理磁盘空间后重试，原有文件没有改动"),
    errno_codes.ENOTDIR: ("路径中的某一级是文件而不是文件夹", "请检查路径，或换一个位置"),
    errno_codes.EEXIST: ("路径中的某一级是文件而不是文件夹", "请检查路径，或换一个位置"),
    errno_codes.EISDIR: ("这是一个文件夹", "请指定文件名"),
    errno_codes.ENAMETOOLONG: ("文件名太长", "请换一个短一些的文件名"),
    errno_codes.ENOENT: ("所在的文件夹不存在", "请检查路径"),
    errno_codes.EIO: ("磁盘读写出错", "请检查磁盘后重试"),
}


def os_error_reason(exc: BaseException) -> tuple[str, str]:
    """(what went wrong, what to do) for an OSError, in Chinese."""
    if isinstance(exc, UnicodeError):
        return "文件名含有本系统无法表示的字符", "请换一个文件名"
    code = getattr(exc, "errno", None)
    if code in _REASONS:
        return _REASONS[code]
    return (getattr(exc, "strerror", None) or str(exc) or type(exc).__name__), "请检查该位置后重试"


def write_error(path: str | os.PathLike, exc: BaseException) -> WriteError:
    reason, advice = os_error_reason(exc)
    return WriteError(f"无法写入 {printable(path)}：{reason}。{advice}。", path=printable(path),
                      errno=getattr(exc, "errno", None))


# --- atomic writes ------------------------------------------------------------------------------


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except (OSError, UnicodeError) as exc:
        raise write_error(path, exc) from exc
    try:
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; a written report should get the usual mode
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise write_error(path, exc) from exc
        raise


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def json_bytes(obj: Any, **kwargs: Any) -> bytes:
    """UTF-8 JSON; falls back to \\u escapes when a string holds a surrogate (a file name
    that is not UTF-8), which JSON can carry and read back exactly."""
    try:
        return json.dumps(obj, ensure_ascii=False, **kwargs).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(obj, ensure_ascii=True, **kwargs).encode("ascii")


def atomic_write_json(path: str | os.PathLike, obj: Any) -> None:
    atomic_write_bytes(path, json_bytes(obj, indent=1))


def is_temp_name(name: str) -> bool:
    """A temp file left by ``atomic_write_bytes`` (its process was killed before the rename)."""
    return name.startswith(".") and name.endswith(".tmp")


def remove_temp_files(folder: Path) -> list[Path]:
    """Delete leftover temp files in ``folder``; call with the store's lock held."""
    removed = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    for f in entries:
        if is_temp_name(f.name):
            with contextlib.suppress(FileNotFoundError):
                try:
                    f.unlink()
                except OSError:
                    continue
                removed.append(f)
    return removed


# --- one writer at a time -------------------------------------------------------------------


def _lock_timeout() -> float:
    try:
        return float(os.environ.get("DRAFTER_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT))
    except ValueError:
        return DEFAULT_LOCK_TIMEOUT


@contextlib.contextmanager
def store_lock(folder: str | os.PathLike, timeout: float | None = None) -> Iterator[None]:
    """Hold the store's write lock (``folder/.lock``); reentrant within a process.

    While another process holds it, a note is logged and the call waits up to ``timeout``
    seconds (``$DRAFTER_LOCK_TIMEOUT``, default 300), then gives up with a DrafterError.
    """
    from filelock import FileLock, Timeout

    folder = Path(folder)
    lock_path = folder / LOCK_NAME
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # One instance per path (is_singleton), so a nested acquisition only counts up.
        lock = FileLock(lock_path, is_singleton=True)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            wait = _lock_timeout() if timeout is None else timeout
            log.warning("另一个 drafter 进程正在写入语料库 %s，等它写完（最多 %d 秒）……", printable(folder), wait)
            try:
                lock.acquire(timeout=wait)
            except Timeout:
                raise DrafterError(
                    f"语料库 {printable(folder)} 正被另一个 drafter 进程写入，等了 {wait:.0f} 秒仍未结束。"
                    "请等那个命令完成后再试（锁文件：" + printable(lock_path) + "）。"
                ) from None
    except (OSError, UnicodeError) as exc:
        if isinstance(exc, DrafterError):
            raise
        raise write_error(folder, exc) from exc
    try:
        yield
    finally:
        lock.release()


# --- outputs ----------------------------------------------------------------------------------------


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return a.resolve() == b.resolve()
    except (OSError, ValueError):
        return False


def check_can_write(
    path: str | os.PathLike, force: bool, inputs: Iterable[str | os.PathLike | None] = ()
) -> Path:
    """Refuse an output that is one of the ``inputs`` (even with ``force``), a folder, an
    existing file without ``force``, or a place that cannot be written."""
    path = Path(path)
    for source in inputs:
        if source is not None and _same_file(path, Path(source)):
            raise DrafterError(
                f"输出文件 {printable(path)} 就是输入文件 {printable(source)}，写入会毁掉输入。"
                "请用 -o 指定另一个文件名（加 --force 也不会覆盖输入文件）。"
            )
    if path.is_dir():
        raise DrafterError(f"输出路径 {printable(path)} 是一个文件夹，请指定文件名（例如 {printable(path / '初稿.docx')}）。")
    if path.exists() and not force:
        raise DrafterError(f"输出文件 {printable(path)} 已存在。如需覆盖，请加 --force；或用 -o 指定另一个文件名。")
    # Find the nearest existing ancestor: it must be a writable folder.
    parent = path.absolute().parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise write_error(path, OSError(errno_codes.ENOTDIR, "not a directory"))
    if not os.access(parent, os.W_OK):
        code = errno_codes.EROFS if _read_only_fs(parent) else errno_codes.EACCES
        raise write_error(path, OSError(code, "not writable"))
    return path


def _read_only_fs(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        return False
