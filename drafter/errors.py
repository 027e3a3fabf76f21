"""User-facing errors. Messages are Chinese and say what is wrong, where, and what to do."""

from __future__ import annotations


class DrafterError(Exception):
    """An error caused by the user's input or environment (never a bug).

    The CLI prints ``message`` without a traceback and exits with ``exit_code``.
    """

    exit_code = 2

    def __init__(self, message: str, *, exit_code: int | None = None):
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code


class InputFileError(DrafterError):
    """A source file that cannot be read (empty, binary, encrypted, undecodable...)."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"无法读取文件 {path}：{reason}")
        self.path = path
        self.reason = reason


class WriteError(DrafterError, OSError):
    """A file drafter could not write (no permission, read-only or full disk, bad parent...).

    Also an OSError, so that code which tolerates a failed optional write (a cache) keeps
    catching it as before.
    """

    def __init__(self, message: str, *, path: str = "", errno: int | None = None):
        DrafterError.__init__(self, message)
        self.path = path
        self.errno = errno
        self.strerror = message
